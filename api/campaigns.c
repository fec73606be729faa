/* /v1/campaigns — emulation movements (API.md "Campaigns"): launched and run by admins and by
 * authorities whose subtree holds the launching unit; draft -> active -> closed by actions; the
 * participating clusters and the indicators they are scored on. /v1/public/campaigns lists the
 * active and closed ones without a token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define CAMPAIGN_COLUMNS                                                                                    \
	"c.id, c.code, c.title, c.kind, c.theme, c.launched_by_unit_id, c.plan_document, c.plan_date,"      \
	" c.starts_on, c.ends_on, c.status, c.description,"                                                 \
	" (SELECT coalesce(json_agg(cc.cluster_id ORDER BY cc.cluster_id), '[]') FROM campaign_clusters cc" \
	"  WHERE cc.campaign_id = c.id), c.version, c.created_at, c.updated_at"
#define MAX_CLUSTERS 100
#define MAX_INDICATORS 100

static const struct db_col campaign_cols[] = {
	{"id", COL_NUM}, {"code", COL_STR}, {"title", COL_STR}, {"kind", COL_STR}, {"theme", COL_STR},
	{"launched_by_unit_id", COL_NUM}, {"plan_document", COL_STR}, {"plan_date", COL_STR},
	{"starts_on", COL_STR}, {"ends_on", COL_STR}, {"status", COL_STR}, {"description", COL_STR},
	{"cluster_ids", COL_JSON}, {"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_CODE, C_TITLE, C_KIND, C_THEME, C_LAUNCHED_BY, C_PLAN_DOCUMENT, C_PLAN_DATE, C_STARTS_ON,
       C_ENDS_ON, C_STATUS, C_DESCRIPTION, C_CLUSTER_IDS, C_VERSION };
static const struct row_shape campaign_shape = {"/v1/campaigns", "Campaign", campaign_cols,
						(int)API_COUNT(campaign_cols), C_ID, C_VERSION};

static const char *const campaign_kinds[] = {"regular", "thematic", NULL};
static const char *const statuses[] = {"draft", "active", "closed", NULL};
static const char *const public_statuses[] = {"active", "closed", NULL};

enum { F_CODE, F_TITLE, F_KIND, F_THEME, F_LAUNCHED_BY, F_PLAN_DOCUMENT, F_PLAN_DATE, F_STARTS_ON, F_ENDS_ON,
       F_DESCRIPTION, F_CLUSTER_IDS };
static const struct jfield campaign_fields[] = {
	[F_CODE] = {"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, upper_code_ok,
		    "must match ^[A-Z0-9][A-Z0-9.-]{0,31}$ (upper-case letters, digits, '.', '-')"},
	[F_TITLE] = {"title", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL},
	[F_KIND] = {"kind", JF_ENUM, JF_REQUIRED, 0, 0, campaign_kinds, NULL, NULL},
	[F_THEME] = {"theme", JF_STRING, JF_NULLABLE, 1, 500, NULL, NULL, NULL},
	[F_LAUNCHED_BY] = {"launched_by_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_PLAN_DOCUMENT] = {"plan_document", JF_STRING, JF_NULLABLE, 1, 64, NULL, NULL, NULL},
	[F_PLAN_DATE] = {"plan_date", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	[F_STARTS_ON] = {"starts_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_ENDS_ON] = {"ends_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_DESCRIPTION] = {"description", JF_TEXT, JF_NULLABLE, 0, 4000, NULL, NULL, NULL},
	[F_CLUSTER_IDS] = {"cluster_ids", JF_ID_LIST, 0, 0, MAX_CLUSTERS, NULL, NULL, NULL},
	JF_RO("status"),
	JF_ROW_FIELDS,
};
enum { I_CODE, I_POINTS };
static const struct jfield indicator_item_fields[] = {
	[I_CODE] = {"indicator_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[I_POINTS] = {"max_points", JF_INT, JF_NULLABLE, 0, 1000, NULL, NULL, NULL},
};

static const struct db_constraint write_constraints[] = {
	{"campaigns_code_key", "code", "duplicate", "code is already used by another campaign", 0},
	{"campaigns_launched_by_fkey", "launched_by_unit_id", "not_found", "launched_by_unit_id does not name an existing unit", 0},
	{"campaign_clusters_cluster_fkey", "cluster_ids", "not_found", "cluster_ids names a cluster that does not exist", 0},
	{"campaign_indicators_indicator_fkey", "indicators", "not_found", "an indicator code does not exist", 0},
	{"campaigns_period", "ends_on", "before_start", "ends_on must not be before starts_on", 0},
	{"registrations_campaign_fkey", "id", "referenced", "the campaign has registrations", 0},
	{"initiatives_campaign_fkey", "id", "referenced", "the campaign has initiatives", 0},
};

static const struct db_stmt stmts[] = {
	{"campaigns_get", "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c WHERE c.id = $1"},
	{"campaigns_lock", "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c WHERE c.id = $1 FOR UPDATE OF c"},
	{"campaigns_insert",
	 "INSERT INTO campaigns (code, title, kind, theme, launched_by_unit_id, plan_document, plan_date, starts_on,"
	 " ends_on, description) VALUES ($1, normalize($2, NFC), $3, normalize($4, NFC), $5, normalize($6, NFC), $7,"
	 " $8, $9, normalize($10, NFC)) RETURNING id"},
	{"campaigns_update",
	 "UPDATE campaigns SET code = $2, title = normalize($3, NFC), kind = $4, theme = normalize($5, NFC),"
	 " launched_by_unit_id = $6, plan_document = normalize($7, NFC), plan_date = $8, starts_on = $9, ends_on = $10,"
	 " description = normalize($11, NFC), version = version + 1, updated_at = now() WHERE id = $1"},
	{"campaigns_set_status",
	 "UPDATE campaigns SET status = $2, version = version + 1, updated_at = now() WHERE id = $1"},
	{"campaigns_delete", "DELETE FROM campaigns WHERE id = $1"},
	/* the hot list — a cluster's campaigns running in a year — prepared, and driven from the
	 * cluster's few campaigns rather than the year's many (a year overlaps a fifth of them) */
	{"campaigns_by_cluster_year",
	 "SELECT " CAMPAIGN_COLUMNS " FROM campaign_clusters k JOIN campaigns c ON c.id = k.campaign_id"
	 " WHERE k.cluster_id = $2 AND k.campaign_id > $1"
	 " AND c.starts_on <= make_date($3, 12, 31) AND c.ends_on >= make_date($3, 1, 1)"
	 " AND ($4 OR c.status <> 'draft')"
	 " ORDER BY k.campaign_id LIMIT $5"},
	{"campaigns_clusters_set",
	 "WITH gone AS (DELETE FROM campaign_clusters WHERE campaign_id = $1 AND cluster_id <> ALL ($2::bigint[]))"
	 " INSERT INTO campaign_clusters (campaign_id, cluster_id) SELECT $1, x FROM unnest($2::bigint[]) AS x"
	 " ON CONFLICT DO NOTHING"},
	{"campaigns_indicators",
	 "SELECT ci.indicator_code, i.name, i.unit, i.kind, ci.max_points FROM campaign_indicators ci"
	 " JOIN indicators i ON i.code = ci.indicator_code WHERE ci.campaign_id = $1 ORDER BY ci.indicator_code"},
	{"campaigns_indicators_json",
	 "SELECT coalesce(jsonb_agg(jsonb_build_object('indicator_code', indicator_code, 'max_points', max_points)"
	 " ORDER BY indicator_code), '[]') FROM campaign_indicators WHERE campaign_id = $1"},
	{"campaigns_indicators_missing",
	 "SELECT x FROM unnest($1::text[]) AS x WHERE NOT EXISTS (SELECT 1 FROM indicators WHERE code = x)"},
	{"campaigns_indicators_clear", "DELETE FROM campaign_indicators WHERE campaign_id = $1"},
	{"campaigns_indicators_insert",
	 "INSERT INTO campaign_indicators (campaign_id, indicator_code, max_points)"
	 " SELECT $1, c, p FROM unnest($2::text[], $3::int[]) AS t(c, p)"},
	{"campaigns_indicators_audit",
	 "SELECT tdkt_record_custom('campaign', $1, 'update', jsonb_build_object('indicators',"
	 " jsonb_build_object('old', $2::jsonb, 'new', $3::jsonb)))"},
};

