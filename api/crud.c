/* The engine behind resource descriptors (api/crud.h): SQL made once at start from the
 * descriptor's static tables, and the generic list, get, create, patch and delete handlers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"
#include "api/write.h"
#include "lib/buf.h"
#include "lib/page.h"
#include "lib/query.h"

enum { S_GET = CRUD_GET, S_LOCK = CRUD_LOCK, S_INSERT = CRUD_INSERT, S_UPDATE = CRUD_UPDATE, S_DELETE = CRUD_DELETE,
       S_LIST = CRUD_LIST, S_SET_STATE = CRUD_SET_STATE, S_COUNT };
static const char *const stmt_suffix[S_COUNT] = {"get", "lock", "insert", "update", "delete", "list", "set_state"};

#define ALIAS "t"
#define MAX_PARAMS 32 /* of a list statement */

/* ^[a-z_][a-z0-9_]*$: the only text that ever becomes an identifier in generated SQL */
static bool plain_identifier(const char *s)
{
	if (!s || !*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const char *column_of(const struct field *f)
{
	return f->column ? f->column : f->in.name;
}

/* a column that is an expression of the row: read, never written */
static bool computed(const struct field *f)
{
	return f->column && f->column[0] == '(';
}

/* a field the client writes (create, patch) */
static bool writable(const struct field *f)
{
	return !(f->in.flags & JF_READONLY);
}

/* a field the row's own INSERT and UPDATE write */
static bool stored(const struct field *f)
{
	return writable(f) && !computed(f);
}

/* SQL is put together from fragments, never formatted: every piece is a literal of this file,
 * an identifier of a descriptor checked by plain_identifier, or a descriptor's static SQL text
 * (an expression column, a filter). Values are only ever $n. */
static void cat(struct buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	for (const char *piece = va_arg(ap, const char *); piece; piece = va_arg(ap, const char *))
		buf_puts(b, piece);
	va_end(ap);
}

/* the fragments end with a NULL of the right type for va_arg */
#define CAT(b, ...) cat(b, __VA_ARGS__, (const char *)NULL)

/* $n */
static void param(struct buf *b, int n)
{
	buf_putc(b, '$');
	buf_json_int(b, n);
}

/* t.column */
static void col(struct buf *b, const struct field *f)
{
	CAT(b, ALIAS ".", column_of(f));
}

/* how a row's select list names a field: t.column, or the expression */
static void select_item(struct buf *b, const struct field *f)
{
	if (computed(f))
		buf_puts(b, f->column);
	else
		col(b, f);
}

/* the SQL type a parameter of this field is cast to, where a cast is needed */
static const char *sql_type(const struct field *f)
{
	switch (f->in.type) {
	case JF_ID:
	case JF_INT: return "bigint";
	case JF_BOOL: return "boolean";
	case JF_DATE: return "date";
	case JF_NUMBER: return "numeric";
	default: return "text";
	}
}

/* $n as the value written to the column: normalised, or the default when absent; a write-only
 * column a patch leaves out keeps its value */
static void value_sql(struct buf *b, const struct field *f, int n, bool on_create)
{
	bool keep = !on_create && (f->role & FR_WRITE_ONLY), fallback = on_create && f->absent;
	if (fallback || keep)
		buf_puts(b, "coalesce(");
	else if (f->role & FR_NFC)
		buf_puts(b, "normalize(");
	else if (f->role & FR_LOWER)
		buf_puts(b, "lower(");
	param(b, n);
	if (fallback)
		CAT(b, "::", sql_type(f), ", ", f->absent, ")");
	else if (keep)
		CAT(b, ", " ALIAS ".", column_of(f), ")");
	else if (f->role & FR_NFC)
		buf_puts(b, ", NFC)");
	else if (f->role & FR_LOWER)
		buf_putc(b, ')');
}

/* "SELECT <cols> FROM <table> t WHERE " */
static void select_from(struct buf *b, const char *cols, const char *table)
{
	CAT(b, "SELECT ", cols, " FROM ", table, " " ALIAS " WHERE ");
}

/* "version = t.version + 1, updated_at = now()": what every change of a row does, each
 * assignment after `sep` (then ", ") */
static void bump(struct buf *b, const struct resource *res, const char *sep)
{
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (f->role & FR_VERSION)
			CAT(b, sep, column_of(f), " = " ALIAS ".", column_of(f), " + 1");
		else if (f->role & FR_UPDATED)
			CAT(b, sep, column_of(f), " = now()");
		else
			continue;
		sep = ", ";
	}
}

static char *take(struct buf *b)
{
	char *s = buf_ok(b) ? strdup(b->data) : NULL;
	buf_free(b);
	return s;
}

static bool make_sql(const struct resource *res, struct resource_rt *rt, char *sql[S_COUNT])
{
	struct buf cols, b;
	buf_init(&cols);
	for (int i = 0, n = 0; i < res->nfields; i++)
		if (!(res->fields[i].role & FR_WRITE_ONLY)) {
			buf_puts(&cols, n++ ? ", " : "");
			select_item(&cols, &res->fields[i]);
		}
	if (!buf_ok(&cols))
		return false;
	const char *key = column_of(&res->fields[rt->key]);

	buf_init(&b);
	select_from(&b, cols.data, res->table);
	CAT(&b, ALIAS ".", key, " = $1");
	sql[S_GET] = take(&b);
	buf_init(&b);
	select_from(&b, cols.data, res->table);
	CAT(&b, ALIAS ".", key, " = $1 FOR UPDATE");
	sql[S_LOCK] = take(&b);

	buf_init(&b);
	CAT(&b, "INSERT INTO ", res->table, " AS " ALIAS " (");
	int n = 0;
	for (int i = 0; i < res->nfields; i++)
		if (stored(&res->fields[i]))
			CAT(&b, n++ ? ", " : "", column_of(&res->fields[i]));
	buf_puts(&b, ") VALUES (");
	n = 0;
	for (int i = 0; i < res->nfields; i++)
		if (stored(&res->fields[i])) {
			buf_puts(&b, n ? ", " : "");
			value_sql(&b, &res->fields[i], ++n, true);
		}
	CAT(&b, ") RETURNING ", cols.data);
	sql[S_INSERT] = take(&b);

	/* every change of a row bumps its version and stamps updated_at, here and nowhere else */
	buf_init(&b);
	CAT(&b, "UPDATE ", res->table, " AS " ALIAS " SET ");
	const char *sep = "";
	n = 1; /* $1 is the key */
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!stored(f) || (f->role & FR_CREATE_ONLY))
			continue;
		CAT(&b, sep, column_of(f), " = ");
		value_sql(&b, f, ++n, false);
		sep = ", ";
	}
	bump(&b, res, sep);
	CAT(&b, " WHERE " ALIAS ".", key, " = $1 RETURNING ", cols.data);
	sql[S_UPDATE] = take(&b);

	buf_init(&b);
	CAT(&b, "DELETE FROM ", res->table, " WHERE ", key, " = $1");
	sql[S_DELETE] = take(&b);

	/* an action: the state, and the version and updated_at as any update */
	if (rt->state >= 0) {
		buf_init(&b);
		CAT(&b, "UPDATE ", res->table, " AS " ALIAS " SET ", column_of(&res->fields[rt->state]), " = $2");
		bump(&b, res, ", ");
		CAT(&b, " WHERE " ALIAS ".", key, " = $1 RETURNING ", cols.data);
		sql[S_SET_STATE] = take(&b);
	}

	/* the unfiltered list (browsing page by page) is the hot one: prepared */
	buf_init(&b);
	select_from(&b, cols.data, res->table);
	CAT(&b, ALIAS ".", key, " > $1 ORDER BY " ALIAS ".", key, " LIMIT $2");
	sql[S_LIST] = take(&b);

	/* with filters: planned with the values given, so the absent ones fold away */
	buf_init(&b);
	select_from(&b, cols.data, res->table);
	CAT(&b, "($1::", res->fields[rt->key].out == COL_NUM ? "bigint" : "text", " IS NULL OR " ALIAS ".", key, " > $1)");
	n = 1; /* $1 is the cursor */
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!(f->role & FR_FILTER))
			continue;
		int v = ++n;
		buf_puts(&b, " AND (");
		param(&b, v);
		if (f->role & FR_SUBTREE) {
			/* the filter's value, then whether it takes the subtree */
			int subtree = ++n;
			buf_puts(&b, "::bigint IS NULL OR (");
			param(&b, subtree);
			buf_puts(&b, " AND ");
			col(&b, f);
			buf_puts(&b, " IN " SQL_SUBTREE_HEAD);
			param(&b, v);
			buf_puts(&b, SQL_SUBTREE_TAIL ") OR (NOT ");
			param(&b, subtree);
			buf_puts(&b, " AND ");
		} else {
			CAT(&b, "::", sql_type(f), " IS NULL OR ");
		}
		col(&b, f);
		buf_puts(&b, " = ");
		param(&b, v);
		buf_puts(&b, (f->role & FR_SUBTREE) ? "))" : ")");
	}
	for (int i = 0; i < res->nfilters; i++) {
		const struct filter *f = &res->filters[i];
		int first = n + 1, count = f->param[1] ? 2 : 1;
		buf_puts(&b, " AND (");
		param(&b, first);
		CAT(&b, f->type[0] == JF_BOOL ? "::boolean" : "::bigint", " IS NULL OR ");
		/* the descriptor's $1 and $2 become this statement's numbers */
		for (const char *c = f->sql; *c; c++) {
			if (c[0] == '$' && (c[1] == '1' || (c[1] == '2' && count == 2))) {
				param(&b, first + (c[1] - '1'));
				c++;
			} else {
				buf_putc(&b, *c);
			}
		}
		buf_putc(&b, ')');
		n += count;
	}
	if (res->searchable) {
		n++;
		buf_puts(&b, " AND (");
		param(&b, n);
		buf_puts(&b, "::text IS NULL OR " ALIAS ".search @@ tdkt_search_query(");
		param(&b, n);
		buf_puts(&b, "))");
	}
	CAT(&b, " ORDER BY " ALIAS ".", key, " LIMIT ");
	param(&b, n + 1);
	rt->list_sql = take(&b);
	buf_free(&cols);
	for (int i = 0; i < S_COUNT; i++)
		if (!sql[i] && (i != S_SET_STATE || rt->state >= 0))
			return false;
	return rt->list_sql != NULL;
}

