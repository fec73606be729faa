/* The catalogue's consistency rules for a report's figures (API.md "Indicators"): checked when a
 * report is submitted, each a relation between base indicators that applies when all of them are
 * given. Pure: unit-tested without a database (tests/unit/test_report_rules.c). */
#ifndef TDKT_REPORT_RULES_H
#define TDKT_REPORT_RULES_H
#include <jansson.h>
#include <stdbool.h>
#include "lib/error.h"

/* values: an object indicator code -> number (borrowed). Each broken rule is a field error
 * "<prefix>values.<code>" in err (prefix "" or "[3]."). true when none is broken. */
bool report_rules_check(json_t *values, const char *prefix, struct app_error *err);

#endif
