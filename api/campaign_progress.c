/* GET /v1/campaigns/{id}/progress — each registration's targets against what the unit reported
 * that year (API.md "Campaigns", "Statistics"): the actual is the figure of the unit's submitted
 * or accepted report for the year (span `year`, else the latest cumulative one: 9m, h1, q1), a
 * ratio computed from that report's parts; achieved_pct = 100 × actual / target, 2 decimals.
 * Totals per indicator over the registrations shown. JSON, CSV or XLSX (api/tabular.h). Draft
 * registrations show only to their subtree (read in a transaction that names the caller). */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/resource.h"
#include "api/tabular.h"
#include "api/write.h"
#include "lib/query.h"

/* $1 campaign, $2 year, $3 cluster, $4 unit, $5 with the unit's subtree: one row per target */
#define PROGRESS_ROWS                                                                                      \
	"SELECT reg.id AS registration_id, reg.unit_id, u.code AS unit_code, u.name AS unit_name, reg.year,"  \
	"  reg.status, rep.id AS report_id, rep.span AS report_span, rep.status AS report_status,"            \
	"  x.target ->> 'indicator_code' AS code, i.name AS indicator_name, i.unit AS indicator_unit, i.kind,"  \
	"  (x.target ->> 'target')::numeric AS target,"                                                      \
	"  CASE WHEN i.kind = 'ratio' THEN round(100 * (rep.figures ->> i.numerator)::numeric"                \
	"    / nullif((rep.figures ->> i.denominator)::numeric, 0), 2)"                                       \
	"   ELSE (rep.figures ->> (x.target ->> 'indicator_code'))::numeric END AS actual,"                     \
	"  (rep.figures ->> i.numerator)::numeric AS numerator, (rep.figures ->> i.denominator)::numeric AS denominator,"\
	"  x.n"                                                                                              \
	" FROM registrations reg JOIN units u ON u.id = reg.unit_id"                                          \
	" LEFT JOIN LATERAL (SELECT r.id, r.span, r.status, r.figures FROM reports r"                         \
	"   WHERE r.unit_id = reg.unit_id AND r.year = reg.year AND r.status IN ('submitted', 'accepted')"     \
	"   AND r.span IN ('year', '9m', 'h1', 'q1')"                                                         \
	"   ORDER BY array_position(ARRAY['year', '9m', 'h1', 'q1'], r.span) LIMIT 1) rep ON true"            \
	" LEFT JOIN LATERAL jsonb_array_elements(reg.targets) WITH ORDINALITY AS x(target, n) ON true"         \
	" LEFT JOIN indicators i ON i.code = x.target ->> 'indicator_code'"                                  \
	" WHERE reg.campaign_id = $1 AND reg.year = $2"                                                      \
	" AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM cluster_members m"                                \
	"   WHERE m.cluster_id = $3 AND m.unit_id = reg.unit_id AND m.year = reg.year))"                      \
	" AND ($4::bigint IS NULL OR reg.unit_id = $4 OR $5 AND reg.unit_id IN " SQL_SUBTREE("$4") ")"       \
	" AND (reg.status <> 'draft' OR tdkt_actor_reaches(reg.unit_id))"

DB_STMT(progress_rows, "SELECT registration_id, unit_id, unit_code, unit_name, year, status, report_id, report_span,"
	" report_status, code, target, actual, round(100 * actual / nullif(target, 0), 2), indicator_name, indicator_unit"
	" FROM (" PROGRESS_ROWS ") p ORDER BY unit_name, registration_id, n");
/* per indicator, in the order they first appear: sums of targets and actuals; a ratio's actual
 * from the sums of its parts, and no target sum */
DB_STMT(progress_totals, "SELECT code,"
	" CASE WHEN kind = 'ratio' THEN NULL ELSE sum(target) END,"
	" CASE WHEN kind = 'ratio' THEN round(100 * sum(numerator) / nullif(sum(denominator), 0), 2) ELSE sum(actual) END,"
	" CASE WHEN kind = 'ratio' THEN NULL ELSE round(100 * sum(actual) / nullif(sum(target), 0), 2) END,"
	" indicator_name, indicator_unit"
	" FROM (" PROGRESS_ROWS ") p WHERE code IS NOT NULL"
	" GROUP BY code, indicator_name, indicator_unit, kind ORDER BY min(n), code");
