/* The attempt throttle of logins, shared with password changes (api/me.c): a scope for the
 * account and one for the client address, counted in PostgreSQL so every instance sees them. */
#ifndef TDKT_API_AUTH_H
#define TDKT_API_AUTH_H
#include <stdbool.h>
#include "lib/http.h"

/* Counts one attempt for both scopes before the password is checked; false with 429 and
 * Retry-After in r->err when either is locked or this attempt passes its maximum. */
bool auth_count_attempt(struct req *r, const char *account_scope, const char *addr_scope);
/* The password was wrong: a scope that reached its maximum locks now. */
bool auth_attempt_failed(struct req *r, const char *account_scope, const char *addr_scope);
/* The password was right: inside the caller's transaction (r->db), the account's count starts
 * again and the address takes this attempt back. */
bool auth_attempt_succeeded(struct req *r, const char *account_scope, const char *addr_scope);

#endif
