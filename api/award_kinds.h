/* What other resources need of the award-kind catalogue. */
#ifndef TDKT_API_AWARD_KINDS_H
#define TDKT_API_AWARD_KINDS_H
#include <jansson.h>
#include <stdbool.h>
#include "lib/http.h"

/* In the open transaction: a 422 on `field` for each code of `codes` (a JSON array of
 * strings) that names no award kind. */
bool award_kinds_check_codes(struct req *r, const char *codes, const char *field);

/* Award kind `code`'s rules (new: *rules) and the version of them in force on `on` (NULL: today in
 * Vietnam; the day read into day), borrowed from *rules, NULL when none; 404 when no such kind. */
bool award_kinds_rules_on(struct req *r, struct db_conn *db, const char *code, const char *on, json_t **rules,
			  json_t **version, char day[11]);

#endif
