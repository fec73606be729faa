/* Small cryptographic helpers over OpenSSL: random bytes and tokens, SHA-256. */
#ifndef TDKT_CRYPTO_H
#define TDKT_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

#define RANDOM_TOKEN_LEN 43   /* base64url of 32 random bytes (256 bits) */

bool random_bytes(void *out, size_t n);
/* 256 random bits as base64url, NUL-terminated into out[RANDOM_TOKEN_LEN + 1] */
bool random_token(char out[RANDOM_TOKEN_LEN + 1]);
/* n bytes as 2n lower-case hex characters + NUL */
void hex_lower(const unsigned char *in, size_t n, char *out);
/* SHA-256 of data as 64 lower-case hex characters + NUL; false when OpenSSL failed (out of memory),
 * and then out is no hash: a caller that stores or looks one up must not go on */
bool sha256_hex(const char *data, size_t len, char out[65]);

/* An HMAC-SHA256 key (RFC 2104) derived from a secret for one use, as HMAC-SHA256(secret, label),
 * so that nothing it signs doubles as anything signed with the secret or with another label. Its
 * two padded blocks are hashed once, at derivation: each MAC then copies those states and hashes
 * the message and the inner digest (the one-shot HMAC() looked up the digest, keyed and freed a
 * context every time: 20,000 instructions a list page's cursor, this about 4,000). Read-only once
 * derived, so threads share it. */
struct evp_md_st;
struct evp_md_ctx_st;
struct hmac_key {
	struct evp_md_st *md;
	struct evp_md_ctx_st *inner, *outer; /* NULL: no key, every MAC fails */
};
struct bytes {
	const void *data;
	size_t len;
};
/* false, and k without a key, when OpenSSL failed; k's earlier key is freed either way */
bool hmac_key_derive(struct hmac_key *k, const void *secret, size_t len, const char *label);
void hmac_key_free(struct hmac_key *k);
/* HMAC of the n parts one after the other; false when k has no key or OpenSSL failed */
bool hmac_sha256(const struct hmac_key *k, const struct bytes *parts, int n, unsigned char out[32]);

/* A fingerprint kept in the database (a retried request's, whose body may hold a password or
 * personal data): HMAC-SHA256 under a key derived from the service's secret, so that reading the
 * table does not let anyone test guesses offline. crypto_set_secret at start, before any thread;
 * every instance of one service must be given the same secret. */
bool crypto_set_secret(const void *secret, size_t len);
/* false when there is no key (crypto_set_secret not called, or failed) or OpenSSL failed */
bool keyed_sha256_hex(const char *data, size_t len, char out[65]);

#endif
