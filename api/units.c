/* /v1/units — the organisation tree (API.md "Units"). Readable by every authenticated caller;
 * written by admins, and by authorities inside their own subtree: they create units under it,
 * change its units (their own included) and move or delete the units below their own. */
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"

static const char *const unit_kinds[] = {
	"government_inspectorate", "provincial_inspectorate", "sector_inspectorate",
	"district_inspectorate", "party_committee", "internal_affairs_board", "mass_organization",
	"agency", "division", "other", NULL,
};

static bool province_ok(const char *s, size_t n)
{
	return n == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

enum { F_ID, F_CODE, F_NAME, F_SHORT_NAME, F_KIND, F_PARENT_ID, F_PROVINCE, F_ACTIVE };
static const struct field fields[] = {
	/* a unit's data is its own: the rights over a row are the rights over the unit it is */
	[F_ID] = {JF_RO("id"), NULL, COL_NUM, FR_KEY | FR_OWNER, NULL},
	[F_CODE] = {{"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, upper_code_ok,
		     "must match ^[A-Z0-9][A-Z0-9.-]{0,31}$ (upper-case letters, digits, '.', '-')"}, NULL, COL_STR, 0, NULL},
	[F_NAME] = {{"name", JF_STRING, JF_REQUIRED, 1, 255, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_SHORT_NAME] = {{"short_name", JF_STRING, JF_NULLABLE, 1, 100, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_KIND] = {{"kind", JF_ENUM, JF_REQUIRED, 0, 0, unit_kinds, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_PARENT_ID] = {{"parent_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_PROVINCE] = {{"province_code", JF_STRING, JF_NULLABLE, 2, 2, NULL, province_ok,
			 "must be a 2-digit GSO province code such as \"08\""}, NULL, COL_STR, FR_FILTER, NULL},
	[F_ACTIVE] = {{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL}, NULL, COL_BOOL, FR_FILTER, "true"},
	FIELDS_ROW_META,
};

/* the same lock the cycle trigger takes (sql/0001_units.sql), taken first by moves so that
 * two moves lock in one order: tree, then rows (else their FK checks deadlock) */
DB_STMT(units_tree_lock, "SELECT pg_advisory_xact_lock(hashtext('tdkt.units.tree'))");
static const struct db_stmt *const stmts[] = {&sql_units_tree_lock};

/* May the caller place a unit under `parent` (create, or move there)? A parent that does not
 * exist is a validation error, not a permission one; admins may make roots. */
static bool check_parent(struct req *r, const struct jvalue *parent)
{
	if (parent->present && !parent->is_null)
		return authz_require_unit_field(r, ACT_WRITE_UNIT, parent->num, "parent_id");
	if (permission(r->caller.role, ACT_WRITE_UNIT, REL_OUTSIDE))
		return true;
	return app_error_set(&r->err, 403, "Only admins create top-level units (parent_id is required).");
}

/* create: where the unit goes; patch: a move also needs the right to move the unit */
static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (!cur)
		return check_parent(r, &v[F_PARENT_ID]);
	if (!v[F_PARENT_ID].present)
		return true;
	bool was_root = PQgetisnull(cur, 0, F_PARENT_ID);
	bool moves = v[F_PARENT_ID].is_null ? !was_root
					    : was_root || strtoll(PQgetvalue(cur, 0, F_PARENT_ID), NULL, 10) != v[F_PARENT_ID].num;
	return !moves || (authz_require(r, ACT_MOVE_DELETE_UNIT, strtoll(PQgetvalue(cur, 0, F_ID), NULL, 10)) &&
			  check_parent(r, &v[F_PARENT_ID]));
}

static bool before_lock(struct req *r, const struct jvalue *v)
{
	if (!v || !v[F_PARENT_ID].present)
		return true;
	PGresult *lock = db_run(r->db, &sql_units_tree_lock, 0, NULL, NULL, &r->err);
	PQclear(lock);
	return lock != NULL;
}

static const struct db_constraint constraints[] = {
	{"units_code_key", "code", "duplicate", "code is already used by another unit", 0},
	{"units_parent_no_cycle", "parent_id", "cycle", "parent_id would put the unit under itself", 0},
	{"units_code_format", "code", "format", "code has an invalid format", 0},
	{"units_province_code_format", "province_code", "format", "province_code must be 2 digits", 0},
};
static const struct fk_fact facts[] = {
	{"units_parent_fkey", "parent_id", "parent_id does not name an existing unit",
	 "the unit still has child units; move or delete them first"},
};
static const struct resource_hooks hooks = {.validate = validate, .before_lock = before_lock};

static const struct resource units = {
	RESOURCE("units", "/v1/units", "Unit"), WITH(fields, fields), .entity = "unit",
	.write = ACT_WRITE_UNIT, .remove = ACT_MOVE_DELETE_UNIT, .write_denied = "may read units but not change them",
	.searchable = true, WITH(constraints, constraints), .hooks = &hooks,
};

const struct api_module units_module = {.name = "units", WITH(stmts, stmts), .resource = &units, WITH(facts, facts)};
