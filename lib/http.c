#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include "lib/conncount.h"
#include "lib/cors.h"
#include "lib/crypto.h"
#include "lib/framing.h"
#include "lib/http.h"
#include "lib/jsonin.h"
#include "lib/log.h"
#include "lib/lsn.h"
#include "lib/metrics.h"
#include "lib/negotiate.h"
#include "lib/threadstack.h"

struct http_server {
	struct mg_context *ctx;
	struct http_server_options o;
	char request_id_prefix[17];
	/* Connections held by workers (being read, served, or idle on keep-alive), in total and
	 * per client address; requests inside a handler; and whether SIGTERM asked us to drain. */
	atomic_int connections;
	struct conncount *per_addr;
	atomic_int in_flight;
	atomic_int bulk_in_flight;       /* ROUTE_BULK requests inside their handler */
	atomic_bool draining;
	atomic_llong cap_refused;        /* connections refused over the per-address cap */
	atomic_llong cap_logged_at;      /* second of the last log line about them */
	int keep_alive_below;            /* keep a connection open only while fewer are held */
	struct metrics *metrics;
	atomic_ullong retries;           /* requests run again after a deadlock, a serialization failure
					    or a lost connection */
	time_t started;
};

/* A worker remembers the last few tokens it verified: clients send the same token for minutes,
 * and verifying one (base64, HMAC, two JSON parses) cost about a tenth of a GET by id. The whole
 * token is the key, and its exp/nbf are checked again on every use. */
#define TOKEN_CACHE_ENTRIES 4
#define TOKEN_CACHE_MAX 1024
struct token_cache_entry {
	size_t len;                      /* 0: empty */
	char token[TOKEN_CACHE_MAX];
	struct caller caller;
};

#define HTTP_PATH_MAX 4096
#define HTTP_HEAD_MAX 16384 /* CivetWeb's max_request_size: the buffer a head is parsed in */

/* Per worker thread: buffers reused by every request the thread serves. */
struct http_thread {
	struct token_cache_entry tokens[TOKEN_CACHE_ENTRIES];
	unsigned next_token;
	struct buf out;      /* response body */
	struct buf scratch;  /* request body, problem documents, log lines */
	struct buf head;     /* the response as sent */
	struct buf body;     /* the request body, kept for a retried handler */
	time_t date_second;
	char date[40];
	char path[HTTP_PATH_MAX]; /* the percent-decoded request path */
	uintptr_t stack_low, stack_high; /* this worker's stack (0, 0: unknown) */
};

/* What is counted for a connection, kept as CivetWeb's connection data: flags, and above
 * CONN_SLOT_SHIFT the per_addr slot of its address. */
enum conn_flags {
	CONN_SEEN = 1,       /* counted in connections */
	CONN_PER_ADDR = 2,   /* counted in per_addr */
};
#define CONN_SLOT_SHIFT 4

/* A body a ROUTE_RAW_BODY handler reads as it streams: its cap, what came so far, its digest. */
struct body_stream {
	long long limit;
	long long count;
	EVP_MD_CTX *md;
	bool done;            /* the digest is final: sha256 holds it */
	char sha256[65];
};

static void body_stream_free(struct body_stream *s)
{
	if (!s)
		return;
	EVP_MD_CTX_free(s->md);
	free(s);
}

static atomic_ullong request_counter;

/* "<instance prefix>-<counter in hex>" into out (65 bytes, as struct req's request_id) */
static void new_request_id(const struct http_server *srv, char out[65])
{
	size_t n = strlen(srv->request_id_prefix);
	memcpy(out, srv->request_id_prefix, n);
	out[n] = '-';
	fmt_hex(out + n + 1, atomic_fetch_add(&request_counter, 1) + 1);
}

#define HTTP_MAX_ATTEMPTS 3
#define HTTP_KEEP_BUFFER (256 * 1024)

/* ---------------------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A client's X-Request-Id is echoed when it is short and plain; otherwise one is made. */
static void set_request_id(struct req *r)
{
	const char *given = req_header(r, "X-Request-Id");
	if (given) {
		size_t n = strlen(given);
		bool plain = n > 0 && n <= 64;
		for (size_t i = 0; plain && i < n; i++) {
			char c = given[i];
			plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				c == '-' || c == '_' || c == '.' || c == ':';
		}
		if (plain) {
			memcpy(r->request_id, given, n + 1);
			return;
		}
	}
	new_request_id(r->srv, r->request_id);
}

/* JSON string for text that did not come through a UTF-8 validator (paths, parser messages):
 * invalid bytes become U+FFFD so the problem document stays valid JSON. */
static void json_str_sanitized(struct buf *b, const char *s)
{
	struct buf tmp;
	buf_init(&tmp);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		bool ok = len > 0 && !(len == 2 && c < 0xC2) && !(len == 4 && c > 0xF4);
		for (int i = 1; ok && i < len; i++)
			ok = (p[i] & 0xC0) == 0x80;
		if (ok && len == 3) {
			unsigned cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
			ok = cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
		}
		if (ok && len == 4) {
			unsigned cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12);
			ok = cp >= 0x10000 && cp <= 0x10FFFF;
		}
		if (ok) {
			buf_append(&tmp, p, (size_t)len);
			p += len;
		} else {
			buf_append(&tmp, "\xEF\xBF\xBD", 3);
			p++;
		}
	}
	buf_json_str(b, tmp.data ? tmp.data : "", tmp.len);
	buf_free(&tmp);
}

