#include <string.h>
#include "lib/router.h"

bool parse_id(const char *s, size_t n, long long *id)
{
	if (n == 0 || n > 19 || s[0] == '0')
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 9223372036854775807ULL)
		return false;
	*id = (long long)v;
	return true;
}

/* Matches one template against a path, collecting its parameters into params (*np of them). A
 * template that differs in its first bytes costs those bytes and nothing else: most requests
 * pass over tens of routes before theirs. */
static bool match_path(const char *tpl, const char *path, struct route_param params[ROUTE_MAX_PARAMS], int *np)
{
	int n = 0;
	while (*tpl && *path) {
		if (*tpl == '{') {
			const char *close = strchr(tpl, '}');
			if (!close || n >= ROUTE_MAX_PARAMS)
				return false;
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0)
				return false;
			params[n].name = tpl + 1;
			params[n].name_len = (size_t)(close - tpl - 1);
			params[n].value = path;
			params[n].value_len = len;
			n++;
			tpl = close + 1;
			path += len;
			continue;
		}
		if (*tpl != *path)
			return false;
		tpl++;
		path++;
	}
	if (*tpl || *path)
		return false;
	*np = n;
	return true;
}

static void allow_add(struct route_match *m, size_t *len, const char *method)
{
	size_t mlen = strlen(method);
	/* a method once only (HEAD comes with each GET) */
	for (const char *p = m->allow; (p = strstr(p, method)) != NULL; p += mlen)
		if ((p == m->allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
			return;
	size_t need = mlen + (*len ? 2 : 0);
	if (*len + need + 1 > sizeof m->allow)
		return;
	if (*len) {
		memcpy(m->allow + *len, ", ", 2);
		*len += 2;
	}
	memcpy(m->allow + *len, method, mlen + 1);
	*len += mlen;
}

static int params_of(const char *tpl)
{
	int k = 0;
	for (; *tpl; tpl++)
		k += *tpl == '{';
	return k;
}

/* Whether some path may fit both templates: segment by segment, two literals must be the same
 * text, and a segment with a parameter in it is taken to fit anything (at worst a route is marked
 * that needs not be, which costs it a look at the others when it matches). "/a/lit/{y}/{z}" and
 * "/a/{x}/q/r" share "/a/lit/q/r", though neither template's own text fits the other. */
static bool templates_overlap(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a + 1, "/") + 1, lb = strcspn(b + 1, "/") + 1;
		if (!memchr(a, '{', la) && !memchr(b, '{', lb) && (la != lb || memcmp(a, b, la) != 0))
			return false;
		a += la;
		b += lb;
	}
	return !*a && !*b;
}

void router_prepare(struct route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n && !(routes[i].flags & ROUTE_SHADOWED); j++)
			if (params_of(routes[j].path) < params_of(routes[i].path) &&
			    templates_overlap(routes[i].path, routes[j].path))
				routes[i].flags |= ROUTE_SHADOWED;
}

/* the fewest parameters of the templates that fit path; -1 when none does */
static int fewest_params(const struct route *routes, size_t n, const char *path)
{
	struct route_param params[ROUTE_MAX_PARAMS];
	int np, fewest = -1;
	for (size_t i = 0; i < n; i++)
		if (match_path(routes[i].path, path, params, &np) && (fewest < 0 || np < fewest))
			fewest = np;
	return fewest;
}

void router_allow(const struct route *routes, size_t n, const char *path, struct route_match *m)
{
	struct route_param params[ROUTE_MAX_PARAMS];
	size_t len = 0;
	int np, fewest = fewest_params(routes, n, path);
	m->allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!match_path(routes[i].path, path, params, &np) || np != fewest)
			continue;
		allow_add(m, &len, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			allow_add(m, &len, "HEAD");
	}
}

void router_match(const struct route *routes, size_t n, const char *method, const char *path,
		  struct route_match *m)
{
	m->route = NULL;
	m->nparams = 0;
	m->path_matched = false;
	m->allow[0] = '\0';
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	struct route_param params[ROUTE_MAX_PARAMS];
	int np;
	for (size_t i = 0; i < n; i++) {
		if (!match_path(routes[i].path, path, params, &np))
			continue;
		m->path_matched = true;
		if (strcmp(routes[i].method, want) == 0) {
			/* a template that fits paths of fewer parameters serves this one only if none of
			 * those fits it */
			if ((routes[i].flags & ROUTE_SHADOWED) && fewest_params(routes, n, path) < np)
				continue;
			m->route = &routes[i];
			m->nparams = np;
			memcpy(m->params, params, (size_t)np * sizeof params[0]);
			return;
		}
	}
	/* the path exists with other methods: the 405's Allow */
	if (m->path_matched)
		router_allow(routes, n, path, m);
}

bool route_param_id(const struct route_match *m, const char *name, long long *id)
{
	size_t nlen = strlen(name);
	for (int i = 0; i < m->nparams; i++)
		if (m->params[i].name_len == nlen && memcmp(m->params[i].name, name, nlen) == 0)
			return parse_id(m->params[i].value, m->params[i].value_len, id);
	return false;
}
