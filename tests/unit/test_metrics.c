/* lib/metrics: statuses to series, label escaping, cumulative buckets, nothing for a quiet route. */
#include <string.h>
#include "lib/metrics.h"
#include "tests/unit/check.h"

static int handler(struct req *r)
{
	(void)r;
	return 0;
}

int main(void)
{
	static const struct {
		int status;
		int same_as; /* another status with the same series, or 0 for its own */
	} statuses[] = {
		{200, 0}, {404, 0}, {422, 0}, {418, 499}, {299, 250}, {599, 550}, {999, 550}, {0, 550},
	};
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		int a = metrics_status_index(statuses[i].status);
		if (statuses[i].same_as)
			CHECK(a == metrics_status_index(statuses[i].same_as), "status %d", statuses[i].status);
		else
			CHECK(a != metrics_status_index(500), "status %d has its own series", statuses[i].status);
	}

	const struct route routes[] = {
		{"GET", "/v1/units/{id}", handler, 0, NULL},
		{"POST", "/v1/units", handler, 0, NULL},
		{"GET", "/odd\"route\\", handler, 0, NULL},
	};
	struct metrics *m = metrics_new(routes, 3);
	CHECK(m != NULL, "new");
	metrics_observe(m, &routes[0], 200, 0.0001);
	metrics_observe(m, &routes[0], 200, 0.003);
	metrics_observe(m, &routes[0], 404, 20.0);
	metrics_observe(m, NULL, 404, 0.0002);
	metrics_observe(m, &routes[2], 418, 0.0002);
	struct buf b;
	buf_init(&b);
	metrics_write(m, &b);
	const char *text = b.data;
	static const char *const expected[] = {
		"tdkt_http_requests_total{route=\"/v1/units/{id}\",method=\"GET\",status=\"200\"} 2\n",
		"tdkt_http_requests_total{route=\"/v1/units/{id}\",method=\"GET\",status=\"404\"} 1\n",
		"tdkt_http_requests_total{route=\"\",method=\"\",status=\"404\"} 1\n",
		"tdkt_http_requests_total{route=\"/odd\\\"route\\\\\",method=\"GET\",status=\"4xx\"} 1\n",
		"tdkt_http_request_duration_seconds_bucket{route=\"/v1/units/{id}\",method=\"GET\",le=\"0.0005\"} 1\n",
		"tdkt_http_request_duration_seconds_bucket{route=\"/v1/units/{id}\",method=\"GET\",le=\"0.005\"} 2\n",
		"tdkt_http_request_duration_seconds_bucket{route=\"/v1/units/{id}\",method=\"GET\",le=\"10\"} 2\n",
		"tdkt_http_request_duration_seconds_bucket{route=\"/v1/units/{id}\",method=\"GET\",le=\"+Inf\"} 3\n",
		"tdkt_http_request_duration_seconds_count{route=\"/v1/units/{id}\",method=\"GET\"} 3\n",
		"# TYPE tdkt_http_request_duration_seconds histogram\n",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		CHECK(text && strstr(text, expected[i]), "has %s", expected[i]);
	CHECK(text && !strstr(text, "route=\"/v1/units\""), "a route without requests has no series");
	buf_free(&b);
	metrics_free(m);
	metrics_free(NULL);
	return check_done("metrics");
}
