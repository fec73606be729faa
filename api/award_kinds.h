/* What other resources need of the award-kind catalogue. */
#ifndef TDKT_API_AWARD_KINDS_H
#define TDKT_API_AWARD_KINDS_H
#include <stdbool.h>
#include "lib/http.h"

/* In the open transaction: a 422 on `field` for each code of `codes` (a JSON array of
 * strings) that names no award kind. */
bool award_kinds_check_codes(struct req *r, const char *codes, const char *field);

#endif
