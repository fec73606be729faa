#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/db.h"
#include "lib/log.h"

#define MAX_STMTS 256

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db_options opt;
	char *url;
	char options[128];
	const struct db_stmt *stmts[MAX_STMTS];
	int nstmts;
	int size;
	int in_use;
	struct timespec last_connect_failure;  /* fail fast for a moment after the database refused us */
	struct db_conn *conns;                 /* size slots */
	bool *busy;
};

static void monotonic_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static long ms_since(const struct timespec *then)
{
	struct timespec now;
	monotonic_now(&now);
	return (now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
}

struct db_pool *db_pool_new(const struct db_options *o)
{
	struct db_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->opt = *o;
	p->size = o->size;
	p->url = strdup(o->url);
	p->conns = calloc((size_t)o->size, sizeof *p->conns);
	p->busy = calloc((size_t)o->size, sizeof *p->busy);
	if (!p->url || !p->conns || !p->busy)
		goto failed;
	snprintf(p->options, sizeof p->options,
		 "-c statement_timeout=%ld -c idle_in_transaction_session_timeout=60000",
		 o->statement_timeout_ms);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&p->lock, NULL);
	for (int i = 0; i < p->size; i++) {
		p->conns[i].pool = p;
		p->conns[i].slot = i;
	}
	return p;
failed:
	free(p->url);
	free(p->conns);
	free(p->busy);
	free(p);
	return NULL;
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		if (p->conns[i].pg)
			PQfinish(p->conns[i].pg);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->url);
	free(p->conns);
	free(p->busy);
	free(p);
}

bool db_pool_add_statements(struct db_pool *p, const struct db_stmt *stmts, int n)
{
	for (int i = 0; i < n; i++) {
		if (p->nstmts >= MAX_STMTS)
			return false;
		p->stmts[p->nstmts++] = &stmts[i];
	}
	return true;
}

/* PostgreSQL notices (e.g. from text search) are not errors: keep them out of stderr */
static void ignore_notice(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;
}

