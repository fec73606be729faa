#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include "lib/b64.h"
#include "lib/cursor.h"

#define MAC_LEN 12

static unsigned char key_bytes[64];
static size_t key_len;

void cursor_set_key(const void *key, size_t len)
{
	/* derive a separate key so a cursor MAC can never double as anything signed with the secret */
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, (int)len, (const unsigned char *)"tdkt cursor v1", 14, key_bytes, &n);
	key_len = n;
}

static void mac(const char *scope, const unsigned char *payload, size_t n, unsigned char out[32])
{
	unsigned char msg[64 + CURSOR_PAYLOAD_MAX];
	size_t slen = strnlen(scope, 63);
	memcpy(msg, scope, slen);
	msg[slen] = 0;
	memcpy(msg + slen + 1, payload, n);
	unsigned int outn = 0;
	HMAC(EVP_sha256(), key_bytes, (int)key_len, msg, slen + 1 + n, out, &outn);
}

bool cursor_encode(const char *scope, const char *payload, char out[CURSOR_MAX])
{
	size_t n = strlen(payload);
	if (n > CURSOR_PAYLOAD_MAX)
		return false;
	unsigned char m[32];
	mac(scope, (const unsigned char *)payload, n, m);
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
	mac(scope, (const unsigned char *)out, plen, want);
	if (CRYPTO_memcmp(given, want, MAC_LEN) != 0)
		return false;
	out[plen] = '\0';
	return memchr(out, '\0', plen) == NULL;
}
