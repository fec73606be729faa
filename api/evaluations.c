/* /v1/evaluations — a cluster's yearly bình xét (API.md "Evaluations"): draft → scoring → voting →
 * closed, run by the cluster-year's leader unit, the organiser's authorities or admins (a
 * relation of the permission model: api/authz.c REL_LEADER, asked through FR_CLUSTER). The
 * criteria tree is read and checked by api/evaluation_criteria.c and stored in its one form;
 * scores, ballots and results have their own modules (api/evaluations.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/dossiers.h"
#include "api/evaluation_scoring.h"
#include "api/evaluations.h"

static const char *const statuses[] = {"draft", "scoring", "voting", "closed", NULL};

static const struct field fields[EV_FIELDS] = {
	[EV_ID] = FIELD_ID,
	/* whose evaluation, of which year: one per cluster-year, fixed once made */
	[EV_CLUSTER] = {{"cluster_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
			FR_CLUSTER | FR_FILTER | FR_CREATE_ONLY, NULL},
	[EV_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM,
		     FR_PERIOD | FR_FILTER | FR_CREATE_ONLY, NULL},
	[EV_CAMPAIGN] = {{"campaign_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[EV_TITLE] = {{"title", JF_TEXT, JF_REQUIRED, 1, 300, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[EV_MEETING] = {{"meeting_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[EV_HOST] = {{"host_unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	/* up to 200 nodes: read with the evaluation, not in lists of them */
	[EV_CRITERIA] = {{"criteria", JF_ARRAY, 0, 0, CRITERIA_MAX_NODES, NULL, NULL, NULL}, NULL, COL_JSON,
			 FR_NFC | FR_DETAIL, "'[]'"},
	[EV_MAX_CHOICES] = {{"max_choices", JF_INT, 0, 1, 100, NULL, NULL, NULL}, NULL, COL_NUM, 0, "3"},
	[EV_THRESHOLD] = {{"vote_threshold_pct", JF_NUMBER, 0, 0, 100, NULL, NULL, NULL}, NULL, COL_NUM, 0, "50"},
	[EV_STATUS] = {{"status", JF_ENUM, JF_READONLY, 0, 0, statuses, NULL, NULL}, NULL, COL_STR,
		       FR_STATE | FR_FILTER, NULL},
	[EV_BALLOTS] = {JF_RO("ballots_cast"),
			"(SELECT count(*) FROM evaluation_voters v WHERE v.evaluation_id = t.id)", COL_NUM, 0, NULL},
	[EV_CLOSED_AT] = {JF_RO("closed_at"), NULL, COL_TIME, 0, NULL},
	[EV_VERSION] = {{"version", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_VERSION, NULL},
	[EV_CREATED] = {{"created_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, 0, NULL},
	[EV_UPDATED] = {{"updated_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, FR_UPDATED, NULL},
};

static const struct db_constraint constraints[] = {
	{"evaluations_cluster_year_key", "year", "duplicate", "the cluster already has an evaluation for this year", 0},
	{"evaluations_title_length", "title", "too_long", "title is longer than 300 characters in NFC", 0},
};

static const struct fk_fact facts[] = {
	{"evaluations_cluster_fkey", "cluster_id", "cluster_id does not name an existing cluster", "the cluster has evaluations"},
	{"evaluations_campaign_fkey", "campaign_id", "campaign_id does not name an existing campaign",
	 "the campaign has evaluations"},
	{"evaluations_host_unit_fkey", "host_unit_id", "host_unit_id does not name an existing unit",
	 "the unit hosts evaluations"},
	{"evaluation_scores_scorer_fkey", "scorer_unit_id", "the scorer does not exist", "the unit scored in evaluations"},
	{"evaluation_scores_target_fkey", "target_unit_id", "target_unit_id does not name an existing unit",
	 "the unit was scored in evaluations"},
	{"evaluation_adjustments_unit_fkey", "unit_id", "unit_id does not name an existing unit",
	 "the unit has evaluation points"},
	{"evaluation_voters_unit_fkey", "unit_id", "the voter does not exist", "the unit voted in evaluations"},
	{"evaluation_votes_unit_fkey", "unit_id", "the unit does not exist", "the unit has votes in evaluations"},
};

/* sql/0018: a trigger, as members change in the clusters' own requests (PUT, rollover) */
static const struct db_constraint refusals[] = {
	{"evaluations_members_fixed", "members", "fixed", "the cluster-year's evaluation has opened: its members are fixed", 409},
};

/* the campaign, if any, runs in the cluster */
DB_STMT(evaluations_campaign_cluster, "SELECT 1 FROM campaign_clusters WHERE campaign_id = $1 AND cluster_id = $2");
/* the criteria's indicators the catalogue does not have, and those a fixed leaf would count that
 * are no count (a ratio, an amount): (code, problem) */
DB_STMT(evaluations_unknown_indicators, "SELECT DISTINCT j #>> '{}', 'not_found'"
	" FROM jsonb_path_query($1::jsonb, '$.**.indicator_code') j"
	" WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = j #>> '{}')"
	" UNION SELECT DISTINCT j #>> '{}', 'not_a_count'"
	" FROM jsonb_path_query($1::jsonb, '$.** ? (@.kind == \"fixed\").indicator_code') j"
	" JOIN indicators i ON i.code = j #>> '{}' WHERE i.kind <> 'base' OR i.unit <> 'count' ORDER BY 1");
DB_STMT(evaluations_load, "SELECT cluster_id, year, campaign_id, status, max_choices, vote_threshold_pct, criteria, title"
	" FROM evaluations WHERE id = $1");
DB_STMT(evaluations_load_share, "SELECT cluster_id, year, campaign_id, status, max_choices, vote_threshold_pct, criteria,"
	" title FROM evaluations WHERE id = $1 FOR SHARE");
DB_STMT(evaluations_load_update, "SELECT cluster_id, year, campaign_id, status, max_choices, vote_threshold_pct, criteria,"
	" title FROM evaluations WHERE id = $1 FOR UPDATE");
DB_STMT(evaluations_members, "SELECT unit_id FROM cluster_members WHERE cluster_id = $1 AND year = $2 ORDER BY unit_id");
/* the demo's evaluations left voting, ballots cast (sql/demo/0010_evaluations.sql) */
DB_STMT(evaluations_voting, "SELECT id FROM evaluations WHERE status = 'voting' ORDER BY id FOR UPDATE");
DB_STMT(evaluations_closed, "UPDATE evaluations SET status = 'closed', closed_at = now(), version = version + 1,"
	" updated_at = now() WHERE id = $1");
static const struct db_stmt *const stmts[] = {&sql_evaluations_campaign_cluster, &sql_evaluations_unknown_indicators,
					      &sql_evaluations_load, &sql_evaluations_load_share,
					      &sql_evaluations_load_update, &sql_evaluations_members,
					      &sql_evaluations_voting, &sql_evaluations_closed};

static const struct resource evaluations;

/* the tree as stored: checked, in one form */
static bool encode(struct req *r, int field, const struct jvalue *v, struct buf *out)
{
	if (field != EV_CRITERIA)
		return true;
	struct criteria *c = malloc(sizeof *c);
	if (!c)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	bool ok = criteria_read(v->list, c, &r->err);
	if (ok)
		criteria_write(c, out);
	free(c);
	return ok;
}

static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	(void)cur;
	if (v[EV_THRESHOLD].present && strtod(v[EV_THRESHOLD].number, NULL) <= 0)
		return app_error_field(&r->err, "vote_threshold_pct", "out_of_range",
				       "vote_threshold_pct must be more than 0 and at most 100");
	return true;
}

/* a campaign named runs in the cluster; the criteria name indicators of the catalogue */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (v[EV_CAMPAIGN].present && !v[EV_CAMPAIGN].is_null) {
		char campaign[24];
		const char *params[] = {id_text(v[EV_CAMPAIGN].num, campaign),
					cur ? crud_cur(&evaluations, cur, EV_CLUSTER) : NULL};
		char cluster[24];
		if (!cur)
			params[1] = id_text(v[EV_CLUSTER].num, cluster);
		PGresult *res = db_run(r->db, &sql_evaluations_campaign_cluster, 2, params, &evaluations.rt->write_why, &r->err);
		if (!res)
			return false;
		bool in = PQntuples(res) == 1;
		PQclear(res);
		if (!in)
			return app_error_field(&r->err, "campaign_id", "not_in_campaign",
					       "the cluster does not take part in campaign %lld", v[EV_CAMPAIGN].num);
	}
	if (!v[EV_CRITERIA].present)
		return true;
	const char *params[] = {v[EV_CRITERIA].str};
	PGresult *res = db_run(r->db, &sql_evaluations_unknown_indicators, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *code = PQgetvalue(res, i, 0), *problem = PQgetvalue(res, i, 1);
		if (strcmp(problem, "not_found") == 0)
			app_error_field(&r->err, "criteria", problem, "the catalogue has no indicator %s", code);
		else
			app_error_field(&r->err, "criteria", problem, "a fixed criterion counts: %s is not counted in units", code);
	}
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
		      struct action_result *out)
{
	(void)out;
	long long id = strtoll(crud_cur(&evaluations, cur, EV_ID), NULL, 10);
	if (strcmp(a->name, "close") == 0)
		return evaluation_close(r->db, id, &r->err) &&
		       (!body || !body[0].present || body[0].is_null || dossier_propose_from_evaluation(r, id, body[0].list));
	if (strcmp(a->name, "open_scoring") != 0)
		return true;
	/* scoring needs something to score and somebody to score it */
	struct evaluation ev;
	if (!evaluation_load(r, r->db, EVAL_READ, &ev))
		return false;
	bool ok = true;
	if (ev.criteria->n == 0)
		ok = app_error_set(&r->err, 409, "Evaluation %lld has no criteria yet; give them before scoring opens.", id);
	else if (ev.nmembers == 0)
		ok = app_error_set(&r->err, 409, "The cluster has no members in %lld; give them before scoring opens.", ev.year);
	evaluation_free(&ev);
	return ok;
}

static const char *const drafts[] = {"draft", NULL};
static const char *const scoring[] = {"scoring", NULL};
static const char *const voting[] = {"voting", NULL};
/* close may propose its N best-ranked proposable members in a draft dossier (api/dossiers.c) */
static const struct jfield close_fields[] = {
	{"propose", JF_OBJECT, JF_NULLABLE, 0, 4, NULL, NULL, NULL},
};
static const struct state_action actions[] = {
	{.name = "open_scoring", .from = drafts, .to = "scoring"},
	{.name = "open_voting", .from = scoring, .to = "voting"},
	{.name = "close", .from = voting, .to = "closed", WITH(body, close_fields), .stamp = "closed_at"},
};
static const struct resource_hooks hooks = {
	.encode = encode, .validate = validate, .before_write = before_write, .on_action = on_action,
};

static const struct resource evaluations = {
	RESOURCE("evaluations", "/v1/evaluations", "Evaluation"), WITH(fields, fields), .entity = "evaluation",
	.write = ACT_RUN_EVALUATION, .write_denied = "may read evaluations but not run them",
	WITH(constraints, constraints), .hooks = &hooks, .editable = drafts, .deletable = drafts,
	WITH(actions, actions),
};

/* `tdkt demo`: the evaluations loaded with their ballots cast are closed by the same code as the
 * close action, results made and ballots sealed */
static bool after_demo(struct db_conn *db, struct app_error *err)
{
	PGresult *open = db_run(db, &sql_evaluations_voting, 0, NULL, NULL, err);
	bool ok = open != NULL;
	for (int i = 0; ok && i < PQntuples(open); i++) {
		const char *id = PQgetvalue(open, i, 0);
		PGresult *closed = NULL;
		ok = evaluation_close(db, strtoll(id, NULL, 10), err) &&
		     (closed = db_run(db, &sql_evaluations_closed, 1, &id, NULL, err)) != NULL;
		PQclear(closed);
	}
	PQclear(open);
	return ok;
}

const struct api_module evaluations_module = {
	.name = "evaluations", .resource = &evaluations, WITH(stmts, stmts), WITH(facts, facts), WITH(refusals, refusals),
	.after_demo = after_demo,
};

const struct resource *evaluations_resource(void)
{
	return &evaluations;
}

bool evaluation_in(struct req *r, const struct evaluation *ev, const char *status, const char *doing)
{
	if (strcmp(ev->status, status) == 0)
		return true;
	return app_error_set(&r->err, 409, "Evaluation %lld is %s; %s only while it is %s.", ev->id, ev->status, doing,
			     status);
}

bool evaluation_member(const struct evaluation *ev, long long unit)
{
	for (int i = 0; i < ev->nmembers; i++)
		if (ev->members[i] == unit)
			return true;
	return false;
}

void evaluation_free(struct evaluation *ev)
{
	json_decref(ev->criteria_json);
	free(ev->criteria);
	free(ev->members);
	memset(ev, 0, sizeof *ev);
}

bool evaluation_load(struct req *r, struct db_conn *db, enum evaluation_lock lock, struct evaluation *ev)
{
	long long id;
	memset(ev, 0, sizeof *ev);
	return req_path_id(r, "id", &id) && evaluation_load_id(db, id, lock, ev, &r->err);
}

bool evaluation_load_id(struct db_conn *db, long long id, enum evaluation_lock lock, struct evaluation *ev,
			struct app_error *err)
{
	memset(ev, 0, sizeof *ev);
	ev->id = id;
	char idt[24], year[24];
	const char *params[] = {id_text(ev->id, idt), NULL};
	const struct db_stmt *stmt = lock == EVAL_SHARE    ? &sql_evaluations_load_share
				     : lock == EVAL_UPDATE ? &sql_evaluations_load_update
							   : &sql_evaluations_load;
	PGresult *row = db_run(db, stmt, 1, params, NULL, err), *members = NULL;
	bool ok = false;
	if (!row)
		goto out;
	if (PQntuples(row) != 1) {
		app_error_set(err, 404, "Evaluation %lld does not exist.", ev->id);
		goto out;
	}
	ev->cluster = strtoll(PQgetvalue(row, 0, 0), NULL, 10);
	ev->year = strtoll(PQgetvalue(row, 0, 1), NULL, 10);
	ev->has_campaign = !PQgetisnull(row, 0, 2);
	ev->campaign = ev->has_campaign ? strtoll(PQgetvalue(row, 0, 2), NULL, 10) : 0;
	snprintf(ev->status, sizeof ev->status, "%s", PQgetvalue(row, 0, 3));
	ev->max_choices = (int)strtol(PQgetvalue(row, 0, 4), NULL, 10);
	snprintf(ev->title, sizeof ev->title, "%s", PQgetvalue(row, 0, 7));
	json_error_t jerr;
	ev->criteria_json = json_loads(PQgetvalue(row, 0, 6), 0, &jerr);
	ev->criteria = malloc(sizeof *ev->criteria);
	struct app_error stored = {0};
	if (!decimal_hundredths(PQgetvalue(row, 0, 5), &ev->threshold) || !ev->criteria_json || !ev->criteria ||
	    !criteria_read(ev->criteria_json, ev->criteria, &stored)) {
		app_error_set(err, 500, "An internal error occurred.");
		goto out;
	}
	/* the cluster-year's members */
	const char *mparams[] = {PQgetvalue(row, 0, 0), id_text(ev->year, year)};
	if (!(members = db_run(db, &sql_evaluations_members, 2, mparams, NULL, err)))
		goto out;
	ev->nmembers = PQntuples(members);
	ev->members = calloc((size_t)ev->nmembers + 1, sizeof *ev->members);
	if (!ev->members) {
		app_error_set(err, 503, "The service is short of memory.");
		goto out;
	}
	for (int i = 0; i < ev->nmembers; i++)
		ev->members[i] = strtoll(PQgetvalue(members, i, 0), NULL, 10);
	ok = true;
out:
	PQclear(row);
	PQclear(members);
	if (!ok)
		evaluation_free(ev);
	return ok;
}
