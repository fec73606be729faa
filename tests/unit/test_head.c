/* The request head as a hostile client sends it (lib/framing.c), the CORS allow-list
 * (lib/cors.c) and the count of connections per client address (lib/conncount.c). */
#include <string.h>
#include "lib/conncount.h"
#include "lib/cors.h"
#include "lib/framing.h"
#include "tests/unit/check.h"

#define MAXF 4
struct head_case {
	const char *name, *version;
	struct head_field fields[MAXF];
	bool ok;
};
static const struct head_case framing_cases[] = {
	{"no body", "1.1", {{"Host", "x"}}, true},
	{"a length", "1.1", {{"Content-Length", "42"}}, true},
	{"zero", "1.1", {{"content-length", "0"}}, true},
	{"chunked", "1.1", {{"Transfer-Encoding", "chunked"}}, true},
	{"chunked, any case", "1.1", {{"transfer-encoding", "Chunked"}}, true},
	{"length and chunked", "1.1", {{"Content-Length", "4"}, {"Transfer-Encoding", "chunked"}}, false},
	{"chunked and length", "1.1", {{"Transfer-Encoding", "chunked"}, {"Content-Length", "4"}}, false},
	{"two lengths", "1.1", {{"Content-Length", "0"}, {"Content-Length", "42"}}, false},
	{"two equal lengths", "1.1", {{"Content-Length", "5"}, {"Content-Length", "5"}}, false},
	{"plus sign", "1.1", {{"Content-Length", "+0"}}, false},
	{"minus sign", "1.1", {{"Content-Length", "-1"}}, false},
	{"a list", "1.1", {{"Content-Length", "0, 42"}}, false},
	{"blank", "1.1", {{"Content-Length", " 7"}}, false},
	{"empty", "1.1", {{"Content-Length", ""}}, false},
	{"hex", "1.1", {{"Content-Length", "0x10"}}, false},
	{"gzip", "1.1", {{"Transfer-Encoding", "gzip"}}, false},
	{"gzip, chunked", "1.1", {{"Transfer-Encoding", "gzip, chunked"}}, false},
	{"chunked twice", "1.1", {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}, false},
	{"chunked in HTTP/1.0", "1.0", {{"Transfer-Encoding", "chunked"}}, false},
	{"length in HTTP/1.0", "1.0", {{"Content-Length", "3"}}, true},
};

/* one Host (HTTP/1.1 needs it), at most one Authorization */
static const struct head_case field_cases[] = {
	{"a host", "1.1", {{"Host", "x"}}, true},
	{"a host and credentials", "1.1", {{"host", "x"}, {"Authorization", "Bearer a"}}, true},
	{"no host in HTTP/1.1", "1.1", {{"Accept", "*/*"}}, false},
	{"no host in HTTP/1.0", "1.0", {{"Accept", "*/*"}}, true},
	{"two hosts", "1.1", {{"Host", "x"}, {"HOST", "y"}}, false},
	{"two hosts in HTTP/1.0", "1.0", {{"Host", "x"}, {"Host", "x"}}, false},
	{"two credentials", "1.1", {{"Host", "x"}, {"Authorization", "Bearer a"}, {"authorization", "Bearer b"}}, false},
};

static const struct {
	const char *in, *out; /* out NULL: refused */
} path_cases[] = {
	{"/v1/units/1", "/v1/units/1"},
	{"/v1/award-kinds/%41b", "/v1/award-kinds/Ab"},
	{"/v1/units/%e1%bb%87", "/v1/units/\xe1\xbb\x87"},
	{"/v1/units/1%00", NULL},
	{"/healthz%00/../v1/users", NULL},
	{"/v1/units/%0a", NULL},
	{"/v1/units/%7F", NULL},
	{"/v1/units/%", NULL},
	{"/v1/units/%4", NULL},
	{"/v1/units/%zz", NULL},
	{"/a\tb", NULL},
	{"/v1\\auth\\token", NULL},
	{"/v1/units/%5c", NULL},
	{"", ""},
};

static const struct {
	const char *list, *origin;
	bool allowed;
} cors_cases[] = {
	{"", "https://portal.tuyenquang.gov.vn", false},
	{"https://portal.tuyenquang.gov.vn", "https://portal.tuyenquang.gov.vn", true},
	{"https://portal.tuyenquang.gov.vn", "http://portal.tuyenquang.gov.vn", false},
	{"https://portal.tuyenquang.gov.vn", "https://portal.tuyenquang.gov.vn:8443", false},
	{"https://a.gov.vn https://b.gov.vn", "https://b.gov.vn", true},
	{"*", "https://anything.example", true},
	{"*", "", false},
	{"https://a.gov.vn", "null", false},
};

