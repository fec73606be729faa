/* Refresh-token rotation (API.md "Authentication and roles"): the decision, pure. */
#ifndef TDKT_API_REFRESH_H
#define TDKT_API_REFRESH_H
#include <stdbool.h>

/* What to do with a presented refresh token (api/auth.c), as a pure function for testing. */
enum refresh_outcome {
	REFRESH_ROTATE,          /* valid: mark it rotated, issue its successor */
	REFRESH_REJECT,          /* unknown, revoked or expired: 401 */
	REFRESH_REVOKE_FAMILY,   /* already rotated (a copy is in use) or the user is inactive: revoke
				    every token of the family, then 401 */
};
enum refresh_outcome refresh_decide(bool found, bool revoked, bool rotated, bool expired, bool user_active);

#endif