/* running in `year`: the period overlaps it */
static const char list_sql[] =
	"SELECT " CAMPAIGN_COLUMNS " FROM campaigns c"
	" WHERE ($1::bigint IS NULL OR c.id > $1)"
	" AND ($2::text IS NULL OR c.status = $2)"
	" AND ($3::text IS NULL OR c.kind = $3)"
	" AND ($4::bigint IS NULL OR c.launched_by_unit_id = $4)"
	" AND ($5::bigint IS NULL OR c.id IN (SELECT campaign_id FROM campaign_clusters WHERE cluster_id = $5))"
	" AND ($6::int IS NULL OR (c.starts_on <= make_date($6, 12, 31) AND c.ends_on >= make_date($6, 1, 1)))"
	" AND ($7::text IS NULL OR c.search @@ tdkt_search_query($7))"
	" AND ($8 OR c.status <> 'draft')"
	" ORDER BY c.id LIMIT $9";

/* lists for /v1/campaigns (drafts included) and /v1/public/campaigns (never drafts) */
static int list(struct req *r, bool with_drafts)
{
	struct query q;
	struct page page;
	bool has_unit, has_cluster, has_year;
	long long unit = 0, cluster = 0, year = 0;
	const char *status, *kind, *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "campaigns", &page, &r->err) ||
	    !query_enum(&q, "status", with_drafts ? statuses : public_statuses, &status, &r->err) ||
	    !query_enum(&q, "kind", campaign_kinds, &kind, &r->err) ||
	    !query_id(&q, "launched_by_unit_id", &has_unit, &unit, &r->err) ||
	    !query_id(&q, "cluster_id", &has_cluster, &cluster, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	char a[24], u[24], c[24], y[24], l[24];
	const char *params[] = {page.has_after ? id_text(page.after_id, a) : NULL, status, kind,
				has_unit ? id_text(unit, u) : NULL, has_cluster ? id_text(cluster, c) : NULL,
				has_year ? id_text(year, y) : NULL, text, with_drafts ? "true" : "false",
				id_text(page.limit + 1, l)};
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	PGresult *res;
	if (has_cluster && has_year && !status && !kind && !has_unit && !text) {
		const char *hot[] = {page.has_after ? a : "0", c, y, with_drafts ? "true" : "false", l};
		res = db_prepared(db, "campaigns_by_cluster_year", 5, hot, &r->err);
	} else {
		res = db_query(db, list_sql, 9, params, &r->err);
	}
	if (!res)
		return -1;
	return respond_page(r, res, "campaigns", &campaign_shape, page.limit);
}

