/* What other resources need of the indicator catalogue. */
#ifndef TDKT_API_INDICATORS_H
#define TDKT_API_INDICATORS_H
#include <stdbool.h>
#include <stddef.h>

/* ^[a-z][a-z0-9_]{1,47}$ */
bool indicator_code_ok(const char *s, size_t n);

#endif
