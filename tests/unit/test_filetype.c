/* What a file is from its bytes (lib/filetype): each case is a file made here and the type it must
 * be, sniffed whole and again fed in pieces of 1, 7, 4096 and 65,536 bytes (the verdict may not
 * depend on how the body arrived); then the early refusal, media types and file names. */
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"
#include "lib/filetype.h"
#include "tests/unit/check.h"

/* a ZIP entry of a test archive: its name and how many bytes it holds */
struct entry {
	const char *name;
	size_t size;
};

enum zip_shape {
	ZIP_PLAIN = 0,
	ZIP_DESCRIPTOR = 1,   /* every entry's sizes in a data descriptor after it (bit 3): no local walk */
	ZIP_NO_END = 2,       /* cut before the end-of-central-directory record */
	ZIP_PREFIXED = 4,     /* bytes before the archive (a self-extracting one): offsets do not add up */
	ZIP_CENTRAL_LIES = 8, /* the central directory names other entries than the local headers */
	ZIP_COMMENT = 16,     /* an archive comment of 1,000 bytes holding "PK\5\6" */
};

static void le16(struct buf *b, unsigned v)
{
	unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	buf_append(b, p, 2);
}

static void le32(struct buf *b, unsigned long v)
{
	unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_append(b, p, 4);
}

/* a stored (uncompressed) ZIP archive of the entries, shaped as asked */
static void zip(struct buf *b, const struct entry *e, int n, unsigned shape, const struct entry *central)
{
	static unsigned long offsets[4096];
	size_t base = 0;
	if (shape & ZIP_PREFIXED) {
		buf_puts(b, "MZ self-extractor stub ");
		base = b->len;
	}
	for (int i = 0; i < n; i++) {
		offsets[i] = (unsigned long)(b->len - base);
		bool dd = shape & ZIP_DESCRIPTOR;
		buf_append(b, "PK\3\4", 4);
		le16(b, 20);
		le16(b, dd ? 8 : 0);
		le16(b, 0);
		le32(b, 0); /* time, date */
		le32(b, 0); /* crc: not checked */
		le32(b, dd ? 0 : (unsigned long)e[i].size);
		le32(b, dd ? 0 : (unsigned long)e[i].size);
		le16(b, (unsigned)strlen(e[i].name));
		le16(b, 4);
		buf_puts(b, e[i].name);
		buf_append(b, "\x55\x54\0\0", 4); /* an empty extra block */
		for (size_t k = 0; k < e[i].size; k++)
			buf_putc(b, (char)('a' + k % 26));
		if (dd) {
			buf_append(b, "PK\7\10", 4);
			le32(b, 0);
			le32(b, (unsigned long)e[i].size);
			le32(b, (unsigned long)e[i].size);
		}
	}
	if (shape & ZIP_NO_END)
		return;
	unsigned long cd = (unsigned long)(b->len - base);
	const struct entry *names = (shape & ZIP_CENTRAL_LIES) ? central : e;
	for (int i = 0; i < n; i++) {
		buf_append(b, "PK\1\2", 4);
		le16(b, 20);
		le16(b, 20);
		le16(b, (shape & ZIP_DESCRIPTOR) ? 8 : 0);
		le16(b, 0);
		le32(b, 0);
		le32(b, 0);
		le32(b, (unsigned long)e[i].size);
		le32(b, (unsigned long)e[i].size);
		le16(b, (unsigned)strlen(names[i].name));
		le16(b, 0);
		le16(b, 0);
		le16(b, 0);
		le16(b, 0);
		le32(b, 0);
		le32(b, offsets[i]);
		buf_puts(b, names[i].name);
	}
	unsigned long size = (unsigned long)(b->len - base) - cd;
	buf_append(b, "PK\5\6", 4);
	le16(b, 0);
	le16(b, 0);
	le16(b, (unsigned)n);
	le16(b, (unsigned)n);
	le32(b, size);
	le32(b, cd);
	if (shape & ZIP_COMMENT) {
		le16(b, 1000);
		for (int i = 0; i < 1000; i++)
			buf_putc(b, i == 500 ? 'P' : i == 501 ? 'K' : i == 502 ? 5 : i == 503 ? 6 : ' ');
	} else {
		le16(b, 0);
	}
}

