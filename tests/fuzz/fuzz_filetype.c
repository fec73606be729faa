/* libFuzzer: bytes through the file-type sniffer (lib/filetype) whole and in pieces whose size the
 * first byte chooses: the verdict may not depend on the pieces, and is always among the types the
 * first bytes allowed. The same bytes as a file name through filename_ok. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/filetype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct filetype_sniffer s; /* 130 KiB: not on the stack */
	if (size == 0)
		return 0;
	size_t piece = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	enum filetype whole = filetype_sniff(data, size);
	filetype_begin(&s);
	unsigned early = 0;
	for (size_t at = 0; at < size; at += piece) {
		filetype_feed(&s, data + at, size - at < piece ? size - at : piece);
		if (at == 0)
			early = filetype_possible(&s);
	}
	enum filetype pieces = filetype_end(&s);
	if (whole != pieces || whole < FILETYPE_UNKNOWN || whole >= FILETYPE_COUNT)
		abort();
	if (whole != FILETYPE_UNKNOWN && !(early & (1u << whole)))
		abort();
	(void)filename_ok((const char *)data, size);
	return 0;
}
