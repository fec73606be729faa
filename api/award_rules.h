/* The rules of an award kind's eligibility, as data: each is
 * {type, params, effective_from, effective_to, legal_basis}, and a decree that changes them is a
 * new rule version with its own period. The known types' params are checked; a type this build
 * does not know is stored as given, for eligibility to report as unchecked, never as passed. */
#ifndef TDKT_API_AWARD_RULES_H
#define TDKT_API_AWARD_RULES_H
#include <jansson.h>
#include "lib/buf.h"
#include "lib/http.h"

#define AWARD_RULES_MAX 20

/* Checks every rule of `list` (field errors on "rules[i]...") and writes the stored form, each
 * rule with exactly its five fields, into `out` (JSON). */
bool award_rules_encode(struct req *r, json_t *list, struct buf *out);
/* the award kinds the (checked) rules of `list` require, as a JSON array into codes */
bool award_rules_required_kinds(json_t *list, struct buf *codes);

#endif
