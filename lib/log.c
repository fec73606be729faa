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

void log_now(char *out, size_t outlen)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char base[24];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
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
