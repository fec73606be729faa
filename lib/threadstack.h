/* The stack size of CivetWeb's threads.
 *
 * Debian builds CivetWeb 1.15 with -DUSE_STACK_SIZE=102400 (its CMake default), so every worker
 * runs on a 100 KiB stack and CivetWeb has no option to change it. That is too little margin for a
 * request path that meets libpq, OpenSSL, jansson and the sanitizers. This module defines
 * pthread_attr_setstacksize in the executable: the dynamic linker binds libcivetweb's call to it
 * before glibc's, and it raises any smaller request to the size set here. Only CivetWeb calls
 * this function in tdkt, so nothing else is affected. thread_stack_current() reads back what a
 * thread really got, so the server checks that the interposition took effect. */
#ifndef TDKT_THREADSTACK_H
#define TDKT_THREADSTACK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Threads created after this call get at least `bytes` of stack (0: no minimum). */
void thread_stack_set_min(size_t bytes);
/* The calling thread's stack size in bytes, 0 when it cannot be read. */
size_t thread_stack_current(void);
/* The stack a thread gets when its creator asks for `ask` bytes, as CivetWeb does: starts one
 * and reads it back. 0 when no thread could be started. */
size_t thread_stack_probe(size_t ask);

/* The calling thread's stack, [low, high); false when it cannot be read. */
bool thread_stack_bounds(uintptr_t *low, uintptr_t *high);
/* Gives back to the kernel the pages of the calling thread's stack (low, high from
 * thread_stack_bounds) below the current frame less THREAD_STACK_MARGIN: for a worker going idle,
 * whose deepest request touched pages that an idle thread keeps resident otherwise (256 workers,
 * each once used, held 9 MB). They read as zeros when touched again. Returns the bytes given back.
 * The margin keeps the depth a usual request reaches below the idle worker's frame (about 36 KiB
 * for a page of units): with 16 KiB each new connection faulted 4–6 pages back in and paid the
 * TLB shootdown of their release, 30–40 µs of a by-id's 100–140 µs when clients close their
 * connections. Only what a deeper request touched goes back, at most 48 KiB a worker stays. */
#define THREAD_STACK_MARGIN (48 * 1024)
size_t thread_stack_release(uintptr_t low, uintptr_t high);

#endif
