#define _GNU_SOURCE /* sem_clockwait: a deadline on the monotonic clock */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/db.h"
#include "lib/log.h"
#include "lib/lsn.h"

#define MAX_STMTS 512
/* a read's transaction: read only, and one snapshot (a page and its parent's check agree) */
#define READ_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#define STMT_INDEX 1024 /* a power of two, twice MAX_STMTS */

struct db_conn {
	PGconn *pg;
	struct db_pool *pool;
	int slot;
	const char *request_id;   /* borrowed, for log lines */
	int succeeded;            /* statements that succeeded since db_acquire */
	bool broken;              /* found dead: dropped on release */
	unsigned epoch;           /* the pool's epoch when this connection was opened */
	uint64_t committed;       /* WAL position after the last db_commit since acquire; 0: none */
	bool reading;             /* the open transaction is read-only (db_begin_read) */
	/* db_begin's BEGIN and a statement of db_run_later, not sent yet: they go with the next
	 * statement, in one round trip (libpq's pipeline mode) instead of one each */
	const char *pending_begin;
	const struct db_stmt *later;
	int later_n;
	const char *later_values[DB_LATER_PARAMS];
	char later_text[DB_LATER_TEXT];
	/* db_release sent a ROLLBACK without waiting for it; the next acquire reads its answer */
	bool rollback_sent;
	/* which of the pool's statements this session has prepared: each is prepared on its first
	 * use (prepare_once), so opening a connection is one round trip, not one per statement */
	uint64_t prepared[MAX_STMTS / 64];
};

/* A read of one statement outside a transaction (db_run_once) */
struct once_stmt {
	const struct db_stmt *stmt;
	int n;
	const char *const *values;
	const struct db_envelope *env; /* a read-only transaction around it, or NULL */
};

/* A request waiting for a connection. Woken by its own semaphore, posted by the releaser after
 * it let go of the pool's lock: a condition variable made the woken waiter take that lock again,
 * often while the releaser still held it (a futex wait and wake more per request). */
struct pool_waiter {
	sem_t handed;
	int slot;                   /* set, under the lock, by the releaser that hands over its connection */
	struct pool_waiter *next;
	/* A read of one statement names it here (once.stmt, else NULL): the releaser sends it on the
	 * connection it hands over, before the wake-up, so that PostgreSQL runs it while the waiter is
	 * being woken, and the waiter often finds its answer there instead of sleeping a second time
	 * for it. The connection is the waiter's from then on. */
	struct once_stmt once;
	bool sent;                  /* set by the releaser before the wake-up */
};

struct db_pool {
	pthread_mutex_t lock;
	struct db_options opt;
	char *url;
	char options[192];
	const struct db_stmt *stmts[MAX_STMTS];
	int nstmts;
	/* a statement's place in stmts by its address (open addressing; read-only once serving) */
	const struct db_stmt *slots_of[STMT_INDEX];
	short index_of[STMT_INDEX];
	int size;
	/* Free slots as bits (at most 64 connections). Taking and returning a connection is one
	 * compare-and-swap; the mutex and condition variable are only for waiting when none is
	 * free, so a busy pool does not serialise every request on one lock. */
	atomic_ullong free_mask;
	atomic_int waiters;
	/* Requests waiting for a connection, oldest first: a returned connection goes straight to
	 * the oldest, and newcomers queue behind them instead of barging, which kept the p99 of a
	 * saturated pool several times its median. Under lock. */
	struct pool_waiter *head, *tail;
	struct timespec last_connect_failure;  /* fail fast for a moment after the database refused us;
						  under lock */
	atomic_uint epoch;                     /* bumped when a connection is found dead */
	char prepare_error[256];               /* the last statement that failed to prepare; under lock */
	/* for /metrics: statements that failed, connections that could not be opened, and acquires
	 * that found the pool busy until their timeout */
	atomic_ullong errors, connect_failures, busy, sent_for_waiters;
	struct db_conn *conns;                 /* size slots */
	atomic_ullong replayed;                /* a replica's pool: the replayed WAL position last seen */
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
	if (!p->url || !p->conns || o->size < 1 || o->size > 64)
		goto failed;
	atomic_init(&p->free_mask, o->size == 64 ? ~0ULL : (1ULL << o->size) - 1);
	atomic_init(&p->waiters, 0);
	atomic_init(&p->errors, 0);
	atomic_init(&p->connect_failures, 0);
	atomic_init(&p->busy, 0);
	atomic_init(&p->sent_for_waiters, 0);
	atomic_init(&p->replayed, 0);
	snprintf(p->options, sizeof p->options,
		 "-c statement_timeout=%ld -c idle_in_transaction_session_timeout=60000"
		 " -c timezone=UTC -c datestyle=ISO%s",
		 o->statement_timeout_ms, o->read_only ? " -c default_transaction_read_only=on" : "");
	pthread_mutex_init(&p->lock, NULL);
	for (int i = 0; i < p->size; i++) {
		p->conns[i].pool = p;
		p->conns[i].slot = i;
	}
	return p;
failed:
	free(p->url);
	free(p->conns);
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
	free(p->url);
	free(p->conns);
	free(p);
}

static size_t stmt_hash(const struct db_stmt *stmt)
{
	return (size_t)(((uintptr_t)stmt >> 3) * 0x9E3779B97F4A7C15ULL >> 54) & (STMT_INDEX - 1);
}

