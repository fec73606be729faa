/* Route matching: templates, parameters, 404 vs 405 with Allow, ids. */
#include <string.h>
#include "lib/router.h"
#include "tests/unit/check.h"

static int h1(struct req *r) { (void)r; return 1; }
static int h2(struct req *r) { (void)r; return 2; }
static int h3(struct req *r) { (void)r; return 3; }
static int h4(struct req *r) { (void)r; return 4; }

static struct route routes[] = {
	{"GET", "/v1/units", h1, 0, NULL},
	{"POST", "/v1/units", h2, 0, NULL},
	{"GET", "/v1/units/{id}", h3, 0, NULL},
	{"DELETE", "/v1/units/{id}", h4, 0, NULL},
	{"PUT", "/v1/clusters/{id}/members/{year}", h2, 0, NULL},
	/* a literal path beside a template it fits: the literal's, whatever the order */
	{"GET", "/v1/reports/{id}", h3, 0, NULL},
	{"PATCH", "/v1/reports/{id}", h4, 0, NULL},
	{"POST", "/v1/reports/batch", h1, 0, NULL},
	{"POST", "/v1/reports/{id}/submit", h2, 0, NULL},
	{"PUT", "/v1/things/{a}/{b}", h3, 0, NULL},
	{"PUT", "/v1/things/{a}/all", h4, 0, NULL},
	/* neither template's text fits the other, yet "/v1/shapes/lit/q/r" fits both: the one of
	 * fewer parameters serves it, though listed second */
	{"PUT", "/v1/shapes/lit/{y}/{z}", h1, 0, NULL},
	{"PUT", "/v1/shapes/{x}/q/r", h2, 0, NULL},
	{"DELETE", "/v1/shapes/{x}/q/r", h4, 0, NULL},
};

static const struct {
	const char *method, *path;
	int handler;       /* 0: none */
	bool path_matched;
	const char *allow;
} cases[] = {
	{"GET", "/v1/units", 1, true, "GET, HEAD, POST"},
	{"POST", "/v1/units", 2, true, NULL},
	{"HEAD", "/v1/units", 1, true, NULL},
	{"PUT", "/v1/units", 0, true, "GET, HEAD, POST"},
	{"GET", "/v1/units/42", 3, true, NULL},
	{"DELETE", "/v1/units/42", 4, true, NULL},
	{"PATCH", "/v1/units/42", 0, true, "GET, HEAD, DELETE"},
	{"GET", "/v1/units/", 0, false, NULL},
	{"GET", "/v1/units//", 0, false, NULL},
	{"GET", "/v1/units/42/", 0, false, NULL},
	{"GET", "/v1/unit", 0, false, NULL},
	{"GET", "/v1/unitsx", 0, false, NULL},
	{"GET", "/", 0, false, NULL},
	{"PUT", "/v1/clusters/7/members/2022", 2, true, NULL},
	{"PUT", "/v1/clusters/7/members", 0, false, NULL},
	{"POST", "/v1/units/42", 0, true, "GET, HEAD, DELETE"},
	{"GET", "/v1/clusters/7/members/2022", 0, true, "PUT"},
	{"OPTIONS", "/v1/clusters/7/members/2022", 0, true, "PUT"},
	{"POST", "/v1/reports/batch", 1, true, NULL},
	{"GET", "/v1/reports/batch", 0, true, "POST"},
	{"PATCH", "/v1/reports/batch", 0, true, "POST"},
	{"GET", "/v1/reports/7", 3, true, "GET, HEAD, PATCH"},
	{"PATCH", "/v1/reports/7", 4, true, NULL},
	{"POST", "/v1/reports/7", 0, true, "GET, HEAD, PATCH"},
	{"POST", "/v1/reports/batch/submit", 2, true, NULL},
	{"PUT", "/v1/things/1/all", 4, true, NULL},
	{"PUT", "/v1/things/1/2", 3, true, NULL},
	{"GET", "/v1/things/1/all", 0, true, "PUT"},
	{"PUT", "/v1/shapes/lit/q/r", 2, true, "PUT, DELETE"},
	{"DELETE", "/v1/shapes/lit/q/r", 4, true, NULL},
	{"PUT", "/v1/shapes/lit/a/b", 1, true, "PUT"},
	{"DELETE", "/v1/shapes/lit/a/b", 0, true, "PUT"},
	{"PUT", "/v1/shapes/other/q/r", 2, true, NULL},
};

int main(void)
{
	struct route_match m;
	router_prepare(routes, sizeof routes / sizeof routes[0]);
	CHECK((routes[5].flags & ROUTE_SHADOWED) && !(routes[7].flags & ROUTE_SHADOWED) && (routes[9].flags & ROUTE_SHADOWED) &&
	      !(routes[2].flags & ROUTE_SHADOWED) && (routes[11].flags & ROUTE_SHADOWED) &&
	      !(routes[12].flags & ROUTE_SHADOWED), "shadowed: the templates that share a path with fewer parameters");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		router_match(routes, sizeof routes / sizeof routes[0], cases[i].method, cases[i].path, &m);
		int got = m.route ? m.route->handler(NULL) : 0;
		CHECK(got == cases[i].handler, "%s %s: handler %d, want %d", cases[i].method, cases[i].path, got,
		      cases[i].handler);
		CHECK(m.path_matched == cases[i].path_matched, "%s %s: path_matched", cases[i].method,
		      cases[i].path);
		/* a match computes no Allow (the common path does no more than it needs); a 405 has it,
		 * and router_allow gives it for a preflight */
		if (m.route)
			CHECK(m.allow[0] == '\0', "%s %s: Allow on a match: %s", cases[i].method, cases[i].path, m.allow);
		if (m.route && cases[i].allow)
			router_allow(routes, sizeof routes / sizeof routes[0], cases[i].path, &m);
		if (cases[i].allow)
			CHECK(strcmp(m.allow, cases[i].allow) == 0, "%s %s: Allow %s", cases[i].method,
			      cases[i].path, m.allow);
	}

	long long id = 0, year = 0;
	router_match(routes, 5, "PUT", "/v1/clusters/7/members/2022", &m);
	CHECK(route_param_id(&m, "id", &id) && id == 7, "id param");
	CHECK(route_param_id(&m, "year", &year) && year == 2022, "year param");
	CHECK(!route_param_id(&m, "nope", &id), "absent param");

	static const struct {
		const char *s;
		bool ok;
		long long v;
	} ids[] = {
		{"1", true, 1}, {"9223372036854775807", true, 9223372036854775807LL},
		{"9223372036854775808", false, 0}, {"0", false, 0}, {"007", false, 0}, {"-1", false, 0},
		{"1e3", false, 0}, {"", false, 0}, {"12a", false, 0}, {"99999999999999999999", false, 0},
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		long long v = 0;
		bool ok = parse_id(ids[i].s, strlen(ids[i].s), &v);
		CHECK(ok == ids[i].ok && (!ok || v == ids[i].v), "parse_id(%s)", ids[i].s);
	}
	return check_done("router");
}
