#include <stdarg.h>
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

void log_line(const char *json, size_t len)
{
	struct iovec iov[2] = {{(void *)json, len}, {"\n", 1}};
	ssize_t rc = writev(STDOUT_FILENO, iov, 2);
	(void)rc; /* nowhere to report a failed log write */
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
		log_line(b.data, b.len);
	buf_free(&b);
}
