/* What a file is, told from its bytes (magic numbers), never from its name or a client's claim:
 * PDF, PNG, JPEG, and the two Office Open XML packages DOCX and XLSX, which are ZIP archives told
 * apart by the parts they hold. Pure and streaming: the bytes are fed as they arrive, in pieces of
 * any size, and the sniffer keeps a bounded state (its struct: about 130 KiB, so allocate it, do
 * not put it on a worker's stack). Knows nothing of HTTP or the database: unit-tested and fuzzed.
 *
 *   PDF   "%PDF-" at offset 0
 *   PNG   89 50 4E 47 0D 0A 1A 0A at offset 0
 *   JPEG  FF D8 FF at offset 0
 *   DOCX  a ZIP ("PK\3\4" at offset 0) whose end-of-central-directory record is found where the
 *   XLSX  format puts it, holding a part "[Content_Types].xml" and parts under "word/" (DOCX) or
 *         "xl/" (XLSX) — never both. The names are read from the local file headers as they stream
 *         by (while their sizes are known: an entry with a data descriptor stops that walk) and from
 *         the central directory at the end when it lies within the last FILETYPE_TAIL bytes; both
 *         count, so a package whose two directories disagree about word/ and xl/ is neither. */
#ifndef TDKT_FILETYPE_H
#define TDKT_FILETYPE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum filetype {
	FILETYPE_UNKNOWN,
	FILETYPE_PDF,
	FILETYPE_PNG,
	FILETYPE_JPEG,
	FILETYPE_DOCX,
	FILETYPE_XLSX,
	FILETYPE_COUNT,
};

/* the end of a file kept for its ZIP central directory: the end record (22 bytes and a comment of
 * up to 65,535) and at least 64 KiB of directory before it (some 1,000 entries) */
#define FILETYPE_TAIL (128 * 1024)
#define FILETYPE_NAME_MAX 64 /* of an entry's name, what is kept to compare */

struct filetype_sniffer {
	unsigned long long total;    /* bytes fed */
	unsigned char head[8];       /* the first bytes */
	/* the local file headers, walked as the bytes stream by */
	int zip_state;               /* where the walk is (filetype.c) */
	unsigned long long skip;     /* bytes of the current entry still to pass over */
	unsigned char hdr[30];       /* a local header being read */
	size_t hdr_len;
	unsigned char name[FILETYPE_NAME_MAX];
	size_t name_len, name_want;  /* kept so far; the entry name's whole length */
	unsigned long long extra;    /* of the extra field, still to pass over */
	unsigned long long entry_size; /* compressed size of the current entry */
	bool seen_types, seen_word, seen_xl; /* what either directory named */
	/* the last bytes, as a ring */
	unsigned char tail[FILETYPE_TAIL];
	size_t tail_pos;             /* where the next byte goes */
};

/* Starts sniffing a new file. */
void filetype_begin(struct filetype_sniffer *s);
/* Feeds the next n bytes. */
void filetype_feed(struct filetype_sniffer *s, const void *data, size_t n);
/* What the bytes fed so far could still turn out to be, as soon as the first bytes tell it: a bit
 * (1 << type) per type; 0 once nothing can match (a claim can be refused before the rest of a
 * large body is read). Before 8 bytes every type that the first bytes allow. */
unsigned filetype_possible(const struct filetype_sniffer *s);
/* The verdict once every byte was fed. */
enum filetype filetype_end(struct filetype_sniffer *s);

/* The whole file at once (tests, fuzzing): uses a sniffer of its own (allocated); FILETYPE_UNKNOWN
 * when out of memory. */
enum filetype filetype_sniff(const void *data, size_t n);

/* "application/pdf", …; NULL for FILETYPE_UNKNOWN (static text) */
const char *filetype_media_type(enum filetype t);
/* the type a media type names (exactly one of the five, case-insensitive, parameters ignored:
 * "application/pdf; x=y"); FILETYPE_UNKNOWN otherwise */
enum filetype filetype_of_media_type(const char *media_type);

/* A file's name as a client may give it, n bytes of UTF-8 (already valid): 1 to 255 characters,
 * no path separator (/ \), not "." or "..", no control character (C0, DEL, C1) and no
 * bidirectional formatting character (U+200E/F, U+202A–E, U+2066–9: "invoice\u202Efdp.exe" shows
 * as "invoiceexe.pdf"). */
bool filename_ok(const char *s, size_t n);

#endif
