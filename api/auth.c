/* /v1/auth — login, refresh-token rotation and logout (API.md "Authentication and roles").
 * Public routes: they are how a token is obtained. Responses carry Cache-Control: no-store. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api/api.h"
#include "api/refresh.h"
#include "lib/crypto.h"
#include "lib/jsonin.h"
#include "lib/log.h"
#include "lib/password.h"
#include "api/auth.h"
#include "api/users.h"

/* Logins are throttled per username ('user:<name>') and per client address ('addr:<ip>'), and
 * password changes per account ('password:<id>') and address, with the same limits. An
 * attempt is counted before its password is hashed, in one statement that also refuses it when
 * either scope is locked or the count passes its maximum (which starts the lock): concurrent
 * attempts queue on the scope's row, so N parallel guesses get at most max hashes, never N. A
 * successful login then takes its attempt back. The window of a scope starts again when it is
 * older than $3 seconds or its lock has ended. Returns, per scope, the seconds its lock lasts. */
#define WINDOW_OVER "(t.locked_until IS NOT NULL OR t.window_start < now() - make_interval(secs => $3))"
#define LOCKED_NOW "t.locked_until > now()"
#define SCOPE_MAX "(CASE WHEN t.scope LIKE 'addr:%' THEN $5::int ELSE $4::int END)"
/* a locked scope refuses before anything is written: an attacker at a locked address adds
 * no rows for the names it tries, and a locked name does not count against its address */
DB_STMT(auth_locked, "SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int FROM login_throttle"
	" WHERE scope IN ($1, $2) AND locked_until > now()");
/* rows whose window and lock are over count as absent: dropped now and then */
DB_STMT(auth_purge, "DELETE FROM login_throttle WHERE coalesce(locked_until, window_start + make_interval(secs => $1)) < now()");
DB_STMT(auth_attempt, "INSERT INTO login_throttle AS t (scope, window_start, failures, locked_until)"
	" SELECT s.scope, now(), 1, CASE WHEN s.max < 1 THEN now() + make_interval(secs => $3) END"
	" FROM (VALUES ($1, $4::int), ($2, $5::int)) AS s(scope, max)"
	" ON CONFLICT (scope) DO UPDATE SET"
	"  window_start = CASE WHEN " LOCKED_NOW " THEN t.window_start WHEN " WINDOW_OVER " THEN now()"
	"   ELSE t.window_start END,"
	"  failures = CASE WHEN " LOCKED_NOW " THEN t.failures WHEN " WINDOW_OVER " THEN 1 ELSE t.failures + 1 END,"
	"  locked_until = CASE WHEN " LOCKED_NOW " THEN t.locked_until"
	"   WHEN (CASE WHEN " WINDOW_OVER " THEN 1 ELSE t.failures + 1 END) > " SCOPE_MAX
	"   THEN now() + make_interval(secs => $3) END"
	" RETURNING CASE WHEN t.locked_until > now() THEN ceil(extract(epoch FROM t.locked_until - now()))::int END");
DB_STMT(auth_user_by_name, "SELECT id, role, unit_id, active, password_hash FROM users WHERE username = $1");
/* a failed attempt that reached the maximum locks its scope at once, as a refused one would */
DB_STMT(auth_failed, "UPDATE login_throttle AS t SET locked_until = now() + make_interval(secs => $3)"
	" WHERE t.scope IN ($1, $2) AND t.locked_until IS NULL AND t.failures >= " SCOPE_MAX);
/* a successful login: the username starts afresh, the address takes this attempt back */
DB_STMT(auth_address_success, "UPDATE login_throttle SET failures = failures - 1 WHERE scope = $1 AND failures > 0 AND locked_until IS NULL");
DB_STMT(auth_succeeded, "DELETE FROM login_throttle WHERE scope = $1");
DB_STMT(auth_rehash, "UPDATE users SET password_hash = $2 WHERE id = $1");
DB_STMT(auth_refresh_insert, "INSERT INTO refresh_tokens (token_hash, family, user_id, expires_at)"
	" VALUES ($1, $2, $3, now() + make_interval(secs => $4))");
DB_STMT(auth_refresh_lock, "SELECT rt.id, rt.family, rt.user_id, rt.revoked_at IS NOT NULL, rt.rotated_at IS NOT NULL,"
	" rt.expires_at <= now(), u.active, u.role, u.unit_id"
	" FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id WHERE rt.token_hash = $1 FOR UPDATE OF rt");
