/* /v1/registrations — a unit's yearly commitment in a campaign (API.md "Registrations"), created
 * by POST /v1/campaigns/{id}/registrations. Written by officers and authorities inside their
 * subtree (and admins) while a draft; drafts are visible only to that subtree and admins — by the
 * descriptor's scope, and again by row-level security (sql/0008_registrations.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/award_kinds.h"
#include "api/crud.h"

static const char *const statuses[] = {"draft", "submitted", NULL};

enum { F_ID, F_CAMPAIGN, F_UNIT, F_YEAR, F_TITLES, F_TARGETS };
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_CAMPAIGN] = {{"campaign_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_PARENT | FR_FILTER, NULL},
	/* which unit and year a registration is for does not change */
	[F_UNIT] = {{"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		    FR_OWNER | FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_TITLES] = {{"titles", JF_STRING_LIST, 0, 0, 20, NULL, snake_code_ok,
		       "must be an award-kind code (^[a-z][a-z0-9_]{1,47}$)"}, NULL, COL_JSON, 0, "'{}'"},
	[F_TARGETS] = {{"targets", JF_ARRAY, 0, 0, 100, NULL, NULL, NULL}, NULL, COL_JSON, 0, "'[]'"},
	{{"pact_signed_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_STR, 0, NULL},
	{{"status", JF_ENUM, JF_READONLY, 0, 0, statuses, NULL, NULL}, NULL, COL_STR, FR_STATE | FR_FILTER, NULL},
	{JF_RO("submitted_at"), NULL, COL_TIME, 0, NULL},
	FIELDS_ROW_META,
};

enum { T_CODE, T_TARGET };
static const struct jfield target_fields[] = {
	[T_CODE] = {"indicator_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[T_TARGET] = {"target", JF_NUMBER, JF_REQUIRED, 0, 1000000000000000LL, NULL, NULL, NULL},
};

static const struct db_constraint constraints[] = {
	{"registrations_once", "year", "duplicate", "the unit is already registered in this campaign for this year", 0},
};

/* what a registration needs of its campaign for (unit $2, year $3) */
DB_STMT(registrations_campaign, "SELECT c.status, extract(year FROM c.starts_on)::int, extract(year FROM c.ends_on)::int,"
	" EXISTS (SELECT 1 FROM campaign_clusters cc WHERE cc.campaign_id = c.id),"
	" EXISTS (SELECT 1 FROM campaign_clusters cc JOIN cluster_members m ON m.cluster_id = cc.cluster_id"
	"   WHERE cc.campaign_id = c.id AND m.unit_id = $2 AND m.year = $3)"
	" FROM campaigns c WHERE c.id = $1 FOR SHARE OF c");
/* the targets ($2, as stored) on indicators the campaign is not scored on */
DB_STMT(registrations_foreign_targets, "SELECT x->>'indicator_code' FROM jsonb_array_elements($2::jsonb) AS x WHERE x->>'indicator_code'"
	" NOT IN (SELECT indicator_code FROM campaign_indicators WHERE campaign_id = $1)");
static const struct db_stmt *const stmts[] = {&sql_registrations_campaign, &sql_registrations_foreign_targets};

/* targets: each {indicator_code, target} once, stored with exactly those two fields */
static bool encode(struct req *r, int field, const struct jvalue *v, struct buf *out)
{
	size_t i;
	json_t *item;
	if (field != F_TARGETS)
		return true;
	buf_putc(out, '[');
	json_array_foreach(v->list, i, item) {
		struct jvalue t[2];
		if (!jin_decode_item(item, "targets", i, target_fields, 2, t, &r->err))
			continue;
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(v->list, j), "indicator_code"),
				       json_object_get(item, "indicator_code"))) {
				char name[64];
				snprintf(name, sizeof name, "targets[%zu].indicator_code", i);
				app_error_field(&r->err, name, "duplicate", "indicator %s has two targets", t[T_CODE].str);
			}
		buf_puts(out, i ? ",{\"indicator_code\":" : "{\"indicator_code\":");
		buf_json_cstr(out, t[T_CODE].str);
		buf_puts(out, ",\"target\":");
		buf_puts(out, t[T_TARGET].number);
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	return r->err.nfields == 0;
}