static int crud_list(struct req *r);
static int crud_get(struct req *r);
static int crud_create(struct req *r);
static int crud_patch(struct req *r);
static int crud_delete(struct req *r);
static int crud_action(struct req *r);

bool crud_prepare(const struct resource *res, char *err, size_t errlen)
{
	struct resource_rt *rt = res->rt;
	if (rt->ready)
		return true;
	if (res->nfields < 1 || res->nfields > (int)API_COUNT(rt->specs)) {
		snprintf(err, errlen, "%s: %d fields (1 to %zu)", res->name, res->nfields, API_COUNT(rt->specs));
		return false;
	}
	if (!plain_identifier(res->name) || !plain_identifier(res->table)) {
		snprintf(err, errlen, "%s: the name and table must match ^[a-z_][a-z0-9_]*$", res->name);
		return false;
	}
	rt->key = rt->version = rt->owner = rt->state = -1;
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		enum jfield_type t = f->in.type;
		if (stored(f) && (t == JF_ID_LIST || t == JF_STRING_LIST || t == JF_ARRAY || t == JF_OBJECT)) {
			snprintf(err, errlen, "%s.%s: a list or object is no column value: make it FR_CHILD", res->name,
				 f->in.name);
			return false;
		}
		if (!computed(f) && !plain_identifier(column_of(f))) {
			snprintf(err, errlen, "%s.%s: a column must match ^[a-z_][a-z0-9_]*$", res->name, f->in.name);
			return false;
		}
		rt->specs[i] = rt->patch_specs[i] = f->in;
		if (f->role & FR_CREATE_ONLY)
			rt->patch_specs[i].flags = JF_READONLY;
		rt->col_of[i] = -1;
		if (!(f->role & FR_WRITE_ONLY)) {
			rt->col_of[i] = rt->ncols;
			rt->cols[rt->ncols].name = f->in.name;
			rt->cols[rt->ncols].type = f->out;
			rt->ncols++;
		}
		if (f->role & FR_KEY)
			rt->key = i;
		if (f->role & FR_VERSION)
			rt->version = i;
		if (f->role & FR_OWNER)
			rt->owner = i;
		if (f->role & FR_STATE)
			rt->state = i;
		rt->has_child |= (f->role & FR_CHILD) != 0;
		if ((f->role & FR_FILTER) && computed(f)) {
			snprintf(err, errlen, "%s.%s: a computed field is no filter", res->name, f->in.name);
			return false;
		}
	}
	int list_params = 3 + res->searchable; /* cursor, limit, q; then the filters' */
	for (int i = 0; i < res->nfields; i++)
		list_params += (res->fields[i].role & FR_FILTER) ? ((res->fields[i].role & FR_SUBTREE) ? 2 : 1) : 0;
	for (int i = 0; i < res->nfilters; i++)
		list_params += res->filters[i].param[1] ? 2 : 1;
	if (list_params > MAX_PARAMS) {
		snprintf(err, errlen, "%s: a list of more than %d parameters", res->name, MAX_PARAMS);
		return false;
	}
	if ((res->nactions > 0 || res->editable || res->deletable) && rt->state < 0) {
		snprintf(err, errlen, "%s: states and actions need a FR_STATE field", res->name);
		return false;
	}
	if ((rt->key >= 0 && rt->col_of[rt->key] < 0) || (rt->owner >= 0 && rt->col_of[rt->owner] < 0) ||
	    (rt->version >= 0 && rt->col_of[rt->version] < 0)) {
		snprintf(err, errlen, "%s: the key, owner and version are read back: not write-only", res->name);
		return false;
	}
	if (rt->key < 0) {
		snprintf(err, errlen, "%s: no field is the key", res->name);
		return false;
	}
	rt->shape = (struct row_shape){res->path, res->noun, rt->cols, rt->ncols, rt->col_of[rt->key],
				       rt->version >= 0 ? rt->col_of[rt->version] : -1};
	char *sql[S_COUNT] = {NULL};
	if (!make_sql(res, rt, sql)) {
		snprintf(err, errlen, "%s: out of memory making its SQL", res->name);
		return false;
	}
	rt->nstmts = rt->state >= 0 ? S_COUNT : S_COUNT - 1;
	for (int i = 0; i < rt->nstmts; i++) {
		snprintf(rt->stmt_names[i], sizeof rt->stmt_names[i], "%s_%s", res->name, stmt_suffix[i]);
		rt->stmts[i] = (struct db_stmt){rt->stmt_names[i], sql[i]};
	}
	struct buf path;
	buf_init(&path);
	CAT(&path, res->path, "/{", res->fields[rt->key].in.name, "}");
	char *item = take(&path);
	if (!item) {
		snprintf(err, errlen, "%s: out of memory", res->name);
		return false;
	}
	const struct route all[] = {
		{"GET", res->path, crud_list, 0, res}, {"GET", item, crud_get, 0, res},
		{"POST", res->path, crud_create, 0, res}, {"PATCH", item, crud_patch, 0, res},
		{"DELETE", item, crud_delete, 0, res},
	};
	unsigned ops = res->ops ? res->ops : OP_LIST | OP_GET | OP_CREATE | OP_PATCH | OP_DELETE;
	rt->nroutes = 0;
	for (size_t i = 0; i < API_COUNT(all); i++)
		if (ops & (1u << i))
			rt->routes[rt->nroutes++] = all[i];
	if (res->nactions > (int)API_COUNT(rt->action_paths)) {
		snprintf(err, errlen, "%s: more than %zu actions", res->name, API_COUNT(rt->action_paths));
		return false;
	}
	for (int i = 0; i < res->nactions; i++) {
		if (!plain_identifier(res->actions[i].name)) {
			snprintf(err, errlen, "%s: action names match ^[a-z_][a-z0-9_]*$", res->name);
			return false;
		}
		buf_init(&path);
		CAT(&path, item, "/", res->actions[i].name);
		rt->action_paths[i] = take(&path);
		if (!rt->action_paths[i]) {
			snprintf(err, errlen, "%s: out of memory", res->name);
			return false;
		}
		rt->routes[rt->nroutes++] = (struct route){"POST", rt->action_paths[i], crud_action, 0, res};
	}
	rt->ready = true;
	return true;
}