/* stmt's place among the pool's statements, -1 when it is not one of them */
static int stmt_index(const struct db_pool *p, const struct db_stmt *stmt)
{
	for (size_t h = stmt_hash(stmt);; h = (h + 1) & (STMT_INDEX - 1)) {
		if (p->slots_of[h] == stmt)
			return p->index_of[h];
		if (!p->slots_of[h])
			return -1;
	}
}

bool db_pool_add_statement(struct db_pool *p, const struct db_stmt *stmt)
{
	if (p->nstmts >= MAX_STMTS)
		return false;
	if (stmt_index(p, stmt) >= 0)
		return true;
	size_t h = stmt_hash(stmt);
	while (p->slots_of[h])
		h = (h + 1) & (STMT_INDEX - 1);
	p->slots_of[h] = stmt;
	p->index_of[h] = (short)p->nstmts;
	p->stmts[p->nstmts++] = stmt;
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

bool db_role_is_confined(PGconn *pg, struct app_error *err)
{
	PGresult *r = PQexec(pg,
			     "SELECT current_user, r.rolsuper OR r.rolcreaterole"
			     "   OR pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER')"
			     "   OR pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER')"
			     "   OR pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER'), r.rolbypassrls,"
			     " (SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ', ')"
			     "    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			     "   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
			     "     AND pg_has_role(r.oid, c.relowner, 'MEMBER'))"
			     " FROM pg_roles r WHERE r.rolname = current_user");
	bool ok = false;
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		app_error_set(err, 503, "cannot read the database role: %s", PQerrorMessage(pg));
	else if (PQgetvalue(r, 0, 1)[0] == 't' || PQgetvalue(r, 0, 2)[0] == 't')
		app_error_set(err, 500, "DATABASE_URL logs in as %s, a superuser, a role that can create roles or reach "
			      "the server's files, or one that bypasses row-level security: serve needs a role that "
			      "owns nothing (TDKT_MIGRATE_DATABASE_URL is for migrate)",
			      PQgetvalue(r, 0, 0));
	else if (!PQgetisnull(r, 0, 3))
		app_error_set(err, 500, "DATABASE_URL logs in as %s, which owns tables or can become their owner (%s): "
			      "serve needs a role that owns nothing (TDKT_MIGRATE_DATABASE_URL is for migrate)",
			      PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 3));
	else
		ok = true;
	PQclear(r);
	return ok;
}

/* Opens and prepares slot c's connection; called without the pool lock. */
static PGresult *check(struct db_conn *c, PGresult *res, const struct db_explain *why, struct app_error *err);

/* Prepares statement i on c; false with err when it does not (logged, and kept for db_pool_check
 * when the database refused it rather than went away) */
static bool prepare(struct db_conn *c, int i, struct app_error *err)
{
	struct db_pool *p = c->pool;
	PGresult *r = PQprepare(c->pg, p->stmts[i]->name, p->stmts[i]->sql, 0, NULL);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		c->prepared[i / 64] |= 1ULL << (i % 64);
		PQclear(r);
		return true;
	}
	if (!r || PQstatus(c->pg) != CONNECTION_OK)
		return check(c, r, NULL, err) != NULL;
	log_error("preparing %s failed: %s", p->stmts[i]->name, PQresultErrorMessage(r));
	pthread_mutex_lock(&p->lock);
	snprintf(p->prepare_error, sizeof p->prepare_error, "statement %s does not prepare: %s", p->stmts[i]->name,
		 PQresultErrorMessage(r));
	pthread_mutex_unlock(&p->lock);
	return check(c, r, NULL, err) != NULL;
}

/* whether stmt is prepared on c (a statement of no pool is taken as prepared) */
static bool prepared_on(const struct db_conn *c, const struct db_stmt *stmt)
{
	int i = stmt_index(c->pool, stmt);
	return i < 0 || (c->prepared[i / 64] >> (i % 64) & 1);
}

/* stmt prepared on c before its first use there */
static bool prepare_once(struct db_conn *c, const struct db_stmt *stmt, struct app_error *err)
{
	return prepared_on(c, stmt) || prepare(c, stmt_index(c->pool, stmt), err);
}

static bool open_conn(struct db_pool *p, struct db_conn *c)
{
	c->epoch = atomic_load(&p->epoch);
	c->pg = connect_with(p->url, p->options, p->opt.application_name);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		log_warn("database connection failed: %s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
		goto failed;
	}
	/* checked on every connection, so a role given more rights later is noticed too */
	struct app_error role_err;
	app_error_clear(&role_err);
	if (!db_role_is_confined(c->pg, &role_err)) {
		log_error("%s", role_err.detail);
		goto failed;
	}
	memset(c->prepared, 0, sizeof c->prepared);
	/* a replica's connection is checked whole at open: one behind a migration then fails here
	 * and its reads go to the primary (from_replica), instead of failing a request's statement */
	if (p->opt.read_only) {
		struct app_error prep_err;
		app_error_clear(&prep_err);
		for (int i = 0; i < p->nstmts; i++)
			if (!prepare(c, i, &prep_err))
				goto failed;
	}
	return true;
failed:
	PQfinish(c->pg);
	c->pg = NULL;
	return false;
}

/* Takes the lowest free slot (low slots are the ones already open); -1 when none is free. */
static int take_slot(struct db_pool *p)
{
	unsigned long long m = atomic_load(&p->free_mask);
	while (m) {
		int slot = __builtin_ctzll(m);
		if (atomic_compare_exchange_weak(&p->free_mask, &m, m & ~(1ULL << slot)))
			return slot;
	}
	return -1;
}

