/* /v1/proposals — one nominee of a dossier (API.md "Proposals"): created at
 * POST /v1/dossiers/{id}/proposals, listed there and at /v1/proposals. A unit, a person or a
 * household (as the kind's `recipient` allows), written by the proposing unit's officers and
 * authorities while the dossier is a draft or returned. The approving unit's authorities approve
 * or reject each nominee while the dossier is sent: approval asks the kind's rules again with the
 * approver's rights (its disciplines included, the read recorded) and refuses a nominee not shown
 * eligible unless an override_reason is given, which the audit trail keeps with the row. What
 * submit stores (dossier_store_eligibility) is evaluated without personal data, since everyone
 * who sees the nominee reads it. Seen as its dossier is (row-level security, sql/0024). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/dossiers.h"
#include "api/eligibility.h"
#include "api/write.h"

static const char *const statuses[] = {"pending", "approved", "rejected", "decided", "revoked", NULL};
static const char *const subject_classes[] = {"leader", "staff", "worker_farmer", "business", "foreigner", "other", NULL};

enum {
	F_ID, F_DOSSIER, F_KIND, F_KIND_NAME, F_UNIT, F_PERSON, F_HOUSEHOLD, F_NAME, F_ACHIEVEMENTS, F_SUBJECT, F_STATUS,
	F_ELIGIBLE, F_ELIGIBILITY_ON, F_ELIGIBILITY, F_DECISION, F_DECISION_NUMBER, F_DECIDED_ON, F_REJECTION, F_OVERRIDE,
	F_FORWARDED, F_VERSION, F_CREATED, F_UPDATED, F_PROPOSER, F_APPROVER, F_DOSSIER_STATUS, F_SUBMITTED_ON, F_DOSSIER_YEAR
};
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_DOSSIER] = {{"dossier_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_PARENT | FR_FILTER, NULL},
	[F_KIND] = {{"award_kind_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, NULL, COL_STR,
		    FR_FILTER, NULL},
	[F_KIND_NAME] = {JF_RO("award_kind_name"), "(k.name)", COL_STR, 0, NULL},
	/* another recipient is another nominee */
	[F_UNIT] = {{"recipient_unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		    FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_PERSON] = {{"recipient_person_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		      FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_HOUSEHOLD] = {{"recipient_household", JF_OBJECT, JF_NULLABLE, 0, 2, NULL, NULL, NULL}, NULL, COL_JSON,
			 FR_NFC | FR_CREATE_ONLY, NULL},
	[F_NAME] = {JF_RO("recipient_name"),
		    "(coalesce((SELECT u.name FROM units u WHERE u.id = t.recipient_unit_id),"
		    " (SELECT p.full_name FROM people p WHERE p.id = t.recipient_person_id), t.recipient_household ->> 'name'))",
		    COL_STR, 0, NULL},
	[F_ACHIEVEMENTS] = {{"achievements", JF_TEXT, JF_NULLABLE, 0, 20000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_SUBJECT] = {{"subject_class", JF_ENUM, 0, 0, 0, subject_classes, NULL, NULL}, NULL, COL_STR, 0, "'staff'"},
	[F_STATUS] = {{"status", JF_ENUM, JF_READONLY, 0, 0, statuses, NULL, NULL}, NULL, COL_STR, FR_STATE | FR_FILTER, NULL},
	[F_ELIGIBLE] = {JF_RO("eligible"), NULL, COL_BOOL, 0, NULL},
	[F_ELIGIBILITY_ON] = {JF_RO("eligibility_on"), NULL, COL_STR, 0, NULL},
	/* the evaluation stored on submit: read with the nominee, not in lists */
	[F_ELIGIBILITY] = {JF_RO("eligibility"), NULL, COL_JSON, FR_DETAIL, NULL},
	[F_DECISION] = {{"decision_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_DECISION_NUMBER] = {JF_RO("decision_number"), "(SELECT x.number FROM decisions x WHERE x.id = t.decision_id)",
			       COL_STR, 0, NULL},
	[F_DECIDED_ON] = {JF_RO("decided_on"), "(SELECT x.signed_on FROM decisions x WHERE x.id = t.decision_id)", COL_STR,
			  0, NULL},
	[F_REJECTION] = {JF_RO("rejection_reason"), NULL, COL_STR, 0, NULL},
	[F_OVERRIDE] = {JF_RO("override_reason"), NULL, COL_STR, 0, NULL},
	/* the nominee of the level below this one copies (a forwarded dossier's) */
	[F_FORWARDED] = {JF_RO("forwarded_from_id"), NULL, COL_NUM, 0, NULL},
	[F_VERSION] = {{"version", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_VERSION, NULL},
	[F_CREATED] = {{"created_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, 0, NULL},
	[F_UPDATED] = {{"updated_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, FR_UPDATED, NULL},
	/* the dossier's, for rights and states: its proposer writes, its approver decides */
	[F_PROPOSER] = {JF_RO("proposing_unit_id"), "(d.proposing_unit_id)", COL_NUM, FR_OWNER | FR_HIDDEN, NULL},
	[F_APPROVER] = {JF_RO("approving_unit_id"), "(d.approving_unit_id)", COL_NUM, FR_HIDDEN, NULL},
	[F_DOSSIER_STATUS] = {JF_RO("dossier_status"), "(d.status)", COL_STR, FR_HIDDEN, NULL},
	[F_SUBMITTED_ON] = {JF_RO("dossier_submitted_on"), "(d.submitted_on)", COL_STR, FR_HIDDEN, NULL},
	[F_DOSSIER_YEAR] = {JF_RO("dossier_year"), "(d.year)", COL_NUM, FR_HIDDEN, NULL},
};

static const struct db_constraint constraints[] = {
	{"proposals_once", "award_kind_code", "duplicate", "the dossier already proposes this recipient for this kind", 409},
	{"proposals_achievements_length", "achievements", "too_long", "achievements is longer than 20000 characters in NFC", 0},
	{"proposals_household_shape", "recipient_household", "invalid",
	 "recipient_household is {name (1-200 characters), address (1-500)}", 0},
};

static const struct fk_fact facts[] = {
	{"proposals_dossier_fkey", "dossier_id", "the dossier does not exist", "the dossier has nominees"},
	{"proposals_kind_fkey", "award_kind_code", "award_kind_code names no award kind", "nominees are proposed for this kind"},
	{"proposals_unit_fkey", "recipient_unit_id", "recipient_unit_id does not name an existing unit",
	 "the unit is nominated in dossiers"},
	{"proposals_person_fkey", "recipient_person_id", "recipient_person_id does not name an existing person",
	 "the person is nominated in dossiers"},
	{"proposals_decision_fkey", "decision_id", "the decision does not exist", "the decision decided nominees"},
	{"proposals_forwarded_fkey", "forwarded_from_id", "the nominee forwarded does not exist", "the nominee was forwarded"},
};

/* nominees a dossier holds at most (as many as a decision may grant) */
#define DOSSIER_MAX_NOMINEES 1000
/* the parent dossier of a new nominee, held until the commit: submit waits for it, and so does
 * another new nominee; row-level security lets lock it only who may update it */
DB_STMT(proposals_parent, "SELECT status, proposing_unit_id FROM dossiers WHERE id = $1 FOR NO KEY UPDATE");
/* a nominee's dossier, locked before the nominee (the order submit takes them in); for a
 * DELETE, which moves the dossier's version on (its nominees' count, sql/0034), as a new nominee
 * locks it: two deletes holding it shared would each wait for the other to update it */
#define LOCK_DOSSIER_OF_NOMINEE(mode) "SELECT d.id FROM dossiers d JOIN proposals p ON p.dossier_id = d.id" \
	" WHERE p.id = $1 FOR " mode " OF d"
DB_STMT(proposals_lock_dossier, LOCK_DOSSIER_OF_NOMINEE("SHARE"));
DB_STMT(proposals_lock_dossier_update, LOCK_DOSSIER_OF_NOMINEE("NO KEY UPDATE"));
DB_STMT(proposals_kind, "SELECT recipient FROM award_kinds WHERE code = $1");
/* the public notices a dossier's nominees had: its own (its approver's) and those of the dossiers
 * it forwards (published by this dossier's proposer, as their approver) */
DB_STMT(proposals_notices, "SELECT d.id, CASE WHEN d.id = $1 THEN 'approver' ELSE 'proposer' END, d.notice_days,"
	" d.notice_until::text, d.notice_until < current_date FROM dossiers d"
	" WHERE (d.id = $1 OR d.parent_id = $1) AND d.notice_days IS NOT NULL ORDER BY d.id");
DB_STMT(proposals_of_dossier, "SELECT id, award_kind_code, recipient_unit_id, recipient_person_id FROM proposals"
	" WHERE dossier_id = $1 ORDER BY id");
/* $1: [{id, eligible, eligibility}], $2 the date of the rules */
DB_STMT(proposals_store_eligibility, "UPDATE proposals p SET eligible = x.eligible, eligibility = x.eligibility,"
	" eligibility_on = $2::date, version = p.version + 1, updated_at = now()"
	" FROM json_to_recordset($1::json) AS x(id bigint, eligible boolean, eligibility json) WHERE p.id = x.id");
/* does the nominee's kind ask a public notice, by the rules in force on $2 */
DB_STMT(proposals_notice_asked, "SELECT EXISTS (SELECT 1 FROM award_kinds k"
	" CROSS JOIN LATERAL jsonb_array_elements(k.rules) v"
	" WHERE k.code = $1 AND (v ->> 'effective_from')::date <= $2::date"
	" AND (v ->> 'effective_to' IS NULL OR (v ->> 'effective_to')::date >= $2::date)"
	" AND jsonb_path_exists(v -> 'expr', 'strict $.** ? (@.type == \"public_notice\")'))");
DB_STMT(proposals_stored_eligibility, "SELECT t.eligibility FROM proposals t JOIN dossiers d ON d.id = t.dossier_id"
	" WHERE t.id = $1 AND tdkt_dossier_visible(d.status, d.submitted_at, d.proposing_unit_id, d.approving_unit_id)");
static const struct db_stmt *const stmts[] = {
	&sql_proposals_parent, &sql_proposals_lock_dossier, &sql_proposals_lock_dossier_update, &sql_proposals_kind, &sql_proposals_notices,
	&sql_proposals_of_dossier, &sql_proposals_store_eligibility, &sql_proposals_notice_asked,
	&sql_proposals_stored_eligibility,
};

static const struct resource proposals;

static bool given(const struct jvalue *v)
{
	return v->present && !v->is_null;
}

/* a household is {name, address}: stored as exactly that, in NFC like every text */
static bool encode(struct req *r, int field, const struct jvalue *v, struct buf *out)
{
	if (field != F_HOUSEHOLD || v->is_null)
		return true;
	static const struct jfield household[] = {
		{"name", JF_TEXT, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
		{"address", JF_TEXT, JF_REQUIRED, 1, 500, NULL, NULL, NULL},
	};
	struct jvalue h[2];
	if (!jin_decode_at(v->list, "recipient_household", household, 2, h, &r->err))
		return false;
	buf_puts(out, "{\"name\":");
	buf_json_cstr(out, h[0].str);
	buf_puts(out, ",\"address\":");
	buf_json_cstr(out, h[1].str);
	buf_putc(out, '}');
	return true;
}

static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (cur)
		return true;
	int n = given(&v[F_UNIT]) + given(&v[F_PERSON]) + given(&v[F_HOUSEHOLD]);
	if (n != 1)
		return app_error_field(&r->err, "recipient_unit_id", "one_recipient",
				       "name exactly one of recipient_unit_id, recipient_person_id and recipient_household");
	return true;
}

/* the kind exists and is awarded to this kind of recipient */
static bool kind_fits(struct req *r, const char *kind, const char *recipient)
{
	PGresult *res = db_run(r->db, &sql_proposals_kind, 1, &kind, NULL, &r->err);
	if (!res)
		return false;
	bool ok = true;
	if (PQntuples(res) == 0) {
		ok = app_error_field(&r->err, "award_kind_code", "not_found", "award_kind_code names no award kind");
	} else {
		const char *fits = PQgetvalue(res, 0, 0);
		if (strcmp(fits, "any") != 0 && strcmp(fits, recipient) != 0)
			ok = app_error_field(&r->err, "award_kind_code", "recipient_kind", "%s is awarded to %s recipients",
					     kind, fits);
	}
	PQclear(res);
	return ok;
}

static const char *recipient_kind(bool unit, bool person)
{
	return unit ? "collective" : person ? "individual" : "household";
}

static bool editable_state(struct req *r, const char *dossier, const char *status)
{
	if (strcmp(status, "draft") == 0 || strcmp(status, "returned") == 0)
		return true;
	return app_error_set(&r->err, 409, "Dossier %s is %s; its nominees change only while it is a draft or returned.",
			     dossier, status);
}

/* create: the dossier (locked: a submit waits) is a draft or returned and the caller writes its
 * proposer's data; create and patch: the kind fits the recipient */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (!cur) {
		char id[24];
		const char *params[] = {id_text(v[F_DOSSIER].num, id)};
		PGresult *res = db_run(r->db, &sql_proposals_parent, 1, params, NULL, &r->err);
		if (!res)
			return false;
		/* the engine found the dossier (404 otherwise): the caller sees it, and may not write it */
		bool ok = PQntuples(res) == 1 ||
			  app_error_set(&r->err, 403, "You may read dossier %lld but not propose nominees in it.",
					v[F_DOSSIER].num);
		ok = ok && authz_require(r, ACT_WRITE_UNIT_DATA, strtoll(PQgetvalue(res, 0, 1), NULL, 10)) &&
		     editable_state(r, id, PQgetvalue(res, 0, 0));
		PQclear(res);
		/* a submit evaluates every nominee in one transaction: the work a dossier asks is bounded.
		 * Its nominees, counted once it is locked, by a statement of their own: under READ
		 * COMMITTED a new statement sees what a nominee added before the lock was granted had
		 * committed (a count in the locking statement kept that statement's older snapshot, and
		 * two could both count 999) */
		long long all = 0, pending, approved;
		ok = ok && dossier_counts(r, id, &all, &pending, &approved);
		if (ok && all >= DOSSIER_MAX_NOMINEES)
			ok = app_error_set(&r->err, 409, "Dossier %s holds %d nominees, the most a dossier may.", id,
					   DOSSIER_MAX_NOMINEES);
		return ok && kind_fits(r, v[F_KIND].str, recipient_kind(given(&v[F_UNIT]), given(&v[F_PERSON])));
	}
	if (!v[F_KIND].present)
		return true;
	return kind_fits(r, v[F_KIND].str, recipient_kind(crud_cur(&proposals, cur, F_UNIT) != NULL,
							  crud_cur(&proposals, cur, F_PERSON) != NULL));
}

static bool before_lock(struct req *r, const struct jvalue *v)
{
	(void)v;
	long long id;
	char idt[24];
	if (!req_path_id(r, "id", &id))
		return false;
	const char *params[] = {id_text(id, idt)};
	bool removing = strcmp(r->method, "DELETE") == 0;
	PGresult *res = db_run(r->db, removing ? &sql_proposals_lock_dossier_update : &sql_proposals_lock_dossier, 1, params,
			       NULL, &r->err);
	PQclear(res);
	return res != NULL;
}

/* a patch or delete; an action (POST) has its own rules (on_action) */
static bool may_change(struct req *r, PGresult *cur)
{
	if (strcmp(r->method, "POST") == 0)
		return true;
	const char *status = crud_cur(&proposals, cur, F_STATUS);
	if (strcmp(status, "decided") == 0 || strcmp(status, "revoked") == 0)
		return app_error_set(&r->err, 409, "Proposal %s is %s by a decision; it no longer changes.",
				     crud_cur(&proposals, cur, F_ID), status);
	return editable_state(r, crud_cur(&proposals, cur, F_DOSSIER), crud_cur(&proposals, cur, F_DOSSIER_STATUS));
}

/* the notices of dossier `dossier`; *res owns the strings */
static bool read_notices(struct req *r, const char *dossier, PGresult **res, struct elig_notice **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!(*res = db_run(r->db, &sql_proposals_notices, 1, &dossier, NULL, &r->err)))
		return false;
	*n = PQntuples(*res);
	*out = calloc((size_t)*n + 1, sizeof **out);
	if (!*out)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	for (int i = 0; i < *n; i++)
		(*out)[i] = (struct elig_notice){strtoll(PQgetvalue(*res, i, 0), NULL, 10), PQgetvalue(*res, i, 1),
						 (int)strtol(PQgetvalue(*res, i, 2), NULL, 10), PQgetvalue(*res, i, 3),
						 PQgetvalue(*res, i, 4)[0] == 't'};
	return true;
}

/* a household's record is not kept here: no rule can be read for it */
static void household_answer(struct buf *out, const char *kind, long long year, const char *on)
{
	buf_puts(out, "{\"award_kind_code\":");
	buf_json_cstr(out, kind);
	buf_printf(out, ",\"recipient_unit_id\":null,\"recipient_person_id\":null,\"year\":%lld,\"on\":\"%s\","
			"\"eligible\":null,\"rules_version\":null,\"checks\":[]}", year, on);
}

bool dossier_store_eligibility(struct req *r, long long id, long long year, const char *on)
{
	char idt[24];
	const char *params[] = {id_text(id, idt)};
	PGresult *list = NULL, *notes = NULL, *stored = NULL;
	struct elig_notice *notices = NULL;
	int nnotices;
	struct buf items, one;
	buf_init(&items);
	buf_init(&one);
	bool ok = false;
	if (!(list = db_run(r->db, &sql_proposals_of_dossier, 1, params, NULL, &r->err)) ||
	    !read_notices(r, idt, &notes, &notices, &nnotices))
		goto out;
	buf_putc(&items, '[');
	for (int i = 0; i < PQntuples(list); i++) {
		struct eligibility_ask ask = {
			.kind = PQgetvalue(list, i, 1), .year = year, .on = on, .personal = false, .for_proposal = true,
			.notices = notices, .nnotices = nnotices,
			.unit_id = PQgetisnull(list, i, 2) ? 0 : strtoll(PQgetvalue(list, i, 2), NULL, 10),
			.person_id = PQgetisnull(list, i, 3) ? 0 : strtoll(PQgetvalue(list, i, 3), NULL, 10),
		};
		enum tri eligible = TRI_NULL;
		buf_reset(&one);
		if (ask.unit_id || ask.person_id) {
			if (!eligibility_answer(r, r->db, &ask, &one, &eligible))
				goto out;
		} else {
			household_answer(&one, ask.kind, year, on);
		}
		BUF_CAT(&items, i ? ",{\"id\":" : "{\"id\":", PQgetvalue(list, i, 0), ",\"eligible\":",
			eligible == TRI_TRUE ? "true" : eligible == TRI_FALSE ? "false" : "null", ",\"eligibility\":");
		buf_append(&items, one.data ? one.data : "null", one.data ? one.len : 4);
		buf_putc(&items, '}');
	}
	buf_putc(&items, ']');
	if (!buf_ok(&items) || !buf_ok(&one)) {
		app_error_set(&r->err, 503, "The service is short of memory.");
		goto out;
	}
	const char *store[] = {items.data, on};
	ok = (stored = db_run(r->db, &sql_proposals_store_eligibility, 2, store, NULL, &r->err)) != NULL;
out:
	PQclear(list);
	PQclear(notes);
	PQclear(stored);
	free(notices);
	buf_free(&items);
	buf_free(&one);
	return ok;
}

/* "title_in_years (expr.items[0]) false; …": the leaves that keep a nominee from being eligible */
static void failing_checks(const char *answer, struct buf *out)
{
	json_error_t jerr;
	json_t *a = json_loads(answer, 0, &jerr), *check;
	size_t i;
	json_array_foreach(json_object_get(a, "checks"), i, check) {
		const char *rule = json_string_value(json_object_get(check, "rule"));
		json_t *passed = json_object_get(check, "passed");
		if (!rule || json_is_true(passed) || strcmp(rule, "all_of") == 0 || strcmp(rule, "any_of") == 0)
			continue;
		buf_printf(out, "%s%s (%s) %s", out->len ? "; " : "", rule,
			   json_string_value(json_object_get(check, "path")), json_is_false(passed) ? "false" : "null");
	}
	json_decref(a);
}

/* approve: the dossier is sent, its notice over when the kind asks one, the nominee shown
 * eligible by the rules in force on the dossier's date — or an override_reason */
static bool approve(struct req *r, const struct jvalue *body, PGresult *cur, struct action_result *out)
{
	const char *dossier = crud_cur(&proposals, cur, F_DOSSIER), *status = crud_cur(&proposals, cur, F_DOSSIER_STATUS);
	const char *kind = crud_cur(&proposals, cur, F_KIND), *on = crud_cur(&proposals, cur, F_SUBMITTED_ON);
	const char *asked_params[] = {kind, on};
	PGresult *res = db_run(r->db, &sql_proposals_notice_asked, 2, asked_params, NULL, &r->err), *notes = NULL;
	if (!res)
		return false;
	bool notice_asked = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	struct elig_notice *notices = NULL;
	int nnotices = 0;
	bool ok = read_notices(r, dossier, &notes, &notices, &nnotices);
	const struct elig_notice *own = NULL;
	for (int i = 0; ok && i < nnotices; i++)
		if (strcmp(notices[i].by, "approver") == 0)
			own = &notices[i];
	if (ok && strcmp(status, "public_notice") == 0 && own && !own->ended)
		ok = app_error_set(&r->err, 409, "Dossier %s is in public notice until %s; approve its nominees after.", dossier,
				   own->until);
	else if (ok && strcmp(status, "submitted") == 0 && notice_asked)
		ok = app_error_set(&r->err, 409, "%s asks a public notice: publish dossier %s first.", kind, dossier);
	struct buf answer, why;
	buf_init(&answer);
	buf_init(&why);
	if (ok) {
		const char *unit = crud_cur(&proposals, cur, F_UNIT), *person = crud_cur(&proposals, cur, F_PERSON);
		enum tri eligible = TRI_NULL;
		bool personal_read = false;
		struct eligibility_ask ask = {.kind = kind, .on = on, .personal = true, .for_proposal = true,
					      .notices = notices, .nnotices = nnotices, .personal_read = &personal_read,
					      .unit_id = unit ? strtoll(unit, NULL, 10) : 0,
					      .person_id = person ? strtoll(person, NULL, 10) : 0};
		ask.year = strtoll(crud_cur(&proposals, cur, F_DOSSIER_YEAR), NULL, 10);
		if (unit || person)
			ok = eligibility_answer(r, r->db, &ask, &answer, &eligible);
		if (ok && eligible != TRI_TRUE && !given(&body[0])) {
			if (answer.len)
				failing_checks(answer.data, &why);
			/* the refusal tells what a person's disciplines showed: the read it answers from
			 * is recorded (committed: nothing else is written before the approval itself),
			 * as GET /v1/eligibility records its own (API.md: every read audited) */
			if (personal_read && !db_commit(r->db, &r->err)) {
				ok = false;
			} else {
				/* the hint first: a problem's detail is cut at 255 bytes, and the list can be long */
				ok = app_error_set(&r->err, 409,
						   "Nominee %s is not shown eligible for %s: give override_reason to approve it anyway (%s).",
						   crud_cur(&proposals, cur, F_ID), kind,
						   why.len ? why.data : unit || person ? "eligibility unknown" : "a household's record is not kept here");
			}
		}
	}
	out->set[0] = ok && given(&body[0]) ? body[0].str : NULL;
	out->set[1] = NULL;
	buf_free(&answer);
	buf_free(&why);
	PQclear(notes);
	free(notices);
	return ok;
}

static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
		      struct action_result *out)
{
	const char *status = crud_cur(&proposals, cur, F_DOSSIER_STATUS);
	if (strcmp(status, "submitted") != 0 && strcmp(status, "public_notice") != 0)
		return app_error_set(&r->err, 409, "Dossier %s is %s; its nominees are approved or rejected while it is "
						   "submitted or in public notice.", crud_cur(&proposals, cur, F_DOSSIER), status);
	if (strcmp(a->name, "approve") == 0)
		return approve(r, body, cur, out);
	out->set[0] = body[0].str; /* reject: the reason; an earlier override goes */
	out->set[1] = NULL;
	return true;
}

/* GET /v1/proposals/{id}/eligibility: what submit stored */
static int stored_eligibility(struct req *r)
{
	char idt[24];
	PGresult *res = read_by_path_id(r, &sql_proposals_stored_eligibility, idt);
	if (!res)
		return -1;
	int rc;
	if (PQntuples(res) == 0)
		rc = req_fail(r, 404, "Proposal %s does not exist.", idt);
	else if (PQgetisnull(res, 0, 0))
		rc = req_fail(r, 409, "Proposal %s has no eligibility yet: it is computed when its dossier is submitted.", idt);
	else
		rc = (buf_puts(r->out, PQgetvalue(res, 0, 0)), 0);
	PQclear(res);
	return rc;
}

static const struct jfield approve_fields[] = {
	{"override_reason", JF_TEXT, JF_NULLABLE, 1, 2000, NULL, NULL, NULL},
};
static const struct jfield reject_fields[] = {
	{"reason", JF_TEXT, JF_REQUIRED, 1, 2000, NULL, NULL, NULL},
};
static const char *const approvable[] = {"pending", "rejected", NULL};
static const char *const rejectable[] = {"pending", "approved", NULL};
static const char *const approve_sets[] = {"override_reason", "rejection_reason", NULL};
static const char *const reject_sets[] = {"rejection_reason", "override_reason", NULL};
static const struct state_action actions[] = {
	{.name = "approve", .from = approvable, .to = "approved", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 WITH(body, approve_fields), .sets = approve_sets},
	{.name = "reject", .from = rejectable, .to = "rejected", .right = ACT_APPROVE_AWARDS, .of = "approving_unit_id",
	 WITH(body, reject_fields), .sets = reject_sets},
};
static const struct nesting nested[] = {
	{"/v1/dossiers", "dossiers", "Dossier", "dossier_id", OP_CREATE | OP_LIST},
};
/* the year of the nominee's dossier */
static const struct filter filters[] = {
	{{"year", NULL}, {JF_INT, JF_INT}, 2000, 2100, "d.year = $1", NULL},
};
static const struct resource_hooks hooks = {
	.encode = encode, .validate = validate, .before_write = before_write, .before_lock = before_lock,
	.may_change = may_change, .on_action = on_action,
};

static const struct resource proposals = {
	RESOURCE("proposals", "/v1/proposals", "Proposal"), WITH(fields, fields), .entity = "proposal",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read nominees but not propose them",
	WITH(constraints, constraints), .hooks = &hooks, .ops = OPS_NESTED_CREATE, WITH(nested, nested),
	WITH(filters, filters), WITH(actions, actions),
	.joins = "JOIN award_kinds k ON k.code = t.award_kind_code JOIN dossiers d ON d.id = t.dossier_id",
	.scope = "tdkt_dossier_visible(d.status, d.submitted_at, d.proposing_unit_id, d.approving_unit_id)",
};

static const struct route routes[] = {
	{"GET", "/v1/proposals/{id}/eligibility", stored_eligibility, 0, NULL},
};

const struct api_module proposals_module = {.name = "proposals", .resource = &proposals, WITH(routes, routes),
	WITH(stmts, stmts), WITH(facts, facts)};
