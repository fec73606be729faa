/* The one place handlers ask "may this caller do this to that unit's data". The rules are the
 * pure table of lib/permission.c; this file only finds how the unit relates to the caller's unit
 * (the unit tree is read from the database, once per question, by a walk up the tree). */
#ifndef TDKT_AUTHZ_H
#define TDKT_AUTHZ_H
#include <stdbool.h>
#include "lib/http.h"
#include "lib/permission.h"

/* How `unit` relates to the caller's unit. */
bool authz_relation(struct req *r, long long unit, enum relation *rel);

/* true when the caller may do `action` on data of `unit`; otherwise 403 in r->err. Asks the
 * database only when the answer depends on where the unit is. */
bool authz_require(struct req *r, enum action action, long long unit);

/* authz_require for a unit named in a request body: a unit that does not exist is a 422 on
 * `field` (a validation error, not a permission one). */
bool authz_require_unit_field(struct req *r, enum action action, long long unit, const char *field);

/* true when the caller's role may do `action` somewhere (a cheap early 403 before any work) */
bool authz_role_may(const struct req *r, enum action action);

#endif
