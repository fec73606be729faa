/* Child lists of a descriptor (api/crud.h, struct child_list): rows of another table that belong
 * to a row and are replaced as a whole, with their statements made at start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/crud_impl.h"
#include "api/write.h"
#include "lib/query.h"

enum { C_JSON, C_CLEAR, C_INSERT, C_READ };
#define CHILD_MAX_ITEM_FIELDS 16
#define CHILD_MAX_COPIED 8


/* " WHERE parent = $1 [AND partition = $2]" */
static void which(struct buf *b, const struct child_list *c)
{
	CAT(b, " WHERE ", c->parent_column, " = $1");
	if (c->partition)
		CAT(b, " AND ", c->partition, " = $2");
}

static bool child_sql(const struct resource *res, struct resource_rt *rt, const struct child_list *c)
{
	struct buf b;
	char suffix[64];
	bool ok = true;
	int n = c->partition ? 2 : 1;

	/* the stored list as JSON, for the audit trail */
	buf_init(&b);
	buf_puts(&b, "SELECT coalesce(jsonb_agg(jsonb_build_object(");
	for (int i = 0; i < c->nitems; i++)
		CAT(&b, i ? ", '" : "'", c->items[i].name, "', ", c->items[i].name);
	CAT(&b, ") ORDER BY ", c->order, "), '[]') FROM ", c->table);
	which(&b, c);
	snprintf(suffix, sizeof suffix, "%s_json", c->segment);
	ok = crud_add_stmt(res, rt, suffix, crud_take(&b));

	buf_init(&b);
	CAT(&b, "DELETE FROM ", c->table);
	which(&b, c);
	snprintf(suffix, sizeof suffix, "%s_clear", c->segment);
	ok = ok && crud_add_stmt(res, rt, suffix, crud_take(&b));

	/* $1 the row, [$2 the partition,] the copied columns, then the items as JSON */
	buf_init(&b);
	CAT(&b, "INSERT INTO ", c->table, " (", c->parent_column);
	if (c->partition)
		CAT(&b, ", ", c->partition);
	for (int i = 0; c->copied && c->copied[i]; i++)
		CAT(&b, ", ", c->copied[i]);
	for (int i = 0; i < c->nitems; i++)
		CAT(&b, ", ", c->items[i].name);
	buf_puts(&b, ") SELECT $1");
	if (c->partition)
		buf_puts(&b, ", $2");
	for (int i = 0; c->copied && c->copied[i]; i++) {
		buf_puts(&b, ", ");
		crud_param(&b, ++n);
	}
	for (int i = 0; i < c->nitems; i++)
		CAT(&b, ", x.", c->items[i].name);
	buf_puts(&b, " FROM jsonb_to_recordset(");
	crud_param(&b, ++n);
	buf_puts(&b, "::jsonb) AS x(");
	for (int i = 0; i < c->nitems; i++)
		CAT(&b, i ? ", " : "", c->items[i].name, " ", crud_sql_type(c->items[i].type));
	buf_putc(&b, ')');
	snprintf(suffix, sizeof suffix, "%s_insert", c->segment);
	ok = ok && crud_add_stmt(res, rt, suffix, crud_take(&b));

	snprintf(suffix, sizeof suffix, "%s", c->segment);
	return ok && crud_add_stmt(res, rt, suffix, strdup(c->read));
}

bool crud_child_sql(const struct resource *res, struct resource_rt *rt)
{
	rt->audit_stmt = -1;
	if (res->nchildren == 0)
		return true;
	for (int i = 0; i < res->nchildren; i++) {
		const struct child_list *c = &res->children[i];
		bool names_ok = crud_identifier(c->segment) && crud_identifier(c->table) &&
				crud_identifier(c->parent_column) && crud_identifier(c->order) &&
				(!c->partition || crud_identifier(c->partition)) && c->nitems > 0 && c->unique < c->nitems;
		names_ok = names_ok && c->nitems <= CHILD_MAX_ITEM_FIELDS;
		for (int k = 0; k < c->nitems && names_ok; k++)
			names_ok = crud_identifier(c->items[k].name);
		/* each copied column is a field of the row, at most CHILD_MAX_COPIED of them */
		for (int k = 0; c->copied && c->copied[k] && names_ok; k++) {
			bool field = false;
			for (int f = 0; f < res->nfields; f++)
				field |= strcmp(res->fields[f].in.name, c->copied[k]) == 0;
			names_ok = k < CHILD_MAX_COPIED && field && crud_identifier(c->copied[k]);
		}
		rt->child_stmt[i] = rt->nstmts;
		if (!names_ok || !child_sql(res, rt, c))
			return false;
	}
	/* a list's change, as the trigger would have written it for a column: {"<list>": {old, new}};
	 * the change feed says which list ($5: {"name": "members", "year": 2026}) */
	if (!crud_identifier(res->entity))
		return false;
	struct buf b;
	buf_init(&b);
	CAT(&b, "SELECT tdkt_record_custom('", res->entity, "', $1, 'update', jsonb_build_object($2::text,"
	    " jsonb_build_object('old', $3::jsonb, 'new', $4::jsonb)), $5::jsonb)");
	rt->audit_stmt = rt->nstmts;
	return crud_add_stmt(res, rt, "audit", crud_take(&b));
}

