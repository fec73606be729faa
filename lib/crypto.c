#include <openssl/crypto.h>
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

bool sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	out[0] = '\0';
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return false; /* a zero hash would match another failure's, stored or looked up */
	hex_lower(md, sizeof md, out);
	return true;
}

bool hmac_key_derive(struct hmac_key *k, const void *secret, size_t len, const char *label)
{
	static const unsigned char pads[2] = {0x36, 0x5c};
	unsigned char derived[32], block[64];
	unsigned int n = 0;
	hmac_key_free(k);
	bool ok = HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)label, strlen(label), derived, &n) &&
		  n == sizeof derived && (k->md = EVP_MD_fetch(NULL, "SHA256", NULL)) != NULL;
	EVP_MD_CTX **sides[2] = {&k->inner, &k->outer};
	for (int s = 0; ok && s < 2; s++) {
		memset(block, pads[s], sizeof block);
		for (size_t i = 0; i < sizeof derived; i++)
			block[i] ^= derived[i];
		ok = (*sides[s] = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(*sides[s], k->md, NULL) &&
		     EVP_DigestUpdate(*sides[s], block, sizeof block);
	}
	OPENSSL_cleanse(derived, sizeof derived);
	OPENSSL_cleanse(block, sizeof block);
	if (!ok)
		hmac_key_free(k);
	return ok;
}

void hmac_key_free(struct hmac_key *k)
{
	/* the keyed states hold what the key was hashed into: freeing cleanses them */
	EVP_MD_CTX_free(k->inner);
	EVP_MD_CTX_free(k->outer);
	EVP_MD_free(k->md);
	*k = (struct hmac_key){0};
}

bool hmac_sha256(const struct hmac_key *k, const struct bytes *parts, int n, unsigned char out[32])
{
	unsigned char inner[32];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = k->inner ? EVP_MD_CTX_new() : NULL;
	bool ok = ctx && EVP_MD_CTX_copy_ex(ctx, k->inner);
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, inner, &len) && EVP_MD_CTX_copy_ex(ctx, k->outer) &&
	     EVP_DigestUpdate(ctx, inner, sizeof inner) && EVP_DigestFinal_ex(ctx, out, &len) && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static struct hmac_key fingerprint_key;

bool crypto_set_secret(const void *secret, size_t len)
{
	return hmac_key_derive(&fingerprint_key, secret, len, "tdkt fingerprint v1");
}

bool keyed_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	if (!hmac_sha256(&fingerprint_key, &(struct bytes){data, len}, 1, md))
		return false;
	hex_lower(md, sizeof md, out);
	return true;
}