/* Under lock: hands the slot to the oldest waiter, if any, and returns it: wake it (handed) once
 * the lock is released. */
static struct pool_waiter *hand_over(struct db_pool *p, int slot)
{
	struct pool_waiter *w = p->head;
	if (!w)
		return NULL;
	p->head = w->next;
	if (!p->head)
		p->tail = NULL;
	w->slot = slot;
	return w;
}

/* What goes in one round trip: what is pending before the statement (BEGIN, a statement of
 * db_run_later), the statement (prepared, or SQL text), what goes after it (the ROLLBACK that ends
 * a read of one statement, db_run_once), and one sync */
struct pipeline {
	const char *begin;
	const struct db_stmt *later;
	int later_n;
	const char *const *later_values;
	const char *name, *sql;
	int n;
	const char *const *values;
	const int *lengths, *formats;
	int result_format;
	const char *after;
};

static bool send_pipeline(PGconn *pg, const struct pipeline *pl)
{
	return PQenterPipelineMode(pg) &&
	       (!pl->begin || PQsendQueryParams(pg, pl->begin, 0, NULL, NULL, NULL, NULL, 0)) &&
	       (!pl->later || PQsendQueryPrepared(pg, pl->later->name, pl->later_n, pl->later_values, NULL, NULL, 0)) &&
	       (pl->sql ? PQsendQueryParams(pg, pl->sql, pl->n, NULL, pl->values, pl->lengths, pl->formats, pl->result_format)
			: PQsendQueryPrepared(pg, pl->name, pl->n, pl->values, pl->lengths, pl->formats, pl->result_format)) &&
	       (!pl->after || PQsendQueryParams(pg, pl->after, 0, NULL, NULL, NULL, NULL, 0)) && PQpipelineSync(pg);
}

/* o's statement sent on c, in its read-only transaction when it has one: BEGIN, the context, the
 * statement and ROLLBACK in one pipeline, so that the connection is idle again once it is read */
static bool send_once(struct db_conn *c, const struct once_stmt *o)
{
	const char *name = o->stmt->name, *sql = name ? NULL : o->stmt->sql;
	if (!o->env)
		return sql ? PQsendQueryParams(c->pg, sql, o->n, NULL, o->values, NULL, NULL, 0)
			   : PQsendQueryPrepared(c->pg, name, o->n, o->values, NULL, NULL, 0);
	struct pipeline pl = {.begin = READ_BEGIN, .later = o->env->context, .later_n = o->env->n,
			      .later_values = o->env->values, .name = name, .sql = sql, .n = o->n, .values = o->values,
			      .after = "ROLLBACK"};
	return send_pipeline(c->pg, &pl);
}

/* The server went away: every connection opened before now is dead too (their epoch is older),
 * and what a replica had replayed is not known any more */
static void pool_connection_lost(struct db_pool *p)
{
	atomic_fetch_add(&p->epoch, 1);
	atomic_store(&p->replayed, 0);
}

/* c handed to a waiter, idle and with what it runs prepared: sends the waiter's statement. A
 * sending that failed part way leaves c to nobody: it is closed, and the waiter opens another. */
static bool send_for(struct db_conn *c, const struct pool_waiter *w)
{
	if (!c->pg || c->rollback_sent || c->epoch != atomic_load(&c->pool->epoch) ||
	    PQtransactionStatus(c->pg) != PQTRANS_IDLE || !prepared_on(c, w->once.stmt) ||
	    (w->once.env && !prepared_on(c, w->once.env->context)))
		return false;
	if (send_once(c, &w->once))
		return true;
	/* a connection that cannot be written to: the server went away, as fail_result takes it */
	atomic_fetch_add_explicit(&c->pool->errors, 1, memory_order_relaxed);
	pool_connection_lost(c->pool);
	PQfinish(c->pg);
	c->pg = NULL;
	return false;
}

/* w was handed its slot under the lock, which is released: its statement sent, if it has one, and
 * woken. w lives on its waiter's stack until then. */
static void wake(struct db_pool *p, struct pool_waiter *w)
{
	if (!w)
		return;
	if (w->once.stmt && send_for(&p->conns[w->slot], w)) {
		w->sent = true;
		atomic_fetch_add_explicit(&p->sent_for_waiters, 1, memory_order_relaxed);
	}
	sem_post(&w->handed);
}

static void give_slot(struct db_pool *p, int slot)
{
	if (atomic_load(&p->waiters) > 0) {
		pthread_mutex_lock(&p->lock);
		struct pool_waiter *w = hand_over(p, slot);
		pthread_mutex_unlock(&p->lock);
		if (w) {
			wake(p, w);
			return;
		}
	}
	atomic_fetch_or(&p->free_mask, 1ULL << slot);
	/* a waiter that registered meanwhile re-checks the mask before sleeping, or is found here */
	if (atomic_load(&p->waiters) > 0) {
		struct pool_waiter *w = NULL;
		pthread_mutex_lock(&p->lock);
		if (p->head) {
			int s = take_slot(p);
			if (s >= 0)
				w = hand_over(p, s);
		}
		pthread_mutex_unlock(&p->lock);
		wake(p, w);
	}
}

static void unlink_waiter(struct db_pool *p, struct pool_waiter *w)
{
	struct pool_waiter **pp = &p->head, *prev = NULL;
	while (*pp && *pp != w) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = w->next;
	if (p->tail == w)
		p->tail = prev;
}

/* A slot for w (on its request's stack), or -1 when none came in time; w->sent when its statement
 * was sent there */
