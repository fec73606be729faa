/* Idempotency-Key on POST (API.md "Integration"): the server's `around` hook (lib/http.h). */
#ifndef TDKT_IDEMPOTENCY_H
#define TDKT_IDEMPOTENCY_H
#include "lib/http.h"

/* Runs handler(r), or answers a retry of an earlier request with the same Idempotency-Key. */
int idempotency_around(struct req *r, int (*handler)(struct req *r));

#endif
