#include <stdio.h>
#include <string.h>
#include "lib/crypto.h"
#include "lib/embedded.h"
#include "lib/log.h"
#include "lib/buf.h"
#include "lib/migrate.h"

#define MIGRATION_LOCK "7301202201"  /* arbitrary advisory lock key shared by all migrators */

/* "sql/0001_units.sql" is a migration; "sql/demo/…" and other files are not */
static bool is_migration(const struct embedded_file *f, const char **version)
{
	const char *p = f->path;
	if (strncmp(p, "sql/", 4) != 0 || strchr(p + 4, '/'))
		return false;
	size_t n = strlen(p);
	if (n < 9 || strcmp(p + n - 4, ".sql") != 0)
		return false;
	*version = p + 4;
	return true;
}

static bool exec_ok(PGconn *pg, const char *sql, struct app_error *err, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		app_error_set(err, 500, "%s failed: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* checksum recorded for version into out; false when not applied */
static bool recorded(PGconn *pg, const char *version, char out[65], struct app_error *err, bool *failed)
{
	const char *params[] = {version};
	PGresult *r = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1", 1,
				   NULL, params, NULL, NULL, 0);
	*failed = PQresultStatus(r) != PGRES_TUPLES_OK;
	bool found = !*failed && PQntuples(r) == 1;
	if (*failed)
		app_error_set(err, 500, "reading schema_migrations failed: %s", PQresultErrorMessage(r));
	else if (found)
		snprintf(out, 65, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return found;
}

bool migrate_lock(PGconn *pg, struct app_error *err)
{
	return exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", err, "taking the migration lock");
}

void migrate_unlock(PGconn *pg)
{
	PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
}

bool migrate_run(PGconn *pg, int *applied, struct app_error *err)
{
	*applied = 0;
	if (!migrate_lock(pg, err))
		return false;
	bool ok = exec_ok(pg,
			  "CREATE TABLE IF NOT EXISTS schema_migrations ("
			  " version text PRIMARY KEY, checksum text NOT NULL,"
			  " applied_at timestamptz NOT NULL DEFAULT now())",
			  err, "creating schema_migrations");
	for (size_t i = 0; ok && i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *version;
		if (!is_migration(f, &version))
			continue;
		char want[65], have[65];
		if (!sha256_hex(f->data, f->len, want)) {
			ok = app_error_set(err, 500, "could not hash migration %s (OpenSSL)", version);
			break;
		}
		bool failed;
		if (recorded(pg, version, have, err, &failed)) {
			if (strcmp(have, want) != 0) {
				app_error_set(err, 500, "migration %s was changed after it was applied "
					      "(checksum %.12s…, applied %.12s…): add a new migration instead",
					      version, want, have);
				ok = false;
			}
			continue;
		}
		if (failed) {
			ok = false;
			break;
		}
		ok = exec_ok(pg, "BEGIN", err, "BEGIN") && exec_ok(pg, f->data, err, version);
		if (ok) {
			const char *params[] = {version, want};
			PGresult *r = PQexecParams(pg, "INSERT INTO schema_migrations (version, checksum) "
					"VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
			ok = PQresultStatus(r) == PGRES_COMMAND_OK;
			if (!ok)
				app_error_set(err, 500, "recording %s failed: %s", version, PQresultErrorMessage(r));
			PQclear(r);
		}
		ok = ok && exec_ok(pg, "COMMIT", err, "COMMIT");
		if (!ok) {
			PQclear(PQexec(pg, "ROLLBACK"));
			break;
		}
		log_info("applied migration %s", version);
		(*applied)++;
	}
	migrate_unlock(pg);
	return ok;
}

bool migrate_current(PGconn *pg, struct app_error *err)
{
	for (size_t i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *version;
		if (!is_migration(f, &version))
			continue;
		char want[65], have[65];
		bool failed;
		if (!recorded(pg, version, have, err, &failed)) {
			if (!failed)
				app_error_set(err, 503, "migration %s is not applied", version);
			err->status = 503;
			return false;
		}
		if (!sha256_hex(f->data, f->len, want) || strcmp(want, have) != 0)
			return app_error_set(err, 503, "migration %s differs from the applied one", version);
	}
	return true;
}

bool migrate_demo(PGconn *pg, struct app_error *err)
{
	if (!exec_ok(pg, "BEGIN", err, "BEGIN"))
		return false;
	for (size_t i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		if (strncmp(f->path, "sql/demo/", 9) != 0)
			continue;
		if (!exec_ok(pg, f->data, err, f->path)) {
			PQclear(PQexec(pg, "ROLLBACK"));
			return false;
		}
	}
	return exec_ok(pg, "COMMIT", err, "COMMIT");
}

bool migrate_grant(PGconn *pg, const char *role, struct app_error *err)
{
	static const char *const grants[] = {
		"GRANT USAGE ON SCHEMA public TO",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO",
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO",
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO",
		/* the trail is written by triggers in the writing transaction, as the writer: it may
		 * add to it, never change or remove it; and what is migrated is the owner's business */
		"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, change_feed FROM",
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM",
		/* the calendar is data the migrations hold (sql/0025), read by the service */
		"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public_holidays FROM",
	};
	char *ident = PQescapeIdentifier(pg, role, strlen(role));
	if (!ident)
		return app_error_set(err, 500, "TDKT_DB_ROLE: cannot quote the role name");
	bool ok = true;
	struct buf sql;
	buf_init(&sql);
	for (size_t i = 0; ok && i < sizeof grants / sizeof grants[0]; i++) {
		/* GRANT names a role, which takes no $n parameter: it is the identifier libpq quoted,
		 * from configuration, not from a request, appended to a literal */
		buf_reset(&sql);
		buf_puts(&sql, grants[i]);
		buf_putc(&sql, ' ');
		buf_puts(&sql, ident);
		ok = buf_ok(&sql) ? exec_ok(pg, sql.data, err, "granting TDKT_DB_ROLE")
				  : app_error_set(err, 500, "out of memory granting TDKT_DB_ROLE");
	}
	buf_free(&sql);
	PQfreemem(ident);
	return ok;
}
