#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lib/filetype.h"

/* the walk over local file headers (struct filetype_sniffer.zip_state) */
enum zip_walk {
	ZW_NONE,   /* not a ZIP, or not yet known */
	ZW_HEADER, /* reading a local header's 30 bytes */
	ZW_NAME,   /* its name */
	ZW_EXTRA,  /* passing over its extra field */
	ZW_DATA,   /* passing over its data */
	ZW_DONE,   /* the walk is over: the central directory, a data descriptor, ZIP64, or garbage */
};

static const unsigned char sig_pdf[] = {'%', 'P', 'D', 'F', '-'};
static const unsigned char sig_png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
static const unsigned char sig_jpeg[] = {0xFF, 0xD8, 0xFF};
static const unsigned char sig_zip[] = {'P', 'K', 3, 4};

static const struct {
	enum filetype type;
	const char *media_type;
	const unsigned char *magic;
	size_t len;
} types[] = {
	{FILETYPE_PDF, "application/pdf", sig_pdf, sizeof sig_pdf},
	{FILETYPE_PNG, "image/png", sig_png, sizeof sig_png},
	{FILETYPE_JPEG, "image/jpeg", sig_jpeg, sizeof sig_jpeg},
	{FILETYPE_DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sig_zip, sizeof sig_zip},
	{FILETYPE_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sig_zip, sizeof sig_zip},
};
#define NTYPES (sizeof types / sizeof types[0])

static unsigned u16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long u32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

void filetype_begin(struct filetype_sniffer *s)
{
	/* the tail needs no clearing: only bytes fed are ever read from it */
	s->total = 0;
	memset(s->head, 0, sizeof s->head);
	s->zip_state = ZW_NONE;
	s->skip = s->extra = s->entry_size = 0;
	s->hdr_len = s->name_len = s->name_want = 0;
	s->seen_types = s->seen_word = s->seen_xl = false;
	s->tail_pos = 0;
}

/* an entry's name (the first `kept` of its `len` bytes) as evidence */
static void note_name(struct filetype_sniffer *s, const unsigned char *name, size_t kept, size_t len)
{
	static const char types_part[] = "[Content_Types].xml";
	if (len == sizeof types_part - 1 && kept == len && memcmp(name, types_part, len) == 0)
		s->seen_types = true;
	if (kept >= 5 && memcmp(name, "word/", 5) == 0)
		s->seen_word = true;
	if (kept >= 3 && memcmp(name, "xl/", 3) == 0)
		s->seen_xl = true;
}

/* the local headers' walk over n more bytes */
static void walk(struct filetype_sniffer *s, const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t take;
		switch (s->zip_state) {
		case ZW_HEADER:
			take = sizeof s->hdr - s->hdr_len < n ? sizeof s->hdr - s->hdr_len : n;
			memcpy(s->hdr + s->hdr_len, p, take);
			s->hdr_len += take;
			if (s->hdr_len >= 4 && memcmp(s->hdr, sig_zip, 4) != 0) {
				/* the central directory ("PK\1\2") or anything else: the walk ends here */
				s->zip_state = ZW_DONE;
				return;
			}
			if (s->hdr_len == sizeof s->hdr) {
				unsigned flags = u16(s->hdr + 6);
				s->entry_size = u32(s->hdr + 18);
				s->name_want = u16(s->hdr + 26);
				s->extra = u16(s->hdr + 28);
				s->name_len = 0;
				/* bit 3: sizes follow the data, unknown here; 0xFFFFFFFF: ZIP64, sizes in the extra
				 * field. Either way the name is read, then the walk stops. */
				if ((flags & 8) || s->entry_size == 0xFFFFFFFFul)
					s->entry_size = ~0ull;
				s->zip_state = ZW_NAME;
			}
			break;
		case ZW_NAME:
			take = s->name_want - s->name_len < n ? s->name_want - s->name_len : n;
			if (s->name_len < FILETYPE_NAME_MAX) {
				size_t keep = FILETYPE_NAME_MAX - s->name_len < take ? FILETYPE_NAME_MAX - s->name_len : take;
				memcpy(s->name + s->name_len, p, keep);
			}
			s->name_len += take;
			if (s->name_len == s->name_want) {
				note_name(s, s->name, s->name_len < FILETYPE_NAME_MAX ? s->name_len : FILETYPE_NAME_MAX,
					  s->name_want);
				s->zip_state = ZW_EXTRA;
			}
			break;
		case ZW_EXTRA:
			take = s->extra < n ? (size_t)s->extra : n;
			s->extra -= take;
			if (s->extra == 0) {
				if (s->entry_size == ~0ull) {
					s->zip_state = ZW_DONE;
					return;
				}
				s->skip = s->entry_size;
				s->zip_state = ZW_DATA;
			}
			break;
		case ZW_DATA:
			take = s->skip < n ? (size_t)s->skip : n;
			s->skip -= take;
			if (s->skip == 0) {
				s->hdr_len = 0;
				s->zip_state = ZW_HEADER;
			}
			break;
		default:
			return;
		}
		p += take;
		n -= take;
	}
}

