/* /v1/stats/indicators and /v1/stats/indicators/series — totals of the reports' figures over a
 * cluster-year, a unit's subtree or the whole country (API.md "Statistics"). Only submitted and
 * accepted reports count (status=accepted narrows), so drafts never show. Ratios are computed from
 * the sums (100 × Σnumerator / Σdenominator, 2 decimals, null when the denominator is 0), never
 * averaged. Each answer is JSON, or the same table as CSV or XLSX (api/tabular.h).
 *
 * Expected units: a cluster's members that year; for a subtree or the country, the units that are
 * members of any cluster that year, and any other unit whose report counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/reports.h"
#include "api/tabular.h"
#include "api/write.h"
#include "lib/query.h"

#define SERIES_MAX_CODES 20
#define SERIES_MAX_YEARS 50

/* the three scopes, each a CTE s(id) of the units expected: $1 the cluster or unit (NULL for
 * the country), $2 the year, $3 the span, $4 the statuses counted */
#define COUNTED(unit) \
	"EXISTS (SELECT 1 FROM reports r WHERE r.unit_id = " unit " AND r.year = $2 AND r.span = $3 AND r.status = ANY($4::text[]))"
#define SCOPE_CLUSTER "s AS (SELECT unit_id AS id FROM cluster_members WHERE cluster_id = $1 AND year = $2)"
#define SCOPE_SUBTREE                                                                                      \
	"s AS (SELECT d.id FROM " SQL_SUBTREE("$1") " AS d(id)"                                           \
	" WHERE EXISTS (SELECT 1 FROM cluster_members m WHERE m.unit_id = d.id AND m.year = $2) OR " COUNTED("d.id") ")"
#define SCOPE_ALL                                                                                          \
	"s AS (SELECT unit_id AS id FROM cluster_members WHERE year = $2 AND $1::bigint IS NULL"            \
	" UNION SELECT unit_id FROM reports WHERE year = $2 AND span = $3 AND status = ANY($4::text[]))"

/* each expected unit with its counted report, if any: its figures and its own ratios */
#define UNITS(scope)                                                                                       \
	"WITH " scope " SELECT u.id, u.code, u.name, r.id, r.status, r.figures,"                             \
	" (SELECT jsonb_object_agg(i.code, round(100 * (r.figures ->> i.numerator)::numeric"                 \
	"   / nullif((r.figures ->> i.denominator)::numeric, 0), 2)) FROM indicators i"                      \
	"  WHERE i.kind = 'ratio' AND r.figures ? i.numerator AND r.figures ? i.denominator)"               \
	" FROM s JOIN units u ON u.id = s.id"                                                                \
	" LEFT JOIN reports r ON r.unit_id = s.id AND r.year = $2 AND r.span = $3 AND r.status = ANY($4::text[])" \
	" ORDER BY u.name, u.id"
/* the same without the figures, for an answer that gives only totals: most of the work of a
 * country's 700 rows was reading figures nobody asked for (tests/bench/reports.sh) */
#define UNITS_LEAN(scope)                                                                                  \
	"WITH " scope " SELECT u.id, u.code, u.name, r.id, r.status FROM s JOIN units u ON u.id = s.id"      \
	" LEFT JOIN reports r ON r.unit_id = s.id AND r.year = $2 AND r.span = $3 AND r.status = ANY($4::text[])" \
	" ORDER BY u.name, u.id"
/* the counted reports r of a scope: after "FROM" (with the scope's CTE first), or the country's,
 * where every counted report's unit is in the scope anyway */
#define COUNTED_IN_SCOPE(scope)                                                                            \
	"WITH " scope ", t AS (SELECT f.key AS code, sum(f.value::numeric) AS total FROM s"                  \
	" JOIN reports r ON r.unit_id = s.id AND r.year = $2 AND r.span = $3 AND r.status = ANY($4::text[])" \
	" CROSS JOIN LATERAL jsonb_each_text(r.figures) AS f GROUP BY 1)"
