/* The engine behind resource descriptors (api/crud.h): SQL made once at start from the
 * descriptor's static tables, and the generic list, get, create, patch, delete and action
 * handlers, at a resource's own path and under its parents. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"
#include "api/crud_impl.h"
#include "api/write.h"
#include "lib/buf.h"
#include "lib/page.h"
#include "lib/query.h"

enum { S_GET = CRUD_GET, S_LOCK = CRUD_LOCK, S_INSERT = CRUD_INSERT, S_UPDATE = CRUD_UPDATE, S_DELETE = CRUD_DELETE,
       S_LIST = CRUD_LIST, S_BY_IDS = CRUD_BY_IDS, S_FIXED };
static const char *const stmt_suffix[S_FIXED] = {"get", "lock", "insert", "update", "delete", "list", "by_ids"};

#define ALIAS "t"
#define MAX_PARAMS 32 /* of a list statement */

/* ^[a-z_][a-z0-9_]*$: the only text that ever becomes an identifier in generated SQL */
bool crud_identifier(const char *s)
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

/* a field the row's own INSERT writes from a $n: the client's, or the parent's from the path */
static bool stored(const struct field *f)
{
	return (writable(f) || (f->role & FR_PARENT)) && !computed(f) && !(f->role & FR_CHILD);
}

/* a read-only column every insert sets to the same SQL value */
static bool constant(const struct field *f)
{
	return !writable(f) && !(f->role & FR_PARENT) && !computed(f) && f->absent;
}

/* a field an UPDATE writes */
static bool updated(const struct field *f)
{
	return stored(f) && !(f->role & (FR_CREATE_ONLY | FR_PARENT));
}

static bool is_list(const struct field *f)
{
	return f->in.type == JF_ID_LIST || f->in.type == JF_STRING_LIST;
}

/* a list or object held in the row's own column, written as JSON text */
static bool json_column(const struct field *f)
{
	return stored(f) && (is_list(f) || f->in.type == JF_ARRAY || f->in.type == JF_OBJECT);
}



/* $n */
void crud_param(struct buf *b, int n)
{
	buf_putc(b, '$');
	buf_json_int(b, n);
}

/* a descriptor's SQL with its $1 and $2 as this statement's $first and $first+1 */
static void renumbered(struct buf *b, const char *sql, int first, int count)
{
	for (const char *c = sql; *c; c++) {
		if (c[0] == '$' && (c[1] == '1' || (c[1] == '2' && count == 2))) {
			crud_param(b, first + (c[1] - '1'));
			c++;
		} else {
			buf_putc(b, *c);
		}
	}
}

/* " AND (scope)" */
static void scope_sql(struct buf *b, const struct resource *res)
{
	if (res->scope)
		CAT(b, " AND (", res->scope, ")");
}

/* t.column */
static void col(struct buf *b, const struct field *f)
{
	CAT(b, ALIAS ".", column_of(f));
}

/* how a row's select list names a field: t.column, or the expression; an array as JSON */
static void select_item(struct buf *b, const struct field *f)
{
	if (computed(f)) {
		buf_puts(b, f->column);
	} else if (is_list(f)) {
		buf_puts(b, "to_json(");
		col(b, f);
		buf_putc(b, ')');
	} else {
		col(b, f);
	}
}

const char *crud_sql_type(enum jfield_type type)
{
	switch (type) {
	case JF_ID:
	case JF_INT: return "bigint";
	case JF_BOOL: return "boolean";
	case JF_DATE: return "date";
	case JF_NUMBER: return "numeric";
	default: return "text";
	}
}

static const char *sql_type(const struct field *f)
{
	return crud_sql_type(f->in.type);
}

/* $n as the column's value: normalised, an array from a JSON list, jsonb from JSON text */
static void typed_value(struct buf *b, const struct field *f, int n, bool cast)
{
	if (is_list(f)) {
		buf_puts(b, "CASE WHEN ");
		crud_param(b, n);
		buf_puts(b, "::jsonb IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(");
		crud_param(b, n);
		CAT(b, "::jsonb)", f->in.type == JF_ID_LIST ? "::bigint" : "", ") END");
	} else if (json_column(f)) {
		buf_puts(b, (f->role & FR_NFC) ? "normalize(" : "(");
		crud_param(b, n);
		CAT(b, (f->role & FR_NFC) ? ", NFC)" : ")", "::jsonb");
	} else if (f->role & (FR_NFC | FR_LOWER)) {
		buf_puts(b, (f->role & FR_NFC) ? "normalize(" : "lower(");
		crud_param(b, n);
		buf_puts(b, (f->role & FR_NFC) ? ", NFC)" : ")");
	} else {
		crud_param(b, n);
		if (cast)
			CAT(b, "::", sql_type(f));
	}
}

/* $n as the value written to the column: the default when absent on create; a write-only
 * column a patch leaves out keeps its value */
static void value_sql(struct buf *b, const struct field *f, int n, bool on_create)
{
	bool keep = !on_create && (f->role & FR_WRITE_ONLY), fallback = on_create && f->absent;
	if (!keep && !fallback) {
		typed_value(b, f, n, false);
		return;
	}
	buf_puts(b, "coalesce(");
	typed_value(b, f, n, true);
	if (fallback)
		CAT(b, ", ", f->absent, ")");
	else
		CAT(b, ", " ALIAS ".", column_of(f), ")");
}

/* "SELECT <cols> FROM <table> t WHERE " */
static void select_from(struct buf *b, const char *cols, const struct resource *res)
{
	CAT(b, "SELECT ", cols, " FROM ", res->table, " " ALIAS);
	if (res->joins)
		CAT(b, " ", res->joins);
	buf_puts(b, " WHERE ");
}

/* A write's answer: RETURNING the row, or, when the row's columns read joined tables, the
 * write as a CTE named like the row's alias and the row selected from it with the joins. */
static void write_head(struct buf *b, const struct resource *res)
{
	if (res->joins)
		buf_puts(b, "WITH " ALIAS " AS (");
}

static void returning(struct buf *b, const struct resource *res, const char *cols)
{
	if (res->joins)
		CAT(b, " RETURNING *) SELECT ", cols, " FROM " ALIAS " ", res->joins);
	else
		CAT(b, " RETURNING ", cols);
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

char *crud_take(struct buf *b)
{
	char *s = buf_ok(b) ? strdup(b->data) : NULL;
	buf_free(b);
	return s;
}

/* the select list: the fields written out (in a list, without the FR_DETAIL ones), then
 * (with_hidden) the hidden ones */
static bool select_list(const struct resource *res, bool with_hidden, bool in_list, struct buf *cols)
{
	int n = 0;
	for (int pass = 0; pass < (with_hidden ? 2 : 1); pass++)
		for (int i = 0; i < res->nfields; i++) {
			const struct field *f = &res->fields[i];
			if ((f->role & FR_WRITE_ONLY) || ((f->role & FR_HIDDEN) != 0) != (pass == 1) ||
			    (in_list && (f->role & FR_DETAIL)))
				continue;
			buf_puts(cols, n++ ? ", " : "");
			select_item(cols, f);
		}
	return buf_ok(cols);
}

static char *insert_sql(const struct resource *res, const char *cols)
{
	struct buf b;
	buf_init(&b);
	write_head(&b, res);
	CAT(&b, "INSERT INTO ", res->table, " AS " ALIAS " (");
	int n = 0;
	for (int i = 0; i < res->nfields; i++)
		if (stored(&res->fields[i]) || constant(&res->fields[i]))
			CAT(&b, n++ ? ", " : "", column_of(&res->fields[i]));
	buf_puts(&b, ") VALUES (");
	n = 0;
	for (int i = 0, p = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (constant(f)) {
			CAT(&b, n++ ? ", " : "", f->absent);
		} else if (stored(f)) {
			buf_puts(&b, n++ ? ", " : "");
			value_sql(&b, f, ++p, true);
		}
	}
	buf_putc(&b, ')');
	returning(&b, res, cols);
	return crud_take(&b);
}

/* every change of a row bumps its version and stamps updated_at, here and nowhere else */
static char *update_sql(const struct resource *res, const char *cols, const char *key)
{
	struct buf b;
	buf_init(&b);
	write_head(&b, res);
	CAT(&b, "UPDATE ", res->table, " AS " ALIAS " SET ");
	const char *sep = "";
	int n = 1; /* $1 is the key */
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!updated(f))
			continue;
		CAT(&b, sep, column_of(f), " = ");
		value_sql(&b, f, ++n, false);
		sep = ", ";
	}
	bump(&b, res, sep);
	CAT(&b, " WHERE " ALIAS ".", key, " = $1");
	returning(&b, res, cols);
	return crud_take(&b);
}