static int wait_for_slot(struct db_pool *p, struct pool_waiter *w)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += p->opt.acquire_timeout_ms / 1000;
	deadline.tv_nsec += (p->opt.acquire_timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	w->slot = -1;
	w->next = NULL;
	if (sem_init(&w->handed, 0, 0) != 0)
		return -1;

	pthread_mutex_lock(&p->lock);
	atomic_fetch_add(&p->waiters, 1);
	if (!p->head)
		w->slot = take_slot(p);
	if (w->slot >= 0) {
		pthread_mutex_unlock(&p->lock);
	} else {
		/* w, on its request's stack, is linked only while queued: the releaser unlinks it when
		 * handing over, and a timed-out waiter unlinks itself below */
		if (p->tail)
			p->tail->next = w;
		else
			p->head = w;
		p->tail = w;
		pthread_mutex_unlock(&p->lock);
		int rc;
		while ((rc = sem_clockwait(&w->handed, CLOCK_MONOTONIC, &deadline)) != 0 && errno == EINTR)
			;
		if (rc != 0) {
			/* timed out: still queued, or handed a slot at that very moment (then its wake is
			 * on the way, and w must live until it comes) */
			pthread_mutex_lock(&p->lock);
			bool handed = w->slot >= 0;
			if (!handed)
				unlink_waiter(p, w);
			pthread_mutex_unlock(&p->lock);
			if (handed)
				while (sem_wait(&w->handed) != 0 && errno == EINTR)
					;
		}
	}
	atomic_fetch_sub(&p->waiters, 1);
	sem_destroy(&w->handed);
	return w->slot;
}

/* the answer to the ROLLBACK db_release sent: the connection is idle again, or it is dropped.
 * Waits at most timeout_ms (a host that vanished would hold the acquirer for TCP's minutes). */
static bool rollback_settled(struct db_conn *c, int timeout_ms)
{
	PGconn *pg = c->pg;
	bool ok = true;
	for (;;) {
		if (!PQconsumeInput(pg))
			return false;
		if (PQisBusy(pg)) {
			struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
			if (poll(&pfd, 1, timeout_ms) <= 0)
				return false;
			continue;
		}
		PGresult *r = PQgetResult(pg);
		if (!r)
			break;
		ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	return ok && PQstatus(pg) == CONNECTION_OK && PQtransactionStatus(pg) == PQTRANS_IDLE;
}

/* A connection for w's request (w->once.stmt sent on it when w->sent) */
static bool acquire(struct db_pool *p, struct pool_waiter *w, struct db_conn **out, struct app_error *err)
{
	*out = NULL;
	w->sent = false;
	/* the fast path only while nobody queues: no barging past waiters */
	int slot = atomic_load(&p->waiters) == 0 ? take_slot(p) : -1;
	if (slot < 0)
		slot = wait_for_slot(p, w);
	if (slot < 0) {
		atomic_fetch_add_explicit(&p->busy, 1, memory_order_relaxed);
		err->retry_after = 1;
		return app_error_set(err, 503, "The service is busy; try again shortly.");
	}
	struct db_conn *c = &p->conns[slot];
	/* sent: the releaser found it open, current and idle */
	if (!w->sent && c->pg && c->epoch != atomic_load(&p->epoch)) {
		/* opened before a connection was found dead: after a restart of the server it is dead
		 * too, and finding out would cost a request its first statement */
		PQfinish(c->pg);
		c->pg = NULL;
	}
	if (!w->sent && c->pg && c->rollback_sent && !rollback_settled(c, (int)p->opt.acquire_timeout_ms)) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->rollback_sent = false;
	if (!c->pg) {
		pthread_mutex_lock(&p->lock);
		bool recent_failure = p->last_connect_failure.tv_sec != 0 &&
				      ms_since(&p->last_connect_failure) < 1000;
		pthread_mutex_unlock(&p->lock);
		if (recent_failure || !open_conn(p, c)) {
			if (!recent_failure) {
				atomic_fetch_add_explicit(&p->connect_failures, 1, memory_order_relaxed);
				pthread_mutex_lock(&p->lock);
				monotonic_now(&p->last_connect_failure);
				pthread_mutex_unlock(&p->lock);
			}
			give_slot(p, slot);
			err->retry_after = 2;
			return app_error_set(err, 503, "The database is unavailable; try again shortly.");
		}
	}
	c->request_id = NULL;
	c->succeeded = 0;
	c->broken = false;
	c->committed = 0;
	c->reading = false;
	c->pending_begin = NULL;
	c->later = NULL;
	*out = c;
	return true;
}

bool db_acquire(struct db_pool *p, struct db_conn **out, struct app_error *err)
{
	struct pool_waiter w = {.once.stmt = NULL};
	return acquire(p, &w, out, err);
}

void db_pool_stats(struct db_pool *p, struct db_pool_stats *out)
{
	out->size = p->size;
	out->in_use = p->size - __builtin_popcountll(atomic_load(&p->free_mask));
	out->waiting = atomic_load(&p->waiters);
	out->errors = atomic_load_explicit(&p->errors, memory_order_relaxed);
	out->connect_failures = atomic_load_explicit(&p->connect_failures, memory_order_relaxed);
	out->busy = atomic_load_explicit(&p->busy, memory_order_relaxed);
	out->sent_for_waiters = atomic_load_explicit(&p->sent_for_waiters, memory_order_relaxed);
}

int db_pool_open_all(struct db_pool *p)
{
	int open = 0;
	for (int i = 0; i < p->size; i++) {
		if (!p->conns[i].pg && !open_conn(p, &p->conns[i]))
			break; /* the database refuses or does not answer: the rest open on first use */
		open++;
	}
	return open;
}

enum db_check db_pool_check(struct db_pool *p, struct app_error *err)
{
	struct db_conn *c;
	if (db_acquire(p, &c, err)) {
		/* every statement prepares against this schema: a mismatch is found at start, not by a
		 * request (the other connections prepare each statement on its first use) */
		bool ok = true;
		for (int i = 0; ok && i < p->nstmts; i++)
			ok = (c->prepared[i / 64] >> (i % 64) & 1) || prepare(c, i, err);
		db_release(c);
		if (ok)
			return DB_CHECK_OK;
	}
	pthread_mutex_lock(&p->lock);
	bool broken = p->prepare_error[0] != '\0';
	if (broken)
		app_error_set(err, 500, "%s", p->prepare_error);
	pthread_mutex_unlock(&p->lock);
	return broken ? DB_CHECK_BROKEN : DB_CHECK_UNREACHABLE;
}

void db_release(struct db_conn *c)
{
	if (!c)
		return;
	if (c->pg && (c->broken || PQstatus(c->pg) != CONNECTION_OK)) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->broken = false;
	c->pending_begin = NULL;
	c->later = NULL;
	/* a transaction left open (a read's, or one that failed) ends now, but its ROLLBACK is only
	 * sent: the request goes on without waiting a round trip, and the next acquire reads the answer
	 * (it has come by then, as a rule). The server runs it at once either way. */
	if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		if (PQsendQuery(c->pg, "ROLLBACK")) {
			c->rollback_sent = true;
		} else {
			PQfinish(c->pg);
			c->pg = NULL;
		}
	}
	give_slot(c->pool, c->slot);
}

