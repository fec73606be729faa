#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lib/jsonin.h"

/* one flat pass outside strings: the nesting depth and an upper bound of the values */
static bool shape_within(const char *s, size_t n, int max_depth, size_t max_values)
{
	int depth = 0;
	size_t values = 1;
	bool in_string = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if ((c == '{' || c == '[') && ++depth > max_depth) {
			return false;
		}
		if (!in_string && (c == '{' || c == '[' || c == ',' || c == ':') && ++values > max_values)
			return false;
	}
	return true;
}

bool json_depth_within(const char *s, size_t n, int max)
{
	return shape_within(s, n, max, (size_t)-1);
}

bool json_values_within(const char *s, size_t n, size_t max)
{
	return shape_within(s, n, JSON_MAX_DEPTH * 1000, max);
}

static bool parse_checked(const char *body, size_t len, json_t **out, struct app_error *err)
{
	json_error_t jerr;
	*out = NULL;
	if (len == 0)
		return app_error_set(err, 400, "The request body is empty; JSON is expected.");
	if (!json_depth_within(body, len, JSON_MAX_DEPTH))
		return app_error_set(err, 400, "JSON nesting is deeper than %d levels.", JSON_MAX_DEPTH);
	*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return app_error_set(err, 400, "Malformed JSON at line %d, column %d: %s", jerr.line,
				     jerr.column, jerr.text);
	return true;
}

bool jin_parse(const char *body, size_t len, json_t **out, struct app_error *err)
{
	if (!parse_checked(body, len, out, err))
		return false;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return app_error_set(err, 400, "The request body must be a JSON object.");
	}
	return true;
}

bool jin_parse_array(const char *body, size_t len, size_t max_items, json_t **out, struct app_error *err)
{
	if (!parse_checked(body, len, out, err))
		return false;
	bool is_array = json_is_array(*out);
	if (is_array && json_array_size(*out) <= max_items)
		return true;
	json_decref(*out);
	*out = NULL;
	if (!is_array)
		return app_error_set(err, 400, "The request body must be a JSON array.");
	return app_error_set(err, 422, "The list has more than %zu items.", max_items);
}

/* "role" becomes "<path>.role" in the field errors from index `before` on */
static void prefix_errors(struct app_error *err, int before, const char *path)
{
	for (int i = before; i < err->nfields; i++) {
		char named[sizeof err->fields[i].field];
		snprintf(named, sizeof named, "%s.%s", path, err->fields[i].field);
		memcpy(err->fields[i].field, named, sizeof named);
	}
}

bool jin_decode_at(json_t *obj, const char *path, const struct jfield *specs, size_t n, struct jvalue *out,
		   struct app_error *err)
{
	int before = err->nfields;
	if (!json_is_object(obj)) {
		memset(out, 0, n * sizeof *out);
		return app_error_field(err, path, "type", "%s must be an object", path);
	}
	bool ok = jin_decode(obj, specs, n, false, out, err);
	prefix_errors(err, before, path);
	return ok;
}

bool jin_decode_item(json_t *item, const char *list, size_t index, const struct jfield *specs, size_t n,
		     struct jvalue *out, struct app_error *err)
{
	char path[48];
	snprintf(path, sizeof path, "%.24s[%zu]", list, index);
	return jin_decode_at(item, path, specs, n, out, err);
}

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || (size_t)len > n || c == 0xC0 || c == 0xC1 || c > 0xF4)
		return 0;
	uint32_t v = len == 1 ? c : c & (0x7Fu >> len);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3Fu);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

size_t utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* Code points that show nothing on their own, as inclusive ranges: Unicode's White_Space, the
 * default-ignorable format characters (zero-width spaces and joiners, bidirectional marks and
 * embeddings, the soft hyphen, invisible operators, variation selectors, tags), the Hangul and
 * Braille fillers that display as blanks, the C1 controls, and the interlinear annotation marks.
 * Private-use characters may show a glyph, so they are not here; noncharacters are (invisible). */
static const uint32_t invisible_ranges[][2] = {
	{0x20, 0x20},       {0x80, 0xA0},       {0xAD, 0xAD},       {0x34F, 0x34F},     {0x61C, 0x61C},
	{0x115F, 0x1160},   {0x1680, 0x1680},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x2000, 0x200F},
	{0x2028, 0x202F},   {0x205F, 0x206F},   {0x2800, 0x2800},   {0x3000, 0x3000},   {0x3164, 0x3164},
	{0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},   {0x1BCA0, 0x1BCA3},
	{0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

/* Whether code point c shows nothing; a text's line breaks and tabs too (a string refuses them as
 * control characters before this) */
static bool invisible(uint32_t c, bool text)
{
	if (c == '\t' || c == '\r' || c == '\n')
		return text;
	if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE) /* noncharacters */
		return true;
	size_t lo = 0, hi = sizeof invisible_ranges / sizeof invisible_ranges[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < invisible_ranges[mid][0])
			hi = mid;
		else if (c > invisible_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* s[n], valid UTF-8 (jansson's strings are), shows nothing. A secret (a password) is its
 * characters' own business: only plain spaces make it blank, as they always did. */
static bool blank(const char *s, size_t n, bool text, bool secret)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t c;
		int len = utf8_decode(p, (size_t)(end - p), &c);
		if (!len || (secret ? c != ' ' : !invisible(c, text)))
			return false;
		p += len;
	}
	return true;
}

bool valid_date(const char *s, size_t n)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		return false;
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* C0 controls (a text keeps its line breaks and tabs), DEL, and the C1 controls U+0080–U+009F
 * (UTF-8 C2 80–C2 9F), which a secret may hold as it always could */
static bool has_control(const char *s, size_t n, bool multiline, bool secret)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
			return true;
		if (!secret && c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F)
			return true;
	}
	return false;
}