/* an action: the state ($2), its own columns ($3...), its stamp, and the version and
 * updated_at as any update */
static char *action_sql(const struct resource *res, const struct state_action *a, const char *state, const char *cols,
			const char *key)
{
	struct buf b;
	buf_init(&b);
	write_head(&b, res);
	CAT(&b, "UPDATE ", res->table, " AS " ALIAS " SET ", state, " = $2");
	for (int i = 0; a->sets && a->sets[i]; i++) {
		/* a column of an FR_NFC field is normalised as a write of it would be */
		const struct field *f = NULL;
		for (int k = 0; k < res->nfields && !f; k++)
			if (strcmp(column_of(&res->fields[k]), a->sets[i]) == 0)
				f = &res->fields[k];
		bool nfc = f && (f->role & FR_NFC);
		CAT(&b, ", ", a->sets[i], nfc ? " = normalize(" : " = ");
		crud_param(&b, 3 + i);
		buf_puts(&b, nfc ? ", NFC)" : "");
	}
	if (a->stamp)
		CAT(&b, ", ", a->stamp, " = now()");
	bump(&b, res, ", ");
	CAT(&b, " WHERE " ALIAS ".", key, " = $1");
	returning(&b, res, cols);
	return crud_take(&b);
}

/* the list with every filter optional, planned with the values given so the absent ones fold
 * away: $1 the cursor, the fields' filters, the descriptor's, q, the scope, the limit. Not
 * prepared: a generic plan folds none of the filters, and PostgreSQL keeps one whenever it looks
 * cheaper than the custom plans so far (decisions, whose rows count their awards, after five
 * pages: then a status asked scans the key's index for it); unnamed, it is planned each time. */
static char *list_sql(const struct resource *res, const char *cols, const char *key, bool numeric)
{
	struct buf b;
	buf_init(&b);
	select_from(&b, cols, res);
	CAT(&b, "($1::", numeric ? "bigint" : "text", " IS NULL OR " ALIAS ".", key, " > $1)");
	int n = 1;
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!(f->role & FR_FILTER))
			continue;
		int v = ++n;
		buf_puts(&b, " AND (");
		crud_param(&b, v);
		if (f->role & FR_SUBTREE) {
			/* the filter's value, then whether it takes the subtree */
			int subtree = ++n;
			buf_puts(&b, "::bigint IS NULL OR (");
			crud_param(&b, subtree);
			buf_puts(&b, " AND ");
			col(&b, f);
			buf_puts(&b, " IN " SQL_SUBTREE_HEAD);
			crud_param(&b, v);
			buf_puts(&b, SQL_SUBTREE_TAIL ") OR (NOT ");
			crud_param(&b, subtree);
			buf_puts(&b, " AND ");
		} else {
			CAT(&b, "::", sql_type(f), " IS NULL OR ");
		}
		col(&b, f);
		buf_puts(&b, " = ");
		crud_param(&b, v);
		buf_puts(&b, (f->role & FR_SUBTREE) ? "))" : ")");
	}
	for (int i = 0; i < res->nfilters; i++) {
		const struct filter *f = &res->filters[i];
		int count = f->param[1] ? 2 : 1;
		buf_puts(&b, " AND (");
		crud_param(&b, n + 1);
		CAT(&b, f->type[0] == JF_BOOL ? "::boolean" : "::bigint", " IS NULL OR ");
		renumbered(&b, f->sql, n + 1, count);
		buf_putc(&b, ')');
		n += count;
	}
	if (res->searchable) {
		n++;
		buf_puts(&b, " AND (");
		crud_param(&b, n);
		buf_puts(&b, "::text IS NULL OR " ALIAS ".search @@ tdkt_search_query(");
		crud_param(&b, n);
		buf_puts(&b, "))");
	}
	scope_sql(&b, res);
	CAT(&b, " ORDER BY " ALIAS ".", key, " LIMIT ");
	crud_param(&b, n + 1);
	return crud_take(&b);
}

/* the statement's name and text, owned by rt */
bool crud_add_stmt(const struct resource *res, struct resource_rt *rt, const char *suffix, char *sql)
{
	size_t size = sizeof rt->stmt_names[0];
	if (!sql || rt->nstmts >= CRUD_MAX_STMTS || strlen(res->name) + 1 + strlen(suffix) >= size) {
		free(sql);
		return false;
	}
	struct buf name;
	buf_init(&name);
	CAT(&name, res->name, "_", suffix);
	if (!buf_ok(&name)) {
		buf_free(&name);
		free(sql);
		return false;
	}
	memcpy(rt->stmt_names[rt->nstmts], name.data, name.len + 1);
	buf_free(&name);
	rt->stmts[rt->nstmts] = (struct db_stmt){rt->stmt_names[rt->nstmts], sql};
	rt->nstmts++;
	return true;
}

static const struct field *field_named(const struct resource *res, const char *name)
{
	for (int i = 0; i < res->nfields; i++)
		if (strcmp(res->fields[i].in.name, name) == 0)
			return &res->fields[i];
	return NULL;
}

