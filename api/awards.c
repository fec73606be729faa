/* /v1/awards — the award record (API.md "Awards"): one granted award per row, on a unit
 * (collective) or a person (individual), with its own lists on /v1/units/{id}/awards and
 * /v1/people/{id}/awards. Everyone authenticated reads it (awards are never drafts). Awards a
 * decision grants arrive with the decision; POST records one granted before the system
 * (source "history"), by an authority over the recipient's unit or an admin, so that eligibility
 * has the years before. Only history records may be corrected or deleted; a decision's awards
 * change with the decision. */
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"

static const char *const sources[] = {"decision", "history", NULL};
/* what it rewards (sql/0021): công trạng, theo phong trào/chuyên đề, đột xuất, cống hiến, đối ngoại */
static const char *const award_types[] = {"merit", "campaign", "ad_hoc", "dedication", "external", NULL};

enum {
	F_ID, F_KIND, F_KIND_NAME, F_YEAR, F_UNIT, F_PERSON, F_DECISION_ID, F_NUMBER, F_DECIDED_ON, F_ISSUER, F_SOURCE,
	F_TYPE, F_PERIOD_FROM, F_PERIOD_TO, F_HOUSEHOLD, F_REVOKED_ON, F_REVOCATION
};
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_KIND] = {{"award_kind_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, NULL, COL_STR,
		    FR_FILTER, NULL},
	[F_KIND_NAME] = {JF_RO("award_kind_name"), "(k.name)", COL_STR, 0, NULL},
	[F_YEAR] = {{"year", JF_INT, JF_REQUIRED, 1945, 2100, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	/* another recipient is another award: delete this one and record that one */
	[F_UNIT] = {{"recipient_unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		    FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_PERSON] = {{"recipient_person_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		      FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_DECISION_ID] = {JF_RO("decision_id"), NULL, COL_NUM, 0, NULL},
	[F_NUMBER] = {{"decision_number", JF_STRING, JF_NULLABLE, 1, 64, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_DECIDED_ON] = {{"decided_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[F_ISSUER] = {{"issuing_unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_SOURCE] = {{"source", JF_ENUM, JF_READONLY, 0, 0, sources, NULL, NULL}, NULL, COL_STR, FR_FILTER, "'history'"},
	[F_TYPE] = {{"award_type", JF_ENUM, 0, 0, 0, award_types, NULL, NULL}, NULL, COL_STR, FR_FILTER, "'merit'"},
	/* the years the rewarded achievement spans (both or neither: neither is the award's year) */
	[F_PERIOD_FROM] = {{"period_from", JF_INT, JF_NULLABLE, 1945, 2100, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	[F_PERIOD_TO] = {{"period_to", JF_INT, JF_NULLABLE, 1945, 2100, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	/* a household's award comes with its decision (history records name a unit or a person) */
	[F_HOUSEHOLD] = {JF_RO("recipient_household"), NULL, COL_JSON, 0, NULL},
	/* its decision cancelled: kept on the record, no longer evidence for eligibility */
	[F_REVOKED_ON] = {JF_RO("revoked_on"), NULL, COL_STR, 0, NULL},
	[F_REVOCATION] = {JF_RO("revocation_reason"), NULL, COL_STR, 0, NULL},
	FIELDS_ROW_META,
	/* the unit whose record it is: the recipient unit, or the recipient person's unit */
	{JF_RO("record_unit_id"),
	 "(coalesce(t.recipient_unit_id, (SELECT p.unit_id FROM people p WHERE p.id = t.recipient_person_id),"
	 " t.issuing_unit_id))", COL_NUM,
	 FR_OWNER | FR_HIDDEN, NULL},
};

static const struct db_constraint constraints[] = {
	{"awards_once", "award_kind_code", "duplicate",
	 "the recipient already has this award for this year from this decision", 409},
	{"awards_period_both", "period_to", "required", "period_from and period_to go together", 0},
	{"awards_period_order", "period_to", "out_of_range", "the period runs from period_from to period_to, at the latest the award's year", 0},
};

/* what a new or changed award must agree with: the kind's recipient, the person's unit */
DB_STMT(awards_recipient, "SELECT (SELECT recipient FROM award_kinds WHERE code = $1),"
	" (SELECT unit_id FROM people WHERE id = $2)");
static const struct db_stmt *const stmts[] = {&sql_awards_recipient};

static const struct resource awards;

/* a field's value after the write: the body's, else the row's (cur NULL on create) */
static bool int_after(const struct jvalue *v, PGresult *cur, int field, long long *out)
{
	if (v[field].present)
		return !v[field].is_null && (*out = v[field].num, true);
	const char *was = cur ? crud_cur(&awards, cur, field) : NULL;
	return was && (*out = strtoll(was, NULL, 10), true);
}

/* on create, exactly one recipient; the period both or neither, in order, up to the award's year */
static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	bool to_unit = v[F_UNIT].present && !v[F_UNIT].is_null, to_person = v[F_PERSON].present && !v[F_PERSON].is_null;
	if (!cur && to_unit == to_person)
		app_error_field(&r->err, to_unit ? "recipient_person_id" : "recipient_unit_id", "one_recipient",
				"name exactly one of recipient_unit_id and recipient_person_id");
	long long from, to, year;
	bool has_from = int_after(v, cur, F_PERIOD_FROM, &from), has_to = int_after(v, cur, F_PERIOD_TO, &to);
	if (has_from != has_to)
		app_error_field(&r->err, has_from ? "period_to" : "period_from", "required",
				"period_from and period_to go together");
	else if (has_from && int_after(v, cur, F_YEAR, &year) && (from > to || to > year))
		app_error_field(&r->err, "period_to", "out_of_range",
				"the period runs from period_from to period_to, at the latest the award's year %lld", year);
	return r->err.nfields == 0;
}

/* The rules a write checks before the database's own: a kind that exists and fits the recipient,
 * a decision date not before the award's year. For a person, *record_unit gets the person's unit
 * (0 when the person does not exist: the caller's 422). */
static bool check_award(struct req *r, const char *kind, long long year, const char *decided_on, bool individual,
			long long person, long long *record_unit)
{
	struct db_params p = {.n = 0};
	db_param(&p, kind);
	db_param_int_if(&p, person != 0, person);
	PGresult *res = req_run(r, &sql_awards_recipient, &p);
	if (!res)
		return false;
	if (PQgetisnull(res, 0, 0)) {
		app_error_field(&r->err, "award_kind_code", "not_found", "award_kind_code names no award kind");
	} else {
		const char *fits = PQgetvalue(res, 0, 0);
		if (strcmp(fits, "individual") == 0 && !individual)
			app_error_field(&r->err, "recipient_unit_id", "recipient_kind",
					"%s is awarded to individuals: name recipient_person_id", kind);
		else if (strcmp(fits, "collective") == 0 && individual)
			app_error_field(&r->err, "recipient_person_id", "recipient_kind",
					"%s is awarded to collectives: name recipient_unit_id", kind);
	}
	if (person) {
		if (PQgetisnull(res, 0, 1))
			app_error_field(&r->err, "recipient_person_id", "not_found",
					"recipient_person_id does not name an existing person");
		else
			*record_unit = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	if (decided_on && strtoll(decided_on, NULL, 10) < year)
		app_error_field(&r->err, "decided_on", "before_year", "decided_on is before the award's year %lld", year);
	return r->err.nfields == 0;
}

static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (cur) {
		const char *kind = v[F_KIND].present ? v[F_KIND].str : crud_cur(&awards, cur, F_KIND);
		long long year = v[F_YEAR].present ? v[F_YEAR].num : strtoll(crud_cur(&awards, cur, F_YEAR), NULL, 10);
		const char *decided_on = v[F_DECIDED_ON].present ? v[F_DECIDED_ON].str : crud_cur(&awards, cur, F_DECIDED_ON);
		long long unused;
		return check_award(r, kind, year, decided_on, crud_cur(&awards, cur, F_UNIT) == NULL, 0, &unused);
	}
	/* the right is over the record's unit: the recipient's, or the recipient person's */
	bool to_unit = v[F_UNIT].present && !v[F_UNIT].is_null;
	long long record_unit = to_unit ? v[F_UNIT].num : 0;
	return check_award(r, v[F_KIND].str, v[F_YEAR].num, v[F_DECIDED_ON].str, !to_unit, to_unit ? 0 : v[F_PERSON].num,
			   &record_unit) &&
	       authz_require_unit_field(r, ACT_RECORD_AWARDS, record_unit, to_unit ? "recipient_unit_id" : "recipient_person_id");
}

/* 409 for an award a decision granted */
static bool may_change(struct req *r, PGresult *cur)
{
	if (strcmp(crud_cur(&awards, cur, F_SOURCE), "history") == 0)
		return true;
	const char *number = crud_cur(&awards, cur, F_NUMBER);
	return app_error_set(&r->err, 409, "Award %s was granted by decision %s; it changes only with its decision.",
			     crud_cur(&awards, cur, F_ID), number ? number : crud_cur(&awards, cur, F_DECISION_ID));
}

/* a record's page with no filter but the cursor is prepared: eligibility and the apps read it most */
static const struct nesting nested[] = {
	{"/v1/units", "units", "Unit", "recipient_unit_id", OP_LIST},
	{"/v1/people", "people", "Person", "recipient_person_id", OP_LIST},
};
/* revoked=true: the awards of cancelled decisions (awards_revoked_idx: the list is planned with its
 * values, so the CASE folds to the partial index's condition); false: those in force */
static const struct filter filters[] = {
	{{"revoked", NULL}, {JF_BOOL, JF_BOOL}, 0, 0, "CASE WHEN $1 THEN t.revoked_on IS NOT NULL ELSE t.revoked_on IS NULL END", NULL},
	/* GET /v1/units/{id}/awards?include_people=true: the unit's people's awards too (people_unit_idx,
	 * awards_person_idx) */
	{{"include_people", NULL}, {JF_ID, JF_ID}, 0, 0,
	 "t.recipient_unit_id = $1 OR t.recipient_person_id IN (SELECT p.id FROM people p WHERE p.unit_id = $1)",
	 "recipient_unit_id"},
};
static const struct resource_hooks hooks = {.validate = validate, .before_write = before_write, .may_change = may_change};

static const struct resource awards = {
	RESOURCE("awards", "/v1/awards", "Award"), WITH(fields, fields), .entity = "award",
	.write = ACT_RECORD_AWARDS, .write_denied = "may read the award record but not change it",
	WITH(constraints, constraints), .hooks = &hooks, .joins = "JOIN award_kinds k ON k.code = t.award_kind_code",
	WITH(nested, nested), WITH(filters, filters),
};

static const struct fk_fact facts[] = {
	{"awards_person_fkey", "recipient_person_id", "recipient_person_id does not name an existing person",
	 "the person has awards on their record"},
	{"awards_unit_fkey", "recipient_unit_id", "recipient_unit_id does not name an existing unit",
	 "the unit has awards on its record"},
	{"awards_issuing_unit_fkey", "issuing_unit_id", "issuing_unit_id does not name an existing unit",
	 "the unit issued awards"},
	{"awards_kind_fkey", "award_kind_code", "award_kind_code names no award kind", "awards of this kind are on record"},
};

const struct api_module awards_module = {.name = "awards", WITH(stmts, stmts), .resource = &awards,
	WITH(facts, facts)};
