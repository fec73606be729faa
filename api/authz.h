/* The one place handlers ask "may this caller do this to that unit's data". The rules are the
 * pure table of lib/permission.c; this file only finds how the unit relates to the caller's unit
 * (the unit tree is read from the database, once per question, by a walk up the tree). */
#ifndef TDKT_AUTHZ_H
#define TDKT_AUTHZ_H
#include <stdbool.h>
#include "lib/auth.h"
#include "lib/http.h"
#include "lib/permission.h"

/* How data relates to the caller: the columns of the permission table. A relation found by
 * other means (the leader unit of a cluster-year, an approving unit) is one more here and one
 * more way of finding it in authz_relation. */
enum relation {
	REL_OWN,         /* the caller's own unit */
	REL_DESCENDANT,  /* below it in the tree */
	REL_CLUSTER,     /* elsewhere, but a member, in the data's year, of a cluster organised in the
			    caller's subtree (asked only with a year: authz_require_in_year) */
	REL_LEADER,      /* the data is a cluster-year's (an evaluation) and the caller's unit leads
			    that cluster that year (asked only of a cluster-year: authz_require_cluster_year) */
	REL_OUTSIDE,     /* anywhere else */
	REL_COUNT,
};

/* What a caller does to data: the rows of the permission table (api/permissions.c). */
enum action {
	ACT_READ_UNIT,          /* read a unit record */
	ACT_WRITE_UNIT,         /* create under / change a unit record */
	ACT_MOVE_DELETE_UNIT,   /* move or delete a unit record */
	ACT_MANAGE_USERS,       /* accounts of that unit */
	ACT_WRITE_UNIT_DATA,    /* the unit's people, registrations, initiatives, reports, proposals */
	ACT_MANAGE_CATALOGUE,   /* indicators, award kinds: not tied to a unit */
	ACT_ORGANIZE,           /* set up clusters and campaigns organised by the unit */
	ACT_RECOGNIZE,          /* recognise the unit's initiatives */
	ACT_RECORD_AWARDS,      /* record awards from before the system on the record of the unit or its people */
	ACT_REVIEW_REPORT,      /* accept or return the unit's reports */
	ACT_IMPORT_REPORTS,     /* send the unit's reports in a batch (national systems) */
	ACT_RUN_EVALUATION,     /* create and run a cluster-year's evaluation (asked of the cluster-year) */
	ACT_SCORE_VOTE,         /* score and vote in an evaluation for the unit */
	ACT_DISCIPLINE,         /* read and record the disciplines of the unit's people (personal data) */
	ACT_APPROVE_AWARDS,     /* as the approving unit: publish, return, approve, reject, review and forward
				   dossiers addressed to the unit, issue and cancel its decisions */
	ACT_RATE,               /* write the yearly rating of the unit or of its people (API.md: "officers of
				   the subject's unit and authorities above"; not an officer above it) */
	ACT_COUNT,
};

enum decision { DENY = 0, ALLOW = 1 };

/* the table's answer (pure: api/permissions.c) */
enum decision permission(enum role role, enum action action, enum relation rel);

/* How `unit` relates to the caller's unit (never REL_CLUSTER). */
bool authz_relation(struct req *r, long long unit, enum relation *rel);

/* true when the caller may do `action` on data of `unit`; otherwise 403 in r->err. Asks the
 * database only when the answer depends on where the unit is. */
bool authz_require(struct req *r, enum action action, long long unit);
/* authz_require for data of `unit` in `year` (a report): a unit outside the caller's subtree may
 * still be a member that year of a cluster the subtree organises (REL_CLUSTER). */
bool authz_require_in_year(struct req *r, enum action action, long long unit, long long year);

/* The caller's right `action` over the data of `cluster` in `year` (an evaluation): REL_LEADER when
 * the caller's unit leads the cluster that year, else how the cluster's organiser relates to the
 * caller's unit. A cluster that does not exist is a 422 on `field` when field is given, else 404. */
bool authz_require_cluster_year(struct req *r, enum action action, long long cluster, long long year,
				const char *field);

/* authz_require for a unit named in a request body: a unit that does not exist is a 422 on
 * `field` (a validation error, not a permission one). */
bool authz_require_unit_field(struct req *r, enum action action, long long unit, const char *field);

/* true when the caller's role may do `action` somewhere (a cheap early 403 before any work) */
bool authz_role_may(const struct req *r, enum action action);

/* *yes: whether the caller may do `action` on data of `unit`, with no error when it may not (a
 * choice between what it may do, not a refusal); false only when the database failed (r->err). */
bool authz_may(struct req *r, enum action action, long long unit, bool *yes);

#endif
