/* JWT verification table: the token kinds an attacker or a broken client can send. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/auth.h"
#include "api/refresh.h"
#include "lib/b64.h"
#include <pthread.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "tests/unit/check.h"

#define SECRET "0123456789abcdef0123456789abcdef"

/* a token with exactly these claims, signed with alg and key (extra header fields optional) */
static char *make(const char *claims, jwt_alg_t alg, const char *key, const char *header_json)
{
	jwt_t *jwt = NULL;
	char *out = NULL;
	if (jwt_new(&jwt) == 0 && jwt_add_grants_json(jwt, claims) == 0 &&
	    (!header_json || jwt_add_headers_json(jwt, header_json) == 0) &&
	    jwt_set_alg(jwt, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0) == 0)
		out = jwt_encode_str(jwt);
	jwt_free(jwt);
	return out;
}

/* base64url(header).base64url(payload).signature from raw parts */
static char *raw(const char *header, const char *payload, const char *sig)
{
	size_t hn = strlen(header) * 4 / 3 + 4, pn = strlen(payload) * 4 / 3 + 4;
	char *h = malloc(hn), *p = malloc(pn), *out = malloc(hn + pn + strlen(sig) + 3);
	size_t a = b64url_encode((const unsigned char *)header, strlen(header), h, hn);
	size_t b = b64url_encode((const unsigned char *)payload, strlen(payload), p, pn);
	h[a] = p[b] = '\0';
	sprintf(out, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return out;
}

/* a PEM of a freshly generated key; new (free()) */
static char *pem_of(EVP_PKEY *key, int private_part, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (private_part)
		PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(bio, key);
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

/* RS256 and ES256 keys, external issuers, and algorithm confusion */
static void asymmetric_keys(time_t now)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *rsa_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ec384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	size_t rpub_n, rpriv_n, epub_n, epriv_n, small_n, e384_n;
	char *rpub = pem_of(rsa, 0, &rpub_n), *rpriv = pem_of(rsa, 1, &rpriv_n);
	char *epub = pem_of(ec, 0, &epub_n), *epriv = pem_of(ec, 1, &epriv_n);
	char *small = pem_of(rsa_small, 0, &small_n), *e384 = pem_of(ec384, 0, &e384_n);
	char err[160], why[96], *t = NULL;
	struct caller who = {.user_id = 9, .role = ROLE_INTEGRATION, .unit_id = 3}, got;

	static struct auth_verifier ours, national, confused;
	auth_verifier_init(&ours, "tdkt");
	CHECK(auth_add_pem(&ours, "tdkt", rpub, rpub_n, rpriv, rpriv_n, JWT_ALG_NONE, err, sizeof err), "RS256 pair: %s", err);
	CHECK(ours.keys[0].alg == JWT_ALG_RS256, "RSA means RS256");
	CHECK(auth_add_pem(&ours, "national-system", epub, epub_n, NULL, 0, JWT_ALG_ES256, err, sizeof err),
	      "ES256 external issuer: %s", err);
	auth_verifier_init(&national, "tdkt");
	CHECK(auth_add_pem(&national, "national-system", epub, epub_n, epriv, epriv_n, JWT_ALG_NONE, err, sizeof err),
	      "ES256 pair: %s", err);

	CHECK(auth_mint(&ours, &who, 600, now, &t) && auth_verify(&ours, t, now, &got, why, sizeof why) &&
		      got.user_id == 9, "RS256 round trip (%s)", why);
	free(t);
	CHECK(auth_mint(&national, &who, 600, now, &t) && auth_verify(&ours, t, now, &got, why, sizeof why) &&
		      got.role == ROLE_INTEGRATION && got.unit_id == 3, "external ES256 token accepted, claims mapped (%s)", why);
	free(t);

	/* HS256 signed with our RSA public key as the HMAC secret: the classic confusion */
	auth_verifier_init(&confused, "tdkt");
	auth_add_hs256(&confused, "tdkt", rpub);
	CHECK(auth_mint(&confused, &who, 600, now, &t) && !auth_verify(&ours, t, now, &got, why, sizeof why),
	      "HS256 with the public key as secret refused");
	free(t);
	/* our key signing a token that claims the external issuer */
	auth_verifier_init(&confused, "tdkt");
	CHECK(auth_add_pem(&confused, "national-system", rpub, rpub_n, rpriv, rpriv_n, JWT_ALG_NONE, err, sizeof err), "probe key");
	CHECK(auth_mint(&confused, &who, 600, now, &t) && !auth_verify(&ours, t, now, &got, why, sizeof why),
	      "a key answers for its own issuer only");
	free(t);
	/* the external issuer's key signing a token in our name */
	auth_verifier_init(&confused, "tdkt");
	auth_add_pem(&confused, "tdkt", epub, epub_n, epriv, epriv_n, JWT_ALG_NONE, err, sizeof err);
	CHECK(auth_mint(&confused, &who, 600, now, &t) && !auth_verify(&ours, t, now, &got, why, sizeof why),
	      "ES256 token under our issuer refused (%s)", why);
	free(t);

	static struct auth_verifier bad;
	auth_verifier_init(&bad, "tdkt");
	CHECK(!auth_add_pem(&bad, "x", small, small_n, NULL, 0, JWT_ALG_NONE, err, sizeof err), "1024-bit RSA refused");
	CHECK(!auth_add_pem(&bad, "x", e384, e384_n, NULL, 0, JWT_ALG_NONE, err, sizeof err), "P-384 refused");
	CHECK(!auth_add_pem(&bad, "x", rpub, rpub_n, NULL, 0, JWT_ALG_ES256, err, sizeof err), "RSA key declared ES256 refused");
	CHECK(!auth_add_pem(&bad, "x", rpub, rpub_n, epriv, epriv_n, JWT_ALG_NONE, err, sizeof err), "mismatched pair refused");
	CHECK(!auth_add_pem(&bad, "x", "garbage", 7, NULL, 0, JWT_ALG_NONE, err, sizeof err), "garbage refused");
	CHECK(auth_add_pem(&bad, "y", epub, epub_n, NULL, 0, JWT_ALG_NONE, err, sizeof err) &&
		      !auth_add_pem(&bad, "y", epub, epub_n, NULL, 0, JWT_ALG_NONE, err, sizeof err), "one key per issuer");

	free(rpub); free(rpriv); free(epub); free(epriv); free(small); free(e384);
	EVP_PKEY_free(rsa); EVP_PKEY_free(rsa_small); EVP_PKEY_free(ec); EVP_PKEY_free(ec384);
}

struct token_case {
	const char *name;
	char *token;  /* owned */
	bool ok;
};
static struct token_case cases[40];

/* auth_verify on a thread with CivetWeb's worker stack */
struct verify_job {
	const struct auth_verifier *v;
	const char *token;
	time_t now;
	bool ok;
};

static void *verify_job_run(void *arg)
{
	struct verify_job *j = arg;
	struct caller c;
	char why[96];
	j->ok = auth_verify(j->v, j->token, j->now, &c, why, sizeof why);
	return NULL;
}

static bool run_on_small_stack(struct verify_job *job)
{
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	/* lib/threadstack.c raises stacks only after thread_stack_set_min, never called here */
	bool started = pthread_attr_setstacksize(&attr, 102400) == 0 && pthread_create(&t, &attr, verify_job_run, job) == 0;
	pthread_attr_destroy(&attr);
	if (started)
		pthread_join(t, NULL);
	return started;
}

static void add(int *n, const char *name, char *token, bool ok)
{
	cases[*n].name = name;
	cases[*n].token = token;
	cases[*n].ok = ok;
	(*n)++;
}

int main(void)
{
	struct auth_verifier v, other_iss, other_aud, other_key, hs384;
	time_t now = time(NULL);
	auth_verifier_hs256(&v, SECRET, "tdkt", "tdkt");
	auth_verifier_hs256(&other_iss, SECRET, "someone-else", "tdkt");
	auth_verifier_hs256(&other_aud, SECRET, "tdkt", "another-api");
	auth_verifier_hs256(&other_key, "a different secret of 32+ bytes!!", "tdkt", "tdkt");
	hs384 = v;
	hs384.keys[0].alg = JWT_ALG_HS384;

	struct caller who = {.user_id = 7, .role = ROLE_AUTHORITY, .unit_id = 42}, got;
	char why[96];
	char claims[512];
	int n = 0;

	char *t;
	auth_mint(&v, &who, 900, now, &t);
	add(&n, "valid", t, true);
	auth_mint(&v, &who, 900, now - 2000, &t);
	add(&n, "expired", t, false);
	auth_mint(&v, &who, 900, now - 930, &t);
	add(&n, "expired within leeway", t, true);
	auth_mint(&v, &who, 900, now + 1000, &t);
	add(&n, "nbf in the future", t, false);
	auth_mint(&v, &who, 900, now + 30, &t);
	add(&n, "nbf within leeway", t, true);
	auth_mint(&other_iss, &who, 900, now, &t);
	add(&n, "wrong iss", t, false);
	auth_mint(&other_aud, &who, 900, now, &t);
	add(&n, "wrong aud", t, false);
	auth_mint(&other_key, &who, 900, now, &t);
	add(&n, "signed with another secret", t, false);
	auth_mint(&hs384, &who, 900, now, &t);
	add(&n, "HS384 with the same secret", t, false);

	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"7\",\"role\":\"admin\",\"unit_id\":1,\"exp\":%ld}",
		 (long)now + 600);
	add(&n, "alg none, empty signature", raw("{\"alg\":\"none\"}", claims, ""), false);
	add(&n, "alg none, some signature", raw("{\"alg\":\"none\"}", claims, "c2ln"), false);
	add(&n, "hand-made HS256 claims, bad signature",
					raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "AAAA"), false);
	add(&n, "custom valid", make(claims, JWT_ALG_HS256, SECRET, NULL), true);
	add(&n, "crit header", make(claims, JWT_ALG_HS256, SECRET, "{\"crit\":[\"x\"]}"),
					false);

	/* header alg swapped on a valid token, signature kept */
	char *good = make(claims, JWT_ALG_HS256, SECRET, NULL);
	char hdr[64];
	b64url_encode((const unsigned char *)"{\"alg\":\"HS512\",\"typ\":\"JWT\"}", 27, hdr, sizeof hdr);
	char *swapped = malloc(strlen(good) + 64);
	sprintf(swapped, "%s%s", hdr, strchr(good, '.'));
	add(&n, "header alg swapped", swapped, false);
	free(good);

	add(&n, "missing exp",
		make("{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"7\",\"role\":\"admin\",\"unit_id\":1}",
		     JWT_ALG_HS256, SECRET, NULL), false);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"7\",\"role\":\"admin\",\"unit_id\":1,\"exp\":\"%ld\"}",
		 (long)now + 600);
	add(&n, "exp as string", make(claims, JWT_ALG_HS256, SECRET, NULL), false);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"x7\",\"role\":\"admin\",\"unit_id\":1,\"exp\":%ld}",
		 (long)now + 600);
	add(&n, "sub not an id", make(claims, JWT_ALG_HS256, SECRET, NULL), false);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":\"tdkt\",\"sub\":\"7\",\"role\":\"root\",\"unit_id\":1,\"exp\":%ld}",
		 (long)now + 600);
	add(&n, "unknown role", make(claims, JWT_ALG_HS256, SECRET, NULL), false);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":[\"x\",\"tdkt\"],\"sub\":\"7\",\"role\":\"viewer\",\"exp\":%ld}",
		 (long)now + 600);
	add(&n, "no unit_id", make(claims, JWT_ALG_HS256, SECRET, NULL), false);
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":[\"x\",\"tdkt\"],\"sub\":\"7\",\"role\":\"viewer\",\"unit_id\":3,\"exp\":%ld}",
		 (long)now + 600);
	add(&n, "aud array containing ours", make(claims, JWT_ALG_HS256, SECRET, NULL),
					true);

	add(&n, "garbage", strdup("not a token"), false);
	add(&n, "empty", strdup(""), false);
	add(&n, "dots", strdup(".."), false);
	add(&n, "four parts", strdup("a.b.c.d"), false);
	add(&n, "bad base64", strdup("!!!.???.***"), false);
	char *huge = malloc(AUTH_TOKEN_MAX + 10);
	memset(huge, 'a', AUTH_TOKEN_MAX + 9);
	huge[AUTH_TOKEN_MAX + 9] = '\0';
	add(&n, "oversized", huge, false);

	for (int i = 0; i < n; i++) {
		CHECK(cases[i].token != NULL, "%s: token built", cases[i].name);
		if (!cases[i].token)
			continue;
		memset(&got, 0, sizeof got);
		why[0] = '\0';
		bool ok = auth_verify(&v, cases[i].token, now, &got, why, sizeof why);
		CHECK(ok == cases[i].ok, "%s: %s (%s)", cases[i].name, ok ? "accepted" : "refused", why);
		free(cases[i].token);
	}

	/* Nesting is bounded before jansson sees a token part, so no depth reaches its recursion: on a
	 * thread with the 100 KiB stack Debian's CivetWeb gives its workers, 2,700 levels in either
	 * part (what fits in a token) are refused, not a stack overflow. */
	for (int part = 0; part < 2; part++) {
		static char nested[6000];
		int depth = 2700;
		memset(nested, '[', (size_t)depth);
		memset(nested + depth, ']', (size_t)depth);
		nested[2 * depth] = '\0';
		char *deep = part == 0 ? raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", nested, "AAAA")
				       : raw(nested, "{\"iss\":\"tdkt\"}", "AAAA");
		struct verify_job job = {.v = &v, .token = deep, .now = now};
		CHECK(run_on_small_stack(&job) && !job.ok, "nested %s refused on a 100 KiB stack",
		      part == 0 ? "payload" : "header");
		free(deep);
	}
	snprintf(claims, sizeof claims,
		 "{\"iss\":\"tdkt\",\"aud\":[[[[[[\"tdkt\"]]]]]],\"sub\":\"7\",\"role\":\"viewer\",\"unit_id\":3,\"exp\":%ld}",
		 (long)now + 600);
	t = make(claims, JWT_ALG_HS256, SECRET, NULL);
	CHECK(t && !auth_verify(&v, t, now, &got, why, sizeof why), "a signed token nested past the bound is refused");
	free(t);

	/* the claims come through */
	auth_mint(&v, &who, 900, now, &t);
	CHECK(auth_verify(&v, t, now, &got, why, sizeof why) && got.user_id == 7 && got.role == ROLE_AUTHORITY &&
		      got.unit_id == 42,
	      "claims mapped into the caller");
	free(t);

	/* refresh-token rotation: found, revoked, rotated, expired, user active -> outcome */
	static const struct {
		bool found, revoked, rotated, expired, active;
		enum refresh_outcome want;
	} refresh_cases[] = {
		{true, false, false, false, true, REFRESH_ROTATE},
		{false, false, false, false, true, REFRESH_REJECT},
		{true, true, false, false, true, REFRESH_REJECT},
		{true, true, true, false, true, REFRESH_REJECT},      /* already revoked: nothing more to do */
		{true, false, true, false, true, REFRESH_REVOKE_FAMILY}, /* reuse of a rotated token */
		{true, false, true, true, true, REFRESH_REVOKE_FAMILY},
		{true, false, false, true, true, REFRESH_REJECT},     /* expired */
		{true, false, false, false, false, REFRESH_REVOKE_FAMILY}, /* disabled account */
	};
	for (size_t i = 0; i < sizeof refresh_cases / sizeof refresh_cases[0]; i++)
		CHECK(refresh_decide(refresh_cases[i].found, refresh_cases[i].revoked, refresh_cases[i].rotated,
				     refresh_cases[i].expired, refresh_cases[i].active) == refresh_cases[i].want,
		      "refresh case %zu", i);

	asymmetric_keys(now);

	enum role r;
	CHECK(role_parse("integration", &r) && r == ROLE_INTEGRATION, "role_parse");
	CHECK(!role_parse("Admin", &r), "roles are case-sensitive");
	return check_done("auth");
}
