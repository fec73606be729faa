/* POST /v1/reports/batch — up to 1,000 reports from a national system (API.md "Reports"): a JSON
 * array or NDJSON, each item a report as POST /v1/reports takes it (the descriptor's own fields
 * and checks, api/reports.c) plus `upsert` and `submit`. All or nothing: every item is checked
 * before anything is written, in one transaction; errors name items as "[index].field". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/batch.h"
#include "api/report_rules.h"
#include "api/reports.h"
#include "lib/jsonin.h"

#define BATCH_MAX 1000
/* JSON values a batch may hold: each report's fields and figures, twice over for keys; a body
 * of more is refused before jansson allocates one value for each */
#define BATCH_MAX_VALUES ((size_t)BATCH_MAX * (2 * REPORT_VALUES_MAX + 32))

/* the items of $1 whose unit does not exist, or lies outside the subtree of $2 (NULL: anywhere is
 * fine): (index, unit, exists) */
DB_STMT(report_batch_units, "SELECT x.i, x.unit_id, u.id IS NOT NULL FROM jsonb_to_recordset($1::jsonb) AS x(i int, unit_id bigint)"
	" LEFT JOIN units u ON u.id = x.unit_id"
	" WHERE u.id IS NULL OR $2::bigint IS NOT NULL AND NOT tdkt_unit_within(x.unit_id, $2)"
	" ORDER BY x.i");
/* the reports the items $1 name that exist already, locked: (index, id, status) */
DB_STMT(report_batch_existing, "SELECT x.i, r.id, r.status FROM jsonb_to_recordset($1::jsonb) AS x(i int, unit_id bigint, year int, span text)"
	" JOIN reports r ON r.unit_id = x.unit_id AND r.year = x.year AND r.span = x.span"
	" ORDER BY r.id FOR UPDATE OF r");
/* Every item created or (upsert) replaced: (index, id, created, status) in the items' order. An
 * item without upsert is a plain insert, so that a report another request made since the check
 * above is a unique violation (409), never replaced; an upsert replaces only a draft or returned
 * report (a row it skips makes the count short: 409 too). */
#define BATCH_ITEMS "SELECT * FROM jsonb_to_recordset($1::jsonb)" \
	"  AS x(i int, unit_id bigint, year int, span text, \"values\" jsonb, note text, narrative text, upsert boolean, submit boolean)"
#define BATCH_INSERT                                                                                       \
	"INSERT INTO reports AS r (unit_id, year, span, figures, note, narrative, status, submitted_at, submitted_by)" \
	"  SELECT unit_id, year, span, \"values\", normalize(note, NFC), normalize(narrative, NFC),"          \
	"   CASE WHEN submit THEN 'submitted' ELSE 'draft' END, CASE WHEN submit THEN now() END,"             \
	"   CASE WHEN submit THEN $2::bigint END"
#define BATCH_RETURNING " RETURNING r.id, r.unit_id, r.year, r.span, r.status, r.version = 1 AS created"
DB_STMT(report_batch_write, "WITH x AS (" BATCH_ITEMS "),"
	" fresh AS (" BATCH_INSERT " FROM x WHERE NOT upsert ORDER BY i" BATCH_RETURNING "),"
	" replaced AS (" BATCH_INSERT " FROM x WHERE upsert ORDER BY i"
	"  ON CONFLICT (unit_id, year, span) DO UPDATE SET figures = EXCLUDED.figures, note = EXCLUDED.note,"
	"   narrative = EXCLUDED.narrative,"
	"   status = CASE WHEN EXCLUDED.status = 'submitted' THEN 'submitted' ELSE r.status END,"
	"   submitted_at = coalesce(EXCLUDED.submitted_at, r.submitted_at),"
	"   submitted_by = coalesce(EXCLUDED.submitted_by, r.submitted_by),"
	"   version = r.version + 1, updated_at = now()"
	"  WHERE r.status IN ('draft', 'returned')" BATCH_RETURNING ")"
	" SELECT x.i, w.id, w.created, w.status FROM (SELECT * FROM fresh UNION ALL SELECT * FROM replaced) AS w"
	" JOIN x USING (unit_id, year, span) ORDER BY x.i");
