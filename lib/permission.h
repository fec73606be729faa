/* Who may do what: a role-by-action table of the relations each action is allowed in (bit r for
 * relation r), evaluated here. The actions and relations are the domain's and live with it
 * (api/authz.h), so that a new action or relation (a cluster-year's leader, an approving unit)
 * is a change there, not here. */
#ifndef TDKT_PERMISSION_H
#define TDKT_PERMISSION_H
#include <stdbool.h>

struct permission_table {
	const unsigned *cells;   /* nroles rows of nactions cells */
	int nroles, nactions, nrelations;
};

/* Is `action` allowed to `role` on data in `relation` to the caller? false for anything out of
 * the table's range. */
bool permission_allows(const struct permission_table *t, int role, int action, int relation);

#endif