static bool make_sql(const struct resource *res, struct resource_rt *rt)
{
	/* a hidden column is for the engine's checks of one row (get, lock), never for lists */
	struct buf cols, one, listed, b;
	buf_init(&cols);
	buf_init(&one);
	buf_init(&listed);
	if (!select_list(res, false, false, &cols) || !select_list(res, true, false, &one) ||
	    !select_list(res, false, true, &listed)) {
		buf_free(&cols);
		buf_free(&one);
		buf_free(&listed);
		return false;
	}
	const char *key = column_of(&res->fields[rt->key]);
	bool ok = true;
	char *sql[S_FIXED];

	buf_init(&b);
	select_from(&b, one.data, res);
	CAT(&b, ALIAS ".", key, " = $1");
	scope_sql(&b, res);
	sql[S_GET] = crud_take(&b);
	buf_init(&b);
	select_from(&b, one.data, res);
	CAT(&b, ALIAS ".", key, " = $1");
	scope_sql(&b, res);
	buf_puts(&b, " FOR UPDATE OF " ALIAS);
	sql[S_LOCK] = crud_take(&b);
	sql[S_INSERT] = insert_sql(res, cols.data);
	sql[S_UPDATE] = update_sql(res, cols.data, key);
	buf_init(&b);
	CAT(&b, "DELETE FROM ", res->table, " WHERE ", key, " = $1");
	sql[S_DELETE] = crud_take(&b);
	/* the unfiltered list (browsing page by page) is the hot one: prepared */
	buf_init(&b);
	buf_puts(&b, PAGE_SQL_OPEN);
	select_from(&b, listed.data, res);
	CAT(&b, ALIAS ".", key, " > $1");
	scope_sql(&b, res);
	CAT(&b, " ORDER BY " ALIAS ".", key, PAGE_SQL_CLOSE("$2"));
	sql[S_LIST] = crud_take(&b);
	/* the change feed's current representations: the GET's columns, then the id they are for */
	struct buf with_id;
	buf_init(&with_id);
	CAT(&with_id, cols.data, ", " ALIAS ".id");
	buf_init(&b);
	ok = buf_ok(&with_id);
	select_from(&b, ok ? with_id.data : "", res);
	buf_free(&with_id);
	buf_puts(&b, ALIAS ".id = ANY($1::bigint[])");
	scope_sql(&b, res);
	sql[S_BY_IDS] = crud_take(&b);
	/* an operation the resource does not have has no statement: its slot stays, empty */
	unsigned ops = res->ops ? res->ops : OP_LIST | OP_GET | OP_CREATE | OP_PATCH | OP_DELETE;
	for (int i = 0; i < res->nnested; i++)
		ops |= res->nested[i].ops & OP_CREATE;
	const unsigned needs[S_FIXED] = {[S_INSERT] = OP_CREATE, [S_UPDATE] = OP_PATCH, [S_DELETE] = OP_DELETE};
	for (int i = 0; i < S_FIXED; i++) {
		if ((needs[i] && !(ops & needs[i])) || (i == S_BY_IDS && (!res->entity || res->audit_reads))) {
			free(sql[i]);
			rt->stmts[rt->nstmts++] = (struct db_stmt){NULL, NULL};
			continue;
		}
		ok = crud_add_stmt(res, rt, stmt_suffix[i], sql[i]) && ok;
	}

	for (int i = 0; i < res->nactions && ok; i++)
		ok = crud_add_stmt(res, rt, res->actions[i].name,
			      action_sql(res, &res->actions[i], column_of(&res->fields[rt->state]), cols.data, key));

	/* under a parent: its rows by the parent, prepared; and whether the parent exists */
	for (int i = 0; i < res->nnested && ok; i++) {
		const struct nesting *n = &res->nested[i];
		char suffix[64];
		if (n->ops & OP_LIST) {
			buf_init(&b);
			buf_puts(&b, PAGE_SQL_OPEN);
			select_from(&b, listed.data, res);
			CAT(&b, ALIAS ".", column_of(field_named(res, n->field)), " = $1 AND " ALIAS ".", key, " > $2");
			scope_sql(&b, res);
			CAT(&b, " ORDER BY " ALIAS ".", key, PAGE_SQL_CLOSE("$3"));
			snprintf(suffix, sizeof suffix, "by_%s", n->field);
			ok = crud_add_stmt(res, rt, suffix, crud_take(&b));
		}
		buf_init(&b);
		CAT(&b, "SELECT 1 FROM ", n->parent_table, " WHERE id = $1");
		snprintf(suffix, sizeof suffix, "parent_%d", i);
		ok = ok && crud_add_stmt(res, rt, suffix, crud_take(&b));
	}
	ok = ok && crud_child_sql(res, rt);
	rt->filtered = (struct db_stmt){NULL, list_sql(res, listed.data, key, res->fields[rt->key].out == COL_NUM)};
	buf_free(&cols);
	buf_free(&one);
	buf_free(&listed);
	return ok && rt->filtered.sql != NULL;
}

static int crud_list(struct req *r);
static int crud_get(struct req *r);
static int crud_create(struct req *r);
static int crud_patch(struct req *r);
static int crud_delete(struct req *r);
static int crud_action(struct req *r);

static bool fail(char *err, size_t errlen, const struct resource *res, const char *what)
{
	snprintf(err, errlen, "%s: %s", res->name, what);
	return false;
}

/* the fields: each one's place in a row read, and what the engine must know of it */
static bool index_fields(const struct resource *res, struct resource_rt *rt, char *err, size_t errlen)
{
	rt->key = rt->version = rt->owner = rt->state = rt->period = rt->cluster = -1;
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		if (!computed(f) && !crud_identifier(column_of(f))) {
			snprintf(err, errlen, "%s.%s: a column must match ^[a-z_][a-z0-9_]*$", res->name, f->in.name);
			return false;
		}
		if ((f->role & FR_FILTER) && computed(f)) {
			snprintf(err, errlen, "%s.%s: a computed field is no filter", res->name, f->in.name);
			return false;
		}
		if ((f->role & FR_CHILD) && !computed(f)) {
			snprintf(err, errlen, "%s.%s: a child list is read through an expression", res->name, f->in.name);
			return false;
		}
		rt->specs[i] = rt->patch_specs[i] = f->in;
		if (f->role & (FR_CREATE_ONLY | FR_PARENT))
			rt->patch_specs[i].flags = JF_READONLY;
		rt->col_of[i] = -1;
		if (!(f->role & (FR_WRITE_ONLY | FR_HIDDEN))) {
			rt->col_of[i] = rt->ncols;
			rt->cols[rt->ncols++] = (struct db_col){f->in.name, f->out};
		}
		if (f->role & FR_KEY)
			rt->key = i;
		if (f->role & FR_VERSION)
			rt->version = i;
		if (f->role & FR_OWNER)
			rt->owner = i;
		if (f->role & FR_STATE)
			rt->state = i;
		if (f->role & FR_PERIOD)
			rt->period = i;
		if (f->role & FR_CLUSTER)
			rt->cluster = i;
		rt->has_child |= (f->role & FR_CHILD) != 0;
	}
	/* the hidden columns come right after those written out, as select_list puts them */
	for (int i = 0, n = rt->ncols; i < res->nfields; i++)
		if ((res->fields[i].role & (FR_HIDDEN | FR_WRITE_ONLY)) == FR_HIDDEN)
			rt->col_of[i] = n++;
	if (rt->key < 0)
		return fail(err, errlen, res, "no field is the key");
	if (rt->col_of[rt->key] < 0 || (rt->owner >= 0 && rt->col_of[rt->owner] < 0) ||
	    (rt->version >= 0 && rt->col_of[rt->version] < 0) || (rt->state >= 0 && rt->col_of[rt->state] < 0) ||
	    (rt->period >= 0 && rt->col_of[rt->period] < 0) || (rt->cluster >= 0 && rt->col_of[rt->cluster] < 0))
		return fail(err, errlen, res, "the key, owner, version, state and period are read back: not write-only");
	if ((res->fields[rt->key].role & FR_HIDDEN) || (rt->version >= 0 && (res->fields[rt->version].role & FR_HIDDEN)))
		return fail(err, errlen, res, "the key and version are written out");
	return true;
}

static bool check_descriptor(const struct resource *res, const struct resource_rt *rt, char *err, size_t errlen)
{
	int list_params = 2 + res->searchable; /* cursor, limit, q; then the filters' */
	for (int i = 0; i < res->nfields; i++)
		list_params += (res->fields[i].role & FR_FILTER) ? ((res->fields[i].role & FR_SUBTREE) ? 2 : 1) : 0;
	for (int i = 0; i < res->nfilters; i++)
		list_params += res->filters[i].param[1] ? 2 : 1;
	if (list_params > MAX_PARAMS)
		return fail(err, errlen, res, "a list of more than 32 parameters");
	/* an owner the client does not write (an award's record unit) is checked by the resource */
	if (rt->owner >= 0 && !writable(&res->fields[rt->owner]) &&
	    (!res->hooks || (!res->hooks->before_write && !res->hooks->validate)))
		return fail(err, errlen, res, "an owner that is not written needs a hook (validate, before_write) for a create's right");
	/* a cluster-year's row: the cluster and the year are given once, and there is no owner unit */
	if (rt->cluster >= 0 && (rt->period < 0 || rt->owner >= 0 || !(res->fields[rt->cluster].role & FR_CREATE_ONLY) ||
				 !(res->fields[rt->period].role & FR_CREATE_ONLY)))
		return fail(err, errlen, res, "a cluster field needs a period, both create-only, and no owner");
	if ((res->nactions > 0 || res->editable || res->deletable) && rt->state < 0)
		return fail(err, errlen, res, "states and actions need a FR_STATE field");
	if (res->nactions > CRUD_MAX_ACTIONS || res->nnested > CRUD_MAX_NESTED || res->nchildren > CRUD_MAX_CHILDREN)
		return fail(err, errlen, res, "too many actions or nestings");
	for (int i = 0; i < res->nactions; i++) {
		const struct state_action *a = &res->actions[i];
		int n = 0;
		for (; a->sets && a->sets[n]; n++)
			if (!crud_identifier(a->sets[n]))
				return fail(err, errlen, res, "an action's columns match ^[a-z_][a-z0-9_]*$");
		if (!crud_identifier(a->name) || n > ACTION_SETS_MAX || (a->stamp && !crud_identifier(a->stamp)) ||
		    a->nbody > CRUD_MAX_FIELDS || (!a->to && !(res->hooks && res->hooks->on_action)) ||
		    (a->of && !field_named(res, a->of)))
			return fail(err, errlen, res, "an action: a plain name, at most 4 columns, a state or a hook that "
						      "gives it, a unit field it is asked of");
	}
	bool parent_created = false;
	for (int i = 0; i < res->nnested; i++) {
		const struct nesting *n = &res->nested[i];
		const struct field *f = field_named(res, n->field);
		if (!f || f->in.type != JF_ID || !crud_identifier(n->parent_table) ||
		    ((n->ops & OP_CREATE) && !(f->role & FR_PARENT)) || ((n->ops & OP_LIST) && !(f->role & FR_FILTER)))
			return fail(err, errlen, res, "a nesting names an id field: FR_PARENT to create, FR_FILTER to list");
		parent_created |= (n->ops & OP_CREATE) != 0;
	}
	for (int i = 0; i < res->nfields; i++)
		if ((res->fields[i].role & FR_PARENT) && (!parent_created || !res->ops || (res->ops & OP_CREATE)))
			return fail(err, errlen, res, "a FR_PARENT field is created under its parent only");
	return true;
}