static const struct db_stmt *stmt(const struct resource *res, int child, int which_one)
{
	return &res->rt->stmts[res->rt->child_stmt[child] + which_one];
}

const struct db_stmt *crud_child_reader(const struct resource *res, int child)
{
	return stmt(res, child, C_READ);
}

static int child_index(const struct resource *res, const struct child_list *c)
{
	return (int)(c - res->children);
}

bool crud_child_respond(struct req *r, const struct resource *res, int child, const char *key, const char *partition)
{
	const struct child_list *c = &res->children[child];
	const char *params[] = {key, partition};
	PGresult *rows = db_run(r->db, stmt(res, child, C_READ), c->partition ? 2 : 1, params, NULL, &r->err);
	if (!rows)
		return false;
	CAT(r->out, "{\"", c->key, "\":");
	if (res->fields[res->rt->key].out == COL_NUM)
		buf_puts(r->out, key);
	else
		buf_json_cstr(r->out, key);
	if (c->partition)
		CAT(r->out, ",\"", c->partition, "\":", partition);
	buf_puts(r->out, ",\"items\":[");
	db_rows_json(r->out, rows, PQntuples(rows), c->cols, c->ncols);
	buf_puts(r->out, "]}");
	PQclear(rows);
	return true;
}

bool crud_child_commit(struct req *r, const struct resource *res, int child, const char *key, const char *partition)
{
	/* the answer is read before the commit: a read that fails after it would report a saved
	 * change as failed */
	if (crud_child_respond(r, res, child, key, partition) && db_commit(r->db, &r->err))
		return true;
	buf_reset(r->out);
	return false;
}

bool crud_child_replace(struct req *r, const struct resource *res, int child, PGresult *cur, const char *partition,
			const char *items)
{
	const struct child_list *c = &res->children[child];
	const char *key = PQgetvalue(cur, 0, res->rt->col_of[res->rt->key]);
	const char *params[3 + CHILD_MAX_COPIED] = {key, partition};
	int n = c->partition ? 2 : 1;
	if (c->check && !c->check(r, cur, partition, items))
		return false;
	for (int i = 0; c->copied && c->copied[i]; i++)
		for (int f = 0; f < res->nfields; f++)
			if (strcmp(res->fields[f].in.name, c->copied[i]) == 0)
				params[n++] = crud_cur(res, cur, f);
	params[n++] = items;
	const struct db_explain *why = &res->rt->write_why;
	int keys = c->partition ? 2 : 1;
	PGresult *old = db_run(r->db, stmt(res, child, C_JSON), keys, params, NULL, &r->err), *now = NULL;
	PGresult *cleared = old ? db_run(r->db, stmt(res, child, C_CLEAR), keys, params, why, &r->err) : NULL;
	PGresult *inserted = cleared ? db_run(r->db, stmt(res, child, C_INSERT), n, params, why, &r->err) : NULL;
	bool ok = false;
	if (inserted && (now = db_run(r->db, stmt(res, child, C_JSON), keys, params, NULL, &r->err))) {
		struct buf name, detail;
		buf_init(&name);
		buf_init(&detail);
		CAT(&name, c->segment, c->partition ? "_" : "", c->partition ? partition : "");
		/* the segment and partition are the descriptor's identifiers, the partition's value a checked integer */
		CAT(&detail, "{\"name\":\"", c->segment, "\"");
		if (c->partition)
			CAT(&detail, ",\"", c->partition, "\":", partition);
		buf_putc(&detail, '}');
		const char *audit[] = {key, name.data, PQgetvalue(old, 0, 0), PQgetvalue(now, 0, 0), detail.data};
		PGresult *recorded = buf_ok(&name) && buf_ok(&detail)
					     ? db_run(r->db, &res->rt->stmts[res->rt->audit_stmt], 5, audit, NULL, &r->err)
					     : NULL;
		ok = recorded != NULL;
		PQclear(recorded);
		buf_free(&name);
		buf_free(&detail);
	}
	PQclear(old);
	PQclear(cleared);
	PQclear(inserted);
	PQclear(now);
	return ok;
}

