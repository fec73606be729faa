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
/* A read of one statement that needs nothing else of a connection, in one round trip: as the
 * caller (as_caller: in read_begin's transaction, begun, read and rolled back in that one round
 * trip), or outside a transaction. req_run_once: on a connection taken for it alone. */
PGresult *read_once(struct req *r, bool as_caller, const struct db_stmt *stmt, int n, const char *const *values);
/* The rows `stmt` gives for the path's {id} (its only parameter), read as the caller (read_once:
 * in one round trip, nothing held after); the id as text in id_text. NULL with r->err (404 for an
 * id that is not one). */
PGresult *read_by_path_id(struct req *r, const struct db_stmt *stmt, char id_text_out[24]);
/* In a transaction write_begin opened on the primary: records a read of personal data in the
 * audit trail (action 'read': the caller, `entity`, the row `id` of a by-id read or NULL for a
 * page, `ids` answered as an array literal "{3,5}", the query) and commits, before the answer is
 * written: a read that cannot be recorded is not answered. */
bool write_record_read(struct req *r, const char *entity, const char *id, const char *ids);
/* The same entry without the commit: for a read inside a larger write (a nominee's approval reads
 * the person's disciplines), which commits or rolls back with it. */
bool write_note_read(struct req *r, const char *entity, const char *id, const char *ids);

#endif
