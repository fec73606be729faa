/* tdkt — entry point: configuration, signals, subcommands. Nothing else lives here. */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/b64.h"
#include "lib/crypto.h"
#include "lib/jsonin.h"
#include "api/api.h"
#include "api/crud.h"
#include "api/idempotency.h"
#include "lib/auth.h"
#include "lib/config.h"
#include "lib/cursor.h"
#include "lib/db.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/migrate.h"
#include "lib/password.h"
#include "api/users.h"

#ifndef TDKT_VERSION
#define TDKT_VERSION "dev"
#endif
#define MAX_ROUTES 512
#define MAX_STATEMENTS 512

static void usage(FILE *to)
{
	fprintf(to,
		"tdkt %s — thi đua – khen thưởng service\n\n"
		"Usage:\n"
		"  tdkt serve                 serve the HTTP API\n"
		"  tdkt migrate               apply pending database migrations\n"
		"  tdkt demo                  load the demo data (idempotent)\n"
		"  tdkt token --sub ID --role ROLE --unit-id ID [--ttl SECONDS]\n"
		"                             print a signed access token\n"
		"  tdkt user add --username U --role ROLE --unit-id ID [--display-name NAME]\n"
		"                             create an account; the password is read from standard\n"
		"                             input, or generated and printed once when it is a terminal\n"
		"  tdkt routes                print every route: METHOD PATH\n"
		"  tdkt sql                   print every prepared statement: NAME, then its SQL\n"
		"  tdkt descriptors           print every resource descriptor's fields as JSON\n"
		"  tdkt version               print the version\n"
		"  tdkt --help                this text\n\n"
		"Roles: admin, authority, officer, viewer, integration.\n\n",
		TDKT_VERSION);
	if (to == stdout)
		config_print_help();
}

static const char *env(const char *name)
{
	return getenv(name);
}

static bool load_config(struct config *c)
{
	char err[256];
	if (!config_load(c, env, err, sizeof err)) {
		fprintf(stderr, "tdkt: %s\n", err);
		return false;
	}
	log_init((enum log_level)c->log_level);
	return true;
}

static bool require_database(const struct config *c)
{
	if (c->database_url[0])
		return true;
	fprintf(stderr, "tdkt: DATABASE_URL: required (e.g. postgresql:///tdkt?host=/run/postgresql)\n");
	return false;
}

/* a whole key file into out (NUL-terminated); false with a message naming the variable */
static bool read_key_file(const char *var, const char *path, char *out, size_t outlen, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "tdkt: %s: cannot open %s\n", var, path);
		return false;
	}
	*len = fread(out, 1, outlen - 1, f);
	bool ok = !ferror(f) && fgetc(f) == EOF && *len > 0;
	fclose(f);
	out[*len] = '\0';
	if (!ok)
		fprintf(stderr, "tdkt: %s: %s is empty, unreadable or larger than %zu bytes\n", var, path, outlen - 1);
	return ok;
}

/* Trusted external issuers: "ISS|ALG|FILE ISS|ALG|FILE" */
static bool load_external_issuers(const struct config *c, struct auth_verifier *v)
{
	char list[sizeof c->jwt_external_issuers], pem[AUTH_KEY_MAX + 1], err[160];
	snprintf(list, sizeof list, "%s", c->jwt_external_issuers);
	char *save = NULL;
	for (char *entry = strtok_r(list, " \t\n", &save); entry; entry = strtok_r(NULL, " \t\n", &save)) {
		char *alg = strchr(entry, '|');
		char *path = alg ? strchr(alg + 1, '|') : NULL;
		if (!alg || !path) {
			fprintf(stderr, "tdkt: TDKT_JWT_EXTERNAL_ISSUERS: \"%.80s\" is not ISS|ALG|FILE\n", entry);
			return false;
		}
		*alg++ = '\0';
		*path++ = '\0';
		jwt_alg_t want = jwt_str_alg(alg);
		if (want != JWT_ALG_RS256 && want != JWT_ALG_ES256) {
			fprintf(stderr, "tdkt: TDKT_JWT_EXTERNAL_ISSUERS: %s: algorithm must be RS256 or ES256\n", entry);
			return false;
		}
		size_t len;
		if (!read_key_file("TDKT_JWT_EXTERNAL_ISSUERS", path, pem, sizeof pem, &len))
			return false;
		if (!auth_add_pem(v, entry, pem, len, NULL, 0, want, err, sizeof err)) {
			fprintf(stderr, "tdkt: TDKT_JWT_EXTERNAL_ISSUERS: %s: %s\n", entry, err);
			return false;
		}
	}
	return true;
}