bool crud_explain(const struct resource *res, const struct db_constraint *on_write, const struct db_constraint *on_delete,
		  int nfks)
{
	struct resource_rt *rt = res->rt;
	int n = res->nconstraints + nfks;
	free(rt->on_write);
	free(rt->on_delete);
	rt->on_write = calloc((size_t)n + 1, sizeof *rt->on_write);
	rt->on_delete = calloc((size_t)nfks + 1, sizeof *rt->on_delete);
	if (!rt->on_write || !rt->on_delete)
		return false;
	for (int i = 0; i < res->nconstraints; i++)
		rt->on_write[i] = res->constraints[i];
	for (int i = 0; i < nfks; i++) {
		rt->on_write[res->nconstraints + i] = on_write[i];
		rt->on_delete[i] = on_delete[i];
		rt->on_delete[i].field = res->fields[rt->key].in.name;
	}
	rt->n_on_write = n;
	rt->n_on_delete = nfks;
	return true;
}

const struct row_shape *crud_shape(const struct resource *res)
{
	return &res->rt->shape;
}

bool crud_lock_for_write(struct req *r, const struct resource *res, long long id, char idbuf[24], PGresult **cur)
{
	struct resource_rt *rt = res->rt;
	if (!lock_for_write(r, rt->stmt_names[S_LOCK], id, &rt->shape, res->write, rt->col_of[rt->owner], idbuf, cur))
		return false;
	r->db->constraints = rt->on_write;
	r->db->nconstraints = rt->n_on_write;
	return true;
}

