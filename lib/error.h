/* Errors a request can end with, and the one place that maps them to HTTP.
 * A failing function fills a caller's struct app_error (status, detail, field errors) and returns
 * false or a negative number; the HTTP layer renders it as RFC 9457 problem+json. */
#ifndef TDKT_ERROR_H
#define TDKT_ERROR_H
#include <stdbool.h>

#define APP_ERROR_MAX_FIELDS 16

struct field_error {
	char field[64];    /* JSON path of the field, e.g. "parent_id" or "targets[2].target" */
	char code[32];     /* machine-readable: required, type, too_long, pattern, enum, ... */
	char message[200]; /* human-readable English */
};

struct app_error {
	int status;          /* HTTP status; 0 while no error */
	char detail[256];
	int retry_after;     /* seconds for Retry-After, 0 for none */
	bool retryable;      /* a serialization failure or deadlock, or a connection lost before any
				statement succeeded: running the request again may work */
	bool connection_lost;/* the retryable error is a lost connection (not a conflict) */
	int nfields;
	struct field_error fields[APP_ERROR_MAX_FIELDS];
};

void app_error_clear(struct app_error *e);

/* Sets status and detail (printf-style). Keeps field errors already added. Returns false so a
 * caller can write `return app_error_set(...)`. */
bool app_error_set(struct app_error *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds a field error; sets status 422 unless a status is already set. Extra errors past
 * APP_ERROR_MAX_FIELDS are dropped (the first ones are the useful ones). Returns false. */
bool app_error_field(struct app_error *e, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "validation" for 422 etc.: the problem type slug of API.md; "internal" for unknown statuses */
const char *http_status_slug(int status);
/* "Unprocessable Content" etc. */
const char *http_status_title(int status);

/* What a PostgreSQL error means for the client. `writing_delete` tells a foreign key violation on
 * DELETE (still referenced: 409) from one on INSERT/UPDATE (bad reference: 422). Returns the
 * HTTP status; *retryable is set for serialization failures and deadlocks, *reconnect for errors
 * after which the connection should be dropped. */
int sqlstate_to_status(const char *sqlstate, bool writing_delete, bool *retryable, bool *reconnect);

#endif
