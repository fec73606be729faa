#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/resource.h"
#include "lib/crypto.h"
#include "lib/page.h"

const char *id_text(long long v, char buf[24])
{
	snprintf(buf, 24, "%lld", v);
	return buf;
}

long long row_version_of(const PGresult *res, const struct row_shape *shape)
{
	return shape->version_col < 0 ? 0 : strtoll(PQgetvalue(res, 0, shape->version_col), NULL, 10);
}

int respond_row(struct req *r, PGresult *res, int status, const struct row_shape *shape)
{
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
	int n = PQntuples(res);
	bool more = n > limit;
	if (more)
		n = (int)limit;
	page_begin(r->out);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_putc(r->out, ',');
		db_row_json(r->out, res, i, shape->cols, shape->ncols);
	}
	page_end(r->out, scope, more ? PQgetvalue(res, n - 1, shape->id_col) : NULL);
	PQclear(res);
	return 0;
}

int respond_get_one(struct req *r, const char *stmt, const char *key, const struct row_shape *shape)
{
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	const char *params[] = {key};
	PGresult *res = db_prepared(db, stmt, 1, params, &r->err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return req_fail(r, 404, "%s %s does not exist.", shape->noun, key);
	}
	if (shape->version_col >= 0 && req_not_modified(r, row_version_of(res, shape))) {
		req_set_etag(r, row_version_of(res, shape));
		PQclear(res);
		r->status = 304;
		return 0;
	}
	return respond_row(r, res, 200, shape);
}

int respond_get_by_id(struct req *r, const char *stmt, const struct row_shape *shape)
{
	long long id;
	char idbuf[24];
	if (!req_path_id(r, "id", &id))
		return -1;
	return respond_get_one(r, stmt, id_text(id, idbuf), shape);
}

int respond_created(struct req *r, const char *stmt, int n, const char *const *params, const struct row_shape *shape)
{
	PGresult *res = db_prepared(r->db, stmt, n, params, &r->err);
	if (!res)
		return -1;
	if (!db_commit(r->db, &r->err)) {
		PQclear(res);
		return -1;
	}
	return respond_row(r, res, 201, shape);
}

void respond_public(struct req *r)
{
	char hash[65];
	sha256_hex(r->out->data ? r->out->data : "", r->out->len, hash);
	snprintf(r->etag, sizeof r->etag, "W/\"%.24s\"", hash);
	r->cache_control = "public, max-age=60";
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, r->etag + 2)) {
		buf_reset(r->out);
		r->status = 304;
	}
}

void id_list_text(const struct jvalue *v, struct buf *b)
{
	buf_putc(b, '{');
	size_t i;
	json_t *item;
	json_array_foreach(v->list, i, item) {
		if (i)
			buf_putc(b, ',');
		buf_json_int(b, json_integer_value(item));
	}
	buf_putc(b, '}');
}