/* Turns a failed result into err; returns NULL after clearing res. */
static PGresult *fail_result(struct db_conn *c, PGresult *res, const struct db_explain *why, struct app_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool retryable, reconnect, deleting = why && why->deleting;
	int status = sqlstate_to_status(state, deleting, &retryable, &reconnect);
	atomic_fetch_add_explicit(&c->pool->errors, 1, memory_order_relaxed);
	/* every error the server reports has a SQLSTATE; a failure without one is libpq's own: the
	 * connection broke (it may still say CONNECTION_OK until its next use) */
	if (!state || PQstatus(c->pg) != CONNECTION_OK) {
		status = 503;
		reconnect = true;
	}
	bool timed_out = state && strcmp(state, "57014") == 0;
	if (reconnect) {
		c->broken = true;
	}
	if (reconnect && !timed_out) {
		pool_connection_lost(c->pool);
		/* nothing of the request went through this connection: it may run again on another */
		if (c->succeeded == 0) {
			retryable = true;
			err->connection_lost = true;
		}
	}
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const struct db_constraint *known = NULL;
	for (int i = 0; why && constraint && i < why->n; i++)
		if (strcmp(why->constraints[i].name, constraint) == 0)
			known = &why->constraints[i];

	if (known) {
		if (known->status)
			status = known->status;
		app_error_set(err, status, "%s", known->message);
		app_error_field(err, known->field, known->code, "%s", known->message);
	} else if (status == 409) {
		app_error_set(err, 409, deleting ? "The resource is still referenced by other data."
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
	/* a broken connection is dropped by db_release; the next acquire reopens it */
	err->retryable = retryable;
	PQclear(res);
	return NULL;
}

static PGresult *check(struct db_conn *c, PGresult *res, const struct db_explain *why, struct app_error *err)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		c->succeeded++;
		return res;
	}
	return fail_result(c, res, why, err);
}

/* One result of a pipeline and the NULL that ends it; NULL when the connection failed */
static PGresult *next_result(PGconn *pg)
{
	PGresult *res = PQgetResult(pg), *r;
	while (res && (r = PQgetResult(pg)) != NULL)
		PQclear(r);
	return res;
}

static bool succeeded(const PGresult *r)
{
	return PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
}

/* The results of what send_pipeline sent (`ahead` before the statement, one `after` it when
 * after), in order, and the sync's: the statement's result, or the first failed one before it (the
 * statement was then not run: PGRES_PIPELINE_ABORTED). `sent` false: the sending failed. */
static PGresult *read_pipeline(struct db_conn *c, int ahead, bool after, bool sent)
{
	PGconn *pg = c->pg;
	PGresult *failed = NULL, *res = NULL, *r;
	bool standing = sent;
	for (int i = 0; standing && i < ahead; i++) {
		if (!(r = next_result(pg)))
			standing = false;
		else if (!failed && !succeeded(r))
			failed = r;
		else
			PQclear(r);
	}
	if (standing && !(res = next_result(pg)))
		standing = false;
	/* the ROLLBACK after a read: not run when something before it failed (the transaction is
	 * then rolled back on release); failing after a read that succeeded, the connection is not
	 * trusted again, but the read stands */
	if (standing && after) {
		if (!(r = next_result(pg)))
			standing = false;
		else if (!failed && succeeded(res) && PQresultStatus(r) != PGRES_COMMAND_OK)
			c->broken = true;
		PQclear(r);
	}
	/* the sync's own result: anything else (a backend terminated after the statement) means the
	 * connection is gone, whatever the statement answered */
	if (standing) {
		r = PQgetResult(pg);
		standing = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
	}
	/* a pipeline that did not end cleanly leaves the connection unusable: dropped on release,
	 * and the request answered as a lost connection (no SQLSTATE), which may run again */
	if (!PQexitPipelineMode(pg) || !standing) {
		c->broken = true;
		if (!failed || !PQresultErrorField(failed, PG_DIAG_SQLSTATE)) {
			PQclear(failed);
			PQclear(res);
			return NULL;
		}
	}
	if (failed) {
		PQclear(res);
		return failed;
	}
	return res;
}

