#include "api/refresh.h"

enum refresh_outcome refresh_decide(bool found, bool revoked, bool rotated, bool expired, bool user_active)
{
	if (!found || revoked)
		return REFRESH_REJECT;
	if (rotated || !user_active)
		return REFRESH_REVOKE_FAMILY;
	if (expired)
		return REFRESH_REJECT;
	return REFRESH_ROTATE;
}
