/* HTTP on CivetWeb: one catch-all handler that routes through a table of path templates, reads
 * bodies with a hard cap, authenticates, calls the resource handler and writes its JSON (or a
 * problem+json) with Content-Length, request id and security headers, then logs one JSON line.
 * Handlers (api/) see only struct req and these functions, never CivetWeb itself. */
#ifndef TDKT_HTTP_H
#define TDKT_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/auth.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/db.h"
#include "lib/error.h"
#include "lib/router.h"

struct mg_connection;
struct http_server;
struct http_thread;
struct body_stream;

struct req {
	/* request, borrowed from CivetWeb for the length of the call */
	const char *method;
	const char *path;
	const char *query;          /* raw query string or NULL */
	struct route_match match;
	char request_id[65];
	char client[48];            /* the client's address: the peer, or a trusted proxy's X-Real-IP */
	bool authenticated;
	struct caller caller;

	/* response, filled by the handler */
	int status;                 /* 200 unless set */
	struct buf *out;            /* body; a per-thread buffer, already empty */
	const char *content_type;   /* application/json unless set */
	const char *cache_control;  /* no-store for authenticated requests unless set */
	const char *csp;            /* Content-Security-Policy to send with a page, or NULL; borrowed */
	char etag[72];              /* "<version>", or a quoted SHA-256 (64 hex digits) */
	char location[160];
	char disposition[160];      /* Content-Disposition to send, or empty */
	bool vary_accept;           /* the answer depends on Accept (Vary: Accept) */
	const char *cors_origin;    /* Access-Control-Allow-Origin to send, or NULL */
	bool cors_preflight;        /* answering a CORS preflight */

	struct app_error err;       /* filled when the handler returns -1 */

	/* infrastructure */
	struct http_server *srv;
	struct mg_connection *conn;
	struct http_thread *thread; /* the worker's reusable buffers and token cache */
	struct db_conn *db;         /* acquired on first req_db(), released after the response */
	int db_acquired;            /* connections acquired by this attempt of the handler */
	uint64_t min_position;      /* Tdkt-Min-Position: a replica serves this read only once replayed
				       this far; 0 when not given */
	uint64_t commit_position;   /* where this request's last commit ended (Tdkt-Commit-Position), 0: none */
	bool body_read;             /* the whole request body was consumed */
	bool body_streamed;         /* a ROUTE_RAW_BODY handler began to read the body: it cannot run again */
	bool streamed;              /* the handler sent the response itself (req_stream_begin) */
	struct body_stream *stream; /* a streamed body's count and digest (req_body_begin); freed by the server */
	bool must_close;            /* close the connection after this response */
};

typedef int (*http_handler)(struct req *r);

struct http_server_options {
	const struct config *config;
	const struct route *routes;     /* borrowed for the life of the server */
	size_t nroutes;
	struct db_pool *pool;
	/* NULL, or a replica's pool (read_only): GET and HEAD routes without ROUTE_PRIMARY read from
	 * it when it is reachable and has replayed the request's Tdkt-Min-Position, else from pool */
	struct db_pool *read_pool;
	const struct auth_verifier *verifier;
	/* NULL, or what runs a handler: around(r, handler) calls handler (or answers instead of it),
	 * e.g. replaying the first answer to a retried request (api/idempotency.c) */
	int (*around)(struct req *r, int (*handler)(struct req *r));
	const char *version;            /* the build, for /metrics' tdkt_build_info */
};

/* new; NULL with a message logged when CivetWeb cannot start (port in use…) */
struct http_server *http_server_start(const struct http_server_options *o);
/* Graceful stop, first half: from now on new requests get 503 with Connection: close, and this
 * waits up to timeout_ms for the requests in flight to be answered. Returns how many are left. */
int http_server_drain(struct http_server *s, long timeout_ms);
/* Stops CivetWeb (an answer still being written is cut off: drain first) and frees. */
void http_server_stop(struct http_server *s);

/* --- for handlers ------------------------------------------------------------------ */
/* The server's metrics in Prometheus' text format into r->out (lib/metrics.h): requests by
 * route, method and status, latency, requests in flight and run again, the database pool, the
 * build. */
void req_write_metrics(struct req *r);
/* a request header or NULL */
const char *req_header(const struct req *r, const char *name);
/* The database connection for this request (acquired once, released by the server): a
 * replica's for a read when the server has one that can serve it (http_server_options.read_pool),
 * else the primary's. */
bool req_db(struct req *r, struct db_conn **out);
/* A registered statement, or SQL text, with its values on the request's connection: new rows,
 * or NULL with r->err filled. */
PGresult *req_run(struct req *r, const struct db_stmt *stmt, const struct db_params *p);
/* One statement, for a read that needs nothing else of a connection, outside a transaction or
 * (env) in a read-only one with its context: on the request's connection when it holds one or a
 * replica may serve it, else db_run_once (one round trip; when the pool is taken, the connection
 * handed on comes with the statement already sent) */
PGresult *req_run_once(struct req *r, const struct db_stmt *stmt, int n, const char *const *values,
			const struct db_envelope *env);
