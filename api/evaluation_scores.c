/* An evaluation's score sheets, each replaced as a whole while it is scoring:
 *   PUT /v1/evaluations/{id}/scores/{scorer_unit_id}  [{target_unit_id, criterion_code, points}]
 *     a member's points for members (itself too: its self-score) on qualitative criteria, given
 *     by the member's own officers and authorities (ACT_SCORE_VOTE over the scorer);
 *   PUT /v1/evaluations/{id}/adjustments  [{unit_id, criterion_code, points, reason}]
 *     bonus and penalty points with their reasons, given by the evaluation's runners.
 * Each has its GET. Before close, a unit's sheet is its own unit's (and admins') to read, as
 * results are hidden until then; adjustments are the runners'. After close, anyone's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/evaluation_scoring.h"
#include "api/evaluations.h"
#include "api/write.h"

#define SHEET_MAX_ITEMS 12000 /* 60 members × 200 criteria */

DB_STMT(scores_read, "SELECT coalesce(jsonb_agg(jsonb_build_object('target_unit_id', target_unit_id,"
	" 'criterion_code', criterion_code, 'points', points) ORDER BY target_unit_id, criterion_code), '[]')"
	" FROM evaluation_scores WHERE evaluation_id = $1 AND scorer_unit_id = $2");
DB_STMT(scores_clear, "DELETE FROM evaluation_scores WHERE evaluation_id = $1 AND scorer_unit_id = $2");
DB_STMT(scores_insert, "INSERT INTO evaluation_scores (evaluation_id, scorer_unit_id, target_unit_id, criterion_code, points)"
	" SELECT $1, $2, x.target_unit_id, x.criterion_code, x.points"
	" FROM jsonb_to_recordset($3::jsonb) AS x(target_unit_id bigint, criterion_code text, points numeric)");
DB_STMT(adjustments_read, "SELECT coalesce(jsonb_agg(jsonb_build_object('unit_id', unit_id, 'criterion_code',"
	" criterion_code, 'points', points, 'reason', reason) ORDER BY unit_id, criterion_code), '[]')"
	" FROM evaluation_adjustments WHERE evaluation_id = $1 AND $2::bigint IS NULL");
DB_STMT(adjustments_clear, "DELETE FROM evaluation_adjustments WHERE evaluation_id = $1 AND $2::bigint IS NULL");
DB_STMT(adjustments_insert, "INSERT INTO evaluation_adjustments (evaluation_id, unit_id, criterion_code, points, reason)"
	" SELECT $1, x.unit_id, x.criterion_code, x.points, normalize(x.reason, NFC)"
	" FROM jsonb_to_recordset($3::jsonb) AS x(unit_id bigint, criterion_code text, points numeric, reason text)"
	" WHERE $2::bigint IS NULL");
/* the sheet's change in the audit trail, under the evaluation; the change feed names the list */
DB_STMT(sheets_audit, "SELECT tdkt_record_custom('evaluation', $1, 'update', jsonb_build_object($2::text,"
	" jsonb_build_object('old', $3::jsonb, 'new', $4::jsonb)), jsonb_build_object('name', $5::text))");
static const struct db_stmt *const stmts[] = {&sql_scores_read, &sql_scores_clear, &sql_scores_insert,
					      &sql_adjustments_read, &sql_adjustments_clear, &sql_adjustments_insert,
					      &sql_sheets_audit};

enum { I_UNIT, I_CODE, I_POINTS, I_REASON };

