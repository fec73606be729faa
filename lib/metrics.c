#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/metrics.h"

/* The statuses this service answers, each its own series; then one per class for any other. */
static const int known_status[] = {200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 406, 408, 409, 411, 412,
				   413, 414, 415, 422, 428, 429, 431, 500, 502, 503, 504};
#define NKNOWN ((int)(sizeof known_status / sizeof known_status[0]))
#define NSTATUS (NKNOWN + 5) /* + 1xx..5xx */

/* Upper bounds of the latency buckets, in seconds: a GET by id takes about 0.1 ms, a statistics
 * table tens of milliseconds, a bulk import seconds. */
static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static const char *const bucket_text[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
					  "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
#define NBUCKETS ((int)(sizeof bucket_le / sizeof bucket_le[0]))

struct route_counts {
	atomic_ullong by_status[NSTATUS];
	atomic_ullong buckets[NBUCKETS + 1]; /* the last: above every bound (+Inf, non-cumulative here) */
	atomic_ullong sum_us;
};

struct metrics {
	const struct route *routes;
	size_t nroutes;
	struct route_counts *counts; /* nroutes + 1: the last for requests no route matched */
};

int metrics_status_index(int status)
{
	for (int i = 0; i < NKNOWN; i++)
		if (known_status[i] == status)
			return i;
	int class = status / 100;
	return NKNOWN + (class >= 1 && class <= 5 ? class - 1 : 4);
}

struct metrics *metrics_new(const struct route *routes, size_t nroutes)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->routes = routes;
	m->nroutes = nroutes;
	/* zeroed memory is a valid atomic zero for these lock-free integer types */
	m->counts = calloc(nroutes + 1, sizeof *m->counts);
	if (!m->counts) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->counts);
	free(m);
}

void metrics_observe(struct metrics *m, const struct route *route, int status, double seconds)
{
	if (!m)
		return;
	size_t i = route && route >= m->routes && route < m->routes + m->nroutes ? (size_t)(route - m->routes) : m->nroutes;
	struct route_counts *c = &m->counts[i];
	atomic_fetch_add_explicit(&c->by_status[metrics_status_index(status)], 1, memory_order_relaxed);
	int b = 0;
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&c->buckets[b], 1, memory_order_relaxed);
	if (seconds < 0)
		seconds = 0;
	atomic_fetch_add_explicit(&c->sum_us, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

/* a label value: backslash, double quote and line feed escaped */
static void label_value(struct buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_putc(out, '\\');
		if (*v == '\n') {
			buf_puts(out, "\\n");
			continue;
		}
		buf_putc(out, *v);
	}
}

void metrics_header(struct buf *out, const char *name, const char *type, const char *help)
{
	BUF_CAT(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void metrics_sample(struct buf *out, const char *name, const char *const *labels, int nlabels, double value)
{
	buf_puts(out, name);
	for (int i = 0; i < nlabels; i++) {
		BUF_CAT(out, i ? "," : "{", labels[2 * i], "=\"");
		label_value(out, labels[2 * i + 1]);
		buf_putc(out, '"');
	}
	if (nlabels)
		buf_putc(out, '}');
	/* counts are whole numbers up to 2^53 exactly; %.17g keeps a sum's digits */
	buf_printf(out, " %.17g\n", value);
}

static void status_text(int index, char out[8])
{
	if (index < NKNOWN)
		snprintf(out, 8, "%d", known_status[index]);
	else
		snprintf(out, 8, "%dxx", index - NKNOWN + 1);
}

void metrics_write(const struct metrics *m, struct buf *out)
{
	if (!m)
		return;
	metrics_header(out, "tdkt_http_requests_total", "counter",
		       "Requests answered, by route template, method and status (route \"\": no route matched).");
	for (size_t i = 0; i <= m->nroutes; i++) {
		const char *route = i < m->nroutes ? m->routes[i].path : "", *method = i < m->nroutes ? m->routes[i].method : "";
		for (int s = 0; s < NSTATUS; s++) {
			unsigned long long n = atomic_load_explicit(&m->counts[i].by_status[s], memory_order_relaxed);
			if (!n)
				continue;
			char status[8];
			status_text(s, status);
			const char *labels[] = {"route", route, "method", method, "status", status};
			metrics_sample(out, "tdkt_http_requests_total", labels, 3, (double)n);
		}
	}
	metrics_header(out, "tdkt_http_request_duration_seconds", "histogram",
		       "Time from the request read to the answer written, by route template and method.");
	for (size_t i = 0; i <= m->nroutes; i++) {
		const struct route_counts *c = &m->counts[i];
		unsigned long long seen[NBUCKETS + 1], total = 0;
		for (int b = 0; b <= NBUCKETS; b++)
			total += seen[b] = atomic_load_explicit(&c->buckets[b], memory_order_relaxed);
		if (!total)
			continue;
		const char *route = i < m->nroutes ? m->routes[i].path : "", *method = i < m->nroutes ? m->routes[i].method : "";
		unsigned long long cumulative = 0;
		for (int b = 0; b <= NBUCKETS; b++) {
			cumulative += seen[b];
			const char *labels[] = {"route", route, "method", method, "le", b < NBUCKETS ? bucket_text[b] : "+Inf"};
			metrics_sample(out, "tdkt_http_request_duration_seconds_bucket", labels, 3, (double)cumulative);
		}
		const char *labels[] = {"route", route, "method", method};
		metrics_sample(out, "tdkt_http_request_duration_seconds_sum", labels, 2,
			       (double)atomic_load_explicit(&c->sum_us, memory_order_relaxed) / 1e6);
		metrics_sample(out, "tdkt_http_request_duration_seconds_count", labels, 2, (double)cumulative);
	}
}
