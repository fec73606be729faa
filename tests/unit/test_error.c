/* SQLSTATE → HTTP status, and the problem slugs of API.md. */
#include <string.h>
#include "lib/error.h"
#include "tests/unit/check.h"

static const struct {
	const char *state;
	bool deleting;
	int status;
	bool retry, reconnect;
} cases[] = {
	{"23505", false, 409, false, false},
	{"23503", false, 422, false, false},
	{"23503", true, 409, false, false},
	{"23502", false, 422, false, false},
	{"23514", false, 422, false, false},
	{"22P02", false, 422, false, false},
	{"22001", false, 422, false, false},
	{"22003", false, 422, false, false},
	{"40001", false, 503, true, false},
	{"40P01", false, 503, true, false},
	{"57014", false, 503, false, true}, /* not reused: a cancel can race the next query */
	{"08006", false, 503, false, true},
	{"08001", false, 503, false, true},
	{"57P01", false, 503, false, true},
	{"53300", false, 503, false, true},
	{"42P01", false, 500, false, false},
	{"XX000", false, 500, false, false},
	{NULL, false, 500, false, false},
	{"123", false, 500, false, false},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool retry, reconnect;
		int s = sqlstate_to_status(cases[i].state, cases[i].deleting, &retry, &reconnect);
		CHECK(s == cases[i].status && retry == cases[i].retry && reconnect == cases[i].reconnect,
		      "%s (delete %d): %d retry %d reconnect %d", cases[i].state ? cases[i].state : "NULL",
		      cases[i].deleting, s, retry, reconnect);
	}
	static const struct {
		int status;
		const char *slug;
	} slugs[] = {
		{400, "bad_request"}, {401, "unauthorized"}, {403, "forbidden"}, {404, "not_found"},
		{405, "method_not_allowed"}, {409, "conflict"}, {412, "precondition_failed"},
		{413, "payload_too_large"}, {415, "unsupported_media_type"}, {422, "validation"},
		{429, "too_many_requests"}, {500, "internal"}, {503, "unavailable"},
	};
	for (size_t i = 0; i < sizeof slugs / sizeof slugs[0]; i++)
		CHECK(strcmp(http_status_slug(slugs[i].status), slugs[i].slug) == 0, "slug %d", slugs[i].status);

	struct app_error e;
	app_error_clear(&e);
	for (int i = 0; i < APP_ERROR_MAX_FIELDS + 5; i++)
		app_error_field(&e, "f", "c", "m %d", i);
	CHECK(e.status == 422 && e.nfields == APP_ERROR_MAX_FIELDS, "field errors are capped");
	return check_done("error");
}
