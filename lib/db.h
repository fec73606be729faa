/* PostgreSQL access: a small bounded pool of connections shared by all HTTP workers, prepared
 * statements re-established after a reconnect, SQLSTATE mapping into struct app_error, and
 * result rows written as JSON without an intermediate tree.
 *
 * A struct db_conn belongs to one request at a time: db_acquire it, use it, db_release it; an
 * open transaction is rolled back on release (the ROLLBACK sent then, its answer read by the
 * next acquire) and a broken connection is dropped and reopened by the next acquire. A BEGIN
 * goes out with the transaction's first statement, in one round trip. */
#ifndef TDKT_DB_H
#define TDKT_DB_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/buf.h"
#include "lib/error.h"

struct db_pool;

/* A statement prepared on every connection of the pool. Both strings are borrowed for the life
 * of the pool (they are string literals in api/). One with no name is sent as its text, an
 * unnamed statement parsed and planned at each execution with its values (db_run, db_run_once,
 * db_run_later, which runs it at once; db_run_bytes refuses it):
 * for a statement whose plan must know its values, which a prepared one's generic plan does not. */
struct db_stmt {
	const char *name;
	const char *sql;
};

/* Declares the statement sql_<name>, prepared as "<name>": DB_STMT(people_get, "SELECT ..."); */
#define DB_STMT(name, text) static const struct db_stmt sql_##name = {#name, text}

/* What a named constraint violation means for the client: the field it concerns and why. */
struct db_constraint {
	const char *name;     /* constraint name as PostgreSQL reports it */
	const char *field;
	const char *code;     /* e.g. "duplicate", "not_found", "cycle" */
	const char *message;
	int status;           /* the answer's status; 0: what the SQLSTATE means (23505: 409…) */
};

/* A connection of the pool, held by one request between db_acquire and db_release. */
struct db_conn;

/* How a statement's constraint violations are explained to the client, given with the call:
 * the constraints it may violate, by name; `deleting`: a foreign key's violation means the row
 * is still referenced. NULL: generic answers (409, 422). */
struct db_explain {
	const struct db_constraint *constraints;
	int n;
	bool deleting;
};

struct db_options {
	const char *url;
	int size;
	long acquire_timeout_ms;
	long statement_timeout_ms;
	const char *application_name;
	bool read_only;     /* a replica's pool: sessions default to read-only transactions, so a
			       write sent there fails at once even when it points at a primary */
};

/* new; NULL on allocation failure. Opens no connection yet (they open lazily). */
struct db_pool *db_pool_new(const struct db_options *o);
void db_pool_free(struct db_pool *p);
/* Registers a statement to prepare on each connection; call before the first acquire. Its
 * address is its handle for db_run. */
bool db_pool_add_statement(struct db_pool *p, const struct db_stmt *stmt);

/* Waits up to the acquire timeout for a connection; 503 with Retry-After in err on timeout or
 * when the database cannot be reached.
 *
 * A connection found dead (the server restarted, the backend was terminated) is dropped, and so
 * are all connections opened before it: they are reopened by their next acquire. When no
 * statement had succeeded on it since it was acquired, the request changed nothing through it,
 * and err says so (retryable, connection_lost): the caller may run it again on a fresh one. */
bool db_acquire(struct db_pool *p, struct db_conn **out, struct app_error *err);
void db_release(struct db_conn *c);   /* accepts NULL */
/* the request id its log lines carry (borrowed until release) */
void db_set_request_id(struct db_conn *c, const char *request_id);
/* the libpq connection, for lib/migrate's checks; what waits to go with the next statement (a
 * BEGIN, db_run_later's) is sent first, so the caller finds its transaction — a caller that must
 * know it did calls db_send_pending before */
PGconn *db_pg(struct db_conn *c);
bool db_send_pending(struct db_conn *c, struct app_error *err);

/* What /metrics shows of a pool: its connections (size, taken by a request now, requests
 * waiting for one) and, since start, failed statements (a client's constraint violation among
 * them), connections that could not be opened, and acquires that timed out (503). */
