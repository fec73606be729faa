/* Access tokens: JWT verification and minting with libjwt 1.10, which has no claim validator
 * and takes the algorithm from the token — so the algorithm is pinned here and every claim is
 * checked here: exp required, nbf, iss and aud, with a leeway. */
#ifndef TDKT_AUTH_H
#define TDKT_AUTH_H
#include <jwt.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum role { ROLE_ADMIN, ROLE_AUTHORITY, ROLE_OFFICER, ROLE_VIEWER, ROLE_INTEGRATION, ROLE_COUNT };

struct caller {
	long long user_id;
	enum role role;
	long long unit_id;
	long long expires_at;   /* the token's exp */
	long long not_before;   /* the token's nbf, 0 when absent */
};

/* Is a token with these times valid at `now` (with leeway)? For cached verifications. */
bool auth_times_valid(const struct caller *c, time_t now, long leeway);

#define AUTH_LEEWAY_SECONDS 60
#define AUTH_TOKEN_MAX 8192

struct auth_verifier {
	jwt_alg_t alg;               /* the one algorithm this key is for */
	unsigned char key[512];
	int key_len;
	char issuer[128];
	char audience[128];
	long leeway;                 /* seconds */
};

/* "admin" etc.; NULL for an out-of-range value */
const char *role_name(enum role r);
/* false when s is not a role name */
bool role_parse(const char *s, enum role *out);

/* HS256 verifier from a secret (copied). false when the secret is too long. */
bool auth_verifier_hs256(struct auth_verifier *v, const char *secret, const char *issuer,
			 const char *audience);

/* Verifies a compact JWS at time `now`. On failure returns false with a short reason for logs
 * and WWW-Authenticate (never the token itself). */
bool auth_verify(const struct auth_verifier *v, const char *token, time_t now, struct caller *out,
		 char *why, size_t whylen);

/* What to do with a presented refresh token (api/auth.c), as a pure function for testing. */
enum refresh_outcome {
	REFRESH_ROTATE,          /* valid: mark it rotated, issue its successor */
	REFRESH_REJECT,          /* unknown, revoked or expired: 401 */
	REFRESH_REVOKE_FAMILY,   /* already rotated (a copy is in use) or the user is inactive: revoke
				    every token of the family, then 401 */
};
enum refresh_outcome refresh_decide(bool found, bool revoked, bool rotated, bool expired, bool user_active);

/* Mints a token for c valid for ttl seconds from now; *out is new (free()). */
bool auth_mint(const struct auth_verifier *v, const struct caller *c, long ttl, time_t now, char **out);

#endif
