/* Query-string parameters, strictly: every parameter a list understands is named by the
 * handler, anything else (or a repeated one, or a value that is not what it should be) is a 400
 * naming the parameter — a typo in a filter must not silently return everything. */
#ifndef TDKT_QUERY_H
#define TDKT_QUERY_H
#include <stdbool.h>
#include <stddef.h>
#include "lib/error.h"

#define QUERY_MAX_PARAMS 24
#define QUERY_MAX_NAME 31       /* bytes of one decoded name */
#define QUERY_MAX_VALUE 1020    /* bytes of one decoded value: 255 characters of any script (a file name) */
#define QUERY_MAX_TEXT 4096     /* bytes of every name and value decoded, with a NUL each */

struct query_param {
	const char *name, *value; /* in the query's text */
	bool used;
};

/* Every handler keeps one on its stack: the names and values share one block of text, so that it
 * is 5 KB, not the 25 KB of 24 parameters with room for the longest value each (the stack pages a
 * request touches are what an idle worker keeps). It points into itself: never copied. */
struct query {
	int n;
	size_t text_len;
	struct query_param params[QUERY_MAX_PARAMS];
	char text[QUERY_MAX_TEXT];
};

/* Parses and URL-decodes qs (may be NULL). Values must be UTF-8 without control characters. */
bool query_parse(const char *qs, struct query *q, struct app_error *err);

/* Each getter marks the parameter used. Absent: returns true and leaves *present false. */
bool query_id(struct query *q, const char *name, bool *present, long long *out, struct app_error *err);
bool query_int(struct query *q, const char *name, long long min, long long max, bool *present,
	       long long *out, struct app_error *err);
bool query_bool(struct query *q, const char *name, bool *present, bool *out, struct app_error *err);
/* borrowed string of 1..max_chars characters */
bool query_str(struct query *q, const char *name, size_t max_chars, const char **out,
	       struct app_error *err);
bool query_enum(struct query *q, const char *name, const char *const *choices, const char **out,
		struct app_error *err);
/* YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM): an RFC 3339 time, with its offset (a '+' in a
 * query string is sent as %2B) */
bool rfc3339_ok(const char *s);
/* borrowed RFC 3339 time text, as rfc3339_ok checks it */
bool query_time(struct query *q, const char *name, const char **out, struct app_error *err);
/* borrowed YYYY-MM-DD text of a real date */
bool query_date(struct query *q, const char *name, const char **out, struct app_error *err);
/* a page's `limit`: 1..QUERY_LIMIT_MAX, default 50 */
#define QUERY_LIMIT_MAX 500
bool query_limit(struct query *q, long long *limit, struct app_error *err);

/* 400 naming the first parameter no getter asked for */
bool query_no_unknown(const struct query *q, struct app_error *err);

#endif
