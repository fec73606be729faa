/* The row writer (db_row_json) and the JSON string escaping under it, against a plain byte-at-a-
 * time reference: rows made with libpq's own result constructors (no server), every column type,
 * NULL against the empty string, escapes on either side of the 8-byte words the escaper reads,
 * UTF-8, and rows wider than one batch of columns. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"
#include "lib/db.h"
#include "tests/unit/json_reference.h"
#include "tests/unit/check.h"

/* a result of one row: names[i] = values[i] (NULL: SQL NULL) */
static PGresult *one_row(int n, const char *const *names, const char *const *values)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc *attrs = calloc((size_t)n, sizeof *attrs);
	for (int i = 0; i < n; i++) {
		attrs[i].name = (char *)names[i];
		attrs[i].typid = 25; /* text: the writer reads the column's type from cols, not from here */
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	PQsetResultAttrs(res, n, attrs);
	free(attrs);
	for (int i = 0; i < n; i++)
		PQsetvalue(res, 0, i, (char *)values[i], values[i] ? (int)strlen(values[i]) : -1);
	return res;
}

int main(void)
{
	struct buf got, want;
	buf_init(&got);
	buf_init(&want);

	/* strings: each special byte at every offset of a 20-byte run (across two words and a tail) */
	static const char specials[] = {'"', '\\', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, ' ', 'a'};
	size_t wrong = 0;
	for (size_t k = 0; k < sizeof specials; k++)
		for (size_t at = 0; at < 20; at++) {
			char s[21];
			memset(s, 'x', 20);
			s[20] = '\0';
			s[at] = specials[k];
			buf_reset(&got);
			buf_reset(&want);
			buf_json_str(&got, s, 20);
			reference_str(&want, s, 20);
			wrong += strcmp(got.data, want.data) != 0;
		}
	CHECK(wrong == 0, "escaping differs from the reference in %zu of %zu strings", wrong, sizeof specials * 20);
	static const char *const texts[] = {
		"", "a", "1234567", "12345678", "123456789",
		"Thanh tra huyện Đông Hưng số 7 tỉnh Thái Bình, phòng nghiệp vụ",
		"Ban Nội chính Tỉnh ủy \"Bắc Giang\"\\ 2019\n", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f",
		"ôôôôôôôô\x1f", "\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87\"",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		buf_reset(&got);
		buf_reset(&want);
		buf_json_cstr(&got, texts[i]);
		reference_str(&want, texts[i], strlen(texts[i]));
		CHECK(buf_ok(&got) && strcmp(got.data, want.data) == 0, "escape %s: %s", texts[i], got.data);
	}

	/* a row of every column type; NULL is null, the empty string is "" */
	static const char *const names[] = {"id", "name", "short_name", "note", "ok", "no", "data", "at", "odd_time", "n"};
	static const char *const values[] = {"42", "Thanh tra tỉnh \"Lạng Sơn\"", "", NULL, "t", "f", "{\"a\":[1,2]}",
					     "2022-11-16 08:03:00.123456+00", "infinity", "-3.5"};
	static const struct db_col cols[] = {{"id", COL_NUM},  {"name", COL_STR},  {"short_name", COL_STR},
					     {"note", COL_STR}, {"ok", COL_BOOL},   {"no", COL_BOOL},
					     {"data", COL_JSON}, {"at", COL_TIME},  {"odd_time", COL_TIME},
					     {"n", COL_NUM}};
	PGresult *res = one_row(10, names, values);
	buf_reset(&got);
	db_row_json(&got, res, 0, cols, 10);
	CHECK(buf_ok(&got) && strcmp(got.data, "{\"id\":42,\"name\":\"Thanh tra tỉnh \\\"Lạng Sơn\\\"\",\"short_name\":\"\","
						"\"note\":null,\"ok\":true,\"no\":false,\"data\":{\"a\":[1,2]},"
						"\"at\":\"2022-11-16T08:03:00Z\",\"odd_time\":\"infinity\",\"n\":-3.5}") == 0,
	      "a row of every type: %s", got.data);
	/* appended to what the buffer holds, and members alone */
	buf_reset(&got);
	buf_puts(&got, "[");
	db_row_members(&got, res, 0, cols, 2);
	CHECK(strcmp(got.data, "[\"id\":42,\"name\":\"Thanh tra tỉnh \\\"Lạng Sơn\\\"\"") == 0, "members: %s", got.data);
	PQclear(res);

	/* wider than a batch (32 columns): 70 columns, every 7th NULL, every value needing escapes */
	enum { WIDE = 70 };
	char *wide_names[WIDE], *wide_values[WIDE];
	struct db_col wide_cols[WIDE];
	for (int i = 0; i < WIDE; i++) {
		wide_names[i] = malloc(16);
		snprintf(wide_names[i], 16, "c%d", i);
		wide_values[i] = NULL;
		if (i % 7) {
			wide_values[i] = malloc(64);
			snprintf(wide_values[i], 64, "v\"%d\\\x01 ", i);
		}
		wide_cols[i] = (struct db_col){wide_names[i], COL_STR};
	}
	res = one_row(WIDE, (const char *const *)wide_names, (const char *const *)wide_values);
	buf_reset(&got);
	buf_reset(&want);
	db_row_json(&got, res, 0, wide_cols, WIDE);
	buf_putc(&want, '{');
	for (int i = 0; i < WIDE; i++) {
		if (i)
			buf_putc(&want, ',');
		buf_json_key(&want, wide_names[i]);
		if (wide_values[i])
			reference_str(&want, wide_values[i], strlen(wide_values[i]));
		else
			buf_puts(&want, "null");
	}
	buf_putc(&want, '}');
	CHECK(buf_ok(&got) && strcmp(got.data, want.data) == 0 && got.len == strlen(got.data), "a row of %d columns", WIDE);
	PQclear(res);

	/* a page (db_rows_json, keys made once): the same text as each row by db_row_json, comma
	 * separated, appended to what the buffer holds; for rows of every type, for names too long to
	 * keep (29 bytes and more) and for rows wider than a batch, which take db_row_json's way */
	static const char *const long_name = "a_name_of_twenty_nine_bytes_x";
	static const struct db_col long_cols[] = {{"id", COL_NUM}, {"a_name_of_twenty_nine_bytes_x", COL_STR}};
	static const char *const long_names[] = {"id", "a_name_of_twenty_nine_bytes_x"};
	const struct {
		const struct db_col *cols;
		const char *const *names;
		int ncols;
	} pages[] = {{cols, names, 10}, {long_cols, long_names, 2}, {wide_cols, NULL, WIDE}};
	for (size_t pg = 0; pg < sizeof pages / sizeof pages[0]; pg++) {
		int ncols = pages[pg].ncols;
		char *page_names[WIDE];
		for (int i = 0; i < ncols; i++)
			page_names[i] = (char *)pages[pg].cols[i].name;
		res = one_row(ncols, (const char *const *)page_names, pages[pg].cols == cols ? values : (const char *const *)page_names);
		/* rows 1..4: values of varying length, NULL in turn, escapes */
		for (int row = 1; row < 5; row++)
			for (int i = 0; i < ncols; i++) {
				char v[64];
				snprintf(v, sizeof v, pages[pg].cols[i].type == COL_STR ? "r%d \"%.*s\"\n" : "%d%.*s", row * 7 + i,
					 row, "0000");
				if (pages[pg].cols[i].type == COL_BOOL)
					snprintf(v, sizeof v, "%s", row % 2 ? "t" : "f");
				else if (pages[pg].cols[i].type == COL_TIME)
					snprintf(v, sizeof v, "2026-12-0%d 0%d:00:00+00", row, row);
				else if (pages[pg].cols[i].type == COL_JSON)
					snprintf(v, sizeof v, "[%d]", row);
				PQsetvalue(res, row, i, (row + i) % 5 == 0 ? NULL : v, (row + i) % 5 == 0 ? -1 : (int)strlen(v));
			}
		for (int n = 0; n <= 5; n++) {
			buf_reset(&got);
			buf_reset(&want);
			buf_puts(&got, "[");
			buf_puts(&want, "[");
			db_rows_json(&got, res, n, pages[pg].cols, ncols);
			for (int row = 0; row < n; row++) {
				if (row)
					buf_putc(&want, ',');
				db_row_json(&want, res, row, pages[pg].cols, ncols);
			}
			CHECK(buf_ok(&got) && strcmp(got.data, want.data) == 0 && got.len == strlen(got.data),
			      "a page of %d rows of %d columns (%s)", n, ncols, pg == 1 ? long_name : "keys kept");
		}
		PQclear(res);
	}
	for (int i = 0; i < WIDE; i++) {
		free(wide_names[i]);
		free(wide_values[i]);
	}

	buf_free(&got);
	buf_free(&want);
	return check_done("row_json");
}
