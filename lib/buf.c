#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void buf_init(struct buf *b)
{
	memset(b, 0, sizeof *b);
}

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->data)
		b->data[0] = '\0';
}

static bool reserve(struct buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void buf_append(struct buf *b, const void *data, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	if (!reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		buf_append(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* 1 for bytes that need escaping inside a JSON string */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* DEL, escaped for log readers */
};

/* Whether none of the 8 bytes of x needs escaping: no control byte (< 0x20), '"', '\\' or DEL.
 * Bytes >= 0x80 (UTF-8) never match. A word at a time is what makes long Vietnamese names cheap:
 * the byte loop cost 3 to 4 instructions a byte. */
static inline bool word_plain(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\'), del = x ^ (ones * 0x7f);
	uint64_t hit = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
		       ((del - ones) & ~del);
	return (hit & highs) == 0;
}

#ifdef __SSE2__
/* Bits set for those of the 16 bytes at p that need escaping, as word_plain: a control byte
 * (<= 0x1f unsigned), '"', '\\' or DEL */
static inline unsigned escapes16(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
	__m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	__m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
	__m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(ctl, quote), _mm_or_si128(backslash, del)));
}
#endif

char *json_str_into(char *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	*o++ = '"';
	while (p < end) {
		uint64_t x;
#ifdef __SSE2__
		/* 16 bytes at a time: the plain ones up to the first that needs escaping are copied with
		 * the 16 (o has room: JSON_STR_MAX leaves 5 bytes a byte of slack, and 16 are yet to come) */
		if (end - p >= 16) {
			unsigned hit = escapes16(p);
			unsigned plain = hit ? (unsigned)__builtin_ctz(hit) : 16;
			memcpy(o, p, 16);
			o += plain;
			p += plain;
			if (plain == 16)
				continue;
		} else
#endif
		if (end - p >= 8 && (memcpy(&x, p, 8), word_plain(x))) {
			memcpy(o, p, 8);
			o += 8;
			p += 8;
			continue;
		}
		unsigned char c = *p++;
		if (!needs_escape[c]) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	return o;
}

char *buf_tail(struct buf *b, size_t extra)
{
	return reserve(b, extra) ? b->data + b->len : NULL;
}

void buf_tail_done(struct buf *b, char *end)
{
	*end = '\0';
	b->len = (size_t)(end - b->data);
}

void buf_json_str(struct buf *b, const char *s, size_t n)
{
	/* worst case every byte becomes \u00XX: reserve once, then write without checks */
	char *o = buf_tail(b, JSON_STR_MAX(n));
	if (o)
		buf_tail_done(b, json_str_into(o, s, n));
}

void buf_json_cstr(struct buf *b, const char *s)
{
	if (!s)
		buf_append(b, "null", 4);
	else
		buf_json_str(b, s, strlen(s));
}

size_t fmt_int(char out[FMT_INT_MAX], long long v)
{
	char tmp[FMT_INT_MAX];
	char *p = tmp + sizeof tmp;
	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

size_t fmt_hex(char out[FMT_INT_MAX], unsigned long long v)
{
	char tmp[FMT_INT_MAX];
	char *p = tmp + sizeof tmp;
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	size_t n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

void buf_json_int(struct buf *b, int64_t v)
{
	char tmp[FMT_INT_MAX];
	size_t n = fmt_int(tmp, v);
	buf_append(b, tmp, n);
}

void buf_json_key(struct buf *b, const char *name)
{
	size_t n = strlen(name);
	if (!reserve(b, n + 3))
		return;
	char *o = b->data + b->len;
	*o++ = '"';
	memcpy(o, name, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

void buf_cat(struct buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	for (const char *piece = va_arg(ap, const char *); piece; piece = va_arg(ap, const char *))
		buf_puts(b, piece);
	va_end(ap);
}
