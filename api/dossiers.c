/* /v1/dossiers — a unit's tờ trình to an approving unit, grouping the nominees it proposes (API.md
 * "Dossiers"). The proposing unit's officers and authorities write it while a draft or returned,
 * submit it (each nominee's eligibility is computed and stored: api/proposals.c) and withdraw it;
 * the approving unit's authorities (ACT_APPROVE_AWARDS, asked of approving_unit_id) return it,
 * publish it for public comment for a number of working days, review it once every nominee is
 * approved or rejected, and forward its approved nominees to the next level in a dossier of their
 * own. Decisions (api/decisions.c) decide it. Visibility is one SQL function for the scope here
 * and row-level security (sql/0024). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/crud.h"
#include "api/dossiers.h"

static const char *const statuses[] = {"draft", "submitted", "public_notice", "reviewed", "decided", "returned",
				       "withdrawn", NULL};
const char *const dossier_kinds[] = {"year_end", "campaign", "thematic", "ad_hoc", "dedication", "external", NULL};

enum {
	F_ID, F_NUMBER, F_SUBMITTED_ON, F_YEAR, F_KIND, F_CAMPAIGN, F_EVALUATION, F_PROPOSING, F_APPROVING, F_PARENT,
	F_STATUS, F_NOTICE_DAYS, F_NOTICE_FROM, F_NOTICE_UNTIL, F_NOTE, F_RETURN_NOTE, F_NOMINEES, F_SUBMITTED_AT,
	F_REVIEWED_AT, F_VERSION, F_CREATED, F_UPDATED, F_FORWARDED
};
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	/* số tờ trình, unique per proposing unit */
	[F_NUMBER] = {{"number", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_SUBMITTED_ON] = {{"submitted_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[F_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_KIND] = {{"kind", JF_ENUM, 0, 0, 0, dossier_kinds, NULL, NULL}, NULL, COL_STR, FR_FILTER, "'year_end'"},
	[F_CAMPAIGN] = {{"campaign_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	/* set when an evaluation's close proposes its best-ranked members */
	[F_EVALUATION] = {{"evaluation_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_PROPOSING] = {{"proposing_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
			 FR_OWNER | FR_FILTER | FR_SUBTREE | FR_CREATE_ONLY, NULL},
	[F_APPROVING] = {{"approving_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
			 FR_FILTER | FR_SUBTREE, NULL},
	/* the dossier of the next level this one's approved nominees were forwarded in */
	[F_PARENT] = {{"parent_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_STATUS] = {{"status", JF_ENUM, JF_READONLY, 0, 0, statuses, NULL, NULL}, NULL, COL_STR, FR_STATE | FR_FILTER, NULL},
	[F_NOTICE_DAYS] = {JF_RO("notice_days"), NULL, COL_NUM, 0, NULL},
	[F_NOTICE_FROM] = {JF_RO("notice_from"), NULL, COL_STR, 0, NULL},
	[F_NOTICE_UNTIL] = {JF_RO("notice_until"), NULL, COL_STR, 0, NULL},
	[F_NOTE] = {{"note", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_RETURN_NOTE] = {JF_RO("return_note"), NULL, COL_STR, 0, NULL},
	[F_NOMINEES] = {JF_RO("nominees"), "(SELECT count(*) FROM proposals p WHERE p.dossier_id = t.id)", COL_NUM, 0, NULL},
	[F_SUBMITTED_AT] = {JF_RO("submitted_at"), NULL, COL_TIME, 0, NULL},
	[F_REVIEWED_AT] = {JF_RO("reviewed_at"), NULL, COL_TIME, 0, NULL},
	[F_VERSION] = {{"version", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_VERSION, NULL},
	[F_CREATED] = {{"created_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, 0, NULL},
	[F_UPDATED] = {{"updated_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, FR_UPDATED, NULL},
	/* the dossiers of the level below whose nominees this one forwards */
	[F_FORWARDED] = {JF_RO("forwarded_from_ids"),
			 "(SELECT coalesce(json_agg(c.id ORDER BY c.id), '[]') FROM dossiers c WHERE c.parent_id = t.id)",
			 COL_JSON, 0, NULL},
};

static const struct db_constraint constraints[] = {
	{"dossiers_number_key", "number", "duplicate", "the proposing unit already has a dossier with this number", 409},
	{"dossiers_units_differ", "approving_unit_id", "same_unit", "a unit does not approve its own dossier", 0},
	{"dossiers_note_length", "note", "too_long", "note is longer than 2000 characters in NFC", 0},
	{"dossiers_number_length", "number", "too_long", "number is longer than 64 characters in NFC", 0},
	{"dossiers_submitted_range", "submitted_on", "out_of_range", "submitted_on is between 2000 and 2100", 0},
};

static const struct fk_fact facts[] = {
	{"dossiers_campaign_fkey", "campaign_id", "campaign_id does not name an existing campaign", "the campaign has dossiers"},
	{"dossiers_evaluation_fkey", "evaluation_id", "the evaluation does not exist", "the evaluation proposed dossiers"},
	{"dossiers_proposing_unit_fkey", "proposing_unit_id", "proposing_unit_id does not name an existing unit",
	 "the unit proposed dossiers"},
	{"dossiers_approving_unit_fkey", "approving_unit_id", "approving_unit_id does not name an existing unit",
	 "dossiers are addressed to the unit"},
	{"dossiers_parent_fkey", "parent_id", "the dossier forwarded to does not exist", "dossiers were forwarded in it"},
};

/* nominees by state */
DB_STMT(dossiers_counts, "SELECT count(*), count(*) FILTER (WHERE status = 'pending'),"
	" count(*) FILTER (WHERE status = 'approved') FROM proposals WHERE dossier_id = $1");
/* today, and the last day of a notice of $1 working days from tomorrow (sql/0025) */
DB_STMT(dossiers_notice_days, "SELECT current_date::text, tdkt_add_working_days(current_date, $1::int)::text");
/* the longest public notice the nominees' kinds ask, by the rules in force on $2 */
DB_STMT(dossiers_notice_needed, "SELECT coalesce(max((n ->> 'working_days')::int), 0) FROM proposals p"
	" JOIN award_kinds k ON k.code = p.award_kind_code"
	" CROSS JOIN LATERAL jsonb_array_elements(k.rules) v"
	" CROSS JOIN LATERAL jsonb_path_query(v -> 'expr', 'strict $.**  ? (@.type == \"public_notice\").params') n"
	" WHERE p.dossier_id = $1 AND (v ->> 'effective_from')::date <= $2::date"
	" AND (v ->> 'effective_to' IS NULL OR (v ->> 'effective_to')::date >= $2::date)");
/* whether a decision has granted one of its nominees (then it is neither returned nor withdrawn) */
DB_STMT(dossiers_decided, "SELECT EXISTS (SELECT 1 FROM proposals WHERE dossier_id = $1 AND status IN ('decided', 'revoked'))");
/* returned: the level's verdicts start again */
DB_STMT(dossiers_reset, "UPDATE proposals SET status = 'pending', rejection_reason = NULL, override_reason = NULL,"
	" version = version + 1, updated_at = now() WHERE dossier_id = $1 AND status IN ('approved', 'rejected')");
DB_STMT(dossiers_today, "SELECT current_date::text");
DB_STMT(dossiers_ended, "SELECT $1::date < current_date");
/* forward: the next level's dossier (a draft of the approving unit), holding copies of the
 * approved nominees */
DB_STMT(dossiers_next_level, "INSERT INTO dossiers (number, submitted_on, year, kind, campaign_id, proposing_unit_id,"
	" approving_unit_id) SELECT $2, $3::date, d.year, d.kind, d.campaign_id, d.approving_unit_id, $4::bigint"
	" FROM dossiers d WHERE d.id = $1 RETURNING id");
/* whether unit $1 lies in unit $2's subtree (a forward goes up or across, never down) */
DB_STMT(dossiers_within, "SELECT tdkt_unit_within($1::bigint, $2::bigint)");
/* forwarding again: the dossier it was forwarded in was withdrawn (its copies wait for nothing
 * now); that dossier no longer lists this one (forwarded_from_ids), so its version moves on */
DB_STMT(dossiers_forwarded_withdrawn, "UPDATE dossiers SET version = version + 1, updated_at = now()"
	" WHERE id = $1 AND status = 'withdrawn' RETURNING id");
DB_STMT(dossiers_copy_nominees, "INSERT INTO proposals (dossier_id, award_kind_code, recipient_unit_id,"
	" recipient_person_id, recipient_household, achievements, subject_class, forwarded_from_id)"
	" SELECT $2, award_kind_code, recipient_unit_id, recipient_person_id, recipient_household, achievements,"
	" subject_class, id FROM proposals WHERE dossier_id = $1 AND status = 'approved' ORDER BY id");
/* an evaluation's proposal: the cluster-year's leader proposes; $1 evaluation, $2 number, $3 the
 * approving unit */
DB_STMT(dossiers_from_evaluation, "INSERT INTO dossiers (number, year, kind, campaign_id, evaluation_id,"
	" proposing_unit_id, approving_unit_id)"
	" SELECT coalesce($2, 'TTr-BX-' || e.id || '/' || e.year), e.year,"
	" CASE WHEN e.campaign_id IS NULL THEN 'year_end' ELSE 'campaign' END, e.campaign_id, e.id, m.unit_id, $3::bigint"
	" FROM evaluations e JOIN cluster_members m ON m.cluster_id = e.cluster_id AND m.year = e.year AND m.role = 'leader'"
	" WHERE e.id = $1 RETURNING id");
/* its best-ranked proposable members, $4 of them, in rank order, kind $3 */
DB_STMT(dossiers_evaluation_nominees, "INSERT INTO proposals (dossier_id, award_kind_code, recipient_unit_id,"
	" achievements, subject_class)"
	" SELECT $2, $3, (x ->> 'unit_id')::bigint,"
	" 'Xếp hạng ' || (x ->> 'rank') || ', ' || (x ->> 'votes') || ' phiếu (' || (x ->> 'vote_pct') || ' %)', 'other'"
	" FROM evaluation_results er CROSS JOIN LATERAL json_array_elements(er.results -> 'ranking') x"
	" WHERE er.evaluation_id = $1 AND (x ->> 'proposable')::boolean"
	" ORDER BY (x ->> 'rank')::int, (x ->> 'unit_id')::bigint LIMIT $4::int");
DB_STMT(dossiers_kind_recipient, "SELECT recipient FROM award_kinds WHERE code = $1");
/* the unit that leads the evaluation's cluster in its year: the proposer */
DB_STMT(dossiers_evaluation_leader, "SELECT m.unit_id FROM evaluations e JOIN cluster_members m"
	" ON m.cluster_id = e.cluster_id AND m.year = e.year AND m.role = 'leader' WHERE e.id = $1");
static const struct db_stmt *const stmts[] = {&sql_dossiers_kind_recipient, &sql_dossiers_evaluation_leader,
					      &sql_dossiers_from_evaluation, &sql_dossiers_evaluation_nominees,
					      &sql_dossiers_counts, &sql_dossiers_notice_days, &sql_dossiers_notice_needed,
					      &sql_dossiers_reset, &sql_dossiers_decided, &sql_dossiers_today, &sql_dossiers_ended, &sql_dossiers_next_level,
					      &sql_dossiers_forwarded_withdrawn, &sql_dossiers_within,
					      &sql_dossiers_copy_nominees};

static const struct resource dossiers;

bool dossier_counts(struct req *r, const char *id, long long *all, long long *pending, long long *approved)
{
	PGresult *res = db_run(r->db, &sql_dossiers_counts, 1, &id, NULL, &r->err);
	if (!res)
		return false;
	*all = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*pending = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	*approved = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	return true;
}

/* the letter's date: as given, else the day it is sent */
static bool letter_date(struct req *r, PGresult *cur, char on[32])
{
	const char *given = crud_cur(&dossiers, cur, F_SUBMITTED_ON);
	if (given) {
		snprintf(on, 32, "%s", given);
		return true;
	}
	PGresult *today = db_run(r->db, &sql_dossiers_today, 0, NULL, NULL, &r->err);
	if (!today)
		return false;
	snprintf(on, 32, "%s", PQgetvalue(today, 0, 0));
	PQclear(today);
	return true;
}

static bool submit(struct req *r, PGresult *cur, const char *id, struct action_result *out)
{
	long long all, pending, approved;
	if (!dossier_counts(r, id, &all, &pending, &approved))
		return false;
	if (all == 0)
		return app_error_set(&r->err, 409, "Dossier %s has no nominees; propose at least one before submitting.", id);
	if (!letter_date(r, cur, out->text[0]))
		return false;
	out->set[0] = out->text[0];
	out->set[1] = NULL; /* a resubmission clears the return's note */
	return true;
}

/* once submitted, each nominee's eligibility stored: the nominees' changes are then everybody's
 * in the change feed, as the dossier is */
static bool after_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur)
{
	(void)body;
	if (strcmp(a->name, "submit") != 0)
		return true;
	char on[32];
	return letter_date(r, cur, on) && dossier_store_eligibility(r, strtoll(crud_cur(&dossiers, cur, F_ID), NULL, 10),
					 strtoll(crud_cur(&dossiers, cur, F_YEAR), NULL, 10), on);
}

static bool publish(struct req *r, PGresult *cur, const char *id, const struct jvalue *body, struct action_result *out)
{
	char days[24];
	const char *on = crud_cur(&dossiers, cur, F_SUBMITTED_ON);
	const char *need_params[] = {id, on};
	PGresult *res = db_run(r->db, &sql_dossiers_notice_needed, 2, need_params, NULL, &r->err);
	if (!res)
		return false;
	long long need = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (body[0].num < need)
		return app_error_field(&r->err, "notice_days", "too_short",
				       "a nominee's kind asks a public notice of %lld working days", need);
	const char *params[] = {id_text(body[0].num, days)};
	if (!(res = db_run(r->db, &sql_dossiers_notice_days, 1, params, NULL, &r->err)))
		return false;
	snprintf(out->text[0], sizeof out->text[0], "%lld", body[0].num);
	snprintf(out->text[1], sizeof out->text[1], "%s", PQgetvalue(res, 0, 0));
	snprintf(out->text[2], sizeof out->text[2], "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	for (int i = 0; i < 3; i++)
		out->set[i] = out->text[i];
	return true;
}

/* Reviewed once every nominee is approved or rejected and the notice is over; decided instead
 * when a decision has granted what was approved and nothing else waits (a decision that comes
 * last closes the dossier itself, api/decisions.c; one that came first, while a nominee was
 * pending, leaves it to the review, until which a rejection may still be taken back). */
static bool review(struct req *r, PGresult *cur, const char *id, struct action_result *out)
{
	long long all, pending, approved;
	if (!dossier_counts(r, id, &all, &pending, &approved))
		return false;
	if (pending)
		return app_error_set(&r->err, 409, "Dossier %s has %lld nominees neither approved nor rejected.", id, pending);
	const char *until = crud_cur(&dossiers, cur, F_NOTICE_UNTIL);
	if (until) {
		PGresult *res = db_run(r->db, &sql_dossiers_ended, 1, &until, NULL, &r->err);
		if (!res)
			return false;
		bool ended = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (!ended)
			return app_error_set(&r->err, 409, "Dossier %s is in public notice until %s; review it after.", id, until);
	}
	if (approved)
		return true;
	PGresult *res = db_run(r->db, &sql_dossiers_decided, 1, &id, NULL, &r->err);
	if (!res)
		return false;
	if (PQgetvalue(res, 0, 0)[0] == 't')
		out->to = "decided";
	PQclear(res);
	return true;
}

static bool forward(struct req *r, PGresult *cur, const char *id, const struct jvalue *body, struct action_result *out)
{
	const char *parent = crud_cur(&dossiers, cur, F_PARENT);
	if (parent) {
		/* once more only when the level above's dossier was withdrawn */
		PGresult *res = db_run(r->db, &sql_dossiers_forwarded_withdrawn, 1, &parent, NULL, &r->err);
		if (!res)
			return false;
		bool withdrawn = PQntuples(res) == 1;
		PQclear(res);
		if (!withdrawn)
			return app_error_set(&r->err, 409, "Dossier %s was forwarded already, in dossier %s.", id, parent);
	}
	long long all, pending, approved;
	if (!dossier_counts(r, id, &all, &pending, &approved))
		return false;
	if (approved == 0)
		return app_error_set(&r->err, 409, "Dossier %s has no approved nominee to forward.", id);
	/* the new dossier is the approving unit's own: its data */
	long long approving = strtoll(crud_cur(&dossiers, cur, F_APPROVING), NULL, 10);
	if (!authz_require(r, ACT_WRITE_UNIT_DATA, approving))
		return false;
	if (body[0].num == approving)
		return app_error_field(&r->err, "approving_unit_id", "same_unit", "the dossier goes to the next level");
	char next[24], from[24];
	const char *within[] = {id_text(body[0].num, next), id_text(approving, from)};
	PGresult *below = db_run(r->db, &sql_dossiers_within, 2, within, NULL, &r->err);
	if (!below)
		return false;
	bool down = PQgetvalue(below, 0, 0)[0] == 't';
	PQclear(below);
	if (down)
		return app_error_field(&r->err, "approving_unit_id", "below",
				       "unit %s is in the forwarding unit's subtree: the dossier goes to the next level", next);
	const char *params[] = {id, body[1].str, body[2].is_null ? NULL : body[2].str, id_text(body[0].num, next)};
	PGresult *res = db_run(r->db, &sql_dossiers_next_level, 4, params, &dossiers.rt->write_why, &r->err);
	if (!res)
		return false;
	snprintf(out->text[0], sizeof out->text[0], "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	out->set[0] = out->text[0];
	const char *copy[] = {id, out->text[0]};
	if (!(res = db_run(r->db, &sql_dossiers_copy_nominees, 2, copy, NULL, &r->err)))
		return false;
	PQclear(res);
	return true;
}

/* 409 when a decision already granted one of the dossier's nominees: returning it would put that
 * nominee back to pending, withdrawing it would take back what an award stands on */
static bool none_decided(struct req *r, const char *id, const char *action)
{
	PGresult *res = db_run(r->db, &sql_dossiers_decided, 1, &id, NULL, &r->err);
	if (!res)
		return false;
	bool decided = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return !decided || app_error_set(&r->err, 409, "Dossier %s has nominees a decision granted; it cannot %s.", id,
					 action);
}

static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
		      struct action_result *out)
{
	const char *id = crud_cur(&dossiers, cur, F_ID);
	if ((strcmp(a->name, "return") == 0 || strcmp(a->name, "withdraw") == 0) && !none_decided(r, id, a->name))
		return false;
	if (strcmp(a->name, "submit") == 0)
		return submit(r, cur, id, out);
	if (strcmp(a->name, "publish") == 0)
		return publish(r, cur, id, body, out);
	if (strcmp(a->name, "review") == 0)
		return review(r, cur, id, out);
	if (strcmp(a->name, "forward") == 0)
		return forward(r, cur, id, body, out);
	if (strcmp(a->name, "return") == 0) {
		out->set[0] = body[0].str; /* and the notice is over: a resubmission is published anew */
		PGresult *res = db_run(r->db, &sql_dossiers_reset, 1, &id, NULL, &r->err);
		PQclear(res);
		return res != NULL;
	}
	return true;
}

static const struct jfield return_fields[] = {
	{"note", JF_TEXT, JF_REQUIRED, 1, 2000, NULL, NULL, NULL},
};
static const struct jfield publish_fields[] = {
	{"notice_days", JF_INT, JF_REQUIRED, 1, 60, NULL, NULL, NULL},
};
static const struct jfield forward_fields[] = {
	{"approving_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	{"number", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL},
	{"submitted_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
};
static const char *const editable[] = {"draft", "returned", NULL};
static const char *const drafts[] = {"draft", NULL};
static const char *const sent[] = {"submitted", "public_notice", NULL};
static const char *const submitted[] = {"submitted", NULL};
static const char *const reviewed[] = {"reviewed", NULL};
static const char *const withdrawable[] = {"draft", "submitted", NULL};
static const char *const submit_sets[] = {"submitted_on", "return_note", NULL};
static const char *const return_sets[] = {"return_note", "notice_days", "notice_from", "notice_until", NULL};
static const char *const notice_sets[] = {"notice_days", "notice_from", "notice_until", NULL};
static const char *const parent_sets[] = {"parent_id", NULL};
static const struct state_action actions[] = {
	{.name = "submit", .from = editable, .to = "submitted", .sets = submit_sets, .stamp = "submitted_at"},
	{.name = "return", .from = sent, .to = "returned", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 WITH(body, return_fields), .sets = return_sets},
	{.name = "publish", .from = submitted, .to = "public_notice", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 WITH(body, publish_fields), .sets = notice_sets},
	{.name = "review", .from = sent, .to = "reviewed", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 .stamp = "reviewed_at"},
	{.name = "withdraw", .from = withdrawable, .to = "withdrawn"},
	{.name = "forward", .from = reviewed, .to = "reviewed", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 WITH(body, forward_fields), .sets = parent_sets},
};
static const struct resource_hooks hooks = {.on_action = on_action, .after_action = after_action};

static const struct resource dossiers = {
	RESOURCE("dossiers", "/v1/dossiers", "Dossier"), WITH(fields, fields), .entity = "dossier",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read dossiers but not write them",
	WITH(constraints, constraints), .hooks = &hooks, .editable = editable, .deletable = drafts,
	WITH(actions, actions),
	.scope = "tdkt_dossier_visible(t.status, t.submitted_at, t.proposing_unit_id, t.approving_unit_id)",
};

bool dossier_propose_from_evaluation(struct req *r, long long evaluation, json_t *propose)
{
	static const struct jfield spec[] = {
		{"award_kind_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
		{"top", JF_INT, JF_REQUIRED, 1, 100, NULL, NULL, NULL},
		{"approving_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
		{"number", JF_STRING, JF_NULLABLE, 1, 64, NULL, NULL, NULL},
	};
	struct jvalue v[4];
	if (!jin_decode_at(propose, "propose", spec, 4, v, &r->err))
		return false;
	PGresult *kind = db_run(r->db, &sql_dossiers_kind_recipient, 1, &v[0].str, NULL, &r->err);
	if (!kind)
		return false;
	const char *fits = PQntuples(kind) ? PQgetvalue(kind, 0, 0) : NULL;
	bool collective = fits && (strcmp(fits, "collective") == 0 || strcmp(fits, "any") == 0);
	PQclear(kind);
	if (!collective)
		return app_error_field(&r->err, "propose.award_kind_code", fits ? "recipient_kind" : "not_found",
				       fits ? "members are units: the kind must be awarded to collectives"
					    : "award_kind_code names no award kind");
	char eid[24], approving[24], top[24];
	/* the dossier is the leader unit's data: who closes writes it (the organiser's authority may
	 * run a cluster whose leader is outside its subtree) */
	const char *leader_params[] = {id_text(evaluation, eid)};
	PGresult *res = db_run(r->db, &sql_dossiers_evaluation_leader, 1, leader_params, NULL, &r->err);
	if (!res)
		return false;
	long long leader = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (!leader)
		return app_error_set(&r->err, 409, "The cluster has no leader in the evaluation's year to propose its members.");
	if (!authz_require(r, ACT_WRITE_UNIT_DATA, leader))
		return false;
	const char *params[] = {eid, v[3].present && !v[3].is_null ? v[3].str : NULL, id_text(v[2].num, approving)};
	if (!(res = db_run(r->db, &sql_dossiers_from_evaluation, 3, params, &dossiers.rt->write_why, &r->err)))
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return app_error_set(&r->err, 409, "The cluster has no leader in the evaluation's year to propose its members.");
	}
	char dossier[24];
	snprintf(dossier, sizeof dossier, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	const char *nominees[] = {eid, dossier, v[0].str, id_text(v[1].num, top)};
	res = db_run(r->db, &sql_dossiers_evaluation_nominees, 4, nominees, &dossiers.rt->write_why, &r->err);
	PQclear(res);
	return res != NULL;
}

const struct resource *dossiers_resource(void)
{
	return &dossiers;
}

const struct api_module dossiers_module = {.name = "dossiers", WITH(stmts, stmts), .resource = &dossiers,
	WITH(facts, facts)};