static const char *type_name(enum jfield_type t)
{
	switch (t) {
	case JF_STRING:
	case JF_TEXT:
	case JF_ENUM: return "a string";
	case JF_DATE: return "a date string YYYY-MM-DD";
	case JF_INT: return "an integer";
	case JF_ID: return "a positive integer id";
	case JF_ID_LIST: return "an array of positive integer ids";
	case JF_NUMBER: return "a number with at most 2 decimals";
	case JF_STRING_LIST: return "an array of strings";
	case JF_ARRAY: return "an array";
	case JF_OBJECT: return "an object";
	case JF_BOOL: return "true or false";
	}
	return "a value";
}

/* JF_NUMBER: a number of at most 2 decimals, as decimal text. jansson gives a real as a double,
 * not as its text: the hundredths are checked within a few units in the last place of x × 100,
 * which tells 12345.678 from 12345.68; from 2^44 hundredths (about 1.76 × 10^11) a double no longer
 * tells them apart surely, and such a real must be whole. The text is written from the whole number of
 * hundredths, never through %g (15 digits). */
static bool decode_number(const struct jfield *f, json_t *v, struct jvalue *out, struct app_error *err)
{
	double x = json_number_value(v);
	if (x < (double)f->min || x > (double)f->max)
		return app_error_field(err, f->name, "out_of_range", "%s must be from %lld to %lld", f->name, f->min,
				       f->max);
	if (json_is_integer(v)) {
		snprintf(out->number, sizeof out->number, "%lld", (long long)json_integer_value(v));
		return true;
	}
	double cents = x * 100.0, whole = round(cents);
	/* relative alone: every 2-decimal text up to ±200,000.00, and a sample up to 2^44 hundredths,
	 * passes (checked when this was written); an absolute slack let 1e-300 through, as 0 */
	bool exact = fabs(cents) < 17592186044416.0 /* 2^44 */ ? fabs(cents - whole) <= fabs(cents) * 8e-16
							    : x == floor(x);
	if (!exact)
		return app_error_field(err, f->name, "precision", "%s has more than 2 decimals", f->name);
	long long c = (long long)whole;
	unsigned long long a = c < 0 ? 0ULL - (unsigned long long)c : (unsigned long long)c;
	int n = snprintf(out->number, sizeof out->number, "%s%llu", c < 0 ? "-" : "", a / 100);
	if (a % 100 && n > 0)
		snprintf(out->number + n, sizeof out->number - (size_t)n, a % 10 ? ".%02llu" : ".%llu",
			 a % 10 ? a % 100 : a % 100 / 10);
	return true;
}