static void render_problem(struct req *r, struct buf *b)
{
	const struct app_error *e = &r->err;
	buf_reset(b);
	buf_puts(b, "{\"type\":\"urn:tdkt:problem:");
	buf_puts(b, http_status_slug(e->status));
	buf_puts(b, "\",\"title\":");
	buf_json_cstr(b, http_status_title(e->status));
	buf_puts(b, ",\"status\":");
	buf_json_int(b, e->status);
	buf_puts(b, ",\"detail\":");
	json_str_sanitized(b, e->detail[0] ? e->detail : http_status_title(e->status));
	buf_puts(b, ",\"instance\":");
	json_str_sanitized(b, r->path ? r->path : "/");
	buf_puts(b, ",\"request_id\":");
	buf_json_cstr(b, r->request_id);
	if (e->nfields > 0) {
		buf_puts(b, ",\"errors\":[");
		for (int i = 0; i < e->nfields; i++) {
			if (i)
				buf_putc(b, ',');
			buf_puts(b, "{\"field\":");
			json_str_sanitized(b, e->fields[i].field);
			buf_puts(b, ",\"code\":");
			buf_json_cstr(b, e->fields[i].code);
			buf_puts(b, ",\"message\":");
			json_str_sanitized(b, e->fields[i].message);
			buf_putc(b, '}');
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

/* The Date header, formatted once a second per thread. */
static const char *http_date(struct http_thread *t)
{
	time_t now = time(NULL);
	if (now != t->date_second) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(t->date, sizeof t->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		t->date_second = now;
	}
	return t->date;
}

/* Mirrors CivetWeb's own keep-alive decision (should_keep_alive): with a Connection header,
 * only "keep-alive" keeps it; without one, HTTP/1.1 does. */
static bool wants_keep_alive(const struct req *r)
{
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	const char *c = req_header(r, "Connection");
	if (c) {
		for (const char *p = c; *p; p++)
			if (strncasecmp(p, "keep-alive", 10) == 0)
				return true;
		return false;
	}
	return ri && ri->http_version && strcmp(ri->http_version, "1.1") == 0;
}

/* name is a literal: "Name: " is one piece of known length */
#define header(h, name, value) header_line(h, name ": ", sizeof(name ": ") - 1, value)
static void header_line(struct buf *h, const char *name_colon, size_t n, const char *value)
{
	buf_append(h, name_colon, n);
	buf_puts(h, value);
	buf_append(h, "\r\n", 2);
}

/* Whether a connection may stay open for another request. Not while draining, and not while
 * workers run short: CivetWeb holds a worker for every open connection, idle ones included, so
 * when three quarters of them are held a finished connection is closed rather than kept idle.
 * That is the keep-alive idle time shrinking to zero under pressure. */
static bool keep_alive_allowed(const struct http_server *s)
{
	return !atomic_load(&s->draining) && atomic_load(&s->connections) < s->keep_alive_below;
}

#define CORS_ALLOW_HEADERS                                                                        \
	"Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, Tdkt-Min-Position, X-Request-Id"
#define CORS_EXPOSE_HEADERS "Content-Disposition, ETag, Location, Retry-After, Tdkt-Commit-Position, X-Request-Id"

/* The status line and headers into h: Content-Type and Content-Length `length` unless the status
 * has no body (length is then ignored), Content-Disposition `disposition` (NULL: none). Returns
 * whether the connection stays open after this answer. */
static bool put_head(struct req *r, struct buf *h, const char *content_type, long long length, const char *disposition)
{
	struct http_thread *t = r->thread;
	bool no_body = r->status == 304 || r->status == 204;
	bool keep = !r->must_close && wants_keep_alive(r) && keep_alive_allowed(r->srv);
	char number[FMT_INT_MAX];
	fmt_int(number, r->status);
	BUF_CAT(h, "HTTP/1.1 ", number, " ", http_status_title(r->status), "\r\n");
	if (!no_body) {
		header(h, "Content-Type", content_type);
		fmt_int(number, length);
		header(h, "Content-Length", number);
	}
	header(h, "Date", t ? http_date(t) : "Thu, 01 Jan 1970 00:00:00 GMT");
	header(h, "Connection", keep ? "keep-alive" : "close");
	header(h, "X-Request-Id", r->request_id);
	header(h, "X-Content-Type-Options", "nosniff");
	if (r->csp && r->status < 300)
		header(h, "Content-Security-Policy", r->csp);
	if (r->srv->o.config->cors_origins[0] || r->vary_accept)
		header(h, "Vary", r->srv->o.config->cors_origins[0] ? (r->vary_accept ? "Origin, Accept" : "Origin") : "Accept");
	if (disposition && disposition[0] && r->status < 300)
		header(h, "Content-Disposition", disposition);
	if (r->cors_origin) {
		header(h, "Access-Control-Allow-Origin", r->cors_origin);
		if (r->cors_preflight) {
			header(h, "Access-Control-Allow-Methods", r->match.allow);
			header(h, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
			header(h, "Access-Control-Max-Age", "600");
		} else {
			header(h, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
		}
	}
	if (r->cache_control)
		header(h, "Cache-Control", r->cache_control);
	else if (r->authenticated)
		header(h, "Cache-Control", "no-store");
	if (r->etag[0])
		header(h, "ETag", r->etag);
	if (r->location[0] && r->status < 300)
		header(h, "Location", r->location);
	if (r->commit_position && r->status < 300) {
		char position[LSN_TEXT_MAX];
		lsn_format(r->commit_position, position);
		header(h, "Tdkt-Commit-Position", position);
	}
	if (r->status == 405)
		header(h, "Allow", r->match.allow);
	if (r->status == 401)
		header(h, "WWW-Authenticate", req_header(r, "Authorization") ?
			"Bearer realm=\"tdkt\", error=\"invalid_token\"" : "Bearer realm=\"tdkt\"");
	if ((r->status == 503 || r->status == 429) && r->err.retry_after > 0)
		buf_printf(h, "Retry-After: %d\r\n", r->err.retry_after);
	buf_append(h, "\r\n", 2);
	return keep;
}

/* A body at least this long is written after its head instead of being copied behind it: an
 * export of megabytes would otherwise be held twice, and its second packet costs nothing beside it */
#define SEND_COPY_MAX (64 * 1024)

/* Writes status line, headers and body with one mg_write (a long body: after its head): CivetWeb's
 * header API sends every header line in its own send(2), which with TCP_NODELAY is a packet each
 * and was most of the service's system time. */
static void send_response(struct req *r, const struct buf *body, const char *content_type)
{
	struct http_thread *t = r->thread;
	struct buf local;
	buf_init(&local);
	struct buf *h = t ? &t->head : &local;
	buf_reset(h);
	bool head = strcmp(r->method, "HEAD") == 0;
	bool no_body = r->status == 304 || r->status == 204;
	bool keep = put_head(r, h, content_type, (long long)body->len, r->disposition);
	bool behind = !head && !no_body && body->len < SEND_COPY_MAX;
	if (behind)
		buf_append(h, body->data, body->len);
	if (!keep)
		mg_disable_connection_keep_alive(r->conn);
	if (!buf_ok(h))
		mg_disable_connection_keep_alive(r->conn);
	else if (mg_write(r->conn, h->data, h->len) == (int)h->len && !head && !no_body && !behind)
		mg_write(r->conn, body->data, body->len);
	buf_free(&local);
}

/* One JSON line per request. Hot: no printf, no allocation, the time text made once a second. */
static void access_log(struct req *r, struct buf *b, double ms)
{
	char now[40];
	log_now(now, sizeof now);
	buf_reset(b);
	buf_puts(b, "{\"time\":\"");
	buf_puts(b, now);
	buf_puts(b, "\",\"type\":\"access\",\"request_id\":");
	buf_json_cstr(b, r->request_id);
	buf_puts(b, ",\"method\":");
	if (r->match.route)
		buf_json_cstr(b, r->match.route->method);
	else
		json_str_sanitized(b, r->method);
	buf_puts(b, ",\"route\":");
	buf_json_cstr(b, r->match.route ? r->match.route->path : NULL);
	buf_puts(b, ",\"status\":");
	buf_json_int(b, r->status);
	long long us = (long long)(ms * 1000.0);
	char frac[8];
	frac[0] = '.';
	frac[1] = (char)('0' + us / 100 % 10);
	frac[2] = (char)('0' + us / 10 % 10);
	frac[3] = (char)('0' + us % 10);
	buf_puts(b, ",\"ms\":");
	buf_json_int(b, us / 1000);
	buf_append(b, frac, 4);
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	if (ri) {
		buf_puts(b, ",\"peer\":\"");
		buf_puts(b, ri->remote_addr);
		buf_putc(b, ':');
		buf_json_int(b, ri->remote_port);
		buf_putc(b, '"');
		if (strcmp(r->client, ri->remote_addr) != 0) {
			buf_puts(b, ",\"client\":");
			buf_json_cstr(b, r->client);
		}
	}
	if (r->authenticated) {
		buf_puts(b, ",\"user\":");
		buf_json_int(b, r->caller.user_id);
		buf_puts(b, ",\"role\":\"");
		buf_puts(b, role_name(r->caller.role));
		buf_puts(b, "\",\"unit_id\":");
		buf_json_int(b, r->caller.unit_id);
		const char *issuer = req_caller_issuer(r);
		if (issuer) { /* its user ids are its own */
			buf_puts(b, ",\"issuer\":");
			buf_json_cstr(b, issuer);
		}
	}
	buf_putc(b, '}');
	if (buf_ok(b))
		log_line(b->data, b->len);
}

static bool authenticate(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h)
		return app_error_set(&r->err, 401, "A bearer token is required.");
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return app_error_set(&r->err, 401, "The Authorization header must be a bearer token.");
	const char *token = h + 7;
	while (*token == ' ')
		token++;
	time_t now = time(NULL);
	const struct auth_verifier *v = r->srv->o.verifier;
	struct http_thread *t = r->thread;
	size_t len = strlen(token);
	for (int i = 0; t && i < TOKEN_CACHE_ENTRIES; i++) {
		struct token_cache_entry *e = &t->tokens[i];
		if (e->len == len && memcmp(e->token, token, len) == 0) {
			if (!auth_times_valid(&e->caller, now, v->leeway))
				break;
			r->caller = e->caller;
			r->authenticated = true;
			return true;
		}
	}
	char why[96];
	if (!auth_verify(v, token, now, &r->caller, why, sizeof why)) {
		log_msg(LOG_DEBUG, r->request_id, "token rejected: %s", why);
		return app_error_set(&r->err, 401, "The bearer token is invalid or expired.");
	}
	if (t && len > 0 && len < TOKEN_CACHE_MAX) {
		struct token_cache_entry *e = &t->tokens[t->next_token++ % TOKEN_CACHE_ENTRIES];
		memcpy(e->token, token, len);
		e->len = len;
		e->caller = r->caller;
	}
	r->authenticated = true;
	return true;
}

/* snprintf("%s") without the format machinery: the longest prefix that fits, terminated */
static void copy_bounded(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The client's address: the TCP peer, or the X-Real-IP a trusted reverse proxy sets. */
static void set_client(struct req *r, const struct mg_request_info *ri)
{
	copy_bounded(r->client, sizeof r->client, ri->remote_addr);
	if (!config_list_has(r->srv->o.config->trusted_proxies, ri->remote_addr))
		return;
	const char *real = req_header(r, "X-Real-IP");
	unsigned char bin[sizeof(struct in6_addr)];
	if (real && strlen(real) < sizeof r->client &&
	    (inet_pton(AF_INET, real, bin) == 1 || inet_pton(AF_INET6, real, bin) == 1))
		copy_bounded(r->client, sizeof r->client, real);
}

/* At a connection's first request: count it for its client address. false when the address
 * already holds the cap (trusted proxies, which carry many clients, are exempt). */
static bool connection_within_cap(struct req *r, const struct mg_request_info *ri)
{
	struct http_server *srv = r->srv;
	uintptr_t data = (uintptr_t)mg_get_user_connection_data(r->conn);
	long cap = srv->o.config->max_conns_per_addr;
	if (cap == 0 || (data & CONN_PER_ADDR) || config_list_has(srv->o.config->trusted_proxies, ri->remote_addr))
		return true;
	int slot = -1;
	int n = conncount_add(srv->per_addr, ri->remote_addr, &slot);
	if (n < 0)
		return true;
	mg_set_user_connection_data(r->conn, (void *)(data | CONN_PER_ADDR | ((uintptr_t)slot << CONN_SLOT_SHIFT)));
	if (n <= cap)
		return true;
	long long refused = atomic_fetch_add(&srv->cap_refused, 1) + 1;
	long long now = (long long)time(NULL), last = atomic_load(&srv->cap_logged_at);
	if (now != last && atomic_compare_exchange_strong(&srv->cap_logged_at, &last, now))
		log_warn("connections from %s over the cap of %ld refused (%lld so far)", ri->remote_addr, cap, refused);
	r->err.retry_after = 1;
	r->must_close = true;
	return app_error_set(&r->err, 429, "Too many connections from this address (at most %ld).", cap);
}

/* The request head, before anything acts on it: unambiguous framing (400 and close otherwise)
 * and a path that decodes without NUL or control characters (400). */
static bool head_ok(struct req *r, const struct mg_request_info *ri, struct http_thread *t)
{
	struct head_field fields[64];
	int n = ri->num_headers < 64 ? ri->num_headers : 64;
	for (int i = 0; i < n; i++) {
		fields[i].name = ri->http_headers[i].name;
		fields[i].value = ri->http_headers[i].value;
	}
	const char *why = NULL;
	if (ri->num_headers >= 64) {
		r->must_close = true;
		return app_error_set(&r->err, 431, "A request may carry at most 63 header fields.");
	}
	/* nothing of the head may have been dropped by CivetWeb's parser (lib/framing.h) */
	const char *end = n > 0 ? fields[n - 1].value + strlen(fields[n - 1].value)
				: ri->http_version + strlen(ri->http_version);
	ptrdiff_t used = end - ri->request_method;
	if (used < 0 || used >= HTTP_HEAD_MAX || !head_complete(end, (size_t)(HTTP_HEAD_MAX - used), n == 0)) {
		r->must_close = true;
		return app_error_set(&r->err, 400, "The request head has a line that cannot be read (lines end with CRLF; "
					      "no folded or nameless lines).");
	}
	if (!framing_ok(ri->http_version, fields, n, &why) || !fields_ok(ri->http_version, fields, n, &why)) {
		r->must_close = true;
		return app_error_set(&r->err, 400, "%s", why);
	}
	/* CivetWeb is told not to decode (decode_url=no): the raw path is checked whole, before
	 * dot segments are removed, so that no %00 can hide in a segment that "/.." drops */
	const char *raw = ri->local_uri_raw ? ri->local_uri_raw : "/";
	if (strlen(raw) >= HTTP_PATH_MAX)
		return app_error_set(&r->err, 414, "The path is longer than %d bytes.", HTTP_PATH_MAX - 1);
	if (!path_decode(raw, t->path, sizeof t->path) ||
	    !path_decode(ri->local_uri ? ri->local_uri : "/", t->path, sizeof t->path))
		return app_error_set(&r->err, 400, "The path holds a NUL or control character, or a malformed %%-escape.");
	r->path = t->path;
	return true;
}

/* Tdkt-Min-Position, when given: a WAL position as PostgreSQL prints it (400 otherwise) */
static bool min_position(struct req *r)
{
	const char *v = req_header(r, "Tdkt-Min-Position");
	if (!v || lsn_parse(v, &r->min_position))
		return true;
	return app_error_set(&r->err, 400, "Tdkt-Min-Position must be a position as Tdkt-Commit-Position gives it "
				      "(two groups of 1 to 8 hexadecimal digits: 16/B374D848).");
}

/* A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method): answered here, with
 * no token, for the paths that exist and the origins configured. */
static int preflight(struct req *r, const char *origin, const char *method)
{
	const struct http_server_options *o = &r->srv->o;
	router_match(o->routes, o->nroutes, method, r->path, &r->match);
	if (!r->match.path_matched)
		return req_fail(r, 404, "No resource at this path.");
	router_allow(o->routes, o->nroutes, r->path, &r->match);
	if (!cors_origin_allowed(o->config->cors_origins, origin))
		return req_fail(r, 403, "Calls from this origin are not allowed.");
	r->cors_origin = strcmp(o->config->cors_origins, "*") == 0 ? "*" : origin;
	r->cors_preflight = true;
	r->status = 204;
	return 0;
}

/* Runs the route's handler; a deadlock, a serialization failure or a connection found dead
 * before anything of the request was done rolls the work back: run it again (its body is kept),
 * a bounded number of times, before answering. */
static int run_handler(struct req *r)
{
	int rc;
	for (int attempt = 1;; attempt++) {
		r->db_acquired = 0;
		rc = r->match.route->handler(r);
		/* a connection lost on a second acquire: what the first one did stays done; a body
		 * streamed is gone, and an answer begun cannot be taken back */
		bool again = r->err.retryable && !(r->err.connection_lost && r->db_acquired > 1) && !r->body_streamed &&
			     !r->streamed;
		if (rc == 0 || !again || attempt == HTTP_MAX_ATTEMPTS)
			break;
		log_msg(LOG_INFO, r->request_id, "running the request again (%d): %s", attempt, r->err.detail);
		atomic_fetch_add_explicit(&r->srv->retries, 1, memory_order_relaxed);
		req_db_release(r);
		app_error_clear(&r->err);
		buf_reset(r->out);
		r->status = 200;
		r->etag[0] = r->location[0] = '\0';
		r->content_type = r->cache_control = r->csp = NULL;
	}
	if (rc != 0 && r->err.status == 0)
		app_error_set(&r->err, 500, "An internal error occurred.");
	return rc;
}

/* what a route without ROUTE_OWN_TYPES answers (its problems too are JSON) */
static const char *const json_only[] = {"application/json", "application/problem+json", NULL};

static int dispatch(struct mg_connection *conn, void *cbdata)
{
	struct http_server *srv = cbdata;
	atomic_fetch_add(&srv->in_flight, 1);
	const struct mg_request_info *ri = mg_get_request_info(conn);
	/* a worker whose buffers could not be allocated at start serves with these, freed below */
	struct http_thread *t = mg_get_thread_pointer(conn), *spare = NULL;
	if (!t) {
		spare = calloc(1, sizeof *spare);
		if (!spare) {
			mg_disable_connection_keep_alive(conn);
			atomic_fetch_sub(&srv->in_flight, 1);
			return 500;
		}
		t = spare;
	}
	double start = now_ms();
	struct req r;
	memset(&r, 0, sizeof r);
	r.srv = srv;
	r.conn = conn;
	r.thread = t;
	r.method = ri->request_method;
	r.path = ri->local_uri ? ri->local_uri : "/";
	r.query = ri->query_string;
	r.status = 200;
	r.out = &t->out;
	buf_reset(r.out);
	set_request_id(&r);
	set_client(&r, ri);

	const char *origin = req_header(&r, "Origin");
	const char *asked = req_header(&r, "Access-Control-Request-Method");
	int rc = -1;
	if (!head_ok(&r, ri, t)) {
		/* err set */
	} else if (atomic_load(&srv->draining)) {
		r.err.retry_after = 1;
		r.must_close = true;
		app_error_set(&r.err, 503, "The service is shutting down; try again.");
	} else if (!connection_within_cap(&r, ri)) {
		/* err set */
	} else if (!min_position(&r)) {
		/* err set */
	} else if (strcmp(r.method, "OPTIONS") == 0 && origin && asked && srv->o.config->cors_origins[0]) {
		rc = preflight(&r, origin, asked);
	} else {
		if (origin && cors_origin_allowed(srv->o.config->cors_origins, origin))
			r.cors_origin = strcmp(srv->o.config->cors_origins, "*") == 0 ? "*" : origin;
		router_match(srv->o.routes, srv->o.nroutes, r.method, r.path, &r.match);
		if (!r.match.route) {
			if (r.match.path_matched)
				app_error_set(&r.err, 405, "Method %s is not allowed here; allowed: %s.",
					      strlen(r.method) < 16 ? r.method : "?", r.match.allow);
			else
				app_error_set(&r.err, 404, "No resource at this path.");
		} else if (!(r.match.route->flags & ROUTE_QUERY) && r.query && r.query[0]) {
			app_error_set(&r.err, 400, "%s %s takes no query parameters.", r.match.route->method,
				      r.match.route->path);
		} else if (!(r.match.route->flags & ROUTE_PUBLIC) && !authenticate(&r)) {
			/* err set */
		} else if (!(r.match.route->flags & ROUTE_OWN_TYPES) && negotiate(req_header(&r, "Accept"), json_only) < 0) {
			app_error_set(&r.err, 406, "This resource is served as application/json.");
		} else if (r.match.route->flags & ROUTE_BULK) {
			/* a bulk upload holds megabytes while it is parsed: a few at a time */
			if (atomic_fetch_add(&srv->bulk_in_flight, 1) < srv->o.config->bulk_concurrency) {
				rc = srv->o.around ? srv->o.around(&r, run_handler) : run_handler(&r);
			} else {
				app_error_set(&r.err, 503, "Other bulk uploads are being served; send this one again shortly.");
				r.err.retry_after = 1;
			}
			atomic_fetch_sub(&srv->bulk_in_flight, 1);
		} else {
			rc = srv->o.around ? srv->o.around(&r, run_handler) : run_handler(&r);
		}
	}
	req_db_release(&r);
	/* a body left unread on the socket would be parsed as the next request */
	if (!r.body_read && (ri->content_length > 0 || (ri->content_length < 0 && req_header(&r, "Transfer-Encoding"))))
		r.must_close = true;

	if (rc == 0 && !buf_ok(r.out)) {
		app_error_set(&r.err, 500, "An internal error occurred.");
		rc = -1;
	}
	if (r.streamed) {
		/* the handler answered itself; cut short, its connection closes (Content-Length unmet) */
		if (rc != 0) {
			mg_disable_connection_keep_alive(conn);
			log_msg(LOG_WARN, r.request_id, "%s %s: the answer was cut short: %s", r.method,
				r.match.route ? r.match.route->path : "-", r.err.detail);
		}
	} else if (rc == 0) {
		send_response(&r, r.out, r.content_type ? r.content_type : "application/json");
	} else {
		if (r.err.status >= 500 && r.err.status != 503)
			log_msg(LOG_ERROR, r.request_id, "%s %s failed with %d", r.method,
				r.match.route ? r.match.route->path : "-", r.err.status);
		r.status = r.err.status;
		r.etag[0] = '\0';
		r.cache_control = r.authenticated ? NULL : "no-store";
		render_problem(&r, &t->scratch);
		send_response(&r, &t->scratch, "application/problem+json");
	}
	double ms = now_ms() - start;
	metrics_observe(srv->metrics, r.match.route, r.status, ms / 1000.0);
	if (srv->o.config->access_log)
		access_log(&r, &t->scratch, ms);
	body_stream_free(r.stream);
	/* a thread keeps small buffers between requests, not the memory of a rare large one */
	struct buf *bufs[] = {&t->out, &t->scratch, &t->head, &t->body};
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		if (spare || bufs[i]->cap > HTTP_KEEP_BUFFER)
			buf_free(bufs[i]);
	free(spare);
	atomic_fetch_sub(&srv->in_flight, 1);
	return r.status;
}

/* Authorization is ours (a bearer token per route). Without a handler of its own CivetWeb looks for a
 * .htpasswd file on every request: one failed stat each time. */
static int authorize_in_dispatch(struct mg_connection *conn, void *cbdata)
{
	(void)conn;
	(void)cbdata;
	return 1;
}

/* CivetWeb's own errors (malformed request line, oversized headers…) as problem+json too. */
static int on_http_error(struct mg_connection *conn, int status, const char *msg)
{
	(void)msg;
	struct http_server *srv = mg_get_user_data(mg_get_context(conn));
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct req r;
	memset(&r, 0, sizeof r);
	r.srv = srv;
	r.conn = conn;
	r.method = ri && ri->request_method ? ri->request_method : "GET";
	r.path = ri && ri->local_uri ? ri->local_uri : "/";
	r.status = status;
	r.must_close = true;
	r.thread = mg_get_thread_pointer(conn); /* may be NULL: send_response copes */
	new_request_id(srv, r.request_id);
	app_error_set(&r.err, status, "%s", http_status_title(status));
	struct buf b;
	buf_init(&b);
	render_problem(&r, &b);
	bool ok = buf_ok(&b);
	if (ok)
		send_response(&r, &b, "application/problem+json");
	buf_free(&b);
	return ok ? 0 : 1;
}

static int on_log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_msg(LOG_WARN, NULL, "civetweb: %s", message);
	return 1;
}

static void *on_init_thread(const struct mg_context *ctx, int type)
{
	(void)ctx;
	if (type != 1)
		return NULL;
	struct http_thread *t = calloc(1, sizeof *t);
	if (t) {
		buf_init(&t->out);
		buf_init(&t->scratch);
		buf_init(&t->head);
		buf_init(&t->body);
		if (!thread_stack_bounds(&t->stack_low, &t->stack_high))
			t->stack_low = t->stack_high = 0;
	}
	return t;
}

static void on_exit_thread(const struct mg_context *ctx, int type, void *p)
{
	(void)ctx;
	(void)type;
	struct http_thread *t = p;
	if (!t)
		return;
	buf_free(&t->out);
	buf_free(&t->scratch);
	buf_free(&t->head);
	buf_free(&t->body);
	free(t);
}

/* A connection arrives at a worker, before its head is read. CivetWeb does not tell this
 * callback who the client is (mg_get_request_info is NULL until a request is parsed), so the
 * per-address cap is applied at the connection's first request, in dispatch. */
static int on_init_connection(const struct mg_connection *conn, void **conn_data)
{
	struct http_server *srv = mg_get_user_data(mg_get_context(conn));
	atomic_fetch_add(&srv->connections, 1);
	*conn_data = (void *)(uintptr_t)CONN_SEEN;
	return 0;
}

/* A worker whose connection closed goes idle, maybe for long: what it holds for requests goes
 * back — its buffers to malloc, for the workers still serving, and the pages its stack touched to
 * the kernel. 256 workers each once used kept 75 KB apiece (RSS 19 MB idle, 37 MB once every
 * worker had served a list); now what stays resident follows the connections open. */
static void worker_goes_idle(struct http_thread *t)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0); /* the thread's stack (a local may be elsewhere under ASan) */
	if (!t || sp < t->stack_low || sp >= t->stack_high)
		return; /* not called on the worker's own thread */
	buf_free(&t->out);
	buf_free(&t->scratch);
	buf_free(&t->head);
	buf_free(&t->body);
	thread_stack_release(t->stack_low, t->stack_high);
}

static void on_connection_close(const struct mg_connection *conn)
{
	struct http_server *srv = mg_get_user_data(mg_get_context(conn));
	uintptr_t data = (uintptr_t)mg_get_user_connection_data(conn);
	if (data & CONN_PER_ADDR)
		conncount_release(srv->per_addr, (int)(data >> CONN_SLOT_SHIFT));
	if (data & CONN_SEEN)
		atomic_fetch_sub(&srv->connections, 1);
	worker_goes_idle(mg_get_thread_pointer(conn));
}

/* CivetWeb is built by Debian with 100 KiB worker stacks; see lib/threadstack.h. */
#define CIVETWEB_STACK 102400

struct http_server *http_server_start(const struct http_server_options *o)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	s->per_addr = conncount_new((int)o->config->threads + 16);
	if (!s->per_addr)
		goto failed;
	s->keep_alive_below = (int)(o->config->threads * 3 / 4);
	s->metrics = metrics_new(o->routes, o->nroutes);
	s->started = time(NULL);
	if (!s->metrics)
		goto failed;
	unsigned char rnd[6];
	if (!random_bytes(rnd, sizeof rnd))
		memset(rnd, 0, sizeof rnd);
	hex_lower(rnd, sizeof rnd, s->request_id_prefix);

	size_t stack = (size_t)o->config->worker_stack_kb * 1024;
	thread_stack_set_min(stack);
	size_t got = thread_stack_probe(CIVETWEB_STACK);
	if (got < stack) {
		log_error("cannot give worker threads a %zu KiB stack (a thread got %zu KiB)", stack / 1024, got / 1024);
		goto failed;
	}
	log_info("worker stack %zu KiB (CivetWeb asks for %d KiB)", got / 1024, CIVETWEB_STACK / 1024);

	char threads[16], keepalive[16], queue[16], timeout[16];
	snprintf(threads, sizeof threads, "%ld", o->config->threads);
	snprintf(keepalive, sizeof keepalive, "%ld", o->config->keepalive_ms);
	snprintf(queue, sizeof queue, "%ld", o->config->threads * 4);
	snprintf(timeout, sizeof timeout, "%ld", o->config->request_timeout_ms);
	const char *options[] = {
		"listening_ports", o->config->listen,
		"num_threads", threads,
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", keepalive,
		/* CivetWeb measures it from the start of the request, for the whole head (not per
		 * line), and applies it again to each body read and response write */
		"request_timeout_ms", timeout,
		"tcp_nodelay", "1",
		"connection_queue", queue,
		"listen_backlog", "1024",
		"max_request_size", "16384", /* HTTP_HEAD_MAX */
		/* paths are decoded by head_ok, which refuses %00 */
		"decode_url", "no",
		"enable_directory_listing", "no",
		/* CORS is ours (TDKT_CORS_ORIGINS): CivetWeb would answer every preflight with "*" */
		"access_control_allow_origin", "",
		"access_control_allow_methods", "",
		"access_control_allow_headers", "",
		NULL,
	};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.http_error = on_http_error;
	cb.log_message = on_log_message;
	cb.init_thread = on_init_thread;
	cb.exit_thread = on_exit_thread;
	cb.init_connection = on_init_connection;
	cb.connection_close = on_connection_close;
	struct mg_init_data init = {.callbacks = &cb, .user_data = s, .configuration_options = options};
	char text[256] = "";
	unsigned code = 0;
	struct mg_error_data error = {.code = &code, .text = text, .text_buffer_size = sizeof text};
	s->ctx = mg_start2(&init, &error);
	if (!s->ctx) {
		log_error("cannot start the HTTP server on %s: %s", o->config->listen, text);
		goto failed;
	}
	mg_set_request_handler(s->ctx, "/", dispatch, s);
	mg_set_auth_handler(s->ctx, "/", authorize_in_dispatch, NULL);
	return s;
failed:
	conncount_free(s->per_addr);
	metrics_free(s->metrics);
	free(s);
	return NULL;
}

int http_server_drain(struct http_server *s, long timeout_ms)
{
	if (!s)
		return 0;
	atomic_store(&s->draining, true);
	double deadline = now_ms() + (double)timeout_ms;
	while (atomic_load(&s->in_flight) > 0 && now_ms() < deadline) {
		struct timespec pause = {0, 5 * 1000000};
		nanosleep(&pause, NULL);
	}
	return atomic_load(&s->in_flight);
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	mg_stop(s->ctx);
	conncount_free(s->per_addr);
	metrics_free(s->metrics);
	free(s);
}

/* --- for handlers ------------------------------------------------------------------ */

void req_write_metrics(struct req *r)
{
	const struct http_server *s = r->srv;
	struct buf *out = r->out;
	metrics_write(s->metrics, out);
	metrics_header(out, "tdkt_http_requests_in_flight", "gauge", "Requests inside the server now.");
	metrics_sample(out, "tdkt_http_requests_in_flight", NULL, 0, (double)atomic_load(&s->in_flight));
	metrics_header(out, "tdkt_http_request_retries_total", "counter",
		       "Requests run again after a deadlock, a serialization failure or a lost connection.");
	metrics_sample(out, "tdkt_http_request_retries_total", NULL, 0,
		       (double)atomic_load_explicit(&s->retries, memory_order_relaxed));
	static const struct {
		const char *name, *type, *help;
	} pool[] = {
		{"tdkt_db_pool_connections", "gauge", "Connections the pool may hold."},
		{"tdkt_db_pool_in_use", "gauge", "Connections taken by requests now."},
		{"tdkt_db_pool_waiters", "gauge", "Requests waiting for a connection now."},
		{"tdkt_db_errors_total", "counter", "Statements that failed (constraint violations included)."},
		{"tdkt_db_connect_failures_total", "counter", "Connections that could not be opened."},
		{"tdkt_db_pool_timeouts_total", "counter", "Requests that waited for a connection in vain (503)."},
		{"tdkt_db_pool_sent_for_waiters_total", "counter",
		 "Reads of one statement sent for a waiting request by the request that handed it its connection."},
	};
	/* the primary's pool, and the replica's when reads have one */
	struct db_pool_stats st[2];
	const char *names[2] = {"primary", "replica"};
	int npools = s->o.read_pool ? 2 : 1;
	db_pool_stats(s->o.pool, &st[0]);
	if (s->o.read_pool)
		db_pool_stats(s->o.read_pool, &st[1]);
	for (size_t i = 0; i < sizeof pool / sizeof pool[0]; i++) {
		metrics_header(out, pool[i].name, pool[i].type, pool[i].help);
		for (int k = 0; k < npools; k++) {
			const double value[] = {st[k].size, st[k].in_use, st[k].waiting, (double)st[k].errors,
						(double)st[k].connect_failures, (double)st[k].busy,
						(double)st[k].sent_for_waiters};
			const char *labels[] = {"pool", names[k]};
			metrics_sample(out, pool[i].name, labels, 1, value[i]);
		}
	}
	metrics_header(out, "tdkt_build_info", "gauge", "The running build: its version as a label, value 1.");
	const char *build[] = {"version", s->o.version ? s->o.version : "unknown"};
	metrics_sample(out, "tdkt_build_info", build, 1, 1);
	metrics_header(out, "tdkt_start_time_seconds", "gauge", "When the server started, in seconds since the epoch.");
	metrics_sample(out, "tdkt_start_time_seconds", NULL, 0, (double)s->started);
}

/* mg_get_header compares every header name with its own byte-by-byte strcasecmp, and a request asks
 * for a dozen names: the first letter, folded, rules out most before a comparison. */
const char *req_header(const struct req *r, const char *name)
{
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	unsigned char first = (unsigned char)name[0] | 0x20;
	for (int i = 0; i < ri->num_headers; i++) {
		const char *h = ri->http_headers[i].name;
		if (((unsigned char)h[0] | 0x20) == first && strcasecmp(h, name) == 0)
			return ri->http_headers[i].value;
	}
	return NULL;
}

/* reads go to the replica when there is one and it can serve this one; writes, and reads
 * that must see the primary, never */
static bool from_replica(struct req *r)
{
	const struct route *rt = r->match.route;
	return r->srv->o.read_pool && rt && !(rt->flags & ROUTE_PRIMARY) &&
	       (strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "HEAD") == 0) &&
	       db_acquire_replica(r->srv->o.read_pool, r->min_position, &r->db);
}

