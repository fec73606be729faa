/* Prometheus metrics of the HTTP server: requests by route template, method and status, and a
 * latency histogram per route. Counting is a few relaxed atomic adds on the request's path, no
 * lock and no allocation; the text exposition format is made only when /metrics is read. */
#ifndef TDKT_METRICS_H
#define TDKT_METRICS_H
#include <stddef.h>
#include "lib/buf.h"
#include "lib/router.h"

struct metrics;

/* For the routes[nroutes] the server serves (borrowed for its life); NULL when out of memory. */
struct metrics *metrics_new(const struct route *routes, size_t nroutes);
void metrics_free(struct metrics *m); /* accepts NULL */

/* One answered request: its route (NULL when no route matched: counted as route="" method=""),
 * its status and how long it took. */
void metrics_observe(struct metrics *m, const struct route *route, int status, double seconds);

/* The requests' series in the text format, version 0.0.4: tdkt_http_requests_total and
 * tdkt_http_request_duration_seconds, each with its HELP and TYPE lines; only the series that
 * have counted something. */
void metrics_write(const struct metrics *m, struct buf *out);

/* One sample line: name{labels} value, the labels as name/value pairs (values escaped), nlabels
 * pairs; for the metrics that other parts of the server own (the pool, build info). */
void metrics_sample(struct buf *out, const char *name, const char *const *labels, int nlabels, double value);
/* The # HELP and # TYPE lines of a metric */
void metrics_header(struct buf *out, const char *name, const char *type, const char *help);

/* the statuses counted by their code; any other is counted as its class (2xx, 4xx…) */
int metrics_status_index(int status);

#endif
