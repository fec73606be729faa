#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/answer_cache.h"

struct answer {
	long long key;
	int variant;
	char *data;            /* NULL: a free slot */
	size_t len;
	char note[ANSWER_NOTE_MAX];
	unsigned long long used; /* the tick of its last use */
};

struct answer_cache {
	pthread_mutex_t lock;
	int max;
	size_t max_bytes, bytes;
	unsigned long long tick;
	struct answer *slot;
};

struct answer_cache *answer_cache_new(int max_entries, size_t max_bytes)
{
	struct answer_cache *c = calloc(1, sizeof *c);
	if (!c || max_entries < 1 || !(c->slot = calloc((size_t)max_entries, sizeof *c->slot))) {
		free(c);
		return NULL;
	}
	c->max = max_entries;
	c->max_bytes = max_bytes;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void answer_cache_free(struct answer_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->max; i++)
		free(c->slot[i].data);
	pthread_mutex_destroy(&c->lock);
	free(c->slot);
	free(c);
}

/* under lock */
static struct answer *find(struct answer_cache *c, long long key, int variant)
{
	for (int i = 0; i < c->max; i++)
		if (c->slot[i].data && c->slot[i].key == key && c->slot[i].variant == variant)
			return &c->slot[i];
	return NULL;
}

static void drop(struct answer_cache *c, struct answer *a)
{
	c->bytes -= a->len;
	free(a->data);
	a->data = NULL;
	a->len = 0;
}

bool answer_cache_get(struct answer_cache *c, long long key, int variant, struct buf *out, char note[ANSWER_NOTE_MAX])
{
	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	struct answer *a = find(c, key, variant);
	if (a) {
		a->used = ++c->tick;
		/* copied under the lock: a megabyte is a tenth of a millisecond, and nothing can free it meanwhile */
		buf_append(out, a->data, a->len);
		memcpy(note, a->note, ANSWER_NOTE_MAX);
	}
	pthread_mutex_unlock(&c->lock);
	return a != NULL;
}

void answer_cache_put(struct answer_cache *c, long long key, int variant, const char *data, size_t len, const char *note)
{
	if (!c || len > c->max_bytes)
		return;
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	pthread_mutex_lock(&c->lock);
	struct answer *a = find(c, key, variant);
	if (a)
		drop(c, a);
	/* room: the least recently used go first, until the bytes fit and a slot is free */
	for (;;) {
		struct answer *oldest = NULL, *free_slot = NULL;
		for (int i = 0; i < c->max; i++) {
			if (!c->slot[i].data)
				free_slot = free_slot ? free_slot : &c->slot[i];
			else if (!oldest || c->slot[i].used < oldest->used)
				oldest = &c->slot[i];
		}
		if (free_slot && c->bytes + len <= c->max_bytes) {
			a = free_slot;
			break;
		}
		if (!oldest) { /* nothing left to drop (an empty cache holds any len <= max_bytes) */
			pthread_mutex_unlock(&c->lock);
			free(copy);
			return;
		}
		drop(c, oldest);
	}
	*a = (struct answer){.key = key, .variant = variant, .data = copy, .len = len, .used = ++c->tick};
	snprintf(a->note, sizeof a->note, "%s", note ? note : "");
	c->bytes += len;
	pthread_mutex_unlock(&c->lock);
}
