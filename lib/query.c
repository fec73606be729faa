#include <stdio.h>
#include <string.h>
#include "lib/jsonin.h"
#include "lib/query.h"
#include "lib/router.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* URL-decodes src[0..n) into out (cap bytes with NUL); '+' is a space. */
static bool url_decode(const char *src, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return false;
			int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
			if (h < 0 || l < 0)
				return false;
			c = (char)(h * 16 + l);
			if (c == '\0')
				return false;
			i += 2;
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

/* well-formed UTF-8 with no C0 control or DEL (a C1 control is left to the parameter's reader: a
 * document's file name refuses it by name, 422 on filename) */
static bool clean_utf8(const unsigned char *s)
{
	size_t n = strlen((const char *)s);
	while (n) {
		uint32_t c;
		int len = utf8_decode(s, n, &c);
		if (!len || c < 0x20 || c == 0x7F)
			return false;
		s += len;
		n -= (size_t)len;
	}
	return true;
}

/* URL-decodes src[0..n) into q's text, at most max bytes; NULL when malformed, too long, or past
 * the text's end */
static const char *decode_into(struct query *q, const char *src, size_t n, size_t max)
{
	if (q->text_len >= sizeof q->text)
		return NULL; /* full: not even the NUL of an empty value fits */
	char *out = q->text + q->text_len;
	size_t room = sizeof q->text - q->text_len;
	if (!url_decode(src, n, out, room < max + 1 ? room : max + 1))
		return NULL;
	q->text_len += strlen(out) + 1;
	return out;
}

bool query_parse(const char *qs, struct query *q, struct app_error *err)
{
	q->n = 0;
	q->text_len = 0;
	if (!qs)
		return true;
	const char *p = qs;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > 0) {
			if (q->n >= QUERY_MAX_PARAMS)
				return app_error_set(err, 400, "Too many query parameters (at most %d).",
						     QUERY_MAX_PARAMS);
			const char *eq = memchr(p, '=', len);
			size_t nlen = eq ? (size_t)(eq - p) : len;
			struct query_param *qp = &q->params[q->n];
			if (!(qp->name = decode_into(q, p, nlen, QUERY_MAX_NAME)) || !clean_utf8((const unsigned char *)qp->name) ||
			    qp->name[0] == '\0')
				return app_error_set(err, 400, "A query parameter name is malformed or too long.");
			const char *v = eq ? eq + 1 : p + len;
			size_t vlen = eq ? len - nlen - 1 : 0;
			if (!(qp->value = decode_into(q, v, vlen, QUERY_MAX_VALUE)))
				return app_error_set(err, 400, "Query parameter %s is malformed or too long (a value has at"
						     " most %d bytes, the whole query %d, decoded).", qp->name,
						     QUERY_MAX_VALUE, QUERY_MAX_TEXT);
			if (!clean_utf8((const unsigned char *)qp->value))
				return app_error_set(err, 400, "Query parameter %s is not valid UTF-8 text, or holds a control "
						     "character (a line break, a tab).", qp->name);
			for (int i = 0; i < q->n; i++)
				if (strcmp(q->params[i].name, qp->name) == 0)
					return app_error_set(err, 400, "Query parameter %s is given twice.",
							     qp->name);
			qp->used = false;
			q->n++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return true;
}

static struct query_param *find(struct query *q, const char *name)
{
	for (int i = 0; i < q->n; i++)
		if (strcmp(q->params[i].name, name) == 0) {
			q->params[i].used = true;
			return &q->params[i];
		}
	return NULL;
}

static bool bad(struct app_error *err, const char *name, const char *what)
{
	app_error_set(err, 400, "Query parameter %s must be %s.", name, what);
	app_error_field(err, name, "invalid", "%s must be %s", name, what);
	return false;
}

bool query_id(struct query *q, const char *name, bool *present, long long *out, struct app_error *err)
{
	struct query_param *p = find(q, name);
	*present = p != NULL;
	if (p && !parse_id(p->value, strlen(p->value), out))
		return bad(err, name, "a positive integer id");
	return true;
}

bool query_int(struct query *q, const char *name, long long min, long long max, bool *present,
	       long long *out, struct app_error *err)
{
	struct query_param *p = find(q, name);
	*present = p != NULL;
	if (!p)
		return true;
	const char *digits = p->value[0] == '-' ? p->value + 1 : p->value;
	long long v = 0;
	bool ok = strcmp(digits, "0") == 0 || parse_id(digits, strlen(digits), &v);
	if (p->value[0] == '-')
		v = -v;
	if (!ok || v < min || v > max) {
		char what[80];
		snprintf(what, sizeof what, "an integer from %lld to %lld", min, max);
		return bad(err, name, what);
	}
	*out = v;
	return true;
}

bool query_bool(struct query *q, const char *name, bool *present, bool *out, struct app_error *err)
{
	struct query_param *p = find(q, name);
	*present = p != NULL;
	if (!p)
		return true;
	if (strcmp(p->value, "true") == 0)
		*out = true;
	else if (strcmp(p->value, "false") == 0)
		*out = false;
	else
		return bad(err, name, "true or false");
	return true;
}

bool query_str(struct query *q, const char *name, size_t max_chars, const char **out,
	       struct app_error *err)
{
	struct query_param *p = find(q, name);
	*out = NULL;
	if (!p)
		return true;
	size_t chars = utf8_chars(p->value, strlen(p->value));
	if (chars == 0 || chars > max_chars) {
		char what[64];
		snprintf(what, sizeof what, "1 to %zu characters", max_chars);
		return bad(err, name, what);
	}
	*out = p->value;
	return true;
}

/* nn, two digits up to max */
static bool two_digits(const char *s, int max)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

bool rfc3339_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 20 || !valid_date(s, 10) || s[10] != 'T' || !two_digits(s + 11, 23) || s[13] != ':' ||
	    !two_digits(s + 14, 59) || s[16] != ':' || !two_digits(s + 17, 59))
		return false;
	const char *z = s + 19;
	if (*z == '.') {
		size_t digits = strspn(z + 1, "0123456789");
		if (digits < 1 || digits > 6)
			return false;
		z += 1 + digits;
	}
	if (strcmp(z, "Z") == 0)
		return true;
	return (z[0] == '+' || z[0] == '-') && two_digits(z + 1, 23) && z[3] == ':' && two_digits(z + 4, 59) &&
	       z[6] == '\0';
}