bool req_db(struct req *r, struct db_conn **out)
{
	if (!r->db) {
		if (!from_replica(r) && !db_acquire(r->srv->o.pool, &r->db, &r->err))
			return false;
		r->db_acquired++;
		db_set_request_id(r->db, r->request_id);
	}
	*out = r->db;
	return true;
}

PGresult *req_run(struct req *r, const struct db_stmt *stmt, const struct db_params *p)
{
	struct db_conn *db;
	return req_db(r, &db) ? db_run(db, stmt, p->n, p->v, NULL, &r->err) : NULL;
}

PGresult *req_run_once(struct req *r, const struct db_stmt *stmt, int n, const char *const *values,
			const struct db_envelope *env)
{
	struct db_conn *db;
	if (r->db || r->srv->o.read_pool) {
		if (!req_db(r, &db))
			return NULL;
		/* in a transaction the request opened (read_begin, write_begin: its context is set), as it
		 * is; otherwise in a read-only one begun and ended around the statement */
		return db_run_enveloped(db, stmt, n, values, db_in_transaction(db) ? NULL : env, NULL, &r->err);
	}
	r->db_acquired++;
	return db_run_once(r->srv->o.pool, stmt, n, values, env, NULL, r->request_id, &r->err);
}

PGresult *req_query(struct req *r, const char *sql, const struct db_params *p)
{
	const struct db_stmt text = {NULL, sql};
	return req_run_once(r, &text, p->n, p->v, NULL);
}

