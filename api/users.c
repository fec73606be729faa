/* /v1/users — accounts (API.md "Authentication and roles"). Admins only. Passwords are written,
 * never read: only their argon2id hash is stored, and no response or log line carries one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "api/users.h"
#include "lib/jsonin.h"
#include "lib/page.h"
#include "lib/password.h"

const struct db_col user_cols[] = {
	{"id", COL_NUM}, {"username", COL_STR}, {"display_name", COL_STR}, {"role", COL_STR},
	{"unit_id", COL_NUM}, {"active", COL_BOOL}, {"version", COL_NUM}, {"created_at", COL_TIME},
	{"updated_at", COL_TIME},
};
const int user_ncols = (int)API_COUNT(user_cols);
static const struct row_shape user_shape = {"/v1/users", "User", user_cols, (int)API_COUNT(user_cols), USER_C_ID,
					    USER_C_VERSION};

static const char *const role_names[] = {"admin", "authority", "officer", "viewer", "integration", NULL};

bool username_ok(const char *s, size_t n)
{
	if (n < 3 || n > 64)
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

enum { F_USERNAME, F_DISPLAY_NAME, F_ROLE, F_UNIT_ID, F_ACTIVE, F_PASSWORD };
static const struct jfield user_fields[] = {
	[F_USERNAME] = {"username", JF_STRING, JF_REQUIRED, 3, 64, NULL, username_ok,
			"must be 3-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"},
	[F_DISPLAY_NAME] = {"display_name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
	[F_ROLE] = {"role", JF_ENUM, JF_REQUIRED, 0, 0, role_names, NULL, NULL},
	[F_UNIT_ID] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_ACTIVE] = {"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	[F_PASSWORD] = {"password", JF_STRING, JF_REQUIRED, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, NULL, NULL, NULL},
	JF_ROW_FIELDS,
};

static const struct db_constraint constraints[] = {
	{"users_username_key", "username", "duplicate", "username is already taken (usernames ignore case)", 0},
	{"users_username_canonical", "username", "format", "username must be in lower case", 0},
	{"users_unit_fkey", "unit_id", "not_found", "unit_id does not name an existing unit", 0},
	{"users_username_format", "username", "format", "username has an invalid format", 0},
};

static const struct db_stmt stmts[] = {
	{"users_get", "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1"},
	{"users_lock", "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1 FOR UPDATE"},
	{"users_insert",
	 "INSERT INTO users AS u (username, display_name, role, unit_id, active, password_hash)"
	 " VALUES (lower($1), normalize($2, NFC), $3, $4, coalesce($5::boolean, true), $6) RETURNING " USER_COLUMNS},
	{"users_update",
	 "UPDATE users AS u SET username = lower($2), display_name = normalize($3, NFC), role = $4, unit_id = $5,"
	 " active = $6, password_hash = coalesce($7, u.password_hash), version = u.version + 1, updated_at = now()"
	 " WHERE u.id = $1 RETURNING " USER_COLUMNS},
	{"users_revoke_refresh", "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"},
};

static const char list_sql[] =
	"SELECT " USER_COLUMNS " FROM users u"
	" WHERE ($1::bigint IS NULL OR u.id > $1)"
	" AND ($2::bigint IS NULL OR u.unit_id = $2)"
	" AND ($3::text IS NULL OR u.role = $3)"
	" AND ($4::boolean IS NULL OR u.active = $4)"
	" AND ($5::text IS NULL OR u.search @@ tdkt_search_query($5))"
	" ORDER BY u.id LIMIT $6";

static bool admin_only(struct req *r)
{
	if (authz_role_may(r, ACT_MANAGE_USERS))
		return true;
	return app_error_set(&r->err, 403, "Only admins manage accounts.");
}

static int users_list(struct req *r)
{
	struct query q;
	struct page page;
	bool has_unit, has_active;
	long long unit_id = 0;
	bool active = false;
	const char *role, *text;
	if (!admin_only(r) || !query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "users", &page, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit_id, &r->err) ||
	    !query_enum(&q, "role", role_names, &role, &r->err) ||
	    !query_bool(&q, "active", &has_active, &active, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	char after[24], unit[24], limit[24];
	snprintf(after, sizeof after, "%lld", page.after_id);
	snprintf(unit, sizeof unit, "%lld", unit_id);
	snprintf(limit, sizeof limit, "%lld", page.limit + 1);
	const char *params[] = {page.has_after ? after : NULL, has_unit ? unit : NULL, role,
				has_active ? (active ? "true" : "false") : NULL, text, limit};
	return respond_list(r, list_sql, 6, params, "users", &user_shape, page.limit);
}

static int users_get(struct req *r)
{
	if (!admin_only(r))
		return -1;
	return respond_get_by_id(r, "users_get", &user_shape);
}

static int users_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(user_fields)];
	struct db_conn *db;
	char hash[PASSWORD_HASH_MAX];
	int rc = -1;
	/* hashing takes tens of milliseconds: done before a database connection is taken */
	if (!admin_only(r) || !req_json(r, false, &body) ||
	    !jin_decode(body, user_fields, API_COUNT(user_fields), false, v, &r->err))
		goto out;
	if (!password_hash(v[F_PASSWORD].str, v[F_PASSWORD].len, hash)) {
		req_fail(r, 500, "An internal error occurred.");
		goto out;
	}
	if (!write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, constraints);
	char unit[24];
	snprintf(unit, sizeof unit, "%lld", v[F_UNIT_ID].num);
	const char *params[] = {v[F_USERNAME].str, v[F_DISPLAY_NAME].str, v[F_ROLE].str, unit,
				BOOL_PARAM(v[F_ACTIVE]), hash};
	rc = respond_created(r, "users_insert", 6, params, &user_shape);
