/* The token verifier the fuzz harnesses share: HS256, the service's issuer and audience, made
 * once per process. */
#ifndef TDKT_FUZZ_VERIFIER_H
#define TDKT_FUZZ_VERIFIER_H
#include "lib/auth.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef012345"

static inline const struct auth_verifier *fuzz_verifier(void)
{
	static struct auth_verifier v;
	static int ready;
	if (!ready) {
		auth_verifier_hs256(&v, FUZZ_SECRET, "tdkt", "tdkt");
		ready = 1;
	}
	return &v;
}

#endif
