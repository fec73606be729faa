#define _GNU_SOURCE /* RTLD_NEXT, pthread_getattr_np */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/threadstack.h"

static atomic_size_t minimum;
static pthread_once_t resolved = PTHREAD_ONCE_INIT;
static int (*real_setstacksize)(pthread_attr_t *, size_t);

static void resolve(void)
{
	/* the next definition in lookup order is glibc's; the cast through void * is how POSIX
	 * says dlsym's result becomes a function pointer */
	void *sym = dlsym(RTLD_NEXT, "pthread_attr_setstacksize");
	*(void **)&real_setstacksize = sym;
}

void thread_stack_set_min(size_t bytes)
{
	atomic_store(&minimum, bytes);
}

/* Replaces glibc's for every caller in the process (see the header). */
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	pthread_once(&resolved, resolve);
	if (!real_setstacksize)
		return EINVAL; /* the thread is then created with glibc's default size, 8 MiB */
	size_t min = atomic_load(&minimum);
	return real_setstacksize(attr, size < min ? min : size);
}

size_t thread_stack_current(void)
{
	pthread_attr_t attr;
	size_t size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return 0;
	if (pthread_attr_getstacksize(&attr, &size) != 0)
		size = 0;
	pthread_attr_destroy(&attr);
	return size;
}

static void *report_stack(void *out)
{
	*(size_t *)out = thread_stack_current();
	return NULL;
}

size_t thread_stack_probe(size_t ask)
{
	pthread_attr_t attr;
	pthread_t t;
	size_t got = 0;
	if (pthread_attr_init(&attr) != 0)
		return 0;
	bool started = pthread_attr_setstacksize(&attr, ask) == 0 && pthread_create(&t, &attr, report_stack, &got) == 0;
	pthread_attr_destroy(&attr);
	if (started)
		pthread_join(t, NULL);
	return got;
}

bool thread_stack_bounds(uintptr_t *low, uintptr_t *high)
{
	pthread_attr_t attr;
	void *addr = NULL;
	size_t size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return false;
	bool ok = pthread_attr_getstack(&attr, &addr, &size) == 0 && addr && size;
	pthread_attr_destroy(&attr);
	if (ok) {
		*low = (uintptr_t)addr;
		*high = (uintptr_t)addr + size;
	}
	return ok;
}

size_t thread_stack_release(uintptr_t low, uintptr_t high)
{
	/* the frame's address, not a local's: under ASan's use-after-return checks locals live apart */
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	/* the frames of this call and of its callers stay, with a margin for whatever a signal or a
	 * library may still push below them */
	uintptr_t keep = (sp - THREAD_STACK_MARGIN) & ~(page - 1);
	uintptr_t start = (low + page - 1) & ~(page - 1);
	if (sp < low || sp >= high || keep <= start)
		return 0;
	return madvise((void *)start, keep - start, MADV_DONTNEED) == 0 ? keep - start : 0;
}