DB_STMT(auth_refresh_rotated, "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1");
DB_STMT(auth_revoke_family, "UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL");
DB_STMT(auth_logout, "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL"
	" AND family = (SELECT family FROM refresh_tokens WHERE token_hash = $1)");
static const struct db_stmt *const stmts[] = {&sql_auth_locked, &sql_auth_purge, &sql_auth_attempt, &sql_auth_user_by_name, &sql_auth_failed, &sql_auth_address_success, &sql_auth_succeeded, &sql_auth_rehash, &sql_auth_refresh_insert, &sql_auth_refresh_lock, &sql_auth_refresh_rotated, &sql_auth_revoke_family, &sql_auth_logout};

static const struct jfield login_fields[] = {
	{"username", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL},
	{"password", JF_STRING, JF_REQUIRED | JF_SECRET, 1, PASSWORD_MAX_CHARS, NULL, NULL, NULL},
};
static const struct jfield refresh_fields[] = {
	{"refresh_token", JF_STRING, JF_REQUIRED, 1, 64, NULL, NULL, NULL},
};

/* Issues an access token and a new refresh token of `family` (a new family when NULL), inside
 * the caller's transaction, and writes the token response. */
static bool issue(struct req *r, const struct caller *who, const char *family);

/* the tokens issued and the transaction committed: 0, else -1 */
static int issued(struct req *r, const struct caller *who, const char *family)
{
	return issue(r, who, family) && db_commit(r->db, &r->err) ? 0 : -1;
}

static bool issue(struct req *r, const struct caller *who, const char *family)
{
	char refresh[RANDOM_TOKEN_LEN + 1], new_family[RANDOM_TOKEN_LEN + 1], hash[65];
	char user[24], ttl[24];
	char *access = NULL;
	if (!random_token(refresh) || (!family && !random_token(new_family)) || !sha256_hex(refresh, strlen(refresh), hash))
		return app_error_set(&r->err, 500, "An internal error occurred.");
	snprintf(user, sizeof user, "%lld", who->user_id);
	snprintf(ttl, sizeof ttl, "%ld", req_config(r)->refresh_ttl);
	const char *params[] = {hash, family ? family : new_family, user, ttl};
	PGresult *res = db_run(r->db, &sql_auth_refresh_insert, 4, params, NULL, &r->err);
	if (!res)
		return false;
	PQclear(res);
	long access_ttl = req_config(r)->token_ttl;
	if (!auth_mint(req_verifier(r), who, access_ttl, time(NULL), &access))
		return app_error_set(&r->err, 500, "An internal error occurred.");
	r->cache_control = "no-store";
	buf_puts(r->out, "{\"access_token\":");
	buf_json_cstr(r->out, access);
	buf_puts(r->out, ",\"token_type\":\"Bearer\",\"expires_in\":");
	buf_json_int(r->out, access_ttl);
	buf_puts(r->out, ",\"refresh_token\":");
	buf_json_cstr(r->out, refresh);
	buf_putc(r->out, '}');
	free(access);
	return true;
}

/* Runs a throttle statement over both scopes with the configured window and maxima. new */
static PGresult *throttle(struct req *r, const struct db_stmt *stmt, const char *account_scope, const char *addr_scope)
{
	const struct config *c = req_config(r);
	struct db_params p = {.n = 0};
	db_param(&p, account_scope);
	db_param(&p, addr_scope);
	db_param_int(&p, c->login_window);
	db_param_int(&p, c->login_max_failures);
	db_param_int(&p, c->login_max_failures_addr);
	return req_run(r, stmt, &p);
}

/* 429 with Retry-After when a row of res holds a lock (seconds it lasts, NULL for none); clears res */
static bool refuse_if_locked(struct req *r, PGresult *res)
{
	int seconds = -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 0) && atoi(PQgetvalue(res, i, 0)) > seconds)
			seconds = atoi(PQgetvalue(res, i, 0));
	PQclear(res);
	if (seconds < 0)
		return true;
	r->err.retry_after = seconds > 0 ? seconds : 1;
	return app_error_set(&r->err, 429, "Too many failed attempts; try again in %d seconds.", r->err.retry_after);
}

