/* GET /v1/stats/forms/{code}?year=&unit_id= — the yearly statistical forms of Thông tư
 * 02/2023/TT-BNV (API.md "Statistical forms") for a reporting unit and its subtree: each form a
 * table of rows and numbered columns (api/form_defs.h, where the codes and labels are our reading
 * to be checked against the printed forms), as JSON, or as CSV or XLSX (api/tabular.h).
 *
 * Each form's statement counts the things it reports, grouped by what the form tells apart; the
 * table puts each group in its cells. Any authenticated caller reads any unit's forms, as the
 * other statistics (api/stats.c); the statements read in one snapshot that names the caller
 * (read_begin), so dossiers and proposals are read under their row-level security — a decided
 * dossier is everybody's.
 *
 * 0601 counts campaigns launched by a unit of the subtree, not drafts (active or closed), whose
 * period overlaps the year (starts_on ≤ 31 December, ends_on ≥ 1 January); the length is
 * starts_on to ends_on with both days in.
 *
 * 0602 counts awards granted by decisions (source 'decision'), not revoked, decided in the year,
 * of state-level kinds (award_kinds.level 'national'). Each is read with the proposal it was
 * granted for: the nominee of the same decision, kind and recipient in a dossier addressed to the
 * decision's issuing unit (API.md "Decisions": a decision grants the approved proposals of
 * dossiers addressed to it). That proposal's dossier gives the proposing level, the proposal its
 * subject class. The award is the subtree's when a unit of the subtree proposed that nominee —
 * in that dossier, or in a lower one whose nominee it copies (forwarded up: proposals'
 * forwarded_from_id). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/form_defs.h"
#include "api/tabular.h"
#include "api/write.h"
#include "lib/log.h"
#include "lib/query.h"

#define YEAR_FIRST "make_date($2::int, 1, 1)"
#define YEAR_LAST "make_date($2::int, 12, 31)"

/* $1 the reporting unit, $2 the year: (unit kind, has a province, campaign kind, has clusters,
 * whole months, days beyond, count) */
DB_STMT(stat_form_0601,
	"SELECT u.kind, u.province_code IS NOT NULL, c.kind,"
	" EXISTS (SELECT 1 FROM campaign_clusters cc WHERE cc.campaign_id = c.id),"
	" (extract(year FROM l.len) * 12 + extract(month FROM l.len))::int, extract(day FROM l.len)::int, count(*)"
	" FROM campaigns c JOIN units u ON u.id = c.launched_by_unit_id"
	" CROSS JOIN LATERAL (SELECT age(c.ends_on + 1, c.starts_on) AS len) l"
	" WHERE c.launched_by_unit_id IN " SQL_SUBTREE("$1")
	" AND c.status <> 'draft' AND c.starts_on <= " YEAR_LAST " AND c.ends_on >= " YEAR_FIRST
	" GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6");

/* the nominee `p` of award a's decision, kind and recipient (a nominee and an award have exactly
 * one recipient each) */
#define SAME_NOMINEE(p)                                                                                    \
	p ".decision_id = a.decision_id AND " p ".award_kind_code = a.award_kind_code"                       \
	" AND (" p ".recipient_unit_id = a.recipient_unit_id OR " p ".recipient_person_id = a.recipient_person_id" \
	" OR " p ".recipient_household = a.recipient_household)"
/* $1, $2 as above: (award kind, recipient unit|person|household, proposing unit's kind, has a
 * province, subject class, count). p is the nominee the award was granted for (its dossier
 * addressed to the decision's issuer); the nominees it copies are found down forwarded_from_id.
 * The subtree test stays an OR of hashed subplans: as a semi-join on the decision's nominees it
 * walked the subtree's units once per award (6.7 s against 0.19 s over 140,000 awards). */
