/* A table of text and number cells, written as CSV for Excel (UTF-8 with BOM, RFC 4180) or as
 * XLSX through libxlsxwriter. Knows nothing of what the rows are. */
#ifndef TDKT_TABLE_H
#define TDKT_TABLE_H
#include <stdbool.h>
#include "lib/buf.h"

struct table;

/* new: a table of ncols columns (at most TABLE_MAX_COLS); NULL when out of memory */
#define TABLE_MAX_COLS 16384   /* Excel's */
struct table *table_new(int ncols);
void table_free(struct table *t);  /* accepts NULL */

/* Appends a cell to the current row: text (copied; NULL for an empty cell), a number when
 * `number` (decimal text, e.g. "1902" or "89.72": a number in XLSX). A row is ended by
 * table_end_row; its missing cells are empty. false when out of memory or the row is full. */
bool table_cell(struct table *t, const char *text, bool number);
bool table_end_row(struct table *t);

/* CSV: BOM, fields separated by commas, quoted when they hold a comma, quote, CR or LF (quotes
 * doubled), rows ended by CRLF. A text cell that Excel would read as a formula (it starts with
 * = + - @, a tab or a CR) gets a leading apostrophe: a unit named "=HYPERLINK(...)" stays text.
 * Appends to out. */
bool table_csv(const struct table *t, struct buf *out);
/* XLSX: one worksheet `sheet` (at most 31 characters), the first row bold. Appends to out. false
 * with a reason in err when the library fails. */
bool table_xlsx(const struct table *t, const char *sheet, struct buf *out, char *err, size_t errlen);

#endif