const struct route *crud_routes(const struct resource *res, size_t *n)
{
	*n = res->rt->nroutes;
	return res->rt->routes;
}

const struct db_stmt *crud_statements(const struct resource *res, int *n)
{
	*n = res->rt->nstmts;
	return res->rt->stmts;
}

/* --- handlers ------------------------------------------------------------------------------ */

static const struct resource *resource_of(const struct req *r)
{
	return r->match.route->data;
}

/* The $n parameters of a list: after, each filter (a subtree filter takes two), q, limit. */
struct params {
	const char *v[MAX_PARAMS];
	char text[MAX_PARAMS][32];
	int n;
};

static const char *param_id(struct params *p, long long id)
{
	snprintf(p->text[p->n], sizeof p->text[p->n], "%lld", id);
	return p->text[p->n];
}

/* 403 for a role that may not read the resource at all */
static bool may_read(struct req *r, const struct resource *res)
{
	if (res->read == ACT_READ_UNIT || authz_role_may(r, res->read))
		return true;
	return app_error_set(&r->err, 403, "Your role (%s) %s.", role_name(r->caller.role), res->write_denied);
}

/* an id (written out as a number), or a code */
static bool numeric_key(const struct resource *res)
{
	return res->fields[res->rt->key].out == COL_NUM;
}

