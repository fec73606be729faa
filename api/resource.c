#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/crypto.h"
#include "lib/page.h"

const char *id_text(long long v, char buf[24])
{
	fmt_int(buf, v);
	return buf;
}

long long row_version_of(const PGresult *res, const struct row_shape *shape)
{
	return shape->version_col < 0 ? 0 : strtoll(PQgetvalue(res, 0, shape->version_col), NULL, 10);
}

int respond_row(struct req *r, PGresult *res, int status, const struct row_shape *shape)
{
	req_db_done(r);
	r->status = status;
	if (shape->version_col >= 0)
		req_set_etag(r, row_version_of(res, shape));
	if (status == 201)
		snprintf(r->location, sizeof r->location, "%s/%s", shape->collection, PQgetvalue(res, 0, shape->id_col));
	db_row_json(r->out, res, 0, shape->cols, shape->ncols);
	PQclear(res);
	return 0;
}

int respond_page(struct req *r, PGresult *res, const char *scope, const struct row_shape *shape, long long limit)
{
	req_db_done(r);
	int n = PQntuples(res);
	bool more = n > limit;
	if (more)
		n = (int)limit;
	page_begin(r->out);
	db_rows_json(r->out, res, n, shape->cols, shape->ncols);
	page_end(r->out, scope, more ? PQgetvalue(res, n - 1, shape->id_col) : NULL);
	PQclear(res);
	return 0;
}

bool public_etag(const struct buf *body, char etag[PUBLIC_ETAG_MAX])
{
	char hash[65];
	etag[0] = '\0';
	if (!sha256_hex(body->data ? body->data : "", body->len, hash))
		return false;
	snprintf(etag, PUBLIC_ETAG_MAX, "W/\"%.24s\"", hash);
	return true;
}

void respond_public(struct req *r)
{
	char etag[PUBLIC_ETAG_MAX];
	public_etag(r->out, etag);
	respond_public_as(r, etag);
}

void respond_public_as(struct req *r, const char *etag)
{
	snprintf(r->etag, sizeof r->etag, "%s", etag);
	r->cache_control = "public, max-age=60";
	if (!etag[0])
		return; /* not hashed: no validator, never a 304 */
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, r->etag + 2)) {
		buf_reset(r->out);
		r->status = 304;
	}
}

int respond_deleted(struct req *r, const struct db_stmt *stmt, const char *id, const struct db_explain *why)
{
	const char *params[] = {id};
	PGresult *res = db_run(r->db, stmt, 1, params, why, &r->err);
	if (!res)
		return -1;
	PQclear(res);
	if (!db_commit(r->db, &r->err))
		return -1;
	r->status = 204;
	return 0;
}
