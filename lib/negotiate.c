/* Accept header matching (lib/negotiate.h): one pass over the ranges per offered type. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lib/negotiate.h"

#define MAX_RANGES 32

static bool space(char c)
{
	return c == ' ' || c == '\t';
}

/* q of "q=0.5" and the like: 0..1000 (thousandths); -1 when malformed */
static int parse_q(const char *s, size_t n)
{
	if (n == 0 || n > 5 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000, scale = 100;
	if (n > 1 && s[1] != '.')
		return -1;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* how specifically range [r, r + n) matches type t: 3 exact, 2 a type's wildcard, 1 any, 0 not */
static int specificity(const char *r, size_t n, const char *t)
{
	size_t tn = strlen(t);
	const char *slash = memchr(r, '/', n);
	if (!slash)
		return 0;
	size_t major = (size_t)(slash - r), minor = n - major - 1;
	if (major == 1 && r[0] == '*' && minor == 1 && slash[1] == '*')
		return 1;
	const char *tslash = strchr(t, '/');
	size_t tmajor = (size_t)(tslash - t);
	if (major != tmajor || strncasecmp(r, t, major) != 0)
		return 0;
	if (minor == 1 && slash[1] == '*')
		return 2;
	return n == tn && strncasecmp(r, t, n) == 0 ? 3 : 0;
}

int negotiate(const char *accept, const char *const *offered)
{
	const char *p = accept;
	while (p && space(*p))
		p++;
	if (!p || !*p)
		return offered[0] ? 0 : -1;
	int best = -1, best_q = 0;
	for (int o = 0; offered[o]; o++) {
		int spec = 0, q = 0; /* the most specific matching range's q */
		const char *s = accept;
		for (int ranges = 0; *s && ranges < MAX_RANGES; ranges++) {
			const char *end = strchr(s, ',');
			if (!end)
				end = s + strlen(s);
			while (s < end && space(*s))
				s++;
			const char *type_end = s;
			while (type_end < end && *type_end != ';' && !space(*type_end))
				type_end++;
			int rq = 1000;
			for (const char *a = memchr(s, ';', (size_t)(end - s)); a && a < end;) {
				a++;
				while (a < end && space(*a))
					a++;
				if (a >= end)
					break;
				const char *next = memchr(a, ';', (size_t)(end - a));
				const char *stop = next ? next : end;
				while (stop > a && space(stop[-1]))
					stop--;
				if (stop - a >= 2 && (a[0] == 'q' || a[0] == 'Q') && a[1] == '=')
					rq = parse_q(a + 2, (size_t)(stop - a - 2));
				a = next;
			}
			int sp = specificity(s, (size_t)(type_end - s), offered[o]);
			if (rq >= 0 && sp > spec) {
				spec = sp;
				q = rq;
			}
			s = *end ? end + 1 : end;
		}
		if (spec > 0 && q > best_q) {
			best = o;
			best_q = q;
		}
	}
	return best;
}
