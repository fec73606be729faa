/* Every write runs in one transaction that knows who is writing: write_begin opens it and sets
 * the transaction-local settings the audit trigger (sql/0003_audit.sql) reads — the caller's
 * id, role and unit, and the request id. */
#ifndef TDKT_WRITE_H
#define TDKT_WRITE_H
#include <stdbool.h>
#include "lib/http.h"

bool write_begin(struct req *r, struct db_conn **db);
/* The same for reads of tables under row-level security (drafts): a read-only transaction of
 * one snapshot (REPEATABLE READ) that states who is reading. */
bool read_begin(struct req *r, struct db_conn **db);

#endif
