/* The resources: each api/<resource>.c exports one struct api_module with its routes and the
 * statements to prepare on every database connection. The route table (api.c) lists modules. */
#ifndef TDKT_API_H
#define TDKT_API_H
#include <stddef.h>
#include "lib/db.h"
#include "lib/http.h"
#include "lib/router.h"

struct api_module {
	const char *name;
	const struct route *routes;
	size_t nroutes;
	const struct db_stmt *stmts;
	int nstmts;
};

#define API_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* SQL: the ids of unit $p and every unit below it (a parameter placeholder such as "$3"), for
 * "unit_id IN " SQL_SUBTREE("$3"). The depth bound is a guard; the tree has no cycles. */
#define SQL_SUBTREE(p)                                                                           \
	"(WITH RECURSIVE down(id, depth) AS (SELECT " p "::bigint, 0 UNION ALL SELECT u.id, down.depth + 1" \
	" FROM units u JOIN down ON u.parent_id = down.id WHERE down.depth < 1000) SELECT id FROM down)"

/* all modules, in route-table order */
const struct api_module *const *api_modules(size_t *n);


#endif
