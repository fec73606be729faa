/* Cross-origin calls from browsers (provincial portals): which origins may call, as a pure
 * function of the configured list (TDKT_CORS_ORIGINS). Tokens travel in the Authorization header,
 * never in cookies, so credentials are never allowed and "*" never meets them. */
#ifndef TDKT_CORS_H
#define TDKT_CORS_H
#include <stdbool.h>

/* true when `origin` (the request's Origin header) may call: the list is "*", or names it
 * exactly (scheme, host and port, as browsers send it). An empty list allows none. */
bool cors_origin_allowed(const char *list, const char *origin);

#endif
