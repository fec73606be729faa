/* libFuzzer: an award kind's eligibility rule tree (api/rule_expr.c) from request bytes: read and
 * checked with field paths of nested rules, written in its stored form, which reads back to the
 * same form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "api/rule_expr.h"
#include "lib/jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_error err;
	json_t *body = NULL;
	app_error_clear(&err);
	if (!jin_parse((const char *)data, size, &body, &err))
		return 0;
	struct buf out, kinds;
	buf_init(&out);
	buf_init(&kinds);
	json_t *expr = json_object_get(body, "expr");
	if (expr && rule_expr_read(expr, "rules[12].expr", &out, &kinds, &err)) {
		json_error_t jerr;
		json_t *back = json_loads(out.data, 0, &jerr);
		struct buf again, kinds2;
		buf_init(&again);
		buf_init(&kinds2);
		struct app_error err2;
		app_error_clear(&err2);
		if (!back || !rule_expr_read(back, "x", &again, &kinds2, &err2) || strcmp(out.data, again.data) != 0)
			abort(); /* the stored form reads back to itself */
		json_decref(back);
		buf_free(&again);
		buf_free(&kinds2);
	}
	buf_free(&out);
	buf_free(&kinds);
	json_decref(body);
	return 0;
}
