#include "lib/permission.h"

/* rows: role; columns: action; each cell: allowed relations as bits */
#define OWN (1u << REL_OWN)
#define DESC (1u << REL_DESCENDANT)
#define OUT (1u << REL_OUTSIDE)
#define ANY (OWN | DESC | OUT)

static const unsigned table[ROLE_COUNT][ACT_COUNT] = {
	/*            read  write        move/delete  users  unit data   catalogue  organise    recognise  awards */
	[ROLE_ADMIN] = {ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY},
	/* recognise: strict descendants only, no unit recognises its own initiatives (issue 8) */
	[ROLE_AUTHORITY] = {ANY, OWN | DESC, DESC, 0, OWN | DESC, 0, OWN | DESC, DESC, OWN | DESC},
	[ROLE_OFFICER] = {ANY, 0, 0, 0, OWN | DESC, 0, 0, 0, 0},
	[ROLE_VIEWER] = {ANY, 0, 0, 0, 0, 0, 0, 0, 0},
	[ROLE_INTEGRATION] = {ANY, 0, 0, 0, 0, 0, 0, 0, 0},
};

enum decision permission(enum role role, enum action action, enum relation rel)
{
	if (role < 0 || role >= ROLE_COUNT || action < 0 || action >= ACT_COUNT)
		return DENY;
	return (table[role][action] & (1u << rel)) ? ALLOW : DENY;
}
