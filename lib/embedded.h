/* Files compiled into the binary at build time (scripts/embed.c): SQL migrations, demo data,
 * openapi.yaml. The table is sorted as the Makefile lists the files. */
#ifndef TDKT_EMBEDDED_H
#define TDKT_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *path;  /* as given at build time, e.g. "sql/0001_units.sql" */
	const char *data;  /* NUL-terminated */
	size_t len;        /* without the NUL */
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_count;

/* borrowed; NULL when no embedded file has this path */
const struct embedded_file *embedded_find(const char *path);

#endif
