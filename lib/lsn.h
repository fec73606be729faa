/* PostgreSQL WAL positions (pg_lsn) as clients see them in Tdkt-Commit-Position and
 * Tdkt-Min-Position: "X/Y", two groups of 1 to 8 hexadecimal digits, the high and low 32 bits of a
 * 64-bit byte position. Pure functions, for read-your-writes against a replica (lib/db.c). */
#ifndef TDKT_LSN_H
#define TDKT_LSN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The whole text s as a position into *out; false (out untouched) for anything else: empty
 * groups, more than 8 digits, signs, spaces, a missing or second slash. */
bool lsn_parse(const char *s, uint64_t *out);

/* v as PostgreSQL prints it ("16/B374D848", upper case, no leading zeros) into out; out needs
 * LSN_TEXT_MAX bytes. */
#define LSN_TEXT_MAX 18
void lsn_format(uint64_t v, char out[LSN_TEXT_MAX]);

#endif