static int crud_list(struct req *r)
{
	const struct resource *res = resource_of(r);
	struct resource_rt *rt = res->rt;
	struct query q;
	struct page page;
	struct params p = {.n = 0};
	bool filtered = false;
	if (!may_read(r, res) || !query_parse(r->query, &q, &r->err) ||
	    !(numeric_key(res) ? page_parse_id(&q, res->name, &page, &r->err) : page_parse(&q, res->name, &page, &r->err)))
		return -1;
	p.v[p.n] = page.has_after ? page.after : NULL;
	p.n++;
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!(f->role & FR_FILTER))
			continue;
		bool present = false, flag = false, has_subtree = false, subtree = false;
		long long id = 0;
		const char *text = NULL;
		bool ok;
		switch (f->in.type) {
		case JF_ID:
			ok = query_id(&q, f->in.name, &present, &id, &r->err);
			p.v[p.n] = present ? param_id(&p, id) : NULL;
			break;
		case JF_BOOL:
			ok = query_bool(&q, f->in.name, &present, &flag, &r->err);
			p.v[p.n] = present ? (flag ? "true" : "false") : NULL;
			break;
		case JF_ENUM:
			ok = query_enum(&q, f->in.name, f->in.choices, &text, &r->err);
			p.v[p.n] = text;
			present = text != NULL;
			break;
		default:
			ok = query_str(&q, f->in.name, (size_t)f->in.max, &text, &r->err);
			if (ok && text && f->in.check && !f->in.check(text, strlen(text)))
				ok = app_error_set(&r->err, 400, "Query parameter %s %s.", f->in.name,
						   f->in.check_desc ? f->in.check_desc : "is not valid");
			p.v[p.n] = text;
			present = text != NULL;
			break;
		}
		if (!ok)
			return -1;
		p.n++;
		filtered |= present;
		if (f->role & FR_SUBTREE) {
			if (!query_bool(&q, "subtree", &has_subtree, &subtree, &r->err))
				return -1;
			if (has_subtree && !present)
				return req_fail(r, 400, "Query parameter subtree needs %s.", f->in.name);
			p.v[p.n++] = subtree ? "true" : "false";
		}
	}
	for (int i = 0; i < res->nfilters; i++) {
		const struct filter *f = &res->filters[i];
		bool given[2] = {false, false};
		for (int k = 0; k < 2 && f->param[k]; k++) {
			long long value = 0;
			bool flag = false, ok;
			if (f->type[k] == JF_BOOL)
				ok = query_bool(&q, f->param[k], &given[k], &flag, &r->err);
			else if (f->type[k] == JF_INT)
				ok = query_int(&q, f->param[k], f->min, f->max, &given[k], &value, &r->err);
			else
				ok = query_id(&q, f->param[k], &given[k], &value, &r->err);
			if (!ok)
				return -1;
			p.v[p.n] = !given[k] ? NULL : f->type[k] == JF_BOOL ? (flag ? "true" : "false") : param_id(&p, value);
			p.n++;
			filtered |= given[k];
		}
		if (f->param[1] && given[0] != given[1])
			return req_fail(r, 400, "Query parameters %s and %s go together.", f->param[0], f->param[1]);
	}
	const char *text = NULL;
	if (res->searchable) {
		if (!query_str(&q, "q", 200, &text, &r->err))
			return -1;
		p.v[p.n++] = text;
		filtered |= text != NULL;
	}
	if (!query_no_unknown(&q, &r->err))
		return -1;
	char limit[24];
	id_text(page.limit + 1, limit);
	if (filtered) {
		p.v[p.n++] = limit;
		return respond_list(r, rt->list_sql, p.n, p.v, res->name, &rt->shape, page.limit);
	}
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	/* every key is above these: ids are positive, codes not empty */
	const char *all[] = {page.has_after ? page.after : (numeric_key(res) ? "0" : ""), limit};
	PGresult *rows = db_prepared(db, rt->stmt_names[S_LIST], 2, all, &r->err);
	return rows ? respond_page(r, rows, res->name, &rt->shape, page.limit) : -1;
}

