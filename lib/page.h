/* Keyset pagination for list endpoints: `limit` (1–500, default 50) and an opaque `cursor`
 * carrying the last row's sort key, and the {"items":[…],"next_cursor":…} envelope. */
#ifndef TDKT_PAGE_H
#define TDKT_PAGE_H
#include <stdbool.h>
#include "lib/buf.h"
#include "lib/cursor.h"
#include "lib/error.h"
#include "lib/query.h"

struct page {
	const char *scope;                       /* binds cursors to one list */
	long long limit;
	bool has_after;
	char after[CURSOR_PAYLOAD_MAX + 1];      /* payload of the cursor given */
	long long after_id;                      /* when the payload is a single id */
};

/* Reads limit and cursor; 400 for a bad limit or a cursor that is not one of ours. */
bool page_parse(struct query *q, const char *scope, struct page *p, struct app_error *err);
/* the same, for lists ordered by id alone: the payload must be one id */
bool page_parse_id(struct query *q, const char *scope, struct page *p, struct app_error *err);

void page_begin(struct buf *b);
/* Closes the envelope; next_payload NULL when this was the last page. */
void page_end(struct buf *b, const char *scope, const char *next_payload);

#endif
