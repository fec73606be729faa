/* Connections held per client address, to cap what one address may take of the worker threads.
 * A fixed table sized at start (a worker serves one connection, so there are never more
 * addresses than workers), one mutex, no allocation after creation. */
#ifndef TDKT_CONNCOUNT_H
#define TDKT_CONNCOUNT_H
#include <stdbool.h>
#include <stddef.h>

#define CONNCOUNT_ADDR_MAX 48   /* an IPv6 address as text, with room to spare */

struct conncount;

/* new; room for `capacity` distinct addresses. NULL on allocation failure. */
struct conncount *conncount_new(int capacity);
void conncount_free(struct conncount *t);   /* accepts NULL */

/* Counts one more connection of addr and returns the address's count including it, with the
 * address's slot in *slot; -1 when the table is full or addr is longer than CONNCOUNT_ADDR_MAX - 1
 * (the connection is then not counted: do not release it). */
int conncount_add(struct conncount *t, const char *addr, int *slot);
/* One connection counted in `slot` ended. */
void conncount_release(struct conncount *t, int slot);

#endif