static atomic_uint attempts;

bool auth_count_attempt(struct req *r, const char *account_scope, const char *addr_scope)
{
	struct db_conn *db;
	const char *scopes[] = {account_scope, addr_scope};
	PGresult *locked;
	if (!req_db(r, &db) || !(locked = db_run(db, &sql_auth_locked, 2, scopes, NULL, &r->err)) ||
	    !refuse_if_locked(r, locked))
		return false;
	if (atomic_fetch_add(&attempts, 1) % 256 == 255) {
		char window[24];
		snprintf(window, sizeof window, "%ld", req_config(r)->login_window);
		const char *params[] = {window};
		PQclear(db_run(db, &sql_auth_purge, 1, params, NULL, &r->err));
		app_error_clear(&r->err); /* housekeeping: its failure is not the request's */
	}
	PGresult *res = throttle(r, &sql_auth_attempt, account_scope, addr_scope);
	return res && refuse_if_locked(r, res);
}

bool auth_attempt_failed(struct req *r, const char *account_scope, const char *addr_scope)
{
	PGresult *res = throttle(r, &sql_auth_failed, account_scope, addr_scope);
	PQclear(res);
	return res != NULL;
}

bool auth_attempt_succeeded(struct req *r, const char *user_scope, const char *addr_scope)
{
	const char *user[] = {user_scope}, *addr[] = {addr_scope};
	PGresult *res = db_run(r->db, &sql_auth_succeeded, 1, user, NULL, &r->err);
	if (!res)
		return false;
	PQclear(res);
	res = db_run(r->db, &sql_auth_address_success, 1, addr, NULL, &r->err);
	PQclear(res);
	return res != NULL;
}

static int auth_token(struct req *r)
{
	json_t *body = NULL;
	PGresult *res = NULL;
	struct jvalue v[API_COUNT(login_fields)];
	char username[USERNAME_MAX + 1], user_scope[96], addr_scope[96], stored[PASSWORD_HASH_MAX] = "";
	char rehash[PASSWORD_HASH_MAX];
	struct caller who = {0};
	bool known = false, active = false;
	int rc = -1;
	struct db_conn *db;
	if (!req_json(r, false, &body) || !jin_decode(body, login_fields, API_COUNT(login_fields), false, v, &r->err))
		goto out;
	/* one form of a name everywhere: "KIEMTRA.vien" is kiemtra.vien, and a name that only
	 * PostgreSQL's Unicode case folding would make one ("\u212aiemtra.vien") is no name at all */
	if (!username_canonical(v[0].str, v[0].len, username)) {
		app_error_field(&r->err, "username", "format", "username must be 3-64 ASCII letters, digits, '.', '_', '@' or '-'");
		goto out;
	}
	snprintf(user_scope, sizeof user_scope, "user:%s", username);
	snprintf(addr_scope, sizeof addr_scope, "addr:%s", req_peer(r));
	if (!auth_count_attempt(r, user_scope, addr_scope))
		goto out;
	const char *name[] = {username};
	if (!req_db(r, &db) || !(res = db_run(db, &sql_auth_user_by_name, 1, name, NULL, &r->err)))
		goto out;
	if (PQntuples(res) == 1) {
		known = true;
		who.user_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		role_parse(PQgetvalue(res, 0, 1), &who.role);
		who.unit_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		active = PQgetvalue(res, 0, 3)[0] == 't';
		snprintf(stored, sizeof stored, "%s", PQgetvalue(res, 0, 4));
	}
	PQclear(res);
	res = NULL;
	/* the hash takes tens of milliseconds: not while holding one of the pool's connections */
	req_db_release(r);
	bool ok;
	if (known) {
		ok = password_verify(stored, v[1].str, v[1].len) && active;
	} else {
		password_verify_dummy(v[1].str, v[1].len); /* the same time for a name that does not exist */
		ok = false;
	}
	bool upgrade = ok && password_needs_rehash(stored) && password_hash(v[1].str, v[1].len, rehash);
	if (!ok) {
		if (auth_attempt_failed(r, user_scope, addr_scope)) {
			log_msg(LOG_INFO, r->request_id, "failed login from %s", req_peer(r));
			req_fail(r, 401, "The username or password is wrong, or the account is disabled.");
		}
		goto out;
	}
	if (!req_db(r, &db) || !db_begin(db, &r->err) || !auth_attempt_succeeded(r, user_scope, addr_scope))
		goto out;
	if (upgrade) {
		struct db_params p = {.n = 0};
		db_param_int(&p, who.user_id);
		db_param(&p, rehash);
		res = req_run(r, &sql_auth_rehash, &p);
		if (!res)
			goto out;
		PQclear(res);
		res = NULL;
	}
	rc = issued(r, &who, NULL);
out:
	PQclear(res);
	json_decref(body);
	return rc;
}

