#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include "lib/b64.h"
#include "lib/cursor.h"

#define MAC_LEN 12

/* HMAC-SHA256 (RFC 2104) with the key's two padded blocks hashed once, at cursor_set_key: each MAC
 * then copies those states and hashes the message and the inner digest. The one-shot HMAC() looked
 * up the digest, keyed and freed a MAC context every time: 20,000 instructions a list page, this
 * about 4,000. The states are read-only once set, so threads share them. */
static EVP_MD *sha256;
static EVP_MD_CTX *inner_keyed, *outer_keyed;

void cursor_set_key(const void *key, size_t len)
{
	/* derive a separate key so a cursor MAC can never double as anything signed with the secret */
	unsigned char derived[32], block[64];
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, (int)len, (const unsigned char *)"tdkt cursor v1", 14, derived, &n);
	if (!sha256)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX_free(inner_keyed);
	EVP_MD_CTX_free(outer_keyed);
	inner_keyed = EVP_MD_CTX_new();
	outer_keyed = EVP_MD_CTX_new();
	unsigned char pad[2] = {0x36, 0x5c};
	EVP_MD_CTX *keyed[2] = {inner_keyed, outer_keyed};
	for (int k = 0; k < 2; k++) {
		memset(block, pad[k], sizeof block);
		for (unsigned int i = 0; i < n; i++)
			block[i] ^= derived[i];
		/* a failure here leaves contexts that fail every MAC: no cursor verifies */
		if (!sha256 || !keyed[k] || !EVP_DigestInit_ex(keyed[k], sha256, NULL) ||
		    !EVP_DigestUpdate(keyed[k], block, sizeof block))
			EVP_MD_CTX_reset(keyed[k]);
	}
	OPENSSL_cleanse(derived, sizeof derived);
	OPENSSL_cleanse(block, sizeof block);
}

/* HMAC(scope NUL payload); false when OpenSSL fails (out of memory) */
static bool mac(const char *scope, const unsigned char *payload, size_t n, unsigned char out[32])
{
	unsigned char inner[32];
	unsigned int len = 0;
	size_t slen = strnlen(scope, 63);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_MD_CTX_copy_ex(ctx, inner_keyed) && EVP_DigestUpdate(ctx, scope, slen) &&
		  EVP_DigestUpdate(ctx, "", 1) && EVP_DigestUpdate(ctx, payload, n) &&
		  EVP_DigestFinal_ex(ctx, inner, &len) && EVP_MD_CTX_copy_ex(ctx, outer_keyed) &&
		  EVP_DigestUpdate(ctx, inner, sizeof inner) && EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	return ok;
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