/* What is pending (BEGIN, a later statement) and the statement in one round trip */
static PGresult *exec_pipelined(struct db_conn *c, const char *name, const char *sql, int n,
				const char *const *values, const int *lengths, const int *formats, int result_format)
{
	struct pipeline pl = {.begin = c->pending_begin, .later = c->later, .later_n = c->later_n,
			      .later_values = c->later_values, .name = name, .sql = sql, .n = n, .values = values,
			      .lengths = lengths, .formats = formats, .result_format = result_format};
	c->pending_begin = NULL;
	c->later = NULL;
	bool sent = send_pipeline(c->pg, &pl);
	return read_pipeline(c, (pl.begin != NULL) + (pl.later != NULL), false, sent);
}

static PGresult *exec_prepared(struct db_conn *c, const char *name, int n, const char *const *values,
			       const int *lengths, const int *formats, int result_format)
{
	if (c->pending_begin || c->later)
		return exec_pipelined(c, name, NULL, n, values, lengths, formats, result_format);
	return PQexecPrepared(c->pg, name, n, values, lengths, formats, result_format);
}

/* what is pending sent on its own, before what cannot go with it (SQL text, the bare connection) */
static bool send_pending(struct db_conn *c, struct app_error *err)
{
	const char *begin = c->pending_begin;
	const struct db_stmt *later = c->later;
	c->pending_begin = NULL;
	c->later = NULL;
	PGresult *r = NULL;
	if (begin && !(r = check(c, PQexec(c->pg, begin), NULL, err)))
		return false;
	PQclear(r);
	r = NULL;
	if (later && !(r = check(c, PQexecPrepared(c->pg, later->name, c->later_n, c->later_values, NULL, NULL, 0), NULL, err)))
		return false;
	PQclear(r);
	return true;
}

bool db_run_later(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		  struct app_error *err)
{
	size_t at = 0;
	/* an unnamed statement (its text) runs now: what is kept for later is sent prepared */
	bool fits = stmt->name && !c->later && n <= DB_LATER_PARAMS;
	for (int i = 0; fits && i < n; i++) {
		size_t len = values[i] ? strlen(values[i]) + 1 : 0;
		fits = at + len <= sizeof c->later_text;
		if (fits && values[i]) {
			memcpy(c->later_text + at, values[i], len);
			c->later_values[i] = c->later_text + at;
			at += len;
		} else if (fits) {
			c->later_values[i] = NULL;
		}
	}
	if (!prepare_once(c, stmt, err))
		return false;
	if (!fits) {
		/* too much to keep: run now */
		PGresult *r = db_run(c, stmt, n, values, NULL, err);
		PQclear(r);
		return r != NULL;
	}
	c->later = stmt;
	c->later_n = n;
	return true;
}

/* sql as an unnamed statement, after what is pending */
static PGresult *exec_text(struct db_conn *c, const char *sql, int n, const char *const *values)
{
	if (c->pending_begin || c->later)
		return exec_pipelined(c, NULL, sql, n, values, NULL, NULL, 0);
	return PQexecParams(c->pg, sql, n, NULL, values, NULL, NULL, 0);
}

PGresult *db_run(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		 const struct db_explain *why, struct app_error *err)
{
	if (!stmt->name)
		return check(c, exec_text(c, stmt->sql, n, values), why, err);
	if (!prepare_once(c, stmt, err))
		return NULL;
	return check(c, exec_prepared(c, stmt->name, n, values, NULL, NULL, 0), why, err);
}

PGresult *db_run_once(struct db_pool *p, const struct db_stmt *stmt, int n, const char *const *values,
		      const struct db_envelope *env, const struct db_explain *why, const char *request_id,
		      struct app_error *err)
{
	struct pool_waiter w = {.once = {stmt, n, values, env}};
	struct db_conn *c;
	if (!acquire(p, &w, &c, err))
		return NULL;
	c->request_id = request_id;
	PGresult *res;
	if (!w.sent)
		res = db_run_enveloped(c, stmt, n, values, env, why, err);
	else /* sent by the releaser: its answer (NULL, a lost connection, when none comes) */
		res = check(c, env ? read_pipeline(c, 2, true, true) : next_result(c->pg), why, err);
	db_release(c);
	return res;
}

bool db_in_transaction(const struct db_conn *c)
{
	/* a statement of db_run_later waiting to go counts too: it must go before the next one */
	return c->pending_begin || c->later || PQtransactionStatus(c->pg) != PQTRANS_IDLE;
}

PGresult *db_run_enveloped(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
			   const struct db_envelope *env, const struct db_explain *why, struct app_error *err)
{
	if (!env)
		return db_run(c, stmt, n, values, why, err);
	if (!prepare_once(c, env->context, err) || !prepare_once(c, stmt, err))
		return NULL;
	const struct once_stmt once = {stmt, n, values, env};
	bool sent = send_once(c, &once);
	return check(c, read_pipeline(c, 2, true, sent), why, err);
}

