/* /v1/users — accounts (API.md "Authentication and roles"). Admins only. Passwords are written,
 * never read: only their argon2id hash is stored, and no response or log line carries one. */
#include "api/crud.h"
#include "api/users.h"
#include "lib/password.h"

bool username_ok(const char *s, size_t n)
{
	if (n < 3 || n > USERNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '@' && c != '-')))
			return false;
	}
	return true;
}

bool username_canonical(const char *s, size_t n, char *out)
{
	if (!username_ok(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 'a' - 'A') : s[i];
	out[n] = '\0';
	return true;
}

static const char *const role_names[] = {"admin", "authority", "officer", "viewer", "integration", NULL};

enum { F_ID, F_USERNAME, F_DISPLAY_NAME, F_ROLE, F_UNIT_ID, F_ACTIVE, F_VERSION, F_CREATED, F_UPDATED, F_PASSWORD };
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_USERNAME] = {{"username", JF_STRING, JF_REQUIRED, 3, USERNAME_MAX, NULL, username_ok,
			 "must be 3-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"},
			NULL, COL_STR, FR_LOWER, NULL},
	[F_DISPLAY_NAME] = {{"display_name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	[F_ROLE] = {{"role", JF_ENUM, JF_REQUIRED, 0, 0, role_names, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_UNIT_ID] = {{"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_OWNER | FR_FILTER, NULL},
	[F_ACTIVE] = {{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL}, NULL, COL_BOOL, FR_FILTER, "true"},
	FIELDS_ROW_META,
	[F_PASSWORD] = {{"password", JF_STRING, JF_REQUIRED | JF_SECRET, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, NULL, NULL, NULL},
			"password_hash", COL_STR, FR_WRITE_ONLY, NULL},
};

DB_STMT(users_revoke_refresh, "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL");
static const struct db_stmt *const stmts[] = {&sql_users_revoke_refresh};

/* the hash takes tens of milliseconds: made before a database connection is taken */
static bool prepare(struct req *r, struct jvalue *v, char *scratch, size_t n)
{
	if (!v[F_PASSWORD].present)
		return true;
	if (n < PASSWORD_HASH_MAX || !password_hash(v[F_PASSWORD].str, v[F_PASSWORD].len, scratch))
		return app_error_set(&r->err, 500, "An internal error occurred.");
	v[F_PASSWORD].str = scratch;
	return true;
}

/* a deactivated account, or one whose password was reset, keeps no session alive */
static bool after_write(struct req *r, const struct jvalue *v, PGresult *cur, PGresult *row)
{
	if (!cur || !((PQgetvalue(cur, 0, F_ACTIVE)[0] == 't' && PQgetvalue(row, 0, F_ACTIVE)[0] == 'f') ||
		      v[F_PASSWORD].present))
		return true;
	const char *id[] = {PQgetvalue(row, 0, F_ID)};
	PGresult *revoked = db_run(r->db, &sql_users_revoke_refresh, 1, id, NULL, &r->err);
	PQclear(revoked);
	return revoked != NULL;
}

static const struct db_constraint constraints[] = {
	{"users_username_key", "username", "duplicate", "username is already taken (usernames ignore case)", 0},
	{"users_username_canonical", "username", "format", "username must be in lower case", 0},
	{"users_username_format", "username", "format", "username has an invalid format", 0},
};
static const struct fk_fact facts[] = {
	{"users_unit_fkey", "unit_id", "unit_id does not name an existing unit",
	 "the unit still has user accounts; move or delete them first"},
};
static const struct resource_hooks hooks = {.prepare = prepare, .after_write = after_write};

static const struct resource users = {
	RESOURCE("users", "/v1/users", "User"), WITH(fields, fields), .entity = "user",
	.write = ACT_MANAGE_USERS, .read = ACT_MANAGE_USERS, .write_denied = "may not manage accounts",
	.searchable = true, WITH(constraints, constraints), .hooks = &hooks,
	/* no DELETE: an account is deactivated (active: false), so the audit trail keeps its name */
	.ops = OP_LIST | OP_GET | OP_CREATE | OP_PATCH,
};

PGresult *users_insert(PGconn *pg, const char *username, const char *display_name, const char *role, long long unit_id,
		       const char *password_hash)
{
	char err[160], unit[24];
	int n;
	if (!crud_prepare(&users, err, sizeof err))
		return NULL;
	/* the parameters of the generated insert: the writable fields in their order */
	const char *params[] = {username, display_name, role, id_text(unit_id, unit), NULL, password_hash};
	return PQexecParams(pg, crud_statements(&users, &n)[CRUD_INSERT].sql, (int)API_COUNT(params), NULL, params,
			    NULL, NULL, 0);
}

const struct api_module users_module = {.name = "users", WITH(stmts, stmts), .resource = &users, WITH(facts, facts)};
