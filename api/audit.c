/* /v1/audit (admins) and /v1/changes (integration, admins): reading what the audit trigger of
 * sql/0003_audit.sql wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/crud.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/page.h"
#include "lib/query.h"
#include "lib/router.h"

static const struct db_col audit_cols[] = {
	{"id", COL_NUM}, {"at", COL_TIME}, {"actor_id", COL_NUM}, {"actor_role", COL_STR},
	{"actor_unit_id", COL_NUM}, {"action", COL_STR}, {"entity", COL_STR}, {"entity_id", COL_NUM},
	{"changes", COL_JSON}, {"request_id", COL_STR}, {"actor_issuer", COL_STR},
};
/* a change as written out, before its href and current representation */
static const struct db_col change_cols[] = {
	{"seq", COL_NUM}, {"entity", COL_STR}, {"entity_id", COL_NUM}, {"key", COL_STR}, {"action", COL_STR},
	{"at", COL_TIME}, {"list", COL_JSON},
};
enum { C_SEQ, C_ENTITY, C_ENTITY_ID, C_KEY };

static const struct row_shape audit_shape = {"/v1/audit", "Entry", audit_cols, (int)API_COUNT(audit_cols), 0, -1};

static const char audit_sql[] =
	"SELECT id, at, actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id, actor_issuer"
	" FROM audit_log"
	" WHERE id > $1 AND ($2::text IS NULL OR entity = $2) AND ($3::bigint IS NULL OR entity_id = $3)"
	" AND ($4::bigint IS NULL OR actor_id = $4)"
	/* an actor is an id and its issuer: `actor` alone is our user, `actor_issuer` another's */
	" AND ($4::bigint IS NULL AND $6::text IS NULL OR actor_issuer IS NOT DISTINCT FROM $6)"
	" ORDER BY id LIMIT $5";

/* $3: the caller may see restricted changes (admins; sql/0013) */
DB_STMT(changes_after, PAGE_SQL_OPEN "SELECT seq, entity, entity_id, coalesce(key, entity_id::text), action, at, detail"
	" FROM change_feed WHERE seq > $1 AND ($3 OR NOT restricted) ORDER BY seq" PAGE_SQL_CLOSE("$2"));
