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

/* A prepared statement's page, limit+1 rows ($n) of a query ordered by its key:
 *   PAGE_SQL_OPEN "SELECT ... ORDER BY t.id" PAGE_SQL_CLOSE("$2")
 * PostgreSQL plans a prepared `LIMIT $n` anew at every execution: its generic plan, not knowing
 * the limit, is costed for a tenth of the rows, never as cheap as a custom plan costed for the
 * page, so the plan cache keeps making custom ones (75 µs for a page of 100,000 units, 230 µs of
 * 1,000,000 awards: more than running it). Bounded inside by the largest page, the generic plan
 * is costed for at most that many rows and is kept after five executions; the inner bound still
 * makes the planner start from the key's index, never sort a tenth of the table, and the rows
 * come in the inner order (one Limit on another, nothing between). Such a statement returns at
 * most PAGE_ROWS_MAX rows, whatever $n says: for pages of `limit` (query_limit) only. An unnamed
 * statement is planned once in any case, and knowing its limit: it keeps `LIMIT $n`.
 * A generic plan knows no value: prepare a page by a key (the rows after a cursor, a parent's
 * rows on its (parent, key) index), never by a value that few rows share or many do (a status, a
 * year): for `awards WHERE year = $1` the generic plan read the key's index and filtered 400,000
 * rows, 62 ms a page against 0.17 ms planned with the year (README, "Tried and dropped"). */
#define PAGE_ROWS_MAX 501 /* QUERY_LIMIT_MAX + 1 */
#define PAGE_SQL_TEXT_(n) #n
#define PAGE_SQL_TEXT(n) PAGE_SQL_TEXT_(n)
#define PAGE_SQL_OPEN "SELECT * FROM ("
#define PAGE_SQL_CLOSE(param) " LIMIT " PAGE_SQL_TEXT(PAGE_ROWS_MAX) ") page LIMIT " param
_Static_assert(PAGE_ROWS_MAX == QUERY_LIMIT_MAX + 1, "a page's statement bounds limit+1 rows");

void page_begin(struct buf *b);
/* Closes the envelope; next_payload NULL when this was the last page. */
void page_end(struct buf *b, const char *scope, const char *next_payload);

#endif