PGresult *db_run_bytes(struct db_conn *c, const struct db_stmt *stmt, int n, const char *const *values,
		       const int *lengths, const int *binary, bool binary_result, const struct db_explain *why,
		       struct app_error *err)
{
	if (!stmt->name) { /* a programming error, not the database's: no pool-wide reconnect */
		app_error_set(err, 500, "An internal error occurred.");
		return NULL;
	}
	if (!prepare_once(c, stmt, err))
		return NULL;
	return check(c, exec_prepared(c, stmt->name, n, values, lengths, binary, binary_result ? 1 : 0), why, err);
}

void db_param(struct db_params *p, const char *text)
{
	if (p->n < DB_MAX_PARAMS)
		p->v[p->n++] = text;
}

void db_param_int(struct db_params *p, long long v)
{
	if (p->n < DB_MAX_PARAMS) {
		snprintf(p->num[p->n], sizeof p->num[0], "%lld", v);
		db_param(p, p->num[p->n]);
	}
}

void db_param_int_if(struct db_params *p, bool given, long long v)
{
	if (given)
		db_param_int(p, v);
	else
		db_param(p, NULL);
}

void db_param_bool(struct db_params *p, bool v)
{
	db_param(p, v ? "true" : "false");
}

void db_set_request_id(struct db_conn *c, const char *request_id)
{
	c->request_id = request_id;
}

bool db_send_pending(struct db_conn *c, struct app_error *err)
{
	return send_pending(c, err);
}

PGconn *db_pg(struct db_conn *c)
{
	/* whoever talks to the connection itself finds the transaction it began */
	struct app_error err;
	app_error_clear(&err);
	if (!send_pending(c, &err))
		c->broken = true;
	return c->pg;
}

static bool run(struct db_conn *c, const char *sql, struct app_error *err)
{
	PGresult *r = check(c, PQexec(c->pg, sql), NULL, err);
	bool ok = r != NULL;
	PQclear(r);
	return ok;
}

/* BEGIN is sent with the transaction's first statement (exec_pipelined) */
bool db_begin_read(struct db_conn *c, struct app_error *err)
{
	(void)err;
	c->reading = true;
	c->pending_begin = READ_BEGIN;
	return true;
}

bool db_begin(struct db_conn *c, struct app_error *err)
{
	(void)err;
	c->reading = false;
	c->pending_begin = "BEGIN";
	return true;
}

/* The position in the same round trip as the COMMIT. PostgreSQL 15 tells no session its own
 * commit record's LSN; the insert position read right after it is at or past that record's end
 * (pg_current_wal_lsn(), the write position, is not when synchronous_commit is off), and may
 * include other sessions' WAL too: a replica is asked to have replayed a little more, never less. */
bool db_commit(struct db_conn *c, struct app_error *err)
{
	/* a transaction that ran nothing never began (nor what waited to go with its first statement) */
	if (c->pending_begin) {
		c->pending_begin = NULL;
		c->later = NULL;
		c->reading = false;
		return true;
	}
	if (c->later && !send_pending(c, err))
		return false;
	/* a read wrote nothing to wait for, and a replica (in recovery) has no insert position */
	if (c->reading) {
		c->reading = false;
		return run(c, "COMMIT", err);
	}
	PGresult *r = check(c, PQexec(c->pg, "COMMIT; SELECT pg_current_wal_insert_lsn()"), NULL, err);
	if (!r)
		return false;
	uint64_t at;
	if (PQntuples(r) == 1 && PQnfields(r) == 1 && !PQgetisnull(r, 0, 0) && lsn_parse(PQgetvalue(r, 0, 0), &at))
		c->committed = at;
	PQclear(r);
	return true;
}

bool db_may_release(const struct db_conn *c)
{
	if (!c || !c->pg)
		return true;
	/* a write begun is open, whether or not its BEGIN has gone out yet */
	if (c->pending_begin && !c->reading)
		return false;
	PGTransactionStatusType t = PQtransactionStatus(c->pg);
	return t == PQTRANS_IDLE || (c->reading && t == PQTRANS_INTRANS);
}

uint64_t db_commit_position(const struct db_conn *c)
{
	return c ? c->committed : 0;
}

bool db_acquire_replica(struct db_pool *p, uint64_t min, struct db_conn **out)
{
	struct app_error err;
	app_error_clear(&err);
	if (!db_acquire(p, out, &err))
		return false;
	if (min == 0 || atomic_load(&p->replayed) >= min)
		return true;
	/* NULL when the server is not in recovery: nothing says what it holds, so it serves no
	 * read that names a position */
	PGresult *r = PQexec((*out)->pg, "SELECT pg_last_wal_replay_lsn()");
	uint64_t replayed = 0;
	bool known = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
		     lsn_parse(PQgetvalue(r, 0, 0), &replayed);
	PQclear(r);
	if (known) {
		unsigned long long seen = atomic_load(&p->replayed);
		while (seen < replayed && !atomic_compare_exchange_weak(&p->replayed, &seen, replayed))
			;
		if (replayed >= min)
			return true;
	}
	db_release(*out);   /* drops it when the query found it dead */
	*out = NULL;
	return false;
}

/* A row's value: its text (NULL for SQL NULL) and length; returns the most member_value writes
 * for it (text escaped: 6 bytes a byte; a time 21 bytes, or text when PostgreSQL printed
 * something shorter) */
static inline size_t value_of(const PGresult *res, int row, int col, enum db_col_type type, const char **value,
			      size_t *len)
{
	*len = (size_t)PQgetlength(res, row, col);
	/* a NULL has length 0: only then ask */
	*value = *len == 0 && PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
	bool text = type == COL_STR || type == COL_TIME;
	return !*value ? 4 : text ? JSON_STR_MAX(*len) : *len + 5;
}

