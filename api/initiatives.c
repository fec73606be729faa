/* /v1/initiatives — models and initiatives units register in a campaign and authorities
 * recognise (API.md "Initiatives"), created by POST /v1/campaigns/{id}/initiatives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/crud.h"
#include "api/initiatives.h"

static const char *const fields_of_work[] = {"new_rural_development", "administrative_reform",
	"front_and_mass_organizations", "party_and_government_building", "economy", "culture_society",
	"defense_security", "other", NULL};
const char *const initiative_statuses[] = {"registered", "recognized", "not_recognized", NULL};
static const char *const levels[] = {"grassroots", "district", "province", "national", NULL};

enum { F_ID, F_CAMPAIGN, F_UNIT, F_PERSON, F_TITLE, F_FIELD, F_YEAR };
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_CAMPAIGN] = {{"campaign_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_PARENT | FR_FILTER, NULL},
	[F_UNIT] = {{"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_OWNER | FR_FILTER | FR_SUBTREE, NULL},
	[F_PERSON] = {{"person_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	[F_TITLE] = {{"title", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_FIELD] = {{"field", JF_ENUM, JF_REQUIRED, 0, 0, fields_of_work, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	{{"description", JF_TEXT, JF_NULLABLE, 0, 4000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	{{"status", JF_ENUM, JF_READONLY, 0, 0, initiative_statuses, NULL, NULL}, NULL, COL_STR, FR_STATE | FR_FILTER, NULL},
	{JF_RO("recognized_level"), NULL, COL_STR, 0, NULL},
	{JF_RO("recognized_on"), NULL, COL_STR, 0, NULL},
	{JF_RO("recognized_by_unit_id"), NULL, COL_NUM, 0, NULL},
	/* its scope of effect (phạm vi ảnh hưởng), apart from the recognising level (sql/0021) */
	{JF_RO("recognized_scope"), NULL, COL_STR, 0, NULL},
	FIELDS_ROW_META,
};

/* recognition: {"level", "recognized_on", "scope"?} or {"recognized": false} */
static const char *const scopes[] = {"unit", "sector", "province", "national", NULL};
enum { R_LEVEL, R_ON, R_RECOGNIZED, R_SCOPE };
static const struct jfield recognize_fields[] = {
	[R_LEVEL] = {"level", JF_ENUM, 0, 0, 0, levels, NULL, NULL},
	[R_ON] = {"recognized_on", JF_DATE, 0, 0, 0, NULL, NULL, NULL},
	[R_RECOGNIZED] = {"recognized", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	[R_SCOPE] = {"scope", JF_ENUM, 0, 0, 0, scopes, NULL, NULL},
};

DB_STMT(initiatives_campaign, "SELECT c.status, extract(year FROM c.starts_on)::int, extract(year FROM c.ends_on)::int"
	" FROM campaigns c WHERE c.id = $1 FOR SHARE");
DB_STMT(initiatives_person_unit, "SELECT unit_id FROM people WHERE id = $1");
static const struct db_stmt *const stmts[] = {&sql_initiatives_campaign, &sql_initiatives_person_unit};

/* the person, when named, must be of the initiative's unit */
static bool check_person(struct req *r, const struct jvalue *person, long long unit)
{
	if (!person->present || person->is_null)
		return true;
	struct db_params p = {.n = 0};
	db_param_int(&p, person->num);
	PGresult *res = req_run(r, &sql_initiatives_person_unit, &p);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1, same = found && strtoll(PQgetvalue(res, 0, 0), NULL, 10) == unit;
	PQclear(res);
	if (!found)
		return app_error_field(&r->err, "person_id", "not_found", "person_id does not name an existing person");
	if (!same)
		return app_error_field(&r->err, "person_id", "other_unit", "the person belongs to another unit");
	return true;
}

/* the year in the campaign's period; a new initiative (new) needs an active campaign too */
static bool check_campaign(struct req *r, const struct jvalue *v, long long campaign, bool new)
{
	struct db_params p = {.n = 0};
	db_param_int(&p, campaign);
	PGresult *camp = req_run(r, &sql_initiatives_campaign, &p);
	if (!camp)
		return false;
	if (PQntuples(camp) == 0) { /* deleted since the parent was found */
		PQclear(camp);
		return app_error_set(&r->err, 404, "Campaign %lld does not exist.", campaign);
	}
	long long first = strtoll(PQgetvalue(camp, 0, 1), NULL, 10), last = strtoll(PQgetvalue(camp, 0, 2), NULL, 10);
	if (new && strcmp(PQgetvalue(camp, 0, 0), "active") != 0)
		app_error_field(&r->err, "campaign_id", "not_active", "the campaign is %s; initiatives need an active one",
				PQgetvalue(camp, 0, 0));
	if (v[F_YEAR].num < first || v[F_YEAR].num > last)
		app_error_field(&r->err, "year", "outside_period", "the campaign runs from %lld to %lld", first, last);
	PQclear(camp);
	return r->err.nfields == 0;
}

static const struct resource initiatives;

static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (!cur)
		return check_campaign(r, v, v[F_CAMPAIGN].num, true) && check_person(r, &v[F_PERSON], v[F_UNIT].num);
	/* a patch: a new year within the period, the person as it will be against the unit as it will be */
	if (v[F_YEAR].present &&
	    !check_campaign(r, v, strtoll(crud_cur(&initiatives, cur, F_CAMPAIGN), NULL, 10), false))
		return false;
	long long unit = v[F_UNIT].present ? v[F_UNIT].num : strtoll(crud_cur(&initiatives, cur, F_UNIT), NULL, 10);
	struct jvalue person = v[F_PERSON];
	const char *stored = crud_cur(&initiatives, cur, F_PERSON);
	if (!person.present && stored)
		person = (struct jvalue){.present = true, .num = strtoll(stored, NULL, 10)};
	return check_person(r, &person, unit);
}

