/* Schema migrations embedded in the binary (sql/NNNN_name.sql, applied in name order, each in its
 * own transaction and recorded with its SHA-256). A migration whose text changed after it was
 * applied is an error: write a new one instead. Concurrent migrators serialise on an advisory lock. */
#ifndef TDKT_MIGRATE_H
#define TDKT_MIGRATE_H
#include <libpq-fe.h>
#include <stdbool.h>
#include "lib/error.h"

/* Applies pending migrations; *applied counts them. */
bool migrate_run(PGconn *pg, int *applied, struct app_error *err);
/* true when every embedded migration is applied with the same checksum (readiness) */
bool migrate_current(PGconn *pg, struct app_error *err);
/* Grants `role` what the service needs on every table, sequence and function (idempotent). */
bool migrate_grant(PGconn *pg, const char *role, struct app_error *err);
/* Loads the sql/demo/ files in one transaction (the files are idempotent). */
bool migrate_demo(PGconn *pg, struct app_error *err);

#endif
