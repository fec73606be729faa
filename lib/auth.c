#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/auth.h"
#include "lib/router.h"

static const char *const role_names[ROLE_COUNT] = {"admin", "authority", "officer", "viewer",
						   "integration"};

const char *role_name(enum role r)
{
	return (r >= 0 && r < ROLE_COUNT) ? role_names[r] : NULL;
}

bool role_parse(const char *s, enum role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(role_names[i], s) == 0) {
			*out = (enum role)i;
			return true;
		}
	return false;
}

bool auth_verifier_hs256(struct auth_verifier *v, const char *secret, const char *issuer,
			 const char *audience)
{
	memset(v, 0, sizeof *v);
	size_t n = strlen(secret);
	if (n > sizeof v->key || strlen(issuer) >= sizeof v->issuer || strlen(audience) >= sizeof v->audience)
		return false;
	v->alg = JWT_ALG_HS256;
	memcpy(v->key, secret, n);
	v->key_len = (int)n;
	strcpy(v->issuer, issuer);
	strcpy(v->audience, audience);
	v->leeway = AUTH_LEEWAY_SECONDS;
	return true;
}

static bool fail(char *why, size_t whylen, const char *reason)
{
	snprintf(why, whylen, "%s", reason);
	return false;
}

static bool audience_ok(json_t *aud, const char *want)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), want) == 0;
	if (json_is_array(aud)) {
		size_t i;
		json_t *a;
		json_array_foreach(aud, i, a)
			if (json_is_string(a) && strcmp(json_string_value(a), want) == 0)
				return true;
	}
	return false;
}

static bool check_claims(const struct auth_verifier *v, json_t *claims, time_t now, struct caller *out,
			 char *why, size_t whylen)
{
	json_t *exp = json_object_get(claims, "exp");
	if (!json_is_integer(exp))
		return fail(why, whylen, "exp missing");
	if ((long long)now > json_integer_value(exp) + v->leeway)
		return fail(why, whylen, "token expired");
	json_t *nbf = json_object_get(claims, "nbf");
	if (nbf && !json_is_integer(nbf))
		return fail(why, whylen, "nbf malformed");
	if (nbf && (long long)now + v->leeway < json_integer_value(nbf))
		return fail(why, whylen, "token not yet valid");
	json_t *iss = json_object_get(claims, "iss");
	if (!json_is_string(iss) || strcmp(json_string_value(iss), v->issuer) != 0)
		return fail(why, whylen, "wrong issuer");
	if (!audience_ok(json_object_get(claims, "aud"), v->audience))
		return fail(why, whylen, "wrong audience");

	json_t *sub = json_object_get(claims, "sub");
	if (json_is_string(sub)) {
		if (!parse_id(json_string_value(sub), json_string_length(sub), &out->user_id))
			return fail(why, whylen, "sub malformed");
	} else {
		return fail(why, whylen, "sub missing");
	}
	json_t *role = json_object_get(claims, "role");
	if (!json_is_string(role) || !role_parse(json_string_value(role), &out->role))
		return fail(why, whylen, "role missing or unknown");
	json_t *unit = json_object_get(claims, "unit_id");
	if (!json_is_integer(unit) || json_integer_value(unit) < 1)
		return fail(why, whylen, "unit_id missing");
	out->unit_id = json_integer_value(unit);
	out->expires_at = json_integer_value(exp);
	out->not_before = nbf ? json_integer_value(nbf) : 0;
	return true;
}

bool auth_times_valid(const struct caller *c, time_t now, long leeway)
{
	return (long long)now <= c->expires_at + leeway && (long long)now + leeway >= c->not_before;
}

bool auth_verify(const struct auth_verifier *v, const char *token, time_t now, struct caller *out,
		 char *why, size_t whylen)
{
	jwt_t *jwt = NULL;
	char *claims_text = NULL;
	json_t *claims = NULL;
	bool ok = false;

	size_t len = strnlen(token, AUTH_TOKEN_MAX + 1);
	if (len == 0 || len > AUTH_TOKEN_MAX) {
		fail(why, whylen, "token length");
		goto out;
	}
	/* libjwt accepts an empty signature for alg "none" even when given a key in some versions:
	 * insist on three non-empty parts before handing it over */
	const char *d1 = memchr(token, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
	if (!d1 || !d2 || d1 == token || d2 == d1 + 1 || d2 + 1 == token + len ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token))) {
		fail(why, whylen, "malformed token");
		goto out;
	}
	if (jwt_decode(&jwt, token, v->key, v->key_len) != 0 || !jwt) {
		fail(why, whylen, "bad signature or malformed token");
		goto out;
	}
	if (jwt_get_alg(jwt) != v->alg) {
		fail(why, whylen, "algorithm not accepted");
		goto out;
	}
	/* RFC 7515 §4.1.11: we understand no critical extension, so any "crit" is refused */
	char *crit = jwt_get_headers_json(jwt, "crit");
	if (crit) {
		free(crit);
		fail(why, whylen, "crit header not supported");
		goto out;
	}
	claims_text = jwt_get_grants_json(jwt, NULL);
	if (!claims_text) {
		fail(why, whylen, "no claims");
		goto out;
	}
	claims = json_loads(claims_text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(claims)) {
		fail(why, whylen, "claims malformed");
		goto out;
	}
	ok = check_claims(v, claims, now, out, why, whylen);
out:
	json_decref(claims);
	free(claims_text);
	jwt_free(jwt);
	return ok;
}

bool auth_mint(const struct auth_verifier *v, const struct caller *c, long ttl, time_t now, char **out)
{
	jwt_t *jwt = NULL;
	bool ok = false;
	char sub[24], jti[33];
	unsigned char rnd[16];
	*out = NULL;
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		goto out;
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	snprintf(sub, sizeof sub, "%lld", c->user_id);
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grant(jwt, "iss", v->issuer) || jwt_add_grant(jwt, "aud", v->audience) ||
	    jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "role", role_name(c->role)) ||
	    jwt_add_grant_int(jwt, "unit_id", (long)c->unit_id) || jwt_add_grant_int(jwt, "iat", (long)now) ||
	    jwt_add_grant_int(jwt, "nbf", (long)now) || jwt_add_grant_int(jwt, "exp", (long)(now + ttl)) ||
	    jwt_add_grant(jwt, "jti", jti))
		goto out;
	if (jwt_set_alg(jwt, v->alg, v->key, v->key_len) != 0)
		goto out;
	*out = jwt_encode_str(jwt);
	ok = *out != NULL;
out:
	jwt_free(jwt);
	return ok;
}

enum refresh_outcome refresh_decide(bool found, bool revoked, bool rotated, bool expired, bool user_active)
{
	if (!found || revoked)
		return REFRESH_REJECT;
	if (rotated || !user_active)
		return REFRESH_REVOKE_FAMILY;
	if (expired)
		return REFRESH_REJECT;
	return REFRESH_ROTATE;
}
