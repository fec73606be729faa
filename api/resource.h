/* The plumbing every resource shares: a row as the response (ETag from its version, Location on
 * create), a keyset page of rows, and GET by id with If-None-Match. A resource describes its
 * rows once in a struct row_shape. */
#ifndef TDKT_RESOURCE_H
#define TDKT_RESOURCE_H
#include "lib/db.h"
#include "lib/http.h"
#include "lib/jsonin.h"
#include "lib/permission.h"

struct row_shape {
	const char *collection;      /* "/v1/units": Location prefix */
	const char *noun;            /* "Unit": for "Unit 5 does not exist." */
	const struct db_col *cols;   /* the statement's columns, in order */
	int ncols;
	int id_col;                  /* the id (and keyset) column */
	int version_col;             /* -1 when the rows have no version */
};

/* Writes row 0 of res as the response with status (201 adds Location). Steals res. Returns 0. */
int respond_row(struct req *r, PGresult *res, int status, const struct row_shape *shape);
/* Writes {"items":[…],"next_cursor":…} from a result fetched with LIMIT limit + 1, ordered by
 * the id column; the cursor of scope carries the last id. Steals res. Returns 0. */
int respond_page(struct req *r, PGresult *res, const char *scope, const struct row_shape *shape, long long limit);
/* Runs a list query planned with its values (optional filters fold away) and answers the page. */
int respond_list(struct req *r, const char *sql, int n, const char *const *params, const char *scope,
		 const struct row_shape *shape, long long limit);
/* GET /collection/{id} with the prepared statement `stmt` ($1 = id): 404, 304, or the row. */
int respond_get_by_id(struct req *r, const char *stmt, const struct row_shape *shape);
/* the same for a resource keyed by text ($1 = key) */
int respond_get_one(struct req *r, const char *stmt, const char *key, const struct row_shape *shape);

/* Runs the INSERT … RETURNING statement `stmt` in the open write transaction, commits, and
 * answers 201 with the row. */
int respond_created(struct req *r, const char *stmt, int n, const char *const *params, const struct row_shape *shape);
/* The same for an UPDATE … RETURNING: 200 with the changed row. */
int respond_updated(struct req *r, const char *stmt, int n, const char *const *params, const struct row_shape *shape);

/* "true"/"false" for a decoded boolean field, NULL when absent (for $n parameters) */
#define BOOL_PARAM(jv) ((jv).present ? ((jv).boolean ? "true" : "false") : NULL)
/* explains the given constraint table's violations for this request */
#define DB_EXPLAIN(db, table) ((db)->constraints = (table), (db)->nconstraints = (int)(sizeof(table) / sizeof((table)[0])))

/* For the public lists (no token): Cache-Control: public, max-age=60 and an ETag over the body; answers 304
 * when If-None-Match has it. Call after the body is written. */
void respond_public(struct req *r);

/* A decoded JF_ID_LIST as PostgreSQL array text "{1,2,3}" into b */
void id_list_text(const struct jvalue *v, struct buf *b);

/* ^[A-Z0-9][A-Z0-9.-]{0,31}$: the codes of units, clusters and campaigns */
bool upper_code_ok(const char *s, size_t n);

/* ^[a-z][a-z0-9_]{1,47}$: the codes of indicators and award kinds */
bool snake_code_ok(const char *s, size_t n);
#define SNAKE_CODE_DESC "must match ^[a-z][a-z0-9_]{1,47}$"

/* The new value of a text field in a merge patch: the patch's (NULL for null) when present,
 * else the stored column of row 0 (NULL when SQL NULL). */
const char *patched_text(const struct jvalue *v, PGresult *cur, int col);

/* In a write transaction (write_begin): locks row `id` with the prepared statement `stmt`
 * ($1 = id), answers 404 when it does not exist, checks the caller may do `action` to the data
 * of the unit in column `unit_col`, and If-Match. *cur is new; idbuf gets the id's text. */
bool lock_for_write(struct req *r, const char *stmt, long long id, const struct row_shape *shape,
		    enum action action, int unit_col, char idbuf[24], PGresult **cur);

/* Runs the DELETE statement `stmt` ($1 = id) in the open transaction, commits, answers 204. */
int respond_deleted(struct req *r, const char *stmt, const char *id);

/* the version column of row 0 */
long long row_version_of(const PGresult *res, const struct row_shape *shape);
/* decimal text of v into buf (for $n parameters); returns buf */
const char *id_text(long long v, char buf[24]);

#endif
