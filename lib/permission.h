/* The role rules of API.md as one pure table: what a role may do to data of a unit, given how
 * that unit relates to the caller's own unit. The relation comes from the database (api/authz.c);
 * the decision comes only from here. */
#ifndef TDKT_PERMISSION_H
#define TDKT_PERMISSION_H
#include "lib/auth.h"

enum relation {
	REL_OWN,         /* the caller's own unit */
	REL_DESCENDANT,  /* below it in the tree */
	REL_OUTSIDE,     /* anywhere else */
};

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
	ACT_COUNT,
};

enum decision { DENY = 0, ALLOW = 1 };

enum decision permission(enum role role, enum action action, enum relation rel);

#endif