/* the first change recorded at or after a time (times follow the sequence: sql/0017) */
DB_STMT(changes_since, "SELECT seq FROM change_feed WHERE at >= $1::timestamptz ORDER BY at, seq LIMIT 1");
static const struct db_stmt *const stmts[] = {&sql_changes_after, &sql_changes_since};

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
	const char *entity, *issuer;
	if (!query_parse(r->query, &q, &r->err) || !start_after(&q, "audit", &page, &after, &r->err) ||
	    !query_enum(&q, "entity", api_audit_entities(), &entity, &r->err) ||
	    !query_id(&q, "entity_id", &has_entity_id, &entity_id, &r->err) ||
	    !query_id(&q, "actor", &has_actor, &actor, &r->err) ||
	    !query_str(&q, "actor_issuer", 127, &issuer, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	struct db_params p = {.n = 0};
	db_param_int(&p, after);
	db_param(&p, entity);
	db_param_int_if(&p, has_entity_id, entity_id);
	db_param_int_if(&p, has_actor, actor);
	db_param_int(&p, page.limit + 1);
	db_param(&p, issuer);
	PGresult *res = req_query(r, audit_sql, &p);
	if (!res)
		return -1;
	return respond_page(r, res, "audit", &audit_shape, page.limit);
}

/* The entities a page of changes names, each kind's rows fetched at once as their GETs show
 * them to the caller (api/crud.c); a kind the caller may not read has none. */
#define FEED_MAX_KINDS 32
struct feed_kind {
	const struct resource *res;
	PGresult *rows;
};

static void free_kinds(struct feed_kind *kinds, int n)
{
	for (int i = 0; i < n; i++)
		PQclear(kinds[i].rows);
}

static bool fetch_current(struct req *r, struct db_conn *db, const PGresult *page, int n, struct feed_kind *kinds,
			  int *nkinds)
{
	*nkinds = 0;
	for (int i = 0; i < n; i++) {
		const char *entity = PQgetvalue(page, i, C_ENTITY);
		bool seen = false;
		for (int k = 0; k < *nkinds && !seen; k++)
			seen = strcmp(kinds[k].res->entity, entity) == 0;
		const struct resource *res = seen ? NULL : api_resource_of(entity);
		if (!res || *nkinds == FEED_MAX_KINDS)
			continue;
		/* the ids of this kind in the page: {3,5,8} */
		struct buf ids;
		buf_init(&ids);
		buf_putc(&ids, '{');
		for (int j = i; j < n; j++)
			if (strcmp(PQgetvalue(page, j, C_ENTITY), entity) == 0)
				BUF_CAT(&ids, ids.len > 1 ? "," : "", PQgetvalue(page, j, C_ENTITY_ID));
		buf_putc(&ids, '}');
		PGresult *rows = buf_ok(&ids) ? crud_rows_by_ids(r, res, db, ids.data) : NULL;
		buf_free(&ids);
		if (!rows && r->err.status)
			return false;
		kinds[(*nkinds)++] = (struct feed_kind){res, rows};
	}
	return true;
}

/* the change's entity as its GET shows it now, or null: deleted, or out of the caller's sight */
static void write_current(struct buf *out, const PGresult *page, int i, const struct feed_kind *kinds, int nkinds)
{
	const char *entity = PQgetvalue(page, i, C_ENTITY), *id = PQgetvalue(page, i, C_ENTITY_ID);
	for (int k = 0; k < nkinds; k++) {
		if (strcmp(kinds[k].res->entity, entity) != 0)
			continue;
		buf_puts(out, ",\"href\":");
		struct buf href;
		buf_init(&href);
		BUF_CAT(&href, kinds[k].res->path, "/", PQgetvalue(page, i, C_KEY));
		buf_json_cstr(out, buf_ok(&href) ? href.data : NULL);
		buf_free(&href);
		const PGresult *rows = kinds[k].rows;
		int idcol = rows ? PQnfields(rows) - 1 : 0;
		for (int j = 0; rows && j < PQntuples(rows); j++)
			if (strcmp(PQgetvalue(rows, j, idcol), id) == 0) {
				const struct row_shape *shape = crud_shape(kinds[k].res);
				buf_puts(out, ",\"current\":");
				db_row_json(out, rows, j, shape->cols, shape->ncols);
				return;
			}
		break;
	}
	buf_puts(out, ",\"current\":null");
}

/* GET /v1/changes: the committed changes in commit order, each with the key that addresses its
 * entity and the entity as the caller's GET would show it now (null once it is gone). */
static int changes_list(struct req *r)
{
	if (r->caller.role != ROLE_ADMIN && r->caller.role != ROLE_INTEGRATION)
		return req_fail(r, 403, "The change feed is for integrations and admins.");
	struct query q;
	struct page page;
	long long after = 0;
	const char *since;
	if (!query_parse(r->query, &q, &r->err) || !start_after(&q, "changes", &page, &after, &r->err) ||
	    !query_time(&q, "since", &since, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (since && (after > 0 || page.has_after))
		return req_fail(r, 400, "Give since to start, or after or cursor to go on, not both.");
	/* one snapshot for the page and the rows it shows, read as the caller (row-level security) */
	struct db_conn *db;
	if (!read_begin(r, &db))
		return -1;
	if (since) {
		PGresult *first = db_run(db, &sql_changes_since, 1, &since, NULL, &r->err);
		if (!first)
			return -1;
		/* nothing recorded since then: an empty page, and the caller asks again with the same time */
		after = PQntuples(first) ? strtoll(PQgetvalue(first, 0, 0), NULL, 10) - 1 : 9223372036854775807LL;
		PQclear(first);
	}
	struct db_params p = {.n = 0};
	db_param_int(&p, after);
	db_param_int(&p, page.limit + 1);
	/* nothing about rows the caller may not read: integrations see no accounts and no drafts */
	db_param_bool(&p, r->caller.role == ROLE_ADMIN);
	PGresult *res = db_run(db, &sql_changes_after, p.n, p.v, NULL, &r->err);
	if (!res)
		return -1;
	int n = PQntuples(res);
	bool more = n > page.limit;
	if (more)
		n = (int)page.limit;
	struct feed_kind kinds[FEED_MAX_KINDS];
	int nkinds = 0;
	if (!fetch_current(r, db, res, n, kinds, &nkinds)) {
		free_kinds(kinds, nkinds);
		PQclear(res);
		return -1;
	}
	page_begin(r->out);
	for (int i = 0; i < n; i++) {
		buf_puts(r->out, i ? ",{" : "{");
		db_row_members(r->out, res, i, change_cols, (int)API_COUNT(change_cols));
		write_current(r->out, res, i, kinds, nkinds);
		buf_putc(r->out, '}');
	}
	page_end(r->out, "changes", more ? PQgetvalue(res, n - 1, C_SEQ) : NULL);
	free_kinds(kinds, nkinds);
	PQclear(res);
	return 0;
}

static const struct route routes[] = {
	{"GET", "/v1/audit", audit_list, ROUTE_QUERY, NULL},
	{"GET", "/v1/changes", changes_list, ROUTE_QUERY, NULL},
};

const struct api_module audit_module = {.name = "audit", WITH(routes, routes), WITH(stmts, stmts)};