const struct config *req_config(const struct req *r)
{
	return r->srv->o.config;
}

const struct auth_verifier *req_verifier(const struct req *r)
{
	return r->srv->o.verifier;
}

const char *req_peer(const struct req *r)
{
	return r->client;
}

const char *req_caller_issuer(const struct req *r)
{
	const struct auth_verifier *v = r->srv->o.verifier;
	int i = r->caller.issuer;
	return r->authenticated && i > 0 && i < v->nkeys ? v->keys[i].issuer : NULL;
}

void req_db_release(struct req *r)
{
	uint64_t committed = db_commit_position(r->db);
	if (committed > r->commit_position)
		r->commit_position = committed;
	db_release(r->db);
	r->db = NULL;
}

void req_db_done(struct req *r)
{
	if (r->db && db_may_release(r->db))
		req_db_release(r);
}

int req_fail(struct req *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err.detail, sizeof r->err.detail, fmt, ap);
	va_end(ap);
	r->err.status = status;
	return -1;
}

bool req_path_text(struct req *r, const char *name, bool (*valid)(const char *s, size_t n), char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	for (int i = 0; i < r->match.nparams; i++) {
		const struct route_param *p = &r->match.params[i];
		if (p->name_len == nlen && memcmp(p->name, name, nlen) == 0 && p->value_len < outlen &&
		    valid(p->value, p->value_len)) {
			memcpy(out, p->value, p->value_len);
			out[p->value_len] = '\0';
			return true;
		}
	}
	return app_error_set(&r->err, 404, "No resource at this path.");
}

