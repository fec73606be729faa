#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/conncount.h"

struct slot {
	uint64_t hash;
	int count;                       /* 0: free */
	char addr[CONNCOUNT_ADDR_MAX];
};

struct conncount {
	pthread_mutex_t lock;
	int capacity;
	struct slot slots[];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct conncount *conncount_new(int capacity)
{
	if (capacity < 1)
		return NULL;
	struct conncount *t = calloc(1, sizeof *t + (size_t)capacity * sizeof t->slots[0]);
	if (!t)
		return NULL;
	t->capacity = capacity;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void conncount_free(struct conncount *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Under lock: the slot holding addr, or NULL. */
static struct slot *find(struct conncount *t, const char *addr, uint64_t h)
{
	for (int i = 0; i < t->capacity; i++) {
		struct slot *s = &t->slots[i];
		if (s->count > 0 && s->hash == h && strcmp(s->addr, addr) == 0)
			return s;
	}
	return NULL;
}

int conncount_add(struct conncount *t, const char *addr, int *slot)
{
	if (strlen(addr) >= CONNCOUNT_ADDR_MAX)
		return -1;
	uint64_t h = fnv1a(addr);
	int count = -1;
	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, addr, h);
	for (int i = 0; !s && i < t->capacity; i++)
		if (t->slots[i].count == 0) {
			s = &t->slots[i];
			s->hash = h;
			strcpy(s->addr, addr);
		}
	if (s) {
		count = ++s->count;
		*slot = (int)(s - t->slots);
	}
	pthread_mutex_unlock(&t->lock);
	return count;
}

void conncount_release(struct conncount *t, int slot)
{
	if (slot < 0 || slot >= t->capacity)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->slots[slot].count > 0)
		t->slots[slot].count--;
	pthread_mutex_unlock(&t->lock);
}
