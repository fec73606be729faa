/* Operations endpoints: liveness, readiness (database reachable, migrations current), metrics
 * and the contract itself. None needs a token: /metrics is for the scraper, and the proxy in
 * front (docker/nginx.conf) does not pass it on from outside. */
#include <string.h>
#include "api/api.h"
#include "lib/embedded.h"
#include "lib/migrate.h"

static int healthz(struct req *r)
{
	r->cache_control = "no-store";
	buf_puts(r->out, "{\"status\":\"ok\"}");
	return 0;
}

static int readyz(struct req *r)
{
	struct db_conn *db;
	r->cache_control = "no-store";
	if (!req_db(r, &db))
		return -1;
	if (!migrate_current(db_pg(db), &r->err)) {
		r->err.status = 503;
		r->err.retry_after = 5;
		return -1;
	}
	buf_puts(r->out, "{\"status\":\"ready\"}");
	return 0;
}

static int openapi(struct req *r)
{
	const struct embedded_file *f = embedded_find("openapi.yaml");
	if (!f)
		return req_fail(r, 404, "No contract is built into this binary.");
	r->content_type = "application/yaml";
	r->cache_control = "public, max-age=300";
	buf_append(r->out, f->data, f->len);
	return 0;
}

/* Prometheus' text format, whatever the Accept: scrapers ask for OpenMetrics first, and
 * accept this */
static int metrics(struct req *r)
{
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	r->cache_control = "no-store";
	req_write_metrics(r);
	return 0;
}

static const struct route routes[] = {
	{"GET", "/healthz", healthz, ROUTE_PUBLIC | ROUTE_NO_DB, NULL},
	{"GET", "/readyz", readyz, ROUTE_PUBLIC | ROUTE_PRIMARY, NULL},
	{"GET", "/metrics", metrics, ROUTE_PUBLIC | ROUTE_NO_DB | ROUTE_OWN_TYPES, NULL},
	{"GET", "/openapi.yaml", openapi, ROUTE_PUBLIC | ROUTE_NO_DB | ROUTE_OWN_TYPES, NULL},
};

const struct api_module health_module = {.name = "health", WITH(routes, routes)};