static const struct entry docx[] = {
	{"[Content_Types].xml", 400}, {"_rels/.rels", 300}, {"word/document.xml", 3000}, {"word/_rels/document.xml.rels", 200},
	{"docProps/core.xml", 500},
};
static const struct entry xlsx[] = {
	{"[Content_Types].xml", 400}, {"_rels/.rels", 300}, {"xl/workbook.xml", 800}, {"xl/worksheets/sheet1.xml", 5000},
	{"docProps/app.xml", 200},
};
static const struct entry pptx[] = {
	{"[Content_Types].xml", 400}, {"_rels/.rels", 300}, {"ppt/presentation.xml", 800},
};
static const struct entry both[] = {
	{"[Content_Types].xml", 400}, {"word/document.xml", 300}, {"xl/workbook.xml", 800},
};
static const struct entry no_types[] = {
	{"word/document.xml", 300}, {"_rels/.rels", 300},
};
static const struct entry big_docx[] = {
	{"[Content_Types].xml", 400}, {"word/document.xml", 3000}, {"word/media/image1.png", 300000},
};
/* names as a lying central directory gives them for docx[] */
static const struct entry lies[] = {
	{"[Content_Types].xml", 400}, {"_rels/.rels", 300}, {"xl/workbook.xml", 3000}, {"word/_rels/document.xml.rels", 200},
	{"docProps/core.xml", 500},
};

/* many entries: a central directory (2,500 x 73 bytes) larger than the tail */
static struct entry many[2500];
static char many_names[2500][48];

enum kind { RAW, ZIP };
/* a literal and its length (NUL bytes included, the terminating one not) */
#define BYTES(s) s, sizeof(s) - 1

