/* POST /v1/evaluations/{id}/ballots {"choices": [unit_id…]}: a member unit's secret ballot, cast by
 * its own officers or authorities while the evaluation is voting: once per unit (409 on a second),
 * distinct members, at most max_choices (none is a blank ballot). Who voted is kept; what it
 * chose is kept apart with nothing of the voter, and sealed at close (sql/0018_evaluations.sql:
 * the threat model is in README "Secret ballots"). The body is never kept — the route is
 * ROUTE_SECRET, so no Idempotency-Key replay stores it — and never logged; the answer does not
 * repeat it. */
#include <stdlib.h>
#include <string.h>
#include "api/evaluations.h"
#include "api/write.h"

#define BALLOT_MAX_CHOICES 100

DB_STMT(ballots_voter, "INSERT INTO evaluation_voters (evaluation_id, unit_id) VALUES ($1, $2)");
/* one row per choice, in unit order whatever the ballot's order */
DB_STMT(ballots_choices, "INSERT INTO evaluation_ballot_choices (evaluation_id, unit_id)"
	" SELECT $1, c FROM unnest($2::bigint[]) AS c ORDER BY c");
/* who voted, never for whom, in the audit trail and the change feed */
DB_STMT(ballots_audit, "SELECT tdkt_record_custom('evaluation', $1, 'update',"
	" jsonb_build_object('ballot', jsonb_build_object('old', NULL, 'new', jsonb_build_object('voter_unit_id', $2::bigint))),"
	" '{\"name\": \"ballots\"}'), (SELECT count(*) FROM evaluation_voters WHERE evaluation_id = $1)");
static const struct db_stmt *const stmts[] = {&sql_ballots_voter, &sql_ballots_choices, &sql_ballots_audit};

static const struct db_constraint once[] = {
	{"evaluation_voters_pkey", "voter_unit_id", "already_voted", "the unit has already voted in this evaluation", 409},
};
static const struct db_explain once_why = {once, 1, false};

static const struct jfield ballot_fields[] = {
	{"choices", JF_ID_LIST, JF_REQUIRED, 0, BALLOT_MAX_CHOICES, NULL, NULL, NULL},
};

static int by_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* the choices as "{3,5,8}", sorted; 422 for a duplicate, a non-member or too many */
static bool encode_choices(struct req *r, const struct evaluation *ev, json_t *list, struct buf *out)
{
	size_t n = json_array_size(list);
	if (n > (size_t)ev->max_choices)
		return app_error_field(&r->err, "choices", "too_many", "a ballot names at most %d units", ev->max_choices);
	long long ids[BALLOT_MAX_CHOICES] = {0};
	for (size_t i = 0; i < n; i++)
		ids[i] = (long long)json_integer_value(json_array_get(list, i));
	qsort(ids, n, sizeof ids[0], by_id);
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			app_error_field(&r->err, "choices", "duplicate", "unit %lld is named twice", ids[i]);
		else if (!evaluation_member(ev, ids[i]))
			app_error_field(&r->err, "choices", "not_member", "unit %lld is not a member of the cluster in %lld", ids[i],
					ev->year);
		if (i)
			buf_putc(out, ',');
		buf_json_int(out, ids[i]);
	}
	buf_putc(out, '}');
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

static int cast(struct req *r)
{
	json_t *body = NULL;
	struct evaluation ev = {0};
	struct db_conn *db;
	struct jvalue v[1];
	struct buf choices;
	char id[24], voter[24];
	PGresult *res = NULL;
	int rc = -1;
	long long unit = r->caller.unit_id;
	buf_init(&choices);
	if (!authz_role_may(r, ACT_SCORE_VOTE)) {
		req_fail(r, 403, "Your role (%s) does not vote in evaluations.", role_name(r->caller.role));
		goto out;
	}
	/* the evaluation locked for update, not shared: a ballot moves its version on (ballots_cast,
	 * sql/0034), and two voters holding it shared would each wait for the other to update it */
	if (!req_json(r, false, &body) || !jin_decode(body, ballot_fields, 1, false, v, &r->err) || !write_begin(r, &db) ||
	    !evaluation_load(r, db, EVAL_UPDATE, &ev))
		goto out;
	/* the caller's unit votes, if it is a member that year */
	if (!evaluation_member(&ev, unit)) {
		req_fail(r, 403, "Your unit is not a member of the cluster in %lld: it does not vote.", ev.year);
		goto out;
	}
	if (!evaluation_in(r, &ev, "voting", "ballots are cast") || !encode_choices(r, &ev, v[0].list, &choices))
		goto out;
	const char *params[] = {id_text(ev.id, id), id_text(unit, voter)};
	const char *chosen[] = {id, choices.data};
	/* The choices last: each choice's foreign-key check takes a command id, so a row written
	 * after them would carry, in its cmin, how many units the ballot names. The audit entry and
	 * the change, which name the voter and outlive the close, are written before them. */
	if (!(res = db_run(db, &sql_ballots_voter, 2, params, &once_why, &r->err)))
		goto out;
	PQclear(res);
	if (!(res = db_run(db, &sql_ballots_audit, 2, params, NULL, &r->err)))
		goto out;
	PGresult *choice_rows = db_run(db, &sql_ballots_choices, 2, chosen, NULL, &r->err);
	if (!choice_rows)
		goto out;
	PQclear(choice_rows);
	if (!db_commit(db, &r->err))
		goto out;
	r->status = 201;
	BUF_CAT(r->out, "{\"evaluation_id\":", id, ",\"voter_unit_id\":", voter, ",\"ballots_cast\":",
		PQgetvalue(res, 0, 1), "}");
	rc = 0;
out:
	PQclear(res);
	buf_free(&choices);
	evaluation_free(&ev);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"POST", "/v1/evaluations/{id}/ballots", cast, ROUTE_SECRET, NULL},
};

const struct api_module evaluation_ballots_module = {.name = "evaluation_ballots", WITH(routes, routes), WITH(stmts, stmts)};