static int campaigns_list(struct req *r)
{
	return list(r, true);
}

static int public_campaigns(struct req *r)
{
	if (list(r, false) != 0)
		return -1;
	respond_public(r);
	return 0;
}

static int campaigns_get(struct req *r)
{
	return respond_get_by_id(r, "campaigns_get", &campaign_shape);
}

static bool check_period(struct req *r, const char *starts, const char *ends)
{
	if (starts && ends && strcmp(ends, starts) < 0) /* YYYY-MM-DD compares as text */
		return app_error_field(&r->err, "ends_on", "before_start", "ends_on must not be before starts_on");
	return true;
}

/* Sets the participating clusters in the open transaction. */
static bool set_clusters(struct req *r, const char *id, const struct jvalue *v)
{
	struct buf ids;
	buf_init(&ids);
	id_list_text(v, &ids);
	const char *params[] = {id, ids.data};
	PGresult *res = buf_ok(&ids) ? db_prepared(r->db, "campaigns_clusters_set", 2, params, &r->err) : NULL;
	buf_free(&ids);
	PQclear(res);
	return res != NULL;
}

/* re-reads the campaign (with its cluster ids) and answers it */
static int respond_campaign(struct req *r, const char *id, int status)
{
	const char *params[] = {id};
	PGresult *res = db_prepared(r->db, "campaigns_get", 1, params, &r->err);
	if (!res)
		return -1;
	return respond_row(r, res, status, &campaign_shape);
}