DB_STMT(progress_campaign, "SELECT 1 FROM campaigns WHERE id = $1");
static const struct db_stmt *const stmts[] = {&sql_progress_rows, &sql_progress_totals, &sql_progress_campaign};

enum { P_REGISTRATION, P_UNIT, P_UNIT_CODE, P_UNIT_NAME, P_YEAR, P_STATUS, P_REPORT, P_SPAN, P_REPORT_STATUS, P_CODE,
       P_TARGET, P_ACTUAL, P_PCT, P_INDICATOR_NAME, P_INDICATOR_UNIT };
/* target_json reads a code and the three numbers after it */
enum { TOT_CODE, TOT_TARGET, TOT_ACTUAL, TOT_PCT, TOT_NAME, TOT_UNIT };

static void text_or_null(struct buf *b, PGresult *res, int row, int col)
{
	buf_json_cstr(b, PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col));
}

/* {indicator_code, target, actual, achieved_pct} of row `row`, from column `col` on */
static void target_json(struct buf *b, PGresult *res, int row, int col)
{
	buf_puts(b, "{\"indicator_code\":");
	buf_json_cstr(b, PQgetvalue(res, row, col));
	buf_puts(b, ",\"target\":");
	tabular_json_number(b, res, row, col + 1);
	buf_puts(b, ",\"actual\":");
	tabular_json_number(b, res, row, col + 2);
	buf_puts(b, ",\"achieved_pct\":");
	tabular_json_number(b, res, row, col + 3);
	buf_putc(b, '}');
}

static void progress_json(struct buf *b, const char *campaign, long long year, bool has_cluster, long long cluster,
			  bool has_unit, long long unit, PGresult *rows, PGresult *totals)
{
	buf_printf(b, "{\"campaign_id\":%s,\"year\":%lld,\"cluster_id\":", campaign, year);
	if (has_cluster)
		buf_json_int(b, cluster);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"unit_id\":");
	if (has_unit)
		buf_json_int(b, unit);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"items\":[");
	for (int i = 0; i < PQntuples(rows); i++) {
		bool first = i == 0 || strcmp(PQgetvalue(rows, i, P_REGISTRATION), PQgetvalue(rows, i - 1, P_REGISTRATION)) != 0;
		bool last = i == PQntuples(rows) - 1 ||
			    strcmp(PQgetvalue(rows, i, P_REGISTRATION), PQgetvalue(rows, i + 1, P_REGISTRATION)) != 0;
		if (first) {
			buf_printf(b, "%s{\"registration_id\":%s,", i ? "," : "", PQgetvalue(rows, i, P_REGISTRATION));
			tabular_unit_json(b, rows, i, P_UNIT, P_UNIT_CODE, P_UNIT_NAME);
			buf_printf(b, ",\"year\":%s,\"status\":", PQgetvalue(rows, i, P_YEAR));
			buf_json_cstr(b, PQgetvalue(rows, i, P_STATUS));
			buf_puts(b, ",\"report_id\":");
			tabular_json_number(b, rows, i, P_REPORT);
			buf_puts(b, ",\"report_span\":");
			text_or_null(b, rows, i, P_SPAN);
			buf_puts(b, ",\"report_status\":");
			text_or_null(b, rows, i, P_REPORT_STATUS);
			buf_puts(b, ",\"targets\":[");
		}
		if (!PQgetisnull(rows, i, P_CODE)) { /* a registration with no target has one row of nulls */
			if (!first)
				buf_putc(b, ',');
			target_json(b, rows, i, P_CODE);
		}
		if (last)
			buf_puts(b, "]}");
	}
	buf_puts(b, "],\"totals\":[");
	for (int i = 0; i < PQntuples(totals); i++) {
		if (i)
			buf_putc(b, ',');
		target_json(b, totals, i, TOT_CODE);
	}
	buf_puts(b, "]}");
}

static bool cell(struct table *t, PGresult *res, int row, int col, bool num)
{
	return table_cell(t, PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col), num);
}

struct progress_rows {
	long long year;
	PGresult *rows, *totals;
};