bool req_path_id(struct req *r, const char *name, long long *id)
{
	if (!route_param_id(&r->match, name, id))
		return app_error_set(&r->err, 404, "No resource at this path.");
	return true;
}

/* media type check: type/subtype, optional parameters, charset (if any) must be UTF-8 */
static bool media_type_is(const char *header, const char *want)
{
	size_t n = strlen(want);
	while (*header == ' ')
		header++;
	if (strncasecmp(header, want, n) != 0)
		return false;
	const char *p = header + n;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return true;
	if (*p != ';')
		return false;
	const char *cs = NULL;
	for (const char *q = p; *q && !cs; q++)
		if (strncasecmp(q, "charset=", 8) == 0)
			cs = q + 8;
	if (!cs)
		return true;
	if (*cs == '"')
		cs++;
	return strncasecmp(cs, "utf-8", 5) == 0;
}

/* The body, read with the cap, into the thread's body buffer (kept for a retried handler). */
static bool read_raw_body(struct req *r, struct buf **body)
{
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	unsigned flags = r->match.route ? r->match.route->flags : 0;
	long limit = (flags & ROUTE_BULK) ? r->srv->o.config->bulk_body_limit : r->srv->o.config->body_limit;
	if ((flags & ROUTE_SMALL_BODY) && limit > ROUTE_SMALL_BODY_LIMIT)
		limit = ROUTE_SMALL_BODY_LIMIT;
	if (ri->content_length > limit)
		return app_error_set(&r->err, 413, "The request body is larger than %ld bytes.", limit);
	struct buf *b = &r->thread->body;
	*body = b;
	if (r->body_read) /* a retried handler: the body was read by the first attempt */
		return true;
	buf_reset(b);
	/* chunked bodies have no length: read up to one byte past the cap to detect overflow */
	char chunk[8192];
	for (;;) {
		int n = mg_read(r->conn, chunk, sizeof chunk);
		if (n < 0)
			return app_error_set(&r->err, 400, "The request body could not be read.");
		if (n == 0) {
			/* CivetWeb ends a body early when its client closes or stalls past the read
			 * deadline: what came is not the request that was sent (a batch would be cut to
			 * its first lines), so nothing is run (req_body_read says the same of a stream) */
			if (ri->content_length >= 0 && (long long)b->len != ri->content_length)
				return app_error_set(&r->err, 400, "The request body ended after %zu of its %lld bytes.",
						     b->len, ri->content_length);
			r->body_read = true;
			break;
		}
		buf_append(b, chunk, (size_t)n);
		if ((long)b->len > limit)
			return app_error_set(&r->err, 413, "The request body is larger than %ld bytes.", limit);
	}
	if (!buf_ok(b))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return true;
}

