/* lib/table.h: cells kept as text in one buffer; CSV written by hand (it is only quoting), XLSX
 * by libxlsxwriter into a private temporary file read back whole (1.1.4 writes only to files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "lib/table.h"

struct cell {
	size_t at;      /* offset of its text in the table's text buffer; SIZE_MAX when empty */
	bool number;
};

struct table {
	int ncols;
	struct cell *cells;  /* rows * ncols */
	size_t ncells, cap;
	int col;             /* the current row's next cell */
	struct buf text;
};

#define EMPTY ((size_t)-1)

struct table *table_new(int ncols)
{
	if (ncols < 1 || ncols > TABLE_MAX_COLS)
		return NULL;
	struct table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	buf_init(&t->text);
	return t;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	free(t->cells);
	buf_free(&t->text);
	free(t);
}

static bool put(struct table *t, size_t at, bool number)
{
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct cell *c = realloc(t->cells, cap * sizeof *c);
		if (!c)
			return false;
		t->cells = c;
		t->cap = cap;
	}
	t->cells[t->ncells++] = (struct cell){at, number};
	t->col++;
	return true;
}

bool table_cell(struct table *t, const char *text, bool number)
{
	if (t->col >= t->ncols)
		return false;
	if (!text)
		return put(t, EMPTY, false);
	size_t at = t->text.len;
	buf_append(&t->text, text, strlen(text) + 1);
	return buf_ok(&t->text) && put(t, at, number);
}

bool table_end_row(struct table *t)
{
	while (t->col < t->ncols)
		if (!put(t, EMPTY, false))
			return false;
	t->col = 0;
	return true;
}

static const char *text_of(const struct table *t, const struct cell *c)
{
	return c->at == EMPTY ? NULL : t->text.data + c->at;
}

bool table_csv(const struct table *t, struct buf *out)
{
	buf_append(out, "\xEF\xBB\xBF", 3);
	for (size_t i = 0; i < t->ncells; i++) {
		const char *s = text_of(t, &t->cells[i]);
		bool formula = s && !t->cells[i].number && strchr("=+-@\t\r", s[0]) && s[0];
		if (i % (size_t)t->ncols)
			buf_putc(out, ',');
		if (s && strpbrk(s, ",\"\r\n")) {
			buf_putc(out, '"');
			if (formula)
				buf_putc(out, '\'');
			for (const char *p = s; *p; p++) {
				if (*p == '"')
					buf_putc(out, '"');
				buf_putc(out, *p);
			}
			buf_putc(out, '"');
		} else if (s) {
			if (formula)
				buf_putc(out, '\'');
			buf_puts(out, s);
		}
		if (i % (size_t)t->ncols == (size_t)t->ncols - 1)
			buf_append(out, "\r\n", 2);
	}
	return buf_ok(out);
}

static bool write_sheet(const struct table *t, const char *sheet, const char *path, char *err, size_t errlen)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		snprintf(err, errlen, "xlsxwriter: cannot create the workbook");
		return false;
	}
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	lxw_format *bold = workbook_add_format(wb);
	if (bold)
		format_set_bold(bold);
	lxw_error e = ws && bold ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (size_t i = 0; i < t->ncells && e == LXW_NO_ERROR; i++) {
		const struct cell *c = &t->cells[i];
		const char *s = text_of(t, c);
		lxw_row_t row = (lxw_row_t)(i / (size_t)t->ncols);
		lxw_col_t col = (lxw_col_t)(i % (size_t)t->ncols);
		if (!s)
			continue;
		if (c->number)
			e = worksheet_write_number(ws, row, col, strtod(s, NULL), NULL);
		else
			e = worksheet_write_string(ws, row, col, s, row == 0 ? bold : NULL);
	}
	lxw_error closed = workbook_close(wb);
	if (e == LXW_NO_ERROR)
		e = closed;
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "xlsxwriter: %s", lxw_strerror(e));
		return false;
	}
	return true;
}

bool table_xlsx(const struct table *t, const char *sheet, struct buf *out, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/tdkt-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "xlsx: no temporary file: %s", strerror(errno));
		return false;
	}
	close(fd);
	bool ok = write_sheet(t, sheet, path, err, errlen);
	FILE *f = ok ? fopen(path, "rb") : NULL;
	if (ok && !f) {
		snprintf(err, errlen, "xlsx: cannot read the workbook back: %s", strerror(errno));
		ok = false;
	}
	char chunk[16384];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	if (f && ferror(f)) {
		snprintf(err, errlen, "xlsx: read error");
		ok = false;
	}
	if (f)
		fclose(f);
	unlink(path);
	return ok && buf_ok(out);
}
