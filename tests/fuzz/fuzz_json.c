/* libFuzzer: request bodies through the strict JSON decoder (nesting scan, jansson, field specs). */
#include <stdint.h>
#include <string.h>
#include "lib/jsonin.h"

static const char *const kinds[] = {"a", "b", NULL};
static const struct jfield fields[] = {
	{"code", JF_STRING, JF_REQUIRED, 1, 32, NULL, NULL, NULL},
	{"note", JF_TEXT, JF_NULLABLE, 0, 100, NULL, NULL, NULL},
	{"year", JF_INT, 0, 1900, 2100, NULL, NULL, NULL},
	{"parent_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	{"on", JF_DATE, 0, 0, 0, NULL, NULL, NULL},
	{"kind", JF_ENUM, 0, 0, 0, kinds, NULL, NULL},
	{"id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_error err;
	json_t *obj = NULL;
	struct jvalue v[sizeof fields / sizeof fields[0]];
	app_error_clear(&err);
	if (jin_parse((const char *)data, size, &obj, &err)) {
		jin_decode(obj, fields, sizeof fields / sizeof fields[0], size % 2, v, &err);
		json_decref(obj);
	}
	return 0;
}