static bool read_body(struct req *r, bool patch, struct buf **body)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || !(media_type_is(ct, "application/json") ||
		     (patch && media_type_is(ct, "application/merge-patch+json"))))
		return app_error_set(&r->err, 415, patch ? "Send application/merge-patch+json or application/json."
							 : "Send application/json (UTF-8).");
	return read_raw_body(r, body);
}

bool req_raw_body(struct req *r, const struct buf **body)
{
	struct buf *b;
	if (!read_raw_body(r, &b))
		return false;
	*body = b;
	return true;
}

bool req_body_begin(struct req *r, long long limit, long long *length)
{
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	*length = ri->content_length;
	if (ri->content_length > limit)
		return app_error_set(&r->err, 413, "The request body is larger than %lld bytes.", limit);
	if (!r->stream) {
		struct body_stream *s = calloc(1, sizeof *s);
		if (!s || !(s->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
			body_stream_free(s);
			return app_error_set(&r->err, 503, "The service is short of memory.");
		}
		r->stream = s;
	}
	r->stream->limit = limit;
	return true;
}

long req_body_read(struct req *r, void *buf, size_t n)
{
	struct body_stream *s = r->stream;
	if (!s)
		return req_fail(r, 500, "An internal error occurred.");
	if (r->body_read || n == 0)
		return 0;
	r->body_streamed = true;
	int got = mg_read(r->conn, buf, n > INT_MAX ? INT_MAX : n);
	if (got < 0)
		return req_fail(r, 400, "The request body could not be read.");
	if (got == 0) {
		/* CivetWeb ends a body early when its client closes or stalls past the read deadline */
		long long declared = mg_get_request_info(r->conn)->content_length;
		if (declared >= 0 && s->count != declared)
			return req_fail(r, 400, "The request body ended after %lld of its %lld bytes.", s->count, declared);
		r->body_read = true;
		return 0;
	}
	s->count += got;
	if (s->count > s->limit)
		return req_fail(r, 413, "The request body is larger than %lld bytes.", s->limit);
	if (EVP_DigestUpdate(s->md, buf, (size_t)got) != 1)
		return req_fail(r, 500, "An internal error occurred.");
	return got;
}

void req_body_digest(struct req *r, char sha256[65], long long *bytes)
{
	struct body_stream *s = r->stream;
	*bytes = s ? s->count : 0;
	if (s && !s->done) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int len = 0;
		if (EVP_DigestFinal_ex(s->md, md, &len) == 1 && len == 32)
			hex_lower(md, 32, s->sha256);
		else
			s->sha256[0] = '\0';
		s->done = true;
	}
	memcpy(sha256, s ? s->sha256 : "", s ? 65 : 1);
}