/* the secrets derived from the service's own: cursor MACs and stored request fingerprints */
static bool set_secret(const void *secret, size_t len)
{
	if (cursor_set_key(secret, len) && crypto_set_secret(secret, len))
		return true;
	fprintf(stderr, "tdkt: could not derive the cursor and fingerprint keys from the secret (OpenSSL)\n");
	return false;
}

/* Our key (HS256 secret, or an RS256/ES256 pair from files) and the external issuers' keys.
 * Cursors are signed with the HS256 secret when there is one, else with the private key. */
static bool load_verifier(const struct config *c, struct auth_verifier *v)
{
	char err[160];
	if (!config_require_secret(c, err, sizeof err)) {
		fprintf(stderr, "tdkt: %s\n", err);
		return false;
	}
	if (!auth_verifier_init(v, c->jwt_audience)) {
		fprintf(stderr, "tdkt: TDKT_JWT_AUDIENCE: too long\n");
		return false;
	}
	if (c->jwt_private_key_file[0]) {
		static char priv[AUTH_KEY_MAX + 1], pub[AUTH_KEY_MAX + 1];
		size_t priv_len, pub_len;
		if (!read_key_file("TDKT_JWT_PRIVATE_KEY_FILE", c->jwt_private_key_file, priv, sizeof priv, &priv_len) ||
		    !read_key_file("TDKT_JWT_PUBLIC_KEY_FILE", c->jwt_public_key_file, pub, sizeof pub, &pub_len))
			return false;
		if (!auth_add_pem(v, c->jwt_issuer, pub, pub_len, priv, priv_len, JWT_ALG_NONE, err, sizeof err)) {
			fprintf(stderr, "tdkt: TDKT_JWT_PRIVATE_KEY_FILE: %s\n", err);
			return false;
		}
		if (!(c->jwt_secret[0] ? set_secret(c->jwt_secret, strlen(c->jwt_secret)) : set_secret(priv, priv_len)))
			return false;
	} else {
		if (!auth_add_hs256(v, c->jwt_issuer, c->jwt_secret)) {
			fprintf(stderr, "tdkt: TDKT_JWT_SECRET: longer than %d bytes\n", AUTH_KEY_MAX);
			return false;
		}
		if (!set_secret(c->jwt_secret, strlen(c->jwt_secret)))
			return false;
	}
	return load_external_issuers(c, v);
}

/* The role migrate grants the service's access to: TDKT_DB_ROLE, else the user DATABASE_URL
 * logs in as when migrate works as another (the owner, TDKT_MIGRATE_DATABASE_URL); into out,
 * empty for none. */
static bool service_role(const struct config *c, PGconn *owner, char *out, size_t outlen)
{
	out[0] = '\0';
	if (c->db_role[0]) {
		snprintf(out, outlen, "%s", c->db_role);
		return true;
	}
	if (!c->migrate_database_url[0] || !c->database_url[0])
		return true;
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(c->database_url, &why);
	if (!opts) {
		fprintf(stderr, "tdkt: DATABASE_URL: %s", why ? why : "cannot be parsed\n");
		PQfreemem(why);
		return false;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "user") == 0 && o->val && strcmp(o->val, PQuser(owner)) != 0)
			snprintf(out, outlen, "%s", o->val);
	PQconninfoFree(opts);
	return true;
}

/* After migrating: every statement of this build prepares against the schema it left, or the two
 * disagree and serving would fail on every request that needs the statement. */
