/* Output JSON escaping, base64url, query parameters and ETag matching. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lib/b64.h"
#include "lib/buf.h"
#include "lib/http.h"
#include "lib/query.h"
#include "tests/unit/check.h"
#include "tests/unit/json_reference.h"

int main(void)
{
	static const struct {
		const char *in, *out;
	} esc[] = {
		{"plain", "\"plain\""},
		{"Thanh tra tỉnh Lạng Sơn", "\"Thanh tra tỉnh Lạng Sơn\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"line\nbreak\ttab\r", "\"line\\nbreak\\ttab\\r\""},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
		{"", "\"\""},
		{"ok/no", "\"ok/no\""},
	};
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++) {
		buf_reset(&b);
		buf_json_cstr(&b, esc[i].in);
		CHECK(buf_ok(&b) && strcmp(b.data, esc[i].out) == 0, "escape %s -> %s", esc[i].in, b.data);
	}
	/* long strings, the word and 16-byte paths: every byte value at every offset of strings of 0 to
	 * 40 bytes, the rest plain ASCII or UTF-8, against a byte at a time */
	size_t escape_wrong = 0;
	struct buf ref;
	buf_init(&ref);
	for (size_t len = 0; len <= 40; len++)
		for (size_t at = 0; at < (len ? len : 1); at++)
			for (int c = 0; c < 256; c++) {
				char in[41];
				for (size_t k = 0; k < len; k++)
					in[k] = k % 3 == 2 ? (char)0xe1 : (char)('a' + k % 26);
				if (len)
					in[at] = (char)c;
				buf_reset(&ref);
				reference_str(&ref, in, len);
				buf_reset(&b);
				buf_json_str(&b, in, len);
				escape_wrong += !buf_ok(&b) || !buf_ok(&ref) || strcmp(b.data, ref.data) != 0;
			}
	buf_free(&ref);
	CHECK(escape_wrong == 0, "every byte at every offset escaped as one at a time (%zu wrong)", escape_wrong);
	buf_reset(&b);
	buf_json_int(&b, -9223372036854775807LL - 1);
	CHECK(strcmp(b.data, "-9223372036854775808") == 0, "int64 min");
	/* integers without printf: the same text as printf's, at the edges and over a sweep */
	static const long long ints[] = {0, 1, -1, 9, 10, -10, 99, 100, 4294967295LL, -4294967296LL,
					 9223372036854775807LL, -9223372036854775807LL - 1};
	unsigned long long x = 88172645463325252ULL; /* xorshift: values of every length */
	size_t wrong = 0;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0] + 2000; i++) {
		long long v = i < sizeof ints / sizeof ints[0] ? ints[i] : (long long)(x >> (i % 64));
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		char got[FMT_INT_MAX], want[32], hex[FMT_INT_MAX], want_hex[32];
		size_t n = fmt_int(got, v), nh = fmt_hex(hex, (unsigned long long)v);
		snprintf(want, sizeof want, "%lld", v);
		snprintf(want_hex, sizeof want_hex, "%llx", (unsigned long long)v);
		if (strcmp(got, want) != 0 || n != strlen(want) || strcmp(hex, want_hex) != 0 || nh != strlen(want_hex))
			wrong++;
	}
	CHECK(wrong == 0, "fmt_int and fmt_hex differ from printf for %zu values", wrong);
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_puts(&b, "0123456789");
	CHECK(b.len == 100000 && buf_ok(&b), "growth");
	buf_free(&b);

	/* the change feed's `since`: RFC 3339 with an offset, nothing looser */
	static const struct {
		const char *in;
		bool ok;
	} times[] = {
		{"2026-01-31T08:00:00Z", true},
		{"2026-01-31T15:00:00+07:00", true},
		{"2024-02-29T23:59:59.123456-05:30", true},
		{"2026-01-31T08:00:00", false},        /* no offset: whose time? */
		{"2026-01-31 08:00:00Z", false},
		{"2026-01-31T08:00:00 07:00", false},  /* an unescaped '+' became a space */
		{"2025-02-29T08:00:00Z", false},
		{"2026-01-31T24:00:00Z", false},
		{"2026-01-31T08:60:00Z", false},
		{"2026-01-31T08:00:00.Z", false},
		{"2026-01-31T08:00:00.1234567Z", false},
		{"2026-01-31T08:00:00+07:00x", false},
		{"2026-01-31T08:00:00+7:00", false},
		{"", false},
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		CHECK(rfc3339_ok(times[i].in) == times[i].ok, "rfc3339 %s", times[i].in);

	static const char *const b64in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const b64out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		char enc[32];
		unsigned char dec[32];
		size_t dn = 0;
		b64url_encode((const unsigned char *)b64in[i], strlen(b64in[i]), enc, sizeof enc);
		CHECK(strcmp(enc, b64out[i]) == 0, "b64 %s", b64in[i]);
		CHECK(b64url_decode(enc, strlen(enc), dec, sizeof dec, &dn) && dn == strlen(b64in[i]) &&
			      memcmp(dec, b64in[i], dn) == 0,
		      "b64 decode %s", enc);
	}
	unsigned char dec[8];
	size_t dn;
	CHECK(!b64url_decode("Zh", 2, dec, sizeof dec, &dn), "non-canonical trailing bits refused");
	CHECK(!b64url_decode("Z", 1, dec, sizeof dec, &dn), "length 1 refused");
	CHECK(!b64url_decode("Zm9v+A", 6, dec, sizeof dec, &dn), "standard alphabet refused");

	static const struct {
		const char *qs;
		bool ok;
	} queries[] = {
		{"limit=5&q=l%E1%BA%A1ng+s%C6%A1n", true},
		{"q=a%2", false},
		{"q=a%zz", false},
		{"q=%00", false},
		{"q=%C3%28", false},
		{"q=%ED%A0%80", false},
		{"q=a%09b", false},
		{"q=%F0%9F%98%80", true},
		{"q=%F4%90%80%80", false}, /* above U+10FFFF */
		{"q=%E0%80%80", false},    /* overlong */
		{"q=1&q=2", false},
		{"=x", false},
		{"&&limit=3&", true},
		{"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&r=17&s=18&t=19&u=20&v=21"
		 "&w=22&x=23&y=24&z=25", false},
	};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		struct query q;
		struct app_error e;
		app_error_clear(&e);
		bool ok = query_parse(queries[i].qs, &q, &e);
		CHECK(ok == queries[i].ok && (ok || e.status == 400), "query %s", queries[i].qs);
	}
	struct query q;
	struct app_error e;
	app_error_clear(&e);
	const char *text;
	long long limit;
	CHECK(query_parse("limit=5&q=l%E1%BA%A1ng+s%C6%A1n", &q, &e) && query_limit(&q, &limit, &e) && limit == 5 &&
		      query_str(&q, "q", 50, &text, &e) && strcmp(text, "lạng sơn") == 0 && query_no_unknown(&q, &e),
	      "decoded values");
	static const char *const bad_limits[] = {"limit=0", "limit=501", "limit=-1", "limit=abc", "limit="};
	for (size_t i = 0; i < 5; i++) {
		app_error_clear(&e);
		CHECK(query_parse(bad_limits[i], &q, &e) && !query_limit(&q, &limit, &e) && e.status == 400,
		      "%s refused", bad_limits[i]);
	}
	app_error_clear(&e);
	CHECK(query_parse("kind=x&typo=1", &q, &e) && !query_no_unknown(&q, &e) && e.status == 400,
	      "unknown parameter refused");

	/* the limits: a name of 31 bytes, a value of 1,020, all of it 4,096 decoded (with a NUL each) */
	static char big[8192];
	static const struct {
		int names, value;  /* parameters a..., each name 31 bytes, value bytes */
		bool ok;
	} sizes[] = {{1, QUERY_MAX_VALUE, true}, {1, QUERY_MAX_VALUE + 1, false}, {3, QUERY_MAX_VALUE, true},
		     /* 4 × (32 + 992) = 4,096 */
		     {4, 991, true}, {4, 992, false}, {5, 800, false}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = 0;
		for (int k = 0; k < sizes[i].names; k++) {
			n += (size_t)snprintf(big + n, sizeof big - n, "%s%c%030d=", k ? "&" : "", 'a' + k, 0);
			memset(big + n, 'v', (size_t)sizes[i].value);
			n += (size_t)sizes[i].value;
		}
		big[n] = '\0';
		app_error_clear(&e);
		bool ok = query_parse(big, &q, &e);
		CHECK(ok == sizes[i].ok && (ok || e.status == 400), "%d names, values of %d bytes: %s", sizes[i].names,
		      sizes[i].value, ok ? "" : e.detail);
		if (ok)
			CHECK(q.n == sizes[i].names && strlen(q.params[q.n - 1].name) == QUERY_MAX_NAME &&
				      strlen(q.params[q.n - 1].value) == (size_t)sizes[i].value,
			      "%d names: each read back", sizes[i].names);
	}
	CHECK(!query_parse("a234567890123456789012345678901x=1", &q, &e), "a name of 32 bytes refused");
	/* the block filled but for 2 bytes (3 × 1,024 + 32 + 990), then a name of one byte, whose NUL
	 * fills it, with an empty value (no "=", or "=" and nothing) whose NUL would be one past it:
	 * refused, nothing written past the block (ASan), nor by a parameter after */
	static const char *const tails[] = {"&z", "&z=", "&z&y=1", "&z=&y=", "&zz"};
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t n = 0;
		for (int k = 0; k < 4; k++) {
			n += (size_t)snprintf(big + n, sizeof big - n, "%s%c%030d=", k ? "&" : "", 'a' + k, 0);
			memset(big + n, 'v', k < 3 ? 991 : 989);
			n += k < 3 ? 991 : 989;
		}
		snprintf(big + n, sizeof big - n, "%s", tails[i]);
		app_error_clear(&e);
		CHECK(!query_parse(big, &q, &e) && e.status == 400, "a full block, then %s: refused", tails[i]);
	}

	static const struct {
		const char *h;
		long long v;
		bool weak_ok, match;
	} tags[] = {
		{"\"3\"", 3, false, true},     {"\"3\"", 4, false, false}, {"W/\"3\"", 3, true, true},
		{"W/\"3\"", 3, false, false},  {"*", 9, false, true},      {"\"1\", \"3\"", 3, false, true},
		{"\"1\",\"2\"", 3, false, false}, {"3", 3, false, false},  {"\"3", 3, false, false},
		{"", 3, false, false},
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		CHECK(etag_list_matches(tags[i].h, tags[i].v, tags[i].weak_ok) == tags[i].match, "etag %s vs %lld",
		      tags[i].h, tags[i].v);
	/* any tag: a document's is its bytes' SHA-256 */
	static const char sha[] = "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"";
	CHECK(etag_list_has(sha, sha, false), "a hash tag matches itself");
	CHECK(etag_list_has("\"1\", W/\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"", sha, true),
	      "a weak hash tag in a list, for If-None-Match");
	CHECK(!etag_list_has("\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0\"", sha, false),
	      "one digit short");
	CHECK(!etag_list_has("\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", sha, false),
	      "unterminated");
	return check_done("text");
}
