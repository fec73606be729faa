/* Statistics answer as JSON, or as the same table in CSV (for Excel) or XLSX, by the request's
 * Accept (API.md "Statistics"): one place that negotiates and writes the table. */
#ifndef TDKT_TABULAR_H
#define TDKT_TABULAR_H
#include <libpq-fe.h>
#include "lib/http.h"
#include "lib/table.h"

enum tabular_format { TABULAR_JSON, TABULAR_CSV, TABULAR_XLSX };

/* The format the client accepts (JSON unless it prefers CSV or XLSX); 406 in r->err when none. */
bool tabular_format(struct req *r, enum tabular_format *format);

/* Answers `t` as CSV or XLSX with a Content-Disposition filename "<name>.csv" / "<name>.xlsx"
 * (name: ASCII letters, digits, '-' and '.'), the sheet named `sheet`. Frees nothing. Returns 0,
 * or -1 with r->err filled. */
int tabular_respond(struct req *r, enum tabular_format format, const struct table *t, const char *name,
		    const char *sheet);

/* The headers of an answer in `format` whose body is already written (a kept one):
 * Content-Type, and the Content-Disposition given (CSV, XLSX). */
void tabular_headers(struct req *r, enum tabular_format format, const char *disposition);

/* Makes a table of ncols columns, filled by fill(t, ctx) (false: out of memory), and answers it
 * as tabular_respond does. */
int tabular_answer(struct req *r, enum tabular_format format, int ncols, bool (*fill)(struct table *t, const void *ctx),
		   const void *ctx, const char *name, const char *sheet);

/* JSON pieces the tables' rows share: a column of numeric SQL text as a JSON number (null for
 * SQL NULL), and a unit's `"unit_id":…,"unit_code":"…","unit_name":"…"` from a row */
void tabular_json_number(struct buf *b, PGresult *res, int row, int col);
void tabular_unit_json(struct buf *b, PGresult *res, int row, int id_col, int code_col, int name_col);

/* A JSON number's text as a cell (integers exactly, others with at most 2 decimals); NULL for
 * null or absent */
const char *tabular_number(json_t *v, char buf[40]);

#endif
