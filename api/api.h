/* The resources: each api/<resource>.c exports one struct api_module with its routes and the
 * statements to prepare on every database connection. The route table (api.c) lists modules. */
#ifndef TDKT_API_H
#define TDKT_API_H
#include <stddef.h>
#include "lib/db.h"
#include "lib/http.h"
#include "lib/router.h"

struct resource;

/* What the table holding a foreign key knows of it: the field it concerns, why a write naming a
 * missing row fails, and why deleting the row it names fails while this one exists. The parent's
 * module never lists its children's keys: a delete is explained from every module's facts. */
struct fk_fact {
	const char *constraint;      /* "people_unit_fkey" */
	const char *field;           /* "unit_id" */
	const char *on_write;        /* "unit_id does not name an existing unit" */
	const char *on_parent_delete;/* "the unit still has people" */
};

struct api_module {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	const struct db_stmt *const *stmts; /* their handles */
	int nstmts;
	const struct resource *resource;  /* a descriptor (api/crud.h): its routes and statements are made */
	const struct fk_fact *facts;      /* the foreign keys of the module's tables */
	size_t nfacts;
	/* its triggers' refusals of writes made through other modules (an evaluation fixes its
	 * cluster-year's members): explained wherever those writes fail */
	const struct db_constraint *refusals;
	size_t nrefusals;
	/* after the demo data is loaded (`tdkt demo`), in one transaction as 'system' on the service's
	 * own connection: what the demo needs the module's code for (an evaluation closed as its
	 * leader would close it). NULL: nothing. */
	bool (*after_demo)(struct db_conn *db, struct app_error *err);
	/* the entity its own reads of personal data are recorded under in the audit trail, when it
	 * has no descriptor to say so (`/v1/audit?entity=` knows it); NULL: none */
	const char *audit_entity;
};

#define API_COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* a table and its count, in an initializer: WITH(routes, routes), WITH(fields, fields) */
#define WITH(member, array) .member = (array), .n##member = API_COUNT(array)

/* SQL: the ids of unit $p and every unit below it (a parameter placeholder such as "$3"), for
 * "unit_id IN " SQL_SUBTREE("$3"). The depth bound is a guard; the tree has no cycles. */
#define SQL_SUBTREE(p) SQL_SUBTREE_HEAD p SQL_SUBTREE_TAIL
/* the same in two halves, for SQL generated at start (api/crud.c) with the parameter between */
#define SQL_SUBTREE_HEAD "(WITH RECURSIVE down(id, depth) AS (SELECT "
#define SQL_SUBTREE_TAIL                                                                          \
	"::bigint, 0 UNION ALL SELECT u.id, down.depth + 1"                                           \
	" FROM units u JOIN down ON u.parent_id = down.id WHERE down.depth < 1000) SELECT id FROM down)"

/* all modules, in route-table order */
const struct api_module *const *api_modules(size_t *n);

/* Every module's routes (a descriptor's made here) into routes[max], and every statement into
 * stmts[smax] (borrowed, for the pool). false with the reason in err. Once, at start. */
bool api_collect(struct route *routes, size_t max, size_t *nroutes, const struct db_stmt **stmts, size_t smax,
		 size_t *nstmts, char *err, size_t errlen);

/* the audit trail's entity names, NULL-terminated (each descriptor's); made by api_collect */
const char *const *api_audit_entities(void);
/* every module's after_demo, in module order */
bool api_after_demo(struct db_conn *db, struct app_error *err);

/* the descriptor whose rows the audit trail and the change feed call `entity`; NULL: none */
const struct resource *api_resource_of(const char *entity);

/* The constraint explanations of every module's foreign keys: for writes (422 on the field) and
 * for deletes of the row they name (409 "still referenced"). Made by api_collect. */
const struct db_constraint *api_fk_on_write(int *n);
const struct db_constraint *api_fk_on_delete(int *n);


#endif
