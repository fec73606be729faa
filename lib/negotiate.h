/* Content negotiation on an Accept header (RFC 9110 §12.5.1). Pure: unit-tested alone. */
#ifndef TDKT_NEGOTIATE_H
#define TDKT_NEGOTIATE_H

/* Of the media types a handler offers (NULL-terminated, in its order of preference), the index
 * of the one the client prefers: highest q of the most specific range that matches it ("text/csv"
 * over "text/any" over "any/any" (the wildcards)), ties to the handler's order; a q of 0 refuses. No header (NULL or
 * blank) accepts the first. -1 when none is acceptable (406). */
int negotiate(const char *accept, const char *const *offered);

#endif