static const struct jfield score_fields[] = {
	[I_UNIT] = {"target_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[I_CODE] = {"criterion_code", JF_STRING, JF_REQUIRED, 2, CRITERION_CODE_MAX, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[I_POINTS] = {"points", JF_NUMBER, JF_REQUIRED, 0, 10000, NULL, NULL, NULL},
};
static const struct jfield adjustment_fields[] = {
	[I_UNIT] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[I_CODE] = {"criterion_code", JF_STRING, JF_REQUIRED, 2, CRITERION_CODE_MAX, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[I_POINTS] = {"points", JF_NUMBER, JF_REQUIRED, 0, 10000, NULL, NULL, NULL},
	[I_REASON] = {"reason", JF_TEXT, JF_REQUIRED, 1, 500, NULL, NULL, NULL},
};

/* one kind of sheet */
struct sheet {
	const char *list;                     /* "scores": the answer's and the audit's name */
	const struct jfield *items;
	int nitems;
	const char *kinds;                    /* the criteria kinds it gives points to */
	const struct db_stmt *read, *clear, *insert;
};

static const struct sheet scores = {"scores", score_fields, 3, "qualitative", &sql_scores_read, &sql_scores_clear,
				    &sql_scores_insert};
static const struct sheet adjustments = {"adjustments", adjustment_fields, 4, "bonus or penalty",
					 &sql_adjustments_read, &sql_adjustments_clear, &sql_adjustments_insert};

static bool kind_fits(const struct sheet *s, enum criterion_kind kind)
{
	return s == &scores ? kind == CK_QUALITATIVE : (kind == CK_BONUS || kind == CK_PENALTY);
}

struct key {
	long long unit;
	int criterion;
	int item;
};

static int by_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	if (x->criterion != y->criterion)
		return x->criterion < y->criterion ? -1 : 1;
	return x->item - y->item;
}

static void item_field(char out[64], size_t i, const char *name)
{
	snprintf(out, 64, "[%zu].%s", i, name);
}

/* the items decoded and checked against the evaluation, into their stored JSON */
static bool encode_items(struct req *r, const struct sheet *s, const struct evaluation *ev, json_t *body, struct buf *out)
{
	size_t n = json_array_size(body), i;
	struct key *keys = calloc(n + 1, sizeof *keys);
	if (!keys)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	size_t nkeys = 0;
	json_t *item;
	char field[64];
	buf_putc(out, '[');
	json_array_foreach(body, i, item) {
		struct jvalue v[4];
		if (!jin_decode_item(item, "", i, s->items, (size_t)s->nitems, v, &r->err))
			continue;
		if (!evaluation_member(ev, v[I_UNIT].num)) {
			item_field(field, i, s->items[I_UNIT].name);
			app_error_field(&r->err, field, "not_member", "unit %lld is not a member of the cluster in %lld",
					v[I_UNIT].num, ev->year);
		}
		char code[CRITERION_CODE_MAX + 1];
		snprintf(code, sizeof code, "%.*s", (int)v[I_CODE].len, v[I_CODE].str);
		int c = criteria_find(ev->criteria, code);
		long long points = 0;
		item_field(field, i, "criterion_code");
		if (c < 0 || !kind_fits(s, ev->criteria->node[c].kind)) {
			app_error_field(&r->err, field, "not_found", "the criteria have no %s criterion %s", s->kinds, code);
		} else if (!decimal_hundredths(v[I_POINTS].number, &points) || points > ev->criteria->node[c].max) {
			item_field(field, i, "points");
			app_error_field(&r->err, field, "out_of_range", "points must be from 0 to %s, the criterion's maximum",
					ev->criteria->node[c].max_text);
		} else {
			keys[nkeys++] = (struct key){v[I_UNIT].num, c, (int)i};
		}
		BUF_CAT(out, i ? ",{\"" : "{\"", s->items[I_UNIT].name, "\":");
		buf_json_int(out, v[I_UNIT].num);
		buf_puts(out, ",\"criterion_code\":");
		buf_json_cstr(out, code);
		BUF_CAT(out, ",\"points\":", v[I_POINTS].number);
		if (s->nitems > I_REASON) {
			buf_puts(out, ",\"reason\":");
			buf_json_str(out, v[I_REASON].str, v[I_REASON].len);
		}
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	/* one entry per unit and criterion */
	qsort(keys, nkeys, sizeof *keys, by_key);
	for (size_t k = 1; k < nkeys; k++)
		if (keys[k].unit == keys[k - 1].unit && keys[k].criterion == keys[k - 1].criterion) {
			item_field(field, (size_t)keys[k].item, "criterion_code");
			app_error_field(&r->err, field, "duplicate", "[%d] and [%d] are for the same unit and criterion",
					keys[k - 1].item, keys[k].item);
		}
	free(keys);
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

/* {"evaluation_id": …, ["scorer_unit_id": …,] "items": […]} */
static void answer(struct req *r, const struct evaluation *ev, const char *scorer, const char *items)
{
	buf_puts(r->out, "{\"evaluation_id\":");
	buf_json_int(r->out, ev->id);
	if (scorer)
		BUF_CAT(r->out, ",\"scorer_unit_id\":", scorer);
	BUF_CAT(r->out, ",\"items\":", items, "}");
}

/* may the caller read this sheet: after close anyone; before, a score sheet its own unit's and
 * admins' only — the leader unit runs the evaluation but competes in it too — and the bonus and
 * penalty points the runners' who give them */
static bool may_read(struct req *r, const struct evaluation *ev, long long scorer)
{
	if (strcmp(ev->status, "closed") == 0 || r->caller.role == ROLE_ADMIN)
		return true;
	if (scorer > 0) {
		if (scorer == r->caller.unit_id && authz_role_may(r, ACT_SCORE_VOTE))
			return true;
		return app_error_set(&r->err, 403, "Until evaluation %lld is closed, a score sheet is read by its own unit only.",
				     ev->id);
	}
	if (!authz_require_cluster_year(r, ACT_RUN_EVALUATION, ev->cluster, ev->year, NULL))
		return app_error_set(&r->err, 403, "Until evaluation %lld is closed, its bonus and penalty points are read by "
					      "its runners only.", ev->id);
	return true;
}

static int sheet_get(struct req *r, const struct sheet *s)
{
	struct evaluation ev;
	struct db_conn *db;
	long long scorer = 0;
	char id[24], unit[24];
	if ((s == &scores && !req_path_id(r, "scorer_unit_id", &scorer)) || !req_db(r, &db) ||
	    !evaluation_load(r, db, EVAL_READ, &ev))
		return -1;
	int rc = -1;
	PGresult *res = NULL;
	const char *params[] = {id_text(ev.id, id), scorer ? id_text(scorer, unit) : NULL};
	if (scorer && !evaluation_member(&ev, scorer))
		req_fail(r, 404, "Unit %lld is not a member of the cluster in %lld: it has no score sheet.", scorer, ev.year);
	else if (may_read(r, &ev, scorer) && (res = db_run(db, s->read, 2, params, NULL, &r->err))) {
		answer(r, &ev, params[1], PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	evaluation_free(&ev);
	return rc;
}

static int sheet_put(struct req *r, const struct sheet *s)
{
	json_t *body = NULL;
	struct evaluation ev = {0};
	struct db_conn *db;
	struct buf items;
	long long scorer = 0;
	char id[24], unit[24];
	PGresult *old = NULL, *now = NULL, *res = NULL;
	int rc = -1;
	buf_init(&items);
	if ((s == &scores && !req_path_id(r, "scorer_unit_id", &scorer)) ||
	    !authz_role_may(r, s == &scores ? ACT_SCORE_VOTE : ACT_RUN_EVALUATION)) {
		if (r->err.status == 0)
			req_fail(r, 403, "Your role (%s) may not give points in evaluations.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json_array(r, SHEET_MAX_ITEMS, &body) || !write_begin(r, &db) || !evaluation_load(r, db, EVAL_SHARE, &ev))
		goto out;
	/* scores: the scorer's own unit, a member; adjustments: the runners */
	if (s == &scores) {
		if (!authz_require(r, ACT_SCORE_VOTE, scorer))
			goto out;
		if (!evaluation_member(&ev, scorer)) {
			req_fail(r, 403, "Unit %lld is not a member of the cluster in %lld: it does not score.", scorer, ev.year);
			goto out;
		}
	} else if (!authz_require_cluster_year(r, ACT_RUN_EVALUATION, ev.cluster, ev.year, NULL)) {
		goto out;
	}
	if (!evaluation_in(r, &ev, "scoring", "points are given") || !encode_items(r, s, &ev, body, &items))
		goto out;
	const char *params[] = {id_text(ev.id, id), scorer ? id_text(scorer, unit) : NULL, items.data};
	if (!(old = db_run(db, s->read, 2, params, NULL, &r->err)) || !(res = db_run(db, s->clear, 2, params, NULL, &r->err)))
		goto out;
	PQclear(res);
	if (!(res = db_run(db, s->insert, 3, params, NULL, &r->err)) || !(now = db_run(db, s->read, 2, params, NULL, &r->err)))
		goto out;
	PQclear(res);
	char name[48];
	snprintf(name, sizeof name, "%s%s%s", s->list, scorer ? "_by_" : "", scorer ? unit : "");
	const char *audit[] = {id, name, PQgetvalue(old, 0, 0), PQgetvalue(now, 0, 0), s->list};
	if (!(res = db_run(db, &sql_sheets_audit, 5, audit, NULL, &r->err)) || !db_commit(db, &r->err))
		goto out;
	answer(r, &ev, params[1], PQgetvalue(now, 0, 0));
	rc = 0;
out:
	PQclear(old);
	PQclear(now);
	PQclear(res);
	buf_free(&items);
	evaluation_free(&ev);
	json_decref(body);
	return rc;
}

static int scores_get(struct req *r)
{
	return sheet_get(r, &scores);
}

static int scores_put(struct req *r)
{
	return sheet_put(r, &scores);
}

static int adjustments_get(struct req *r)
{
	return sheet_get(r, &adjustments);
}

static int adjustments_put(struct req *r)
{
	return sheet_put(r, &adjustments);
}

static const struct route routes[] = {
	{"GET", "/v1/evaluations/{id}/scores/{scorer_unit_id}", scores_get, 0, NULL},
	{"PUT", "/v1/evaluations/{id}/scores/{scorer_unit_id}", scores_put, 0, NULL},
	{"GET", "/v1/evaluations/{id}/adjustments", adjustments_get, 0, NULL},
	{"PUT", "/v1/evaluations/{id}/adjustments", adjustments_put, 0, NULL},
};

const struct api_module evaluation_scores_module = {.name = "evaluation_scores", WITH(routes, routes), WITH(stmts, stmts)};
