#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
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

void hex_lower(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		memset(md, 0, sizeof md); /* out of memory in OpenSSL: a hash that matches nothing real */
	hex_lower(md, sizeof md, out);
}

static unsigned char fingerprint_key[32];
static bool fingerprint_key_set;

bool crypto_set_secret(const void *secret, size_t len)
{
	/* a key of its own, so that a fingerprint never doubles as anything signed with the secret */
	unsigned int n = 0;
	fingerprint_key_set = HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)"tdkt fingerprint v1", 19,
				   fingerprint_key, &n) != NULL &&
			      n == sizeof fingerprint_key;
	return fingerprint_key_set;
}

bool keyed_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	if (!fingerprint_key_set ||
	    !HMAC(EVP_sha256(), fingerprint_key, sizeof fingerprint_key, (const unsigned char *)data, len, md, &n) ||
	    n != sizeof md)
		return false;
	hex_lower(md, sizeof md, out);
	return true;
}