/* its last path segment: "/v1/registrations" -> "registrations" */
static const char *segment(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* a string the routes borrow, owned by rt */
char *crud_owned(struct resource_rt *rt, char *s)
{
	if (s && rt->nowned < (int)API_COUNT(rt->owned))
		return rt->owned[rt->nowned++] = s;
	free(s);
	return NULL;
}

bool crud_add_route(struct resource_rt *rt, const char *method, const char *path, int (*handler)(struct req *),
		      struct crud_route data)
{
	if (!path || rt->nroutes >= CRUD_MAX_ROUTES)
		return false;
	rt->route_data[rt->nroutes] = data;
	/* reads answer their filters, and refuse unknown parameters themselves; writes take none */
	unsigned flags = strcmp(method, "GET") == 0 ? ROUTE_QUERY | (data.res->audit_reads ? ROUTE_PRIMARY : 0) : 0;
	rt->routes[rt->nroutes] = (struct route){method, path, handler, flags, &rt->route_data[rt->nroutes]};
	rt->nroutes++;
	return true;
}

char *crud_joined(const char *a, const char *b, const char *c, const char *d)
{
	struct buf p;
	buf_init(&p);
	CAT(&p, a, b, c, d);
	return crud_take(&p);
}

static bool make_routes(const struct resource *res, struct resource_rt *rt)
{
	const char *item = crud_owned(rt, crud_joined(res->path, "/{", res->fields[rt->key].in.name, "}"));
	const struct crud_route plain = {res, NULL, NULL, NULL, -1, -1};
	unsigned ops = res->ops ? res->ops : OP_LIST | OP_GET | OP_CREATE | OP_PATCH | OP_DELETE;
	bool ok = item != NULL;
	if (ok && (ops & OP_LIST))
		ok = crud_add_route(rt, "GET", res->path, crud_list, plain);
	if (ok && (ops & OP_GET))
		ok = crud_add_route(rt, "GET", item, crud_get, plain);
	if (ok && (ops & OP_CREATE))
		ok = crud_add_route(rt, "POST", res->path, crud_create, plain);
	if (ok && (ops & OP_PATCH))
		ok = crud_add_route(rt, "PATCH", item, crud_patch, plain);
	if (ok && (ops & OP_DELETE))
		ok = crud_add_route(rt, "DELETE", item, crud_delete, plain);
	for (int i = 0; i < res->nactions && ok; i++)
		ok = crud_add_route(rt, "POST", crud_owned(rt, crud_joined(item, "/", res->actions[i].name, "")), crud_action,
			       (struct crud_route){res, NULL, &res->actions[i], NULL, S_FIXED + i, -1});
	int stmt = S_FIXED + res->nactions;
	for (int i = 0; i < res->nnested && ok; i++) {
		const struct nesting *n = &res->nested[i];
		int list = (n->ops & OP_LIST) ? stmt++ : -1, parent = stmt++;
		const char *path = crud_owned(rt, crud_joined(n->parent, "/{id}/", segment(res->path), ""));
		const struct crud_route d = {res, n, NULL, NULL, list, parent};
		if (n->ops & OP_LIST)
			ok = crud_add_route(rt, "GET", path, crud_list, d);
		if (ok && (n->ops & OP_CREATE))
			ok = crud_add_route(rt, "POST", path, crud_create, d);
	}
	return ok && crud_child_routes(res, rt, item);
}

bool crud_prepare(const struct resource *res, char *err, size_t errlen)
{
	struct resource_rt *rt = res->rt;
	if (rt->ready)
		return true;
	if (res->nfields < 1 || res->nfields > CRUD_MAX_FIELDS)
		return fail(err, errlen, res, "1 to 32 fields");
	if (!crud_identifier(res->name) || !crud_identifier(res->table))
		return fail(err, errlen, res, "the name and table must match ^[a-z_][a-z0-9_]*$");
	if (!index_fields(res, rt, err, errlen) || !check_descriptor(res, rt, err, errlen))
		return false;
	rt->shape = (struct row_shape){res->path, res->noun, rt->cols, rt->ncols, rt->col_of[rt->key],
				       rt->version >= 0 ? rt->col_of[rt->version] : -1};
	/* a list's row: the same columns but the details, the key and version where they fall */
	int nlisted = 0, list_key = -1, list_version = -1;
	for (int i = 0; i < res->nfields; i++) {
		if (rt->col_of[i] < 0 || rt->col_of[i] >= rt->ncols || (res->fields[i].role & FR_DETAIL))
			continue;
		if (i == rt->key)
			list_key = nlisted;
		if (i == rt->version)
			list_version = nlisted;
		rt->list_cols[nlisted++] = rt->cols[rt->col_of[i]];
	}
	if (list_key < 0 || (rt->version >= 0 && list_version < 0))
		return fail(err, errlen, res, "the key and version are no details");
	rt->list_shape = (struct row_shape){res->path, res->noun, rt->list_cols, nlisted, list_key, list_version};
	if (!make_sql(res, rt))
		return fail(err, errlen, res, "out of memory making its SQL");
	if (!make_routes(res, rt))
		return fail(err, errlen, res, "out of memory or too many routes");
	rt->ready = true;
	return true;
}

bool crud_explain(const struct resource *res, const struct db_constraint *on_write, const struct db_constraint *on_delete,
		  int nfks)
{
	struct resource_rt *rt = res->rt;
	int n = res->nconstraints + nfks;
	struct db_constraint *w = calloc((size_t)n + 1, sizeof *w), *d = calloc((size_t)nfks + 1, sizeof *d);
	if (!w || !d) {
		free(w);
		free(d);
		return false;
	}
	free(rt->on_write);
	free(rt->on_delete);
	rt->on_write = w;
	rt->on_delete = d;
	for (int i = 0; i < res->nconstraints; i++)
		rt->on_write[i] = res->constraints[i];
	for (int i = 0; i < nfks; i++) {
		rt->on_write[res->nconstraints + i] = on_write[i];
		rt->on_delete[i] = on_delete[i];
		rt->on_delete[i].field = res->fields[rt->key].in.name;
	}
	rt->write_why = (struct db_explain){rt->on_write, n, false};
	rt->delete_why = (struct db_explain){rt->on_delete, nfks, true};
	return true;
}

const char *crud_patched(const struct resource *res, const struct jvalue *v, PGresult *cur, int field)
{
	if (v[field].present)
		return v[field].is_null ? NULL : v[field].str;
	return crud_cur(res, cur, field);
}

const struct db_explain *crud_write_explained(const struct resource *res)
{
	return &res->rt->write_why;
}

const struct jfield *crud_create_specs(const struct resource *res, size_t *n)
{
	*n = (size_t)res->nfields;
	return res->rt->specs;
}

const struct row_shape *crud_shape(const struct resource *res)
{
	return &res->rt->shape;
}

const char *crud_cur(const struct resource *res, PGresult *cur, int field)
{
	int c = res->rt->col_of[field];
	return c < 0 || PQgetisnull(cur, 0, c) ? NULL : PQgetvalue(cur, 0, c);
}

static const char *const type_names[] = {[JF_STRING] = "string", [JF_TEXT] = "text", [JF_INT] = "integer",
	[JF_ID] = "id", [JF_BOOL] = "boolean", [JF_DATE] = "date", [JF_ENUM] = "enum", [JF_ID_LIST] = "id_list",
	[JF_NUMBER] = "number", [JF_STRING_LIST] = "string_list", [JF_ARRAY] = "array", [JF_OBJECT] = "object"};

void crud_describe(const struct resource *res, struct buf *out)
{
	const struct resource_rt *rt = res->rt;
	unsigned ops = res->ops ? res->ops : OP_LIST | OP_GET | OP_CREATE | OP_PATCH | OP_DELETE;
	bool created = (ops & OP_CREATE) != 0;
	for (int i = 0; i < res->nnested; i++)
		created |= (res->nested[i].ops & OP_CREATE) != 0;
	BUF_CAT(out, "{\"name\":\"", res->name, "\",\"noun\":\"", res->noun, "\",\"path\":\"", res->path, "\"");
	BUF_CAT(out, ",\"create\":", created ? "true" : "false", ",\"patch\":", (ops & OP_PATCH) ? "true" : "false",
		",\"fields\":[");
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		BUF_CAT(out, i ? ",{\"name\":\"" : "{\"name\":\"", f->in.name, "\",\"type\":\"", type_names[f->in.type], "\"");
		BUF_CAT(out, ",\"required\":", (f->in.flags & JF_REQUIRED) ? "true" : "false",
			",\"nullable\":", (f->in.flags & JF_NULLABLE) ? "true" : "false",
			",\"readonly\":", (rt->specs[i].flags & JF_READONLY) || (f->role & FR_PARENT) ? "true" : "false",
			",\"patchable\":", (rt->patch_specs[i].flags & JF_READONLY) || (f->role & FR_PARENT) ? "false" : "true",
			",\"written_out\":", rt->col_of[i] >= 0 && !(f->role & FR_HIDDEN) ? "true" : "false");
		buf_puts(out, ",\"min\":");
		buf_json_int(out, f->in.min);
		buf_puts(out, ",\"max\":");
		buf_json_int(out, f->in.max);
		buf_puts(out, ",\"choices\":[");
		for (int k = 0; f->in.choices && f->in.choices[k]; k++)
			BUF_CAT(out, k ? ",\"" : "\"", f->in.choices[k], "\"");
		buf_puts(out, "]}");
	}
	buf_puts(out, "]}");
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

static const struct crud_route *route_of(const struct req *r)
{
	return r->match.route->data;
}


/* a read of this resource is one statement (read_once): no read to record; under row-level
 * security (scope), in a transaction that names the caller */
static bool one_statement(const struct resource *res)
{
	return !res->audit_reads;
}

/* a connection for reading: in a transaction that names the caller, for a scoped resource; one
 * that may write for a resource whose reads are audited */
bool crud_reader(struct req *r, const struct resource *res, struct db_conn **db)
{
	if (res->audit_reads)
		return write_begin(r, db);
	return res->scope ? read_begin(r, db) : req_db(r, db);
}

/* For a resource whose reads are audited: the first n rows' keys recorded as read (`one`: a read
 * by id), committed. Any other resource: nothing to do. */
static bool record_read(struct req *r, const struct resource *res, const PGresult *rows, int n, bool one)
{
	if (!res->audit_reads)
		return true;
	int col = res->rt->col_of[res->rt->key];
	struct buf ids;
	buf_init(&ids);
	bool ok = db_int_array(&ids, rows, col, n) ? write_record_read(r, res->entity, one ? PQgetvalue(rows, 0, col) : NULL, ids.data)
			       : app_error_set(&r->err, 503, "The service is short of memory.");
	buf_free(&ids);
	return ok;
}

/* whether the caller's role may do `action` anywhere: 403 otherwise, before any work */
bool crud_role_may(struct req *r, const struct resource *res, enum action action)
{
	if (authz_role_may(r, action))
		return true;
	return app_error_set(&r->err, 403, "Your role (%s) %s.", role_name(r->caller.role), res->write_denied);
}

/* 403 for a role that may not read the resource at all */
bool crud_may_read(struct req *r, const struct resource *res)
{
	return res->read == ACT_READ_UNIT || crud_role_may(r, res, res->read);
}

/* an id (written out as a number), or a code */
static bool numeric_key(const struct resource *res)
{
	return res->fields[res->rt->key].out == COL_NUM;
}

/* One list filter of a field from the query into p; *given when the query had it. */
static bool field_filter(struct req *r, struct query *q, const struct field *f, struct db_params *p, bool *given)
{
	long long n = 0;
	bool flag = false, ok;
	const char *text = NULL;
	switch (f->in.type) {
	case JF_ID:
		ok = query_id(q, f->in.name, given, &n, &r->err);
		break;
	case JF_INT:
		ok = query_int(q, f->in.name, f->in.min, f->in.max, given, &n, &r->err);
		break;
	case JF_BOOL:
		ok = query_bool(q, f->in.name, given, &flag, &r->err);
		text = flag ? "true" : "false";
		break;
	case JF_ENUM:
		ok = query_enum(q, f->in.name, f->in.choices, &text, &r->err);
		*given = text != NULL;
		break;
	default:
		ok = query_str(q, f->in.name, (size_t)f->in.max, &text, &r->err);
		*given = text != NULL;
		if (ok && text && f->in.check && !f->in.check(text, strlen(text)))
			ok = app_error_set(&r->err, 400, "Query parameter %s %s.", f->in.name,
					   f->in.check_desc ? f->in.check_desc : "is not valid");
		break;
	}
	if (!ok)
		return false;
	if (*given && (f->in.type == JF_ID || f->in.type == JF_INT))
		db_param_int(p, n);
	else
		db_param(p, *given ? text : NULL);
	return true;
}

/* a field some nesting lists by: a parent's, in the path under that parent */
static bool names_parent(const struct resource *res, const struct field *f)
{
	for (int i = 0; i < res->nnested; i++)
		if ((res->nested[i].ops & OP_LIST) && strcmp(res->nested[i].field, f->in.name) == 0)
			return true;
	return false;
}

/* The filters of the query into p, in list_sql's order. Under a parent, `fixed` is the field
 * its path gives (`parent`), and the fields that name other parents are no filters (an award
 * on a unit's record has no recipient person). *filtered when any was given. */
static bool list_filters(struct req *r, const struct resource *res, struct query *q, int fixed, long long parent,
			 struct db_params *p, bool *filtered)
{
	/* a filter that widens the parent's field: read first, it decides that field's parameter */
	bool widen = false;
	for (int i = 0; i < res->nfilters; i++) {
		const struct filter *f = &res->filters[i];
		bool given = false, flag = false;
		if (!f->widens)
			continue;
		if (!query_bool(q, f->param[0], &given, &flag, &r->err))
			return false;
		if (given && (fixed < 0 || strcmp(res->fields[fixed].in.name, f->widens) != 0))
			return app_error_set(&r->err, 400, "Query parameter %s is for the list under a parent (%s).",
					     f->param[0], f->widens);
		widen |= given && flag;
		*filtered |= given;
	}
	/* `subtree` widens each unit filter given (a dossier's proposing_unit_id, approving_unit_id):
	 * it needs one of them, not every one */
	bool has_subtree = false, subtree = false, widened = false;
	const char *needs = NULL, *or_needs = NULL;
	for (int i = 0; i < res->nfields; i++) {
		const struct field *f = &res->fields[i];
		bool given = false;
		if (!(f->role & FR_FILTER))
			continue;
		if (i == fixed && widen)
			db_param(p, NULL);
		else if (i == fixed)
			db_param_int(p, parent);
		else if (fixed >= 0 && names_parent(res, f))
			db_param(p, NULL);
		else if (!field_filter(r, q, f, p, &given))
			return false;
		*filtered |= given;
		if (f->role & FR_SUBTREE) {
			if (!query_bool(q, "subtree", &has_subtree, &subtree, &r->err))
				return false;
			widened |= given;
			if (needs)
				or_needs = f->in.name;
			else
				needs = f->in.name;
			db_param(p, subtree ? "true" : "false");
		}
	}
	if (has_subtree && !widened)
		return app_error_set(&r->err, 400, "Query parameter subtree needs %s%s%s.", needs, or_needs ? " or " : "",
				     or_needs ? or_needs : "");
	for (int i = 0; i < res->nfilters; i++) {
		const struct filter *f = &res->filters[i];
		bool given[2] = {false, false};
		if (f->widens) {
			if (widen)
				db_param_int(p, parent);
			else
				db_param(p, NULL);
			continue;
		}
		for (int k = 0; k < 2 && f->param[k]; k++) {
			long long value = 0;
			bool flag = false, ok;
			if (f->type[k] == JF_BOOL)
				ok = query_bool(q, f->param[k], &given[k], &flag, &r->err);
			else if (f->type[k] == JF_INT)
				ok = query_int(q, f->param[k], f->min, f->max, &given[k], &value, &r->err);
			else
				ok = query_id(q, f->param[k], &given[k], &value, &r->err);
			if (!ok)
				return false;
			if (!given[k])
				db_param(p, NULL);
			else if (f->type[k] == JF_BOOL)
				db_param(p, flag ? "true" : "false");
			else
				db_param_int(p, value);
			*filtered |= given[k];
		}
		if (f->param[1] && given[0] != given[1])
			return app_error_set(&r->err, 400, "Query parameters %s and %s go together.", f->param[0], f->param[1]);
	}
	if (res->searchable) {
		const char *text = NULL;
		if (!query_str(q, "q", 200, &text, &r->err))
			return false;
		db_param(p, text);
		*filtered |= text != NULL;
	}
	return true;
}

static int field_index(const struct resource *res, const char *name)
{
	return (int)(field_named(res, name) - res->fields);
}

/* an empty page under a parent asks whether the parent exists: one query, not two, for a
 * parent that has rows */
static bool parent_exists(struct req *r, const struct crud_route *d, struct db_conn *db, const char *id)
{
	const char *params[] = {id};
	PGresult *res = db_run(db, &d->res->rt->stmts[d->parent_stmt], 1, params, NULL, &r->err);
	if (!res)
		return false;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	return exists || app_error_set(&r->err, 404, "%s %s does not exist.", d->nesting->parent_noun, id);
}

static int crud_list(struct req *r)
{
	const struct crud_route *d = route_of(r);
	const struct resource *res = d->res;
	struct resource_rt *rt = res->rt;
	struct query q;
	struct page page;
	struct db_params p = {.n = 0};
	struct db_conn *db = NULL; /* none on the one-statement path (read_once) */
	long long parent = 0;
	int fixed = d->nesting ? field_index(res, d->nesting->field) : -1;
	bool filtered = false;
	if ((d->nesting && !req_path_id(r, "id", &parent)) || !crud_may_read(r, res) || !query_parse(r->query, &q, &r->err) ||
	    !(numeric_key(res) ? page_parse_id(&q, res->name, &page, &r->err) : page_parse(&q, res->name, &page, &r->err)))
		return -1;
	db_param(&p, page.has_after ? page.after : NULL);
	if (!list_filters(r, res, &q, fixed, parent, &p, &filtered) || !query_no_unknown(&q, &r->err))
		return -1;
	/* with no parent to check: one statement (read_once) */
	bool once = one_statement(res) && !d->nesting;
	if (!once && !crud_reader(r, res, &db))
		return -1;
	char limit[24];
	id_text(page.limit + 1, limit);
	PGresult *rows;
	if (filtered) {
		db_param(&p, limit);
		rows = once ? read_once(r, res->scope, &rt->filtered, p.n, p.v)
			    : db_run(db, &rt->filtered, p.n, p.v, NULL, &r->err);
	} else {
		/* prepared: every key is above the first cursor (ids are positive, codes not empty) */
		struct db_params all = {.n = 0};
		if (d->nesting)
			db_param_int(&all, parent);
		db_param(&all, page.has_after ? page.after : (numeric_key(res) ? "0" : ""));
		db_param(&all, limit);
		rows = once ? read_once(r, res->scope, &rt->stmts[S_LIST], all.n, all.v)
			    : db_run(db, &rt->stmts[d->nesting ? d->stmt : S_LIST], all.n, all.v, NULL, &r->err);
	}
	if (!rows)
		return -1;
	char id[24];
	if ((d->nesting && PQntuples(rows) == 0 && !parent_exists(r, d, db, id_text(parent, id))) ||
	    !record_read(r, res, rows, PQntuples(rows) > page.limit ? (int)page.limit : PQntuples(rows), false)) {
		PQclear(rows);
		return -1;
	}
	return respond_page(r, rows, res->name, &rt->list_shape, page.limit);
}

/* The key in the path, as text: an id, or a code its field's check accepts; 404 otherwise. */
bool crud_path_key(struct req *r, const struct resource *res, char key[64])
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

PGresult *crud_rows_by_ids(struct req *r, const struct resource *res, struct db_conn *db, const char *ids)
{
	if (!res->entity || res->audit_reads || (res->read != ACT_READ_UNIT && !authz_role_may(r, res->read)))
		return NULL;
	return db_run(db, &res->rt->stmts[S_BY_IDS], 1, &ids, NULL, &r->err);
}

/* row `key` by statement `stmt` (get or lock), within the scope */
PGresult *crud_row_by_key(struct req *r, const struct resource *res, struct db_conn *db, int stmt, const char *key)
{
	struct db_params p = {.n = 0};
	db_param(&p, key);
	return db_run(db, &res->rt->stmts[stmt], p.n, p.v, NULL, &r->err);
}

static int crud_get(struct req *r)
{
	const struct resource *res = route_of(r)->res;
	const struct row_shape *shape = &res->rt->shape;
	struct db_conn *db = NULL;
	char key[64];
	struct query q;
	/* a by-id read takes no parameters: an unknown one is a 400, as on lists */
	if (!crud_may_read(r, res) || !crud_path_key(r, res, key) || !query_parse(r->query, &q, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	/* a read of one statement needs no connection of its own: see read_once */
	const char *keyp = key;
	PGresult *row = one_statement(res) ? read_once(r, res->scope, &res->rt->stmts[S_GET], 1, &keyp)
		      : crud_reader(r, res, &db) ? crud_row_by_key(r, res, db, S_GET, key) : NULL;
	if (!row)
		return -1;
	if (PQntuples(row) == 0) {
		PQclear(row);
		return req_fail(r, 404, "%s %s does not exist.", res->noun, key);
	}
	/* a 304 too: it tells the caller that what it holds is current */
	if (!record_read(r, res, row, 1, true)) {
		PQclear(row);
		return -1;
	}
	if (shape->version_col >= 0 && req_not_modified(r, row_version_of(row, shape))) {
		req_set_etag(r, row_version_of(row, shape));
		PQclear(row);
		r->status = 304;
		return 0;
	}
	return respond_row(r, row, 200, shape);
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
	default: return v->str; /* lists and objects: their JSON (encode_columns) */
	}
}

/* Runs the insert or update `stmt` in the open transaction, the after_write hook, commits, and
 * answers with the row (201 with Location for a create). */
static int write_row(struct req *r, const struct resource *res, int stmt, int n, const char *const *params,
		     const struct jvalue *v, PGresult *cur)
{
	PGresult *row = db_run(r->db, &res->rt->stmts[stmt], n, params, &res->rt->write_why, &r->err);
	if (!row)
		return -1;
	if (res->hooks && res->hooks->after_write && !res->hooks->after_write(r, v, cur, row)) {
		PQclear(row);
		return -1;
	}
	if (res->rt->has_child) {
		/* read again: the children the hook wrote are part of the row */
		PGresult *again = crud_row_by_key(r, res, r->db, S_GET, PQgetvalue(row, 0, res->rt->col_of[res->rt->key]));
		PQclear(row);
		if (!again)
			return -1;
		if (PQntuples(again) != 1) { /* written out of the caller's sight: not committed */
			PQclear(again);
			return app_error_set(&r->err, 500, "An internal error occurred."), -1;
		}
		row = again;
	}
	if (!db_commit(r->db, &r->err)) {
		PQclear(row);
		return -1;
	}
	return respond_row(r, row, stmt == S_INSERT ? 201 : 200, &res->rt->shape);
}

#define HOOK(res, name) ((res)->hooks && (res)->hooks->name)

/* The list and object columns given, as the JSON that is stored (json[i], owned by the caller),
 * each v[i].str pointed at its text. */
static bool encode_columns(struct req *r, const struct resource *res, struct jvalue *v, struct buf *json)
{
	bool ok = true;
	for (int i = 0; i < res->nfields; i++) {
		if (!json_column(&res->fields[i]) || !v[i].present || v[i].is_null)
			continue;
		if (HOOK(res, encode) && !res->hooks->encode(r, i, &v[i], &json[i])) {
			ok = false;
			continue;
		}
		if (json[i].len == 0) {
			char *s = json_dumps(v[i].list, JSON_COMPACT);
			buf_puts(&json[i], s ? s : "");
			if (!s)
				json[i].oom = true;
			free(s);
		}
		if (!buf_ok(&json[i]))
			return app_error_set(&r->err, 503, "The service is short of memory.");
		v[i].str = json[i].data;
		v[i].len = json[i].len;
	}
	return ok && r->err.nfields == 0;
}

static bool hook_prepare(struct req *r, const struct resource *res, struct jvalue *v, char *scratch, size_t n)
{
	return !HOOK(res, prepare) || res->hooks->prepare(r, v, scratch, n);
}

static bool hook_validate(struct req *r, const struct resource *res, const struct jvalue *v, PGresult *cur)
{
	return !HOOK(res, validate) || res->hooks->validate(r, v, cur);
}

static bool hook_before_write(struct req *r, const struct resource *res, const struct jvalue *v, PGresult *cur)
{
	return !HOOK(res, before_write) || res->hooks->before_write(r, v, cur);
}

static void free_bufs(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		buf_free(&b[i]);
}

static int crud_create(struct req *r)
{
	const struct crud_route *d = route_of(r);
	const struct resource *res = d->res;
	struct resource_rt *rt = res->rt;
	json_t *body = NULL;
	struct jvalue v[CRUD_MAX_FIELDS];
	struct buf json[CRUD_MAX_FIELDS] = {{0}};
	char text[CRUD_MAX_FIELDS][32], scratch[256], parent[24];
	const char *params[CRUD_MAX_FIELDS];
	struct db_conn *db;
	long long parent_id = 0;
	int rc = -1, n = 0;
	const struct field *owner = rt->owner >= 0 ? &res->fields[rt->owner] : NULL;
	if ((d->nesting && !req_path_id(r, "id", &parent_id)) || !crud_role_may(r, res, res->write) ||
	    !req_json(r, false, &body) || !jin_decode(body, rt->specs, (size_t)res->nfields, false, v, &r->err) ||
	    !encode_columns(r, res, v, json) || !hook_validate(r, res, v, NULL) ||
	    !hook_prepare(r, res, v, scratch, sizeof scratch) || !write_begin(r, &db) ||
	    /* in the transaction, as the tree it asks about is read there */
	    (owner && writable(owner) && !authz_require_unit_field(r, res->write, v[rt->owner].num, owner->in.name)) ||
	    (rt->cluster >= 0 && !authz_require_cluster_year(r, res->write, v[rt->cluster].num, v[rt->period].num,
							     res->fields[rt->cluster].in.name)))
		goto out;
	if (d->nesting) {
		struct jvalue *pv = &v[field_index(res, d->nesting->field)];
		if (!parent_exists(r, d, db, id_text(parent_id, parent)))
			goto out;
		*pv = (struct jvalue){.present = true, .num = parent_id};
	}
	if (!hook_before_write(r, res, v, NULL))
		goto out;
	for (int i = 0; i < res->nfields; i++)
		if (stored(&res->fields[i]))
			params[n++] = value_param(&v[i], res->fields[i].in.type, text[i]);
	rc = write_row(r, res, S_INSERT, n, params, v, NULL);
out:
	free_bufs(json, res->nfields);
	json_decref(body);
	return rc;
}

static const char *state_of(const struct resource *res, PGresult *cur)
{
	return PQgetvalue(cur, 0, res->rt->col_of[res->rt->state]);
}

bool crud_in_states(const char *const *states, const char *state)
{
	for (; state && states && *states; states++)
		if (strcmp(*states, state) == 0)
			return true;
	return false;
}

/* 409 unless the row is in one of `states` (NULL: any); `doing` says what was asked */
bool crud_state_allows(struct req *r, const struct resource *res, PGresult *cur, const char *const *states,
			 const char *doing)
{
	if (!states || crud_in_states(states, state_of(res, cur)))
		return true;
	struct buf allowed;
	buf_init(&allowed);
	for (const char *const *s = states; *s; s++)
		CAT(&allowed, s == states ? "" : " or ", *s);
	app_error_set(&r->err, 409, "%s %s is %s; only a row that is %s can %s.", res->noun,
		      PQgetvalue(cur, 0, res->rt->col_of[res->rt->key]), state_of(res, cur),
		      buf_ok(&allowed) ? allowed.data : "in another state", doing);
	buf_free(&allowed);
	return false;
}

/* the caller's right `action` over the owner unit of the row read (in its period, when it has
 * one), or anywhere for a row of no unit; 403 otherwise */
/* the field a right is asked of: `of` (an action's), else the owner; -1 for none */
static int unit_field_of(const struct resource *res, const char *of)
{
	if (!of)
		return res->rt->owner;
	for (int i = 0; i < res->nfields; i++)
		if (strcmp(res->fields[i].in.name, of) == 0)
			return i;
	return -1;
}

static bool may_act_on_as(struct req *r, const struct resource *res, enum action action, PGresult *row, int unit_field)
{
	const struct resource_rt *rt = res->rt;
	if (rt->cluster >= 0)
		return authz_require_cluster_year(r, action, strtoll(PQgetvalue(row, 0, rt->col_of[rt->cluster]), NULL, 10),
						  strtoll(PQgetvalue(row, 0, rt->col_of[rt->period]), NULL, 10), NULL);
	if (unit_field < 0)
		return true;
	long long unit = strtoll(PQgetvalue(row, 0, rt->col_of[unit_field]), NULL, 10);
	long long year = rt->period >= 0 ? strtoll(PQgetvalue(row, 0, rt->col_of[rt->period]), NULL, 10) : 0;
	return authz_require_in_year(r, action, unit, year);
}



/* row `key` cannot be locked: 404 when the caller cannot see it either, else 403 (it may read
 * the row but not change it: outside its subtree, or a row-level policy says so) */
static bool not_lockable(struct req *r, const struct resource *res, enum action action, const char *key, int unit_field)
{
	PGresult *row = crud_row_by_key(r, res, r->db, S_GET, key);
	if (!row)
		return false;
	if (PQntuples(row) == 0)
		app_error_set(&r->err, 404, "%s %s does not exist.", res->noun, key);
	else if (may_act_on_as(r, res, action, row, unit_field))
		app_error_set(&r->err, 403, "You may read %s %s but not change it.", res->noun, key);
	PQclear(row);
	return false;
}

/* In a write transaction: row `key` locked, after 404, the caller's right (`action`) over its
 * owner unit (or anywhere, for a row of no unit), the resource's own say, and If-Match. v: the
 * patch, NULL for a delete or an action. *cur is new. */
static bool lock_key_as(struct req *r, const struct resource *res, enum action action, const struct jvalue *v,
			const char *key, PGresult **cur, int unit_field)
{
	struct resource_rt *rt = res->rt;
	struct db_conn *db;
	*cur = NULL;
	if (!crud_role_may(r, res, action) || !write_begin(r, &db) ||
	    (HOOK(res, before_lock) && !res->hooks->before_lock(r, v)))
		return false;
	PGresult *row = crud_row_by_key(r, res, db, S_LOCK, key);
	if (!row)
		return false;
	if (PQntuples(row) == 0) {
		PQclear(row);
		return not_lockable(r, res, action, key, unit_field);
	}
	bool ok = may_act_on_as(r, res, action, row, unit_field) &&
		  (!HOOK(res, may_change) || res->hooks->may_change(r, row)) &&
		  (rt->version < 0 || req_if_match(r, row_version_of(row, &rt->shape)));
	if (!ok) {
		PQclear(row);
		return false;
	}
	*cur = row;
	return true;
}

bool crud_lock_key(struct req *r, const struct resource *res, enum action action, const struct jvalue *v,
		   const char *key, PGresult **cur)
{
	return lock_key_as(r, res, action, v, key, cur, res->rt->owner);
}

static bool lock_row(struct req *r, const struct resource *res, enum action action, const struct jvalue *v,
		     char key[64], PGresult **cur)
{
	*cur = NULL;
	return crud_path_key(r, res, key) && crud_lock_key(r, res, action, v, key, cur);
}

bool crud_lock_for_write(struct req *r, const struct resource *res, long long id, char idbuf[24], PGresult **cur)
{
	return crud_lock_key(r, res, res->write, NULL, id_text(id, idbuf), cur);
}

static int crud_patch(struct req *r)
{
	const struct resource *res = route_of(r)->res;
	struct resource_rt *rt = res->rt;
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[CRUD_MAX_FIELDS];
	struct buf json[CRUD_MAX_FIELDS] = {{0}};
	char text[CRUD_MAX_FIELDS][32], key[64], scratch[256];
	const char *params[CRUD_MAX_FIELDS + 1];
	int rc = -1, n = 0;
	/* a path that names no row is a 404 whatever the body (PATCH /v1/reports/batch) */
	if (!crud_path_key(r, res, key) || !crud_role_may(r, res, res->write) || !req_json(r, true, &body) ||
	    !jin_decode(body, rt->patch_specs, (size_t)res->nfields, true, v, &r->err) ||
	    !encode_columns(r, res, v, json) || !hook_prepare(r, res, v, scratch, sizeof scratch) ||
	    !lock_row(r, res, res->write, v, key, &cur) || !crud_state_allows(r, res, cur, res->editable, "be changed") ||
	    !hook_validate(r, res, v, cur))
		goto out;
	/* moving a row to another unit needs the right over that unit too */
	if (rt->owner >= 0 && v[rt->owner].present &&
	    !authz_require_unit_field(r, res->write, v[rt->owner].num, res->fields[rt->owner].in.name))
		goto out;
	if (!hook_before_write(r, res, v, cur))
		goto out;
	params[n++] = key;
	for (int i = 0; i < res->nfields; i++) {
		if (!updated(&res->fields[i]))
			continue;
		if (v[i].present || rt->col_of[i] < 0)
			params[n++] = value_param(&v[i], res->fields[i].in.type, text[i]);
		else
			params[n++] = crud_cur(res, cur, i);
	}
	rc = write_row(r, res, S_UPDATE, n, params, v, cur);
out:
	free_bufs(json, res->nfields);
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int crud_delete(struct req *r)
{
	const struct resource *res = route_of(r)->res;
	PGresult *cur = NULL;
	char key[64];
	int rc = -1;
	if (lock_row(r, res, res->remove ? res->remove : res->write, NULL, key, &cur) &&
	    crud_state_allows(r, res, cur, res->deletable, "be deleted")) {
		rc = respond_deleted(r, &res->rt->stmts[S_DELETE], key, &res->rt->delete_why);
	}
	PQclear(cur);
	return rc;
}

/* An action's body; when none of its fields is required, no body at all is an empty one
 * (POST /v1/proposals/{id}/approve with or without an override_reason). */
static bool action_body(struct req *r, const struct state_action *a, json_t **body)
{
	bool optional = true;
	for (int i = 0; i < a->nbody; i++)
		optional = optional && !(a->body[i].flags & JF_REQUIRED);
	const char *length = req_header(r, "Content-Length");
	if (optional && !req_header(r, "Transfer-Encoding") && (!length || strcmp(length, "0") == 0))
		return (*body = json_object()) != NULL || app_error_set(&r->err, 503, "The service is short of memory.");
	return req_json(r, false, body);
}

static int crud_action(struct req *r)
{
	const struct crud_route *d = route_of(r);
	const struct resource *res = d->res;
	const struct state_action *a = d->action;
	json_t *body = NULL;
	PGresult *cur = NULL, *row = NULL;
	struct jvalue v[CRUD_MAX_FIELDS];
	struct action_result out = {.to = a->to};
	char key[64];
	int rc = -1;
	if (!crud_path_key(r, res, key))
		return -1;
	if (a->body ? !action_body(r, a, &body) || !jin_decode(body, a->body, (size_t)a->nbody, false, v, &r->err) ||
			  (HOOK(res, check_action) && !res->hooks->check_action(r, a, v))
		    : !req_no_body(r))
		goto out;
	struct buf doing;
	buf_init(&doing);
	/* an action that keeps the state (a dossier's forward) is named, not the state it "becomes" */
	if (a->to && crud_in_states(a->from, a->to))
		CAT(&doing, "take the action ", a->name);
	else
		CAT(&doing, "become ", a->to ? a->to : "decided");
	bool ok = lock_key_as(r, res, a->right ? a->right : res->write, NULL, key, &cur, unit_field_of(res, a->of)) &&
		  crud_state_allows(r, res, cur, a->from, buf_ok(&doing) ? doing.data : "change");
	buf_free(&doing);
	if (!ok || (HOOK(res, on_action) && !res->hooks->on_action(r, a, a->body ? v : NULL, cur, &out)))
		goto out;
	if (!out.to) { /* a hook that was to say the state did not: the descriptor's mistake */
		app_error_set(&r->err, 500, "An internal error occurred.");
		goto out;
	}
	struct db_params p = {.n = 0};
	db_param(&p, key);
	db_param(&p, out.to);
	for (int i = 0; a->sets && a->sets[i]; i++)
		db_param(&p, out.set[i]);
	row = db_run(r->db, &res->rt->stmts[d->stmt], p.n, p.v, &res->rt->write_why, &r->err);
	if (!row || (HOOK(res, after_action) && !res->hooks->after_action(r, a, a->body ? v : NULL, cur)) ||
	    !db_commit(r->db, &r->err))
		goto out;
	rc = respond_row(r, row, 200, &res->rt->shape);
	row = NULL;
out:
	PQclear(row);
	PQclear(cur);
	json_decref(body);
	return rc;
}