/* this transaction imports: row-level security lets an integration reach its subtree's drafts */
DB_STMT(report_batch_importing, "SELECT set_config('tdkt.importing', 'on', true)");
static const struct db_stmt *const stmts[] = {&sql_report_batch_units, &sql_report_batch_existing, &sql_report_batch_write,
					      &sql_report_batch_importing};

/* every item decoded and checked as POST /v1/reports would, into the JSON the statements take:
 * [{"i", "unit_id", "year", "span", "values", "note", "narrative", "upsert", "submit"}] */
static bool decode_items(struct req *r, json_t *items, struct buf *out)
{
	size_t nspecs, i;
	const struct jfield *specs = crud_create_specs(reports_resource(), &nspecs);
	json_t *item;
	buf_putc(out, '[');
	json_array_foreach(items, i, item) {
		struct jvalue v[CRUD_MAX_FIELDS];
		bool upsert = false, submit = false;
		char name[64];
		if (!json_is_object(item)) {
			snprintf(name, sizeof name, "[%zu]", i);
			app_error_field(&r->err, name, "type", "each report is an object");
			continue;
		}
		if (!batch_flag(r, item, i, "upsert", &upsert) || !batch_flag(r, item, i, "submit", &submit) ||
		    !jin_decode_item(item, "", i, specs, nspecs, v, &r->err))
			continue;
		struct buf values;
		buf_init(&values);
		snprintf(name, sizeof name, "[%zu].values", i);
		bool ok = v[REPORT_VALUES].present ? reports_encode_values(&r->err, name, v[REPORT_VALUES].list, &values)
						   : (buf_puts(&values, "{}"), true);
		json_error_t jerr;
		json_t *stored = ok && submit ? json_loadb(values.data, values.len, 0, &jerr) : NULL;
		snprintf(name, sizeof name, "[%zu].", i);
		if (stored)
			ok = report_rules_check(stored, name, &r->err);
		json_decref(stored);
		const char *span = v[REPORT_SPAN].present ? v[REPORT_SPAN].str : "year";
		/* the same (unit, year, span) twice would have the second silently win */
		for (size_t j = 0; ok && j < i; j++) {
			json_t *o = json_array_get(items, j);
			json_t *ospan = json_object_get(o, "span");
			if (json_integer_value(json_object_get(o, "unit_id")) == v[REPORT_UNIT].num &&
			    json_integer_value(json_object_get(o, "year")) == v[REPORT_YEAR].num &&
			    strcmp(json_is_string(ospan) ? json_string_value(ospan) : "year", span) == 0) {
				snprintf(name, sizeof name, "[%zu].span", i);
				ok = app_error_field(&r->err, name, "duplicate", "item %zu is the same report (unit, year, span)", j);
			}
		}
		if (ok) {
			buf_printf(out, "%s{\"i\":%zu,\"unit_id\":%lld,\"year\":%lld,\"span\":", i ? "," : "", i,
				   v[REPORT_UNIT].num, v[REPORT_YEAR].num);
			buf_json_cstr(out, span);
			buf_puts(out, ",\"values\":");
			buf_append(out, values.data, values.len);
			buf_puts(out, ",\"note\":");
			buf_json_cstr(out, v[REPORT_NOTE].present ? v[REPORT_NOTE].str : NULL);
			buf_puts(out, ",\"narrative\":");
			buf_json_cstr(out, v[REPORT_NARRATIVE].present ? v[REPORT_NARRATIVE].str : NULL);
			buf_printf(out, ",\"upsert\":%s,\"submit\":%s}", upsert ? "true" : "false", submit ? "true" : "false");
		}
		buf_free(&values);
	}
	buf_putc(out, ']');
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.status == 0;
}

