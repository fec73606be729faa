/* argon2id hashing: round trip, wrong passwords, malformed hashes, rehash detection. */
#include <string.h>
#include "lib/crypto.h"
#include "lib/password.h"
#include "tests/unit/check.h"

int main(void)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	const char *pw = "Thanh tra Lạng Sơn 2022!";
	CHECK(password_init(2), "init");
	CHECK(password_hash(pw, strlen(pw), h1), "hash");
	CHECK(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0, "PHC string with the parameters: %s", h1);
	CHECK(password_verify(h1, pw, strlen(pw)), "verify");
	CHECK(!password_verify(h1, "Thanh tra Lang Son 2022!", 24), "wrong password");
	CHECK(!password_verify(h1, pw, strlen(pw) - 1), "prefix of the password");
	CHECK(!password_verify(h1, "", 0), "empty password");
	CHECK(password_hash(pw, strlen(pw), h2) && strcmp(h1, h2) != 0, "salted: two hashes differ");
	CHECK(!password_needs_rehash(h1), "current parameters need no rehash");

	static const char *const bad[] = {"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
					  "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$garbage", NULL};
	for (int i = 0; bad[i]; i++)
		CHECK(!password_verify(bad[i], pw, strlen(pw)), "malformed hash refused: %s", bad[i]);
	CHECK(!password_verify(NULL, pw, strlen(pw)), "NULL hash refused");

	CHECK(password_needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo"), "weaker m");
	CHECK(password_needs_rehash("$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo"), "weaker t");
	CHECK(password_needs_rehash("$argon2i$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"), "argon2i");
	CHECK(password_needs_rehash("nonsense"), "nonsense");
	CHECK(!password_needs_rehash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"), "stronger is fine");

	char big[PASSWORD_MAX_BYTES + 2];
	memset(big, 'x', sizeof big);
	CHECK(!password_hash(big, sizeof big, h2), "over-long password refused");

	char t1[RANDOM_TOKEN_LEN + 1], t2[RANDOM_TOKEN_LEN + 1];
	CHECK(random_token(t1) && random_token(t2) && strlen(t1) == 43 && strcmp(t1, t2) != 0, "random tokens");
	char hex[65];
	sha256_hex("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256");
	password_verify_dummy(pw, strlen(pw));
	return check_done("password");
}
