/* /v1/reports — a unit's figures for a period, by base indicator of the catalogue, with a
 * narrative (API.md "Reports"). Officers and authorities write their subtree's while a draft or
 * returned; `submit` runs the catalogue's consistency rules; authorities accept or return the
 * reports of their descendants and of the members of clusters their subtree organises that year
 * (never their own unit's). Drafts and returned reports are their subtree's (and, returned, their
 * reviewers'): by the descriptor's scope, and again by row-level security (sql/0015_reports.sql).
 * The batch import is api/report_batch.c; totals are api/stats.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/crud.h"
#include "api/report_rules.h"
#include "api/reports.h"

const char *const report_spans[] = {"year", "h1", "h2", "q1", "q2", "q3", "q4", "9m", NULL};
const char *const report_statuses[] = {"draft", "submitted", "accepted", "returned", NULL};

static const struct field fields[] = {
	[REPORT_ID] = FIELD_ID,
	/* whose figures, of which year and span, does not change: another period is another report */
	[REPORT_UNIT] = {{"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
			 FR_OWNER | FR_FILTER | FR_SUBTREE | FR_CREATE_ONLY, NULL},
	[REPORT_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM,
			 FR_FILTER | FR_CREATE_ONLY | FR_PERIOD, NULL},
	[REPORT_SPAN] = {{"span", JF_ENUM, 0, 0, 0, report_spans, NULL, NULL}, NULL, COL_STR, FR_FILTER | FR_CREATE_ONLY,
			 "'year'"},
	[REPORT_VALUES] = {{"values", JF_OBJECT, 0, 0, REPORT_VALUES_MAX, NULL, NULL, NULL}, "figures", COL_JSON, 0, "'{}'"},
	[REPORT_NOTE] = {{"note", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	/* up to 100,000 characters: read with the report, not in lists of them */
	[REPORT_NARRATIVE] = {{"narrative", JF_TEXT, JF_NULLABLE, 0, 100000, NULL, NULL, NULL}, NULL, COL_STR,
			      FR_NFC | FR_DETAIL, NULL},
	[REPORT_STATUS] = {{"status", JF_ENUM, JF_READONLY, 0, 0, report_statuses, NULL, NULL}, NULL, COL_STR,
			   FR_STATE | FR_FILTER, NULL},
	{JF_RO("submitted_at"), NULL, COL_TIME, 0, NULL},
	{JF_RO("submitted_by"), NULL, COL_NUM, 0, NULL},
	{JF_RO("reviewed_at"), NULL, COL_TIME, 0, NULL},
	{JF_RO("reviewed_by"), NULL, COL_NUM, 0, NULL},
	{JF_RO("review_note"), NULL, COL_STR, FR_NFC, NULL},
	FIELDS_ROW_META,
};

static const struct db_constraint constraints[] = {
	{"reports_once", "span", "duplicate", "the unit already has a report for this year and span", 0},
	/* lengths are checked in C before NFC; a text that grows under it meets these */
	{"reports_note_length", "note", "too_long", "note is longer than 2000 characters in NFC", 0},
	{"reports_narrative_length", "narrative", "too_long", "narrative is longer than 100000 characters in NFC", 0},
	{"reports_review_note_length", "note", "too_long", "the note is longer than 2000 characters in NFC", 0},
};

/* every figure of each item of $1 that is no base indicator, or not a whole number where the
 * indicator counts or is in VND: (item index, code, problem) */
DB_STMT(reports_catalogue, "SELECT a.n - 1, x.key,"
	" CASE WHEN i.code IS NULL THEN 'not_found' WHEN i.kind <> 'base' THEN 'computed' ELSE 'not_integer' END"
	" FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(item, n)"
	" CROSS JOIN LATERAL jsonb_each(a.item -> 'values') AS x(key, value)"
	" LEFT JOIN indicators i ON i.code = x.key"
	" WHERE i.code IS NULL OR i.kind <> 'base' OR (i.unit IN ('count', 'vnd') AND (x.value::text)::numeric % 1 <> 0)"
	" ORDER BY a.n, x.key");
static const struct db_stmt *const stmts[] = {&sql_reports_catalogue};

bool reports_encode_values(struct app_error *err, const char *field, json_t *values, struct buf *out)
{
	const char *code;
	json_t *value;
	bool ok = true;
	buf_putc(out, '{');
	int n = 0;
	json_object_foreach(values, code, value) {
		if (!snake_code_ok(code, strlen(code))) {
			ok = app_error_field(err, field, "indicator_code", "each key of %s " SNAKE_CODE_DESC, field);
			continue;
		}
		const struct jfield spec = {code, JF_NUMBER, JF_REQUIRED, 0, REPORT_VALUE_MAX, NULL, NULL, NULL};
		struct jvalue v;
		json_t *one = json_object();
		if (!one || json_object_set(one, code, value) != 0) {
			json_decref(one);
			return app_error_set(err, 503, "The service is short of memory.");
		}
		bool decoded = jin_decode_at(one, field, &spec, 1, &v, err);
		json_decref(one);
		if (!decoded) {
			ok = false;
			continue;
		}
		if (n++)
			buf_putc(out, ',');
		buf_json_cstr(out, code);
		buf_putc(out, ':');
		buf_puts(out, v.number);
	}
	buf_putc(out, '}');
	return ok;
}

bool reports_check_catalogue(struct req *r, const char *items, bool prefix)
{
	const char *params[] = {items};
	PGresult *res = db_run(r->db, &sql_reports_catalogue, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		char name[160];
		const char *code = PQgetvalue(res, i, 1), *problem = PQgetvalue(res, i, 2);
		if (prefix)
			snprintf(name, sizeof name, "[%s].values.%s", PQgetvalue(res, i, 0), code);
		else
			snprintf(name, sizeof name, "values.%s", code);
		if (strcmp(problem, "not_found") == 0)
			app_error_field(&r->err, name, problem, "the catalogue has no indicator %s", code);
		else if (strcmp(problem, "computed") == 0)
			app_error_field(&r->err, name, problem, "%s is a ratio, computed from its parts and never reported", code);
		else
			app_error_field(&r->err, name, problem, "%s is counted or in VND: a whole number", code);
	}
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static bool encode(struct req *r, int field, const struct jvalue *v, struct buf *out)
{
	return field != REPORT_VALUES || reports_encode_values(&r->err, "values", v->list, out);
}

/* the figures as stored name base indicators, whole where they must be */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	(void)cur;
	if (!v[REPORT_VALUES].present)
		return true;
	struct buf items;
	buf_init(&items);
	BUF_CAT(&items, "[{\"values\":", v[REPORT_VALUES].str, "}]");
	bool ok = buf_ok(&items) ? reports_check_catalogue(r, items.data, false)
				 : app_error_set(&r->err, 503, "The service is short of memory.");
	buf_free(&items);
	return ok;
}

static const struct resource reports;

/* submit: the figures as stored keep the catalogue's rules; the submitter and reviewer are the
 * acting user; a return says why */
static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
		      struct action_result *out)
{
	out->set[0] = id_text(r->caller.user_id, out->text[0]);
	if (strcmp(a->name, "return") == 0)
		out->set[1] = body[0].str;
	if (strcmp(a->name, "submit") != 0)
		return true;
	json_error_t jerr;
	json_t *values = json_loads(crud_cur(&reports, cur, REPORT_VALUES), 0, &jerr);
	if (!values)
		return app_error_set(&r->err, 500, "An internal error occurred.");
	bool ok = report_rules_check(values, "", &r->err);
	json_decref(values);
	return ok;
}

/* what to supplement or correct: not blank (lib/jsonin) */
static const struct jfield return_fields[] = {
	{"note", JF_TEXT, JF_REQUIRED, 1, 2000, NULL, NULL, NULL},
};
static const char *const editable[] = {"draft", "returned", NULL};
static const char *const drafts[] = {"draft", NULL};
static const char *const submitted[] = {"submitted", NULL};
static const char *const submitter[] = {"submitted_by", NULL};
/* an acceptance clears the note of an earlier return */
static const char *const reviewer[] = {"reviewed_by", "review_note", NULL};
static const struct state_action actions[] = {
	{.name = "submit", .from = editable, .to = "submitted", .sets = submitter, .stamp = "submitted_at"},
	{.name = "accept", .from = submitted, .to = "accepted", .right = ACT_REVIEW_REPORT, .sets = reviewer,
	 .stamp = "reviewed_at"},
	{.name = "return", .from = submitted, .to = "returned", .right = ACT_REVIEW_REPORT, WITH(body, return_fields),
	 .sets = reviewer, .stamp = "reviewed_at"},
};
/* cluster_id: the units that are members of it in the report's year */
static const struct filter filters[] = {
	{{"cluster_id", NULL}, {JF_ID, JF_ID}, 0, 0,
	 "EXISTS (SELECT 1 FROM cluster_members m WHERE m.cluster_id = $1 AND m.unit_id = t.unit_id AND m.year = t.year)", NULL},
};
static const struct resource_hooks hooks = {.encode = encode, .before_write = before_write, .on_action = on_action};

static const struct resource reports = {
	RESOURCE("reports", "/v1/reports", "Report"), WITH(fields, fields), .entity = "report",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read reports but not write them",
	WITH(filters, filters), WITH(constraints, constraints), .hooks = &hooks,
	.editable = editable, .deletable = drafts, WITH(actions, actions),
	/* drafts: the unit's subtree and admins; returned: also its reviewers; integrations read
	 * neither (sql/0015) */
	.scope = "t.status IN ('submitted', 'accepted') OR tdkt_actor_reaches(t.unit_id)"
		 " OR t.status = 'returned' AND tdkt_actor_reviews(t.unit_id, t.year)",
};

const struct resource *reports_resource(void)
{
	return &reports;
}

static const struct fk_fact facts[] = {
	{"reports_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has reports"},
	/* sql/0015: a trigger, as a foreign key cannot look inside the figures */
	{"reports_figures_indicator", "values", "values names an indicator that does not exist",
	 "reports give figures of this indicator"},
};

const struct api_module reports_module = {.name = "reports", WITH(stmts, stmts), .resource = &reports,
	WITH(facts, facts)};
