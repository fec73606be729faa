/* Route table matching: path templates such as "/v1/units/{id}" to a handler per method.
 * Knows nothing of HTTP libraries, so it is unit-tested alone. */
#ifndef TDKT_ROUTER_H
#define TDKT_ROUTER_H
#include <stdbool.h>
#include <stddef.h>

#define ROUTE_MAX_PARAMS 4

struct req;

enum route_flags {
	ROUTE_PUBLIC = 1 << 0,   /* no token needed */
	ROUTE_NO_DB = 1 << 1,    /* never touches the database (liveness) */
	ROUTE_BULK = 1 << 2,     /* a bulk upload: its body may reach the bulk limit, not the usual one */
	ROUTE_OWN_TYPES = 1 << 3,/* answers other media types than JSON and reads Accept itself; every other
				    route answers JSON, and an Accept that refuses JSON is a 406 */
	ROUTE_QUERY = 1 << 4,    /* reads query parameters (and refuses unknown ones itself); a route
				    without it answers a request with any query 400, before its handler */
	ROUTE_PRIMARY = 1 << 5,  /* a GET that must see the primary, never a replica (readiness) */
	ROUTE_SECRET = 1 << 6,   /* its body is a secret (a ballot): never kept, not even as a hash for a
				    retry's Idempotency-Key (the key is ignored), never logged */
	ROUTE_SMALL_BODY = 1 << 7,/* a form anyone may send (no token): its body at most ROUTE_SMALL_BODY_LIMIT
				    bytes (413 above), whatever the usual limit: 64 KiB holds a few thousand
				    characters even written as \u escapes (12 bytes for one above U+FFFF) */
	ROUTE_RAW_BODY = 1 << 8, /* its handler reads the body itself as it streams (req_body_begin,
				    req_body_read: a file of many megabytes), with a cap of its own instead
				    of TDKT_BODY_LIMIT; the server never holds it whole */
	ROUTE_SHADOWED = 1 << 9, /* set by router_prepare: some path fits both this template and one with
				    fewer parameters ("/v1/reports/batch" and "/v1/reports/{id}") */
};
#define ROUTE_SMALL_BODY_LIMIT 65536

struct route {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* template; "{name}" matches one non-empty segment */
	int (*handler)(struct req *r);
	unsigned flags;
	const void *data;        /* the handler's own, borrowed: a generic handler's resource */
};

struct route_param {
	const char *name;        /* borrowed from the template, not NUL-terminated at '}' */
	size_t name_len;
	const char *value;       /* borrowed from the path */
	size_t value_len;
};

struct route_match {
	const struct route *route;       /* NULL when nothing matched */
	int nparams;
	struct route_param params[ROUTE_MAX_PARAMS];
	bool path_matched;               /* some route had this path (with another method) */
	char allow[128];                 /* "GET, HEAD, POST": a 405's Allow (router_allow) */
};

/* Marks the routes that share some path with a route of fewer parameters (ROUTE_SHADOWED), once,
 * before matching: a path is served by the templates that fit it with the fewest parameters, so that
 * "/v1/reports/batch" is that resource (POST; 405 for any other method), never report "batch". */
void router_prepare(struct route *routes, size_t n);

/* Finds the route for method and path among n routes: of the templates that fit the path, those
 * with the fewest parameters; among them, the first of the method. HEAD matches GET routes. When
 * the path exists with other methods only, m->allow lists them (a 405's Allow); when a route
 * matched, m->allow is empty: router_allow fills it (a CORS preflight's). */
void router_match(const struct route *routes, size_t n, const char *method, const char *path,
		  struct route_match *m);
/* m->allow: the methods of the routes that serve this path, "GET, HEAD, DELETE" (HEAD with GET) */
void router_allow(const struct route *routes, size_t n, const char *path, struct route_match *m);

/* The value of parameter `name` as a positive 64-bit id; false when absent or not one. */
bool route_param_id(const struct route_match *m, const char *name, long long *id);

/* Parses a whole string as a positive int64 id ("1".."9223372036854775807", no sign, no zeros first) */
bool parse_id(const char *s, size_t n, long long *id);

#endif