static const struct {
	const char *what;
	enum kind kind;
	const char *raw;             /* RAW: these bytes (raw_len of them) */
	size_t raw_len;
	const struct entry *entries; /* ZIP */
	int n;
	unsigned shape;
	enum filetype want;
} cases[] = {
	{"pdf", RAW, BYTES("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), NULL, 0, 0, FILETYPE_PDF},
	{"pdf, header only", RAW, BYTES("%PDF-"), NULL, 0, 0, FILETYPE_PDF},
	{"pdf cut short", RAW, BYTES("%PDF"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"pdf not at offset 0", RAW, BYTES(" %PDF-1.4"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"lower-case pdf", RAW, BYTES("%pdf-1.4"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"png", RAW, BYTES("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), NULL, 0, 0, FILETYPE_PNG},
	{"png signature only", RAW, BYTES("\x89PNG\r\n\x1a\n"), NULL, 0, 0, FILETYPE_PNG},
	{"png with a unix line end", RAW, BYTES("\x89PNG\n\x1a\n\0"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"jpeg", RAW, BYTES("\xff\xd8\xff\xe0\0\x10JFIF\0"), NULL, 0, 0, FILETYPE_JPEG},
	{"jpeg exif", RAW, BYTES("\xff\xd8\xff\xe1\0\x10" "Exif"), NULL, 0, 0, FILETYPE_JPEG},
	{"jpeg cut", RAW, BYTES("\xff\xd8"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"windows executable", RAW, BYTES("MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"elf", RAW, BYTES("\x7f" "ELF\2\1\1"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"gif", RAW, BYTES("GIF89a"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"html", RAW, BYTES("<!doctype html><script>"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"empty", RAW, BYTES(""), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"zip signature only", RAW, BYTES("PK\3\4"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"empty zip", RAW, BYTES("PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), NULL, 0, 0, FILETYPE_UNKNOWN},
	{"docx", ZIP, NULL, 0, docx, 5, ZIP_PLAIN, FILETYPE_DOCX},
	{"xlsx", ZIP, NULL, 0, xlsx, 5, ZIP_PLAIN, FILETYPE_XLSX},
	{"docx with data descriptors", ZIP, NULL, 0, docx, 5, ZIP_DESCRIPTOR, FILETYPE_DOCX},
	{"xlsx with data descriptors", ZIP, NULL, 0, xlsx, 5, ZIP_DESCRIPTOR, FILETYPE_XLSX},
	{"docx with a comment holding PK56", ZIP, NULL, 0, docx, 5, ZIP_COMMENT, FILETYPE_DOCX},
	{"docx cut before its end record", ZIP, NULL, 0, docx, 5, ZIP_NO_END, FILETYPE_UNKNOWN},
	{"docx after a stub", ZIP, NULL, 0, docx, 5, ZIP_PREFIXED, FILETYPE_UNKNOWN},
	{"docx whose central directory says xl/", ZIP, NULL, 0, docx, 5, ZIP_CENTRAL_LIES, FILETYPE_UNKNOWN},
	{"pptx", ZIP, NULL, 0, pptx, 3, ZIP_PLAIN, FILETYPE_UNKNOWN},
	{"word/ and xl/ both", ZIP, NULL, 0, both, 3, ZIP_PLAIN, FILETYPE_UNKNOWN},
	{"no [Content_Types].xml", ZIP, NULL, 0, no_types, 2, ZIP_PLAIN, FILETYPE_UNKNOWN},
	{"docx larger than the tail", ZIP, NULL, 0, big_docx, 3, ZIP_PLAIN, FILETYPE_DOCX},
	{"docx larger than the tail, data descriptors", ZIP, NULL, 0, big_docx, 3, ZIP_DESCRIPTOR, FILETYPE_DOCX},
	{"2,500 entries: the local walk", ZIP, NULL, 0, many, 2500, ZIP_PLAIN, FILETYPE_XLSX},
	{"2,500 entries with descriptors: no directory within reach", ZIP, NULL, 0, many, 2500, ZIP_DESCRIPTOR,
	 FILETYPE_UNKNOWN},
};

static enum filetype in_pieces(const struct buf *b, size_t piece, unsigned *early)
{
	struct filetype_sniffer *s = malloc(sizeof *s);
	if (!s)
		return FILETYPE_COUNT;
	filetype_begin(s);
	*early = 0;
	for (size_t at = 0; at < b->len; at += piece) {
		filetype_feed(s, b->data + at, b->len - at < piece ? b->len - at : piece);
		if (at == 0)
			*early = filetype_possible(s);
	}
	enum filetype t = filetype_end(s);
	free(s);
	return t;
}

int main(void)
{
	for (int i = 0; i < 2500; i++) {
		snprintf(many_names[i], sizeof many_names[i], i == 0 ? "[Content_Types].xml" : "xl/worksheets/sheet%04d.xml", i);
		many[i] = (struct entry){many_names[i], 10};
	}
	static const size_t pieces[] = {1, 7, 4096, 65536};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		buf_init(&b);
		if (cases[i].kind == RAW)
			buf_append(&b, cases[i].raw, cases[i].raw_len);
		else
			zip(&b, cases[i].entries, cases[i].n, cases[i].shape, lies);
		CHECK(buf_ok(&b), "%s: out of memory", cases[i].what);
		enum filetype got = filetype_sniff(b.data ? b.data : "", b.len);
		CHECK(got == cases[i].want, "%s: whole: %d, want %d", cases[i].what, got, cases[i].want);
		for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
			unsigned early;
			got = in_pieces(&b, pieces[k], &early);
			CHECK(got == cases[i].want, "%s: in pieces of %zu: %d, want %d", cases[i].what, pieces[k], got, cases[i].want);
			/* what the first piece allowed always includes the verdict */
			CHECK(got == FILETYPE_UNKNOWN || (early & (1u << got)), "%s: early %#x excludes %d", cases[i].what, early, got);
		}
		buf_free(&b);
	}

	/* the first bytes refuse a claim before the rest is read */
	struct filetype_sniffer *s = malloc(sizeof *s);
	CHECK(s != NULL, "out of memory");
	if (s) {
		filetype_begin(s);
		CHECK(filetype_possible(s) == ((1u << FILETYPE_PDF) | (1u << FILETYPE_PNG) | (1u << FILETYPE_JPEG) |
					       (1u << FILETYPE_DOCX) | (1u << FILETYPE_XLSX)), "nothing fed: all");
		filetype_feed(s, "MZ", 2);
		CHECK(filetype_possible(s) == 0, "MZ: nothing");
		filetype_begin(s);
		filetype_feed(s, "PK", 2);
		CHECK(filetype_possible(s) == ((1u << FILETYPE_DOCX) | (1u << FILETYPE_XLSX)), "PK: the packages");
		filetype_feed(s, "\3\4", 2);
		CHECK(filetype_possible(s) == ((1u << FILETYPE_DOCX) | (1u << FILETYPE_XLSX)), "PK34: the packages");
		filetype_begin(s);
		filetype_feed(s, "%", 1);
		CHECK(filetype_possible(s) == (1u << FILETYPE_PDF), "%%: pdf");
		free(s);
	}

	/* media types */
	static const struct {
		const char *media_type;
		enum filetype want;
	} mts[] = {
		{"application/pdf", FILETYPE_PDF},
		{"Application/PDF", FILETYPE_PDF},
		{"application/pdf; name=x.pdf", FILETYPE_PDF},
		{" image/png", FILETYPE_PNG},
		{"image/jpeg", FILETYPE_JPEG},
		{"image/jpg", FILETYPE_UNKNOWN},
		{"image/pjpeg", FILETYPE_UNKNOWN},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", FILETYPE_DOCX},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", FILETYPE_XLSX},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheetx", FILETYPE_UNKNOWN},
		{"application/pdfx", FILETYPE_UNKNOWN},
		{"application/octet-stream", FILETYPE_UNKNOWN},
		{"multipart/form-data; boundary=x", FILETYPE_UNKNOWN},
		{"", FILETYPE_UNKNOWN},
		{NULL, FILETYPE_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof mts / sizeof mts[0]; i++)
		CHECK(filetype_of_media_type(mts[i].media_type) == mts[i].want, "media type %s", mts[i].media_type);
	for (int t = FILETYPE_PDF; t < FILETYPE_COUNT; t++)
		CHECK((int)filetype_of_media_type(filetype_media_type((enum filetype)t)) == t, "type %d round trip", t);
	CHECK(filetype_media_type(FILETYPE_UNKNOWN) == NULL, "unknown has no media type");

	/* file names */
	static char long_ok[256 * 3 + 1], long_bad[257];
	for (int i = 0; i < 255; i++)
		memcpy(long_ok + 3 * i, "\xe1\xbb\x87", 3); /* ệ, 255 of them */
	memset(long_bad, 'a', 256);
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
		{"To trinh 45.pdf", true},
		{"Tờ trình số 45/TTr-TTT.pdf", false},
		{"Tờ trình số 45-TTr-TTT.pdf", true},
		{"Báo cáo \"thành tích\" năm 2025.docx", true},
		{"it's.pdf", true},
		{"..\\..\\boot.ini", false},
		{"../etc/passwd", false},
		{".", false},
		{"..", false},
		{"...", true},
		{".hidden", true},
		{"", false},
		{"tab\there.pdf", false},
		{"new\nline.pdf", false},
		{"del\x7f.pdf", false},
		{"c1\xc2\x85.pdf", false},
		{"invoice\xe2\x80\xae" "fdp.exe", false},
		{"lrm\xe2\x80\x8e.pdf", false},
		{"isolate\xe2\x81\xa6.pdf", false},
		{"nbsp\xc2\xa0ok.pdf", true},
		{"emoji \xf0\x9f\x93\x84.pdf", true},
		{"overlong \xc0\xaf.pdf", false},
		{"surrogate \xed\xa0\x80.pdf", false},
		{"cut \xe1\xbb", false},
		{long_ok, true},
		{long_bad, false},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK(filename_ok(names[i].name, strlen(names[i].name)) == names[i].ok, "file name %zu (%s)", i, names[i].name);
	return check_done("filetype");
}
