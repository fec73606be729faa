/* libFuzzer: the JSON inside a token. Random bytes seldom make valid base64url of deep JSON, so
 * this harness takes the fuzz input as the decoded header or claims and wraps it into a token:
 * byte 0 chooses the part, byte 1 how many times the rest is repeated (so "[[" can become a
 * thousand levels, as an attacker writes them). The token is verified on a thread with the
 * 100 KiB stack Debian's CivetWeb gives its workers: a parser that recursed on unauthenticated
 * bytes is found as a crash here. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/b64.h"
#include "tests/fuzz/verifier.h"

struct job {
	const struct auth_verifier *v;
	const char *token;
};

static void *verify(void *arg)
{
	struct job *j = arg;
	struct caller c;
	char why[96];
	auth_verify(j->v, j->token, 1800000000, &c, why, sizeof why);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > AUTH_TOKEN_MAX / 2)
		return 0;
	/* the part: the rest of the input, repeated, within what fits in a token */
	size_t unit = size - 2, reps = data[1] ? data[1] : 1;
	if (unit * reps > AUTH_TOKEN_MAX * 3 / 4)
		reps = unit ? AUTH_TOKEN_MAX * 3 / 4 / unit : 1;
	unsigned char *part = malloc(unit * reps + 1);
	if (!part)
		return 0;
	for (size_t i = 0; i < reps; i++)
		memcpy(part + i * unit, data + 2, unit);
	size_t partn = unit * reps;
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	static const char claims[] = "{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"1\",\"role\":\"admin\",\"unit_id\":1,"
				     "\"exp\":1900000000}";
	bool as_header = data[0] & 1;
	const unsigned char *h = as_header ? part : (const unsigned char *)header;
	size_t hn = as_header ? partn : strlen(header);
	const unsigned char *p = as_header ? (const unsigned char *)claims : part;
	size_t pn = as_header ? strlen(claims) : partn;
	size_t cap = (hn + pn) * 2 + 16;
	char *token = malloc(cap);
	if (!token) {
		free(part);
		return 0;
	}
	size_t a = b64url_encode(h, hn, token, cap);
	token[a] = '.';
	size_t b = b64url_encode(p, pn, token + a + 1, cap - a - 1);
	memcpy(token + a + 1 + b, ".AAAA", 6);

	struct job j = {fuzz_verifier(), token};
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 102400);
	if (pthread_create(&t, &attr, verify, &j) == 0)
		pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	free(token);
	free(part);
	return 0;
}