/* each item's unit exists (422) and is the caller's to send (403) */
static bool check_units(struct req *r, const char *items)
{
	struct db_params p = {.n = 0};
	db_param(&p, items);
	/* a role that may send anywhere needs no walk up the tree */
	bool everywhere = permission(r->caller.role, ACT_IMPORT_REPORTS, REL_OUTSIDE);
	db_param_int_if(&p, !everywhere, r->caller.unit_id);
	PGresult *res = req_run(r, &sql_report_batch_units, &p);
	if (!res)
		return false;
	int outside = -1;
	for (int k = 0; k < PQntuples(res); k++) {
		char name[64];
		snprintf(name, sizeof name, "[%s].unit_id", PQgetvalue(res, k, 0));
		if (PQgetvalue(res, k, 2)[0] != 't')
			app_error_field(&r->err, name, "not_found", "unit %s does not exist", PQgetvalue(res, k, 1));
		else if (outside < 0)
			outside = k;
	}
	/* a unit that does not exist is the body's mistake; then the right over the others */
	if (r->err.nfields == 0 && outside >= 0)
		app_error_set(&r->err, 403, "Your role (%s) may not send reports of unit %s (item %s), outside your unit's subtree.",
			      role_name(r->caller.role), PQgetvalue(res, outside, 1), PQgetvalue(res, outside, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

/* reports that exist already: replaced only when asked to and still a draft or returned (409) */
static bool check_existing(struct req *r, json_t *items, const char *stored)
{
	const char *params[] = {stored};
	PGresult *res = db_run(r->db, &sql_report_batch_existing, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int k = 0; k < PQntuples(res); k++) {
		size_t i = (size_t)strtoll(PQgetvalue(res, k, 0), NULL, 10);
		const char *id = PQgetvalue(res, k, 1), *status = PQgetvalue(res, k, 2);
		char name[64];
		snprintf(name, sizeof name, "[%zu].span", i);
		bool upsert = json_is_true(json_object_get(json_array_get(items, i), "upsert"));
		if (r->err.status == 0)
			app_error_set(&r->err, 409, "Some reports exist already and cannot be replaced; nothing was written.");
		if (!upsert)
			app_error_field(&r->err, name, "duplicate", "report %s has this unit, year and span (upsert: true replaces a draft)", id);
		else if (strcmp(status, "draft") != 0 && strcmp(status, "returned") != 0)
			app_error_field(&r->err, name, "not_editable", "report %s is %s; only drafts and returned reports are replaced", id, status);
		else if (r->err.nfields == 0)
			r->err.status = 0;
	}
	PQclear(res);
	return r->err.status == 0;
}

static bool importing(struct req *r)
{
	PGresult *res = db_run(r->db, &sql_report_batch_importing, 0, NULL, NULL, &r->err);
	PQclear(res);
	return res != NULL;
}

/* in the write transaction: this transaction imports, the units, the figures, what exists */
static bool check_items(struct req *r, json_t *stored_items, const char *stored)
{
	return importing(r) && check_units(r, stored) && reports_check_catalogue(r, stored, true) &&
	       check_existing(r, stored_items, stored);
}

static const struct batch_kind kind = {
	"reports", BATCH_MAX, BATCH_MAX_VALUES, ACT_IMPORT_REPORTS, "may not send reports in a batch", decode_items, check_items,
	&sql_report_batch_write, true,
	/* submitted by another request since the check */
	"A report changed while the batch was written; nothing was written. Send it again.",
};

static int reports_batch(struct req *r)
{
	return batch_import(r, &kind, crud_write_explained(reports_resource()));
}

static const struct route routes[] = {
	{"POST", "/v1/reports/batch", reports_batch, ROUTE_BULK, NULL},
};

const struct api_module report_batch_module = {.name = "report_batch", WITH(routes, routes), WITH(stmts, stmts)};
