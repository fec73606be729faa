/* base64url without padding (RFC 4648 §5), as used in cursors and tokens; and hexadecimal digits. */
#ifndef TDKT_B64_H
#define TDKT_B64_H
#include <stdbool.h>
#include <stddef.h>

/* Writes the encoding and a NUL into out; returns its length, or 0 if outlen is too small. */
size_t b64url_encode(const unsigned char *in, size_t n, char *out, size_t outlen);
/* Decodes exactly n characters; false on any character outside the alphabet, a bad length,
 * non-zero trailing bits, or out too small. */
bool b64url_decode(const char *in, size_t n, unsigned char *out, size_t outlen, size_t *outn);

/* the value of one hexadecimal digit (either case), -1 for any other character */
int hex_value(char c);

#endif
