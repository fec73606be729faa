/* libFuzzer: a request head as a client sends it, through the checks lib/http.c makes before
 * anything acts on a request: the framing of its body (lib/framing.c), its path decoded
 * (lib/framing.c), and the CORS origin list (lib/cors.c). The head is split the way CivetWeb
 * splits it: a request line, then "Name: value" lines up to a blank line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/cors.h"
#include "lib/framing.h"

#define MAX_FIELDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *head = malloc(size + 1);
	if (!head)
		return 0;
	memcpy(head, data, size);
	head[size] = '\0';
	struct head_field fields[MAX_FIELDS];
	int n = 0;
	char *save = NULL, *line = strtok_r(head, "\r\n", &save);
	/* request line: METHOD SP URI SP HTTP/VERSION */
	char *uri = line ? strchr(line, ' ') : NULL, *version = NULL;
	if (uri) {
		*uri++ = '\0';
		char *sp = strchr(uri, ' ');
		if (sp) {
			*sp = '\0';
			version = strncmp(sp + 1, "HTTP/", 5) == 0 ? sp + 6 : sp + 1;
		}
	}
	for (char *l = strtok_r(NULL, "\r\n", &save); l && n < MAX_FIELDS; l = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *value = colon + 1;
		while (*value == ' ')
			value++;
		fields[n].name = l;
		fields[n].value = value;
		n++;
	}
	const char *why = NULL;
	(void)framing_ok(version, fields, n, &why);
	char path[4096];
	if (uri && path_decode(uri, path, sizeof path)) {
		/* a decoded path holds no NUL or control character */
		for (const char *p = path; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	for (int i = 0; i < n; i++)
		if (strcmp(fields[i].name, "Origin") == 0)
			(void)cors_origin_allowed("https://portal.tuyenquang.gov.vn *", fields[i].value);
	free(head);
	return 0;
}
