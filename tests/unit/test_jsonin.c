/* Strict JSON input: each case is a body, create or patch, and the expected status and field. */
#include <string.h>
#include "lib/jsonin.h"
#include "tests/unit/check.h"

static bool upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return n > 0;
}

static const char *const colours[] = {"red", "green", NULL};
static const struct jfield fields[] = {
	{"code", JF_STRING, JF_REQUIRED, 1, 8, NULL, upper, "must be upper-case letters"},
	{"name", JF_STRING, JF_REQUIRED, 1, 5, NULL, NULL, NULL},
	{"note", JF_TEXT, JF_NULLABLE, 0, 20, NULL, NULL, NULL},
	{"year", JF_INT, 0, 2000, 2100, NULL, NULL, NULL},
	{"parent_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	{"on", JF_DATE, 0, 0, 0, NULL, NULL, NULL},
	{"colour", JF_ENUM, 0, 0, 0, colours, NULL, NULL},
	{"params", JF_OBJECT, 0, 0, 2, NULL, NULL, NULL},
	{"id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL},
};
#define NF (sizeof fields / sizeof fields[0])

static const struct {
	const char *body;
	bool patch;
	int status;         /* 0: accepted */
	const char *field;  /* first field error expected */
	const char *code;
} cases[] = {
	{"{\"code\":\"AB\",\"name\":\"Sơn\"}", false, 0, NULL, NULL},
	{"{\"code\":\"AB\",\"name\":\"Lạng Sơn\"}", false, 422, "name", "too_long"},
	{"{\"code\":\"AB\",\"name\":\"x\",\"name\":\"y\"}", false, 400, NULL, NULL},
	{"{\"code\":\"AB\",", false, 400, NULL, NULL},
	{"[1,2]", false, 400, NULL, NULL},
	{"\"text\"", false, 400, NULL, NULL},
	{"", false, 400, NULL, NULL},
	{"{\"code\":\"AB\",\"name\":\"x\",\"colour\":\"blue\"}", false, 422, "colour", "enum"},
	{"{\"name\":\"x\"}", false, 422, "code", "required"},
	{"{}", true, 0, NULL, NULL},
	{"{\"code\":null}", true, 422, "code", "not_nullable"},
	{"{\"note\":null}", true, 0, NULL, NULL},
	{"{\"code\":\"ab\"}", true, 422, "code", "format"},
	{"{\"code\":5}", true, 422, "code", "type"},
	{"{\"name\":\"\"}", true, 422, "name", "blank"},
	{"{\"name\":\"   \"}", true, 422, "name", "blank"},
	/* nothing visible is blank: no-break and ideographic spaces, zero-width ones, the BOM,
	 * noncharacters; one visible character among them is not */
	{"{\"name\":\"\\u00a0\\u3000\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\u200b\\u200b\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\ufeff\\u2060\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\ufffe\\uffff\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\udbff\\udfff\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\u3164\"}", true, 422, "name", "blank"},        /* Hangul filler */
	{"{\"name\":\"\\u200e\\u200f\"}", true, 422, "name", "blank"},  /* direction marks */
	{"{\"name\":\"\\u00ad\\u2800\"}", true, 422, "name", "blank"},  /* soft hyphen, Braille blank */
	{"{\"name\":\"\\u2066\\u202e\"}", true, 422, "name", "blank"},  /* bidi isolate, override */
	{"{\"name\":\"\\ufe0f\\u034f\"}", true, 422, "name", "blank"},  /* variation selector, CGJ */
	{"{\"name\":\"\\udb40\\udc20\"}", true, 422, "name", "blank"},  /* a tag character */
	{"{\"name\":\"\\u115f\\u2061\"}", true, 422, "name", "blank"},
	{"{\"name\":\"\\u0081\"}", true, 422, "name", "control_characters"},  /* C1 */
	{"{\"name\":\"\\ue000\"}", true, 0, NULL, NULL},               /* private use may show */
	{"{\"name\":\"\\u200bx\"}", true, 0, NULL, NULL},
	{"{\"name\":\"\\u00e9\"}", true, 0, NULL, NULL},
	{"{\"name\":\"a\\u0007b\"}", true, 422, "name", "control_characters"},
	{"{\"note\":\"line\\nline\"}", true, 0, NULL, NULL},
	{"{\"name\":\"a\\u0000b\"}", true, 400, NULL, NULL},
	{"{\"year\":1999}", true, 422, "year", "out_of_range"},
	{"{\"year\":2100}", true, 0, NULL, NULL},
	{"{\"year\":2020.5}", true, 422, "year", "type"},
	{"{\"year\":\"2020\"}", true, 422, "year", "type"},
	{"{\"year\":99999999999999999999999}", true, 400, NULL, NULL},
	{"{\"parent_id\":0}", true, 422, "parent_id", "out_of_range"},
	{"{\"parent_id\":-5}", true, 422, "parent_id", "out_of_range"},
	{"{\"parent_id\":9223372036854775807}", true, 0, NULL, NULL},
	{"{\"active\":1}", true, 422, "active", "type"},
	{"{\"on\":\"2024-02-29\"}", true, 0, NULL, NULL},
	{"{\"on\":\"2023-02-29\"}", true, 422, "on", "date"},
	{"{\"on\":\"2023-13-01\"}", true, 422, "on", "date"},
	{"{\"on\":\"23-01-01\"}", true, 422, "on", "date"},
	{"{\"id\":5}", true, 422, "id", "read_only"},
	{"{\"bogus\":5}", true, 422, "bogus", "unknown_field"},
	{"{\"params\":{}}", true, 0, NULL, NULL},
	{"{\"params\":{\"a\":[1],\"b\":{}}}", true, 0, NULL, NULL},
	{"{\"params\":{\"a\":1,\"b\":2,\"c\":3}}", true, 422, "params", "too_many"},
	{"{\"params\":[]}", true, 422, "params", "type"},
	{"{\"code\":\"AB\",\"name\":\"x\",\"colour\":\"red\",\"on\":\"2022-11-16\",\"active\":false}", false, 0,
	 NULL, NULL},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct app_error err;
		app_error_clear(&err);
		json_t *obj = NULL;
		struct jvalue v[NF];
		bool ok = jin_parse(cases[i].body, strlen(cases[i].body), &obj, &err) &&
			  jin_decode(obj, fields, NF, cases[i].patch, v, &err);
		int status = ok ? 0 : err.status;
		CHECK(status == cases[i].status, "case %zu %s: status %d, want %d (%s)", i, cases[i].body, status,
		      cases[i].status, err.detail);
		if (cases[i].field) {
			CHECK(err.nfields > 0 && strcmp(err.fields[0].field, cases[i].field) == 0 &&
				      strcmp(err.fields[0].code, cases[i].code) == 0,
			      "case %zu: field %s/%s, got %s/%s", i, cases[i].field, cases[i].code,
			      err.nfields ? err.fields[0].field : "-", err.nfields ? err.fields[0].code : "-");
		}
		json_decref(obj);
	}

	/* every bad field is reported, not just the first */
	struct app_error err;
	app_error_clear(&err);
	json_t *obj = NULL;
	struct jvalue v[NF];
	const char *body = "{\"code\":1,\"name\":2,\"x\":3}";
	CHECK(jin_parse(body, strlen(body), &obj, &err) && !jin_decode(obj, fields, NF, false, v, &err) &&
		      err.nfields == 3,
	      "three field errors, got %d", err.nfields);
	json_decref(obj);

	/* an unknown key is cut to 60 bytes on a character boundary */
	app_error_clear(&err);
	const char *longkey = "{\"ệệệệệệệệệệệệệệệệệệệệệệệệ\":1}";
	CHECK(jin_parse(longkey, strlen(longkey), &obj, &err) && !jin_decode(obj, fields, NF, true, v, &err) &&
		      strlen(err.fields[0].field) == 60,
	      "long unknown key shortened: %zu", strlen(err.fields[0].field));
	json_decref(obj);

	/* a valid object decodes as valid even when err already holds another item's errors */
	app_error_clear(&err);
	app_error_field(&err, "[0]", "type", "item 0 must be an object");
	const char *good = "{\"code\":\"AB\",\"name\":\"x\"}";
	CHECK(jin_parse(good, strlen(good), &obj, &err) && jin_decode(obj, fields, NF, false, v, &err) &&
		      v[0].present && err.nfields == 1,
	      "success is the object's own, not err's");
	json_decref(obj);
	/* and an invalid one is invalid even past the cap on recorded field errors */
	for (int i = 0; i < APP_ERROR_MAX_FIELDS; i++)
		app_error_field(&err, "f", "c", "filler");
	const char *bad = "{\"code\":5,\"name\":\"x\"}";
	CHECK(jin_parse(bad, strlen(bad), &obj, &err) && !jin_decode(obj, fields, NF, false, v, &err),
	      "failure seen although its error was dropped");
	json_decref(obj);

	/* nesting is capped before jansson's recursive parser sees it */
	char deep[4 * JSON_MAX_DEPTH + 16];
	size_t o = 0;
	o += (size_t)sprintf(deep + o, "{\"a\":");
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		deep[o++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		deep[o++] = ']';
	deep[o++] = '}';
	deep[o] = '\0';
	app_error_clear(&err);
	CHECK(!jin_parse(deep, o, &obj, &err) && err.status == 400 && strstr(err.detail, "nesting"),
	      "too deep refused: %s", err.detail);
	app_error_clear(&err);
	const char *brackets_in_string = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"}";
	CHECK(jin_parse(brackets_in_string, strlen(brackets_in_string), &obj, &err), "brackets inside strings: %s",
	      err.detail);
	json_decref(obj);

	/* items of a list, and objects nested deeper, name their path in field errors */
	static const struct {
		const char *body, *list, *path, *field;
	} nested[] = {
		{"{\"code\":\"ab\",\"name\":\"x\"}", "targets", NULL, "targets[3].code"},
		{"{\"code\":\"AB\"}", "", NULL, "[3].name"},
		{"{\"code\":\"AB\",\"name\":\"x\",\"q\":1}", NULL, "rules[0].params", "rules[0].params.q"},
	};
	for (size_t i = 0; i < sizeof nested / sizeof nested[0]; i++) {
		app_error_clear(&err);
		bool ok = jin_parse(nested[i].body, strlen(nested[i].body), &obj, &err) &&
			  (nested[i].list ? jin_decode_item(obj, nested[i].list, 3, fields, NF, v, &err)
					  : jin_decode_at(obj, nested[i].path, fields, NF, v, &err));
		CHECK(!ok && err.nfields == 1 && strcmp(err.fields[0].field, nested[i].field) == 0,
		      "nested %zu: %s, want %s", i, err.nfields ? err.fields[0].field : "-", nested[i].field);
		json_decref(obj);
	}
	app_error_clear(&err);
	obj = json_integer(5);
	CHECK(!jin_decode_item(obj, "targets", 1, fields, NF, v, &err) && strcmp(err.fields[0].field, "targets[1]") == 0 &&
		      strcmp(err.fields[0].code, "type") == 0,
	      "an item that is no object: %s", err.nfields ? err.fields[0].field : "-");
	json_decref(obj);

	/* a secret (a password) is its characters' own: invisible ones and C1 controls are kept; plain
	 * spaces alone are still blank, C0 controls still refused */
	static const struct jfield secret = {"password", JF_STRING, JF_REQUIRED | JF_SECRET, 1, 64, NULL, NULL, NULL};
	static const struct {
		const char *body, *code; /* code NULL: accepted */
	} secrets[] = {
		{"{\"password\":\"\\u00a0\\u3000\\u200b\"}", NULL},
		{"{\"password\":\"a\\u0081b\"}", NULL},
		{"{\"password\":\"   \"}", "blank"},
		{"{\"password\":\"a\\u0007b\"}", "control_characters"},
	};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		struct jvalue x;
		app_error_clear(&err);
		bool ok = jin_parse(secrets[i].body, strlen(secrets[i].body), &obj, &err) && jin_decode(obj, &secret, 1, false, &x, &err);
		CHECK(secrets[i].code ? !ok && err.nfields == 1 && strcmp(err.fields[0].code, secrets[i].code) == 0 : ok,
		      "secret %zu: %s", i, err.nfields ? err.fields[0].code : "accepted");
		json_decref(obj);
		obj = NULL;
	}

	/* numbers of at most 2 decimals: the text written, or a precision error */
	static const struct jfield amount = {"x", JF_NUMBER, JF_REQUIRED, 0, 999999999999999LL, NULL, NULL, NULL};
	static const struct {
		const char *body, *text; /* text NULL: refused */
	} numbers[] = {
		{"{\"x\":12}", "12"},
		{"{\"x\":12.5}", "12.5"},
		{"{\"x\":12.50}", "12.5"},
		{"{\"x\":0.29}", "0.29"},
		{"{\"x\":49424.35}", "49424.35"},
		{"{\"x\":12345678.05}", "12345678.05"},
		{"{\"x\":3.0}", "3"},
		{"{\"x\":1e3}", "1000"},
		{"{\"x\":175000000000.99}", "175000000000.99"},
		{"{\"x\":5e13}", "50000000000000"},
		{"{\"x\":999999999999999}", "999999999999999"},
		{"{\"x\":12345.678}", NULL},
		{"{\"x\":10000.005}", NULL},
		{"{\"x\":5000000.004}", NULL},
		{"{\"x\":1.005}", NULL},
		{"{\"x\":1e-300}", NULL},               /* not 0: it has more than 2 decimals */
		{"{\"x\":0.001}", NULL},
		{"{\"x\":0.0}", "0"},
		{"{\"x\":0.01}", "0.01"},
		{"{\"x\":12345678901234.56}", NULL},   /* beyond what a double tells apart: whole only */
		{"{\"x\":99999999999999.99}", NULL},
		{"{\"x\":-1}", NULL},
		{"{\"x\":1000000000000000}", NULL},
	};
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		struct jvalue x;
		app_error_clear(&err);
		bool ok = jin_parse(numbers[i].body, strlen(numbers[i].body), &obj, &err) &&
			  jin_decode(obj, &amount, 1, false, &x, &err);
		if (numbers[i].text)
			CHECK(ok && strcmp(x.number, numbers[i].text) == 0, "number %zu: %s, want %s", i, ok ? x.number : err.detail,
			      numbers[i].text);
		else
			CHECK(!ok && err.nfields == 1, "number %zu refused", i);
		json_decref(obj);
	}

	/* the flat count of values before a parse */
	/* an array and its three numbers */
	CHECK(json_values_within("[0,0,0]", 7, 4) && !json_values_within("[0,0,0]", 7, 3), "values: array");
	const char *quoted = "{\"a,b,c:d\":[]}", *inner = "{\"a\":{\"b\":1}}";
	CHECK(json_values_within(quoted, strlen(quoted), 4), "values: commas in strings are not counted");
	CHECK(json_values_within("", 0, 1) && !json_values_within(inner, strlen(inner), 4) &&
	      json_values_within(inner, strlen(inner), 5), "values: objects");
	CHECK(utf8_chars("Lạng Sơn", strlen("Lạng Sơn")) == 8, "utf8_chars");
	return check_done("jsonin");
}
