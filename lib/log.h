/* JSON log lines on stdout, each line written whole so concurrent threads never interleave.
 * Never log secrets, tokens or passwords: callers pass only what is safe. */
#ifndef TDKT_LOG_H
#define TDKT_LOG_H
#include "lib/config.h"

void log_init(enum log_level min_level);
/* {"time":…,"level":…,"msg":…} plus an optional request id (NULL for none) */
void log_msg(enum log_level level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* writes a complete, already-formatted JSON line of the access log (newline added): at once, or,
 * once log_buffer_start ran, gathered with others and written within flush_ms; log_msg's lines
 * are never held and come after those held */
void log_line(const char *json, size_t len);
/* Starts gathering access lines (a thread writes them every flush_ms); false when the thread
 * could not start (lines are then written at once). log_buffer_stop writes what is held and
 * stops the thread: call it once requests are over. */
bool log_buffer_start(long flush_ms);
void log_buffer_stop(void);
/* RFC 3339 UTC with milliseconds into out (at least 32 bytes) */
void log_now(char *out, size_t outlen);

#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)

#endif