/* The key in the path, as text: an id, or a code its field's check accepts; 404 otherwise. */
static bool path_key(struct req *r, const struct resource *res, char key[64])
{
	const struct field *f = &res->fields[res->rt->key];
	if (numeric_key(res)) {
		long long id;
		if (!req_path_id(r, f->in.name, &id))
			return false;
		id_text(id, key);
		return true;
	}
	return req_path_text(r, f->in.name, f->in.check, key, 64);
}

static int crud_get(struct req *r)
{
	const struct resource *res = resource_of(r);
	char key[64];
	if (!may_read(r, res) || !path_key(r, res, key))
		return -1;
	return respond_get_one(r, res->rt->stmt_names[S_GET], key, &res->rt->shape);
}

/* A decoded value as a $n parameter (text); NULL for SQL NULL. */
static const char *value_param(const struct jvalue *v, enum jfield_type type, char buf[32])
{
	if (!v->present || v->is_null)
		return NULL;
	switch (type) {
	case JF_ID:
	case JF_INT: snprintf(buf, 32, "%lld", v->num); return buf;
	case JF_BOOL: return v->boolean ? "true" : "false";
	case JF_NUMBER: return v->number;
	default: return v->str;
	}
}

/* 403 before any work for a role that may write nowhere */
static bool may_write_somewhere(struct req *r, const struct resource *res)
{
	if (authz_role_may(r, res->write))
		return true;
	return app_error_set(&r->err, 403, "Your role (%s) %s.", role_name(r->caller.role), res->write_denied);
}

/* Runs the insert or update `stmt` in the open transaction, the after_write hook, commits, and
 * answers with the row (201 with Location for a create). */