static bool statements_prepare(PGconn *pg, struct app_error *err)
{
	static struct route routes[MAX_ROUTES];
	static const struct db_stmt *stmts[MAX_STATEMENTS];
	size_t nroutes = 0, nstmts = 0;
	char why[256];
	if (!api_collect(routes, MAX_ROUTES, &nroutes, stmts, MAX_STATEMENTS, &nstmts, why, sizeof why))
		return app_error_set(err, 500, "%s", why);
	bool ok = true;
	for (size_t i = 0; ok && i < nstmts; i++) {
		PGresult *r = PQprepare(pg, stmts[i]->name, stmts[i]->sql, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			ok = app_error_set(err, 500, "statement %s does not prepare: %s", stmts[i]->name,
					   PQresultErrorMessage(r));
		PQclear(r);
	}
	PQclear(PQexec(pg, "DEALLOCATE ALL"));
	return ok;
}

/* The demo's last steps, run by the service's own code (api_after_demo) on the service's own role,
 * as a request would: a pool of one connection with every statement of the build. */
static bool demo_finish(const struct config *c, struct app_error *err)
{
	static struct route routes[MAX_ROUTES];
	static const struct db_stmt *stmts[MAX_STATEMENTS];
	size_t nroutes = 0, nstmts = 0;
	char why[256];
	if (!c->database_url[0])
		return app_error_set(err, 2, "DATABASE_URL (the service's role) is needed to finish the demo data");
	if (!api_collect(routes, MAX_ROUTES, &nroutes, stmts, MAX_STATEMENTS, &nstmts, why, sizeof why))
		return app_error_set(err, 500, "%s", why);
	struct db_options o = {.url = c->database_url, .size = 1, .acquire_timeout_ms = 10000,
			       .statement_timeout_ms = 600000, .application_name = "tdkt demo"};
	struct db_pool *pool = db_pool_new(&o);
	struct db_conn *db = NULL;
	bool ok = pool != NULL;
	for (size_t i = 0; ok && i < nstmts; i++)
		ok = db_pool_add_statement(pool, stmts[i]);
	if (!ok)
		app_error_set(err, 500, "cannot set up a connection pool");
	ok = ok && db_acquire(pool, &db, err) && db_begin(db, err) && db_send_pending(db, err);
	if (ok) {
		PGresult *r = PQexec(db_pg(db), "SELECT set_config('tdkt.actor_role', 'system', true)");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK || app_error_set(err, 500, "%s", PQerrorMessage(db_pg(db)));
		PQclear(r);
	}
	ok = ok && api_after_demo(db, err) && db_commit(db, err);
	db_release(db);
	db_pool_free(pool);
	return ok;
}

static int cmd_migrate(const struct config *c, bool demo)
{
	struct app_error err;
	app_error_clear(&err);
	if (!c->migrate_database_url[0] && !require_database(c))
		return 2;
	PGconn *pg = db_connect_once(c->migrate_database_url[0] ? c->migrate_database_url : c->database_url, 600000, &err);
	if (!pg) {
		fprintf(stderr, "tdkt: %s\n", err.detail);
		return 1;
	}
	int applied = 0, rc = 0;
	char grantee[128];
	if (!service_role(c, pg, grantee, sizeof grantee)) {
		PQfinish(pg);
		return 2;
	}
	/* row-level security lets migrations and demo data through as 'system' (sql/0008) */
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	PQclear(PQexec(pg, "SELECT set_config('tdkt.actor_role', 'system', false)"));
	/* every step under the migrators' lock, not only the migrations: instances migrating at start
	 * together would otherwise grant on the same tables at once, and one of them fail */
	bool locked = migrate_lock(pg, &err);
	if (!locked || !migrate_run(pg, &applied, &err) || !statements_prepare(pg, &err) ||
	    (grantee[0] && !migrate_grant(pg, grantee, &err)) ||
	    (demo && (!migrate_demo(pg, &err) || !demo_finish(c, &err)))) {
		fprintf(stderr, "tdkt: %s\n", err.detail);
		rc = 1;
	} else {
		printf("migrations applied: %d%s\n", applied, demo ? "; demo data loaded" : "");
	}
	if (locked)
		migrate_unlock(pg);
	PQfinish(pg);
	return rc;
}

static int cmd_token(const struct config *c, int argc, char **argv)
{
	long long sub = 0, unit = 0;
	long ttl = c->token_ttl;
	enum role role = ROLE_COUNT;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = v != NULL;
		if (ok && strcmp(a, "--sub") == 0)
			ok = parse_id(v, strlen(v), &sub);
		else if (ok && strcmp(a, "--unit-id") == 0)
			ok = parse_id(v, strlen(v), &unit);
		else if (ok && strcmp(a, "--role") == 0)
			ok = role_parse(v, &role);
		else if (ok && strcmp(a, "--ttl") == 0)
			ok = parse_long_bounded(v, 1, 31 * 86400, &ttl);
		else
			ok = false;
		if (!ok) {
			fprintf(stderr, "tdkt token: bad or missing value for %s\n", a);
			return 2;
		}
		i++;
	}
	if (sub == 0 || unit == 0 || role == ROLE_COUNT) {
		fprintf(stderr, "tdkt token: --sub, --role and --unit-id are required\n");
		return 2;
	}
	static struct auth_verifier v;
	if (!load_verifier(c, &v))
		return 2;
	struct caller who = {.user_id = sub, .role = role, .unit_id = unit};
	char *token = NULL;
	if (!auth_mint(&v, &who, ttl, time(NULL), &token)) {
		fprintf(stderr, "tdkt token: signing failed\n");
		return 1;
	}
	printf("%s\n", token);
	free(token);
	return 0;
}

