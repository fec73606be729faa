#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include "lib/b64.h"
#include "lib/crypto.h"

bool random_bytes(void *out, size_t n)
{
	return RAND_bytes(out, (int)n) == 1;
}

bool random_token(char out[RANDOM_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	return random_bytes(raw, sizeof raw) && b64url_encode(raw, sizeof raw, out, RANDOM_TOKEN_LEN + 1) == RANDOM_TOKEN_LEN;
}

static void hex32(const unsigned char md[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex32(md, out);
}

static unsigned char fingerprint_key[32];

void crypto_set_secret(const void *secret, size_t len)
{
	/* a key of its own, so that a fingerprint never doubles as anything signed with the secret */
	unsigned int n = 0;
	HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)"tdkt fingerprint v1", 19, fingerprint_key, &n);
}

void keyed_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), fingerprint_key, sizeof fingerprint_key, (const unsigned char *)data, len, md, &n);
	hex32(md, out);
}