static int write_row(struct req *r, const struct resource *res, int stmt, int n, const char *const *params,
		     const struct jvalue *v, PGresult *cur)
{
	r->db->constraints = res->rt->on_write;
	r->db->nconstraints = res->rt->n_on_write;
	PGresult *row = db_prepared(r->db, res->rt->stmt_names[stmt], n, params, &r->err);
	if (!row)
		return -1;
	if (res->hooks && res->hooks->after_write && !res->hooks->after_write(r, v, cur, row)) {
		PQclear(row);
		return -1;
	}
	if (res->rt->has_child) {
		/* read again: the children the hook wrote are part of the row */
		const char *key[] = {PQgetvalue(row, 0, res->rt->col_of[res->rt->key])};
		PGresult *again = db_prepared(r->db, res->rt->stmt_names[S_GET], 1, key, &r->err);
		PQclear(row);
		if (!again)
			return -1;
		row = again;
	}
	if (!db_commit(r->db, &r->err)) {
		PQclear(row);
		return -1;
	}
	return respond_row(r, row, stmt == S_INSERT ? 201 : 200, &res->rt->shape);
}

static bool hook_prepare(struct req *r, const struct resource *res, struct jvalue *v, char *scratch, size_t n)
{
	return !res->hooks || !res->hooks->prepare || res->hooks->prepare(r, v, scratch, n);
}

static bool hook_validate(struct req *r, const struct resource *res, const struct jvalue *v, PGresult *cur)
{
	return !res->hooks || !res->hooks->validate || res->hooks->validate(r, v, cur);
}

static int crud_create(struct req *r)
{
	const struct resource *res = resource_of(r);
	struct resource_rt *rt = res->rt;
	json_t *body = NULL;
	struct jvalue v[API_COUNT(rt->specs)];
	char text[API_COUNT(rt->specs)][32];
	const char *params[API_COUNT(rt->specs)];
	struct db_conn *db;
	char scratch[256];
	int rc = -1, n = 0;
	if (!may_write_somewhere(r, res) || !req_json(r, false, &body) ||
	    !jin_decode(body, rt->specs, (size_t)res->nfields, false, v, &r->err) || !hook_validate(r, res, v, NULL) ||
	    !hook_prepare(r, res, v, scratch, sizeof scratch) ||
	    (rt->owner >= 0 && writable(&res->fields[rt->owner]) &&
	     !authz_require_unit_field(r, res->write, v[rt->owner].num, res->fields[rt->owner].in.name)) ||
	    !write_begin(r, &db))
		goto out;
	for (int i = 0; i < res->nfields; i++)
		if (stored(&res->fields[i]))
			params[n++] = value_param(&v[i], res->fields[i].in.type, text[i]);
	rc = write_row(r, res, S_INSERT, n, params, v, NULL);
out:
	json_decref(body);
	return rc;
}

static const char *state_of(const struct resource *res, PGresult *cur)
{
	return PQgetvalue(cur, 0, res->rt->col_of[res->rt->state]);
}

static bool in_states(const char *const *states, const char *state)
{
	for (; states && *states; states++)
		if (strcmp(*states, state) == 0)
			return true;
	return false;
}

/* "draft or active" */
static void states_text(const char *const *states, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t len = 0; states && *states; states++) {
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? " or " : "", *states);
	}
}

/* 409 unless the row is in one of `states` (NULL: any); `doing` says what was asked */
static bool state_allows(struct req *r, const struct resource *res, PGresult *cur, const char *const *states,
			 const char *doing)
{
	if (!states || in_states(states, state_of(res, cur)))
		return true;
	char allowed[128];
	states_text(states, allowed, sizeof allowed);
	return app_error_set(&r->err, 409, "%s %s is %s; only a row that is %s can %s.", res->noun,
			     PQgetvalue(cur, 0, res->rt->col_of[res->rt->key]), state_of(res, cur), allowed, doing);
}

/* In a write transaction: the row locked, after 404, the caller's right (`action`) over its
 * owner unit (or anywhere, for a row of no unit), the resource's own say, and If-Match. v: the
 * patch, NULL for a delete. *cur is new. */
