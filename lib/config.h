/* Configuration from DATABASE_URL and TDKT_* variables, through one bounded table (config.c).
 * A bad value stops startup with a message naming the variable. */
#ifndef TDKT_CONFIG_H
#define TDKT_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct config {
	char database_url[1024];     /* serve: a login role that owns no table */
	char migrate_database_url[1024]; /* migrate, demo: the schema owner's; empty: DATABASE_URL */
	char read_database_url[1024]; /* serve: a streaming replica for reads; empty: none */
	long migrate_at_start;       /* serve migrates first: 0 off, 1 on, 2 also the demo data */
	char db_role[64];            /* the role migrate grants the service's access to */
	char listen[128];            /* host:port for CivetWeb */
	long threads;                /* HTTP worker threads: one per connection being served */
	long worker_stack_kb;        /* stack of each worker thread */
	long request_timeout_ms;     /* deadline for a whole request head; each body read and write */
	long max_conns_per_addr;     /* connections one client address may hold; 0: no cap */
	char trusted_proxies[512];   /* peers whose X-Real-IP names the client, space-separated */
	char cors_origins[1024];     /* origins allowed to call from browsers, space-separated, or "*" */
	long drain_timeout_ms;       /* SIGTERM: how long in-flight requests may take to finish */
	long db_pool;                /* PostgreSQL connections; 0 in the table means 2 x cores */
	long read_db_pool;           /* connections to the replica; 0 in the table means db_pool */
	long db_acquire_timeout_ms;  /* wait for a free connection before answering 503 */
	long statement_timeout_ms;
	char jwt_secret[512];
	char jwt_private_key_file[512];
	char jwt_public_key_file[512];
	char jwt_external_issuers[2048];
	char jwt_issuer[128];
	char jwt_audience[128];
	long token_ttl;              /* seconds */
	long refresh_ttl;            /* seconds */
	long login_max_failures;     /* per username within the window, then 429 */
	long login_max_failures_addr;/* per client address within the window, then 429 */
	long login_window;           /* seconds: counting window and lock duration */
	long body_limit;             /* bytes */
	long bulk_body_limit;        /* bytes, for bulk uploads (ROUTE_BULK) */
	long bulk_concurrency;       /* bulk uploads served at once; more get 503 */
	long max_document_bytes;     /* the largest file a dossier's document may be (a streamed body) */
	long keepalive_ms;           /* idle keep-alive timeout */
	long log_level;              /* enum log_level */
	long access_log;             /* 1 on, 0 off */
	long access_log_flush_ms;    /* access lines held at most this long (0: written at once) */
};

/* Reads every variable through `get` (getenv in production, a table in tests). Unset variables
 * take their defaults. On a bad value writes "VARIABLE: reason" into err and returns false. */
bool config_load(struct config *c, const char *(*get)(const char *name), char *err, size_t errlen);

/* serve and token need a signing secret: at least 32 bytes */
bool config_require_secret(const struct config *c, char *err, size_t errlen);

/* Prints every variable with its default and meaning (for --help). */
void config_print_help(void);

/* true when the space- (or comma-) separated list holds word exactly */
bool config_list_has(const char *list, const char *word);

/* Strict decimal parse of a whole string into [min, max]. */
bool parse_long_bounded(const char *s, long min, long max, long *out);

#endif
