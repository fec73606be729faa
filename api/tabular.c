/* api/tabular.h: Accept, then the table in the format chosen. */
#include <stdio.h>
#include <string.h>
#include "api/tabular.h"
#include "lib/log.h"
#include "lib/negotiate.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const char *const offered[] = {"application/json", "text/csv", XLSX_TYPE, NULL};

bool tabular_format(struct req *r, enum tabular_format *format)
{
	int i = negotiate(req_header(r, "Accept"), offered);
	r->vary_accept = true;
	if (i < 0)
		return app_error_set(&r->err, 406, "This table is served as application/json, text/csv or " XLSX_TYPE ".");
	*format = (enum tabular_format)i;
	return true;
}

int tabular_respond(struct req *r, enum tabular_format format, const struct table *t, const char *name,
		    const char *sheet)
{
	char err[160];
	bool csv = format == TABULAR_CSV;
	snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s.%s\"", name, csv ? "csv" : "xlsx");
	r->content_type = csv ? "text/csv; charset=utf-8" : XLSX_TYPE;
	if (csv ? !table_csv(t, r->out) : !table_xlsx(t, sheet, r->out, err, sizeof err)) {
		if (!csv)
			log_msg(LOG_ERROR, r->request_id, "%s", err);
		r->disposition[0] = '\0';
		return app_error_set(&r->err, 503, "The table could not be written; try again."), -1;
	}
	return 0;
}

void tabular_headers(struct req *r, enum tabular_format format, const char *disposition)
{
	if (format == TABULAR_JSON)
		return;
	r->content_type = format == TABULAR_CSV ? "text/csv; charset=utf-8" : XLSX_TYPE;
	snprintf(r->disposition, sizeof r->disposition, "%s", disposition);
}

int tabular_answer(struct req *r, enum tabular_format format, int ncols, bool (*fill)(struct table *t, const void *ctx),
		   const void *ctx, const char *name, const char *sheet)
{
	struct table *t = table_new(ncols);
	int rc = t && fill(t, ctx) ? tabular_respond(r, format, t, name, sheet)
				   : (app_error_set(&r->err, 503, "The service is short of memory."), -1);
	table_free(t);
	return rc;
}

void tabular_json_number(struct buf *b, PGresult *res, int row, int col)
{
	buf_puts(b, PQgetisnull(res, row, col) ? "null" : PQgetvalue(res, row, col));
}

void tabular_unit_json(struct buf *b, PGresult *res, int row, int id_col, int code_col, int name_col)
{
	buf_puts(b, "\"unit_id\":");
	buf_puts(b, PQgetvalue(res, row, id_col));
	buf_puts(b, ",\"unit_code\":");
	buf_json_cstr(b, PQgetvalue(res, row, code_col));
	buf_puts(b, ",\"unit_name\":");
	buf_json_cstr(b, PQgetvalue(res, row, name_col));
}

const char *tabular_number(json_t *v, char buf[40])
{
	if (json_is_integer(v)) {
		snprintf(buf, 40, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, 40, "%.2f", json_real_value(v));
		/* 12.50 -> 12.5, 3.00 -> 3: as the JSON writes it */
		char *dot = strchr(buf, '.');
		if (dot) {
			char *end = buf + strlen(buf);
			while (end > dot && (end[-1] == '0' || end[-1] == '.'))
				*--end = '\0';
		}
		return buf;
	}
	return NULL;
}
