#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/answer_cache.h"

struct answer {
	char *name;            /* the key; NULL: a free slot */
	uint64_t hash;         /* of the name, compared first */
	char *data;
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
	for (int i = 0; i < c->max; i++) {
		free(c->slot[i].name);
		free(c->slot[i].data);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->slot);
	free(c);
}

/* FNV-1a: a cheap first comparison; the names themselves decide */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* under lock */
static struct answer *find(struct answer_cache *c, const char *name, uint64_t hash)
{
	for (int i = 0; i < c->max; i++)
		if (c->slot[i].name && c->slot[i].hash == hash && strcmp(c->slot[i].name, name) == 0)
			return &c->slot[i];
	return NULL;
}

static void drop(struct answer_cache *c, struct answer *a)
{
	c->bytes -= a->len;
	free(a->name);
	free(a->data);
	*a = (struct answer){0};
}

bool answer_cache_get_named(struct answer_cache *c, const char *name, struct buf *out, char note[ANSWER_NOTE_MAX])
{
	if (!c)
		return false;
	uint64_t hash = name_hash(name);
	pthread_mutex_lock(&c->lock);
	struct answer *a = find(c, name, hash);
	if (a) {
		a->used = ++c->tick;
		/* copied under the lock: a megabyte is a tenth of a millisecond, and nothing can free it meanwhile */
		buf_append(out, a->data, a->len);
		memcpy(note, a->note, ANSWER_NOTE_MAX);
	}
	pthread_mutex_unlock(&c->lock);
	return a != NULL;
}

void answer_cache_put_named(struct answer_cache *c, const char *name, const char *data, size_t len, const char *note)
{
	if (!c || len > c->max_bytes)
		return;
	char *copy = malloc(len ? len : 1), *key = strdup(name);
	if (!copy || !key) {
		free(copy);
		free(key);
		return;
	}
	memcpy(copy, data, len);
	uint64_t hash = name_hash(name);
	pthread_mutex_lock(&c->lock);
	struct answer *a = find(c, name, hash);
	if (a)
		drop(c, a);
	/* room: the least recently used go first, until the bytes fit and a slot is free */
	for (;;) {
		struct answer *oldest = NULL, *free_slot = NULL;
		for (int i = 0; i < c->max; i++) {
			if (!c->slot[i].name)
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
			free(key);
			return;
		}
		drop(c, oldest);
	}
	*a = (struct answer){.name = key, .hash = hash, .data = copy, .len = len, .used = ++c->tick};
	snprintf(a->note, sizeof a->note, "%s", note ? note : "");
	c->bytes += len;
	pthread_mutex_unlock(&c->lock);
}

/* (key, variant) as a name no text key takes: '#' first */
static void numbered(char name[48], long long key, int variant)
{
	snprintf(name, 48, "#%lld/%d", key, variant);
}

bool answer_cache_get(struct answer_cache *c, long long key, int variant, struct buf *out, char note[ANSWER_NOTE_MAX])
{
	char name[48];
	numbered(name, key, variant);
	return answer_cache_get_named(c, name, out, note);
}

void answer_cache_put(struct answer_cache *c, long long key, int variant, const char *data, size_t len, const char *note)
{
	char name[48];
	numbered(name, key, variant);
	answer_cache_put_named(c, name, data, len, note);
}
