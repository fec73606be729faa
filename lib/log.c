#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "lib/buf.h"
#include "lib/log.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(enum log_level level)
{
	min_level = level;
}

/* The second's text is kept per thread: formatting a time costs more than the rest of a line. */
static _Thread_local time_t cached_second = -1;
static _Thread_local char cached_text[24];

void log_now(char *out, size_t outlen)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_second) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(cached_text, sizeof cached_text, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_second = ts.tv_sec;
	}
	if (outlen < 25)
		return;
	long msec = ts.tv_nsec / 1000000;
	memcpy(out, cached_text, 19);
	out[19] = '.';
	out[20] = (char)('0' + msec / 100);
	out[21] = (char)('0' + msec / 10 % 10);
	out[22] = (char)('0' + msec % 10);
	out[23] = 'Z';
	out[24] = '\0';
}

/* Writes a block of whole lines: at most PIPE_BUF bytes at a time, each piece ending at a line's
 * end, so that on a pipe shared with stderr (2>&1) nothing another writer sends lands inside a
 * line (a pipe keeps a write of at most PIPE_BUF whole); a line longer than that is cut, as one
 * writev of it was. A stdout that is not ready (non-blocking) is waited for, a second at most. */
static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		size_t k = n;
		if (k > PIPE_BUF) {
			k = PIPE_BUF;
			while (k > 0 && p[k - 1] != '\n')
				k--;
			if (k == 0)
				k = PIPE_BUF;
		}
		ssize_t w = write(STDOUT_FILENO, p, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd out = {.fd = STDOUT_FILENO, .events = POLLOUT};
			if (poll(&out, 1, 1000) > 0)
				continue;
			return;
		}
		if (w <= 0)
			return; /* nowhere to report a failed log write */
		p += w;
		n -= (size_t)w;
	}
}

static void write_line(const char *json, size_t len)
{
	struct iovec iov[2] = {{(void *)json, len}, {"\n", 1}};
	ssize_t rc = writev(STDOUT_FILENO, iov, 2);
	(void)rc;
}

/* The access log's lines, gathered and written a block at a time: one write(2) per request was
 * a system call and a wake-up of the log's reader each (at 15,000 requests a second, most of the
 * log's cost). Written when the block fills, every flush_ms by the flusher thread, before any
 * other log line (so the order holds), and at log_buffer_stop (after a SIGTERM's drain: no line is
 * lost). A crash loses at most flush_ms of access lines; other lines are never held.
 * Two blocks: one fills while the other is written, outside the lock, so a reader of stdout that
 * is slow for a moment (a log driver flushing to disk) holds up no request until the second block
 * is full too; only one is written at a time, in the order they filled. */
#define LOG_BLOCK (64 * 1024)
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* the flusher's timer, and its stop */
	pthread_cond_t written;    /* a block's write ended */
	bool running, stopping;
	bool writing;              /* the other block is being written, by the thread that took it */
	long flush_ms;
	pthread_t flusher;
	int filling;               /* which block lines go to */
	size_t len;                /* of the filling block */
	char data[2][LOG_BLOCK];
} block = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .written = PTHREAD_COND_INITIALIZER};

/* Under the lock, with no write going on: the filling block and its length are taken for writing
 * (the other block fills meanwhile), and then, outside the lock, written, followed by `line` when
 * there is one (a line not to be held, which must come after the held ones). Returns under the
 * lock. */
static void write_held(const char *line, size_t line_len)
{
	const char *held = block.data[block.filling];
	size_t n = block.len;
	block.filling ^= 1;
	block.len = 0;
	block.writing = true;
	pthread_mutex_unlock(&block.lock);
	write_all(held, n);
	if (line)
		write_line(line, line_len);
	pthread_mutex_lock(&block.lock);
	block.writing = false;
	pthread_cond_broadcast(&block.written);
}

/* Under the lock: until no block is being written (the one being written is the only one there is
 * to write before the filling one) */
static void wait_written(void)
{
	while (block.writing)
		pthread_cond_wait(&block.written, &block.lock);
}

static void *flusher(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&block.lock);
	while (!block.stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += block.flush_ms % 1000 * 1000000L;
		until.tv_sec += block.flush_ms / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&block.wake, &block.lock, &until);
		/* a write still going on (stdout slow): the lines wait for the next round, or for the
		 * request that fills the block */
		if (!block.stopping && !block.writing && block.len > 0)
			write_held(NULL, 0);
	}
	pthread_mutex_unlock(&block.lock);
	return NULL;
}

bool log_buffer_start(long flush_ms)
{
	block.flush_ms = flush_ms > 0 ? flush_ms : 1;
	block.stopping = false;
	/* the flusher's deadlines on the monotonic clock: a wall clock set back must not hold lines */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&block.wake);
	pthread_cond_init(&block.wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&block.flusher, NULL, flusher, NULL) != 0)
		return false;
	pthread_mutex_lock(&block.lock);
	block.running = true;
	pthread_mutex_unlock(&block.lock);
	return true;
}

void log_buffer_stop(void)
{
	pthread_mutex_lock(&block.lock);
	bool was = block.running;
	block.running = false;
	block.stopping = true;
	pthread_cond_signal(&block.wake);
	wait_written();
	if (block.len > 0)
		write_held(NULL, 0);
	pthread_mutex_unlock(&block.lock);
	if (was)
		pthread_join(block.flusher, NULL);
}

void log_line(const char *json, size_t len)
{
	pthread_mutex_lock(&block.lock);
	if (!block.running || len + 1 > LOG_BLOCK) {
		/* at once, after what is held: a line never passes one held before it */
		wait_written();
		write_held(json, len);
	} else {
		/* full: written by this thread when no other write goes on, else waited for (the one
		 * writing may have taken it, or another filled the next one meanwhile) */
		while (block.len + len + 1 > LOG_BLOCK) {
			if (block.writing)
				pthread_cond_wait(&block.written, &block.lock);
			else
				write_held(NULL, 0);
		}
		memcpy(block.data[block.filling] + block.len, json, len);
		block.data[block.filling][block.len + len] = '\n';
		block.len += len + 1;
	}
	pthread_mutex_unlock(&block.lock);
}

/* a line that is not the access log's: after the lines held, at once */
static void log_now_line(const char *json, size_t len)
{
	pthread_mutex_lock(&block.lock);
	wait_written();
	write_held(json, len);
	pthread_mutex_unlock(&block.lock);
}

void log_msg(enum log_level level, const char *request_id, const char *fmt, ...)
{
	if (level < min_level)
		return;
	char msg[1024], now[40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_now(now, sizeof now);
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "{\"time\":\"");
	buf_puts(&b, now);
	buf_puts(&b, "\",\"level\":\"");
	buf_puts(&b, level_names[level]);
	buf_puts(&b, "\",");
	if (request_id) {
		buf_json_key(&b, "request_id");
		buf_json_cstr(&b, request_id);
		buf_putc(&b, ',');
	}
	buf_json_key(&b, "msg");
	buf_json_cstr(&b, msg);
	buf_putc(&b, '}');
	if (buf_ok(&b))
		log_now_line(b.data, b.len);
	buf_free(&b);
}
