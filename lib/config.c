#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/config.h"

enum setting_type { SET_STR, SET_LONG, SET_ENUM };

struct setting {
	const char *env;
	enum setting_type type;
	size_t offset;
	size_t size;            /* SET_STR: capacity of the char array */
	long min, max;          /* SET_LONG bounds; SET_STR: minimum length in min */
	const char *def;
	const char *const *choices; /* SET_ENUM: index is the stored value */
	const char *help;
};

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};
static const char *const on_off[] = {"off", "on", NULL};
static const char *const at_start[] = {"off", "on", "demo", NULL};

#define STR(field) SET_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define LONG(field) SET_LONG, offsetof(struct config, field), 0
#define ENUM(field) SET_ENUM, offsetof(struct config, field), 0

static const struct setting settings[] = {
	{"DATABASE_URL", STR(database_url), 0, 0, "", NULL,
	 "libpq connection string or URI of the PostgreSQL database"},
	{"TDKT_MIGRATE_DATABASE_URL", STR(migrate_database_url), 0, 0, "", NULL,
	 "connection of the schema owner, for migrate and demo (default DATABASE_URL)"},
	{"TDKT_READ_DATABASE_URL", STR(read_database_url), 0, 0, "", NULL,
	 "a streaming replica for reads (GET): used when reachable and replayed as far as the read's "
	 "Tdkt-Min-Position, else DATABASE_URL (default: none)"},
	{"TDKT_MIGRATE_AT_START", ENUM(migrate_at_start), 0, 0, "off", at_start,
	 "serve migrates first (as TDKT_MIGRATE_DATABASE_URL), and with demo loads the demo data: off | on | demo"},
	{"TDKT_DB_ROLE", STR(db_role), 0, 0, "", NULL,
	 "role migrate grants the service's access to (default: DATABASE_URL's user when it differs)"},
	{"TDKT_LISTEN", STR(listen), 1, 0, "127.0.0.1:8080", NULL, "address:port to listen on"},
	{"TDKT_THREADS", LONG(threads), 4, 1024, "256", NULL,
	 "HTTP worker threads: connections served at once, idle keep-alive ones included"},
	{"TDKT_WORKER_STACK_KB", LONG(worker_stack_kb), 256, 65536, "1024", NULL,
	 "stack of each worker thread, KiB"},
	{"TDKT_REQUEST_TIMEOUT_MS", LONG(request_timeout_ms), 500, 120000, "5000", NULL,
	 "deadline for a whole request head, and for each read of a body or write of a response"},
	{"TDKT_MAX_CONNS_PER_ADDR", LONG(max_conns_per_addr), 0, 100000, "64", NULL,
	 "connections one client address may hold at once (0: no cap; trusted proxies are exempt)"},
	{"TDKT_TRUSTED_PROXIES", STR(trusted_proxies), 0, 0, "", NULL,
	 "addresses of reverse proxies whose X-Real-IP header names the client, space-separated"},
	{"TDKT_CORS_ORIGINS", STR(cors_origins), 0, 0, "", NULL,
	 "origins browsers may call the API from, space-separated (https://portal.example.vn), or *"},
	{"TDKT_DRAIN_TIMEOUT_MS", LONG(drain_timeout_ms), 0, 600000, "10000", NULL,
	 "on SIGTERM, how long requests in flight may take to finish before the server stops"},
	{"TDKT_DB_POOL", LONG(db_pool), 0, 64, "0", NULL,
	 "PostgreSQL connections shared by the workers (0: 2 x CPU cores)"},
	{"TDKT_READ_DB_POOL", LONG(read_db_pool), 0, 64, "0", NULL,
	 "connections to TDKT_READ_DATABASE_URL (0: as many as TDKT_DB_POOL)"},
	{"TDKT_DB_ACQUIRE_TIMEOUT_MS", LONG(db_acquire_timeout_ms), 10, 60000, "2000", NULL,
	 "how long a request waits for a free connection before 503"},
	{"TDKT_STATEMENT_TIMEOUT_MS", LONG(statement_timeout_ms), 100, 600000, "5000", NULL,
	 "PostgreSQL statement_timeout for service queries"},
	{"TDKT_JWT_SECRET", STR(jwt_secret), 0, 0, "", NULL,
	 "HS256 signing secret, at least 32 bytes (required by serve and token unless key files are set)"},
	{"TDKT_JWT_PRIVATE_KEY_FILE", STR(jwt_private_key_file), 0, 0, "", NULL,
	 "PEM private key (RSA >= 2048 bits: RS256, P-256: ES256) to sign tokens instead of HS256"},
	{"TDKT_JWT_PUBLIC_KEY_FILE", STR(jwt_public_key_file), 0, 0, "", NULL,
	 "PEM public key of that private key"},
	{"TDKT_JWT_EXTERNAL_ISSUERS", STR(jwt_external_issuers), 0, 0, "", NULL,
	 "trusted issuers, space-separated ISS|ALG|PUBLIC_KEY_FILE (ALG RS256 or ES256)"},
	{"TDKT_JWT_ISSUER", STR(jwt_issuer), 1, 0, "tdkt", NULL, "iss of tokens issued and accepted"},
	{"TDKT_JWT_AUDIENCE", STR(jwt_audience), 1, 0, "tdkt", NULL, "aud required in access tokens"},
	{"TDKT_TOKEN_TTL", LONG(token_ttl), 60, 86400, "900", NULL, "access token lifetime, seconds"},
	{"TDKT_REFRESH_TTL", LONG(refresh_ttl), 300, 31536000, "2592000", NULL,
	 "refresh token lifetime, seconds"},
	{"TDKT_LOGIN_MAX_FAILURES", LONG(login_max_failures), 1, 1000, "5", NULL,
	 "failed logins for one username within the window before 429"},
	{"TDKT_LOGIN_MAX_FAILURES_ADDR", LONG(login_max_failures_addr), 1, 100000, "50", NULL,
	 "failed logins from one client address within the window before 429"},
	{"TDKT_LOGIN_WINDOW", LONG(login_window), 1, 86400, "900", NULL,
	 "seconds failed logins are counted over, and how long a lock lasts"},
	{"TDKT_BODY_LIMIT", LONG(body_limit), 1024, 16777216, "1048576", NULL,
	 "largest request body accepted, bytes (413 above)"},
	{"TDKT_BULK_BODY_LIMIT", LONG(bulk_body_limit), 1024, 67108864, "8388608", NULL,
	 "largest body of a bulk upload (POST /v1/reports/batch), bytes (413 above)"},
	{"TDKT_BULK_CONCURRENCY", LONG(bulk_concurrency), 1, 64, "2", NULL,
	 "bulk uploads served at once per instance; more are answered 503 with Retry-After"},
	{"TDKT_MAX_DOCUMENT_BYTES", LONG(max_document_bytes), 1024, 1073741824, "20971520", NULL,
	 "largest document file (POST /v1/dossiers/{id}/documents), bytes (413 above); it is streamed into "
	 "PostgreSQL in 256 KiB pieces, never held whole"},
	{"TDKT_KEEPALIVE_MS", LONG(keepalive_ms), 100, 600000, "5000", NULL,
	 "idle keep-alive timeout, milliseconds"},
	{"TDKT_LOG_LEVEL", ENUM(log_level), 0, 0, "info", log_levels, "debug | info | warn | error"},
	{"TDKT_ACCESS_LOG", ENUM(access_log), 0, 0, "on", on_off, "one JSON line per request: on | off"},
	{"TDKT_ACCESS_LOG_FLUSH_MS", LONG(access_log_flush_ms), 0, 10000, "100", NULL,
	 "the access log is written in blocks at least this often, milliseconds (0: each line at once)"},
};

