/* The eligibility rule language of API.md ("Award kinds"), issue 13: a rule version's `expr` is a
 * tree, because the law's criteria are mostly "A, and one of B, C or D":
 *   {"type": "all_of" | "any_of", "items": [expr, …]}                        (1 to 10 items)
 *   {"type": "<leaf>", "params": {…}}
 * with the leaves title_in_years, rating_in_years, award_then_years, initiative_recognized,
 * members_share, member_has, leads_cluster, no_discipline, council_vote, quota_pct, public_notice
 * and not_twice, each with its params checked. A leaf type this build does not know is kept as
 * given (params any object), for eligibility to answer `passed: null`, never a silent pass. A tree
 * is at most 4 levels deep and 40 nodes. Pure: unit-tested (tests/unit/test_rule_expr.c). */
#ifndef TDKT_RULE_EXPR_H
#define TDKT_RULE_EXPR_H
#include <jansson.h>
#include <stdbool.h>
#include "lib/buf.h"
#include "lib/error.h"

#define RULE_EXPR_MAX_DEPTH 4
#define RULE_EXPR_MAX_NODES 40
#define RULE_EXPR_MAX_ITEMS 10

/* Checks `expr` (field errors named from `path`, e.g. "rules[0].expr.items[1].params.years") and
 * writes its stored form into out: each node with exactly its fields, params in one order. The
 * award-kind codes it names (params.kind) are appended to kinds as a JSON array's items
 * ("\"a\",\"b\"", comma-separated, for the caller's check against the catalogue). */
bool rule_expr_read(json_t *expr, const char *path, struct buf *out, struct buf *kinds, struct app_error *err);

/* whether this build evaluates a leaf type */
bool rule_expr_known(const char *type);

#endif
