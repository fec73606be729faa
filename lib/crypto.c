#include <openssl/evp.h>
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

void sha256_hex(const char *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
