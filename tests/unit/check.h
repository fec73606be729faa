/* A minimal table-test harness: CHECK counts, check_done prints "<module>: N passed, N failed". */
#ifndef TDKT_CHECK_H
#define TDKT_CHECK_H
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (cond) {                                                       \
			check_passed++;                                           \
		} else {                                                          \
			check_failed++;                                           \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
			fprintf(stderr, __VA_ARGS__);                             \
			fprintf(stderr, "\n");                                    \
		}                                                                 \
	} while (0)

static inline int check_done(const char *module)
{
	printf("%s: %d passed, %d failed\n", module, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
