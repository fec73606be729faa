/* Answers kept in memory by a text key (an evaluation's closed results by id and format; a
 * public list's page by its query and the change-feed position it was read at), so that a read
 * costs a copy, not a database read and a rebuild. A cache: each instance has its own, and
 * nothing in it is needed by another. An answer is never changed in place: whatever it was made
 * from belongs in its key, so that a change makes a new key and the old entry simply ages out.
 * Bounded in entries and bytes, the least recently used dropped first; safe for concurrent
 * workers. */
#ifndef TDKT_ANSWER_CACHE_H
#define TDKT_ANSWER_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include "lib/buf.h"

struct answer_cache;

/* new, NULL when out of memory */
struct answer_cache *answer_cache_new(int max_entries, size_t max_bytes);
void answer_cache_free(struct answer_cache *c); /* accepts NULL */

/* The answer kept under `name` appended to out and its note (a Content-Disposition, an ETag: at
 * most ANSWER_NOTE_MAX - 1 bytes) copied into note; false when it is not kept. */
#define ANSWER_NOTE_MAX 160
bool answer_cache_get_named(struct answer_cache *c, const char *name, struct buf *out, char note[ANSWER_NOTE_MAX]);
/* Keeps a copy of data[len] with its note under `name` (copied); one larger than the cache's
 * bytes is not kept. Out of memory: nothing kept, nothing lost. */
void answer_cache_put_named(struct answer_cache *c, const char *name, const char *data, size_t len, const char *note);

/* The same under the key (key, variant): an id and a format, say. */
bool answer_cache_get(struct answer_cache *c, long long key, int variant, struct buf *out, char note[ANSWER_NOTE_MAX]);
void answer_cache_put(struct answer_cache *c, long long key, int variant, const char *data, size_t len, const char *note);

#endif