/* the password for `user add`: the first line of standard input, or a generated one */
static bool read_or_make_password(char *out, size_t outlen, bool *generated)
{
	*generated = isatty(STDIN_FILENO);
	if (*generated) {
		unsigned char raw[15];
		return random_bytes(raw, sizeof raw) && b64url_encode(raw, sizeof raw, out, outlen) == 20;
	}
	if (!fgets(out, (int)outlen, stdin))
		return false;
	out[strcspn(out, "\r\n")] = '\0';
	return true;
}

/* The password as the API takes one (api/users.c, api/me.c): valid UTF-8, no control character,
 * not all spaces, PASSWORD_MIN_CHARS to PASSWORD_MAX_CHARS characters — the same decoding, so that
 * an account made here can log in (a tab in a terminal's line was stored, then refused at login). */
static bool password_acceptable(const char *password, char *why, size_t whylen)
{
	static const struct jfield spec = {"password", JF_STRING, JF_REQUIRED | JF_SECRET, PASSWORD_MIN_CHARS,
					   PASSWORD_MAX_CHARS, NULL, NULL, NULL};
	json_t *text = json_string(password); /* NULL when it is not valid UTF-8 */
	json_t *obj = text ? json_pack("{so}", "password", text) : NULL;
	struct jvalue v;
	struct app_error err;
	app_error_clear(&err);
	bool ok = obj && jin_decode(obj, &spec, 1, false, &v, &err);
	if (!ok)
		snprintf(why, whylen, "%s", !text ? "password is not valid UTF-8" : err.nfields ? err.fields[0].message : "refused");
	json_decref(obj);
	return ok;
}

static int cmd_user_add(const struct config *c, int argc, char **argv)
{
	const char *username = NULL, *display = NULL;
	long long unit = 0;
	enum role role = ROLE_COUNT;
	for (int i = 3; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = v != NULL;
		if (ok && strcmp(a, "--username") == 0)
			username = v;
		else if (ok && strcmp(a, "--display-name") == 0)
			display = v;
		else if (ok && strcmp(a, "--unit-id") == 0)
			ok = parse_id(v, strlen(v), &unit);
		else if (ok && strcmp(a, "--role") == 0)
			ok = role_parse(v, &role);
		else
			ok = false;
		if (!ok) {
			fprintf(stderr, "tdkt user add: bad or missing value for %s\n", a);
			return 2;
		}
	}
	if (!username || !username_ok(username, strlen(username)) || unit == 0 || role == ROLE_COUNT) {
		fprintf(stderr, "tdkt user add: --username (3-64 of A-Z a-z 0-9 . _ @ -), --role and --unit-id "
				"are required\n");
		return 2;
	}
	if (!require_database(c))
		return 2;
	char password[PASSWORD_MAX_BYTES + 2], hash[PASSWORD_HASH_MAX];
	bool generated;
	char why[256];
	if (!read_or_make_password(password, sizeof password, &generated)) {
		fprintf(stderr, "tdkt user add: no password on standard input\n");
		return 2;
	}
	if (!password_acceptable(password, why, sizeof why)) {
		fprintf(stderr, "tdkt user add: %s (%d to %d characters, no control characters, as the API takes one)\n",
			why, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS);
		return 2;
	}
	if (!password_hash(password, strlen(password), hash)) {
		fprintf(stderr, "tdkt user add: hashing failed\n");
		return 1;
	}
	struct app_error err;
	app_error_clear(&err);
	PGconn *pg = db_connect_once(c->database_url, 60000, &err);
	if (!pg) {
		fprintf(stderr, "tdkt: %s\n", err.detail);
		return 1;
	}
	PGresult *res = users_insert(pg, username, display ? display : username, role_name(role), unit, hash);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		fprintf(stderr, "tdkt user add: %s\n", state && strcmp(state, "23505") == 0 ? "the username is taken"
				: state && strcmp(state, "23503") == 0 ? "no unit has that id"
				: PQresultErrorMessage(res));
		rc = 1;
	} else {
		printf("created user %s (%s, %s, unit %lld)\n", PQgetvalue(res, 0, 0), username, role_name(role), unit);
		if (generated)
			printf("password: %s\n", password);
	}
	PQclear(res);
	PQfinish(pg);
	return rc;
}

