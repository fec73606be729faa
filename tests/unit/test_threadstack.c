/* A worker's stack given back when it goes idle (thread_stack_release): the pages a deep call
 * touched are resident, then are not, and the stack works again afterwards. Counted with mincore. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/threadstack.h"
#include "tests/unit/check.h"

#define DEEP (256 * 1024)

/* touches DEEP bytes of stack below the caller's frame */
static __attribute__((noinline)) int deep(int seed)
{
	volatile char block[DEEP];
	memset((char *)block, seed, sizeof block);
	return block[seed % DEEP];
}

/* resident pages of [low, high) */
static size_t resident(uintptr_t low, uintptr_t high)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (high - low) / page, count = 0;
	unsigned char vec[1024];
	for (size_t i = 0; i < n; i += sizeof vec) {
		size_t k = n - i < sizeof vec ? n - i : sizeof vec;
		if (mincore((void *)(low + i * page), k * page, vec) != 0)
			return (size_t)-1;
		for (size_t j = 0; j < k; j++)
			count += vec[j] & 1;
	}
	return count;
}

struct outcome {
	bool bounds;
	size_t before, released, after;
	int again;
};

static void *worker(void *arg)
{
	struct outcome *o = arg;
	uintptr_t low, high;
	o->bounds = thread_stack_bounds(&low, &high);
	if (!o->bounds)
		return NULL;
	deep(7);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	/* what release may give back: below this frame less the margin */
	uintptr_t top = (((uintptr_t)__builtin_frame_address(0) - THREAD_STACK_MARGIN) & ~(page - 1)) - page;
	uintptr_t bottom = (low + page - 1) & ~(page - 1);
	o->before = resident(bottom, top);
	o->released = thread_stack_release(low, high);
	o->after = resident(bottom, top);
	o->again = deep(9); /* the pages read as zeros, then as written */
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t t;
	struct outcome o = {0};
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	CHECK(pthread_create(&t, &attr, worker, &o) == 0, "a thread with a 1 MiB stack");
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	CHECK(o.bounds, "the thread reads its stack's bounds");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	CHECK(o.before >= (DEEP - THREAD_STACK_MARGIN) / page / 2, "a deep call left pages resident: %zu", o.before);
	CHECK(o.released >= DEEP - THREAD_STACK_MARGIN, "release gave back %zu bytes", o.released);
	CHECK(o.after == 0, "after release %zu of those pages are resident", o.after);
	CHECK(o.again == 9, "the stack works again after release");
	/* called on a thread whose bounds it is not given, it gives nothing back */
	CHECK(thread_stack_release(1, 2) == 0, "foreign bounds: nothing released");
	return check_done("threadstack");
}
