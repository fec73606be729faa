#include <string.h>
#include "lib/page.h"
#include "lib/router.h"

bool page_parse(struct query *q, const char *scope, struct page *p, struct app_error *err)
{
	memset(p, 0, sizeof *p);
	p->scope = scope;
	if (!query_limit(q, &p->limit, err))
		return false;
	const char *cursor;
	if (!query_str(q, "cursor", CURSOR_MAX - 1, &cursor, err))
		return false;
	if (cursor) {
		if (!cursor_decode(scope, cursor, p->after)) {
			app_error_set(err, 400, "The cursor is not valid for this list; start again without it.");
			app_error_field(err, "cursor", "invalid", "cursor is not valid for this list");
			return false;
		}
		p->has_after = true;
	}
	return true;
}

bool page_parse_id(struct query *q, const char *scope, struct page *p, struct app_error *err)
{
	if (!page_parse(q, scope, p, err))
		return false;
	if (p->has_after && !parse_id(p->after, strlen(p->after), &p->after_id))
		return app_error_set(err, 400, "The cursor is not valid for this list; start again without it.");
	return true;
}

void page_begin(struct buf *b)
{
	buf_puts(b, "{\"items\":[");
}

void page_end(struct buf *b, const char *scope, const char *next_payload)
{
	char cursor[CURSOR_MAX];
	buf_puts(b, "],\"next_cursor\":");
	if (next_payload && cursor_encode(scope, next_payload, cursor))
		buf_json_cstr(b, cursor);
	else
		buf_puts(b, "null");
	buf_putc(b, '}');
}