static int auth_refresh(struct req *r)
{
	json_t *body = NULL;
	PGresult *res = NULL;
	struct jvalue v[1];
	char hash[65];
	int rc = -1;
	struct db_conn *db;
	if (!req_json(r, false, &body) || !jin_decode(body, refresh_fields, 1, false, v, &r->err) ||
	    !req_db(r, &db) || !db_begin(db, &r->err))
		goto out;
	if (!sha256_hex(v[0].str, v[0].len, hash)) {
		app_error_set(&r->err, 503, "The service is short of memory.");
		goto out;
	}
	const char *params[] = {hash};
	res = db_run(db, &sql_auth_refresh_lock, 1, params, NULL, &r->err);
	if (!res)
		goto out;
	bool found = PQntuples(res) == 1;
	enum refresh_outcome outcome =
		refresh_decide(found, found && PQgetvalue(res, 0, 3)[0] == 't', found && PQgetvalue(res, 0, 4)[0] == 't',
			       found && PQgetvalue(res, 0, 5)[0] == 't', found && PQgetvalue(res, 0, 6)[0] == 't');
	if (outcome == REFRESH_REJECT) {
		req_fail(r, 401, "The refresh token is not valid.");
		goto out;
	}
	char family[RANDOM_TOKEN_LEN + 1];
	snprintf(family, sizeof family, "%s", PQgetvalue(res, 0, 1));
	const char *fam[] = {family};
	if (outcome == REFRESH_REVOKE_FAMILY) {
		PGresult *revoked = db_run(db, &sql_auth_revoke_family, 1, fam, NULL, &r->err);
		if (!revoked || !db_commit(db, &r->err)) {
			PQclear(revoked);
			goto out;
		}
		PQclear(revoked);
		log_msg(LOG_WARN, r->request_id, "refresh token reused or account disabled: session of user %s revoked",
			PQgetvalue(res, 0, 2));
		req_fail(r, 401, "The refresh token is not valid.");
		goto out;
	}
	struct caller who = {.user_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10),
			     .unit_id = strtoll(PQgetvalue(res, 0, 8), NULL, 10)};
	role_parse(PQgetvalue(res, 0, 7), &who.role);
	const char *id[] = {PQgetvalue(res, 0, 0)};
	PGresult *rotated = db_run(db, &sql_auth_refresh_rotated, 1, id, NULL, &r->err);
	if (!rotated)
		goto out;
	PQclear(rotated);
	rc = issued(r, &who, family);
out:
	PQclear(res);
	json_decref(body);
	return rc;
}

static int auth_logout(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[1];
	char hash[65];
	int rc = -1;
	struct db_conn *db;
	if (!req_json(r, false, &body) || !jin_decode(body, refresh_fields, 1, false, v, &r->err) || !req_db(r, &db))
		goto out;
	if (!sha256_hex(v[0].str, v[0].len, hash)) {
		app_error_set(&r->err, 503, "The service is short of memory.");
		goto out;
	}
	const char *params[] = {hash};
	PGresult *res = db_run(db, &sql_auth_logout, 1, params, NULL, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	/* the same answer for unknown tokens: logout is no oracle for which tokens exist */
	r->status = 204;
	r->cache_control = "no-store";
	rc = 0;
out:
	json_decref(body);
	return rc;
}

static const struct route routes[] = {
	{"POST", "/v1/auth/token", auth_token, ROUTE_PUBLIC, NULL},
	{"POST", "/v1/auth/refresh", auth_refresh, ROUTE_PUBLIC, NULL},
	{"POST", "/v1/auth/logout", auth_logout, ROUTE_PUBLIC, NULL},
};

const struct api_module auth_module = {.name = "auth", WITH(routes, routes), WITH(stmts, stmts)};
