/* Strict JSON input: a request body is parsed with duplicate keys rejected (400) and then checked
 * against a table of field specs (422 naming each bad field): unknown and read-only fields, wrong
 * types, integers out of range, strings too long or with control characters, invalid dates and
 * enum values. The same table serves create (required fields) and merge-patch (RFC 7396). */
#ifndef TDKT_JSONIN_H
#define TDKT_JSONIN_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "lib/error.h"

#define JSON_MAX_DEPTH 32   /* nesting levels of a request body */

enum jfield_type { JF_STRING, JF_TEXT, JF_INT, JF_ID, JF_BOOL, JF_DATE, JF_ENUM, JF_ID_LIST, JF_NUMBER,
		       JF_STRING_LIST, /* distinct strings each passing `check`, at most `max` */
		       JF_ARRAY,       /* an array of at most `max` items the caller decodes */
		       JF_OBJECT };    /* an object of at most `max` members the caller decodes */

enum jfield_flags {
	JF_REQUIRED = 1 << 0,  /* must be present (and not null) on create */
	JF_NULLABLE = 1 << 1,  /* null is a value */
	JF_READONLY = 1 << 2,  /* set by the server: sending it is a 422 */
	JF_SECRET = 1 << 3,    /* a password: any character but C0 controls, blank only when all spaces */
};

struct jfield {
	const char *name;
	enum jfield_type type;
	unsigned flags;
	long long min, max;           /* JF_INT, JF_NUMBER: value range; JF_STRING/JF_TEXT: length in characters;
					 JF_ID_LIST: most items */
	const char *const *choices;   /* JF_ENUM: NULL-terminated */
	bool (*check)(const char *s, size_t len); /* JF_STRING: extra format rule, may be NULL */
	const char *check_desc;       /* said in the error when check fails */
};

struct jvalue {
	bool present;
	bool is_null;
	const char *str;   /* borrowed from the json_t: strings, dates, enums */
	size_t len;
	long long num;     /* ints and ids */
	bool boolean;
	json_t *list;      /* JF_ID_LIST, JF_STRING_LIST, JF_ARRAY: the array; JF_OBJECT: the object; borrowed */
	char number[32];   /* JF_NUMBER: the value as decimal text with at most 2 decimals */
};

/* A field set by the server: sending it is a 422 whatever its type. */
#define JF_RO(name) {name, JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}
/* what every row carries */
#define JF_ROW_FIELDS JF_RO("id"), JF_RO("version"), JF_RO("created_at"), JF_RO("updated_at")

/* jansson parses recursively, one call per level on the calling thread's stack: bytes from
 * outside (bodies, token parts) are measured first with this flat scan, which never recurses.
 * true when no '[' or '{' outside strings opens a level deeper than max. */
bool json_depth_within(const char *s, size_t n, int max);

/* The same kind of flat scan for how many values jansson would make of s: at most about one per
 * '[', '{', ',' or ':' outside strings. true when that bound is at most max (a bulk body of 8 MiB
 * of "[0,0,0,...]" would be 4 million allocations). */
bool json_values_within(const char *s, size_t n, size_t max);

/* Parses a request body: must be one JSON object. On failure a 400 in err; *out is new. */
bool jin_parse(const char *body, size_t len, json_t **out, struct app_error *err);

/* The same for a body that must be a JSON array of at most max_items (400 / 422). */
bool jin_parse_array(const char *body, size_t len, size_t max_items, json_t **out, struct app_error *err);
/* Decodes item `index` of the array field `list` ("" for a body that is the array) as an object
 * for create; field errors read "list[index].field". */
bool jin_decode_item(json_t *item, const char *list, size_t index, const struct jfield *specs, size_t n,
		     struct jvalue *out, struct app_error *err);
/* Decodes the object `obj` nested at `path` (e.g. "rules[2].params") for create; field errors
 * read "path.field". */
bool jin_decode_at(json_t *obj, const char *path, const struct jfield *specs, size_t n, struct jvalue *out,
		   struct app_error *err);

/* Checks obj against n specs, filling out[n]. patch: fields are optional and null means "remove"
 * (allowed only for nullable ones). Collects every field error before returning false. */
bool jin_decode(json_t *obj, const struct jfield *specs, size_t n, bool patch, struct jvalue *out,
		struct app_error *err);

/* Counts UTF-8 code points (input already valid UTF-8). */
size_t utf8_chars(const char *s, size_t n);
/* The code point at s (n bytes left) into *cp: its length in bytes, or 0 when it is not well-formed
 * UTF-8 (overlong, a surrogate, above U+10FFFF, cut short). */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* YYYY-MM-DD, a real calendar date, years 1900..2199 */
bool valid_date(const char *s, size_t n);

#endif
