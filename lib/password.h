/* Password hashing with argon2id (libargon2), stored as the encoded PHC string
 * ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so its parameters can be raised later: a login with an
 * older, weaker hash is re-hashed. Parameters: OWASP's current advice, m = 19 MiB, t = 2, p = 1.
 * Hashing is memory-hard on purpose, so at most `concurrency` hashes run at once. */
#ifndef TDKT_PASSWORD_H
#define TDKT_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 128
#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128
/* what the longest password takes in UTF-8 (4 bytes a character): every password the JSON
 * checks let through can be hashed */
#define PASSWORD_MAX_BYTES (4 * PASSWORD_MAX_CHARS)

#define PASSWORD_T_COST 2
#define PASSWORD_M_COST 19456   /* KiB */
#define PASSWORD_PARALLELISM 1

/* Bounds concurrent hashing (call once, before threads); without it there is no bound. */
bool password_init(int concurrency);

bool password_hash(const char *pwd, size_t len, char out[PASSWORD_HASH_MAX]);
/* false on mismatch and on a malformed hash */
bool password_verify(const char *encoded, const char *pwd, size_t len);
/* true when the hash is not argon2id or has weaker parameters than the current ones */
bool password_needs_rehash(const char *encoded);
/* Spends the time of one verification, for unknown usernames (no timing oracle). */
void password_verify_dummy(const char *pwd, size_t len);

#endif
