#include <argon2.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include "lib/crypto.h"
#include "lib/password.h"

static sem_t slots;
static bool bounded;
static char dummy_hash[PASSWORD_HASH_MAX];

bool password_init(int concurrency)
{
	if (sem_init(&slots, 0, (unsigned)(concurrency > 0 ? concurrency : 1)) != 0)
		return false;
	bounded = true;
	char pwd[RANDOM_TOKEN_LEN + 1];
	return random_token(pwd) && password_hash(pwd, strlen(pwd), dummy_hash);
}

static void enter(void)
{
	if (bounded)
		while (sem_wait(&slots) != 0)
			;
}

static void leave(void)
{
	if (bounded)
		sem_post(&slots);
}

bool password_hash(const char *pwd, size_t len, char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[16];
	if (len > PASSWORD_MAX_BYTES || !random_bytes(salt, sizeof salt))
		return false;
	enter();
	int rc = argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST, PASSWORD_PARALLELISM, pwd, len, salt,
				       sizeof salt, 32, out, PASSWORD_HASH_MAX);
	leave();
	return rc == ARGON2_OK;
}

bool password_verify(const char *encoded, const char *pwd, size_t len)
{
	if (!encoded || strncmp(encoded, "$argon2id$", 10) != 0 || len > PASSWORD_MAX_BYTES)
		return false;
	enter();
	int rc = argon2id_verify(encoded, pwd, len);
	leave();
	return rc == ARGON2_OK;
}

bool password_needs_rehash(const char *encoded)
{
	unsigned v = 0, m = 0, t = 0, p = 0;
	if (!encoded || sscanf(encoded, "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &m, &t, &p) != 4)
		return true;
	return v < ARGON2_VERSION_13 || m < PASSWORD_M_COST || t < PASSWORD_T_COST || p < PASSWORD_PARALLELISM;
}

void password_verify_dummy(const char *pwd, size_t len)
{
	if (dummy_hash[0])
		(void)password_verify(dummy_hash, pwd, len);
}
