/* Schema migrations embedded in the binary (sql/NNNN_name.sql, applied in name order, each in its
 * own transaction and recorded with its SHA-256). A migration whose text changed after it was
 * applied is an error: write a new one instead. Concurrent migrators serialise on an advisory lock. */
#ifndef TDKT_MIGRATE_H
#define TDKT_MIGRATE_H
#include <libpq-fe.h>
#include <stdbool.h>
#include "lib/error.h"

/* The migrators' advisory lock, held by the session until migrate_unlock. Session locks nest
 * (migrate_run takes it as well), so a caller holds it over every step that changes the schema or
 * its grants: two sessions granting on one object at once fail ("tuple concurrently updated"). */
bool migrate_lock(PGconn *pg, struct app_error *err);
void migrate_unlock(PGconn *pg);
/* Applies pending migrations; *applied counts them. */
bool migrate_run(PGconn *pg, int *applied, struct app_error *err);
/* true when every embedded migration is applied with the same checksum (readiness) */
bool migrate_current(PGconn *pg, struct app_error *err);
/* Grants `role` what the service needs on every table, sequence and function (idempotent). */
bool migrate_grant(PGconn *pg, const char *role, struct app_error *err);
/* Loads the sql/demo/ files in one transaction (the files are idempotent). */
bool migrate_demo(PGconn *pg, struct app_error *err);

#endif
