/* PostgreSQL access: a small bounded pool of connections shared by all HTTP workers, prepared
 * statements re-established after a reconnect, SQLSTATE mapping into struct app_error, and
 * result rows written as JSON without an intermediate tree.
 *
 * A struct db_conn belongs to one request at a time: db_acquire it, use it, db_release it; an
 * open transaction is rolled back on release and a broken connection is dropped and reopened
 * by the next acquire. */
#ifndef TDKT_DB_H
#define TDKT_DB_H
#include <libpq-fe.h>
#include <stdbool.h>
#include "lib/buf.h"
#include "lib/error.h"

struct db_pool;

/* A statement prepared on every connection of the pool. Both strings are borrowed for the life
 * of the pool (they are string literals in api/). */
struct db_stmt {
	const char *name;
	const char *sql;
};

/* What a named constraint violation means for the client: the field it concerns and why. */
struct db_constraint {
	const char *name;     /* constraint name as PostgreSQL reports it */
	const char *field;
	const char *code;     /* e.g. "duplicate", "not_found", "cycle" */
	const char *message;
	int status;           /* the answer's status; 0: what the SQLSTATE means (23505: 409…) */
};

struct db_conn {
	PGconn *pg;
	struct db_pool *pool;
	int slot;
	/* per request: how to explain constraint violations, and whether we are deleting */
	const struct db_constraint *constraints;
	int nconstraints;
	bool deleting;
	const char *request_id;   /* borrowed, for log lines */
	int succeeded;            /* statements that succeeded since db_acquire */
	bool broken;              /* found dead: dropped on release */
	unsigned epoch;           /* the pool's epoch when this connection was opened */
};

struct db_options {
	const char *url;
	int size;
	long acquire_timeout_ms;
	long statement_timeout_ms;
	const char *application_name;
};

/* new; NULL on allocation failure. Opens no connection yet (they open lazily). */
struct db_pool *db_pool_new(const struct db_options *o);
void db_pool_free(struct db_pool *p);
/* Registers statements to prepare on each connection; call before the first acquire. */
bool db_pool_add_statements(struct db_pool *p, const struct db_stmt *stmts, int n);

/* Waits up to the acquire timeout for a connection; 503 with Retry-After in err on timeout or
 * when the database cannot be reached.
 *
 * A connection found dead (the server restarted, the backend was terminated) is dropped, and so
 * are all connections opened before it: they are reopened by their next acquire. When no
 * statement had succeeded on it since it was acquired, the request changed nothing through it,
 * and err says so (retryable, connection_lost): the caller may run it again on a fresh one. */
bool db_acquire(struct db_pool *p, struct db_conn **out, struct app_error *err);
void db_release(struct db_conn *c);   /* accepts NULL */

/* At start: opens a connection and prepares every statement on it. A statement that does not
 * prepare is a configuration error (DB_CHECK_BROKEN, err names it), not a request's;
 * DB_CHECK_UNREACHABLE when the database cannot be reached now (it may be later). */
enum db_check { DB_CHECK_OK, DB_CHECK_UNREACHABLE, DB_CHECK_BROKEN };
enum db_check db_pool_check(struct db_pool *p, struct app_error *err);

/* Opens one connection outside any pool (for migrate/demo). new; NULL with a message in err. */
PGconn *db_connect_once(const char *url, long statement_timeout_ms, struct app_error *err);

/* Defence in depth: is the role `pg` logged in as unable to leave row-level security? It must be
 * no superuser, not CREATEROLE (it could grant itself the owner), no member of the roles that
 * reach the server's files or programs, not BYPASSRLS, and neither own nor be able to become the owner of any table of
 * the schema (an owner can switch the policies off; a member of the owner's role can SET ROLE to
 * it, and an injected RESET ROLE would undo any SET ROLE we made). false with the reason in err. */
bool db_role_is_confined(PGconn *pg, struct app_error *err);

/* Runs a statement registered with db_pool_add_statements. new result on success, NULL with err
 * filled (constraint violations explained with c->constraints). */
PGresult *db_prepared(struct db_conn *c, const char *name, int n, const char *const *values,
		      struct app_error *err);
/* Runs SQL text with $n parameters (lists with optional filters: planned for the values given). */
PGresult *db_query(struct db_conn *c, const char *sql, int n, const char *const *values,
		   struct app_error *err);
bool db_begin(struct db_conn *c, struct app_error *err);
bool db_commit(struct db_conn *c, struct app_error *err);

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

#endif
