/* The request head as a hostile client may send it, checked before anything acts on it.
 *
 * CivetWeb parses the head; these checks decide whether what it parsed is unambiguous. A request
 * whose body boundary two parties could read differently (RFC 9112 §6.1, §6.3: Content-Length
 * with Transfer-Encoding, two lengths, a length with a sign or a list, a coding other than
 * chunked) is how requests are smuggled past a proxy: it gets 400 and its connection is closed,
 * so nothing after it on the connection is read as a request. Paths are percent-decoded here, not
 * by CivetWeb, so that a %00 is seen (400) instead of silently ending the path.
 * Pure functions: unit-tested and fuzzed without CivetWeb. */
#ifndef TDKT_FRAMING_H
#define TDKT_FRAMING_H
#include <stdbool.h>
#include <stddef.h>

struct head_field {
	const char *name;
	const char *value;
};

/* true when the body's framing is unambiguous; otherwise false with *why (a static string). */
bool framing_ok(const char *http_version, const struct head_field *fields, int n, const char **why);

/* true when the head names at most one Host, and one when it is HTTP/1.1 (RFC 9112 §3.2: 400
 * otherwise), and at most one Authorization (two credentials: a proxy and the service might each
 * act on another one); otherwise false with *why (a static string). */
bool fields_ok(const char *http_version, const struct head_field *fields, int n, const char **why);

/* CivetWeb parses a head in place, writing NULs over line ends, and silently stops at its 64th
 * field or at a line it cannot read (obs-fold, a name starting with ':' or a byte >= 0x80): the
 * rest is dropped, Content-Length included, and the body is then read as the next request. So
 * after the last element it parsed — the last field's value, or the request line when there is
 * no field — only the NULs of that line's CRLF and the blank line may follow. `end` points at the
 * element's terminating NUL; `room` is how many bytes from `end` lie in the head buffer. Heads
 * with bare LF line ends are refused by the same rule. */
bool head_complete(const char *end, size_t room, bool after_request_line);

/* Percent-decodes a request path into out (NUL-terminated). false when it holds %00 or a control
 * character, a malformed escape, or does not fit in outlen bytes. */
bool path_decode(const char *in, char *out, size_t outlen);

#endif
