/* Accept negotiation: wildcards, q-values, specificity, refusals, malformed headers. */
#include "lib/negotiate.h"
#include "tests/unit/check.h"

static const char *const offered[] = {"application/json", "text/csv",
				      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL};

static const struct {
	const char *accept;
	int want;
} cases[] = {
	{NULL, 0},
	{"", 0},
	{"   ", 0},
	{"*/*", 0},
	{"application/json", 0},
	{"text/csv", 1},
	{"TEXT/CSV", 1},
	{"text/csv; charset=utf-8", 1},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 2},
	{"text/html", -1},
	{"text/html, application/xhtml+xml", -1},
	{"text/*", 1},
	{"text/html;q=0.9, */*;q=0.8", 0},
	{"text/csv;q=0.5, application/json;q=0.4", 1},
	{"application/json;q=0.4, text/csv;q=0.5", 1},
	{"text/csv;q=0, */*", 0},
	{"*/*;q=0", -1},
	{"application/json;q=0, text/*;q=0", -1},
	{"application/json;q=0, */*", 1},
	{"text/csv, application/json", 0},   /* a tie: the server's order */
	{"text/csv;q=1.0", 1},
	{"text/csv;q=abc", -1},              /* a malformed q refuses that range */
	{"text/csv;q=2", -1},
	{"application/*;q=0.5, text/csv;q=0.4", 0},
	{"application/json, text/csv;q=0.9, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.95", 0},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json;q=0.1", 2},
	{",,, ;;; ,", -1},
	{"text", -1},
	{"/", -1},
	{"text/csv;level=1;q=0.7", 1},
	{"text/csv ; q=0.7", 1},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = negotiate(cases[i].accept, offered);
		CHECK(got == cases[i].want, "case %zu (%s): got %d, want %d", i, cases[i].accept ? cases[i].accept : "(none)",
		      got, cases[i].want);
	}
	static const char *const none[] = {NULL};
	CHECK(negotiate(NULL, none) == -1, "nothing offered");
	return check_done("negotiate");
}
