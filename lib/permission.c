#include "lib/permission.h"

bool permission_allows(const struct permission_table *t, int role, int action, int relation)
{
	if (role < 0 || role >= t->nroles || action < 0 || action >= t->nactions || relation < 0 ||
	    relation >= t->nrelations || relation >= 32)
		return false;
	return (t->cells[role * t->nactions + action] & (1u << relation)) != 0;
}
