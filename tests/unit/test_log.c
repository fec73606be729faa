/* The access log's blocks (lib/log.c): while one block's write is held up by a reader of stdout
 * that does not read, requests go on logging into the other block instead of waiting; once the
 * reader reads, every line comes out, once and in order, and a line that is not held (log_msg)
 * after every line held before it. stdout is a pipe of one page for the test. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"
#include "tests/unit/check.h"

enum { HELD_FIRST = 50, WHILE_BLOCKED = 300, LINE = 100 };

static void log_numbered(int i)
{
	char line[LINE + 1];
	int n = snprintf(line, sizeof line, "{\"n\":%d,\"pad\":\"", i);
	memset(line + n, 'x', (size_t)(LINE - n - 2));
	memcpy(line + LINE - 2, "\"}", 2);
	log_line(line, LINE);
}

static atomic_int logged;

static void *log_while_blocked(void *arg)
{
	(void)arg;
	for (int i = HELD_FIRST; i < HELD_FIRST + WHILE_BLOCKED; i++) {
		log_numbered(i);
		atomic_fetch_add(&logged, 1);
	}
	return NULL;
}

struct drained {
	int fd;
	char *text;
	size_t len;
};

static void *drain(void *arg)
{
	struct drained *d = arg;
	size_t cap = 1 << 20;
	d->text = malloc(cap);
	ssize_t k;
	while (d->text && d->len < cap - 1 && (k = read(d->fd, d->text + d->len, cap - 1 - d->len)) > 0)
		d->len += (size_t)k;
	if (d->text)
		d->text[d->len] = '\0';
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&t, NULL);
}

int main(void)
{
	int saved = dup(STDOUT_FILENO), p[2];
	if (saved < 0 || pipe(p) != 0)
		return 1;
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	int capacity = fcntl(p[1], F_GETPIPE_SZ);
	fflush(stdout);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	log_init(LOG_INFO);
	bool started = log_buffer_start(5);
	if (!started) {
		/* lines would go straight into a pipe nobody reads: stop here */
		dup2(saved, STDOUT_FILENO);
		CHECK(started, "the flusher started");
		return check_done("log");
	}

	/* more than the pipe takes: the flusher's write stops when it is full, nobody reading */
	for (int i = 0; i < HELD_FIRST; i++)
		log_numbered(i);
	int queued = 0;
	for (int waited = 0; waited < 2000 && queued == 0; waited += 10) {
		sleep_ms(10);
		ioctl(p[0], FIONREAD, &queued);
	}
	sleep_ms(20); /* the flusher is in its next write(2), which waits for room */
	/* requests log on meanwhile: 300 lines of 101 bytes fit the other block */
	pthread_t logger;
	if (pthread_create(&logger, NULL, log_while_blocked, NULL) != 0)
		return 1;
	for (int waited = 0; waited < 5000 && atomic_load(&logged) < WHILE_BLOCKED; waited += 10)
		sleep_ms(10);
	int logged_while_blocked = atomic_load(&logged);
	ioctl(p[0], FIONREAD, &queued);
	bool still_blocked = queued > 0 && queued < HELD_FIRST * (LINE + 1);

	/* the reader reads: everything comes out, a line not held after the held ones */
	struct drained d = {.fd = p[0]};
	pthread_t reader;
	if (pthread_create(&reader, NULL, drain, &d) != 0)
		return 1;
	pthread_join(logger, NULL);
	log_msg(LOG_INFO, NULL, "after the held lines");
	log_buffer_stop();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	pthread_join(reader, NULL);
	close(p[0]);

	CHECK(capacity > 0 && capacity < HELD_FIRST * (LINE + 1), "a pipe smaller than the first lines (%d bytes)", capacity);
	CHECK(logged_while_blocked == WHILE_BLOCKED && still_blocked,
	      "%d of %d lines logged while a write was held up (%d bytes of the first lines in the pipe)",
	      logged_while_blocked, WHILE_BLOCKED, queued);
	int next = 0;
	bool in_order = d.text != NULL;
	const char *at = d.text ? d.text : "";
	for (; in_order && next < HELD_FIRST + WHILE_BLOCKED; next++) {
		int n = -1;
		in_order = sscanf(at, "{\"n\":%d,", &n) == 1 && n == next && strlen(at) > LINE && at[LINE] == '\n';
		at += LINE + 1;
	}
	CHECK(in_order, "every line once and in order (the first wrong: %d)", next - 1);
	CHECK(in_order && strstr(at, "after the held lines") && strchr(at, '\n') == at + strlen(at) - 1,
	      "the line not held last, after all the held ones: %.200s", at);
	free(d.text);
	return check_done("log");
}
