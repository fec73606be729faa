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

/* Matches one template against a path, collecting parameters. */
static bool match_path(const char *tpl, const char *path, struct route_match *m)
{
	int np = 0;
	while (*tpl && *path) {
		if (*tpl == '{') {
			const char *close = strchr(tpl, '}');
			if (!close || np >= ROUTE_MAX_PARAMS)
				return false;
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0)
				return false;
			m->params[np].name = tpl + 1;
			m->params[np].name_len = (size_t)(close - tpl - 1);
			m->params[np].value = path;
			m->params[np].value_len = len;
			np++;
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
	m->nparams = np;
	return true;
}

static void allow_add(struct route_match *m, const char *method)
{
	if (strstr(m->allow, method))
		return;
	size_t len = strlen(m->allow);
	size_t need = strlen(method) + (len ? 2 : 0);
	if (len + need + 1 > sizeof m->allow)
		return;
	if (len)
		strcat(m->allow, ", ");
	strcat(m->allow, method);
}

void router_match(const struct route *routes, size_t n, const char *method, const char *path,
		  struct route_match *m)
{
	memset(m, 0, sizeof *m);
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	struct route_match probe;
	for (size_t i = 0; i < n; i++) {
		memset(&probe, 0, sizeof probe);
		if (!match_path(routes[i].path, path, &probe))
			continue;
		m->path_matched = true;
		allow_add(m, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			allow_add(m, "HEAD");
		if (!m->route && strcmp(routes[i].method, want) == 0) {
			m->route = &routes[i];
			m->nparams = probe.nparams;
			memcpy(m->params, probe.params, sizeof m->params);
		}
	}
}

bool route_param_id(const struct route_match *m, const char *name, long long *id)
{
	size_t nlen = strlen(name);
	for (int i = 0; i < m->nparams; i++)
		if (m->params[i].name_len == nlen && memcmp(m->params[i].name, name, nlen) == 0)
			return parse_id(m->params[i].value, m->params[i].value_len, id);
	return false;
}