#define COUNTED_IN_COUNTRY                                                                                 \
	"WITH t AS (SELECT f.key AS code, sum(f.value::numeric) AS total FROM reports r"                     \
	" CROSS JOIN LATERAL jsonb_each_text(r.figures) AS f"                                                \
	" WHERE r.year = $2 AND r.span = $3 AND r.status = ANY($4::text[]) AND $1::bigint IS NULL GROUP BY 1)"
/* the totals, one aggregate over the counted reports' figures, and the ratios of the sums, in
 * the catalogue's order: (code, kind, name, unit, value) */
#define TOTALS(counted)                                                                                    \
	counted                                                                                              \
	" SELECT i.code, i.kind, i.name, i.unit,"                                                            \
	"  CASE WHEN i.kind = 'base' THEN t.total ELSE round(100 * n.total / nullif(d.total, 0), 2) END"     \
	" FROM indicators i LEFT JOIN t ON t.code = i.code LEFT JOIN t n ON n.code = i.numerator"             \
	" LEFT JOIN t d ON d.code = i.denominator"                                                           \
	" WHERE t.code IS NOT NULL OR i.kind = 'ratio' AND (n.code IS NOT NULL OR d.code IS NOT NULL)"      \
	" ORDER BY i.id"

DB_STMT(stats_units_cluster, UNITS(SCOPE_CLUSTER));
DB_STMT(stats_units_subtree, UNITS(SCOPE_SUBTREE));
DB_STMT(stats_units_all, UNITS(SCOPE_ALL));
DB_STMT(stats_units_lean_cluster, UNITS_LEAN(SCOPE_CLUSTER));
DB_STMT(stats_units_lean_subtree, UNITS_LEAN(SCOPE_SUBTREE));
DB_STMT(stats_units_lean_all, UNITS_LEAN(SCOPE_ALL));
DB_STMT(stats_totals_cluster, TOTALS(COUNTED_IN_SCOPE(SCOPE_CLUSTER)));
DB_STMT(stats_totals_subtree, TOTALS(COUNTED_IN_SCOPE(SCOPE_SUBTREE)));
DB_STMT(stats_totals_all, TOTALS(COUNTED_IN_COUNTRY));

/* the series: $1 scope, $2..$3 the years, $4 span, $5 statuses, $6 the codes; each scope a CTE
 * y(year, unit_id) of the units counted each year */
#define SERIES(members)                                                                                    \
	"WITH y AS (" members "), t AS (SELECT y.year, f.key AS code, sum(f.value::numeric) AS total FROM y"  \
	" JOIN reports r ON r.unit_id = y.unit_id AND r.year = y.year AND r.span = $4 AND r.status = ANY($5::text[])" \
	" CROSS JOIN LATERAL jsonb_each_text(r.figures) AS f"                                                \
	" WHERE f.key IN (SELECT unnest(ARRAY[code, numerator, denominator]) FROM indicators"                \
	"  WHERE code = ANY($6::text[]))"                                                                    \
	" GROUP BY 1, 2)"                                                                                    \
	" SELECT g.year, i.code, i.name, i.unit,"                                                            \
	"  CASE WHEN i.kind = 'base' THEN t.total ELSE round(100 * n.total / nullif(d.total, 0), 2) END"     \
	" FROM generate_series($2::int, $3::int) AS g(year) CROSS JOIN indicators i"                         \
	" LEFT JOIN t ON t.year = g.year AND t.code = i.code"                                                \
	" LEFT JOIN t n ON n.year = g.year AND n.code = i.numerator"                                         \
	" LEFT JOIN t d ON d.year = g.year AND d.code = i.denominator"                                       \
	" WHERE i.code = ANY($6::text[]) ORDER BY g.year, array_position($6::text[], i.code)"
