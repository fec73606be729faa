/* libFuzzer: request bodies through the strict JSON decoder (nesting scan, jansson, field specs),
 * with a list of items and a nested object decoded as the award-kind rules are (field paths such
 * as "rules[3].params.years" written into the bounded error buffers). */
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
	{"params", JF_OBJECT, 0, 0, 20, NULL, NULL, NULL},
	{"rules_with_a_rather_long_name_for_paths", JF_ARRAY, 0, 0, 20, NULL, NULL, NULL},
	JF_ROW_FIELDS,
};
enum { F_PARAMS = 8, F_RULES = 9 };
static const struct jfield item_fields[] = {
	{"type", JF_STRING, JF_REQUIRED, 2, 48, NULL, NULL, NULL},
	{"params", JF_OBJECT, JF_REQUIRED, 0, 20, NULL, NULL, NULL},
	{"pct", JF_NUMBER, 0, 0, 100, NULL, NULL, NULL},
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
		struct jvalue nested[3];
		if (v[F_PARAMS].list)
			jin_decode_at(v[F_PARAMS].list, "rules_with_a_rather_long_name[123456789].params", item_fields, 3,
				      nested, &err);
		size_t i;
		json_t *item;
		if (v[F_RULES].list)
			json_array_foreach(v[F_RULES].list, i, item) {
				if (jin_decode_item(item, "rules_with_a_rather_long_name_for_paths", i, item_fields, 3, nested,
						    &err))
					jin_decode_at(nested[1].list, "p", item_fields, 3, nested, &err);
			}
		json_decref(obj);
	}
	return 0;
}