static int campaigns_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(campaign_fields)];
	struct db_conn *db;
	char unit[24], id[24];
	int rc = -1;
	if (!authz_role_may(r, ACT_ORGANIZE)) {
		req_fail(r, 403, "Your role (%s) may read campaigns but not launch them.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) ||
	    !jin_decode(body, campaign_fields, API_COUNT(campaign_fields), false, v, &r->err) ||
	    !check_period(r, v[F_STARTS_ON].str, v[F_ENDS_ON].str) ||
	    !authz_require_unit_field(r, ACT_ORGANIZE, v[F_LAUNCHED_BY].num, "launched_by_unit_id") || !write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *params[] = {v[F_CODE].str, v[F_TITLE].str, v[F_KIND].str, v[F_THEME].str,
				id_text(v[F_LAUNCHED_BY].num, unit), v[F_PLAN_DOCUMENT].str, v[F_PLAN_DATE].str,
				v[F_STARTS_ON].str, v[F_ENDS_ON].str, v[F_DESCRIPTION].str};
	PGresult *res = db_prepared(db, "campaigns_insert", 10, params, &r->err);
	if (!res)
		goto out;
	snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((v[F_CLUSTER_IDS].present && !set_clusters(r, id, &v[F_CLUSTER_IDS])) || !db_commit(db, &r->err))
		goto out;
	rc = respond_campaign(r, id, 201);
out:
	json_decref(body);
	return rc;
}

/* In a write transaction: locks the campaign and checks the caller runs it, and If-Match. */
static bool lock_campaign(struct req *r, long long id, char idbuf[24], PGresult **cur)
{
	if (!lock_for_write(r, "campaigns_lock", id, &campaign_shape, ACT_ORGANIZE, C_LAUNCHED_BY, idbuf, cur))
		return false;
	DB_EXPLAIN(r->db, write_constraints);
	return true;
}

static int campaigns_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL, *res = NULL;
	struct jvalue v[API_COUNT(campaign_fields)];
	long long id;
	char idbuf[24], unit[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, campaign_fields, API_COUNT(campaign_fields), true, v, &r->err) ||
	    !lock_campaign(r, id, idbuf, &cur))
		goto out;
	if (strcmp(PQgetvalue(cur, 0, C_STATUS), "closed") == 0) {
		req_fail(r, 409, "The campaign is closed; closed campaigns are not changed.");
		goto out;
	}
	if (v[F_LAUNCHED_BY].present &&
	    !authz_require_unit_field(r, ACT_ORGANIZE, v[F_LAUNCHED_BY].num, "launched_by_unit_id"))
		goto out;
	const char *starts = patched_text(&v[F_STARTS_ON], cur, C_STARTS_ON), *ends = patched_text(&v[F_ENDS_ON], cur, C_ENDS_ON);
	if (!check_period(r, starts, ends))
		goto out;
	const char *params[] = {
		idbuf, patched_text(&v[F_CODE], cur, C_CODE), patched_text(&v[F_TITLE], cur, C_TITLE), patched_text(&v[F_KIND], cur, C_KIND),
		patched_text(&v[F_THEME], cur, C_THEME),
		v[F_LAUNCHED_BY].present ? id_text(v[F_LAUNCHED_BY].num, unit) : PQgetvalue(cur, 0, C_LAUNCHED_BY),
		patched_text(&v[F_PLAN_DOCUMENT], cur, C_PLAN_DOCUMENT), patched_text(&v[F_PLAN_DATE], cur, C_PLAN_DATE), starts, ends,
		patched_text(&v[F_DESCRIPTION], cur, C_DESCRIPTION),
	};
	res = db_prepared(r->db, "campaigns_update", 11, params, &r->err);
	if (!res || (v[F_CLUSTER_IDS].present && !set_clusters(r, idbuf, &v[F_CLUSTER_IDS])) ||
	    !db_commit(r->db, &r->err))
		goto out;
	rc = respond_campaign(r, idbuf, 200);
