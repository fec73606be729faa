/* The plumbing every resource shares: a row as the response (ETag from its version, Location on
 * create), a keyset page of rows, and GET by id with If-None-Match. A resource describes its
 * rows once in a struct row_shape (api/crud.c makes it from a descriptor). */
#ifndef TDKT_RESOURCE_H
#define TDKT_RESOURCE_H
#include "lib/db.h"
#include "lib/http.h"
#include "lib/jsonin.h"
#include "api/codes.h"

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
/* For the public lists (no token): Cache-Control: public, max-age=60 and an ETag over the body; answers 304
 * when If-None-Match has it. Call after the body is written. */
void respond_public(struct req *r);
/* The same in two steps, for an answer kept with its ETag (api/public.c): the weak ETag over a
 * body, and the headers (and 304) for a body already in r->out with that ETag. */
#define PUBLIC_ETAG_MAX 32
/* false (and etag empty) when the body could not be hashed: the answer then goes without one */
bool public_etag(const struct buf *body, char etag[PUBLIC_ETAG_MAX]);
void respond_public_as(struct req *r, const char *etag);


/* Runs the DELETE statement `stmt` ($1 = id) in the open transaction, explaining violations by
 * `why`, commits, answers 204. */
int respond_deleted(struct req *r, const struct db_stmt *stmt, const char *id, const struct db_explain *why);

/* the version column of row 0 */
long long row_version_of(const PGresult *res, const struct row_shape *shape);
/* decimal text of v into buf (for $n parameters); returns buf */
const char *id_text(long long v, char buf[24]);

#endif
