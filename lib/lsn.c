#include <stdio.h>
#include "lib/b64.h"
#include "lib/lsn.h"

/* 1 to 8 hex digits up to `stop` into *half; the end in *end */
static bool half(const char *s, char stop, uint32_t *v, const char **end)
{
	uint32_t acc = 0;
	int n = 0;
	for (; *s && *s != stop; s++, n++) {
		int d = hex_value(*s);
		if (d < 0 || n == 8)
			return false;
		acc = acc << 4 | (uint32_t)d;
	}
	if (n == 0)
		return false;
	*v = acc;
	*end = s;
	return true;
}

bool lsn_parse(const char *s, uint64_t *out)
{
	uint32_t hi, lo;
	const char *end;
	if (!s || !half(s, '/', &hi, &end) || *end != '/' || !half(end + 1, '\0', &lo, &end) || *end != '\0')
		return false;
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

void lsn_format(uint64_t v, char out[LSN_TEXT_MAX])
{
	snprintf(out, LSN_TEXT_MAX, "%X/%X", (unsigned)(v >> 32), (unsigned)(v & 0xffffffffu));
}