bool config_list_has(const char *list, const char *word)
{
	size_t n = word ? strlen(word) : 0;
	if (!list || n == 0)
		return false;
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = p;
		while (*end && *end != ' ' && *end != '\t' && *end != ',')
			end++;
		if ((size_t)(end - p) == n && memcmp(p, word, n) == 0)
			return true;
		p = end;
	}
	return false;
}

bool parse_long_bounded(const char *s, long min, long max, long *out)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if ((*p < '0' || *p > '9') && !(p == s && *p == '-'))
			return false;
	errno = 0;
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool apply(struct config *c, const struct setting *s, const char *value, char *err, size_t errlen)
{
	char *base = (char *)c + s->offset;
	switch (s->type) {
	case SET_STR: {
		size_t n = strlen(value);
		if (n >= s->size) {
			snprintf(err, errlen, "%s: longer than %zu bytes", s->env, s->size - 1);
			return false;
		}
		if ((long)n < s->min) {
			snprintf(err, errlen, "%s: must not be empty", s->env);
			return false;
		}
		memcpy(base, value, n + 1);
		return true;
	}
	case SET_LONG:
		if (!parse_long_bounded(value, s->min, s->max, (long *)(void *)base)) {
			snprintf(err, errlen, "%s: \"%.40s\" is not a whole number from %ld to %ld",
				 s->env, value, s->min, s->max);
			return false;
		}
		return true;
	case SET_ENUM:
		for (long i = 0; s->choices[i]; i++)
			if (strcmp(s->choices[i], value) == 0) {
				*(long *)(void *)base = i;
				return true;
			}
		snprintf(err, errlen, "%s: \"%.40s\" is not one of the allowed values", s->env, value);
		return false;
	}
	return false;
}

bool config_load(struct config *c, const char *(*get)(const char *name), char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *s = &settings[i];
		const char *v = get(s->env);
		if (!apply(c, s, v ? v : s->def, err, errlen))
			return false;
	}
	if (c->db_pool == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		c->db_pool = cores > 0 ? (cores * 2 > 64 ? 64 : cores * 2) : 4;
	}
	if (c->read_db_pool == 0)
		c->read_db_pool = c->db_pool;
	if (!strchr(c->listen, ':')) {
		snprintf(err, errlen, "TDKT_LISTEN: expected address:port, e.g. 127.0.0.1:8080");
		return false;
	}
	return true;
}

bool config_require_secret(const struct config *c, char *err, size_t errlen)
{
	if ((c->jwt_private_key_file[0] != '\0') != (c->jwt_public_key_file[0] != '\0')) {
		snprintf(err, errlen, "TDKT_JWT_PRIVATE_KEY_FILE and TDKT_JWT_PUBLIC_KEY_FILE go together");
		return false;
	}
	if (c->jwt_private_key_file[0] && (!c->jwt_secret[0] || strlen(c->jwt_secret) >= 32))
		return true;
	if (strlen(c->jwt_secret) < 32) {
		snprintf(err, errlen, "TDKT_JWT_SECRET: required, at least 32 bytes");
		return false;
	}
	return true;
}

void config_print_help(void)
{
	printf("Environment:\n");
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const struct setting *s = &settings[i];
		printf("  %-28s %s", s->env, s->help);
		if (*s->def && strcmp(s->env, "TDKT_JWT_SECRET") != 0)
			printf(" (default %s)", s->def);
		printf("\n");
	}
}
