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

/* the statement's row as the answer, after the transaction commits */
static int respond_written(struct req *r, const char *stmt, int n, const char *const *params, int status,
			   const struct row_shape *shape)
{
	PGresult *res = db_prepared(r->db, stmt, n, params, &r->err);
	if (!res)
		return -1;
	if (!db_commit(r->db, &r->err)) {
		PQclear(res);
		return -1;
	}
	return respond_row(r, res, status, shape);
}

int respond_created(struct req *r, const char *stmt, int n, const char *const *params, const struct row_shape *shape)
{
	return respond_written(r, stmt, n, params, 201, shape);
}

int respond_updated(struct req *r, const char *stmt, int n, const char *const *params, const struct row_shape *shape)
{
	return respond_written(r, stmt, n, params, 200, shape);
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

bool upper_code_ok(const char *s, size_t n)
{
	if (n < 1 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '-')))
			return false;
	}
	return true;
}

bool snake_code_ok(const char *s, size_t n)
{
	if (n < 2 || n > 48 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

const char *patched_text(const struct jvalue *v, PGresult *cur, int col)
{
	if (v->present)
		return v->is_null ? NULL : v->str;
	return PQgetisnull(cur, 0, col) ? NULL : PQgetvalue(cur, 0, col);
}

bool lock_for_write(struct req *r, const char *stmt, long long id, const struct row_shape *shape,
		    enum action action, int unit_col, char idbuf[24], PGresult **cur)
{
	struct db_conn *db;
	*cur = NULL;
	if (!write_begin(r, &db))
		return false;
	const char *params[] = {id_text(id, idbuf)};
	PGresult *row = db_prepared(db, stmt, 1, params, &r->err);
	if (!row)
		return false;
	if (PQntuples(row) == 0) {
		PQclear(row);
		return app_error_set(&r->err, 404, "%s %lld does not exist.", shape->noun, id);
	}
	if (!authz_require(r, action, strtoll(PQgetvalue(row, 0, unit_col), NULL, 10)) ||
	    (shape->version_col >= 0 && !req_if_match(r, row_version_of(row, shape)))) {
		PQclear(row);
		return false;
	}
	*cur = row;
	return true;
}

int respond_deleted(struct req *r, const char *stmt, const char *id)
{
	r->db->deleting = true;
	const char *params[] = {id};
	PGresult *res = db_prepared(r->db, stmt, 1, params, &r->err);
	if (!res)
		return -1;
	PQclear(res);
	if (!db_commit(r->db, &r->err))
		return -1;
	r->status = 204;
	return 0;
}

int respond_list(struct req *r, const char *sql, int n, const char *const *params, const char *scope,
		 const struct row_shape *shape, long long limit)
{
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	PGresult *res = db_query(db, sql, n, params, &r->err);
	if (!res)
		return -1;
	return respond_page(r, res, scope, shape, limit);
}