struct db_pool_stats {
	int size, in_use, waiting;
	unsigned long long errors, connect_failures, busy;
	unsigned long long sent_for_waiters; /* statements a releaser sent on the connection it handed over */
};
void db_pool_stats(struct db_pool *p, struct db_pool_stats *out);

/* At start: opens a connection and prepares every statement on it (other connections prepare each
 * statement on its first use there: opening one is then a round trip). A statement that does not
 * prepare is a configuration error (DB_CHECK_BROKEN, err names it), not a request's;
 * DB_CHECK_UNREACHABLE when the database cannot be reached now (it may be later). */
enum db_check { DB_CHECK_OK, DB_CHECK_UNREACHABLE, DB_CHECK_BROKEN };
enum db_check db_pool_check(struct db_pool *p, struct app_error *err);
/* Opens every connection of the pool not yet open, before serving: a connection opened by a
 * request costs that request the connection and its new PostgreSQL backend's cold caches, and a
 * pool opened by its first burst of requests answered them in hundreds of milliseconds. Returns
 * how many are open; at the first that fails it stops (a database that does not answer would
 * cost each its connect timeout) and leaves the rest to open on first use. Call before threads
 * use p, after db_pool_check said DB_CHECK_OK. */
int db_pool_open_all(struct db_pool *p);

/* Opens one connection outside any pool (for migrate/demo). new; NULL with a message in err. */
PGconn *db_connect_once(const char *url, long statement_timeout_ms, struct app_error *err);

/* Defence in depth: is the role `pg` logged in as unable to leave row-level security? It must be
 * no superuser, not CREATEROLE (it could grant itself the owner), no member of the roles that
 * reach the server's files or programs, not BYPASSRLS, and neither own nor be able to become the owner of any table of
 * the schema (an owner can switch the policies off; a member of the owner's role can SET ROLE to
 * it, and an injected RESET ROLE would undo any SET ROLE we made). false with the reason in err. */
bool db_role_is_confined(PGconn *pg, struct app_error *err);

/* The $n values of one statement: texts borrowed, numbers written into room of their own. */
#define DB_MAX_PARAMS 40
struct db_params {
	const char *v[DB_MAX_PARAMS];
	char num[DB_MAX_PARAMS][24];
	int n;
};
/* the next value: text (NULL: SQL NULL), a number, a boolean; past DB_MAX_PARAMS they are dropped
 * and the statement fails on its count */
void db_param(struct db_params *p, const char *text);
void db_param_int(struct db_params *p, long long v);
void db_param_bool(struct db_params *p, bool v);
/* a number when given, else SQL NULL (an optional filter) */
void db_param_int_if(struct db_params *p, bool given, long long v);

/* Runs a registered statement (its handle). new result on success, NULL with err filled;
 * a constraint violation explained by `why` when it names it (NULL: generic answers). */
PGresult *db_run(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		 const struct db_explain *why, struct app_error *err);
/* db_run with bytes: values[i] is lengths[i] bytes in binary form when binary[i] (a bytea's raw
 * bytes), else text (lengths and binary may be NULL: all text); the result in binary form when
 * binary_result (a bytea column as its raw bytes: PQgetlength is their count). */
PGresult *db_run_bytes(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		       const int *lengths, const int *binary, bool binary_result, const struct db_explain *why,
		       struct app_error *err);
/* A read-only transaction (REPEATABLE READ) around a read of one statement, whose context (who
 * reads: what row-level security looks at) is set by a statement of the pool and its values */
struct db_envelope {
	const struct db_stmt *context;
	int n;
	const char *const *values;
};
/* One statement on a connection of the pool taken for it alone and given back before returning:
 * for a read that needs nothing else of a connection. Outside a transaction, or (env) in a read
 * only one that names the caller: BEGIN, the context, the statement and ROLLBACK then go in one
 * round trip, and the connection is idle again once the answer is read. When the pool is taken,
 * the request that gives a connection back sends the statement on it as it hands it over, so the
 * waiter sleeps once (for a connection with its answer on the way), not twice. */
