/* /v1/disciplines — a person's disciplines (kỷ luật), imposed or under consideration (API.md
 * "Ratings and discipline"; issue 13): facts the eligibility rules read. Personal data: read and
 * written only by authorities whose subtree holds the person's unit, and by admins — by the
 * descriptor's scope, and again by row-level security (sql/0020_disciplines.sql); anyone else
 * finds no row (404, absent from lists). Every read is recorded in the audit trail
 * (.audit_reads, api/crud.c); the change feed shows its changes to admins only, never inline. */
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"

/* lightest first: Luật Cán bộ, công chức 2008 Điều 79 (to be checked: sql/0020) */
static const char *const levels[] = {"reprimand", "warning", "demotion", "removal", "dismissal", NULL};

enum { F_ID, F_PERSON, F_LEVEL, F_DECIDED_ON, F_FROM, F_TO, F_NUMBER, F_PENDING, F_NOTE };
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	/* another person is another discipline */
	[F_PERSON] = {{"person_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER | FR_CREATE_ONLY,
		      NULL},
	[F_LEVEL] = {{"level", JF_ENUM, JF_REQUIRED, 0, 0, levels, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_DECIDED_ON] = {{"decided_on", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[F_FROM] = {{"effective_from", JF_DATE, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[F_TO] = {{"effective_to", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	[F_NUMBER] = {{"decision_number", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	/* under consideration (đang bị xem xét kỷ luật), which Nghị định 152/2025 counts too */
	[F_PENDING] = {{"pending", JF_BOOL, 0, 0, 0, NULL, NULL, NULL}, NULL, COL_BOOL, FR_FILTER, "false"},
	[F_NOTE] = {{"note", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	FIELDS_ROW_META,
	/* the unit whose data it is: the person's, as the person is now */
	{JF_RO("person_unit_id"), "((SELECT p.unit_id FROM people p WHERE p.id = t.person_id))", COL_NUM,
	 FR_OWNER | FR_HIDDEN, NULL},
};

static const struct db_constraint constraints[] = {
	{"disciplines_period", "effective_to", "before_start", "effective_to is before effective_from", 0},
	/* lengths are checked in C before NFC; a text that grows under it meets these */
	{"disciplines_decision_number_length", "decision_number", "too_long",
	 "decision_number is longer than 64 characters in NFC", 0},
	{"disciplines_note_length", "note", "too_long", "note is longer than 2000 characters in NFC", 0},
};

DB_STMT(disciplines_person_unit, "SELECT unit_id FROM people WHERE id = $1");
static const struct db_stmt *const stmts[] = {&sql_disciplines_person_unit};

static const struct resource disciplines;

/* the period, as it will be after a create or a patch: not ending before it starts */
static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	const char *from = cur ? crud_patched(&disciplines, v, cur, F_FROM) : v[F_FROM].str;
	const char *to = cur ? crud_patched(&disciplines, v, cur, F_TO) : (v[F_TO].present ? v[F_TO].str : NULL);
	if (!from || !to || strcmp(to, from) >= 0) /* ISO dates compare as text */
		return true;
	return app_error_field(&r->err, "effective_to", "before_start", "effective_to is before effective_from");
}

/* a create: the person exists, and the caller may record disciplines in the person's unit */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (cur)
		return true;
	struct db_params p = {.n = 0};
	db_param_int(&p, v[F_PERSON].num);
	PGresult *res = req_run(r, &sql_disciplines_person_unit, &p);
	if (!res)
		return false;
	long long unit = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (!unit)
		return app_error_field(&r->err, "person_id", "not_found", "person_id does not name an existing person");
	return authz_require_unit_field(r, ACT_DISCIPLINE, unit, "person_id");
}

static const struct resource_hooks hooks = {.validate = validate, .before_write = before_write};

static const struct resource disciplines = {
	RESOURCE("disciplines", "/v1/disciplines", "Discipline"), WITH(fields, fields), .entity = "discipline",
	.write = ACT_DISCIPLINE, .write_denied = "may not read or record disciplines",
	WITH(constraints, constraints), .hooks = &hooks,
	.scope = "tdkt_actor_disciplines(t.person_id)", .audit_reads = true,
};

/* a person's delete is refused without saying why to whoever may not read disciplines */
static const struct fk_fact facts[] = {
	{"disciplines_person_fkey", "person_id", "person_id does not name an existing person",
	 "the person still has records kept about them"},
};

const struct api_module disciplines_module = {.name = "disciplines", WITH(stmts, stmts), .resource = &disciplines,
	WITH(facts, facts)};
