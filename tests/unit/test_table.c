/* CSV for Excel: BOM, RFC 4180 quoting, empty cells, CRLF; XLSX written and non-empty. */
#include <string.h>
#include "lib/table.h"
#include "tests/unit/check.h"

int main(void)
{
	struct table *t = table_new(3);
	CHECK(t != NULL, "table_new");
	CHECK(table_cell(t, "Đơn vị", false) && table_cell(t, "Số cuộc thanh tra, kiểm tra", false) &&
	      table_cell(t, "Ghi chú", false) && table_end_row(t), "header");
	CHECK(table_cell(t, "Thanh tra \"Lạng Sơn\"", false) && table_cell(t, "1902", true) &&
	      table_cell(t, "dòng 1\r\ndòng 2", false) && table_end_row(t), "row");
	CHECK(table_cell(t, NULL, false) && table_cell(t, "89.72", true) && table_end_row(t), "short row");
	/* text Excel would run as a formula stays text; a negative number stays a number */
	CHECK(table_cell(t, "=HYPERLINK(\"http://x\",\"y\")", false) && table_cell(t, "-5", true) &&
	      table_cell(t, "@SUM(A1)", false) && table_end_row(t), "formulas");
	CHECK(!table_cell(t, "a", false) || (table_cell(t, "b", false) && table_cell(t, "c", false) && !table_cell(t, "d", false)),
	      "a row holds ncols cells");
	table_end_row(t);
	struct buf out;
	buf_init(&out);
	CHECK(table_csv(t, &out), "csv");
	const char *want = "\xEF\xBB\xBF" "Đơn vị,\"Số cuộc thanh tra, kiểm tra\",Ghi chú\r\n"
			   "\"Thanh tra \"\"Lạng Sơn\"\"\",1902,\"dòng 1\r\ndòng 2\"\r\n"
			   ",89.72,\r\n"
			   "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-5,'@SUM(A1)\r\n"
			   "a,b,c\r\n";
	CHECK(out.len == strlen(want) && memcmp(out.data, want, out.len) == 0, "csv text: %.*s", (int)out.len, out.data);
	buf_reset(&out);
	char err[160] = "";
	CHECK(table_xlsx(t, "Chỉ tiêu", &out, err, sizeof err), "xlsx: %s", err);
	CHECK(out.len > 1000 && memcmp(out.data, "PK", 2) == 0, "xlsx is a zip (%zu bytes)", out.len);
	buf_free(&out);
	table_free(t);
	table_free(NULL);
	CHECK(table_new(0) == NULL && table_new(TABLE_MAX_COLS + 1) == NULL, "column bounds");
	return check_done("table");
}