out:
	json_decref(body);
	return rc;
}

static int users_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL, *res = NULL;
	struct jvalue v[API_COUNT(user_fields)];
	long long id;
	struct db_conn *db;
	char hash[PASSWORD_HASH_MAX];
	int rc = -1;
	if (!admin_only(r) || !req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, user_fields, API_COUNT(user_fields), true, v, &r->err))
		goto out;
	if (v[F_PASSWORD].present && !password_hash(v[F_PASSWORD].str, v[F_PASSWORD].len, hash)) {
		req_fail(r, 500, "An internal error occurred.");
		goto out;
	}
	if (!write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, constraints);
	char idtext[24], unit[24];
	snprintf(idtext, sizeof idtext, "%lld", id);
	const char *idparam[] = {idtext};
	cur = db_prepared(db, "users_lock", 1, idparam, &r->err);
	if (!cur)
		goto out;
	if (PQntuples(cur) == 0) {
		req_fail(r, 404, "User %lld does not exist.", id);
		goto out;
	}
	if (!req_if_match(r, row_version_of(cur, &user_shape)))
		goto out;
	bool was_active = PQgetvalue(cur, 0, USER_C_ACTIVE)[0] == 't';
	const char *active = v[F_ACTIVE].present ? BOOL_PARAM(v[F_ACTIVE]) : (was_active ? "true" : "false");
	const char *params[] = {
		idtext,
		patched_text(&v[F_USERNAME], cur, USER_C_USERNAME),
		patched_text(&v[F_DISPLAY_NAME], cur, USER_C_DISPLAY_NAME),
		patched_text(&v[F_ROLE], cur, USER_C_ROLE),
		v[F_UNIT_ID].present ? id_text(v[F_UNIT_ID].num, unit) : PQgetvalue(cur, 0, USER_C_UNIT_ID),
		active,
		v[F_PASSWORD].present ? hash : NULL,
	};
	res = db_prepared(db, "users_update", 7, params, &r->err);
	if (!res)
		goto out;
	/* a deactivated account, or one whose password was reset, keeps no session alive */
	if ((was_active && active[0] == 'f') || v[F_PASSWORD].present) {
		PGresult *revoked = db_prepared(db, "users_revoke_refresh", 1, idparam, &r->err);
		if (!revoked)
			goto out;
		PQclear(revoked);
	}
	if (!db_commit(db, &r->err))
		goto out;
	rc = respond_row(r, res, 200, &user_shape);
	res = NULL;
out:
	PQclear(cur);
	PQclear(res);
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/users", users_list, 0, NULL},
	{"POST", "/v1/users", users_create, 0, NULL},
	{"GET", "/v1/users/{id}", users_get, 0, NULL},
	{"PATCH", "/v1/users/{id}", users_patch, 0, NULL},
};

static const struct fk_fact facts[] = {
	{"users_unit_fkey", "unit_id", "unit_id does not name an existing unit",
	 "the unit still has user accounts; move or delete them first"},
};

const struct api_module users_module = {.name = "users", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts), .facts = facts,
					 .nfacts = API_COUNT(facts)};