bool query_time(struct query *q, const char *name, const char **out, struct app_error *err)
{
	struct query_param *p = find(q, name);
	*out = NULL;
	if (!p)
		return true;
	if (!rfc3339_ok(p->value))
		return bad(err, name, "an RFC 3339 time such as 2026-01-31T08:00:00Z or 2026-01-31T15:00:00%2B07:00");
	*out = p->value;
	return true;
}

bool query_date(struct query *q, const char *name, const char **out, struct app_error *err)
{
	struct query_param *p = find(q, name);
	*out = NULL;
	if (!p)
		return true;
	if (!valid_date(p->value, strlen(p->value)))
		return bad(err, name, "a date YYYY-MM-DD");
	*out = p->value;
	return true;
}

bool query_enum(struct query *q, const char *name, const char *const *choices, const char **out,
		struct app_error *err)
{
	struct query_param *p = find(q, name);
	*out = NULL;
	if (!p)
		return true;
	for (const char *const *c = choices; *c; c++)
		if (strcmp(*c, p->value) == 0) {
			*out = *c;
			return true;
		}
	return bad(err, name, "one of the documented values");
}

bool query_limit(struct query *q, long long *limit, struct app_error *err)
{
	bool present;
	*limit = 50;
	return query_int(q, "limit", 1, QUERY_LIMIT_MAX, &present, limit, err);
}

bool query_no_unknown(const struct query *q, struct app_error *err)
{
	for (int i = 0; i < q->n; i++)
		if (!q->params[i].used) {
			app_error_set(err, 400, "Unknown query parameter %s.", q->params[i].name);
			app_error_field(err, q->params[i].name, "unknown_parameter", "%s is not a parameter here",
					q->params[i].name);
			return false;
		}
	return true;
}