void filetype_feed(struct filetype_sniffer *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (n == 0)
		return;
	for (size_t i = 0; s->total + i < sizeof s->head && i < n; i++)
		s->head[s->total + i] = p[i];
	bool was_short = s->total < sizeof sig_zip;
	s->total += n;
	if (was_short && s->total >= sizeof sig_zip && memcmp(s->head, sig_zip, sizeof sig_zip) == 0 &&
	    s->zip_state == ZW_NONE) {
		/* a ZIP: walk it from its first byte (the first piece may have been shorter than 4) */
		s->zip_state = ZW_HEADER;
		s->hdr_len = 0;
		walk(s, s->head, (size_t)(s->total - n) < sizeof s->head ? (size_t)(s->total - n) : 0);
	}
	if (s->zip_state != ZW_NONE && s->zip_state != ZW_DONE)
		walk(s, p, n);
	/* the ring keeps the last FILETYPE_TAIL bytes */
	if (n > FILETYPE_TAIL) {
		p += n - FILETYPE_TAIL;
		n = FILETYPE_TAIL;
	}
	size_t first = FILETYPE_TAIL - s->tail_pos < n ? FILETYPE_TAIL - s->tail_pos : n;
	memcpy(s->tail + s->tail_pos, p, first);
	memcpy(s->tail, p + first, n - first);
	s->tail_pos = (s->tail_pos + n) % FILETYPE_TAIL;
}

unsigned filetype_possible(const struct filetype_sniffer *s)
{
	unsigned bits = 0;
	size_t have = s->total < sizeof s->head ? (size_t)s->total : sizeof s->head;
	for (size_t i = 0; i < NTYPES; i++) {
		size_t n = have < types[i].len ? have : types[i].len;
		if (memcmp(s->head, types[i].magic, n) == 0)
			bits |= 1u << types[i].type;
	}
	return bits;
}

static void reverse(unsigned char *a, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		unsigned char t = a[i];
		a[i] = a[n - 1 - i];
		a[n - 1 - i] = t;
	}
}

/* The central directory, when its end record and all of it lie in the tail (t: the last len
 * bytes of a file of `total`, in order): its names as evidence. false when no consistent end
 * record is there (not a whole ZIP archive). */
static bool central_directory(struct filetype_sniffer *s, const unsigned char *t, size_t len)
{
	if (len < 22)
		return false;
	size_t lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
	for (size_t i = len - 22 + 1; i-- > lowest;) {
		const unsigned char *e = t + i;
		/* the record, its comment running exactly to the end of the file */
		if (memcmp(e, "PK\5\6", 4) != 0 || i + 22 + u16(e + 20) != len)
			continue;
		unsigned long long at = s->total - len + i; /* the record's offset in the file */
		unsigned long size = u32(e + 12), offset = u32(e + 16);
		if (size == 0xFFFFFFFFul || offset == 0xFFFFFFFFul)
			return true; /* ZIP64: its directory is not read here (documents are far smaller) */
		if ((unsigned long long)offset + size != at)
			return false; /* data before the archive, or a directory that is not where it says */
		if ((unsigned long long)offset < s->total - len)
			return true; /* larger than the tail: the local headers' walk is the evidence */
		size_t p = (size_t)(offset - (s->total - len)), end = p + size;
		while (p + 46 <= end && memcmp(t + p, "PK\1\2", 4) == 0) {
			size_t nlen = u16(t + p + 28), next = p + 46 + nlen + u16(t + p + 30) + u16(t + p + 32);
			if (next > end)
				break;
			note_name(s, t + p + 46, nlen < FILETYPE_NAME_MAX ? nlen : FILETYPE_NAME_MAX, nlen);
			p = next;
		}
		return true;
	}
	return false;
}

enum filetype filetype_end(struct filetype_sniffer *s)
{
	unsigned possible = filetype_possible(s);
	for (size_t i = 0; i < 3; i++)
		if (s->total >= types[i].len && (possible & (1u << types[i].type)))
			return types[i].type;
	if (s->total < sizeof sig_zip || !(possible & (1u << FILETYPE_DOCX)))
		return FILETYPE_UNKNOWN;
	/* the ring in order: rotated in place, it is not fed again */
	size_t len = s->total < FILETYPE_TAIL ? (size_t)s->total : FILETYPE_TAIL;
	if (s->total >= FILETYPE_TAIL) {
		reverse(s->tail, s->tail_pos);
		reverse(s->tail + s->tail_pos, FILETYPE_TAIL - s->tail_pos);
		reverse(s->tail, FILETYPE_TAIL);
	}
	s->tail_pos = 0;
	if (!central_directory(s, s->tail, len) || !s->seen_types || s->seen_word == s->seen_xl)
		return FILETYPE_UNKNOWN;
	return s->seen_word ? FILETYPE_DOCX : FILETYPE_XLSX;
}

enum filetype filetype_sniff(const void *data, size_t n)
{
	struct filetype_sniffer *s = malloc(sizeof *s);
	if (!s)
		return FILETYPE_UNKNOWN;
	filetype_begin(s);
	filetype_feed(s, data, n);
	enum filetype t = filetype_end(s);
	free(s);
	return t;
}

const char *filetype_media_type(enum filetype t)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].type == t)
			return types[i].media_type;
	return NULL;
}

enum filetype filetype_of_media_type(const char *media_type)
{
	if (!media_type)
		return FILETYPE_UNKNOWN;
	while (*media_type == ' ' || *media_type == '\t')
		media_type++;
	for (size_t i = 0; i < NTYPES; i++) {
		size_t n = strlen(types[i].media_type);
		if (strncasecmp(media_type, types[i].media_type, n) != 0)
			continue;
		const char *rest = media_type + n;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest == '\0' || *rest == ';')
			return types[i].type;
	}
	return FILETYPE_UNKNOWN;
}

bool filename_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; chars++) {
		unsigned c = p[i];
		int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || i + (size_t)len > n)
			return false;
		unsigned cp = len == 1 ? c : c & (0x7Fu >> len);
		for (int k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3Fu);
		}
		static const unsigned min_of[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min_of[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == '/' || cp == '\\' || cp == 0x200E || cp == 0x200F ||
		    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			return false;
		i += (size_t)len;
	}
	return chars <= 255;
}