out:
	PQclear(cur);
	PQclear(res);
	json_decref(body);
	return rc;
}

static int campaigns_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !lock_campaign(r, id, idbuf, &cur))
		goto out;
	if (strcmp(PQgetvalue(cur, 0, C_STATUS), "draft") != 0) {
		req_fail(r, 409, "The campaign is %s; only drafts can be deleted.", PQgetvalue(cur, 0, C_STATUS));
		goto out;
	}
	rc = respond_deleted(r, "campaigns_delete", idbuf);
out:
	PQclear(cur);
	return rc;
}

/* draft -> active -> closed */
static int transition(struct req *r, const char *from, const char *to)
{
	PGresult *cur = NULL, *res = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !lock_campaign(r, id, idbuf, &cur))
		goto out;
	if (strcmp(PQgetvalue(cur, 0, C_STATUS), from) != 0) {
		req_fail(r, 409, "The campaign is %s; only a%s %s campaign can become %s.", PQgetvalue(cur, 0, C_STATUS),
			 from[0] == 'a' ? "n" : "", from, to);
		goto out;
	}
	const char *params[] = {idbuf, to};
	res = db_prepared(r->db, "campaigns_set_status", 2, params, &r->err);
	if (!res || !db_commit(r->db, &r->err))
		goto out;
	rc = respond_campaign(r, idbuf, 200);
out:
	PQclear(cur);
	PQclear(res);
	return rc;
}

static int campaigns_activate(struct req *r)
{
	return transition(r, "draft", "active");
}

static int campaigns_close(struct req *r)
{
	return transition(r, "active", "closed");
}

static bool write_indicators(struct req *r, const char *id)
{
	static const struct db_col cols[] = {{"indicator_code", COL_STR}, {"name", COL_STR}, {"unit", COL_STR},
					     {"kind", COL_STR}, {"max_points", COL_NUM}};
	const char *params[] = {id};
	PGresult *res = db_prepared(r->db, "campaigns_indicators", 1, params, &r->err);
	if (!res)
		return false;
	buf_puts(r->out, "{\"campaign_id\":");
	buf_puts(r->out, id);
	buf_puts(r->out, ",\"items\":[");
	for (int i = 0; i < PQntuples(res); i++) {
		if (i)
			buf_putc(r->out, ',');
		db_row_json(r->out, res, i, cols, 5);
	}
	buf_puts(r->out, "]}");
	PQclear(res);
	return true;
}

static int campaigns_indicators_get(struct req *r)
{
	long long id;
	char idbuf[24];
	struct db_conn *db;
	if (!req_path_id(r, "id", &id) || !req_db(r, &db))
		return -1;
	const char *params[] = {id_text(id, idbuf)};
	PGresult *res = db_prepared(db, "campaigns_get", 1, params, &r->err);
	if (!res)
		return -1;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	if (!exists)
		return req_fail(r, 404, "Campaign %lld does not exist.", id);
	return write_indicators(r, idbuf) ? 0 : -1;
}