bool req_stream_begin(struct req *r, long long length, const char *disposition)
{
	struct http_thread *t = r->thread;
	struct buf local;
	buf_init(&local);
	struct buf *h = t ? &t->head : &local;
	buf_reset(h);
	r->streamed = true;
	bool keep = put_head(r, h, r->content_type ? r->content_type : "application/octet-stream", length, disposition);
	if (!keep)
		mg_disable_connection_keep_alive(r->conn);
	bool ok = buf_ok(h) && mg_write(r->conn, h->data, h->len) == (int)h->len;
	buf_free(&local);
	if (!ok)
		app_error_set(&r->err, 400, "The client went away.");
	return ok;
}

bool req_stream_write(struct req *r, const void *data, size_t n)
{
	if (strcmp(r->method, "HEAD") == 0 || n == 0)
		return true;
	if (mg_write(r->conn, data, n) == (int)n)
		return true;
	return app_error_set(&r->err, 400, "The client went away.");
}

bool req_no_body(struct req *r)
{
	const char *length = req_header(r, "Content-Length");
	if (!req_header(r, "Transfer-Encoding") && (!length || strcmp(length, "0") == 0))
		return true;
	struct buf *b;
	json_t *obj = NULL;
	if (!read_raw_body(r, &b))
		return false;
	if (b->len == 0)
		return true;
	const char *key;
	json_t *value;
	bool ok = read_body(r, false, &b) && jin_parse(b->data, b->len, &obj, &r->err);
	json_object_foreach(obj, key, value) {
		(void)value;
		ok = app_error_field(&r->err, key, "unknown_field", "this action takes no body: %s is not one of its fields", key);
	}
	json_decref(obj);
	return ok;
}

