/* The formats of the domain's codes: checked where they come in (JSON fields, paths). Pure. */
#ifndef TDKT_CODES_H
#define TDKT_CODES_H
#include <stdbool.h>
#include <stddef.h>

/* ^[A-Z0-9][A-Z0-9.-]{0,31}$: the codes of units, clusters and campaigns */
bool upper_code_ok(const char *s, size_t n);

/* ^[a-z][a-z0-9_]{1,47}$: the codes of indicators, award kinds and criteria */
bool snake_code_ok(const char *s, size_t n);
#define SNAKE_CODE_DESC "must match ^[a-z][a-z0-9_]{1,47}$"

#endif
