/* /v1/indicators — the indicator catalogue (API.md "Indicators"), keyed by code. Everyone reads
 * it; admins add base indicators and change or delete the ones they added. The seeded
 * indicators (sql/0005_indicators.sql) are read-only. */
#include <string.h>
#include "api/crud.h"

static const char *const units_of_measure[] = {"count", "vnd", "m2", "percent", NULL};
static const char *const kinds[] = {"base", "ratio", NULL};

enum { F_CODE, F_NAME, F_UNIT, F_KIND, F_NUMERATOR, F_DENOMINATOR, F_DESCRIPTION, F_SEEDED };
static const struct field fields[] = {
	[F_CODE] = {{"code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, NULL, COL_STR,
		    FR_KEY | FR_CREATE_ONLY, NULL},
	[F_NAME] = {{"name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_UNIT] = {{"unit", JF_ENUM, JF_REQUIRED, 0, 0, units_of_measure, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_KIND] = {{"kind", JF_ENUM, 0, 0, 0, kinds, NULL, NULL}, NULL, COL_STR, FR_FILTER | FR_CREATE_ONLY, "'base'"},
	[F_NUMERATOR] = {JF_RO("numerator"), NULL, COL_STR, 0, NULL},
	[F_DENOMINATOR] = {JF_RO("denominator"), NULL, COL_STR, 0, NULL},
	[F_DESCRIPTION] = {{"description", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_SEEDED] = {JF_RO("seeded"), NULL, COL_BOOL, 0, NULL},
	FIELDS_ROW_META,
	{JF_RO("id"), NULL, COL_NUM, 0, NULL},
};

/* only base indicators are added: ratios are seeded with their formula */
static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (!cur && v[F_KIND].present && strcmp(v[F_KIND].str, "base") != 0)
		return app_error_field(&r->err, "kind", "not_allowed", "only base indicators can be added; ratios are seeded");
	return true;
}

static bool may_change(struct req *r, PGresult *cur)
{
	if (PQgetvalue(cur, 0, F_SEEDED)[0] != 't')
		return true;
	return app_error_set(&r->err, 403, "Indicator %s belongs to the seeded catalogue and is read-only.",
			     PQgetvalue(cur, 0, F_CODE));
}

static const struct db_constraint constraints[] = {
	{"indicators_pkey", "code", "duplicate", "an indicator with this code exists", 0},
};
static const struct fk_fact facts[] = {
	{"indicators_numerator_fkey", "numerator", "numerator names no indicator", "a ratio indicator is computed from this one"},
	{"indicators_denominator_fkey", "denominator", "denominator names no indicator",
	 "a ratio indicator is computed from this one"},
};
static const struct resource_hooks hooks = {.validate = validate, .may_change = may_change};

static const struct resource indicators = {
	RESOURCE("indicators", "/v1/indicators", "Indicator"), WITH(fields, fields), .entity = "indicator",
	.write = ACT_MANAGE_CATALOGUE, .write_denied = "may not change the indicator catalogue",
	.searchable = true, WITH(constraints, constraints), .hooks = &hooks,
};

const struct api_module indicators_module = {.name = "indicators", .resource = &indicators, WITH(facts, facts)};
