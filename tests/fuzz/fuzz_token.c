/* libFuzzer: bearer tokens through verification, and cursors through decoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cursor.h"
#include "tests/fuzz/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		cursor_set_key(FUZZ_SECRET, sizeof FUZZ_SECRET - 1);
		ready = 1;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct caller c;
	char why[96];
	auth_verify(fuzz_verifier(), text, 1800000000, &c, why, sizeof why);
	char payload[CURSOR_PAYLOAD_MAX + 1];
	cursor_decode("units", text, payload);
	free(text);
	return 0;
}