PGresult *db_run_once(struct db_pool *p, const struct db_stmt *stmt, int n, const char *const *values,
		      const struct db_envelope *env, const struct db_explain *why, const char *request_id,
		      struct app_error *err);
/* On a connection held: whether a transaction is open on it (or its BEGIN waits to be sent) */
bool db_in_transaction(const struct db_conn *c);
/* db_run, or (env) the same in a read-only transaction begun and ended around it in one round trip,
 * for a connection with no transaction open (db_in_transaction) */
PGresult *db_run_enveloped(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
			   const struct db_envelope *env, const struct db_explain *why, struct app_error *err);
/* Runs `stmt` with the next statement db_run sends on c, in one round trip with it (and with a
 * pending BEGIN): for a statement whose result only has to be a success, as a transaction's
 * context. Its failure is the next statement's. At most DB_LATER_PARAMS values of
 * DB_LATER_TEXT bytes in all are kept (more: run at once). One at a time. */
#define DB_LATER_PARAMS 6
#define DB_LATER_TEXT 320
bool db_run_later(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		  struct app_error *err);
bool db_begin(struct db_conn *c, struct app_error *err);
/* a read-only transaction that sees one snapshot for all its statements (REPEATABLE READ) */
bool db_begin_read(struct db_conn *c, struct app_error *err);
/* Commits, and notes where the commit ended in the WAL: db_commit_position. */
bool db_commit(struct db_conn *c, struct app_error *err);
/* The WAL position at or past the end of the last commit made through db_commit since this
 * connection was acquired (pg_current_wal_insert_lsn() read in the COMMIT's round trip); 0: none.
 * A replica that has replayed this far shows that commit (Tdkt-Commit-Position). */
uint64_t db_commit_position(const struct db_conn *c);
/* Whether giving c back now loses nothing: no transaction open, or a read-only one (its results
 * are in hand; db_release rolls it back). False while a write is open, its BEGIN sent or not. */
bool db_may_release(const struct db_conn *c);

/* A connection of a replica's pool (read_only) for a read that must see every commit up to `min`
 * (0: any position will do), or false when this replica cannot serve it now: unreachable, no
 * connection free within the acquire timeout, or not yet replayed to `min` — the caller then
 * reads from the primary. The replayed position last seen is kept, so a replica that is ahead
 * costs no query; it is forgotten when a connection is found dead (a restored replica may be
 * behind it). */
bool db_acquire_replica(struct db_pool *p, uint64_t min, struct db_conn **out);

/* Column kinds for db_row_json: how a text value from PostgreSQL is written in JSON. */
enum db_col_type {
	COL_STR,   /* JSON string */
	COL_NUM,   /* number: PostgreSQL's text of an integer or numeric is valid JSON */
	COL_BOOL,  /* 't' / 'f' */
	COL_JSON,  /* already JSON (json/jsonb columns) */
	COL_TIME,  /* timestamptz as the pool's sessions print it (ISO, UTC) -> "YYYY-MM-DDTHH:MM:SSZ" */
};

struct db_col {
	const char *name;
	enum db_col_type type;
};

/* Writes row `row` of res as a JSON object, column i under cols[i].name. NULL becomes null. */
void db_row_json(struct buf *b, const PGresult *res, int row, const struct db_col *cols, int ncols);
/* The first n values of an integer column as an array parameter, "{3,5,8}"; false when out of
 * memory (the buffer's oom). */
bool db_int_array(struct buf *out, const PGresult *res, int col, int n);
/* The first n rows of res as JSON objects, separated by commas: a page's items */
void db_rows_json(struct buf *b, const PGresult *res, int n, const struct db_col *cols, int ncols);
/* The same members without the braces, for an object that goes on with more. */
void db_row_members(struct buf *b, const PGresult *res, int row, const struct db_col *cols, int ncols);

#endif
