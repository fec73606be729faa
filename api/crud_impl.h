/* Inside the descriptor engine (api/crud.c, api/crud_child.c): how SQL is put together and the
 * steps the generic handlers share. Not for resources: they use api/crud.h. */
#ifndef TDKT_CRUD_IMPL_H
#define TDKT_CRUD_IMPL_H
#include "api/crud.h"
#include "lib/buf.h"

/* ^[a-z_][a-z0-9_]*$: the only text that ever becomes an identifier in generated SQL */
bool crud_identifier(const char *s);
/* SQL is put together from fragments, never formatted: every piece is a literal of the engine,
 * an identifier of a descriptor checked by crud_identifier, or a descriptor's static SQL text.
 * Values are only ever $n. The fragments end with a NULL of the right type for va_arg. */
#define CAT BUF_CAT
/* the SQL type a value of this input type is cast to, where a cast is needed */
const char *crud_sql_type(enum jfield_type type);
/* $n */
void crud_param(struct buf *b, int n);
/* b's text, new (NULL when out of memory); frees b */
char *crud_take(struct buf *b);
/* a + b + c + d, new */
char *crud_joined(const char *a, const char *b, const char *c, const char *d);
/* the statement <name>_<suffix> with sql (taken; NULL: out of memory, false) */
bool crud_add_stmt(const struct resource *res, struct resource_rt *rt, const char *suffix, char *sql);
/* s kept by rt for its routes (NULL when s is) */
char *crud_owned(struct resource_rt *rt, char *s);
bool crud_add_route(struct resource_rt *rt, const char *method, const char *path, int (*handler)(struct req *),
		    struct crud_route data);

/* 403 for a role that may not read the resource at all */
bool crud_may_read(struct req *r, const struct resource *res);
/* a connection for reading: in a transaction that names the caller, for a scoped resource */
bool crud_reader(struct req *r, const struct resource *res, struct db_conn **db);
/* row `key` by statement `stmt` (CRUD_GET or CRUD_LOCK), within the scope; new, NULL with r->err */
PGresult *crud_row_by_key(struct req *r, const struct resource *res, struct db_conn *db, int stmt, const char *key);
/* 403 unless the caller's role may do `action` somewhere */
bool crud_role_may(struct req *r, const struct resource *res, enum action action);
/* the row's key from the path (an id or a code), 404 otherwise */
bool crud_path_key(struct req *r, const struct resource *res, char key[64]);
/* In a write transaction: row `key` locked, 404/403, the right `action` over its owner,
 * may_change, If-Match; the resource's constraint explanations set. *cur is new. */
bool crud_lock_key(struct req *r, const struct resource *res, enum action action, const struct jvalue *v,
		   const char *key, PGresult **cur);
/* 409 unless the row is in one of `states` (NULL: any); `doing` says what was asked */
bool crud_state_allows(struct req *r, const struct resource *res, PGresult *cur, const char *const *states,
		       const char *doing);

/* the child lists' statements and routes (api/crud_child.c), from crud_prepare */
bool crud_child_sql(const struct resource *res, struct resource_rt *rt);
bool crud_child_routes(const struct resource *res, struct resource_rt *rt, const char *item);

#endif
