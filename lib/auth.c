#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/auth.h"
#include "lib/b64.h"
#include "lib/crypto.h"
#include "lib/jsonin.h"
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

bool auth_verifier_init(struct auth_verifier *v, const char *audience)
{
	memset(v, 0, sizeof *v);
	if (strlen(audience) >= sizeof v->audience)
		return false;
	strcpy(v->audience, audience);
	v->leeway = AUTH_LEEWAY_SECONDS;
	return true;
}

static struct auth_key *new_key(struct auth_verifier *v, const char *issuer)
{
	if (v->nkeys >= AUTH_MAX_KEYS || strlen(issuer) >= sizeof v->keys[0].issuer || !*issuer)
		return NULL;
	for (int i = 0; i < v->nkeys; i++)
		if (strcmp(v->keys[i].issuer, issuer) == 0)
			return NULL; /* one key per issuer: iss must name exactly one */
	struct auth_key *k = &v->keys[v->nkeys];
	memset(k, 0, sizeof *k);
	strcpy(k->issuer, issuer);
	return k;
}

bool auth_add_hs256(struct auth_verifier *v, const char *issuer, const char *secret)
{
	size_t n = strlen(secret);
	struct auth_key *k = new_key(v, issuer);
	if (!k || n == 0 || n > AUTH_KEY_MAX)
		return false;
	k->alg = JWT_ALG_HS256;
	memcpy(k->verify, secret, n);
	memcpy(k->sign, secret, n);
	k->verify_len = k->sign_len = (int)n;
	v->nkeys++;
	return true;
}

/* The algorithm a public key is for: RS256 for RSA of 2048 bits or more, ES256 for P-256. */
static jwt_alg_t key_algorithm(const char *pem, size_t len, char *err, size_t errlen)
{
	jwt_alg_t alg = JWT_ALG_INVAL;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	if (!pkey) {
		snprintf(err, errlen, "not a PEM public key");
	} else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bits(pkey) >= 2048)
			alg = JWT_ALG_RS256;
		else
			snprintf(err, errlen, "RSA keys need at least 2048 bits");
	} else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
		char curve[64] = "";
		size_t clen = 0;
		EVP_PKEY_get_utf8_string_param(pkey, "group", curve, sizeof curve, &clen);
		if (strcmp(curve, "prime256v1") == 0 || strcmp(curve, "P-256") == 0)
			alg = JWT_ALG_ES256;
		else
			snprintf(err, errlen, "EC keys must be on P-256 (ES256), not %s", curve);
	} else {
		snprintf(err, errlen, "only RSA (RS256) and P-256 (ES256) keys are supported");
	}
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return alg;
}

bool auth_add_pem(struct auth_verifier *v, const char *issuer, const char *public_pem, size_t public_len,
		  const char *private_pem, size_t private_len, jwt_alg_t want, char *err, size_t errlen)
{
	if (public_len == 0 || public_len > AUTH_KEY_MAX || private_len > AUTH_KEY_MAX) {
		snprintf(err, errlen, "key file empty or larger than %d bytes", AUTH_KEY_MAX);
		return false;
	}
	jwt_alg_t alg = key_algorithm(public_pem, public_len, err, errlen);
	if (alg == JWT_ALG_INVAL)
		return false;
	if (want != JWT_ALG_NONE && want != alg) {
		snprintf(err, errlen, "the key is for %s, not %s", jwt_alg_str(alg), jwt_alg_str(want));
		return false;
	}
	struct auth_key *k = new_key(v, issuer);
	if (!k) {
		snprintf(err, errlen, "too many keys, or issuer \"%.60s\" empty, too long or given twice", issuer);
		return false;
	}
	k->alg = alg;
	memcpy(k->verify, public_pem, public_len);
	k->verify_len = (int)public_len;
	if (private_pem) {
		memcpy(k->sign, private_pem, private_len);
		k->sign_len = (int)private_len;
	}
	v->nkeys++;
	if (private_pem) {
		/* the pair must match: sign a token and verify it */
		struct caller probe = {.user_id = 1, .role = ROLE_VIEWER, .unit_id = 1}, back;
		char *token = NULL, why[96];
		struct auth_verifier one = *v;
		one.keys[0] = *k;
		one.nkeys = 1;
		bool ok = auth_mint(&one, &probe, 60, time(NULL), &token) &&
			  auth_verify(&one, token, time(NULL), &back, why, sizeof why);
		free(token);
		if (!ok) {
			v->nkeys--;
			snprintf(err, errlen, "the private key does not belong to the public key, or cannot sign");
			return false;
		}
	}
	return true;
}

