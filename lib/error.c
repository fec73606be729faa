#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lib/error.h"

void app_error_clear(struct app_error *e)
{
	e->status = 0;
	e->detail[0] = '\0';
	e->retry_after = 0;
	e->retryable = false;
	e->connection_lost = false;
	e->nfields = 0;
}

bool app_error_set(struct app_error *e, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	e->status = status;
	return false;
}

bool app_error_field(struct app_error *e, const char *field, const char *code, const char *fmt, ...)
{
	if (e->status == 0) {
		e->status = 422;
		snprintf(e->detail, sizeof e->detail, "The request body has invalid fields.");
	}
	if (e->nfields >= APP_ERROR_MAX_FIELDS)
		return false;
	struct field_error *f = &e->fields[e->nfields++];
	snprintf(f->field, sizeof f->field, "%s", field);
	snprintf(f->code, sizeof f->code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	return false;
}

static const struct {
	int status;
	const char *slug;
	const char *title;
} statuses[] = {
	{200, "ok", "OK"},
	{201, "created", "Created"},
	{204, "no_content", "No Content"},
	{304, "not_modified", "Not Modified"},
	{400, "bad_request", "Bad Request"},
	{401, "unauthorized", "Unauthorized"},
	{403, "forbidden", "Forbidden"},
	{404, "not_found", "Not Found"},
	{405, "method_not_allowed", "Method Not Allowed"},
	{406, "not_acceptable", "Not Acceptable"},
	{409, "conflict", "Conflict"},
	{411, "length_required", "Length Required"},
	{412, "precondition_failed", "Precondition Failed"},
	{413, "payload_too_large", "Content Too Large"},
	{414, "uri_too_long", "URI Too Long"},
	{415, "unsupported_media_type", "Unsupported Media Type"},
	{422, "validation", "Unprocessable Content"},
	{429, "too_many_requests", "Too Many Requests"},
	{431, "headers_too_large", "Request Header Fields Too Large"},
	{500, "internal", "Internal Server Error"},
	{501, "not_implemented", "Not Implemented"},
	{503, "unavailable", "Service Unavailable"},
	{505, "bad_request", "HTTP Version Not Supported"},
};

const char *http_status_slug(int status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].status == status)
			return statuses[i].slug;
	return status >= 500 ? "internal" : "bad_request";
}

const char *http_status_title(int status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].status == status)
			return statuses[i].title;
	return status >= 500 ? "Internal Server Error" : "Bad Request";
}

int sqlstate_to_status(const char *sqlstate, bool writing_delete, bool *retryable, bool *reconnect)
{
	*retryable = false;
	*reconnect = false;
	if (!sqlstate || strlen(sqlstate) != 5)
		return 500;
	if (strcmp(sqlstate, "23505") == 0) /* unique_violation */
		return 409;
	if (strcmp(sqlstate, "23503") == 0) /* foreign_key_violation */
		return writing_delete ? 409 : 422;
	if (strcmp(sqlstate, "23502") == 0 || strcmp(sqlstate, "23514") == 0 || /* not null, check */
	    strcmp(sqlstate, "22P02") == 0 || strcmp(sqlstate, "22001") == 0 || /* text repr, too long */
	    strcmp(sqlstate, "22003") == 0 || strcmp(sqlstate, "22007") == 0 || /* range, datetime */
	    strcmp(sqlstate, "22008") == 0 || strcmp(sqlstate, "23P01") == 0)   /* field overflow, exclusion */
		return 422;
	if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0) { /* serialization, deadlock */
		*retryable = true;
		return 503;
	}
	if (strcmp(sqlstate, "55P03") == 0) /* lock_not_available */
		return 503;
	if (strcmp(sqlstate, "57014") == 0) { /* query_canceled: statement timeout */
		*reconnect = true;              /* not reused: the cancel may race the next query */
		return 503;
	}
	if (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P0", 4) == 0 || /* connection, shutdown */
	    strcmp(sqlstate, "53300") == 0) { /* too_many_connections */
		*reconnect = true;
		return 503;
	}
	if (strncmp(sqlstate, "53", 2) == 0) /* insufficient resources */
		return 503;
	return 500;
}
