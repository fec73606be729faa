/* Idempotency-Key: a POST of an authenticated caller that names a key claims it in the database
 * (sql/0016_idempotency.sql) before it runs, so every instance sees it. The same key with the
 * same request within 24 h gets the first answer again, byte for byte (status, Location, ETag,
 * body); with another request, 422; while the first still runs, 409 — never two runs. A request
 * that fails drops its claim, so that its retry runs afresh. The answer is stored after the
 * handler's own commit: a crash between the two leaves the key claimed (409) until it expires —
 * the safe side, as a retry then never writes twice.
 *
 * A streamed body (ROUTE_RAW_BODY: a document of up to 20 MiB) is never held, so its request is
 * not known before it runs: the key is claimed with the head alone (method, path, query, content
 * type), and once the handler has read the body the claim's hash becomes the head's with the
 * body's SHA-256 (lib/http.c computes it as the body streams). A retry of an answered key reads its
 * body through, hashing it without keeping it, and compares: the same file gets the first answer,
 * another one a 422. While the first still runs a retry is compared by its head alone, before anything
 * is read: the same head 409, another one 422. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/idempotency.h"
#include "api/resource.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/lsn.h"

#define KEY_MAX 255

/* this key's claim once it is 24 h old, and a few of the oldest others: the table keeps one day */
DB_STMT(idempotency_expire, "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'"
	" AND (actor = $1 AND key = $2 OR (actor, key) IN (SELECT actor, key FROM idempotency_keys"
	"  WHERE created_at < now() - interval '24 hours' ORDER BY created_at LIMIT 100))");
DB_STMT(idempotency_claim, "INSERT INTO idempotency_keys (actor, key, request_hash) VALUES ($1, $2, $3)"
	" ON CONFLICT (actor, key) DO NOTHING RETURNING 1");
/* with the WAL position now, past the first answer's commit: a replayed answer carries it as
 * Tdkt-Commit-Position, so a client whose first answer was lost can still read its write */
DB_STMT(idempotency_first, "SELECT request_hash, status, content_type, location, etag, body,"
	" pg_current_wal_insert_lsn() FROM idempotency_keys WHERE actor = $1 AND key = $2");
/* $8: the request's hash once a streamed body is known (NULL: as claimed) */
DB_STMT(idempotency_store, "UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, etag = $6,"
	" body = $7, request_hash = coalesce($8, request_hash) WHERE actor = $1 AND key = $2");
DB_STMT(idempotency_drop, "DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND status IS NULL");
static const struct db_stmt *const stmts[] = {&sql_idempotency_expire, &sql_idempotency_claim, &sql_idempotency_first,
					      &sql_idempotency_store, &sql_idempotency_drop};

const struct api_module idempotency_module = {.name = "idempotency", WITH(stmts, stmts)};

/* 1 to 255 printable ASCII characters (a UUID, usually) */
static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return false;
	return n >= 1 && n <= KEY_MAX;
}

static bool streamed(const struct req *r)
{
	return (r->match.route->flags & ROUTE_RAW_BODY) != 0;
}

/* What makes two requests the same one: method, path, query, content type and body — for a
 * streamed body its SHA-256 (`body_sha256`; NULL: the head alone, for the claim). */
static bool request_hash(struct req *r, const char *body_sha256, char out[65])
{
	const struct buf *body = NULL;
	if (!streamed(r) && !req_raw_body(r, &body))
		return false;
	const char *ct = req_header(r, "Content-Type");
	struct buf all;
	buf_init(&all);
	BUF_CAT(&all, r->method, "\n", r->path, "\n", r->query ? r->query : "", "\n", ct ? ct : "", "\n");
	if (body)
		buf_append(&all, body->data, body->len);
	else if (body_sha256)
		BUF_CAT(&all, "sha256:", body_sha256);
	bool built = buf_ok(&all), ok = built && keyed_sha256_hex(all.data, all.len, out);
	buf_free(&all);
	return ok || app_error_set(&r->err, 503, built ? "The request's fingerprint could not be computed; try again."
							  : "The service is short of memory.");
}

/* A retry's streamed body, read through and hashed, never kept (with the cap of the only streamed
 * route, a document's): its request hash */
static bool streamed_hash(struct req *r, char out[65])
{
	long long length, bytes;
	char sha[65];
	enum { SCRATCH = 64 * 1024 };
	char *scratch = malloc(SCRATCH);
	if (!scratch)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	long got = req_body_begin(r, req_config(r)->max_document_bytes, &length) ? 1 : -1;
	while (got > 0)
		got = req_body_read(r, scratch, SCRATCH);
	free(scratch);
	if (got < 0)
		return false;
	req_body_digest(r, sha, &bytes);
	return request_hash(r, sha, out);
}