DB_STMT(stat_form_0602,
	"SELECT a.award_kind_code,"
	" CASE WHEN a.recipient_unit_id IS NOT NULL THEN 'unit' WHEN a.recipient_person_id IS NOT NULL THEN 'person'"
	"  ELSE 'household' END,"
	" u.kind, u.province_code IS NOT NULL, p.subject_class, count(*)"
	" FROM awards a JOIN award_kinds k ON k.code = a.award_kind_code"
	" JOIN decisions dc ON dc.id = a.decision_id"
	" JOIN proposals p ON " SAME_NOMINEE("p")
	" JOIN dossiers d ON d.id = p.dossier_id AND d.approving_unit_id = dc.issuing_unit_id"
	" JOIN units u ON u.id = d.proposing_unit_id"
	" WHERE a.source = 'decision' AND a.revoked_on IS NULL AND k.level = 'national'"
	" AND a.decided_on BETWEEN " YEAR_FIRST " AND " YEAR_LAST
	" AND (d.proposing_unit_id IN " SQL_SUBTREE("$1")
	"  OR EXISTS (WITH RECURSIVE copied(id, depth) AS (SELECT p.forwarded_from_id, 0"
	"   UNION ALL SELECT f.forwarded_from_id, c.depth + 1 FROM proposals f JOIN copied c ON f.id = c.id"
	"   WHERE c.depth < 10)"
	"   SELECT 1 FROM copied c JOIN proposals f ON f.id = c.id JOIN dossiers e ON e.id = f.dossier_id"
	"   WHERE e.proposing_unit_id IN " SQL_SUBTREE("$1") "))"
	" GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5");

DB_STMT(stat_form_unit, "SELECT code, name FROM units WHERE id = $1");

static const struct db_stmt *const stmts[] = {&sql_stat_form_0601, &sql_stat_form_0602, &sql_stat_form_unit};

