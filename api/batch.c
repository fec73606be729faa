/* The shared part of batch imports (api/batch.h): reading the body, an item's flags, the run. */
#include <stdio.h>
#include <string.h>
#include "api/batch.h"
#include "api/write.h"
#include "lib/jsonin.h"

static const char *const body_types[] = {"application/json", "application/x-ndjson", NULL};
enum { BODY_JSON, BODY_NDJSON };

/* NDJSON: one value per non-blank line, into an array (new) */
static bool parse_ndjson(struct req *r, const struct batch_kind *k, const char *s, size_t n, json_t **out)
{
	json_t *items = json_array();
	*out = items;
	if (!items)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	for (size_t at = 0, line = 1; at < n; line++) {
		const char *end = memchr(s + at, '\n', n - at);
		size_t len = end ? (size_t)(end - (s + at)) : n - at;
		const char *p = s + at;
		at += len + (end ? 1 : 0);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			continue;
		if (json_array_size(items) >= k->max)
			return app_error_set(&r->err, 422, "A batch holds at most %zu %s.", k->max, k->plural);
		json_t *item = NULL;
		struct app_error e;
		app_error_clear(&e);
		if (!jin_parse(p, len, &item, &e))
			return app_error_set(&r->err, 400, "Line %zu: %s", line, e.detail);
		if (json_array_append_new(items, item) != 0)
			return app_error_set(&r->err, 503, "The service is short of memory.");
	}
	return true;
}

bool batch_read_items(struct req *r, const struct batch_kind *k, json_t **items)
{
	const struct buf *body;
	int type;
	*items = NULL;
	if (!req_body(r, body_types, &type, &body))
		return false;
	if (!json_values_within(body->data, body->len, k->max_values))
		return app_error_set(&r->err, 413, "A batch holds at most %zu %s: this body has more JSON values than they could.",
				     k->max, k->plural);
	if (type == BODY_NDJSON ? !parse_ndjson(r, k, body->data, body->len, items)
				: !jin_parse_array(body->data, body->len, k->max, items, &r->err))
		return false;
	if (json_array_size(*items) == 0)
		return app_error_set(&r->err, 422, "Send at least one item: a batch of %s is not empty.", k->plural);
	return true;
}

bool batch_flag(struct req *r, json_t *item, size_t i, const char *name, bool *out)
{
	json_t *v = json_object_get(item, name);
	*out = json_is_true(v);
	if (v && !json_is_boolean(v)) {
		char field[64];
		snprintf(field, sizeof field, "[%zu].%s", i, name);
		return app_error_field(&r->err, field, "type", "%s must be true or false", name);
	}
	if (v)
		json_object_del(item, name);
	return true;
}

int batch_import(struct req *r, const struct batch_kind *k, const struct db_explain *explained)
{
	json_t *items = NULL, *stored_items = NULL;
	struct buf stored;
	struct db_conn *db;
	PGresult *res = NULL;
	int rc = -1;
	buf_init(&stored);
	if (!authz_role_may(r, k->right)) {
		app_error_set(&r->err, 403, "Your role (%s) %s.", role_name(r->caller.role), k->denied);
		goto out;
	}
	if (!batch_read_items(r, k, &items) || !k->decode(r, items, &stored))
		goto out;
	json_error_t jerr;
	stored_items = json_loadb(stored.data, stored.len, 0, &jerr);
	if (!stored_items) {
		app_error_set(&r->err, 500, "An internal error occurred.");
		goto out;
	}
	if (!write_begin(r, &db) || !k->check(r, stored_items, stored.data))
		goto out;
	struct db_params p = {.n = 0};
	db_param(&p, stored.data);
	if (k->acting_user)
		db_param_int(&p, r->caller.user_id);
	/* a unique violation: a row another request made since the check */
	res = db_run(r->db, k->write, p.n, p.v, explained, &r->err);
	if (!res)
		goto out;
	if ((size_t)PQntuples(res) != json_array_size(items)) {
		app_error_set(&r->err, 409, "%s", k->changed);
		goto out;
	}
	if (!db_commit(r->db, &r->err))
		goto out;
	int created = 0;
	for (int i = 0; i < PQntuples(res); i++)
		created += PQgetvalue(res, i, 2)[0] == 't';
	buf_printf(r->out, "{\"created\":%d,\"updated\":%d,\"items\":[", created, PQntuples(res) - created);
	for (int i = 0; i < PQntuples(res); i++) {
		buf_printf(r->out, "%s{\"index\":%s,\"id\":%s,\"created\":%s", i ? "," : "", PQgetvalue(res, i, 0),
			   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)[0] == 't' ? "true" : "false");
		for (int c = 3; c < PQnfields(res); c++) {
			buf_putc(r->out, ',');
			buf_json_cstr(r->out, PQfname(res, c));
			buf_putc(r->out, ':');
			buf_json_cstr(r->out, PQgetvalue(res, i, c));
		}
		buf_putc(r->out, '}');
	}
	buf_puts(r->out, "]}");
	rc = 0;
out:
	PQclear(res);
	json_decref(items);
	json_decref(stored_items);
	buf_free(&stored);
	return rc;
}
