/* libFuzzer: an evaluation's criteria tree (api/evaluation_criteria.c) from request bytes: read and
 * checked (field paths of nested nodes into bounded buffers), written in its stored form, read
 * back to the same form, and summed with points the input also chooses; and the exact decimal
 * reader and scoring formula (api/evaluation_scoring.c) on the input's text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "api/evaluation_criteria.h"
#include "api/evaluation_scoring.h"
#include "lib/jsonin.h"

static struct criteria tree, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_error err;
	json_t *body = NULL;
	app_error_clear(&err);
	/* as a body {"criteria": [...]} reaches the reader */
	if (jin_parse((const char *)data, size, &body, &err)) {
		json_t *list = json_object_get(body, "criteria");
		if (list && criteria_read(list, &tree, &err)) {
			struct buf stored;
			buf_init(&stored);
			criteria_write(&tree, &stored);
			json_error_t jerr;
			json_t *back = buf_ok(&stored) ? json_loads(stored.data, 0, &jerr) : NULL;
			struct app_error err2;
			app_error_clear(&err2);
			if (back && !criteria_read(back, &again, &err2))
				abort(); /* the stored form is always a tree the reader takes */
			long long points[CRITERIA_MAX_NODES];
			for (int i = 0; i < tree.n; i++)
				points[i] = (long long)(data[i % size]) * 37 - 2000;
			criteria_sum(&tree, points);
			json_decref(back);
			buf_free(&stored);
		}
		json_decref(body);
	}
	/* the input's first bytes as decimal text, scored against itself */
	char text[48];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	long long h;
	decimal_hundredths(text, &h);
	struct quant_member m[2] = {{text, NULL, "7"}, {"3", text, text}};
	struct quant_score out[2];
	double best;
	quant_score_members("10", m, 2, out, &best);
	quant_score_members(text, m, 2, out, &best);
	return 0;
}
