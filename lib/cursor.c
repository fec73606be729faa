#include <openssl/crypto.h>
#include <string.h>
#include "lib/b64.h"
#include "lib/crypto.h"
#include "lib/cursor.h"

#define MAC_LEN 12

static struct hmac_key cursor_key;

bool cursor_set_key(const void *key, size_t len)
{
	return hmac_key_derive(&cursor_key, key, len, "tdkt cursor v1");
}

/* HMAC(scope NUL payload); false when OpenSSL fails (out of memory) */
static bool mac(const char *scope, const unsigned char *payload, size_t n, unsigned char out[32])
{
	const struct bytes parts[] = {{scope, strnlen(scope, 63)}, {"", 1}, {payload, n}};
	return hmac_sha256(&cursor_key, parts, 3, out);
}

bool cursor_encode(const char *scope, const char *payload, char out[CURSOR_MAX])
{
	size_t n = strlen(payload);
	if (n > CURSOR_PAYLOAD_MAX)
		return false;
	unsigned char m[32];
	if (!mac(scope, (const unsigned char *)payload, n, m))
		return false;
	size_t a = b64url_encode((const unsigned char *)payload, n, out, CURSOR_MAX);
	if (a == 0 && n > 0)
		return false;
	out[a] = '.';
	return b64url_encode(m, MAC_LEN, out + a + 1, CURSOR_MAX - a - 1) > 0;
}

bool cursor_decode(const char *scope, const char *cursor, char out[CURSOR_PAYLOAD_MAX + 1])
{
	size_t len = strnlen(cursor, CURSOR_MAX);
	if (len >= CURSOR_MAX)
		return false;
	const char *dot = memchr(cursor, '.', len);
	if (!dot)
		return false;
	size_t plen = 0, mlen = 0;
	unsigned char given[MAC_LEN + 3], want[32];
	if (!b64url_decode(cursor, (size_t)(dot - cursor), (unsigned char *)out, CURSOR_PAYLOAD_MAX, &plen))
		return false;
	if (!b64url_decode(dot + 1, len - (size_t)(dot - cursor) - 1, given, sizeof given, &mlen) ||
	    mlen != MAC_LEN)
		return false;
	if (!mac(scope, (const unsigned char *)out, plen, want))
		return false;
	if (CRYPTO_memcmp(given, want, MAC_LEN) != 0)
		return false;
	out[plen] = '\0';
	return memchr(out, '\0', plen) == NULL;
}