static bool check_action(struct req *r, const struct state_action *a, const struct jvalue *v)
{
	(void)a;
	bool refused = v[R_RECOGNIZED].present && !v[R_RECOGNIZED].boolean;
	if (refused && (v[R_LEVEL].present || v[R_ON].present || v[R_SCOPE].present))
		app_error_field(&r->err, "recognized", "conflict",
				"give either level, recognized_on and scope, or recognized: false");
	if (!refused) {
		if (!v[R_LEVEL].present)
			app_error_field(&r->err, "level", "required", "level is required to recognise");
		if (!v[R_ON].present)
			app_error_field(&r->err, "recognized_on", "required", "recognized_on is required to recognise");
	}
	return r->err.nfields == 0;
}

/* recognised at a level on a day by the caller's unit, or not recognised */
static bool on_action(struct req *r, const struct state_action *a, const struct jvalue *v, PGresult *cur,
		      struct action_result *out)
{
	(void)a;
	(void)cur;
	if (v[R_RECOGNIZED].present && !v[R_RECOGNIZED].boolean) {
		out->to = "not_recognized";
		return true;
	}
	out->to = "recognized";
	out->set[0] = v[R_LEVEL].str;
	out->set[1] = v[R_ON].str;
	out->set[2] = id_text(r->caller.unit_id, out->text[2]);
	out->set[3] = v[R_SCOPE].present ? v[R_SCOPE].str : NULL;
	return true;
}

/* once decided, an initiative no longer changes */
static const char *const registered[] = {"registered", NULL};
static const char *const recognition[] = {"recognized_level", "recognized_on", "recognized_by_unit_id", "recognized_scope",
					   NULL};
static const struct state_action actions[] = {
	{.name = "recognize", .from = registered, .right = ACT_RECOGNIZE, .body = recognize_fields,
	 .nbody = API_COUNT(recognize_fields), .sets = recognition},
};
static const struct nesting nested[] = {
	{"/v1/campaigns", "campaigns", "Campaign", "campaign_id", OP_CREATE},
};
static const struct resource_hooks hooks = {.before_write = before_write, .check_action = check_action,
					    .on_action = on_action};

static const struct resource initiatives = {
	RESOURCE("initiatives", "/v1/initiatives", "Initiative"), WITH(fields, fields), .entity = "initiative",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read initiatives but not register them",
	.searchable = true, .hooks = &hooks, .ops = OPS_NESTED_CREATE, WITH(nested, nested),
	.editable = registered, .deletable = registered, WITH(actions, actions),
};

static const struct fk_fact facts[] = {
	{"initiatives_person_fkey", "person_id", "person_id does not name an existing person", "the person has initiatives"},
	{"initiatives_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has initiatives"},
	{"initiatives_recognized_by_fkey", "recognized_by_unit_id", "recognized_by_unit_id does not name an existing unit",
	 "the unit recognised initiatives"},
	{"initiatives_campaign_fkey", "campaign_id", "campaign_id names no campaign", "the campaign has initiatives"},
};

const struct api_module initiatives_module = {.name = "initiatives", WITH(stmts,
	stmts), .resource = &initiatives, WITH(facts, facts)};
