#include <string.h>
#include <strings.h>
#include "lib/b64.h"
#include "lib/framing.h"

/* 1*DIGIT and nothing else: no sign, no blanks, no list (RFC 9110 §8.6) */
static bool digits_only(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool framing_ok(const char *http_version, const struct head_field *fields, int n, const char **why)
{
	int lengths = 0, codings = 0;
	const char *coding = NULL;
	for (int i = 0; i < n; i++) {
		const char *name = fields[i].name;
		if (!name)
			continue;
		int first = name[0] | 0x20; /* the folded first letter first: every request passes here */
		if (first == 'c' && strcasecmp(name, "Content-Length") == 0) {
			lengths++;
			if (!digits_only(fields[i].value)) {
				*why = "Content-Length must be a single decimal number.";
				return false;
			}
		} else if (first == 't' && strcasecmp(name, "Transfer-Encoding") == 0) {
			codings++;
			coding = fields[i].value;
		}
	}
	if (lengths > 1) {
		*why = "A request may carry one Content-Length header.";
		return false;
	}
	if (codings == 0)
		return true;
	if (lengths > 0) {
		*why = "Content-Length and Transfer-Encoding together are ambiguous.";
		return false;
	}
	if (codings > 1 || !coding || strcasecmp(coding, "chunked") != 0) {
		*why = "The only transfer coding accepted is a single \"chunked\".";
		return false;
	}
	if (!http_version || strcmp(http_version, "1.1") != 0) {
		*why = "Transfer-Encoding needs HTTP/1.1.";
		return false;
	}
	return true;
}

bool fields_ok(const char *http_version, const struct head_field *fields, int n, const char **why)
{
	int hosts = 0, credentials = 0;
	for (int i = 0; i < n; i++) {
		const char *name = fields[i].name;
		if (!name)
			continue;
		int first = name[0] | 0x20;
		hosts += first == 'h' && strcasecmp(name, "Host") == 0;
		credentials += first == 'a' && strcasecmp(name, "Authorization") == 0;
	}
	if (hosts > 1 || (hosts == 0 && http_version && strcmp(http_version, "1.1") == 0)) {
		*why = "An HTTP/1.1 request names its host in one Host header.";
		return false;
	}
	if (credentials > 1) {
		*why = "A request may carry one Authorization header.";
		return false;
	}
	return true;
}

bool head_complete(const char *end, size_t room, bool after_request_line)
{
	if (room < 3)
		return false;
	/* after a field: its CR and LF as NULs, then the blank line's CR (its LF, the head's last
	 * byte, is a NUL too). After the request line CivetWeb blanks every space that follows it,
	 * the blank line's CR included. In a CRLF head end[2] lies inside the head; only a bare-LF
	 * head that fills CivetWeb's buffer to its last byte puts end[2] one past it (read, never
	 * written; glibc's chunk has slack there), and is refused like any bare-LF head. */
	return end[0] == '\0' && end[1] == '\0' && end[2] == (after_request_line ? '\0' : '\r');
}

bool path_decode(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
			if (lo < 0)
				return false;
			c = hi * 16 + lo;
			p += 2;
		}
		/* CivetWeb turns a raw backslash into a slash when it cleans the path: a proxy
		 * matching locations on the raw path would see another path than we route */
		if (c < 0x20 || c == 0x7f || c == '\\' || o + 1 >= outlen)
			return false;
		out[o++] = (char)c;
	}
	if (o >= outlen)
		return false;
	out[o] = '\0';
	return true;
}
