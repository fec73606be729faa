/* /v1/decisions — a signed decision granting awards (API.md "Decisions"): made by the authorities
 * of the issuing unit (ACT_APPROVE_AWARDS) for approved nominees of dossiers addressed to it. The
 * create is one transaction: the nominees locked and checked, one award per nominee on the record
 * (source 'decision'), the nominees decided — and, for a forwarded dossier's, the nominees of the
 * level below they copy — and every dossier left with nothing pending or approved decided. Only
 * the signer's name and title, and the signed document it names (its scan comes after it is
 * signed), change afterwards; no DELETE. `cancel` keeps the history: the decision cancelled, its
 * awards revoked (they stop counting for eligibility), its nominees revoked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/crud.h"
#include "api/dossiers.h"

#define DECISION_MAX_NOMINEES 1000

static const char *const statuses[] = {"in_force", "cancelled", NULL};

enum {
	F_ID, F_NUMBER, F_SIGNED, F_ISSUER, F_SIGNER_NAME, F_SIGNER_TITLE, F_DOCUMENT, F_PROPOSALS, F_AWARDS, F_STATUS, F_REASON,
	F_BASIS,
	F_CANCELLED_ON, F_CANCELLING, F_VERSION, F_CREATED, F_UPDATED
};
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_NUMBER] = {{"number", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC | FR_CREATE_ONLY, NULL},
	[F_SIGNED] = {{"signed_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, FR_CREATE_ONLY, NULL},
	[F_ISSUER] = {{"issuing_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		      FR_OWNER | FR_FILTER | FR_CREATE_ONLY, NULL},
	/* typos in them are corrected */
	[F_SIGNER_NAME] = {{"signer_name", JF_TEXT, JF_NULLABLE, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_SIGNER_TITLE] = {{"signer_title", JF_TEXT, JF_NULLABLE, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	/* its signed document (a document of kind decision, sql/0026): public with it; named at once or
	 * once it is scanned */
	[F_DOCUMENT] = {{"document_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	/* the nominees it decides (not those of lower levels a forwarded nominee copies) */
	[F_PROPOSALS] = {{"proposal_ids", JF_ID_LIST, JF_REQUIRED, 1, DECISION_MAX_NOMINEES, NULL, NULL, NULL},
			 "(SELECT coalesce(json_agg(p.id ORDER BY p.id), '[]') FROM proposals p WHERE p.decision_id = t.id"
			 " AND NOT EXISTS (SELECT 1 FROM proposals q WHERE q.decision_id = t.id AND q.forwarded_from_id = p.id))",
			 COL_JSON, FR_CHILD | FR_CREATE_ONLY, NULL},
	[F_AWARDS] = {JF_RO("awards"), "(SELECT count(*) FROM awards a WHERE a.decision_id = t.id)", COL_NUM, 0, NULL},
	[F_STATUS] = {{"status", JF_ENUM, JF_READONLY, 0, 0, statuses, NULL, NULL}, NULL, COL_STR, FR_STATE | FR_FILTER, NULL},
	[F_REASON] = {JF_RO("cancel_reason"), NULL, COL_STR, 0, NULL},
	[F_BASIS] = {JF_RO("cancel_legal_basis"), NULL, COL_STR, 0, NULL},
	[F_CANCELLED_ON] = {JF_RO("cancelled_on"), NULL, COL_STR, 0, NULL},
	[F_CANCELLING] = {JF_RO("cancelling_number"), NULL, COL_STR, 0, NULL},
	[F_VERSION] = {{"version", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_VERSION, NULL},
	[F_CREATED] = {{"created_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, 0, NULL},
	[F_UPDATED] = {{"updated_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, FR_UPDATED, NULL},
};

static const struct db_constraint constraints[] = {
	{"decisions_number_key", "number", "duplicate", "the issuing unit already has a decision with this number", 409},
	{"decisions_signed_range", "signed_on", "out_of_range", "signed_on is between 2000 and 2100", 0},
	{"decisions_cancelled_after_signed", "cancelled_on", "before_signed", "cancelled_on is before the decision was signed", 0},
	/* the awards it grants (sql/0011, sql/0024) */
	{"awards_once", "proposal_ids", "duplicate", "a nominee already has this award for the year from this decision", 409},
	{"awards_decided_in_or_after_year", "signed_on", "before_year", "signed_on is before a nominee's year", 0},
	/* a cancelled decision stays on the public record as it was published: the signer's typos are
	 * still corrected and a scan it never had may be named, but the signed document it had is
	 * neither replaced nor taken away (sql/0031) */
	{"decisions_cancelled_document", "document_id", "cancelled",
	 "the decision is cancelled: the signed document it was published with stays", 409},
	{"decisions_document_kind", "document_id", "not_decision",
	 "document_id does not name a document of kind decision, of a dossier addressed to the issuing unit, that you can read",
	 0},
};

static const struct fk_fact facts[] = {
	{"decisions_issuing_unit_fkey", "issuing_unit_id", "issuing_unit_id does not name an existing unit",
	 "the unit issued decisions"},
	{"awards_decision_fkey", "decision_id", "the decision does not exist", "the decision granted awards"},
};

/* the nominees named, locked after their dossiers (in id order both: the order a dossier's return
 * or a nominee's approval takes them in, so no two of them deadlock): each one's state, the unit
 * its dossier is addressed to, its dossier's state, and whether it was forwarded up in a copy not
 * rejected there, in a dossier not withdrawn (the level above decides it; rejected or withdrawn
 * above, it is the lower level's again). A dossier the caller may not lock (not addressed
 * to it: row-level security) is left unlocked; its nominees are refused below. */
DB_STMT(decisions_nominees, "WITH locked AS MATERIALIZED (SELECT id FROM dossiers WHERE id IN (SELECT dossier_id"
	"  FROM proposals WHERE id = ANY($1::bigint[])) ORDER BY id FOR UPDATE)"
	" SELECT p.id, p.status, d.approving_unit_id, d.status, EXISTS (SELECT 1 FROM proposals q"
	" JOIN dossiers u ON u.id = q.dossier_id WHERE q.forwarded_from_id = p.id AND q.status <> 'rejected'"
	" AND u.status <> 'withdrawn') FROM proposals p"
	" JOIN dossiers d ON d.id = p.dossier_id LEFT JOIN locked l ON l.id = d.id"
	" WHERE p.id = ANY($1::bigint[]) ORDER BY p.id FOR UPDATE OF p");
/* one award per nominee: the dossier's year, the type its kind of dossier rewards */
DB_STMT(decisions_grant, "INSERT INTO awards (award_kind_code, year, recipient_unit_id, recipient_person_id,"
	" recipient_household, decision_id, decision_number, decided_on, issuing_unit_id, source, award_type)"
	" SELECT p.award_kind_code, d.year, p.recipient_unit_id, p.recipient_person_id, p.recipient_household,"
	" x.id, x.number, x.signed_on, x.issuing_unit_id, 'decision',"
	" CASE d.kind WHEN 'campaign' THEN 'campaign' WHEN 'thematic' THEN 'campaign' WHEN 'ad_hoc' THEN 'ad_hoc'"
	"  WHEN 'dedication' THEN 'dedication' WHEN 'external' THEN 'external' ELSE 'merit' END"
	" FROM proposals p JOIN dossiers d ON d.id = p.dossier_id JOIN decisions x ON x.id = $2"
	" WHERE p.id = ANY($1::bigint[]) ORDER BY p.id");
/* the nominees decided, with the nominees of lower levels they copy, and their dossiers decided
 * once nothing in them waits */
DB_STMT(decisions_decide, "WITH RECURSIVE chain(id) AS ("
	" SELECT unnest($1::bigint[])"
	" UNION SELECT p.forwarded_from_id FROM proposals p JOIN chain c ON p.id = c.id WHERE p.forwarded_from_id IS NOT NULL),"
	" decided AS (UPDATE proposals SET status = 'decided', decision_id = $2, version = version + 1, updated_at = now()"
	"  WHERE id IN (SELECT id FROM chain) AND status = 'approved' RETURNING dossier_id)"
	" SELECT DISTINCT dossier_id FROM decided ORDER BY 1");
DB_STMT(decisions_close_dossiers, "UPDATE dossiers d SET status = 'decided', version = version + 1, updated_at = now()"
	" WHERE d.id = ANY($1::bigint[]) AND d.status <> 'decided' AND NOT EXISTS (SELECT 1 FROM proposals p"
	" WHERE p.dossier_id = d.id AND p.status IN ('pending', 'approved'))");
/* cancel: the awards revoked, the nominees too */
DB_STMT(decisions_revoke, "WITH awards_revoked AS (UPDATE awards SET revoked_on = $2::date, revocation_reason = $3,"
	" version = version + 1, updated_at = now() WHERE decision_id = $1 RETURNING 1)"
	" UPDATE proposals SET status = 'revoked', version = version + 1, updated_at = now()"
	" WHERE decision_id = $1 AND status = 'decided'");
static const struct db_stmt *const stmts[] = {&sql_decisions_nominees, &sql_decisions_grant, &sql_decisions_decide,
					      &sql_decisions_close_dossiers, &sql_decisions_revoke};

static const struct resource decisions;

/* "{3,5,8}" from the decoded id list */
static bool id_array(json_t *list, struct buf *out)
{
	size_t i;
	json_t *id;
	buf_putc(out, '{');
	json_array_foreach(list, i, id) {
		buf_printf(out, "%s%lld", i ? "," : "", (long long)json_integer_value(id));
	}
	buf_putc(out, '}');
	return buf_ok(out);
}

/* the nominees exist (as the caller sees them), are approved, and are addressed to the issuer */
static bool check_nominees(struct req *r, json_t *list, const char *ids, long long issuer)
{
	PGresult *res = db_run(r->db, &sql_decisions_nominees, 1, &ids, NULL, &r->err);
	if (!res)
		return false;
	size_t i;
	json_t *id;
	json_array_foreach(list, i, id) {
		long long want = json_integer_value(id);
		char field[48];
		snprintf(field, sizeof field, "proposal_ids[%zu]", i);
		int row = -1;
		for (int k = 0; k < PQntuples(res) && row < 0; k++)
			if (strtoll(PQgetvalue(res, k, 0), NULL, 10) == want)
				row = k;
		if (row < 0)
			app_error_field(&r->err, field, "not_found", "proposal %lld does not exist", want);
		else if (strcmp(PQgetvalue(res, row, 1), "approved") != 0)
			app_error_field(&r->err, field, "not_approved", "proposal %lld is %s, not approved", want,
					PQgetvalue(res, row, 1));
		else if (strtoll(PQgetvalue(res, row, 2), NULL, 10) != issuer)
			app_error_field(&r->err, field, "other_approver",
					"proposal %lld is in a dossier addressed to unit %s, not the issuing unit", want,
					PQgetvalue(res, row, 2));
		else if (strcmp(PQgetvalue(res, row, 3), "withdrawn") == 0)
			app_error_field(&r->err, field, "withdrawn", "proposal %lld is in a withdrawn dossier", want);
		else if (PQgetvalue(res, row, 4)[0] == 't')
			app_error_field(&r->err, field, "forwarded",
					"proposal %lld was forwarded to the next level, which decides it", want);
	}
	PQclear(res);
	return r->err.nfields == 0;
}

static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	(void)cur;
	if (!v[F_PROPOSALS].present)
		return true;
	/* the decoder bounds a list's length above only (an id twice it refuses itself: 422 duplicate) */
	if (json_array_size(v[F_PROPOSALS].list) == 0)
		return app_error_field(&r->err, "proposal_ids", "too_short", "a decision names at least one nominee");
	return true;
}

/* the grant, in the create's transaction */
static bool after_write(struct req *r, const struct jvalue *v, PGresult *cur, PGresult *row)
{
	if (cur)
		return true;
	struct buf ids, dossiers;
	buf_init(&ids);
	buf_init(&dossiers);
	PGresult *res = NULL;
	const char *decision = PQgetvalue(row, 0, crud_shape(&decisions)->id_col);
	bool ok = id_array(v[F_PROPOSALS].list, &ids) || app_error_set(&r->err, 503, "The service is short of memory.");
	ok = ok && check_nominees(r, v[F_PROPOSALS].list, ids.data, v[F_ISSUER].num);
	const char *params[] = {ids.data, decision};
	ok = ok && (res = db_run(r->db, &sql_decisions_grant, 2, params, crud_write_explained(&decisions), &r->err)) != NULL;
	PQclear(res);
	res = NULL;
	ok = ok && (res = db_run(r->db, &sql_decisions_decide, 2, params, crud_write_explained(&decisions), &r->err)) != NULL;
	if (ok)
		ok = db_int_array(&dossiers, res, 0, PQntuples(res)) ||
		     app_error_set(&r->err, 503, "The service is short of memory.");
	PQclear(res);
	res = NULL;
	const char *close[] = {dossiers.data};
	ok = ok && (res = db_run(r->db, &sql_decisions_close_dossiers, 1, close, NULL, &r->err)) != NULL;
	PQclear(res);
	buf_free(&ids);
	buf_free(&dossiers);
	return ok;
}

static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
		      struct action_result *out)
{
	(void)a;
	const char *params[] = {crud_cur(&decisions, cur, F_ID), body[2].str, body[0].str};
	if (strcmp(body[2].str, crud_cur(&decisions, cur, F_SIGNED)) < 0)
		return app_error_field(&r->err, "cancelled_on", "before_signed", "cancelled_on is before the decision was signed");
	PGresult *res = db_run(r->db, &sql_decisions_revoke, 3, params, NULL, &r->err);
	PQclear(res);
	for (int i = 0; i < 4; i++)
		out->set[i] = body[i].str;
	return res != NULL;
}

/* the Law's grounds for revoking an award, and the decision that cancels this one */
static const struct jfield cancel_fields[] = {
	{"reason", JF_TEXT, JF_REQUIRED, 1, 2000, NULL, NULL, NULL},
	{"legal_basis", JF_TEXT, JF_REQUIRED, 1, 500, NULL, NULL, NULL},
	{"cancelled_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	{"cancelling_number", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL},
};
static const char *const in_force[] = {"in_force", NULL};
static const char *const cancel_sets[] = {"cancel_reason", "cancel_legal_basis", "cancelled_on", "cancelling_number", NULL};
static const struct state_action actions[] = {
	{.name = "cancel", .from = in_force, .to = "cancelled", WITH(body, cancel_fields), .sets = cancel_sets},
};
static const struct resource_hooks hooks = {.validate = validate, .after_write = after_write, .on_action = on_action};

static const struct resource decisions = {
	RESOURCE("decisions", "/v1/decisions", "Decision"), WITH(fields, fields), .entity = "decision",
	.write = ACT_APPROVE_AWARDS, .write_denied = "may read decisions but not issue them",
	WITH(constraints, constraints), .hooks = &hooks, .ops = OP_LIST | OP_GET | OP_CREATE | OP_PATCH,
	WITH(actions, actions),
};

const struct api_module decisions_module = {.name = "decisions", WITH(stmts, stmts), .resource = &decisions,
	WITH(facts, facts)};