bool req_body(struct req *r, const char *const *types, int *type, const struct buf **body)
{
	const char *ct = req_header(r, "Content-Type");
	struct buf *b = NULL;
	*type = -1;
	for (int i = 0; ct && types[i] && *type < 0; i++)
		if (media_type_is(ct, types[i]))
			*type = i;
	if (*type < 0) {
		struct buf list;
		buf_init(&list);
		for (int i = 0; types[i]; i++)
			BUF_CAT(&list, i ? " or " : "", types[i]);
		app_error_set(&r->err, 415, "Send %s (UTF-8).", buf_ok(&list) ? list.data : "a supported type");
		buf_free(&list);
		return false;
	}
	if (!read_raw_body(r, &b))
		return false;
	*body = b;
	return true;
}

bool req_json(struct req *r, bool patch, json_t **out)
{
	struct buf *b;
	*out = NULL;
	return read_body(r, patch, &b) && jin_parse(b->data, b->len, out, &r->err);
}

bool req_json_array(struct req *r, size_t max_items, json_t **out)
{
	struct buf *b;
	*out = NULL;
	return read_body(r, false, &b) && jin_parse_array(b->data, b->len, max_items, out, &r->err);
}

/* "<version>" into out (FMT_INT_MAX + 2 bytes); the length */
static size_t version_tag(char *out, long long version)
{
	out[0] = '"';
	size_t n = fmt_int(out + 1, version);
	out[n + 1] = '"';
	out[n + 2] = '\0';
	return n + 2;
}

void req_set_etag(struct req *r, long long version)
{
	_Static_assert(sizeof r->etag >= FMT_INT_MAX + 2, "an ETag holds a quoted version");
	version_tag(r->etag, version);
}

/* Matches a list of entity tags ("3", W/"3", *) against one tag, quotes included. */
bool etag_list_has(const char *h, const char *want, bool weak_ok)
{
	size_t wn = strlen(want);
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return true;
		bool weak = false;
		if (p[0] == 'W' && p[1] == '/') {
			weak = true;
			p += 2;
		}
		if (*p != '"')
			return false;
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		size_t n = (size_t)(end - p + 1);
		if ((!weak || weak_ok) && n == wn && memcmp(p, want, n) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

bool etag_list_matches(const char *h, long long version, bool weak_ok)
{
	char want[FMT_INT_MAX + 2];
	version_tag(want, version);
	return etag_list_has(h, want, weak_ok);
}

bool req_not_modified(const struct req *r, long long version)
{
	const char *h = req_header(r, "If-None-Match");
	return h && etag_list_matches(h, version, true);
}

bool req_if_match(struct req *r, long long version)
{
	const char *h = req_header(r, "If-Match");
	if (!h || etag_list_matches(h, version, false))
		return true;
	return app_error_set(&r->err, 412, "The resource has changed (current version %lld).", version);
}
