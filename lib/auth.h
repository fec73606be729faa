/* Access tokens: JWT verification and minting with libjwt 1.10, which has no claim validator
 * and takes the algorithm from the token — so the algorithm is pinned here and every claim is
 * checked here: exp required, nbf, iss and aud, with a leeway.
 *
 * A verifier holds keys, each bound to one issuer and exactly one algorithm (RFC 8725 §3.1):
 * ours (HS256 secret, or an RS256/ES256 key pair) and those of trusted external issuers (public
 * key only). A token's `iss` picks the key; its header `alg` must be that key's algorithm before
 * any signature is checked, so a public key can never be used as an HMAC secret. `kid` is
 * never used to find anything. */
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
	/* which key's issuer signed it: 0 ours, else a trusted external issuer's (its user ids are its
	 * own: user 5 of the national system is not our user 5) */
	int issuer;
};

/* Is a token with these times valid at `now` (with leeway)? For cached verifications. */
bool auth_times_valid(const struct caller *c, time_t now, long leeway);

#define AUTH_LEEWAY_SECONDS 60
#define AUTH_TOKEN_MAX 8192
/* nesting allowed in a token's header and claims: objects holding arrays (aud) and, from
 * external issuers, an object or two more (role claims) */
#define AUTH_JSON_MAX_DEPTH 6

#define AUTH_KEY_MAX 4096
#define AUTH_MAX_KEYS 8

struct auth_key {
	char issuer[128];
	jwt_alg_t alg;                       /* the one algorithm this key is for */
	unsigned char verify[AUTH_KEY_MAX];  /* HMAC secret, or public key PEM */
	int verify_len;
	unsigned char sign[AUTH_KEY_MAX];    /* HMAC secret, or private key PEM; empty: verify only */
	int sign_len;
};

struct auth_verifier {
	struct auth_key keys[AUTH_MAX_KEYS]; /* keys[0] is ours and signs */
	int nkeys;
	char audience[128];
	long leeway;                         /* seconds */
};

/* Empty verifier for `audience`. */
bool auth_verifier_init(struct auth_verifier *v, const char *audience);
/* Adds an HS256 key (signs and verifies). */
bool auth_add_hs256(struct auth_verifier *v, const char *issuer, const char *secret);
/* Adds an RS256 (RSA >= 2048 bits) or ES256 (P-256) key, the algorithm read from the public key;
 * `want`, when not JWT_ALG_NONE, must match it. private_pem may be NULL (verify only); when
 * given it must belong to the public key. On failure a reason in err. */
bool auth_add_pem(struct auth_verifier *v, const char *issuer, const char *public_pem, size_t public_len,
		  const char *private_pem, size_t private_len, jwt_alg_t want, char *err, size_t errlen);

/* "admin" etc.; NULL for an out-of-range value */
const char *role_name(enum role r);
/* false when s is not a role name */
bool role_parse(const char *s, enum role *out);

/* init + add_hs256: our HS256 key (copied). false when the secret is too long. */
bool auth_verifier_hs256(struct auth_verifier *v, const char *secret, const char *issuer,
			 const char *audience);

/* Verifies a compact JWS at time `now`. On failure returns false with a short reason for logs
 * and WWW-Authenticate (never the token itself). */
bool auth_verify(const struct auth_verifier *v, const char *token, time_t now, struct caller *out,
		 char *why, size_t whylen);

/* Mints a token for c valid for ttl seconds from now; *out is new (free()). */
bool auth_mint(const struct auth_verifier *v, const struct caller *c, long ttl, time_t now, char **out);

#endif