/* One column's value as JSON at o, which has room for it (value_of counts); the end */
static char *member_value(char *o, enum db_col_type type, const char *v, size_t n)
{
	if (!v) {
		memcpy(o, "null", 4);
		return o + 4;
	}
	switch (type) {
	case COL_STR:
		return json_str_into(o, v, n);
	case COL_NUM:
	case COL_JSON:
		memcpy(o, v, n);
		return o + n;
	case COL_TIME:
		/* ISO output in UTC, "2022-11-16 08:03:00.123456+00": RFC 3339 to the second */
		if (n < 19)
			return json_str_into(o, v, n);
		*o++ = '"';
		memcpy(o, v, 19);
		o[10] = 'T';
		o[19] = 'Z';
		o[20] = '"';
		return o + 21;
	case COL_BOOL:
		if (v[0] == 't') {
			memcpy(o, "true", 4);
			return o + 4;
		}
		memcpy(o, "false", 5);
		return o + 5;
	}
	return o;
}

bool db_int_array(struct buf *out, const PGresult *res, int col, int n)
{
	buf_putc(out, '{');
	for (int i = 0; i < n; i++)
		BUF_CAT(out, i ? "," : "", PQgetvalue(res, i, col));
	buf_putc(out, '}');
	return buf_ok(out);
}

void db_row_json(struct buf *b, const PGresult *res, int row, const struct db_col *cols, int ncols)
{
	buf_putc(b, '{');
	db_row_members(b, res, row, cols, ncols);
	buf_putc(b, '}');
}

/* A row's members are written in batches of this many columns, each batch after one reservation */
#define ROW_BATCH 32

/* The keys of a page's rows, each written once as `,"name":` (a row's first from its second
 * byte), so a row copies them instead of measuring and quoting each name again; copied 32 bytes
 * at a time into a row reserved 32 bytes long, from text padded as long */
#define KEY_COPY 32
struct row_keys {
	size_t at[ROW_BATCH], len[ROW_BATCH], total;
	char text[ROW_BATCH * KEY_COPY + KEY_COPY];
};

static bool row_keys_make(struct row_keys *k, const struct db_col *cols, int ncols)
{
	size_t at = 0;
	if (ncols > ROW_BATCH)
		return false;
	for (int i = 0; i < ncols; i++) {
		size_t n = strlen(cols[i].name);
		if (n + 4 > KEY_COPY || at + n + 4 + KEY_COPY > sizeof k->text)
			return false;
		k->at[i] = at;
		k->len[i] = n + 4;
		k->text[at] = ',';
		k->text[at + 1] = '"';
		memcpy(k->text + at + 2, cols[i].name, n);
		k->text[at + n + 2] = '"';
		k->text[at + n + 3] = ':';
		at += n + 4;
	}
	memset(k->text + at, 0, KEY_COPY);
	k->total = at;
	return true;
}

void db_rows_json(struct buf *b, const PGresult *res, int n, const struct db_col *cols, int ncols)
{
	struct row_keys k;
	if (!row_keys_make(&k, cols, ncols)) {
		for (int row = 0; row < n; row++) {
			if (row)
				buf_putc(b, ',');
			db_row_json(b, res, row, cols, ncols);
		}
		return;
	}
	const char *value[ROW_BATCH];
	size_t len[ROW_BATCH];
	for (int row = 0; row < n; row++) {
		/* `,{`, the keys, `}`, the values as db_row_members counts them, and the keys' overrun */
		size_t need = 3 + k.total + KEY_COPY;
		for (int i = 0; i < ncols; i++)
			need += value_of(res, row, i, cols[i].type, &value[i], &len[i]);
		char *o = buf_tail(b, need);
		if (!o)
			return;
		if (row)
			*o++ = ',';
		*o++ = '{';
		for (int i = 0; i < ncols; i++) {
			size_t skip = i == 0; /* the first key without its comma */
			memcpy(o, k.text + k.at[i] + skip, KEY_COPY);
			o += k.len[i] - skip;
			o = member_value(o, cols[i].type, value[i], len[i]);
		}
		*o++ = '}';
		buf_tail_done(b, o);
	}
}

void db_row_members(struct buf *b, const PGresult *res, int row, const struct db_col *cols, int ncols)
{
	const char *value[ROW_BATCH];
	size_t len[ROW_BATCH], key[ROW_BATCH];
	for (int first = 0; first < ncols; first += ROW_BATCH) {
		int n = ncols - first < ROW_BATCH ? ncols - first : ROW_BATCH;
		/* what the batch can take at most: `,"key":` and the value (text escaped: 6 bytes a byte) */
		size_t need = 0;
		for (int k = 0; k < n; k++) {
			int i = first + k;
			key[k] = strlen(cols[i].name);
			need += key[k] + 4 + value_of(res, row, i, cols[i].type, &value[k], &len[k]);
		}
		char *o = buf_tail(b, need);
		if (!o)
			return;
		for (int k = 0; k < n; k++) {
			int i = first + k;
			if (i)
				*o++ = ',';
			*o++ = '"';
			memcpy(o, cols[i].name, key[k]);
			o += key[k];
			*o++ = '"';
			*o++ = ':';
			o = member_value(o, cols[i].type, value[k], len[k]);
		}
		buf_tail_done(b, o);
	}
}
