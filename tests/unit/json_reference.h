/* The reference JSON string escaper of the tests (tests/unit, tests/fuzz): one byte at a time, as
 * lib/buf.c's json_str_into did before it read 8 and 16 bytes at a time. */
#ifndef TDKT_JSON_REFERENCE_H
#define TDKT_JSON_REFERENCE_H
#include <stdio.h>
#include "lib/buf.h"

static void reference_str(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		if (c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			snprintf(tmp, sizeof tmp, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20 || c == 0x7f)
			snprintf(tmp, sizeof tmp, "\\u%04x", c);
		else
			snprintf(tmp, sizeof tmp, "%c", c);
		buf_puts(b, tmp);
	}
	buf_putc(b, '"');
}

#endif
