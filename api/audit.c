/* /v1/audit (admins) and /v1/changes (integration, admins): reading what the audit trigger of
 * sql/0003_audit.sql wrote. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/resource.h"
#include "lib/page.h"
#include "lib/router.h"

static const struct db_col audit_cols[] = {
	{"id", COL_NUM}, {"at", COL_TIME}, {"actor_id", COL_NUM}, {"actor_role", COL_STR},
	{"actor_unit_id", COL_NUM}, {"action", COL_STR}, {"entity", COL_STR}, {"entity_id", COL_NUM},
	{"changes", COL_JSON}, {"request_id", COL_STR},
};
static const struct db_col change_cols[] = {
	{"seq", COL_NUM}, {"entity", COL_STR}, {"entity_id", COL_NUM}, {"action", COL_STR}, {"at", COL_TIME},
};

static const struct row_shape audit_shape = {"/v1/audit", "Entry", audit_cols, (int)API_COUNT(audit_cols), 0, -1};
static const struct row_shape change_shape = {"/v1/changes", "Change", change_cols, (int)API_COUNT(change_cols), 0, -1};

static const char audit_sql[] =
	"SELECT id, at, actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id"
	" FROM audit_log"
	" WHERE id > $1 AND ($2::text IS NULL OR entity = $2) AND ($3::bigint IS NULL OR entity_id = $3)"
	" AND ($4::bigint IS NULL OR actor_id = $4)"
	" ORDER BY id LIMIT $5";

/* $3: the caller may see restricted changes (admins; sql/0013) */
DB_STMT(changes_after, "SELECT seq, entity, entity_id, action, at FROM change_feed WHERE seq > $1 AND ($3 OR NOT restricted)"
	" ORDER BY seq LIMIT $2");
static const struct db_stmt *const stmts[] = {&sql_changes_after};

/* `after` (a plain id or seq, exclusive; 0 is the start) or the list's `cursor`, not both */
static bool start_after(struct query *q, const char *scope, struct page *page, long long *after, struct app_error *err)
{
	bool has_after;
	if (!page_parse_id(q, scope, page, err) ||
	    !query_int(q, "after", 0, 9223372036854775807LL, &has_after, after, err))
		return false;
	if (has_after && page->has_after)
		return app_error_set(err, 400, "Give either after or cursor, not both.");
	if (!has_after)
		*after = page->has_after ? page->after_id : 0;
	return true;
}

static int audit_list(struct req *r)
{
	if (r->caller.role != ROLE_ADMIN)
		return req_fail(r, 403, "Only admins read the audit trail.");
	struct query q;
	struct page page;
	long long after = 0, entity_id = 0, actor = 0;
	bool has_entity_id, has_actor;
	const char *entity;
	if (!query_parse(r->query, &q, &r->err) || !start_after(&q, "audit", &page, &after, &r->err) ||
	    !query_enum(&q, "entity", api_audit_entities(), &entity, &r->err) ||
	    !query_id(&q, "entity_id", &has_entity_id, &entity_id, &r->err) ||
	    !query_id(&q, "actor", &has_actor, &actor, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	struct db_params p = {.n = 0};
	db_param_int(&p, after);
	db_param(&p, entity);
	db_param_int_if(&p, has_entity_id, entity_id);
	db_param_int_if(&p, has_actor, actor);
	db_param_int(&p, page.limit + 1);
	PGresult *res = req_query(r, audit_sql, &p);
	if (!res)
		return -1;
	return respond_page(r, res, "audit", &audit_shape, page.limit);
}

static int changes_list(struct req *r)
{
	if (r->caller.role != ROLE_ADMIN && r->caller.role != ROLE_INTEGRATION)
		return req_fail(r, 403, "The change feed is for integrations and admins.");
	struct query q;
	struct page page;
	long long after = 0;
	if (!query_parse(r->query, &q, &r->err) || !start_after(&q, "changes", &page, &after, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	struct db_params p = {.n = 0};
	db_param_int(&p, after);
	db_param_int(&p, page.limit + 1);
	/* nothing about rows the caller may not read: integrations see no accounts and no drafts */
	db_param_bool(&p, r->caller.role == ROLE_ADMIN);
	PGresult *res = req_run(r, &sql_changes_after, &p);
	if (!res)
		return -1;
	return respond_page(r, res, "changes", &change_shape, page.limit);
}

static const struct route routes[] = {
	{"GET", "/v1/audit", audit_list, 0, NULL},
	{"GET", "/v1/changes", changes_list, 0, NULL},
};

const struct api_module audit_module = {.name = "audit", WITH(routes, routes), WITH(stmts, stmts)};