static bool lock_row(struct req *r, const struct resource *res, enum action action, const struct jvalue *v,
		     char key[64], PGresult **cur)
{
	struct resource_rt *rt = res->rt;
	struct db_conn *db;
	*cur = NULL;
	if (!path_key(r, res, key) || !may_write_somewhere(r, res) || !write_begin(r, &db) ||
	    (res->hooks && res->hooks->before_lock && !res->hooks->before_lock(r, v)))
		return false;
	const char *params[] = {key};
	PGresult *row = db_prepared(db, rt->stmt_names[S_LOCK], 1, params, &r->err);
	if (!row)
		return false;
	bool ok = false;
	if (PQntuples(row) == 0)
		app_error_set(&r->err, 404, "%s %s does not exist.", res->noun, key);
	else
		ok = (rt->owner < 0 ||
		      authz_require(r, action, strtoll(PQgetvalue(row, 0, rt->col_of[rt->owner]), NULL, 10))) &&
		     (!res->hooks || !res->hooks->may_change || res->hooks->may_change(r, row)) &&
		     (rt->version < 0 || req_if_match(r, row_version_of(row, &rt->shape)));
	if (!ok) {
		PQclear(row);
		return false;
	}
	*cur = row;
	return true;
}

static int crud_patch(struct req *r)
{
	const struct resource *res = resource_of(r);
	struct resource_rt *rt = res->rt;
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(rt->specs)];
	char text[API_COUNT(rt->specs)][32], key[64];
	const char *params[API_COUNT(rt->specs) + 1];
	char scratch[256];
	int rc = -1, n = 0;
	if (!may_write_somewhere(r, res) || !req_json(r, true, &body) ||
	    !jin_decode(body, rt->patch_specs, (size_t)res->nfields, true, v, &r->err) ||
	    !hook_prepare(r, res, v, scratch, sizeof scratch) || !lock_row(r, res, res->write, v, key, &cur) ||
	    !state_allows(r, res, cur, res->editable, "be changed") || !hook_validate(r, res, v, cur))
		goto out;
	/* moving a row to another unit needs the right over that unit too */
	if (rt->owner >= 0 && v[rt->owner].present &&
	    !authz_require_unit_field(r, res->write, v[rt->owner].num, res->fields[rt->owner].in.name))
		goto out;
	params[n++] = key;
	for (int i = 0; i < res->nfields; i++) {
		if (!stored(&res->fields[i]) || (res->fields[i].role & FR_CREATE_ONLY))
			continue;
		int col = rt->col_of[i];
		if (v[i].present || col < 0)
			params[n++] = value_param(&v[i], res->fields[i].in.type, text[i]);
		else
			params[n++] = PQgetisnull(cur, 0, col) ? NULL : PQgetvalue(cur, 0, col);
	}
	rc = write_row(r, res, S_UPDATE, n, params, v, cur);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int crud_delete(struct req *r)
{
	const struct resource *res = resource_of(r);
	PGresult *cur = NULL;
	char key[64];
	int rc = -1;
	if (lock_row(r, res, res->remove ? res->remove : res->write, NULL, key, &cur) &&
	    state_allows(r, res, cur, res->deletable, "be deleted")) {
		r->db->constraints = res->rt->on_delete;
		r->db->nconstraints = res->rt->n_on_delete;
		rc = respond_deleted(r, res->rt->stmt_names[S_DELETE], key);
	}
	PQclear(cur);
	return rc;
}

static int crud_action(struct req *r)
{
	const struct resource *res = resource_of(r);
	const char *name = strrchr(r->match.route->path, '/') + 1;
	const struct state_action *a = NULL;
	for (int i = 0; i < res->nactions && !a; i++)
		if (strcmp(res->actions[i].name, name) == 0)
			a = &res->actions[i];
	if (!a) /* the routes are made from the actions: not reached */
		return req_fail(r, 404, "No resource at this path.");
	PGresult *cur = NULL;
	char key[64], doing[64];
	int rc = -1;
	snprintf(doing, sizeof doing, "become %s", a->to);
	if (!lock_row(r, res, res->write, NULL, key, &cur) || !state_allows(r, res, cur, a->from, doing) ||
	    (res->hooks && res->hooks->on_action && !res->hooks->on_action(r, a, cur)))
		goto out;
	r->db->constraints = res->rt->on_write;
	r->db->nconstraints = res->rt->n_on_write;
	const char *params[] = {key, a->to};
	PGresult *row = db_prepared(r->db, res->rt->stmt_names[S_SET_STATE], 2, params, &r->err);
	if (!row)
		goto out;
	if (!db_commit(r->db, &r->err)) {
		PQclear(row);
		goto out;
	}
	rc = respond_row(r, row, 200, &res->rt->shape);
out:
	PQclear(cur);
	return rc;
}
