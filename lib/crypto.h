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
/* SHA-256 of data as 64 lower-case hex characters + NUL */
void sha256_hex(const char *data, size_t len, char out[65]);

/* A fingerprint kept in the database (a retried request's, whose body may hold a password or
 * personal data): HMAC-SHA256 under a key derived from the service's secret, so that reading the
 * table does not let anyone test guesses offline. crypto_set_secret at start, before any thread;
 * every instance of one service must be given the same secret. */
bool crypto_set_secret(const void *secret, size_t len);
/* false when there is no key (crypto_set_secret not called, or failed) or OpenSSL failed */
bool keyed_sha256_hex(const char *data, size_t len, char out[65]);

#endif