/* targets only on the campaign's indicators */
static bool check_targets(struct req *r, const char *campaign, const char *targets)
{
	const char *params[] = {campaign, targets};
	PGresult *res = db_run(r->db, &sql_registrations_foreign_targets, 2, params, NULL, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, "targets", "not_in_campaign", "the campaign is not scored on %s",
				PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

/* a new registration: the campaign active, the year in its period, the unit in one of its
 * clusters that year (when it has clusters) */
static bool check_campaign(struct req *r, const struct jvalue *v, const char *campaign)
{
	struct db_params p = {.n = 0};
	db_param(&p, campaign);
	db_param_int(&p, v[F_UNIT].num);
	db_param_int(&p, v[F_YEAR].num);
	PGresult *camp = req_run(r, &sql_registrations_campaign, &p);
	if (!camp)
		return false;
	if (PQntuples(camp) == 0) { /* deleted since the parent was found */
		PQclear(camp);
		return app_error_set(&r->err, 404, "Campaign %s does not exist.", campaign);
	}
	const char *status = PQgetvalue(camp, 0, 0);
	long long first = strtoll(PQgetvalue(camp, 0, 1), NULL, 10), last = strtoll(PQgetvalue(camp, 0, 2), NULL, 10);
	if (strcmp(status, "active") != 0)
		app_error_field(&r->err, "campaign_id", "not_active", "the campaign is %s; registrations need an active one", status);
	if (v[F_YEAR].num < first || v[F_YEAR].num > last)
		app_error_field(&r->err, "year", "outside_period", "the campaign runs from %lld to %lld", first, last);
	if (PQgetvalue(camp, 0, 3)[0] == 't' && PQgetvalue(camp, 0, 4)[0] != 't')
		app_error_field(&r->err, "unit_id", "not_in_cluster",
				"the unit is in none of the campaign's clusters in %lld", v[F_YEAR].num);
	PQclear(camp);
	return r->err.nfields == 0;
}

static const struct resource registrations;

static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	char id[24];
	const char *campaign = cur ? crud_cur(&registrations, cur, F_CAMPAIGN) : id_text(v[F_CAMPAIGN].num, id);
	return (cur || check_campaign(r, v, campaign)) &&
	       (!v[F_TARGETS].present || check_targets(r, campaign, v[F_TARGETS].str)) &&
	       (!v[F_TITLES].present || award_kinds_check_codes(r, v[F_TITLES].str, "titles"));
}

static const char *const drafts[] = {"draft", NULL};
static const struct state_action actions[] = {
	{.name = "submit", .from = drafts, .to = "submitted", .stamp = "submitted_at"},
};
static const struct nesting nested[] = {
	{"/v1/campaigns", "campaigns", "Campaign", "campaign_id", OP_CREATE},
};
/* cluster_id: the units that are members of it in the registration's year */
static const struct filter filters[] = {
	{{"cluster_id", NULL}, {JF_ID, JF_ID}, 0, 0,
	 "EXISTS (SELECT 1 FROM cluster_members m WHERE m.cluster_id = $1 AND m.unit_id = t.unit_id AND m.year = t.year)", NULL},
};
static const struct resource_hooks hooks = {.encode = encode, .before_write = before_write};

static const struct resource registrations = {
	RESOURCE("registrations", "/v1/registrations", "Registration"), WITH(fields, fields), .entity = "registration",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read registrations but not make them",
	WITH(filters, filters),
	WITH(constraints, constraints), .hooks = &hooks,
	.ops = OPS_NESTED_CREATE, WITH(nested, nested),
	.editable = drafts, .deletable = drafts, WITH(actions, actions),
	/* drafts: admins and the unit's subtree; integrations never see them (sql/0010) */
	.scope = "t.status <> 'draft' OR tdkt_actor_reaches(t.unit_id)",
};

static const struct fk_fact facts[] = {
	{"registrations_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has registrations"},
	{"registrations_campaign_fkey", "campaign_id", "campaign_id names no campaign", "the campaign has registrations"},
};

const struct api_module registrations_module = {.name = "registrations", WITH(stmts, stmts),
	.resource = &registrations, WITH(facts, facts)};