/* tdkt routes / sql / descriptors: what the modules and their descriptors make, without a
 * database */
enum print_what { PRINT_ROUTES, PRINT_SQL, PRINT_DESCRIPTORS };
static int cmd_print(enum print_what what)
{
	static struct route routes[MAX_ROUTES];
	static const struct db_stmt *stmts[MAX_STATEMENTS];
	size_t nroutes = 0, nstmts = 0;
	char why[256];
	if (!api_collect(routes, MAX_ROUTES, &nroutes, stmts, MAX_STATEMENTS, &nstmts, why, sizeof why)) {
		fprintf(stderr, "tdkt: %s\n", why);
		return 1;
	}
	if (what == PRINT_SQL)
		for (size_t i = 0; i < nstmts; i++)
			printf("%s\n%s\n\n", stmts[i]->name, stmts[i]->sql);
	if (what == PRINT_ROUTES)
		for (size_t i = 0; i < nroutes; i++)
			printf("%s %s\n", routes[i].method, routes[i].path);
	if (what == PRINT_DESCRIPTORS) {
		size_t n;
		const struct api_module *const *mods = api_modules(&n);
		struct buf out;
		buf_init(&out);
		buf_putc(&out, '[');
		for (size_t i = 0; i < n; i++)
			if (mods[i]->resource) {
				buf_puts(&out, out.len > 1 ? "," : "");
				crud_describe(mods[i]->resource, &out);
			}
		buf_puts(&out, "]\n");
		if (buf_ok(&out))
			fputs(out.data, stdout);
		buf_free(&out);
	}
	return 0;
}

