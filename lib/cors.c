#include <string.h>
#include "lib/config.h"
#include "lib/cors.h"

bool cors_origin_allowed(const char *list, const char *origin)
{
	if (!origin || !*origin)
		return false;
	return config_list_has(list, "*") || config_list_has(list, origin);
}
