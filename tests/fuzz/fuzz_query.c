/* libFuzzer: query strings through the strict parser and every typed getter. The first byte says
 * how many times the rest is repeated (1 to 16), so that inputs of libFuzzer's few KB still reach
 * queries past the 4,096 bytes the parser holds, and its edges (a block full to the byte). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/page.h"
#include "lib/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"x", "y", NULL};
	size_t times = size ? (size_t)(data[0] % 16) + 1 : 1, part = size ? size - 1 : 0;
	char *qs = malloc(part * times + 1);
	if (!qs)
		return 0;
	for (size_t i = 0; i < times && part; i++)
		memcpy(qs + i * part, data + 1, part);
	qs[part * times] = '\0';
	struct query q;
	struct app_error err;
	struct page page;
	app_error_clear(&err);
	cursor_set_key("fuzz-secret-0123456789abcdef012345", 34);
	if (query_parse(qs, &q, &err)) {
		bool present, b;
		long long id;
		const char *s;
		(void)(page_parse_id(&q, "units", &page, &err) && query_id(&q, "parent_id", &present, &id, &err) &&
		       query_bool(&q, "active", &present, &b, &err) && query_str(&q, "q", 200, &s, &err) &&
		       query_enum(&q, "kind", kinds, &s, &err) &&
		       query_int(&q, "year", 1900, 2100, &present, &id, &err) && query_no_unknown(&q, &err));
	}
	free(qs);
	return 0;
}