/* each case of a table judged by one of lib/framing.c's head checks */
static void check_heads(const char *what, const struct head_case *cases, size_t ncases,
			bool (*judge)(const char *, const struct head_field *, int, const char **))
{
	for (size_t i = 0; i < ncases; i++) {
		int n = 0;
		while (n < MAXF && cases[i].fields[n].name)
			n++;
		const char *why = "";
		bool ok = judge(cases[i].version, cases[i].fields, n, &why);
		CHECK(ok == cases[i].ok, "%s %s: %s (%s)", what, cases[i].name, ok ? "accepted" : "refused", why);
	}
}

int main(void)
{
	check_heads("framing", framing_cases, sizeof framing_cases / sizeof framing_cases[0], framing_ok);
	check_heads("fields", field_cases, sizeof field_cases / sizeof field_cases[0], fields_ok);

	/* heads as CivetWeb leaves them after parsing: the element's end, then what followed it */
	static const struct {
		const char *bytes;
		size_t n;
		bool after_request_line, complete;
	} heads[] = {
		{"\0\0\r\0", 4, false, true},       /* field CRLF, blank CRLF */
		{"\0\0 b\r\0", 6, false, false},    /* an obs-fold line dropped */
		{"\0\0:x: a\0", 8, false, false},    /* a nameless line dropped */
		{"\0\0\xc3X: a", 7, false, false},   /* a name with a byte >= 0x80 */
		{"\0\0\0\0", 4, true, true},        /* request line, no field */
		{"\0\0:x: a", 6, true, false},        /* its first field dropped */
		{"\0\0", 2, false, false},            /* no room to tell */
		{"\0\r\n", 3, false, false},         /* a bare LF */
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
		CHECK(head_complete(heads[i].bytes, heads[i].n, heads[i].after_request_line) == heads[i].complete,
		      "head case %zu", i);

	char out[64];
	for (size_t i = 0; i < sizeof path_cases / sizeof path_cases[0]; i++) {
		bool ok = path_decode(path_cases[i].in, out, sizeof out);
		CHECK(ok == (path_cases[i].out != NULL) && (!ok || strcmp(out, path_cases[i].out) == 0), "path %s",
		      path_cases[i].in);
	}
	char tiny[8];
	CHECK(path_decode("/1234567", tiny, sizeof tiny) == false, "a path that does not fit is refused");
	CHECK(path_decode("/123456", tiny, sizeof tiny) && strcmp(tiny, "/123456") == 0, "one that just fits");

	for (size_t i = 0; i < sizeof cors_cases / sizeof cors_cases[0]; i++)
		CHECK(cors_origin_allowed(cors_cases[i].list, cors_cases[i].origin) == cors_cases[i].allowed,
		      "cors \"%s\" / %s", cors_cases[i].list, cors_cases[i].origin);

	struct conncount *t = conncount_new(3);
	int a1, a2, b1, c1, d1;
	CHECK(conncount_add(t, "10.0.0.1", &a1) == 1 && conncount_add(t, "10.0.0.1", &a2) == 2 && a1 == a2,
	      "one address counts up in one slot");
	CHECK(conncount_add(t, "10.0.0.2", &b1) == 1 && b1 != a1, "another address has its own slot");
	CHECK(conncount_add(t, "::1", &c1) == 1, "third address");
	CHECK(conncount_add(t, "10.0.0.4", &d1) == -1, "a full table does not count");
	conncount_release(t, b1);
	CHECK(conncount_add(t, "10.0.0.4", &d1) == 1 && d1 == b1, "a released slot is reused");
	conncount_release(t, a1);
	CHECK(conncount_add(t, "10.0.0.1", &a1) == 2, "release counts down");
	char longaddr[CONNCOUNT_ADDR_MAX + 1];
	memset(longaddr, '1', sizeof longaddr - 1);
	longaddr[sizeof longaddr - 1] = '\0';
	conncount_release(t, d1);
	CHECK(conncount_add(t, longaddr, &d1) == -1, "an address longer than the table holds is not counted");
	conncount_release(t, -1);
	conncount_release(t, 99);
	conncount_free(t);
	conncount_free(NULL);
	return check_done("head");
}
