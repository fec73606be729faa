/* A growable byte buffer with a sticky out-of-memory flag (check buf_ok once at the end instead
 * of after every append), and the JSON writing the service's responses are made of.
 * JSON strings are escaped with an ASCII fast path: text from PostgreSQL is already valid UTF-8,
 * so bytes >= 0x80 are copied as they are and only '"', '\\' and control bytes need work. */
#ifndef TDKT_BUF_H
#define TDKT_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;   /* owned; NUL-terminated while ok */
	size_t len;
	size_t cap;
	bool oom;     /* an append failed: the content is incomplete */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);          /* accepts a zeroed or freed buf */
void buf_reset(struct buf *b);         /* empties, keeps the memory, clears oom */
static inline bool buf_ok(const struct buf *b) { return !b->oom; }

void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* appends each string in turn, up to a NULL; BUF_CAT(b, "a", s, "c") adds the NULL */
void buf_cat(struct buf *b, ...);
#define BUF_CAT(b, ...) buf_cat(b, __VA_ARGS__, (const char *)NULL)

/* JSON pieces. buf_json_str writes a quoted, escaped string of n bytes (must be UTF-8). */
void buf_json_str(struct buf *b, const char *s, size_t n);
/* What a writer that knows its size writes through: buf_tail reserves `extra` bytes and answers
 * where to write (NULL when out of memory, then oom is set); buf_tail_done ends the content at
 * `end`, somewhere within them. One reservation for many pieces, as a row of a list. */
char *buf_tail(struct buf *b, size_t extra);
void buf_tail_done(struct buf *b, char *end);
/* The quoted, escaped JSON string of n bytes at o, which has room for JSON_STR_MAX(n); the end */
#define JSON_STR_MAX(n) ((n) * 6 + 2)
char *json_str_into(char *o, const char *s, size_t n);
void buf_json_cstr(struct buf *b, const char *s);  /* NULL writes null */
void buf_json_int(struct buf *b, int64_t v);

/* Integers as text without the printf family, which costs ten times as much for one integer
 * (and a request writes several: ids, versions, its status, lengths). out holds FMT_INT_MAX bytes;
 * NUL-terminated; the length. */
#define FMT_INT_MAX 24
size_t fmt_int(char out[FMT_INT_MAX], long long v);
size_t fmt_hex(char out[FMT_INT_MAX], unsigned long long v); /* lower case, no 0x */
/* `"name":` — the name is a compile-time key, written without escaping */
void buf_json_key(struct buf *b, const char *name);

#endif
