#include <stdio.h>
#include "api/api.h"
#include "api/resource.h"
#include "api/write.h"

DB_STMT(write_context, "SELECT set_config('tdkt.actor_id', $1, true), set_config('tdkt.actor_role', $2, true),"
	" set_config('tdkt.actor_unit_id', $3, true), set_config('tdkt.request_id', $4, true),"
	" set_config('tdkt.actor_issuer', $5, true)");
/* a read of personal data, in the audit trail (sql/0020): entity, the row of a by-id read, the ids answered, the query */
DB_STMT(write_record_read, "SELECT tdkt_record_read($1, $2::bigint, $3::bigint[], $4)");
static const struct db_stmt *const stmts[] = {&sql_write_context, &sql_write_record_read};

const struct api_module write_module = {.name = "write", WITH(stmts, stmts)};

/* write_context's values: who the caller is (nobody, for an anonymous request), and the request */
struct context {
	char actor[24], unit[24];
	const char *values[5];
};

static void context_of(struct req *r, struct context *c)
{
	c->actor[0] = c->unit[0] = '\0';
	if (r->authenticated) {
		snprintf(c->actor, sizeof c->actor, "%lld", r->caller.user_id);
		snprintf(c->unit, sizeof c->unit, "%lld", r->caller.unit_id);
	}
	c->values[0] = c->actor;
	c->values[1] = r->authenticated ? role_name(r->caller.role) : "anonymous";
	c->values[2] = c->unit;
	c->values[3] = r->request_id;
	/* an external issuer's user ids are its own: the audit trail names it beside them (sql/0035) */
	const char *issuer = req_caller_issuer(r);
	c->values[4] = issuer ? issuer : "";
}

static bool begin(struct req *r, struct db_conn **db, bool (*start)(struct db_conn *, struct app_error *))
{
	if (!req_db(r, db) || !start(*db, &r->err))
		return false;
	struct context c;
	context_of(r, &c);
	/* sent with the transaction's first statement, as its BEGIN is: one round trip for the three */
	return db_run_later(*db, &sql_write_context, 5, c.values, &r->err);
}

PGresult *read_once(struct req *r, bool as_caller, const struct db_stmt *stmt, int n, const char *const *values)
{
	if (!as_caller)
		return req_run_once(r, stmt, n, values, NULL);
	struct context c;
	context_of(r, &c);
	struct db_envelope env = {&sql_write_context, 5, c.values};
	return req_run_once(r, stmt, n, values, &env);
}

bool write_begin(struct req *r, struct db_conn **db)
{
	return begin(r, db, db_begin);
}

/* read only, and one snapshot: a page and its parent's check, a table and its totals agree */
bool read_begin(struct req *r, struct db_conn **db)
{
	return begin(r, db, db_begin_read);
}

PGresult *read_by_path_id(struct req *r, const struct db_stmt *stmt, char id_text_out[24])
{
	long long id;
	if (!req_path_id(r, "id", &id))
		return NULL;
	const char *params[] = {id_text(id, id_text_out)};
	return read_once(r, true, stmt, 1, params);
}

bool write_note_read(struct req *r, const char *entity, const char *id, const char *ids)
{
	struct db_conn *db;
	const char *params[] = {entity, id, ids, r->query ? r->query : ""};
	PGresult *res = req_db(r, &db) ? db_run(db, &sql_write_record_read, 4, params, NULL, &r->err) : NULL;
	PQclear(res);
	return res != NULL;
}

bool write_record_read(struct req *r, const char *entity, const char *id, const char *ids)
{
	struct db_conn *db;
	return write_note_read(r, entity, id, ids) && req_db(r, &db) && db_commit(db, &r->err);
}