static bool flag(PGresult *res, int row, int col)
{
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

static int number(PGresult *res, int row, int col)
{
	return (int)strtol(PQgetvalue(res, row, col), NULL, 10);
}

static long long count_of(PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static bool fact_0601(PGresult *res, int i, struct form_fact *f)
{
	return form_fact_0601(PQgetvalue(res, i, 0), flag(res, i, 1), PQgetvalue(res, i, 2), flag(res, i, 3),
			      number(res, i, 4), number(res, i, 5), count_of(res, i, 6), f);
}

static bool fact_0602(PGresult *res, int i, struct form_fact *f)
{
	return form_fact_0602(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), flag(res, i, 3),
			      PQgetvalue(res, i, 4), count_of(res, i, 5), f);
}

/* what counts each form's facts: its statement and how one of its rows becomes a fact */
static const struct {
	const char *code;
	const struct db_stmt *stmt;
	bool (*fact)(PGresult *res, int row, struct form_fact *f);
} counters[] = {
	{"0601", &sql_stat_form_0601, fact_0601},
	{"0602", &sql_stat_form_0602, fact_0602},
};

struct answer {
	const struct form_def *def;
	long long unit, year;
	const char *unit_code, *unit_name;
	long long cells[FORM_MAX_CELLS];
};

/* `{"code":…,"label":…` of a row or column (the i-th: a comma before all but the first) */
static void line_json(struct buf *b, int i, const struct form_line *l)
{
	buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
	buf_json_cstr(b, l->code);
	buf_puts(b, ",\"label\":");
	buf_json_cstr(b, l->label);
}

static void form_json(struct buf *b, const struct answer *a)
{
	const struct form_def *d = a->def;
	buf_puts(b, "{\"form\":");
	buf_json_cstr(b, d->code);
	buf_puts(b, ",\"title\":");
	buf_json_cstr(b, d->title);
	buf_puts(b, ",\"legal_basis\":\"" FORM_LEGAL_BASIS "\",\"source_checked\":false,\"year\":");
	buf_json_int(b, a->year);
	buf_puts(b, ",\"unit\":{\"id\":");
	buf_json_int(b, a->unit);
	buf_puts(b, ",\"code\":");
	buf_json_cstr(b, a->unit_code);
	buf_puts(b, ",\"name\":");
	buf_json_cstr(b, a->unit_name);
	buf_puts(b, "},\"columns\":[");
	for (int c = 0; c < d->ncols; c++) {
		line_json(b, c, &d->cols[c]);
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"rows\":[");
	for (int r = 0; r < d->nrows; r++) {
		line_json(b, r, &d->rows[r]);
		buf_puts(b, ",\"columns\":{");
		for (int c = 0; c < d->ncols; c++) {
			if (c)
				buf_putc(b, ',');
			buf_json_cstr(b, d->cols[c].code);
			buf_putc(b, ':');
			buf_json_int(b, a->cells[r * d->ncols + c]);
		}
		buf_puts(b, "}}");
	}
	buf_puts(b, "]}");
}

/* as the form prints it: the headings, the row of column letters and numbers (A: the row's
 * label, B: its code, then 1, 2, …), a row per row of the form */
static bool form_table(struct table *t, const void *ctx)
{
	const struct answer *a = ctx;
	const struct form_def *d = a->def;
	char n[24];
	bool ok = table_cell(t, "Chỉ tiêu", false) && table_cell(t, "Mã số", false);
	for (int c = 0; c < d->ncols && ok; c++)
		ok = table_cell(t, d->cols[c].label, false);
	ok = ok && table_end_row(t) && table_cell(t, "A", false) && table_cell(t, "B", false);
	for (int c = 0; c < d->ncols && ok; c++)
		ok = table_cell(t, d->cols[c].code, false);
	ok = ok && table_end_row(t);
	for (int r = 0; r < d->nrows && ok; r++) {
		ok = table_cell(t, d->rows[r].label, false) && table_cell(t, d->rows[r].code, false);
		for (int c = 0; c < d->ncols && ok; c++) {
			snprintf(n, sizeof n, "%lld", a->cells[r * d->ncols + c]);
			ok = table_cell(t, n, true);
		}
		ok = ok && table_end_row(t);
	}
	return ok;
}

static int stat_form(struct req *r)
{
	char code[8];
	struct query q;
	bool has_unit, has_year;
	long long unit = 0, year = 0;
	enum tabular_format format;
	struct db_conn *db;
	PGresult *found = NULL, *res = NULL;
	struct answer *a = NULL;
	int rc = -1;
	if (!req_path_text(r, "code", form_code_ok, code, sizeof code))
		return -1;
	const struct form_def *def = form_def_find(code);
	size_t k = 0;
	while (def && k < API_COUNT(counters) && strcmp(counters[k].code, code) != 0)
		k++;
	if (!def || k == API_COUNT(counters))
		return req_fail(r, 404, "There is no statistical form %s: the service has 0601 and 0602.", code);
	if (!query_parse(r->query, &q, &r->err) || !query_id(&q, "unit_id", &has_unit, &unit, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!has_unit || !has_year)
		return req_fail(r, 400, "unit_id (the reporting unit) and year are required.");
	if (!tabular_format(r, &format) || !read_begin(r, &db))
		return -1;
	struct db_params p = {.n = 0};
	db_param_int(&p, unit);
	if (!(found = req_run(r, &sql_stat_form_unit, &p)))
		goto out;
	if (PQntuples(found) == 0) {
		app_error_set(&r->err, 404, "Unit %lld does not exist.", unit);
		goto out;
	}
	db_param_int(&p, year);
	if (!(res = req_run(r, counters[k].stmt, &p)))
		goto out;
	if (!(a = calloc(1, sizeof *a))) {
		app_error_set(&r->err, 503, "The service is short of memory.");
		goto out;
	}
	*a = (struct answer){.def = def, .unit = unit, .year = year, .unit_code = PQgetvalue(found, 0, 0),
			     .unit_name = PQgetvalue(found, 0, 1)};
	for (int i = 0; i < PQntuples(res); i++) {
		struct form_fact f;
		if (!counters[k].fact(res, i, &f)) {
			/* a value the tables do not know: a schema ahead of api/form_defs.c */
			log_msg(LOG_ERROR, r->request_id, "form %s: row %d has a value api/form_defs.c does not know", code, i);
			app_error_set(&r->err, 500, "The form could not be counted.");
			goto out;
		}
		form_tally(def, &f, a->cells);
	}
	if (format == TABULAR_JSON) {
		form_json(r->out, a);
		rc = 0;
		goto out;
	}
	char name[64];
	snprintf(name, sizeof name, "bieu-%s-%lld-unit-%lld", code, year, unit);
	char sheet[16];
	snprintf(sheet, sizeof sheet, "Biểu %s", code);
	rc = tabular_answer(r, format, 2 + def->ncols, form_table, a, name, sheet);
out:
	free(a);
	PQclear(found);
	PQclear(res);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/stats/forms/{code}", stat_form, ROUTE_OWN_TYPES | ROUTE_QUERY, NULL},
};

const struct api_module stat_forms_module = {.name = "stat_forms", WITH(routes, routes), WITH(stmts, stmts)};