static int cmd_serve(const struct config *c)
{
	static struct route routes[MAX_ROUTES];
	size_t nroutes = 0;
	struct db_pool *pool = NULL, *read_pool = NULL;
	struct http_server *server = NULL;
	int rc = 1;

	static struct auth_verifier verifier;
	if (!require_database(c) || !load_verifier(c, &verifier))
		return 2;
	/* in a container, each instance can bring the schema up to date as it starts: concurrent
	 * migrators wait for each other on an advisory lock (lib/migrate.c) */
	if (c->migrate_at_start && (rc = cmd_migrate(c, c->migrate_at_start == 2)) != 0)
		return rc;
	rc = 1;
	json_object_seed(0);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (!password_init(cores > 0 ? (int)cores : 1)) {
		log_error("cannot set up password hashing");
		return 1;
	}

	struct db_options dbo = {
		.url = c->database_url,
		.size = (int)c->db_pool,
		.acquire_timeout_ms = c->db_acquire_timeout_ms,
		.statement_timeout_ms = c->statement_timeout_ms,
		.application_name = "tdkt",
	};
	/* the split of roles, checked before serving: the pool checks it again on every connection */
	struct app_error role_err;
	app_error_clear(&role_err);
	PGconn *probe = db_connect_once(c->database_url, c->statement_timeout_ms, &role_err);
	bool confined = !probe || db_role_is_confined(probe, &role_err);
	PQfinish(probe);
	if (!probe)
		log_warn("the database cannot be reached yet; serving 503 until it can (%s)", role_err.detail);
	if (!confined) {
		log_error("%s", role_err.detail);
		return 2;
	}
	pool = db_pool_new(&dbo);
	if (!pool)
		goto out;
	static const struct db_stmt *stmts[MAX_STATEMENTS];
	size_t nstmts = 0;
	char why[256];
	if (!api_collect(routes, MAX_ROUTES, &nroutes, stmts, MAX_STATEMENTS, &nstmts, why, sizeof why)) {
		log_error("%s", why);
		goto out;
	}
	for (size_t i = 0; i < nstmts; i++)
		if (!db_pool_add_statement(pool, stmts[i])) {
			log_error("statement registry full");
			goto out;
		}

	/* every statement prepares, or the build and the schema disagree: stop now with its text */
	app_error_clear(&role_err);
	enum db_check primary_check = db_pool_check(pool, &role_err);
	if (primary_check == DB_CHECK_BROKEN) {
		log_error("%s", role_err.detail);
		rc = 2;
		goto out;
	}
	if (c->read_database_url[0]) {
		/* a replica is a help, never a need: unreachable or behind a migration, reads go to
		 * the primary until it can serve them */
		struct db_options ro = dbo;
		ro.url = c->read_database_url;
		ro.size = (int)c->read_db_pool;
		ro.application_name = "tdkt-read";
		ro.read_only = true;
		if (!(read_pool = db_pool_new(&ro)))
			goto out;
		for (size_t i = 0; i < nstmts; i++)
			db_pool_add_statement(read_pool, stmts[i]);
		app_error_clear(&role_err);
		if (db_pool_check(read_pool, &role_err) != DB_CHECK_OK)
			log_warn("TDKT_READ_DATABASE_URL cannot serve yet, reads go to DATABASE_URL meanwhile: %s",
				 role_err.detail);
		else
			db_pool_open_all(read_pool);
	}
	/* the whole pool open before the first request (db_pool_open_all), when the database answers */
	if (primary_check == DB_CHECK_OK)
		db_pool_open_all(pool);

	/* Block the stop signals in every thread (CivetWeb's inherit the mask) and wait for
	 * them here, so shutdown runs in an ordinary thread, not in a signal handler. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	struct http_server_options ho = {
		.config = c, .routes = routes, .nroutes = nroutes, .pool = pool, .read_pool = read_pool,
		.verifier = &verifier, .around = idempotency_around, .version = TDKT_VERSION,
	};
	server = http_server_start(&ho);
	if (!server)
		goto out;
	log_info("tdkt %s listening on %s (%ld worker threads, %ld database connections, %ld to a replica)",
		 TDKT_VERSION, c->listen, c->threads, c->db_pool, read_pool ? c->read_db_pool : 0L);
	if (c->access_log && c->access_log_flush_ms > 0 && !log_buffer_start(c->access_log_flush_ms))
		log_warn("the access log's writer did not start: each line is written at once");
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("received %s: finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	int left = http_server_drain(server, c->drain_timeout_ms);
	if (left > 0)
		log_warn("%d requests still in flight after %ld ms: stopping anyway", left, c->drain_timeout_ms);
	http_server_stop(server);
	server = NULL;
	log_buffer_stop(); /* after the last request: every access line written */
	log_info("stopped");
	rc = 0;
out:
	http_server_stop(server);
	log_buffer_stop();
	db_pool_free(read_pool);
	db_pool_free(pool);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("tdkt %s\n", TDKT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "routes") == 0)
		return cmd_print(PRINT_ROUTES);
	if (strcmp(argv[1], "sql") == 0)
		return cmd_print(PRINT_SQL);
	if (strcmp(argv[1], "descriptors") == 0)
		return cmd_print(PRINT_DESCRIPTORS);
	struct config c;
	if (!load_config(&c))
		return 2;
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(&c);
	if (strcmp(argv[1], "migrate") == 0)
		return cmd_migrate(&c, false);
	if (strcmp(argv[1], "demo") == 0)
		return cmd_migrate(&c, true);
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(&c, argc, argv);
	if (strcmp(argv[1], "user") == 0 && argc > 2 && strcmp(argv[2], "add") == 0)
		return cmd_user_add(&c, argc, argv);
	fprintf(stderr, "tdkt: unknown command %s\n\n", argv[1]);
	usage(stderr);
	return 2;
}