static PGresult *run(struct req *r, const struct db_stmt *stmt, int n, const char *const *params)
{
	struct db_conn *db;
	return req_db(r, &db) ? db_run(db, stmt, n, params, NULL, &r->err) : NULL;
}

/* the first answer, again */
static int replay(struct req *r, PGresult *first, char hash[65])
{
	bool running = PQgetisnull(first, 0, 1);
	/* a streamed body is read only to be compared with a first request that was answered, and
	 * without a pooled connection held while a client sends megabytes (first stays valid) */
	if (streamed(r) && !running) {
		req_db_release(r);
		if (!streamed_hash(r, hash))
			return -1;
	}
	/* while the first runs its claim holds the hash of its head alone, as `hash` is here */
	if (strcmp(PQgetvalue(first, 0, 0), hash) != 0)
		return req_fail(r, 422, "This Idempotency-Key was used for another request; use a new key for a new request.");
	if (running)
		return req_fail(r, 409, "A request with this Idempotency-Key is still running; retry it shortly.");
	r->status = (int)strtol(PQgetvalue(first, 0, 1), NULL, 10);
	/* static text for the content type: the answer outlives this result */
	r->content_type = strcmp(PQgetvalue(first, 0, 2), "application/json") == 0 ? "application/json" : NULL;
	snprintf(r->location, sizeof r->location, "%s", PQgetvalue(first, 0, 3));
	snprintf(r->etag, sizeof r->etag, "%s", PQgetvalue(first, 0, 4));
	buf_append(r->out, PQgetvalue(first, 0, 5), (size_t)PQgetlength(first, 0, 5));
	if (!PQgetisnull(first, 0, 6))
		lsn_parse(PQgetvalue(first, 0, 6), &r->commit_position);
	return 0;
}

int idempotency_around(struct req *r, int (*handler)(struct req *r))
{
	const char *key = req_header(r, "Idempotency-Key");
	/* a secret body (a ballot) is never kept, not even as a hash that a few guesses would match */
	if (!key || strcmp(r->method, "POST") != 0 || !r->authenticated || (r->match.route->flags & ROUTE_SECRET))
		return handler(r);
	if (!key_ok(key))
		return req_fail(r, 400, "Idempotency-Key must be 1 to %d printable ASCII characters.", KEY_MAX);
	/* keys are per caller: our user's id, or an external issuer's user as "iss|id" (its ids are
	 * its own: its user 5 must not be answered with our user 5's first answer) */
	char hash[65], actor[160];
	if (!request_hash(r, NULL, hash))
		return -1;
	const char *issuer = req_caller_issuer(r);
	if (issuer)
		snprintf(actor, sizeof actor, "%s|%lld", issuer, r->caller.user_id);
	else
		id_text(r->caller.user_id, actor);
	const char *params[] = {actor, key, hash};
	PGresult *res = run(r, &sql_idempotency_expire, 2, params);
	PQclear(res);
	if (!res || !(res = run(r, &sql_idempotency_claim, 3, params)))
		return -1;
	bool claimed = PQntuples(res) == 1;
	PQclear(res);
	if (!claimed) {
		if (!(res = run(r, &sql_idempotency_first, 2, params)))
			return -1;
		int rc = PQntuples(res) == 1 ? replay(r, res, hash)
					     : req_fail(r, 409, "A request with this Idempotency-Key just ended; retry it.");
		PQclear(res);
		return rc;
	}
	int rc = handler(r);
	req_db_release(r); /* the handler's transaction is over (committed, or rolled back here) */
	struct app_error kept = r->err;
	app_error_clear(&r->err);
	char status[16];
	snprintf(status, sizeof status, "%d", r->status ? r->status : 200);
	/* a streamed body is known now: the claim's hash becomes the whole request's */
	char sha[65], whole[65];
	long long bytes;
	bool rehash = rc == 0 && streamed(r) && r->body_read;
	if (rehash) {
		req_body_digest(r, sha, &bytes);
		rehash = request_hash(r, sha, whole);
	}
	const char *answer[] = {actor, key, status, r->content_type ? r->content_type : "application/json", r->location,
				r->etag, rc == 0 && buf_ok(r->out) ? r->out->data : "", rehash ? whole : NULL};
	if (rc == 0 && r->out->len == 0)
		answer[6] = "";
	res = rc == 0 ? run(r, &sql_idempotency_store, 8, answer) : run(r, &sql_idempotency_drop, 2, params);
	if (!res)
		log_msg(LOG_WARN, r->request_id, "Idempotency-Key not recorded: %s", r->err.detail);
	PQclear(res);
	r->err = kept;
	return rc;
}
