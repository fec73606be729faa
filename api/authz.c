#include <stdio.h>
#include <stdlib.h>
#include "api/api.h"
#include "api/authz.h"

/* is $2 the unit $1 itself or one of its ancestors */
DB_STMT(authz_in_subtree, "WITH RECURSIVE up(id, parent_id, depth) AS ("
	"  SELECT id, parent_id, 0 FROM units WHERE id = $1"
	"  UNION ALL"
	"  SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id"
	"  WHERE up.depth < 1000)"
	" SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)");
DB_STMT(authz_unit_exists, "SELECT 1 FROM units WHERE id = $1");
/* is unit $1 a member in year $3 of a cluster whose organiser is $2 or below it */
DB_STMT(authz_in_organised_cluster, "SELECT EXISTS (SELECT 1 FROM cluster_members m WHERE m.unit_id = $1 AND m.year = $3"
	" AND tdkt_unit_within(m.organizer_unit_id, $2))");
/* cluster $1's organiser, and whether unit $3 leads it in year $2 */
DB_STMT(authz_cluster_year, "SELECT c.organizer_unit_id, EXISTS (SELECT 1 FROM cluster_members m"
	" WHERE m.cluster_id = c.id AND m.year = $2 AND m.unit_id = $3 AND m.role = 'leader') FROM clusters c WHERE c.id = $1");
static const struct db_stmt *const stmts[] = {&sql_authz_in_subtree, &sql_authz_unit_exists, &sql_authz_in_organised_cluster,
					      &sql_authz_cluster_year};

const struct api_module authz_module = {.name = "authz", WITH(stmts, stmts)};

static const char *const action_text[ACT_COUNT] = {
	[ACT_READ_UNIT] = "read this unit",
	[ACT_WRITE_UNIT] = "change units here",
	[ACT_MOVE_DELETE_UNIT] = "move or delete this unit",
	[ACT_MANAGE_USERS] = "manage accounts",
	[ACT_WRITE_UNIT_DATA] = "change this unit's data",
	[ACT_MANAGE_CATALOGUE] = "change the catalogue",
	[ACT_ORGANIZE] = "organise clusters and campaigns for this unit",
	[ACT_RECOGNIZE] = "recognise this unit's initiatives",
	[ACT_RECORD_AWARDS] = "record awards on this record",
	[ACT_REVIEW_REPORT] = "review this unit's reports",
	[ACT_IMPORT_REPORTS] = "send this unit's reports",
	[ACT_RUN_EVALUATION] = "run this cluster's evaluation",
	[ACT_SCORE_VOTE] = "score or vote for this unit",
	[ACT_DISCIPLINE] = "read or record the disciplines of this unit's people",
	[ACT_APPROVE_AWARDS] = "approve awards as this unit",
	[ACT_RATE] = "rate this unit or its people",
};

bool authz_relation(struct req *r, long long unit, enum relation *rel)
{
	if (unit == r->caller.unit_id) {
		*rel = REL_OWN;
		return true;
	}
	struct db_params p = {.n = 0};
	db_param_int(&p, unit);
	db_param_int(&p, r->caller.unit_id);
	PGresult *res = req_run(r, &sql_authz_in_subtree, &p);
	if (!res)
		return false;
	*rel = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't' ? REL_DESCENDANT : REL_OUTSIDE;
	PQclear(res);
	return true;
}

bool authz_role_may(const struct req *r, enum action action)
{
	for (int rel = 0; rel < REL_COUNT; rel++)
		if (permission(r->caller.role, action, (enum relation)rel))
			return true;
	return false;
}

/* a role that may do this to any unit's data: no relation to look up */
static bool allowed_everywhere(enum role role, enum action action)
{
	return permission(role, action, REL_OWN) && permission(role, action, REL_DESCENDANT) &&
	       permission(role, action, REL_OUTSIDE);
}

bool authz_may(struct req *r, enum action action, long long unit, bool *yes)
{
	enum relation rel;
	*yes = allowed_everywhere(r->caller.role, action);
	if (*yes || !authz_role_may(r, action))
		return true;
	if (!authz_relation(r, unit, &rel))
		return false;
	*yes = permission(r->caller.role, action, rel) == ALLOW;
	return true;
}

/* with a year, a unit outside the subtree may be a member of a cluster the subtree organises */
static bool in_organised_cluster(struct req *r, long long unit, long long year, enum relation *rel)
{
	struct db_params p = {.n = 0};
	db_param_int(&p, unit);
	db_param_int(&p, r->caller.unit_id);
	db_param_int(&p, year);
	PGresult *res = req_run(r, &sql_authz_in_organised_cluster, &p);
	if (!res)
		return false;
	if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't')
		*rel = REL_CLUSTER;
	PQclear(res);
	return true;
}

bool authz_require(struct req *r, enum action action, long long unit)
{
	return authz_require_in_year(r, action, unit, 0);
}

bool authz_require_in_year(struct req *r, enum action action, long long unit, long long year)
{
	enum role role = r->caller.role;
	if (allowed_everywhere(role, action))
		return true;
	enum relation rel = REL_OUTSIDE;
	if (authz_role_may(r, action) && !authz_relation(r, unit, &rel))
		return false;
	if (rel == REL_OUTSIDE && year > 0 && permission(role, action, REL_CLUSTER) &&
	    !in_organised_cluster(r, unit, year, &rel))
		return false;
	if (permission(role, action, rel))
		return true;
	return app_error_set(&r->err, 403, "Your role (%s) may not %s%s.", role_name(role), action_text[action],
			     rel == REL_OUTSIDE && authz_role_may(r, action) ? " outside your unit's subtree" : "");
}

bool authz_require_unit_field(struct req *r, enum action action, long long unit, const char *field)
{
	struct db_params p = {.n = 0};
	db_param_int(&p, unit);
	PGresult *res = req_run(r, &sql_authz_unit_exists, &p);
	if (!res)
		return false;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	if (!exists)
		return app_error_field(&r->err, field, "not_found", "%s does not name an existing unit", field);
	return authz_require(r, action, unit);
}

bool authz_require_cluster_year(struct req *r, enum action action, long long cluster, long long year,
				const char *field)
{
	enum role role = r->caller.role;
	if (!authz_role_may(r, action))
		return app_error_set(&r->err, 403, "Your role (%s) may not %s.", role_name(role), action_text[action]);
	struct db_params p = {.n = 0};
	db_param_int(&p, cluster);
	db_param_int(&p, year);
	db_param_int(&p, r->caller.unit_id);
	PGresult *res = req_run(r, &sql_authz_cluster_year, &p);
	if (!res)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		if (field)
			return app_error_field(&r->err, field, "not_found", "%s does not name an existing cluster", field);
		return app_error_set(&r->err, 404, "Cluster %lld does not exist.", cluster);
	}
	long long organizer = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	bool leads = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	/* the leader's right first: an officer of the leader unit has no other */
	if (leads && permission(role, action, REL_LEADER))
		return true;
	enum relation rel;
	if (!authz_relation(r, organizer, &rel))
		return false;
	if (permission(role, action, rel))
		return true;
	return app_error_set(&r->err, 403, "Your role (%s) may not %s: only its leader unit that year, the organiser's "
				      "authorities and admins may.", role_name(role), action_text[action]);
}