#define SERIES_REPORTING(units)                                                                            \
	"SELECT year, unit_id FROM reports WHERE " units " AND year BETWEEN $2 AND $3 AND span = $4"         \
	" AND status = ANY($5::text[])"
DB_STMT(stats_series_cluster,
	SERIES("SELECT year, unit_id FROM cluster_members WHERE cluster_id = $1 AND year BETWEEN $2 AND $3"));
DB_STMT(stats_series_subtree, SERIES(SERIES_REPORTING("unit_id IN " SQL_SUBTREE("$1"))));
DB_STMT(stats_series_all, SERIES(SERIES_REPORTING("$1::bigint IS NULL")));

DB_STMT(stats_cluster_name, "SELECT name FROM clusters WHERE id = $1");
DB_STMT(stats_unit_name, "SELECT name FROM units WHERE id = $1");

static const struct db_stmt *const stmts[] = {
	&sql_stats_units_cluster, &sql_stats_units_subtree, &sql_stats_units_all, &sql_stats_units_lean_cluster,
	&sql_stats_units_lean_subtree, &sql_stats_units_lean_all, &sql_stats_totals_cluster,
	&sql_stats_totals_subtree, &sql_stats_totals_all, &sql_stats_series_cluster, &sql_stats_series_subtree,
	&sql_stats_series_all, &sql_stats_cluster_name, &sql_stats_unit_name};

enum scope_kind { SCOPE_KIND_CLUSTER, SCOPE_KIND_SUBTREE, SCOPE_KIND_ALL };
static const char *const scope_kinds[] = {"cluster", "subtree", "all"};

struct scope {
	enum scope_kind kind;
	long long id;
	char name[400];
};

static const char *const counted_statuses[] = {"submitted", "accepted", NULL};
static const char *const groupings[] = {"unit", NULL};

/* cluster_id or unit_id (not both), the scope's name; 404 for one that does not exist */
static bool parse_scope(struct req *r, struct query *q, struct scope *s)
{
	bool has_cluster, has_unit;
	long long cluster = 0, unit = 0;
	if (!query_id(q, "cluster_id", &has_cluster, &cluster, &r->err) || !query_id(q, "unit_id", &has_unit, &unit, &r->err))
		return false;
	if (has_cluster && has_unit)
		return app_error_set(&r->err, 400, "Give cluster_id or unit_id, not both.");
	s->kind = has_cluster ? SCOPE_KIND_CLUSTER : has_unit ? SCOPE_KIND_SUBTREE : SCOPE_KIND_ALL;
	s->id = has_cluster ? cluster : unit;
	s->name[0] = '\0';
	return true;
}