static PGconn *connect_with(const char *url, const char *options, const char *appname)
{
	const char *keys[] = {"dbname", "connect_timeout", "keepalives", "keepalives_idle",
			      "application_name", "client_encoding", "options", NULL};
	const char *vals[] = {url, "5", "1", "30", appname, "UTF8", options, NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (pg)
		PQsetNoticeReceiver(pg, ignore_notice, NULL);
	return pg;
}

PGconn *db_connect_once(const char *url, long statement_timeout_ms, struct app_error *err)
{
	char options[64];
	snprintf(options, sizeof options, "-c statement_timeout=%ld", statement_timeout_ms);
	PGconn *pg = connect_with(url, options, "tdkt-admin");
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		app_error_set(err, 503, "cannot connect to the database: %s",
			      pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Opens and prepares slot c's connection; called without the pool lock. */
static bool open_conn(struct db_pool *p, struct db_conn *c)
{
	c->pg = connect_with(p->url, p->options, p->opt.application_name);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		log_warn("database connection failed: %s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
		goto failed;
	}
	for (int i = 0; i < p->nstmts; i++) {
		PGresult *r = PQprepare(c->pg, p->stmts[i]->name, p->stmts[i]->sql, 0, NULL);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			log_error("preparing %s failed: %s", p->stmts[i]->name, PQresultErrorMessage(r));
		PQclear(r);
		if (!ok)
			goto failed;
	}
	return true;
failed:
	PQfinish(c->pg);
	c->pg = NULL;
	return false;
}

bool db_acquire(struct db_pool *p, struct db_conn **out, struct app_error *err)
{
	*out = NULL;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += p->opt.acquire_timeout_ms / 1000;
	deadline.tv_nsec += (p->opt.acquire_timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	pthread_mutex_lock(&p->lock);
	int slot = -1;
	for (;;) {
		/* prefer an open idle connection, else any idle slot */
		for (int i = 0; i < p->size; i++)
			if (!p->busy[i] && (slot < 0 || (p->conns[i].pg && !p->conns[slot].pg)))
				slot = i;
		if (slot >= 0)
			break;
		if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&p->lock);
			err->retry_after = 1;
			return app_error_set(err, 503, "The service is busy; try again shortly.");
		}
	}
	struct db_conn *c = &p->conns[slot];
	if (!c->pg && p->last_connect_failure.tv_sec != 0 && ms_since(&p->last_connect_failure) < 1000) {
		pthread_mutex_unlock(&p->lock);
		err->retry_after = 2;
		return app_error_set(err, 503, "The database is unavailable; try again shortly.");
	}
	p->busy[slot] = true;
	p->in_use++;
	pthread_mutex_unlock(&p->lock);

	if (!c->pg && !open_conn(p, c)) {
		pthread_mutex_lock(&p->lock);
		monotonic_now(&p->last_connect_failure);
		p->busy[slot] = false;
		p->in_use--;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->lock);
		err->retry_after = 2;
		return app_error_set(err, 503, "The database is unavailable; try again shortly.");
	}
	c->constraints = NULL;
	c->nconstraints = 0;
	c->deleting = false;
	c->request_id = NULL;
	*out = c;
	return true;
}

void db_release(struct db_conn *c)
{
	if (!c)
		return;
	struct db_pool *p = c->pool;
	if (c->pg && PQstatus(c->pg) != CONNECTION_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c->pg, "ROLLBACK");
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
		PQclear(r);
		if (!ok) {
			PQfinish(c->pg);
			c->pg = NULL;
		}
	}
	pthread_mutex_lock(&p->lock);
	p->busy[c->slot] = false;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void db_pool_stats(struct db_pool *p, int *size, int *open, int *in_use)
{
	pthread_mutex_lock(&p->lock);
	*size = p->size;
	*in_use = p->in_use;
	*open = 0;
	for (int i = 0; i < p->size; i++)
		if (p->conns[i].pg)
			(*open)++;
	pthread_mutex_unlock(&p->lock);
}

/* Turns a failed result into err; returns NULL after clearing res. */
static PGresult *fail_result(struct db_conn *c, PGresult *res, struct app_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool retryable, reconnect;
	int status = sqlstate_to_status(state, c->deleting, &retryable, &reconnect);
	if (!state && PQstatus(c->pg) != CONNECTION_OK) {
		status = 503;
		reconnect = true;
	}
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const struct db_constraint *known = NULL;
	for (int i = 0; constraint && i < c->nconstraints; i++)
		if (strcmp(c->constraints[i].name, constraint) == 0)
			known = &c->constraints[i];

	if (known) {
		app_error_set(err, status, "%s", known->message);
		app_error_field(err, known->field, known->code, "%s", known->message);
	} else if (status == 409) {
		app_error_set(err, 409, c->deleting ? "The resource is still referenced by other data."
						    : "The request conflicts with existing data.");
	} else if (status == 422) {
		app_error_set(err, 422, "A value is not acceptable.");
	} else if (status == 503) {
		err->retry_after = 2;
		app_error_set(err, 503, "The database is unavailable; try again shortly.");
	} else {
		app_error_set(err, 500, "An internal error occurred.");
	}
	if (status >= 500 || !known)
		log_msg(status >= 500 ? LOG_ERROR : LOG_WARN, c->request_id, "database error %s%s%s: %s",
			state ? state : "-", constraint ? " on " : "", constraint ? constraint : "",
			res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
	/* a broken connection (reconnect) is dropped by db_release; the next acquire reopens it */
	(void)reconnect;
	(void)retryable;
	PQclear(res);
	return NULL;
}

static PGresult *check(struct db_conn *c, PGresult *res, struct app_error *err)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	return fail_result(c, res, err);
}

PGresult *db_prepared(struct db_conn *c, const char *name, int n, const char *const *values,
		      struct app_error *err)
{
	return check(c, PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0), err);
}

PGresult *db_query(struct db_conn *c, const char *sql, int n, const char *const *values,
		   struct app_error *err)
{
	return check(c, PQexecParams(c->pg, sql, n, NULL, values, NULL, NULL, 0), err);
}

static bool run(struct db_conn *c, const char *sql, struct app_error *err)
{
	PGresult *r = check(c, PQexec(c->pg, sql), err);
	bool ok = r != NULL;
	PQclear(r);
	return ok;
}

bool db_begin(struct db_conn *c, struct app_error *err)
{
	return run(c, "BEGIN", err);
}

bool db_commit(struct db_conn *c, struct app_error *err)
{
	return run(c, "COMMIT", err);
}

void db_row_json(struct buf *b, const PGresult *res, int row, const struct db_col *cols, int ncols)
{
	buf_putc(b, '{');
	for (int i = 0; i < ncols; i++) {
		if (i)
			buf_putc(b, ',');
		buf_json_key(b, cols[i].name);
		if (PQgetisnull(res, row, i)) {
			buf_append(b, "null", 4);
			continue;
		}
		const char *v = PQgetvalue(res, row, i);
		size_t n = (size_t)PQgetlength(res, row, i);
		switch (cols[i].type) {
		case COL_STR:
			buf_json_str(b, v, n);
			break;
		case COL_NUM:
		case COL_JSON:
			buf_append(b, v, n);
			break;
		case COL_BOOL:
			if (v[0] == 't')
				buf_append(b, "true", 4);
			else
				buf_append(b, "false", 5);
			break;
		}
	}
	buf_putc(b, '}');
}
