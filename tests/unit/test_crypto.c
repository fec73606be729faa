/* SHA-256 and the keyed fingerprint kept for retried requests (lib/crypto.c). */
#include <openssl/hmac.h>
#include <string.h>
#include "lib/crypto.h"
#include "tests/unit/check.h"

static void hex(const unsigned char *md, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int main(void)
{
	char a[65], b[65], plain[65], want[65];
	/* FIPS 180-2's "abc" */
	sha256_hex("abc", 3, plain);
	CHECK(strcmp(plain, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256 of abc: %s", plain);

	static const char body[] = "POST\n/v1/me/password\n\napplication/json\n{\"password\":\"hunter2\"}";
	CHECK(!keyed_sha256_hex(body, strlen(body), a), "no key set: no fingerprint (never one under a zero key)");
	CHECK(crypto_set_secret("the service's secret, 32 bytes..", 32), "the key derived");
	CHECK(keyed_sha256_hex(body, strlen(body), a) && keyed_sha256_hex(body, strlen(body), b) && strcmp(a, b) == 0,
	      "the same request, the same fingerprint");
	sha256_hex(body, strlen(body), plain);
	CHECK(strcmp(a, plain) != 0, "not the plain SHA-256 anybody could recompute from a guess");

	/* HMAC-SHA256 under HMAC-SHA256(secret, "tdkt fingerprint v1"): the key is derived, not the secret */
	unsigned char key[32], md[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), "the service's secret, 32 bytes..", 32, (const unsigned char *)"tdkt fingerprint v1", 19, key, &n);
	HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)body, strlen(body), md, &n);
	hex(md, want);
	CHECK(strcmp(a, want) == 0, "HMAC under the derived key: %s", a);
	HMAC(EVP_sha256(), "the service's secret, 32 bytes..", 32, (const unsigned char *)body, strlen(body), md, &n);
	hex(md, want);
	CHECK(strcmp(a, want) != 0, "not an HMAC under the secret itself");

	/* another deployment's secret: another fingerprint */
	crypto_set_secret("another secret, also 32 bytes lo", 32);
	CHECK(keyed_sha256_hex(body, strlen(body), b) && strcmp(a, b) != 0, "another secret, another fingerprint");

	/* a message in parts is the same message; a key freed signs nothing */
	struct hmac_key k = {0};
	unsigned char one[32], parts[32];
	CHECK(!hmac_sha256(&k, &(struct bytes){"ab", 2}, 1, one), "no key: no MAC");
	CHECK(hmac_key_derive(&k, "s", 1, "label") && hmac_key_derive(&k, "s", 1, "label"), "derived, and again");
	const struct bytes split[] = {{"a", 1}, {"", 0}, {"b", 1}};
	CHECK(hmac_sha256(&k, &(struct bytes){"ab", 2}, 1, one) && hmac_sha256(&k, split, 3, parts) &&
	      memcmp(one, parts, 32) == 0, "parts hashed as one message");
	HMAC(EVP_sha256(), "s", 1, (const unsigned char *)"label", 5, key, &n);
	HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)"ab", 2, md, &n);
	CHECK(memcmp(one, md, 32) == 0, "HMAC under HMAC(secret, label)");
	hmac_key_free(&k);
	CHECK(!hmac_sha256(&k, &(struct bytes){"ab", 2}, 1, one) && !k.inner && !k.md, "freed: no MAC");

	char h[9];
	hex_lower((const unsigned char *)"\x00\x9f\xa0\xff", 4, h);
	CHECK(strcmp(h, "009fa0ff") == 0, "hex, lower case: %s", h);
	return check_done("crypto");
}
