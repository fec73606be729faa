#include <civetweb.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "lib/http.h"
#include "lib/jsonin.h"
#include "lib/log.h"

struct http_server {
	struct mg_context *ctx;
	struct http_server_options o;
	char request_id_prefix[17];
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
};

static atomic_ullong request_counter;

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
	unsigned long long n = atomic_fetch_add(&request_counter, 1) + 1;
	snprintf(r->request_id, sizeof r->request_id, "%s-%llx", r->srv->request_id_prefix, n);
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

static void header(struct buf *h, const char *name, const char *value)
{
	buf_puts(h, name);
	buf_append(h, ": ", 2);
	buf_puts(h, value);
	buf_append(h, "\r\n", 2);
}

/* Writes status line, headers and body with one mg_write: CivetWeb's header API sends every
 * header line in its own send(2), which with TCP_NODELAY is a packet each and was most of the
 * service's system time. */
static void send_response(struct req *r, const struct buf *body, const char *content_type)
{
	struct http_thread *t = r->thread;
	struct buf local;
	buf_init(&local);
	struct buf *h = t ? &t->head : &local;
	buf_reset(h);
	bool head = strcmp(r->method, "HEAD") == 0;
	bool no_body = r->status == 304 || r->status == 204;
	bool keep = !r->must_close && wants_keep_alive(r);
	buf_printf(h, "HTTP/1.1 %d %s\r\n", r->status, http_status_title(r->status));
	if (!no_body) {
		header(h, "Content-Type", content_type);
		buf_printf(h, "Content-Length: %zu\r\n", body->len);
	}
	header(h, "Date", t ? http_date(t) : "Thu, 01 Jan 1970 00:00:00 GMT");
	header(h, "Connection", keep ? "keep-alive" : "close");
	header(h, "X-Request-Id", r->request_id);
	header(h, "X-Content-Type-Options", "nosniff");
	if (r->cache_control)
		header(h, "Cache-Control", r->cache_control);
	else if (r->authenticated)
		header(h, "Cache-Control", "no-store");
	if (r->etag[0])
		header(h, "ETag", r->etag);
	if (r->location[0] && r->status < 300)
		header(h, "Location", r->location);
	if (r->status == 405)
		header(h, "Allow", r->match.allow);
	if (r->status == 401)
		header(h, "WWW-Authenticate", req_header(r, "Authorization") ?
			"Bearer realm=\"tdkt\", error=\"invalid_token\"" : "Bearer realm=\"tdkt\"");
	if ((r->status == 503 || r->status == 429) && r->err.retry_after > 0)
		buf_printf(h, "Retry-After: %d\r\n", r->err.retry_after);
	buf_append(h, "\r\n", 2);
	if (!head && !no_body)
		buf_append(h, body->data, body->len);
	if (!keep)
		mg_disable_connection_keep_alive(r->conn);
	if (buf_ok(h))
		mg_write(r->conn, h->data, h->len);
	else
		mg_disable_connection_keep_alive(r->conn);
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
	}
	if (r->authenticated) {
		buf_puts(b, ",\"user\":");
		buf_json_int(b, r->caller.user_id);
		buf_puts(b, ",\"role\":\"");
		buf_puts(b, role_name(r->caller.role));
		buf_puts(b, "\",\"unit_id\":");
		buf_json_int(b, r->caller.unit_id);
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

static int dispatch(struct mg_connection *conn, void *cbdata)
{
	struct http_server *srv = cbdata;
	const struct mg_request_info *ri = mg_get_request_info(conn);
	/* a worker whose buffers could not be allocated at start serves with these, freed below */
	struct http_thread *t = mg_get_thread_pointer(conn), spare;
	bool spare_used = t == NULL;
	if (spare_used) {
		memset(&spare, 0, sizeof spare);
		t = &spare;
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

	router_match(srv->o.routes, srv->o.nroutes, r.method, r.path, &r.match);
	int rc = -1;
	if (!r.match.route) {
		if (r.match.path_matched)
			app_error_set(&r.err, 405, "Method %s is not allowed here; allowed: %s.",
				      strlen(r.method) < 16 ? r.method : "?", r.match.allow);
		else
			app_error_set(&r.err, 404, "No resource at this path.");
	} else if (!(r.match.route->flags & ROUTE_PUBLIC) && !authenticate(&r)) {
		/* err set */
	} else {
		/* A deadlock or serialization failure rolls the whole transaction back: run the
		 * request again (its body is kept), a bounded number of times, before answering 503. */
		for (int attempt = 1;; attempt++) {
			rc = r.match.route->handler(&r);
			if (rc == 0 || !r.err.retryable || attempt == HTTP_MAX_ATTEMPTS)
				break;
			log_msg(LOG_INFO, r.request_id, "transaction conflict, running the request again (%d)", attempt);
			db_release(r.db);
			r.db = NULL;
			app_error_clear(&r.err);
			buf_reset(r.out);
			r.status = 200;
			r.etag[0] = r.location[0] = '\0';
			r.content_type = r.cache_control = NULL;
		}
		if (rc != 0 && r.err.status == 0)
			app_error_set(&r.err, 500, "An internal error occurred.");
	}
	db_release(r.db);
	r.db = NULL;
	/* a body left unread on the socket would be parsed as the next request */
	if (!r.body_read && (ri->content_length > 0 || (ri->content_length < 0 && req_header(&r, "Transfer-Encoding"))))
		r.must_close = true;

	if (rc == 0 && !buf_ok(r.out)) {
		app_error_set(&r.err, 500, "An internal error occurred.");
		rc = -1;
	}
	if (rc == 0) {
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
	if (srv->o.config->access_log)
		access_log(&r, &t->scratch, now_ms() - start);
	/* a thread keeps small buffers between requests, not the memory of a rare large one */
	struct buf *bufs[] = {&t->out, &t->scratch, &t->head, &t->body};
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		if (spare_used || bufs[i]->cap > HTTP_KEEP_BUFFER)
			buf_free(bufs[i]);
	return r.status;
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
	unsigned long long n = atomic_fetch_add(&request_counter, 1) + 1;
	snprintf(r.request_id, sizeof r.request_id, "%s-%llx", srv->request_id_prefix, n);
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

struct http_server *http_server_start(const struct http_server_options *o)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	unsigned char rnd[6];
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		memset(rnd, 0, sizeof rnd);
	for (int i = 0; i < 6; i++)
		snprintf(s->request_id_prefix + 2 * i, 3, "%02x", rnd[i]);

	char threads[16], keepalive[16], queue[16];
	snprintf(threads, sizeof threads, "%ld", o->config->threads);
	snprintf(keepalive, sizeof keepalive, "%ld", o->config->keepalive_ms);
	snprintf(queue, sizeof queue, "%ld", o->config->threads * 4);
	const char *options[] = {
		"listening_ports", o->config->listen,
		"num_threads", threads,
		"enable_keep_alive", "yes",
		"keep_alive_timeout_ms", keepalive,
		"request_timeout_ms", "10000",
		"tcp_nodelay", "1",
		"connection_queue", queue,
		"listen_backlog", "1024",
		"max_request_size", "16384",
		"decode_url", "yes",
		"enable_directory_listing", "no",
		NULL,
	};
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.http_error = on_http_error;
	cb.log_message = on_log_message;
	cb.init_thread = on_init_thread;
	cb.exit_thread = on_exit_thread;
	struct mg_init_data init = {.callbacks = &cb, .user_data = s, .configuration_options = options};
	char text[256] = "";
	unsigned code = 0;
	struct mg_error_data error = {.code = &code, .text = text, .text_buffer_size = sizeof text};
	s->ctx = mg_start2(&init, &error);
	if (!s->ctx) {
		log_error("cannot start the HTTP server on %s: %s", o->config->listen, text);
		free(s);
		return NULL;
	}
	mg_set_request_handler(s->ctx, "/", dispatch, s);
	return s;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	mg_stop(s->ctx);
	free(s);
}

/* --- for handlers ------------------------------------------------------------------ */

const char *req_header(const struct req *r, const char *name)
{
	return mg_get_header(r->conn, name);
}

bool req_db(struct req *r, struct db_conn **out)
{
	if (!r->db) {
		if (!db_acquire(r->srv->o.pool, &r->db, &r->err))
			return false;
		r->db->request_id = r->request_id;
	}
	*out = r->db;
	return true;
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
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	return ri ? ri->remote_addr : "";
}

void req_db_release(struct req *r)
{
	db_release(r->db);
	r->db = NULL;
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
static bool read_body(struct req *r, bool patch, struct buf **body)
{
	const char *ct = req_header(r, "Content-Type");
	if (!ct || !(media_type_is(ct, "application/json") ||
		     (patch && media_type_is(ct, "application/merge-patch+json"))))
		return app_error_set(&r->err, 415, patch ? "Send application/merge-patch+json or application/json."
							 : "Send application/json (UTF-8).");
	const struct mg_request_info *ri = mg_get_request_info(r->conn);
	long limit = r->srv->o.config->body_limit;
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

void req_set_etag(struct req *r, long long version)
{
	snprintf(r->etag, sizeof r->etag, "\"%lld\"", version);
}

/* Matches a list of entity tags ("3", W/"3", *) against version. */
bool etag_list_matches(const char *h, long long version, bool weak_ok)
{
	char want[32];
	int wn = snprintf(want, sizeof want, "\"%lld\"", version);
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
		if ((!weak || weak_ok) && n == (size_t)wn && memcmp(p, want, n) == 0)
			return true;
		p = end + 1;
	}
	return false;
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
