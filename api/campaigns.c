/* /v1/campaigns — emulation movements (API.md "Campaigns"): launched and run by admins and by
 * authorities whose subtree holds the launching unit; draft -> active -> closed by actions; the
 * participating clusters and the indicators they are scored on. /v1/public/campaigns lists the
 * active and closed ones without a token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/crud.h"
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

static const char *const campaign_kinds[] = {"regular", "thematic", NULL};
static const char *const statuses[] = {"draft", "active", "closed", NULL};
static const char *const public_statuses[] = {"active", "closed", NULL};

/* the order of CAMPAIGN_COLUMNS, which the hand-written lists select */
enum { C_ID, C_CODE, C_TITLE, C_KIND, C_THEME, C_LAUNCHED_BY, C_PLAN_DOCUMENT, C_PLAN_DATE, C_STARTS_ON,
       C_ENDS_ON, C_STATUS, C_DESCRIPTION, C_CLUSTER_IDS, C_VERSION };
static const struct field fields[] = {
	[C_ID] = FIELD_ID,
	[C_CODE] = {{"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, upper_code_ok,
		     "must match ^[A-Z0-9][A-Z0-9.-]{0,31}$ (upper-case letters, digits, '.', '-')"}, NULL, COL_STR, 0, NULL},
	[C_TITLE] = {{"title", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_KIND] = {{"kind", JF_ENUM, JF_REQUIRED, 0, 0, campaign_kinds, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[C_THEME] = {{"theme", JF_STRING, JF_NULLABLE, 1, 500, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_LAUNCHED_BY] = {{"launched_by_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_OWNER, NULL},
	[C_PLAN_DOCUMENT] = {{"plan_document", JF_STRING, JF_NULLABLE, 1, 64, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_PLAN_DATE] = {{"plan_date", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[C_STARTS_ON] = {{"starts_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[C_ENDS_ON] = {{"ends_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[C_STATUS] = {JF_RO("status"), NULL, COL_STR, FR_STATE, NULL},
	[C_DESCRIPTION] = {{"description", JF_TEXT, JF_NULLABLE, 0, 4000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[C_CLUSTER_IDS] = {{"cluster_ids", JF_ID_LIST, 0, 0, MAX_CLUSTERS, NULL, NULL, NULL},
			   "(SELECT coalesce(json_agg(cc.cluster_id ORDER BY cc.cluster_id), '[]') FROM campaign_clusters cc"
			   " WHERE cc.campaign_id = t.id)", COL_JSON, FR_CHILD, NULL},
	FIELDS_ROW_META,
};
enum { I_CODE, I_POINTS };
static const struct jfield indicator_item_fields[] = {
	[I_CODE] = {"indicator_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[I_POINTS] = {"max_points", JF_INT, JF_NULLABLE, 0, 1000, NULL, NULL, NULL},
};

static const struct resource campaigns; /* below, with its hooks */

static const struct db_constraint constraints[] = {
	{"campaigns_code_key", "code", "duplicate", "code is already used by another campaign", 0},
	{"campaigns_period", "ends_on", "before_start", "ends_on must not be before starts_on", 0},
};

/* the hot list — a cluster's campaigns running in a year — prepared, and driven from the
 * cluster's few campaigns rather than the year's many (a year overlaps a fifth of them) */
DB_STMT(campaigns_by_cluster_year, PAGE_SQL_OPEN "SELECT " CAMPAIGN_COLUMNS " FROM campaign_clusters k JOIN campaigns c ON c.id = k.campaign_id"
	" WHERE k.cluster_id = $2 AND k.campaign_id > $1"
	" AND c.starts_on <= make_date($3, 12, 31) AND c.ends_on >= make_date($3, 1, 1)"
	" AND ($4 OR c.status <> 'draft')"
	" ORDER BY k.campaign_id" PAGE_SQL_CLOSE("$5"));
/* $2: the cluster ids, a JSON array */
DB_STMT(campaigns_clusters_set, "WITH ids AS (SELECT x::bigint AS id FROM jsonb_array_elements_text($2::jsonb) AS x),"
	" gone AS (DELETE FROM campaign_clusters WHERE campaign_id = $1 AND cluster_id NOT IN (SELECT id FROM ids))"
	" INSERT INTO campaign_clusters (campaign_id, cluster_id) SELECT $1, id FROM ids ON CONFLICT DO NOTHING");
/* the codes of the items $1 (JSON) that name no indicator */
DB_STMT(campaigns_indicators_missing, "SELECT x.indicator_code FROM jsonb_to_recordset($1::jsonb) AS x(indicator_code text)"
	" WHERE NOT EXISTS (SELECT 1 FROM indicators WHERE code = x.indicator_code)");
static const struct db_stmt *const stmts[] = {&sql_campaigns_by_cluster_year, &sql_campaigns_clusters_set, &sql_campaigns_indicators_missing};

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
	struct db_params p = {.n = 0};
	PGresult *res;
	if (has_cluster && has_year && !status && !kind && !has_unit && !text) {
		db_param_int(&p, page.has_after ? page.after_id : 0);
		db_param_int(&p, cluster);
		db_param_int(&p, year);
		db_param_bool(&p, with_drafts);
		db_param_int(&p, page.limit + 1);
		res = req_run(r, &sql_campaigns_by_cluster_year, &p);
	} else {
		db_param_int_if(&p, page.has_after, page.after_id);
		db_param(&p, status);
		db_param(&p, kind);
		db_param_int_if(&p, has_unit, unit);
		db_param_int_if(&p, has_cluster, cluster);
		db_param_int_if(&p, has_year, year);
		db_param(&p, text);
		db_param_bool(&p, with_drafts);
		db_param_int(&p, page.limit + 1);
		res = req_query(r, list_sql, &p);
	}
	if (!res)
		return -1;
	return respond_page(r, res, "campaigns", crud_shape(&campaigns), page.limit);
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

static bool check_period(struct req *r, const char *starts, const char *ends)
{
	if (starts && ends && strcmp(ends, starts) < 0) /* YYYY-MM-DD compares as text */
		return app_error_field(&r->err, "ends_on", "before_start", "ends_on must not be before starts_on");
	return true;
}

static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	return check_period(r, cur ? crud_patched(&campaigns, v, cur, C_STARTS_ON) : v[C_STARTS_ON].str,
			    cur ? crud_patched(&campaigns, v, cur, C_ENDS_ON) : v[C_ENDS_ON].str);
}

/* the participating clusters, replaced as a whole when given */
static bool after_write(struct req *r, const struct jvalue *v, PGresult *cur, PGresult *row)
{
	(void)cur;
	if (!v[C_CLUSTER_IDS].present)
		return true;
	char *ids = json_dumps(v[C_CLUSTER_IDS].list, JSON_COMPACT);
	const char *params[] = {PQgetvalue(row, 0, crud_shape(&campaigns)->id_col), ids};
	PGresult *res = ids ? db_run(r->db, &sql_campaigns_clusters_set, 2, params, crud_write_explained(&campaigns), &r->err)
			    : (app_error_set(&r->err, 503, "The service is short of memory."), NULL);
	free(ids);
	PQclear(res);
	return res != NULL;
}

static const char *const editable[] = {"draft", "active", NULL};
static const char *const drafts[] = {"draft", NULL};
static const char *const active[] = {"active", NULL};
static const struct state_action actions[] = {
	{.name = "activate", .from = drafts, .to = "active"},
	{.name = "close", .from = active, .to = "closed"},
};
static const struct resource_hooks hooks = {.validate = validate, .after_write = after_write};

/* the indicators must exist (a clear 422 for each, before the foreign key's) */
static bool indicators_exist(struct req *r, PGresult *cur, const char *partition, const char *items)
{
	(void)cur;
	(void)partition;
	const char *params[] = {items};
	PGresult *res = db_run(r->db, &sql_campaigns_indicators_missing, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int k = 0; k < PQntuples(res); k++)
		app_error_field(&r->err, "indicators", "not_found", "indicator %s does not exist", PQgetvalue(res, k, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static const struct db_col indicator_cols[] = {{"indicator_code", COL_STR}, {"name", COL_STR}, {"unit", COL_STR},
					       {"kind", COL_STR}, {"max_points", COL_NUM}};
/* the indicators a campaign is scored on, set while it is a draft */
static const struct child_list children[] = {{
	.segment = "indicators", .table = "campaign_indicators", .parent_column = "campaign_id", .key = "campaign_id",
	WITH(items, indicator_item_fields), .max = MAX_INDICATORS, .unique = I_CODE, .order = "indicator_code",
	.read = "SELECT ci.indicator_code, i.name, i.unit, i.kind, ci.max_points FROM campaign_indicators ci"
		" JOIN indicators i ON i.code = ci.indicator_code WHERE ci.campaign_id = $1 ORDER BY ci.indicator_code",
	WITH(cols, indicator_cols), .editable = drafts, .check = indicators_exist,
}};

static const struct resource campaigns = {
	RESOURCE("campaigns", "/v1/campaigns", "Campaign"), WITH(fields, fields),
	.write = ACT_ORGANIZE, .write_denied = "may read campaigns but not launch them",
	WITH(constraints, constraints), .hooks = &hooks,
	/* the list is hand-written below: its hot form and the public one */
	.ops = OP_GET | OP_CREATE | OP_PATCH | OP_DELETE,
	.editable = editable, .deletable = drafts, WITH(actions, actions), WITH(children, children),
	.entity = "campaign",
};

static const struct route routes[] = {
	{"GET", "/v1/campaigns", campaigns_list, ROUTE_QUERY, NULL},
	{"GET", "/v1/public/campaigns", public_campaigns, ROUTE_PUBLIC | ROUTE_QUERY, NULL},
};

static const struct fk_fact facts[] = {
	{"campaign_indicators_indicator_fkey", "indicators", "an indicator code does not exist",
	 "campaigns are scored on this indicator"},
	{"campaigns_launched_by_fkey", "launched_by_unit_id", "launched_by_unit_id does not name an existing unit",
	 "the unit launched campaigns"},
	{"campaign_clusters_cluster_fkey", "cluster_ids", "cluster_ids names a cluster that does not exist",
	 "campaigns name this cluster"},
};

const struct api_module campaigns_module = {.name = "campaigns", WITH(routes, routes), WITH(stmts, stmts),
	.resource = &campaigns, WITH(facts, facts)};