/* the partition of a GET (the query's) or a PUT (the path's) into text; 400 or 404 */
static bool partition_of(struct req *r, const struct child_list *c, struct query *q, char text[24])
{
	long long value = 0;
	bool given = false;
	if (!c->partition)
		return true;
	if (q) {
		if (!query_int(q, c->partition, c->partition_min, c->partition_max, &given, &value, &r->err))
			return false;
		if (!given)
			return app_error_set(&r->err, 400, "Query parameter %s is required.", c->partition);
	} else if (!req_path_id(r, c->partition, &value)) {
		return false;
	} else if (value < c->partition_min || value > c->partition_max) {
		return app_error_set(&r->err, 404, "No resource at this path (%s runs from %lld to %lld).", c->partition,
				     c->partition_min, c->partition_max);
	}
	id_text(value, text);
	return true;
}

static int child_get(struct req *r)
{
	const struct crud_route *d = r->match.route->data;
	const struct resource *res = d->res;
	struct query q;
	struct db_conn *db;
	char key[64], partition[24];
	if (!crud_may_read(r, res) || !crud_path_key(r, res, key) || !query_parse(r->query, &q, &r->err) ||
	    !partition_of(r, d->child, &q, partition) || !query_no_unknown(&q, &r->err) || !crud_reader(r, res, &db))
		return -1;
	PGresult *row = crud_row_by_key(r, res, db, CRUD_GET, key);
	if (!row)
		return -1;
	bool exists = PQntuples(row) == 1;
	PQclear(row);
	if (!exists)
		return req_fail(r, 404, "%s %s does not exist.", res->noun, key);
	return crud_child_respond(r, res, child_index(res, d->child), key, partition) ? 0 : -1;
}

/* the body's items, each with exactly its fields, as stored (JSON) */
static bool encode_items(struct req *r, const struct child_list *c, json_t *body, struct buf *out)
{
	size_t i;
	json_t *item;
	buf_putc(out, '[');
	json_array_foreach(body, i, item) {
		struct jvalue v[CHILD_MAX_ITEM_FIELDS];
		if (!jin_decode_item(item, "", i, c->items, (size_t)c->nitems, v, &r->err))
			continue;
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(body, j), c->items[c->unique].name),
				       json_object_get(item, c->items[c->unique].name))) {
				char field[64];
				snprintf(field, sizeof field, "[%zu].%s", i, c->items[c->unique].name);
				app_error_field(&r->err, field, "duplicate", "[%zu] and [%zu] have the same %s", j, i,
						c->items[c->unique].name);
			}
		buf_puts(out, i ? ",{" : "{");
		for (int k = 0; k < c->nitems; k++) {
			const struct jvalue *x = &v[k];
			CAT(out, k ? ",\"" : "\"", c->items[k].name, "\":");
			if (!x->present || x->is_null)
				buf_puts(out, "null");
			else if (c->items[k].type == JF_ID || c->items[k].type == JF_INT)
				buf_json_int(out, x->num);
			else if (c->items[k].type == JF_BOOL)
				buf_puts(out, x->boolean ? "true" : "false");
			else if (c->items[k].type == JF_NUMBER)
				buf_puts(out, x->number);
			else
				buf_json_str(out, x->str, x->len);
		}
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

static int child_put(struct req *r)
{
	const struct crud_route *d = r->match.route->data;
	const struct resource *res = d->res;
	const struct child_list *c = d->child;
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct buf items;
	char key[64], partition[24], doing[96];
	int rc = -1;
	buf_init(&items);
	snprintf(doing, sizeof doing, "have its %s changed", c->segment);
	if (!crud_path_key(r, res, key) || !partition_of(r, c, NULL, partition) ||
	    !req_json_array(r, (size_t)c->max, &body) || !encode_items(r, c, body, &items) ||
	    (c->validate && !c->validate(r, body)) || !crud_lock_key(r, res, res->write, NULL, key, &cur) ||
	    !crud_state_allows(r, res, cur, c->editable, doing) ||
	    !crud_child_replace(r, res, child_index(res, c), cur, c->partition ? partition : NULL, items.data) ||
	    !crud_child_commit(r, res, child_index(res, c), key, partition))
		goto out;
	rc = 0;
out:
	PQclear(cur);
	buf_free(&items);
	json_decref(body);
	return rc;
}

bool crud_child_routes(const struct resource *res, struct resource_rt *rt, const char *item)
{
	bool ok = true;
	for (int i = 0; i < res->nchildren && ok; i++) {
		const struct child_list *c = &res->children[i];
		const struct crud_route d = {res, NULL, NULL, c, rt->child_stmt[i], -1};
		const char *list = crud_owned(rt, crud_joined(item, "/", c->segment, ""));
		const char *put = c->partition ? crud_owned(rt, crud_joined(list ? list : "", "/{", c->partition, "}")) : list;
		ok = crud_add_route(rt, "GET", list, child_get, d) && crud_add_route(rt, "PUT", put, child_put, d);
	}
	return ok;
}
