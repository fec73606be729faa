/* libFuzzer: the JSON writer of responses on arbitrary bytes. A string is escaped as a byte at a
 * time would (the 16- and 8-byte paths of json_str_into agree with it), and a page of rows
 * (db_rows_json: keys made once, copied 32 bytes at a time) reads exactly as its rows written one
 * by one (db_row_json), whatever the columns' names, types, NULLs and values; ASan watches the
 * copies that run past a value into the reserved slack. The input: a column count, then for each
 * column a type byte and a name, then the values, each NUL-terminated piece in turn. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"
#include "lib/db.h"
#include "tests/unit/json_reference.h"

/* the next NUL-terminated piece of the input, at most `max` bytes of it */
static const char *piece(const uint8_t **at, const uint8_t *end, size_t max, size_t *len)
{
	const uint8_t *p = *at, *stop = memchr(p, 0, (size_t)(end - p));
	if (!stop)
		stop = end;
	*len = (size_t)(stop - p) < max ? (size_t)(stop - p) : max;
	*at = stop < end ? stop + 1 : end;
	return (const char *)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf got, want;
	buf_init(&got);
	buf_init(&want);
	buf_json_str(&got, (const char *)data, size);
	reference_str(&want, (const char *)data, size);
	if (!buf_ok(&got) || !buf_ok(&want) || got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
		abort();

	if (size < 1)
		goto out;
	enum { MAX_COLS = 40, ROWS = 3 };
	static const enum db_col_type types[] = {COL_STR, COL_NUM, COL_BOOL, COL_TIME, COL_JSON};
	const uint8_t *at = data + 1, *end = data + size;
	int ncols = 1 + data[0] % MAX_COLS;
	char names[MAX_COLS][48];
	struct db_col cols[MAX_COLS];
	PGresAttDesc attrs[MAX_COLS];
	memset(attrs, 0, sizeof attrs);
	for (int i = 0; i < ncols; i++) {
		size_t len;
		cols[i].type = types[(at < end ? *at++ : 0) % 5];
		const char *name = piece(&at, end, 40, &len);
		/* names are the descriptors' own: plain ASCII, never needing escapes */
		for (size_t k = 0; k < len; k++)
			names[i][k] = (char)('a' + (unsigned char)name[k] % 26);
		names[i][len] = '\0';
		cols[i].name = names[i];
		attrs[i].name = names[i];
		attrs[i].typid = 25;
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (!res || !PQsetResultAttrs(res, ncols, attrs))
		goto done;
	for (int row = 0; row < ROWS; row++)
		for (int i = 0; i < ncols; i++) {
			size_t len;
			const char *v = piece(&at, end, 200, &len);
			/* an empty piece at an odd place is NULL */
			bool null = len == 0 && (row + i) % 2;
			char copy[201];
			memcpy(copy, v, len);
			copy[len] = '\0';
			/* a boolean is t or f, and a number or JSON value is what PostgreSQL printed: those
			 * are copied as they are, so only text and times take any bytes */
			if (cols[i].type == COL_BOOL)
				copy[0] = len % 2 ? 't' : 'f', copy[1] = '\0', len = 1;
			if (!PQsetvalue(res, row, i, null ? NULL : copy, null ? -1 : (int)len))
				goto done;
		}
	buf_reset(&got);
	buf_reset(&want);
	db_rows_json(&got, res, ROWS, cols, ncols);
	for (int row = 0; row < ROWS; row++) {
		if (row)
			buf_putc(&want, ',');
		db_row_json(&want, res, row, cols, ncols);
	}
	if (!buf_ok(&got) || got.len != want.len || memcmp(got.data, want.data, got.len) != 0 || got.len != strlen(got.data))
		abort();
done:
	PQclear(res);
out:
	buf_free(&got);
	buf_free(&want);
	return 0;
}
