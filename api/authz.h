/* The one place that decides what a caller may do to a unit's data (API.md "Authentication and
 * roles"). Handlers ask here; none re-implements the rules. The unit tree is read from the
 * database for each question (a handful of index lookups up the tree). */
#ifndef TDKT_AUTHZ_H
#define TDKT_AUTHZ_H
#include <stdbool.h>
#include "lib/http.h"

/* *in = unit is `root` or one of its descendants */
bool authz_in_subtree(struct req *r, long long root, long long unit, bool *in);

/* May the caller create, change or delete the unit record `unit_id` (units resource)?
 * admin: any; authority: inside its subtree; others: never. Fills 403 when not. */
bool authz_manage_unit(struct req *r, long long unit_id);

#endif
