#include <stdio.h>
#include "api/api.h"
#include "api/authz.h"

static const struct db_stmt stmts[] = {
	{"authz_in_subtree",
	 "WITH RECURSIVE up(id, parent_id, depth) AS ("
	 "  SELECT id, parent_id, 0 FROM units WHERE id = $1"
	 "  UNION ALL"
	 "  SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id"
	 "  WHERE up.depth < 1000)"
	 " SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)"},
};

const struct api_module authz_module = {"authz", NULL, 0, stmts, API_COUNT(stmts)};

bool authz_in_subtree(struct req *r, long long root, long long unit, bool *in)
{
	struct db_conn *db;
	if (!req_db(r, &db))
		return false;
	char a[24], b[24];
	snprintf(a, sizeof a, "%lld", unit);
	snprintf(b, sizeof b, "%lld", root);
	const char *params[] = {a, b};
	PGresult *res = db_prepared(db, "authz_in_subtree", 2, params, &r->err);
	if (!res)
		return false;
	*in = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return true;
}

bool authz_manage_unit(struct req *r, long long unit_id)
{
	switch (r->caller.role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_AUTHORITY: {
		bool in = false;
		if (!authz_in_subtree(r, r->caller.unit_id, unit_id, &in))
			return false;
		if (!in)
			return app_error_set(&r->err, 403, "Authorities manage units inside their own subtree only.");
		return true;
	}
	default:
		return app_error_set(&r->err, 403, "Your role may read units but not change them.");
	}
}
