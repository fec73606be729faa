/* An award kind's eligibility rules, as data (API.md "Award kinds"): a list of rule versions
 *   {effective_from, effective_to, legal_basis, source_checked, expr}
 * each in force over its own period (no two of a kind overlap), `expr` a tree of the rule language
 * (api/rule_expr.h). A decree that changes the rules is a new version; the earlier one ends the
 * day before. `source_checked` says whether the version was read against the official text or is a
 * reading to confirm. */
#ifndef TDKT_API_AWARD_RULES_H
#define TDKT_API_AWARD_RULES_H
#include <jansson.h>
#include "lib/buf.h"
#include "lib/http.h"

#define AWARD_RULES_MAX 20

/* Checks every version of `list` (field errors on "rules[i]...") and writes the stored form, each
 * version with exactly its five fields, into `out` (JSON). */
bool award_rules_encode(struct req *r, json_t *list, struct buf *out);

/* The version of stored `rules` in force on `on` (YYYY-MM-DD), borrowed from rules; NULL: none. */
json_t *award_rules_on(json_t *rules, const char *on);

#endif
