/* Cursors: round trip, and every kind of tampering is refused. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include "lib/b64.h"
#include "lib/cursor.h"
#include "tests/unit/check.h"

int main(void)
{
	char c[CURSOR_MAX], out[CURSOR_PAYLOAD_MAX + 1];
	/* no key derived: nothing signed, nothing verified (never a MAC under an empty key) */
	CHECK(!cursor_encode("units", "1", c), "no key: no cursor");
	CHECK(!cursor_decode("units", "MQ.AAAAAAAAAAAAAAAA", out), "no key: nothing verifies");
	CHECK(cursor_set_key("0123456789abcdef0123456789abcdef", 32), "the key derived");

	static const char *const payloads[] = {"1", "9223372036854775807", "Lạng Sơn\x1f" "42", ""};
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		CHECK(cursor_encode("units", payloads[i], c), "encode %s", payloads[i]);
		CHECK(cursor_decode("units", c, out) && strcmp(out, payloads[i]) == 0, "round trip %s", payloads[i]);
		CHECK(!cursor_decode("people", c, out), "scope is bound: %s", payloads[i]);
	}

	/* the MAC is HMAC-SHA256 as RFC 2104 has it, with the derived key: cursors made before the
	 * keyed states were cached still verify, and the one-shot HMAC agrees */
	unsigned char derived[32], full[32], msg[64];
	unsigned int dn = 0, fn = 0;
	HMAC(EVP_sha256(), "0123456789abcdef0123456789abcdef", 32, (const unsigned char *)"tdkt cursor v1", 14, derived, &dn);
	memcpy(msg, "units\0" "Lạng Sơn", 6 + strlen("Lạng Sơn"));
	HMAC(EVP_sha256(), derived, (int)dn, msg, 6 + strlen("Lạng Sơn"), full, &fn);
	char want_cursor[CURSOR_MAX], payload64[64], mac64[32];
	b64url_encode((const unsigned char *)"Lạng Sơn", strlen("Lạng Sơn"), payload64, sizeof payload64);
	b64url_encode(full, 12, mac64, sizeof mac64);
	snprintf(want_cursor, sizeof want_cursor, "%s.%s", payload64, mac64);
	CHECK(cursor_encode("units", "Lạng Sơn", c) && strcmp(c, want_cursor) == 0, "HMAC-SHA256: %s, want %s", c, want_cursor);
	CHECK(cursor_decode("units", want_cursor, out) && strcmp(out, "Lạng Sơn") == 0, "a one-shot HMAC's cursor verifies");

	CHECK(cursor_encode("units", "42", c), "encode 42");
	char t[CURSOR_MAX];
	/* flip each character in turn: none may still verify */
	size_t n = strlen(c);
	int accepted = 0;
	for (size_t i = 0; i < n; i++) {
		strcpy(t, c);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (cursor_decode("units", t, out))
			accepted++;
	}
	CHECK(accepted == 0, "tampered cursors accepted: %d", accepted);

	/* a forged payload with the old MAC */
	char forged[CURSOR_MAX], b64[64];
	b64url_encode((const unsigned char *)"43", 2, b64, sizeof b64);
	snprintf(forged, sizeof forged, "%s%s", b64, strchr(c, '.'));
	CHECK(!cursor_decode("units", forged, out), "forged payload refused");

	static const char *const garbage[] = {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.###", "NDI",
					      "NDI.AAAAAAAAAAAAAAAA"};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		CHECK(!cursor_decode("units", garbage[i], out), "garbage %s refused", garbage[i]);

	char big[CURSOR_PAYLOAD_MAX + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK(!cursor_encode("units", big, c), "payload too long refused");

	/* another key: a cursor from another deployment is refused */
	CHECK(cursor_encode("units", "42", c), "encode");
	cursor_set_key("another secret, also 32 bytes lo", 32);
	CHECK(!cursor_decode("units", c, out), "other key refused");
	return check_done("cursor");
}