static bool decode_one(const struct jfield *f, json_t *v, struct jvalue *out, struct app_error *err)
{
	if (json_is_null(v)) {
		if (!(f->flags & JF_NULLABLE))
			return app_error_field(err, f->name, "not_nullable", "%s must not be null", f->name);
		out->is_null = true;
		return true;
	}
	switch (f->type) {
	case JF_STRING:
	case JF_TEXT:
	case JF_ENUM:
	case JF_DATE:
		if (!json_is_string(v))
			break;
		out->str = json_string_value(v);
		out->len = json_string_length(v);
		if (f->type == JF_DATE) {
			if (!valid_date(out->str, out->len))
				return app_error_field(err, f->name, "date", "%s must be a valid date YYYY-MM-DD",
						       f->name);
			return true;
		}
		if (f->type == JF_ENUM) {
			for (const char *const *c = f->choices; *c; c++)
				if (strlen(*c) == out->len && memcmp(*c, out->str, out->len) == 0)
					return true;
			return app_error_field(err, f->name, "enum", "%s is not one of the allowed values",
					       f->name);
		}
		bool secret = f->flags & JF_SECRET;
		if (has_control(out->str, out->len, f->type == JF_TEXT, secret))
			return app_error_field(err, f->name, "control_characters",
					       "%s must not contain control characters", f->name);
		size_t chars = utf8_chars(out->str, out->len);
		if ((long long)chars < f->min)
			return app_error_field(err, f->name, f->min == 1 ? "blank" : "too_short",
					       "%s must have at least %lld characters", f->name, f->min);
		if ((long long)chars > f->max)
			return app_error_field(err, f->name, "too_long", "%s must have at most %lld characters",
					       f->name, f->max);
		/* nothing but spaces (a text's lines too) and invisible characters is blank */
		if (f->min > 0 && blank(out->str, out->len, f->type == JF_TEXT, secret))
			return app_error_field(err, f->name, "blank", "%s must not be blank", f->name);
		if (f->check && !f->check(out->str, out->len))
			return app_error_field(err, f->name, "format", "%s %s", f->name, f->check_desc);
		return true;
	case JF_INT:
	case JF_ID:
		if (!json_is_integer(v))
			break;
		out->num = json_integer_value(v);
		if (f->type == JF_ID && out->num < 1)
			return app_error_field(err, f->name, "out_of_range", "%s must be a positive id", f->name);
		if (f->type == JF_INT && (out->num < f->min || out->num > f->max))
			return app_error_field(err, f->name, "out_of_range", "%s must be from %lld to %lld",
					       f->name, f->min, f->max);
		return true;
	case JF_BOOL:
		if (!json_is_boolean(v))
			break;
		out->boolean = json_is_true(v);
		return true;
	case JF_NUMBER:
		if (!json_is_number(v))
			break;
		return decode_number(f, v, out, err);
	case JF_ARRAY:
		if (!json_is_array(v))
			break;
		if ((long long)json_array_size(v) > f->max)
			return app_error_field(err, f->name, "too_many", "%s has more than %lld items", f->name, f->max);
		out->list = v;
		return true;
	case JF_OBJECT:
		if (!json_is_object(v))
			break;
		if ((long long)json_object_size(v) > f->max)
			return app_error_field(err, f->name, "too_many", "%s has more than %lld members", f->name, f->max);
		out->list = v;
		return true;
	case JF_STRING_LIST: {
		if (!json_is_array(v))
			break;
		if ((long long)json_array_size(v) > f->max)
			return app_error_field(err, f->name, "too_many", "%s has more than %lld items", f->name, f->max);
		size_t i, j;
		json_t *a;
		json_array_foreach(v, i, a) {
			if (!json_is_string(a))
				return app_error_field(err, f->name, "type", "%s must be %s", f->name, type_name(f->type));
			if (f->check && !f->check(json_string_value(a), json_string_length(a)))
				return app_error_field(err, f->name, "format", "%s: every item %s", f->name, f->check_desc);
			for (j = 0; j < i; j++)
				if (json_equal(json_array_get(v, j), a))
					return app_error_field(err, f->name, "duplicate", "%s lists an item twice", f->name);
		}
		out->list = v;
		return true;
	}
	case JF_ID_LIST: {
		if (!json_is_array(v))
			break;
		if ((long long)json_array_size(v) > f->max)
			return app_error_field(err, f->name, "too_many", "%s has more than %lld items", f->name, f->max);
		size_t i, j;
		json_t *a, *b;
		json_array_foreach(v, i, a) {
			if (!json_is_integer(a) || json_integer_value(a) < 1)
				return app_error_field(err, f->name, "type", "%s must be %s", f->name, type_name(f->type));
			for (j = 0; j < i; j++) {
				b = json_array_get(v, j);
				if (json_integer_value(b) == json_integer_value(a))
					return app_error_field(err, f->name, "duplicate", "%s lists %lld twice", f->name,
							       (long long)json_integer_value(a));
			}
		}
		out->list = v;
		return true;
	}
	}
	return app_error_field(err, f->name, "type", "%s must be %s", f->name, type_name(f->type));
}

bool jin_decode(json_t *obj, const struct jfield *specs, size_t n, bool patch, struct jvalue *out,
		struct app_error *err)
{
	/* success is tracked here, not read off err: err may already hold other items' errors, and
	 * errors past APP_ERROR_MAX_FIELDS are dropped */
	bool ok = true;
	memset(out, 0, n * sizeof *out);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct jfield *f = NULL;
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(specs[i].name, key) == 0) {
				f = &specs[i];
				break;
			}
		if (!f) {
			/* the key is client text: keep it short, cut on a character boundary */
			char name[61];
			size_t len = strlen(key);
			if (len > 60) {
				len = 60;
				while (len > 0 && ((unsigned char)key[len] & 0xC0) == 0x80)
					len--;
			}
			memcpy(name, key, len);
			name[len] = '\0';
			ok = app_error_field(err, name, "unknown_field", "%s is not a field of this resource", name);
			continue;
		}
		if (f->flags & JF_READONLY) {
			ok = app_error_field(err, f->name, "read_only", "%s is set by the server", f->name);
			continue;
		}
		out[i].present = true;
		if (!decode_one(f, v, &out[i], err))
			ok = false;
	}
	if (!patch)
		for (size_t i = 0; i < n; i++)
			if ((specs[i].flags & JF_REQUIRED) && !(specs[i].flags & JF_READONLY) && !out[i].present)
				ok = app_error_field(err, specs[i].name, "required", "%s is required", specs[i].name);
	return ok;
}
