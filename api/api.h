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

/* all modules, in route-table order */
const struct api_module *const *api_modules(size_t *n);


#endif
