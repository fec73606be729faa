/* Answers that never change once made (an evaluation's closed results), kept in memory by key and
 * variant (a format) so that a read costs a copy, not a database read and a rebuild. A cache: each
 * instance has its own, and nothing in it is needed by another. Bounded in entries and bytes, the
 * least recently used dropped first; safe for concurrent workers. */
#ifndef TDKT_ANSWER_CACHE_H
#define TDKT_ANSWER_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include "lib/buf.h"

struct answer_cache;

/* new, NULL when out of memory */
struct answer_cache *answer_cache_new(int max_entries, size_t max_bytes);
void answer_cache_free(struct answer_cache *c); /* accepts NULL */

/* The answer of (key, variant) appended to out and its note (a Content-Disposition, say: at most
 * ANSWER_NOTE_MAX - 1 bytes) copied into note; false when it is not kept. */
#define ANSWER_NOTE_MAX 160
bool answer_cache_get(struct answer_cache *c, long long key, int variant, struct buf *out, char note[ANSWER_NOTE_MAX]);

/* Keeps a copy of data[len] with its note under (key, variant); one larger than the cache's bytes
 * is not kept. Out of memory: nothing kept, nothing lost. */
void answer_cache_put(struct answer_cache *c, long long key, int variant, const char *data, size_t len, const char *note);

#endif