/* SQL text, an unnamed statement planned with its values, as req_run_once runs a statement (no
 * transaction of its own: in the request's when it holds one) */
PGresult *req_query(struct req *r, const char *sql, const struct db_params *p);
/* Gives the connection back early (rolling back an open transaction), e.g. before a slow
 * password hash, so that it does not hold one of the pool's few connections; req_db takes one
 * again when needed. */
void req_db_release(struct req *r);
/* The handler has what it needs from the database (a result in hand, to be written out): the
 * connection goes back to the pool before the answer is rendered, unless a write is still open.
 * A pool smaller than the requests in flight is shared the better for it. */
void req_db_done(struct req *r);
/* Reads the body as one JSON object: 411/413/415/400 on the way. *out is new. `patch` also
 * accepts application/merge-patch+json. */
bool req_json(struct req *r, bool patch, json_t **out);
/* The text path parameter {name} (as decoded by CivetWeb) into out; 404 when it is longer than
 * outlen - 1 or fails `valid`. */
bool req_path_text(struct req *r, const char *name, bool (*valid)(const char *s, size_t n), char *out, size_t outlen);
/* The body as it came, whatever its type, read with the route's cap (413). The server's bytes,
 * alive until the answer; a handler reading the body after it gets the same. */
bool req_raw_body(struct req *r, const struct buf **body);
/* For a request that takes no body (an action): none, an empty one or an empty JSON object; a
 * member is an unknown field (422), another body a 415 or 400. */
bool req_no_body(struct req *r);
/* Reads the body as it is, when its Content-Type is one of `types` (NULL-terminated; 415
 * otherwise): *type is the index of the one it is, *body the bytes (the server's, alive until the
 * answer). */
bool req_body(struct req *r, const char *const *types, int *type, const struct buf **body);
/* For a ROUTE_RAW_BODY route, whose handler reads the body as it streams, never whole: a file of
 * many megabytes. req_body_begin first: 413 when Content-Length says more than `limit` bytes,
 * before a byte of the body is read (the connection is then closed after the answer, as after any
 * body left unread); *length is that length, or -1 for a chunked body. Then req_body_read, again
 * and again, into the handler's own buffer: the bytes read (at most n), 0 at the end of the body,
 * -1 with r->err: 400 when it cannot be read whole (the client went away or stalled past
 * TDKT_REQUEST_TIMEOUT_MS, or a body shorter than its Content-Length), 413 as soon as more than
 * `limit` bytes came (a chunked body is counted as it is read and cut there). Once a byte was read
 * the handler is never run again (a deadlock's retry), as the body is gone. */
bool req_body_begin(struct req *r, long long limit, long long *length);
long req_body_read(struct req *r, void *buf, size_t n);
/* After req_body_read returned 0: the SHA-256 of the whole body as 64 lower-case hex digits, and
 * how many bytes it had. */
void req_body_digest(struct req *r, char sha256[65], long long *bytes);

/* A response whose body the handler writes itself, in pieces, never whole in memory (a file):
 * req_stream_begin sends the head at once — r->status, r->content_type, r->etag, r->cache_control
 * as for any answer, `disposition` as Content-Disposition (NULL: none), Content-Length `length` —
 * then req_stream_write sends the body, `length` bytes in all. A HEAD request gets the head only
 * (req_stream_write then sends nothing). The server answers nothing more; a handler that fails
 * after req_stream_begin (returns -1) has its connection closed, so that the client sees the body
 * cut short of its Content-Length. false: the client is gone. */
bool req_stream_begin(struct req *r, long long length, const char *disposition);
bool req_stream_write(struct req *r, const void *data, size_t n);

/* Reads the body as one JSON array of at most max_items (PUT of a list). *out is new. */
bool req_json_array(struct req *r, size_t max_items, json_t **out);
/* The id path parameter {name}; 404 when it is not a positive integer. */
bool req_path_id(struct req *r, const char *name, long long *id);

/* ETag "<version>"; req_not_modified is true when If-None-Match matches it. */
void req_set_etag(struct req *r, long long version);
bool req_not_modified(const struct req *r, long long version);
/* If-Match: true when absent or matching; else fills 412 and returns false */
bool req_if_match(struct req *r, long long version);

/* the server's configuration and token key, for handlers that issue tokens */
const struct config *req_config(const struct req *r);
const struct auth_verifier *req_verifier(const struct req *r);
/* the client's address: the TCP peer, or the X-Real-IP of a peer in TDKT_TRUSTED_PROXIES */
const char *req_peer(const struct req *r);
/* the iss of the external issuer whose token the caller sent; NULL for ours (or no token) */
const char *req_caller_issuer(const struct req *r);

/* convenience: sets r->err and returns -1 */
int req_fail(struct req *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* If-Match / If-None-Match matching on a header value (exposed for unit tests): against the tag
 * of a version, or against any tag (`want` with its quotes: "\"9f86d0…\"") */
bool etag_list_matches(const char *header, long long version, bool weak_ok);
bool etag_list_has(const char *header, const char *want, bool weak_ok);

#endif
