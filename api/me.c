/* /v1/me — the caller's own account, and its password change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/auth.h"
#include "api/users.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/password.h"

static const struct db_col me_cols[] = {
	{"id", COL_NUM}, {"username", COL_STR}, {"display_name", COL_STR}, {"role", COL_STR},
	{"unit_id", COL_NUM}, {"active", COL_BOOL}, {"version", COL_NUM}, {"created_at", COL_TIME},
	{"updated_at", COL_TIME}, {"unit_code", COL_STR}, {"unit_name", COL_STR},
};

DB_STMT(me_get, "SELECT " USER_COLUMNS ", un.code, un.name FROM users u JOIN units un ON un.id = u.unit_id"
		   " WHERE u.id = $1");
DB_STMT(me_hash, "SELECT password_hash, active FROM users WHERE id = $1");
DB_STMT(me_set_password, "UPDATE users SET password_hash = $2, version = version + 1, updated_at = now() WHERE id = $1");
DB_STMT(me_revoke_refresh, "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL");
static const struct db_stmt *const stmts[] = {&sql_me_get, &sql_me_hash, &sql_me_set_password, &sql_me_revoke_refresh};

static const struct jfield password_fields[] = {
	{"current_password", JF_STRING, JF_REQUIRED | JF_SECRET, 1, PASSWORD_MAX_CHARS, NULL, NULL, NULL},
	{"new_password", JF_STRING, JF_REQUIRED | JF_SECRET, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS, NULL, NULL, NULL},
};

/* An external issuer's user is not ours, whatever its id: it has no account here (404, true) */
static bool not_ours(struct req *r)
{
	const char *issuer = req_caller_issuer(r);
	if (!issuer)
		return false;
	req_fail(r, 404, "This token's user belongs to its issuer (%s): it has no account here.", issuer);
	return true;
}

static int me_get(struct req *r)
{
	if (not_ours(r))
		return -1;
	struct db_params p = {.n = 0};
	db_param_int(&p, r->caller.user_id);
	PGresult *res = req_run(r, &sql_me_get, &p);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return req_fail(r, 404, "This token does not belong to an account (it was minted for a script).");
	}
	req_set_etag(r, strtoll(PQgetvalue(res, 0, USER_C_VERSION), NULL, 10));
	db_row_json(r->out, res, 0, me_cols, (int)API_COUNT(me_cols));
	PQclear(res);
	return 0;
}

/* A stolen access token must not become a password oracle: wrong current passwords are
 * throttled like logins, per account and per address, counted before the hash. */
static int me_password(struct req *r)
{
	if (not_ours(r))
		return -1;
	json_t *body = NULL;
	struct jvalue v[API_COUNT(password_fields)];
	char stored[PASSWORD_HASH_MAX], fresh[PASSWORD_HASH_MAX], id[24], account_scope[48], addr_scope[96];
	struct db_conn *db;
	int rc = -1;
	if (!req_json(r, false, &body) ||
	    !jin_decode(body, password_fields, API_COUNT(password_fields), false, v, &r->err) || !req_db(r, &db))
		goto out;
	snprintf(id, sizeof id, "%lld", r->caller.user_id);
	const char *params[] = {id};
	PGresult *res = db_run(db, &sql_me_hash, 1, params, NULL, &r->err);
	if (!res)
		goto out;
	bool found = PQntuples(res) == 1 && PQgetvalue(res, 0, 1)[0] == 't';
	if (found)
		snprintf(stored, sizeof stored, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!found) {
		req_fail(r, 404, "This token does not belong to an active account.");
		goto out;
	}
	snprintf(account_scope, sizeof account_scope, "password:%s", id);
	snprintf(addr_scope, sizeof addr_scope, "addr:%s", req_peer(r));
	if (!auth_count_attempt(r, account_scope, addr_scope))
		goto out;
	req_db_release(r); /* two hashes follow: not while holding a pooled connection */
	if (!password_verify(stored, v[0].str, v[0].len)) {
		if (auth_attempt_failed(r, account_scope, addr_scope))
			app_error_field(&r->err, "current_password", "mismatch", "current_password is not the current password");
		goto out;
	}
	if (v[0].len == v[1].len && memcmp(v[0].str, v[1].str, v[0].len) == 0) {
		app_error_field(&r->err, "new_password", "unchanged", "new_password must differ from the current one");
		goto out;
	}
	if (!password_hash(v[1].str, v[1].len, fresh)) {
		req_fail(r, 500, "An internal error occurred.");
		goto out;
	}
	const char *update[] = {id, fresh};
	if (!write_begin(r, &db) || !auth_attempt_succeeded(r, account_scope, addr_scope))
		goto out;
	res = db_run(db, &sql_me_set_password, 2, update, NULL, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	/* every other session ends with the old password */
	res = db_run(db, &sql_me_revoke_refresh, 1, params, NULL, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	if (!db_commit(db, &r->err))
		goto out;
	r->status = 204;
	rc = 0;
out:
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/me", me_get, 0, NULL},
	{"POST", "/v1/me/password", me_password, 0, NULL},
};

const struct api_module me_module = {.name = "me", WITH(routes, routes), WITH(stmts, stmts)};