bool auth_verifier_hs256(struct auth_verifier *v, const char *secret, const char *issuer,
			 const char *audience)
{
	return auth_verifier_init(v, audience) && auth_add_hs256(v, issuer, secret);
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

/* base64url JSON object of one token part; new or NULL. The bytes are not authenticated yet:
 * their nesting is bounded before jansson sees them. */
static json_t *decode_part(const char *p, size_t n)
{
	unsigned char raw[AUTH_TOKEN_MAX];
	size_t len = 0;
	if (!b64url_decode(p, n, raw, sizeof raw, &len) || !json_depth_within((const char *)raw, len, AUTH_JSON_MAX_DEPTH))
		return NULL;
	json_t *j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

bool auth_verify(const struct auth_verifier *v, const char *token, time_t now, struct caller *out,
		 char *why, size_t whylen)
{
	jwt_t *jwt = NULL;
	json_t *header = NULL, *claims = NULL;
	bool ok = false;

	size_t len = strnlen(token, AUTH_TOKEN_MAX + 1);
	if (len == 0 || len > AUTH_TOKEN_MAX) {
		fail(why, whylen, "token length");
		goto out;
	}
	/* three non-empty parts: libjwt would take an empty signature for alg "none" */
	const char *d1 = memchr(token, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
	if (!d1 || !d2 || d1 == token || d2 == d1 + 1 || d2 + 1 == token + len ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token))) {
		fail(why, whylen, "malformed token");
		goto out;
	}
	header = decode_part(token, (size_t)(d1 - token));
	claims = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
	if (!header || !claims) {
		fail(why, whylen, "malformed token");
		goto out;
	}
	/* the issuer picks the key; the key fixes the algorithm before any signature check */
	json_t *iss = json_object_get(claims, "iss");
	const struct auth_key *key = NULL;
	for (int i = 0; json_is_string(iss) && i < v->nkeys; i++)
		if (strcmp(v->keys[i].issuer, json_string_value(iss)) == 0)
			key = &v->keys[i];
	if (!key) {
		fail(why, whylen, "wrong issuer");
		goto out;
	}
	json_t *alg = json_object_get(header, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), jwt_alg_str(key->alg)) != 0) {
		fail(why, whylen, "algorithm not accepted");
		goto out;
	}
	/* RFC 7515 §4.1.11: we understand no critical extension, so any "crit" is refused */
	if (json_object_get(header, "crit")) {
		fail(why, whylen, "crit header not supported");
		goto out;
	}
	if (jwt_decode(&jwt, token, key->verify, key->verify_len) != 0 || !jwt) {
		fail(why, whylen, "bad signature or malformed token");
		goto out;
	}
	if (jwt_get_alg(jwt) != key->alg) {
		fail(why, whylen, "algorithm not accepted");
		goto out;
	}
	/* the signature covers the payload bytes parsed above */
	ok = check_claims(v, claims, now, out, why, whylen);
	if (ok)
		out->issuer = (int)(key - v->keys);
out:
	json_decref(header);
	json_decref(claims);
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
	if (!random_bytes(rnd, sizeof rnd))
		goto out;
	hex_lower(rnd, sizeof rnd, jti);
	snprintf(sub, sizeof sub, "%lld", c->user_id);
	if (jwt_new(&jwt) != 0)
		goto out;
	const struct auth_key *k = &v->keys[0];
	if (v->nkeys < 1 || k->sign_len == 0)
		goto out;
	if (jwt_add_grant(jwt, "iss", k->issuer) || jwt_add_grant(jwt, "aud", v->audience) ||
	    jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "role", role_name(c->role)) ||
	    jwt_add_grant_int(jwt, "unit_id", (long)c->unit_id) || jwt_add_grant_int(jwt, "iat", (long)now) ||
	    jwt_add_grant_int(jwt, "nbf", (long)now) || jwt_add_grant_int(jwt, "exp", (long)(now + ttl)) ||
	    jwt_add_grant(jwt, "jti", jti))
		goto out;
	if (jwt_set_alg(jwt, k->alg, k->sign, k->sign_len) != 0)
		goto out;
	*out = jwt_encode_str(jwt);
	ok = *out != NULL;
out:
	jwt_free(jwt);
	return ok;
}