/* a row per target, then a total row per indicator */
static bool progress_table(struct table *t, const void *ctx)
{
	const struct progress_rows *p = ctx;
	PGresult *rows = p->rows, *totals = p->totals;
	long long year = p->year;
	static const char *const heads[] = {"Mã đơn vị", "Đơn vị", "Năm", "Mã chỉ tiêu", "Chỉ tiêu", "Đăng ký",
					    "Thực hiện", "Tỷ lệ đạt (%)"};
	char y[16];
	bool ok = true;
	snprintf(y, sizeof y, "%lld", year);
	for (size_t c = 0; c < sizeof heads / sizeof heads[0] && ok; c++)
		ok = table_cell(t, heads[c], false);
	ok = ok && table_end_row(t);
	for (int i = 0; i < PQntuples(rows) && ok; i++) {
		if (PQgetisnull(rows, i, P_CODE))
			continue;
		ok = cell(t, rows, i, P_UNIT_CODE, false) && cell(t, rows, i, P_UNIT_NAME, false) &&
		     cell(t, rows, i, P_YEAR, true) && cell(t, rows, i, P_CODE, false) &&
		     cell(t, rows, i, P_INDICATOR_NAME, false) && cell(t, rows, i, P_TARGET, true) &&
		     cell(t, rows, i, P_ACTUAL, true) && cell(t, rows, i, P_PCT, true) && table_end_row(t);
	}
	for (int i = 0; i < PQntuples(totals) && ok; i++)
		ok = table_cell(t, NULL, false) && table_cell(t, "Tổng cộng", false) && table_cell(t, y, true) &&
		     cell(t, totals, i, TOT_CODE, false) && cell(t, totals, i, TOT_NAME, false) &&
		     cell(t, totals, i, TOT_TARGET, true) && cell(t, totals, i, TOT_ACTUAL, true) &&
		     cell(t, totals, i, TOT_PCT, true) && table_end_row(t);
	return ok;
}

static int campaign_progress(struct req *r)
{
	struct query q;
	long long campaign, year = 0, cluster = 0, unit = 0;
	bool has_year, has_cluster, has_unit, has_subtree, subtree = false;
	enum tabular_format format;
	struct db_conn *db;
	PGresult *found = NULL, *rows = NULL, *totals = NULL;
	char id[24];
	int rc = -1;
	if (!req_path_id(r, "id", &campaign) || !query_parse(r->query, &q, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) ||
	    !query_id(&q, "cluster_id", &has_cluster, &cluster, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit, &r->err) ||
	    !query_bool(&q, "subtree", &has_subtree, &subtree, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!has_year)
		return req_fail(r, 400, "year is required.");
	if (!tabular_format(r, &format) || !read_begin(r, &db))
		return -1;
	struct db_params p = {.n = 0};
	db_param(&p, id_text(campaign, id));
	if (!(found = req_run(r, &sql_progress_campaign, &p)))
		goto out;
	if (PQntuples(found) == 0) {
		app_error_set(&r->err, 404, "Campaign %lld does not exist.", campaign);
		goto out;
	}
	db_param_int(&p, year);
	db_param_int_if(&p, has_cluster, cluster);
	db_param_int_if(&p, has_unit, unit);
	db_param_bool(&p, subtree);
	if (!(rows = req_run(r, &sql_progress_rows, &p)) || !(totals = req_run(r, &sql_progress_totals, &p)))
		goto out;
	if (format == TABULAR_JSON) {
		progress_json(r->out, id, year, has_cluster, cluster, has_unit, unit, rows, totals);
		rc = 0;
		goto out;
	}
	char name[64];
	snprintf(name, sizeof name, "tien-do-phong-trao-%lld-%lld", campaign, year);
	struct progress_rows data = {year, rows, totals};
	rc = tabular_answer(r, format, 8, progress_table, &data, name, "Tiến độ");
out:
	PQclear(found);
	PQclear(rows);
	PQclear(totals);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/campaigns/{id}/progress", campaign_progress, ROUTE_OWN_TYPES | ROUTE_QUERY, NULL},
};

const struct api_module campaign_progress_module = {.name = "campaign_progress", WITH(routes, routes),
	WITH(stmts, stmts)};
