/* Opaque keyset-pagination cursors: base64url(payload) "." base64url(HMAC-SHA256 truncated to
 * 96 bits) over the list's scope and the payload, so a cursor cannot be forged, edited, or
 * replayed against another list. The payload (the last row's sort key) is the caller's text. */
#ifndef TDKT_CURSOR_H
#define TDKT_CURSOR_H
#include <stdbool.h>
#include <stddef.h>

#define CURSOR_MAX 256           /* longest cursor text, with NUL */
#define CURSOR_PAYLOAD_MAX 160   /* longest payload, bytes */

/* Derives the signing key from the service's secret (lib/crypto.h's hmac_key). Call at startup,
 * before threads; false when OpenSSL failed, and then no cursor is made or verified. */
bool cursor_set_key(const void *key, size_t len);

/* Writes the cursor for scope+payload into out[CURSOR_MAX]; false if payload is too long. */
bool cursor_encode(const char *scope, const char *payload, char out[CURSOR_MAX]);
/* Verifies and extracts the payload (NUL-terminated) into out[CURSOR_PAYLOAD_MAX + 1]. */
bool cursor_decode(const char *scope, const char *cursor, char out[CURSOR_PAYLOAD_MAX + 1]);

#endif
