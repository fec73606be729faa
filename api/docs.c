/* The contract as a page for people: GET /docs. The page is Redoc's, made from openapi.yaml at
 * build time (scripts/docs.py) with everything inline, and carried in the binary with the
 * Content-Security-Policy that allows exactly its scripts: nothing is fetched from elsewhere. */
#include "api/api.h"
#include "lib/embedded.h"
#include "lib/negotiate.h"

static const char *const offered[] = {"text/html", NULL};

static int docs(struct req *r)
{
	const struct embedded_file *page = embedded_find("build/gen/docs.html");
	const struct embedded_file *csp = embedded_find("build/gen/docs.csp");
	r->vary_accept = true;
	if (negotiate(req_header(r, "Accept"), offered) < 0)
		return req_fail(r, 406, "This page is served as text/html; the contract itself is at /openapi.yaml.");
	if (!page || !csp)
		return req_fail(r, 404, "No documentation page is built into this binary.");
	r->content_type = "text/html; charset=utf-8";
	r->cache_control = "public, max-age=300";
	r->csp = csp->data;
	buf_append(r->out, page->data, page->len);
	return 0;
}

static const struct route routes[] = {
	{"GET", "/docs", docs, ROUTE_PUBLIC | ROUTE_NO_DB | ROUTE_OWN_TYPES, NULL},
};

const struct api_module docs_module = {.name = "docs", WITH(routes, routes)};
