/* libFuzzer: Accept headers through the negotiation, and the answer always one of the offers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/negotiate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const offered[] = {"application/json", "text/csv",
					      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL};
	char *accept = malloc(size + 1);
	if (!accept)
		return 0;
	memcpy(accept, data, size);
	accept[size] = '\0';
	int i = negotiate(accept, offered);
	if (i < -1 || i > 2)
		abort();
	free(accept);
	return 0;
}