static bool find_scope(struct req *r, struct scope *s)
{
	if (s->kind == SCOPE_KIND_ALL)
		return true;
	struct db_params p = {.n = 0};
	db_param_int(&p, s->id);
	bool cluster = s->kind == SCOPE_KIND_CLUSTER;
	PGresult *res = req_run(r, cluster ? &sql_stats_cluster_name : &sql_stats_unit_name, &p);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1;
	if (found)
		snprintf(s->name, sizeof s->name, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found || app_error_set(&r->err, 404, "%s %lld does not exist.", cluster ? "Cluster" : "Unit", s->id);
}

static void scope_json(struct buf *b, const struct scope *s)
{
	buf_puts(b, "{\"kind\":");
	buf_json_cstr(b, scope_kinds[s->kind]);
	buf_puts(b, ",\"id\":");
	if (s->kind == SCOPE_KIND_ALL)
		buf_puts(b, "null");
	else
		buf_json_int(b, s->id);
	buf_puts(b, ",\"name\":");
	buf_json_cstr(b, s->kind == SCOPE_KIND_ALL ? NULL : s->name);
	buf_putc(b, '}');
}

/* the statuses counted, as a text[] literal of fixed words */
static const char *statuses_param(const char *status)
{
	if (!status)
		return "{submitted,accepted}";
	return strcmp(status, "accepted") == 0 ? "{accepted}" : "{submitted}";
}

/* a column's header: the indicator's Vietnamese name and its unit */
static void header(char *out, size_t n, const char *name, const char *unit)
{
	const char *suffix = strcmp(unit, "vnd") == 0 ? " (đồng)" : strcmp(unit, "m2") == 0 ? " (m²)" :
			     strcmp(unit, "percent") == 0 ? " (%)" : "";
	snprintf(out, n, "%s%s", name, suffix);
}

enum { U_ID, U_CODE, U_NAME, U_REPORT, U_STATUS, U_FIGURES, U_RATIOS };
enum { T_CODE, T_KIND, T_NAME, T_UNIT, T_VALUE };

static void indicators_json(struct req *r, const struct scope *s, long long year, const char *span, const char *status,
			    bool by_unit, PGresult *units, PGresult *totals)
{
	struct buf *b = r->out;
	int reporting = 0;
	for (int i = 0; i < PQntuples(units); i++)
		reporting += !PQgetisnull(units, i, U_REPORT);
	buf_puts(b, "{\"scope\":");
	scope_json(b, s);
	buf_printf(b, ",\"year\":%lld,\"span\":", year);
	buf_json_cstr(b, span);
	buf_puts(b, ",\"status\":");
	buf_json_cstr(b, status);
	buf_printf(b, ",\"units_expected\":%d,\"units_reporting\":%d", PQntuples(units), reporting);
	for (int pass = 0; pass < 2; pass++) { /* totals, then ratios */
		buf_puts(b, pass ? ",\"ratios\":{" : ",\"totals\":{");
		for (int i = 0, n = 0; i < PQntuples(totals); i++) {
			if ((strcmp(PQgetvalue(totals, i, T_KIND), "ratio") == 0) != pass)
				continue;
			if (n++)
				buf_putc(b, ',');
			buf_json_cstr(b, PQgetvalue(totals, i, T_CODE));
			buf_putc(b, ':');
			tabular_json_number(b, totals, i, T_VALUE);
		}
		buf_putc(b, '}');
	}
	buf_puts(b, ",\"not_reporting\":[");
	for (int i = 0, n = 0; i < PQntuples(units); i++) {
		if (!PQgetisnull(units, i, U_REPORT))
			continue;
		buf_puts(b, n++ ? ",{" : "{");
		tabular_unit_json(b, units, i, U_ID, U_CODE, U_NAME);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	if (by_unit) {
		buf_puts(b, ",\"by_unit\":[");
		for (int i = 0, n = 0; i < PQntuples(units); i++) {
			if (PQgetisnull(units, i, U_REPORT))
				continue;
			buf_puts(b, n++ ? ",{" : "{");
			tabular_unit_json(b, units, i, U_ID, U_CODE, U_NAME);
			buf_printf(b, ",\"report_id\":%s,\"status\":", PQgetvalue(units, i, U_REPORT));
			buf_json_cstr(b, PQgetvalue(units, i, U_STATUS));
			buf_puts(b, ",\"values\":");
			buf_puts(b, PQgetvalue(units, i, U_FIGURES));
			buf_puts(b, ",\"ratios\":");
			buf_puts(b, PQgetisnull(units, i, U_RATIOS) ? "{}" : PQgetvalue(units, i, U_RATIOS));
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

struct indicator_rows {
	PGresult *units, *totals;
};

/* one row per reporting unit, then the total row; a column per indicator in the totals */
static bool indicators_table(struct table *t, const void *ctx)
{
	PGresult *units = ((const struct indicator_rows *)ctx)->units, *totals = ((const struct indicator_rows *)ctx)->totals;
	char head[512], num[40];
	int ncols = PQntuples(totals);
	bool ok = table_cell(t, "Mã đơn vị", false) && table_cell(t, "Đơn vị", false);
	for (int c = 0; c < ncols && ok; c++) {
		header(head, sizeof head, PQgetvalue(totals, c, T_NAME), PQgetvalue(totals, c, T_UNIT));
		ok = table_cell(t, head, false);
	}
	ok = ok && table_end_row(t);
	for (int i = 0; i < PQntuples(units) && ok; i++) {
		if (PQgetisnull(units, i, U_REPORT))
			continue;
		json_error_t jerr;
		json_t *figures = json_loads(PQgetvalue(units, i, U_FIGURES), 0, &jerr);
		json_t *ratios = PQgetisnull(units, i, U_RATIOS) ? NULL : json_loads(PQgetvalue(units, i, U_RATIOS), 0, &jerr);
		ok = figures && table_cell(t, PQgetvalue(units, i, U_CODE), false) &&
		     table_cell(t, PQgetvalue(units, i, U_NAME), false);
		for (int c = 0; c < ncols && ok; c++) {
			bool ratio = strcmp(PQgetvalue(totals, c, T_KIND), "ratio") == 0;
			json_t *v = json_object_get(ratio ? ratios : figures, PQgetvalue(totals, c, T_CODE));
			const char *text = tabular_number(v, num);
			ok = table_cell(t, text, text != NULL);
		}
		ok = ok && table_end_row(t);
		json_decref(figures);
		json_decref(ratios);
	}
	ok = ok && table_cell(t, NULL, false) && table_cell(t, "Tổng cộng", false);
	for (int c = 0; c < ncols && ok; c++)
		ok = table_cell(t, PQgetisnull(totals, c, T_VALUE) ? NULL : PQgetvalue(totals, c, T_VALUE),
				!PQgetisnull(totals, c, T_VALUE));
	return ok && table_end_row(t);
}

static int indicator_stats(struct req *r)
{
	struct query q;
	struct scope s;
	bool has_year;
	long long year = 0;
	const char *span, *status, *group;
	enum tabular_format format;
	PGresult *units = NULL, *totals = NULL;
	int rc = -1;
	if (!query_parse(r->query, &q, &r->err) || !parse_scope(r, &q, &s) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) ||
	    !query_enum(&q, "span", report_spans, &span, &r->err) ||
	    !query_enum(&q, "status", counted_statuses, &status, &r->err) ||
	    !query_enum(&q, "group_by", groupings, &group, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!has_year)
		return req_fail(r, 400, "year is required.");
	if (!span)
		span = "year";
	if (!tabular_format(r, &format) || !find_scope(r, &s))
		return -1;
	static const struct db_stmt *const unit_stmts[] = {&sql_stats_units_cluster, &sql_stats_units_subtree,
							   &sql_stats_units_all};
	static const struct db_stmt *const lean_stmts[] = {&sql_stats_units_lean_cluster, &sql_stats_units_lean_subtree,
							   &sql_stats_units_lean_all};
	static const struct db_stmt *const total_stmts[] = {&sql_stats_totals_cluster, &sql_stats_totals_subtree,
							    &sql_stats_totals_all};
	struct db_params p = {.n = 0};
	db_param_int_if(&p, s.kind != SCOPE_KIND_ALL, s.id);
	db_param_int(&p, year);
	db_param(&p, span);
	db_param(&p, statuses_param(status));
	/* one snapshot: a report submitted between the two statements is in both or in neither */
	bool lean = format == TABULAR_JSON && !group;
	struct db_conn *db;
	if (!read_begin(r, &db) || !(units = req_run(r, (lean ? lean_stmts : unit_stmts)[s.kind], &p)) ||
	    !(totals = req_run(r, total_stmts[s.kind], &p)))
		goto out;
	if (format == TABULAR_JSON) {
		indicators_json(r, &s, year, span, status, group != NULL, units, totals);
		rc = 0;
		goto out;
	}
	char name[96];
	if (s.kind == SCOPE_KIND_ALL)
		snprintf(name, sizeof name, "chi-tieu-%lld-%s-all", year, span);
	else
		snprintf(name, sizeof name, "chi-tieu-%lld-%s-%s-%lld", year, span, scope_kinds[s.kind], s.id);
	struct indicator_rows rows = {units, totals};
	rc = tabular_answer(r, format, 2 + PQntuples(totals), indicators_table, &rows, name, "Chỉ tiêu");
out:
	PQclear(units);
	PQclear(totals);
	return rc;
}

/* is code [c, c + k) an element of the comma-separated list [list, list + n) */
static bool listed(const char *list, size_t n, const char *c, size_t k)
{
	for (size_t at = 0; at < n;) {
		const char *comma = memchr(list + at, ',', n - at);
		size_t len = comma ? (size_t)(comma - (list + at)) : n - at;
		if (len == k && memcmp(list + at, c, k) == 0)
			return true;
		at += len + 1;
	}
	return false;
}

/* codes=a,b,c: each a snake code, at most SERIES_MAX_CODES, as a text[] literal (the codes
 * need no quoting) */
static bool parse_codes(struct req *r, struct query *q, char *out, size_t n, int *count)
{
	const char *codes;
	if (!query_str(q, "codes", 2000, &codes, &r->err))
		return false;
	if (!codes || !*codes)
		return app_error_set(&r->err, 400, "codes is required: indicator codes separated by commas.");
	size_t len = 0;
	*count = 0;
	out[len++] = '{';
	for (const char *p = codes; *p;) {
		const char *end = strchr(p, ',');
		size_t k = end ? (size_t)(end - p) : strlen(p);
		if (!snake_code_ok(p, k))
			return app_error_set(&r->err, 400, "codes: each code " SNAKE_CODE_DESC ".");
		if (listed(out + 1, len - 1, p, k))
			return app_error_set(&r->err, 400, "codes names %.*s twice.", (int)k, p);
		if (++*count > SERIES_MAX_CODES)
			return app_error_set(&r->err, 400, "codes: at most %d.", SERIES_MAX_CODES);
		if (len + k + 2 >= n)
			return app_error_set(&r->err, 400, "codes is too long.");
		if (*count > 1)
			out[len++] = ',';
		memcpy(out + len, p, k);
		len += k;
		p = end ? end + 1 : p + k;
	}
	out[len++] = '}';
	out[len] = '\0';
	return true;
}

enum { S_YEAR, S_CODE, S_NAME, S_UNIT, S_VALUE };

static void series_json(struct req *r, const struct scope *s, const char *span, const char *status, long long from,
			long long to, PGresult *res, int ncodes)
{
	struct buf *b = r->out;
	buf_puts(b, "{\"scope\":");
	scope_json(b, s);
	buf_puts(b, ",\"span\":");
	buf_json_cstr(b, span);
	buf_puts(b, ",\"status\":");
	buf_json_cstr(b, status);
	buf_printf(b, ",\"from_year\":%lld,\"to_year\":%lld,\"codes\":[", from, to);
	for (int c = 0; c < ncodes; c++) {
		if (c)
			buf_putc(b, ',');
		buf_json_cstr(b, PQgetvalue(res, c, S_CODE));
	}
	buf_puts(b, "],\"items\":[");
	for (int i = 0; i < PQntuples(res); i++) {
		bool first = i % ncodes == 0, last = i % ncodes == ncodes - 1;
		if (first)
			buf_printf(b, "%s{\"year\":%s,\"values\":{", i ? "," : "", PQgetvalue(res, i, S_YEAR));
		else
			buf_putc(b, ',');
		buf_json_cstr(b, PQgetvalue(res, i, S_CODE));
		buf_putc(b, ':');
		tabular_json_number(b, res, i, S_VALUE);
		if (last)
			buf_puts(b, "}}");
	}
	buf_puts(b, "]}");
}

struct series_rows {
	PGresult *res;
	int ncodes;
};

static bool series_table(struct table *t, const void *ctx)
{
	PGresult *res = ((const struct series_rows *)ctx)->res;
	int ncodes = ((const struct series_rows *)ctx)->ncodes;
	char head[512];
	bool ok = table_cell(t, "Năm", false);
	for (int c = 0; c < ncodes && ok; c++) {
		header(head, sizeof head, PQgetvalue(res, c, S_NAME), PQgetvalue(res, c, S_UNIT));
		ok = table_cell(t, head, false);
	}
	for (int i = 0; i < PQntuples(res) && ok; i++) {
		if (i % ncodes == 0)
			ok = table_end_row(t) && table_cell(t, PQgetvalue(res, i, S_YEAR), true);
		ok = ok && table_cell(t, PQgetisnull(res, i, S_VALUE) ? NULL : PQgetvalue(res, i, S_VALUE),
				      !PQgetisnull(res, i, S_VALUE));
	}
	return ok && table_end_row(t);
}

static int indicator_series(struct req *r)
{
	struct query q;
	struct scope s;
	bool has_from, has_to;
	long long from = 0, to = 0;
	const char *span, *status;
	char codes[1200];
	int ncodes = 0, rc = -1;
	enum tabular_format format;
	PGresult *res = NULL;
	if (!query_parse(r->query, &q, &r->err) || !parse_scope(r, &q, &s) ||
	    !parse_codes(r, &q, codes, sizeof codes, &ncodes) ||
	    !query_int(&q, "from_year", 2000, 2100, &has_from, &from, &r->err) ||
	    !query_int(&q, "to_year", 2000, 2100, &has_to, &to, &r->err) ||
	    !query_enum(&q, "span", report_spans, &span, &r->err) ||
	    !query_enum(&q, "status", counted_statuses, &status, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!has_from || !has_to)
		return req_fail(r, 400, "from_year and to_year are required.");
	if (to < from || to - from >= SERIES_MAX_YEARS)
		return req_fail(r, 400, "to_year must be from from_year to from_year + %d.", SERIES_MAX_YEARS - 1);
	if (!span)
		span = "year";
	if (!tabular_format(r, &format) || !find_scope(r, &s))
		return -1;
	static const struct db_stmt *const series_stmts[] = {&sql_stats_series_cluster, &sql_stats_series_subtree,
							     &sql_stats_series_all};
	struct db_params p = {.n = 0};
	db_param_int_if(&p, s.kind != SCOPE_KIND_ALL, s.id);
	db_param_int(&p, from);
	db_param_int(&p, to);
	db_param(&p, span);
	db_param(&p, statuses_param(status));
	db_param(&p, codes);
	if (!(res = req_run(r, series_stmts[s.kind], &p)))
		goto out;
	/* every year has a row per known code: fewer rows than asked means unknown codes */
	int known = PQntuples(res) / (int)(to - from + 1);
	if (known != ncodes) {
		app_error_set(&r->err, 400, "codes names %d indicator%s the catalogue does not have.", ncodes - known,
			      ncodes - known == 1 ? "" : "s");
		goto out;
	}
	if (format == TABULAR_JSON) {
		series_json(r, &s, span, status, from, to, res, ncodes);
		rc = 0;
		goto out;
	}
	char name[96];
	snprintf(name, sizeof name, "chuoi-chi-tieu-%lld-%lld-%s", from, to, span);
	struct series_rows rows = {res, ncodes};
	rc = tabular_answer(r, format, 1 + ncodes, series_table, &rows, name, "Chuỗi chỉ tiêu");
out:
	PQclear(res);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/stats/indicators", indicator_stats, ROUTE_OWN_TYPES | ROUTE_QUERY, NULL},
	{"GET", "/v1/stats/indicators/series", indicator_series, ROUTE_OWN_TYPES | ROUTE_QUERY, NULL},
};

const struct api_module stats_module = {.name = "stats", WITH(routes, routes), WITH(stmts, stmts)};