static int campaigns_indicators_put(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL, *res = NULL, *old = NULL;
	struct buf codes, points;
	long long id;
	char idbuf[24];
	int rc = -1;
	buf_init(&codes);
	buf_init(&points);
	if (!req_path_id(r, "id", &id) || !req_json_array(r, MAX_INDICATORS, &body))
		goto out;
	size_t i;
	json_t *item;
	const char *seen[MAX_INDICATORS] = {0}; /* NULL for items that failed to decode */
	buf_putc(&codes, '{');
	buf_putc(&points, '{');
	json_array_foreach(body, i, item) {
		struct jvalue v[2];
		if (!jin_decode_item(item, "", i, indicator_item_fields, 2, v, &r->err))
			continue;
		seen[i] = v[I_CODE].str;
		for (size_t j = 0; j < i; j++)
			if (seen[j] && strcmp(seen[j], seen[i]) == 0) {
				char field[48];
				snprintf(field, sizeof field, "[%zu].indicator_code", i);
				app_error_field(&r->err, field, "duplicate", "indicator %s is listed twice", seen[i]);
			}
		if (i) {
			buf_putc(&codes, ',');
			buf_putc(&points, ',');
		}
		buf_json_cstr(&codes, v[I_CODE].str); /* a quoted element of a text[] literal */
		if (v[I_POINTS].present && !v[I_POINTS].is_null)
			buf_json_int(&points, v[I_POINTS].num);
		else
			buf_puts(&points, "NULL");
	}
	buf_putc(&codes, '}');
	buf_putc(&points, '}');
	if (r->err.nfields > 0 || !lock_campaign(r, id, idbuf, &cur))
		goto out;
	if (strcmp(PQgetvalue(cur, 0, C_STATUS), "draft") != 0) {
		req_fail(r, 409, "The campaign is %s; its indicators are set while it is a draft.", PQgetvalue(cur, 0, C_STATUS));
		goto out;
	}
	const char *missing[] = {codes.data};
	res = db_prepared(r->db, "campaigns_indicators_missing", 1, missing, &r->err);
	if (!res)
		goto out;
	for (int k = 0; k < PQntuples(res); k++)
		app_error_field(&r->err, "indicators", "not_found", "indicator %s does not exist", PQgetvalue(res, k, 0));
	if (PQntuples(res) > 0)
		goto out;
	PQclear(res);
	const char *key[] = {idbuf};
	old = db_prepared(r->db, "campaigns_indicators_json", 1, key, &r->err);
	res = old ? db_prepared(r->db, "campaigns_indicators_clear", 1, key, &r->err) : NULL;
	if (!res)
		goto out;
	PQclear(res);
	const char *insert[] = {idbuf, codes.data, points.data};
	res = db_prepared(r->db, "campaigns_indicators_insert", 3, insert, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	res = db_prepared(r->db, "campaigns_indicators_json", 1, key, &r->err);
	if (!res)
		goto out;
	const char *audit[] = {idbuf, PQgetvalue(old, 0, 0), PQgetvalue(res, 0, 0)};
	PGresult *recorded = db_prepared(r->db, "campaigns_indicators_audit", 3, audit, &r->err);
	if (!recorded)
		goto out;
	PQclear(recorded);
	if (!db_commit(r->db, &r->err) || !write_indicators(r, idbuf))
		goto out;
	rc = 0;
out:
	buf_free(&codes);
	buf_free(&points);
	PQclear(cur);
	PQclear(res);
	PQclear(old);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/campaigns", campaigns_list, 0, NULL},
	{"POST", "/v1/campaigns", campaigns_create, 0, NULL},
	{"GET", "/v1/campaigns/{id}", campaigns_get, 0, NULL},
	{"PATCH", "/v1/campaigns/{id}", campaigns_patch, 0, NULL},
	{"DELETE", "/v1/campaigns/{id}", campaigns_delete, 0, NULL},
	{"POST", "/v1/campaigns/{id}/activate", campaigns_activate, 0, NULL},
	{"POST", "/v1/campaigns/{id}/close", campaigns_close, 0, NULL},
	{"GET", "/v1/campaigns/{id}/indicators", campaigns_indicators_get, 0, NULL},
	{"PUT", "/v1/campaigns/{id}/indicators", campaigns_indicators_put, 0, NULL},
	{"GET", "/v1/public/campaigns", public_campaigns, ROUTE_PUBLIC, NULL},
};

static const struct fk_fact facts[] = {
	{"campaign_indicators_indicator_fkey", "indicators", "an indicator code does not exist",
	 "campaigns are scored on this indicator"},
	{"campaigns_launched_by_fkey", "launched_by_unit_id", "launched_by_unit_id does not name an existing unit",
	 "the unit launched campaigns"},
	{"campaign_clusters_cluster_fkey", "cluster_ids", "cluster_ids names a cluster that does not exist",
	 "campaigns name this cluster"},
};

const struct api_module campaigns_module = {.name = "campaigns", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts), .facts = facts,
					    .nfacts = API_COUNT(facts)};
