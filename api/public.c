/* What anyone may read without a token (API.md "Public"): the nominees in public notice
 * (GET /v1/public/proposals) and the decisions with their awards and cancellations
 * (GET /v1/public/decisions, /v1/public/decisions/{id}); and the public's comments on a nominee
 * while its notice runs (POST /v1/public/proposals/{id}/feedback), read by the approving unit's
 * authorities and admins (GET /v1/proposals/{id}/feedback).
 *
 * Nothing public names a person beyond a name and a position: a recipient is {type, name,
 * position, unit_name} — no person, unit or household id, no household address, no eligibility,
 * no draft (only dossiers in `public_notice`).
 *
 * Cached: each instance keeps the answers' bytes and ETags (lib/answer_cache.c) under a key made
 * of the request (its parsed filters, limit and cursor) and the change feed's last position among
 * the entities the answer shows (sql/0028). Every committed change of those tables appends to the
 * feed in its own transaction, in commit order (sql/0003), so an unchanged position means unchanged
 * rows, whichever instance wrote them. Each request needs the position as of a moment after it
 * arrived: one probe of a small partial index, shared by all the requests that arrived before the
 * probe began (under load one probe serves dozens). A page kept under that position is current;
 * a change makes a new key and the old entries age out. A page is made in one read snapshot
 * together with the position it is kept under, once per instance and position: the requests that
 * miss it meanwhile wait for it. Nothing in them depends on the day (notice dates are shown, not
 * compared). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/codes.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/answer_cache.h"
#include "lib/jsonin.h"
#include "lib/page.h"
#include "lib/query.h"

/* A public recipient from the rows ru (a unit), pe (a person) and peu (the person's unit) joined
 * for `x`, a proposal or an award: the type, the name, a person's position and unit. Objects are
 * made with row_to_json, which writes no spaces (json_build_object writes " : "). */
#define PUBLIC_RECIPIENT(x)                                                                               \
	"(SELECT row_to_json(r) FROM (SELECT CASE WHEN " x ".recipient_unit_id IS NOT NULL THEN 'unit'"      \
	" WHEN " x ".recipient_person_id IS NOT NULL THEN 'person' ELSE 'household' END AS type,"             \
	" coalesce(ru.name, pe.full_name, " x ".recipient_household ->> 'name') AS name,"                    \
	" pe.position, peu.name AS unit_name) r)"
#define RECIPIENT_JOINS(x)                                                                                \
	" LEFT JOIN units ru ON ru.id = " x ".recipient_unit_id LEFT JOIN people pe ON pe.id = " x           \
	".recipient_person_id LEFT JOIN units peu ON peu.id = pe.unit_id"

/* The change feed's last position among a list's entities (sql/0028's partial indexes, whose
 * predicates these conditions are): "seq at", or no row before the first change. */
DB_STMT(public_proposals_position, "SELECT seq, at FROM change_feed"
	" WHERE entity IN ('dossier', 'proposal', 'unit', 'person', 'award_kind') ORDER BY seq DESC LIMIT 1");
DB_STMT(public_decisions_position, "SELECT seq, at FROM change_feed"
	" WHERE entity IN ('decision', 'award', 'unit', 'person', 'award_kind') ORDER BY seq DESC LIMIT 1");

/* nominees of dossiers in notice, not rejected; $1 after id, $2 approving unit, $3 kind, $4 the
 * dossier's year, $5 limit */
static const char proposals_sql[] =
	"SELECT p.id, p.dossier_id, d.number, d.proposing_unit_id, pu.name, d.approving_unit_id, au.name,"
	" p.award_kind_code, k.name, " PUBLIC_RECIPIENT("p") ", p.achievements, d.notice_from, d.notice_until,"
	" '/v1/public/proposals/' || p.id || '/feedback'"
	" FROM dossiers d JOIN proposals p ON p.dossier_id = d.id"
	" JOIN units pu ON pu.id = d.proposing_unit_id JOIN units au ON au.id = d.approving_unit_id"
	" JOIN award_kinds k ON k.code = p.award_kind_code" RECIPIENT_JOINS("p")
	" WHERE d.status = 'public_notice' AND p.status <> 'rejected'"
	" AND ($1::bigint IS NULL OR p.id > $1) AND ($2::bigint IS NULL OR d.approving_unit_id = $2)"
	" AND ($3::text IS NULL OR p.award_kind_code = $3) AND ($4::int IS NULL OR d.year = $4)"
	" ORDER BY p.id LIMIT $5";
static const struct db_col proposal_cols[] = {
	{"id", COL_NUM}, {"dossier_id", COL_NUM}, {"dossier_number", COL_STR}, {"proposing_unit_id", COL_NUM},
	{"proposing_unit_name", COL_STR}, {"approving_unit_id", COL_NUM}, {"approving_unit_name", COL_STR},
	{"award_kind_code", COL_STR}, {"award_kind_name", COL_STR}, {"recipient", COL_JSON}, {"achievements", COL_STR},
	{"notice_from", COL_STR}, {"notice_until", COL_STR}, {"feedback_url", COL_STR},
};
static const struct row_shape proposal_shape = {"/v1/public/proposals", "Proposal", proposal_cols,
						(int)API_COUNT(proposal_cols), 0, -1};

/* a decision, its cancellation, its document and its awards — all of a page's awards in the
 * page's one statement */
#define DECISION_COLUMNS                                                                                  \
	"d.id, d.number, d.signed_on, d.issuing_unit_id, u.name, d.signer_name, d.signer_title, d.status,"  \
	" (SELECT row_to_json(c) FROM (SELECT d.cancelled_on, d.cancelling_number, d.cancel_reason AS reason," \
	"  d.cancel_legal_basis AS legal_basis) c WHERE d.status = 'cancelled'),"                             \
	" CASE WHEN d.document_id IS NOT NULL THEN '/v1/public/decisions/' || d.id || '/document' END,"      \
	" (SELECT coalesce('[' || string_agg(row_to_json(w)::text, ',' ORDER BY a.id) || ']', '[]')"        \
	"  FROM awards a JOIN award_kinds k ON k.code = a.award_kind_code" RECIPIENT_JOINS("a")               \
	"  CROSS JOIN LATERAL (SELECT a.award_kind_code, k.name AS award_kind_name,"                          \
	"   " PUBLIC_RECIPIENT("a") " AS recipient, a.revoked_on) w"                                           \
	"  WHERE a.decision_id = d.id)"
DB_STMT(public_decision, "SELECT " DECISION_COLUMNS " FROM decisions d JOIN units u ON u.id = d.issuing_unit_id WHERE d.id = $1");
/* $1 after id, $2 issuing unit, $3 status, $4 year signed, $5 limit */
static const char decisions_sql[] =
	"SELECT " DECISION_COLUMNS " FROM decisions d JOIN units u ON u.id = d.issuing_unit_id"
	" WHERE ($1::bigint IS NULL OR d.id > $1) AND ($2::bigint IS NULL OR d.issuing_unit_id = $2)"
	" AND ($3::text IS NULL OR d.status = $3)"
	" AND ($4::int IS NULL OR d.signed_on BETWEEN make_date($4, 1, 1) AND make_date($4, 12, 31))"
	" ORDER BY d.id LIMIT $5";
static const struct db_col decision_cols[] = {
	{"id", COL_NUM}, {"number", COL_STR}, {"signed_on", COL_STR}, {"issuing_unit_id", COL_NUM},
	{"issuing_unit_name", COL_STR}, {"signer_name", COL_STR}, {"signer_title", COL_STR}, {"status", COL_STR},
	{"cancellation", COL_JSON}, {"document_url", COL_STR}, {"awards", COL_JSON},
};
static const struct row_shape decision_shape = {"/v1/public/decisions", "Decision", decision_cols,
						(int)API_COUNT(decision_cols), 0, -1};
static const char *const decision_statuses[] = {"in_force", "cancelled", NULL};

/* --- comments ---------------------------------------------------------------------------------- */

/* How often one address may comment (stored comments count; refused ones do not): a burst, and a
 * day. Counted in the database under a lock on the address, so every instance enforces it. */
#define BURST_MAX 5
#define BURST_SECONDS 600
#define DAY_MAX 20
#define DAY_SECONDS 86400

/* one address's comments one at a time: its count and its insert cannot interleave */
DB_STMT(feedback_lock, "SELECT pg_advisory_xact_lock(hashtextextended('tdkt.feedback:' || $1, 0))");
/* its dossier's notice held open from here to the commit: what ends a notice (a dossier's move, a
 * nominee's rejection) takes this lock exclusive (sql/0030) and waits for the commit; the check
 * after it sees any such change already committed */
DB_STMT(feedback_notice_lock, "SELECT pg_advisory_xact_lock_shared(hashtextextended('tdkt.notice:' || p.dossier_id, 0))"
	" FROM proposals p WHERE p.id = $1");
/* the nominee as the public sees it (row-level security as an anonymous caller): its dossier's
 * state, whether the dossier was ever published, and whether its notice runs today in Vietnam */
DB_STMT(feedback_target, "SELECT d.status, d.notice_from IS NOT NULL, p.status,"
	" (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN d.notice_from AND d.notice_until,"
	" d.notice_from, d.notice_until FROM proposals p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = $1");
/* $1 the address, $2 the burst window and $3 the day in seconds: the comments stored in each, and
 * the seconds until the oldest of each leaves it (proposal_feedback_client_idx) */
DB_STMT(feedback_recent, "SELECT count(*) FILTER (WHERE created_at > now() - make_interval(secs => $2)), count(*),"
	" ceil(extract(epoch FROM min(created_at) FILTER (WHERE created_at > now() - make_interval(secs => $2))"
	"  + make_interval(secs => $2) - now()))::bigint,"
	" ceil(extract(epoch FROM min(created_at) + make_interval(secs => $3) - now()))::bigint"
	" FROM proposal_feedback WHERE client = $1 AND created_at > now() - make_interval(secs => $3)");
DB_STMT(feedback_insert, "INSERT INTO proposal_feedback (proposal_id, name, contact, content, client)"
	" VALUES ($1, normalize($2, NFC), normalize($3, NFC), normalize($4, NFC), $5) RETURNING id, proposal_id, created_at");
/* the nominee as the caller sees it (row-level security as the caller) and who approves it */
DB_STMT(feedback_approver, "SELECT d.approving_unit_id FROM proposals p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = $1");
DB_STMT(feedback_page, PAGE_SQL_OPEN "SELECT id, proposal_id, name, contact, content, created_at FROM proposal_feedback"
	" WHERE proposal_id = $1 AND id > $2 ORDER BY id" PAGE_SQL_CLOSE("$3"));
static const struct db_stmt *const stmts[] = {&sql_public_proposals_position, &sql_public_decisions_position,
					      &sql_public_decision, &sql_feedback_lock, &sql_feedback_notice_lock, &sql_feedback_target,
					      &sql_feedback_recent, &sql_feedback_insert, &sql_feedback_approver,
					      &sql_feedback_page};

enum { F_NAME, F_CONTACT, F_CONTENT };
static const struct jfield feedback_fields[] = {
	[F_NAME] = {"name", JF_STRING, JF_NULLABLE, 1, 200, NULL, NULL, NULL},
	[F_CONTACT] = {"contact", JF_STRING, JF_NULLABLE, 1, 200, NULL, NULL, NULL},
	[F_CONTENT] = {"content", JF_TEXT, JF_REQUIRED, 1, 4000, NULL, NULL, NULL},
};
/* the table's checks, after NFC (which may change a length) */
static const struct db_constraint feedback_constraints[] = {
	{"proposal_feedback_name_length", "name", "too_long", "name must have 1 to 200 characters", 0},
	{"proposal_feedback_contact_length", "contact", "too_long", "contact must have 1 to 200 characters", 0},
	{"proposal_feedback_content_length", "content", "too_long", "content must have 1 to 4000 characters", 0},
};
static const struct db_explain feedback_why = {feedback_constraints, (int)API_COUNT(feedback_constraints), false};

static const struct db_col receipt_cols[] = {{"id", COL_NUM}, {"proposal_id", COL_NUM}, {"created_at", COL_TIME}};
static const struct db_col feedback_cols[] = {
	{"id", COL_NUM}, {"proposal_id", COL_NUM}, {"name", COL_STR}, {"contact", COL_STR}, {"content", COL_STR},
	{"created_at", COL_TIME},
};
static const struct row_shape feedback_shape = {"/v1/proposals", "Feedback", feedback_cols,
						(int)API_COUNT(feedback_cols), 0, -1};

/* --- the cache ---------------------------------------------------------------------------------- */

/* 256 answers or 64 MB an instance; an answer over 4 MB (500 nominees with long achievements) is
 * made each time */
#define CACHE_ENTRIES 256
#define CACHE_BYTES ((size_t)64 << 20)
#define CACHE_ANSWER_MAX ((size_t)4 << 20)
static struct answer_cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
	cache = answer_cache_new(CACHE_ENTRIES, CACHE_BYTES);
}

/* the feed's position among the entities `probe` names, as text ("0" before any change) */
static bool feed_position(struct req *r, struct db_conn *db, const struct db_stmt *probe, char out[80])
{
	PGresult *res = db_run(db, probe, 0, NULL, NULL, &r->err);
	if (!res)
		return false;
	if (PQntuples(res) == 1)
		snprintf(out, 80, "%s@%s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	else
		snprintf(out, 80, "0");
	PQclear(res);
	return true;
}

/* One probe answers every request that arrived before it started: a request needs a probe that
 * starts after it arrived (then every commit made before it arrived is seen), and under load many
 * wait for the same one instead of asking the database each. One probe of a list runs at a time;
 * the first request to find none running that it can use runs the next. */
struct probe_flight {
	const struct db_stmt *probe;
	pthread_mutex_t lock;
	pthread_cond_t done;
	unsigned long long started, finished; /* probes begun, and the last one ended well */
	bool running;
	char position[80];                   /* what probe `finished` found */
};
static struct probe_flight flights[] = {
	{.probe = &sql_public_proposals_position, .lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER},
	{.probe = &sql_public_decisions_position, .lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER},
};

/* The feed's position for `probe` as of a moment after this call began. A request that must see a
 * given commit (Tdkt-Min-Position: its replica is chosen for it) asks for itself. */
static bool current_position(struct req *r, const struct db_stmt *probe, char out[80])
{
	struct probe_flight *f = NULL;
	struct db_conn *db;
	for (size_t i = 0; i < API_COUNT(flights); i++)
		if (flights[i].probe == probe)
			f = &flights[i];
	if (!f || r->min_position)
		return req_db(r, &db) && feed_position(r, db, probe, out);
	pthread_mutex_lock(&f->lock);
	unsigned long long need = f->started + 1;
	while (f->finished < need && f->running)
		pthread_cond_wait(&f->done, &f->lock);
	if (f->finished >= need) {
		memcpy(out, f->position, 80);
		pthread_mutex_unlock(&f->lock);
		return true;
	}
	/* none running that began after this request: this one runs the next */
	unsigned long long mine = ++f->started;
	f->running = true;
	pthread_mutex_unlock(&f->lock);
	bool ok = req_db(r, &db) && feed_position(r, db, probe, out);
	pthread_mutex_lock(&f->lock);
	if (ok && mine > f->finished) {
		f->finished = mine;
		memcpy(f->position, out, 80);
	}
	f->running = false;
	pthread_cond_broadcast(&f->done);
	pthread_mutex_unlock(&f->lock);
	return ok;
}

/* What a public answer is made of: `request` names it whole (its parsed parameters); make()
 * writes it into r->out from the open read snapshot, or fails (a 404) and is not kept. */
struct public_answer {
	const struct db_stmt *probe;
	char request[200];
	int (*make)(struct req *r, const struct public_answer *a);
	/* the parsed request, for make() */
	struct page page;
	long long id, unit, year;
	bool has_unit, has_year;
	const char *kind, *status;
};

static void cache_key(struct buf *key, const char *position, const char *request)
{
	buf_reset(key);
	BUF_CAT(key, position, "|", request);
}

/* Requests that miss the same answer at once — every request right after a change — wait for the
 * first to make it instead of each reading the same page (64 of them had made the database the
 * bottleneck for a second after each change). */
#define BUILDS_MAX 64
static struct {
	pthread_mutex_t lock;
	pthread_cond_t done;
	char *key[BUILDS_MAX];
} builds = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}};

/* true: this request makes the answer of `key`, registered in *slot (-1: not registered, the table
 * full); false: it waited while another made it — look in the cache again */
static bool build_claim(const char *key, int *slot)
{
	bool waited = false;
	*slot = -1;
	pthread_mutex_lock(&builds.lock);
	for (;;) {
		int found = -1, free_slot = -1;
		for (int i = 0; i < BUILDS_MAX; i++)
			if (builds.key[i] && strcmp(builds.key[i], key) == 0)
				found = i;
			else if (!builds.key[i] && free_slot < 0)
				free_slot = i;
		if (found < 0) {
			if (!waited && free_slot >= 0 && (builds.key[free_slot] = strdup(key)))
				*slot = free_slot;
			break;
		}
		waited = true;
		pthread_cond_wait(&builds.done, &builds.lock);
	}
	pthread_mutex_unlock(&builds.lock);
	return !waited;
}

static void build_done(int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&builds.lock);
	free(builds.key[slot]);
	builds.key[slot] = NULL;
	pthread_cond_broadcast(&builds.done);
	pthread_mutex_unlock(&builds.lock);
}

/* The answer kept under the feed's position now, or made in one snapshot with the position it is
 * then kept under; answered with its ETag, Cache-Control: public, max-age=60, or a 304. */
static int answer_public(struct req *r, const struct public_answer *a)
{
	struct db_conn *db;
	char position[80], note[ANSWER_NOTE_MAX];
	struct buf key, made;
	int rc = -1, slot = -1;
	buf_init(&key);
	buf_init(&made);
	pthread_once(&cache_once, cache_init);
	if (!current_position(r, a->probe, position))
		goto out;
	cache_key(&key, position, a->request);
	if (!buf_ok(&key)) {
		rc = req_fail(r, 503, "The service is short of memory.");
		goto out;
	}
	for (int look = 0;; look++) {
		if (answer_cache_get_named(cache, key.data, r->out, note)) {
			respond_public_as(r, note);
			rc = 0;
			goto out;
		}
		/* a connection held while waiting could be the one the maker needs */
		req_db_release(r);
		if (look > 0 || build_claim(key.data, &slot))
			break;
	}
	/* not kept: the position again and the answer, in one snapshot; kept under that position, and
	 * under the one asked with when the snapshot is newer (what the waiters look for: it has every
	 * change they must see) — not when it is older (a replica behind the primary that probed) */
	long long asked = strtoll(position, NULL, 10);
	if (!read_begin(r, &db) || !feed_position(r, db, a->probe, position) || a->make(r, a) != 0)
		goto out;
	bool newer = strtoll(position, NULL, 10) >= asked;
	char etag[PUBLIC_ETAG_MAX];
	bool tagged = public_etag(r->out, etag);
	cache_key(&made, position, a->request);
	if (tagged && buf_ok(&key) && buf_ok(&made) && buf_ok(r->out) && r->out->len <= CACHE_ANSWER_MAX) {
		answer_cache_put_named(cache, made.data, r->out->data, r->out->len, etag);
		if (newer && strcmp(made.data, key.data) != 0)
			answer_cache_put_named(cache, key.data, r->out->data, r->out->len, etag);
	}
	respond_public_as(r, etag);
	rc = 0;
out:
	build_done(slot);
	buf_free(&key);
	buf_free(&made);
	return rc;
}

/* --- the lists ---------------------------------------------------------------------------------- */

/* both lists take $1 after id, $2 a unit, $3 a text (a kind, a status), $4 a year, $5 limit */
static int page_of(struct req *r, const char *sql, const struct public_answer *a, const char *scope,
		   const struct row_shape *shape, const char *text_filter)
{
	struct db_params p = {.n = 0};
	db_param_int_if(&p, a->page.has_after, a->page.after_id);
	db_param_int_if(&p, a->has_unit, a->unit);
	db_param(&p, text_filter);
	db_param_int_if(&p, a->has_year, a->year);
	db_param_int(&p, a->page.limit + 1);
	PGresult *res = req_query(r, sql, &p);
	if (!res)
		return -1;
	return respond_page(r, res, scope, shape, a->page.limit);
}

static int make_proposals(struct req *r, const struct public_answer *a)
{
	return page_of(r, proposals_sql, a, "public_proposals", &proposal_shape, a->kind);
}

static int make_decisions(struct req *r, const struct public_answer *a)
{
	return page_of(r, decisions_sql, a, "public_decisions", &decision_shape, a->status);
}

static int make_decision(struct req *r, const struct public_answer *a)
{
	char id[24];
	const char *params[] = {id_text(a->id, id)};
	struct db_conn *db;
	PGresult *res = req_db(r, &db) ? db_run(db, &sql_public_decision, 1, params, NULL, &r->err) : NULL;
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return req_fail(r, 404, "Decision %lld does not exist.", a->id);
	}
	db_row_json(r->out, res, 0, decision_cols, (int)API_COUNT(decision_cols));
	PQclear(res);
	return 0;
}

/* "limit cursor-id unit kind-or-status year": the parsed request, one spelling for each, and no
 * spelling for two (a value given is "+value", none "-"). The value is a checked code or enum. */
static void name_request(struct public_answer *a, const char *list, const char *text)
{
	snprintf(a->request, sizeof a->request, "%s %lld %lld %lld %s%s %lld", list, a->page.limit,
		 a->page.has_after ? a->page.after_id : 0, a->has_unit ? a->unit : 0, text ? "+" : "-", text ? text : "",
		 a->has_year ? a->year : 0);
}

/* GET /v1/public/proposals?approving_unit_id=&award_kind_code=&year= */
static int public_proposals(struct req *r)
{
	struct query q;
	struct public_answer a = {.probe = &sql_public_proposals_position, .make = make_proposals};
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "public_proposals", &a.page, &r->err) ||
	    !query_id(&q, "approving_unit_id", &a.has_unit, &a.unit, &r->err) ||
	    !query_str(&q, "award_kind_code", 48, &a.kind, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &a.has_year, &a.year, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	/* a code, as the contract says: anything else would be a page of its own, cached and shared */
	if (a.kind && !snake_code_ok(a.kind, strlen(a.kind)))
		return req_fail(r, 400, "award_kind_code " SNAKE_CODE_DESC ".");
	name_request(&a, "proposals", a.kind);
	return answer_public(r, &a);
}

/* GET /v1/public/decisions?issuing_unit_id=&year=&status= */
static int public_decisions(struct req *r)
{
	struct query q;
	struct public_answer a = {.probe = &sql_public_decisions_position, .make = make_decisions};
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "public_decisions", &a.page, &r->err) ||
	    !query_id(&q, "issuing_unit_id", &a.has_unit, &a.unit, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &a.has_year, &a.year, &r->err) ||
	    !query_enum(&q, "status", decision_statuses, &a.status, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	name_request(&a, "decisions", a.status);
	return answer_public(r, &a);
}

/* GET /v1/public/decisions/{id} */
static int public_decision(struct req *r)
{
	struct public_answer a = {.probe = &sql_public_decisions_position, .make = make_decision};
	if (!req_path_id(r, "id", &a.id))
		return -1;
	snprintf(a.request, sizeof a.request, "decision %lld", a.id);
	return answer_public(r, &a);
}

/* --- comments ----------------------------------------------------------------------------------- */

/* Whom a comment counts against: an IPv4 address itself (an IPv4-mapped IPv6 one as IPv4); an
 * IPv6 address by its /64, the block a subscriber is usually given (else one subscriber would
 * have 2^64 addresses to spread comments over). Anything else as it is. */
static void rate_client(const char *addr, char out[64])
{
	unsigned char a6[16];
	char text[INET6_ADDRSTRLEN];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	snprintf(out, 64, "%s", addr);
	if (inet_pton(AF_INET6, addr, a6) != 1)
		return;
	if (memcmp(a6, mapped, sizeof mapped) == 0) {
		if (inet_ntop(AF_INET, a6 + 12, text, sizeof text))
			snprintf(out, 64, "%s", text);
		return;
	}
	memset(a6 + 8, 0, 8);
	if (inet_ntop(AF_INET6, a6, text, sizeof text))
		snprintf(out, 64, "%s/64", text);
}

static long long col_num(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* 429 with Retry-After when the address has used its burst or its day; true when it may comment */
static bool within_rate(struct req *r, struct db_conn *db, const char *client)
{
	char burst[24], day[24];
	const char *params[] = {client, id_text(BURST_SECONDS, burst), id_text(DAY_SECONDS, day)};
	PGresult *res = db_run(db, &sql_feedback_recent, 3, params, NULL, &r->err);
	if (!res)
		return false;
	long long in_burst = col_num(res, 0, 0), in_day = col_num(res, 0, 1);
	long long wait_burst = in_burst >= BURST_MAX ? col_num(res, 0, 2) : 0;
	long long wait_day = in_day >= DAY_MAX ? col_num(res, 0, 3) : 0;
	PQclear(res);
	long long wait = wait_burst > wait_day ? wait_burst : wait_day;
	if (in_burst < BURST_MAX && in_day < DAY_MAX)
		return true;
	r->err.retry_after = (int)(wait < 1 ? 1 : wait);
	return app_error_set(&r->err, 429, "At most %d comments in %d minutes and %d a day are taken from one address;"
			     " try again in %d seconds.", BURST_MAX, BURST_SECONDS / 60, DAY_MAX, r->err.retry_after);
}

/* 404 when the nominee is not public (none, or its dossier never published or sent back); 409
 * when it is but takes no comments now */
static bool open_for_comments(struct req *r, struct db_conn *db, const char *id)
{
	PGresult *res = db_run(db, &sql_feedback_target, 1, &id, NULL, &r->err);
	if (!res)
		return false;
	bool ok = false;
	const char *dossier = PQntuples(res) ? PQgetvalue(res, 0, 0) : "";
	bool published = PQntuples(res) && strcmp(PQgetvalue(res, 0, 1), "t") == 0 &&
			 (strcmp(dossier, "public_notice") == 0 || strcmp(dossier, "reviewed") == 0 ||
			  strcmp(dossier, "decided") == 0);
	if (!published)
		req_fail(r, 404, "Proposal %s is not in public notice.", id);
	else if (strcmp(dossier, "public_notice") != 0)
		req_fail(r, 409, "Proposal %s takes no comments: its dossier is %s, its notice is over.", id, dossier);
	else if (strcmp(PQgetvalue(res, 0, 2), "rejected") == 0)
		req_fail(r, 409, "Proposal %s takes no comments: it was rejected.", id);
	else if (strcmp(PQgetvalue(res, 0, 3), "t") != 0)
		req_fail(r, 409, "Proposal %s takes comments from %s to %s (dates in Vietnam).", id, PQgetvalue(res, 0, 4),
			 PQgetvalue(res, 0, 5));
	else
		ok = true;
	PQclear(res);
	return ok;
}

/* POST /v1/public/proposals/{id}/feedback {"name"?, "contact"?, "content"} (no token) */
static int feedback_create(struct req *r)
{
	long long pid;
	json_t *body = NULL;
	struct jvalue v[API_COUNT(feedback_fields)] = {{0}};
	struct db_conn *db;
	char id[24], client[64];
	int rc = -1;
	if (!req_path_id(r, "id", &pid) || !req_json(r, false, &body) ||
	    !jin_decode(body, feedback_fields, API_COUNT(feedback_fields), false, v, &r->err))
		goto out;
	id_text(pid, id);
	rate_client(r->client, client);
	const char *who[] = {client};
	if (!write_begin(r, &db))
		goto out;
	PGresult *res = db_run(db, &sql_feedback_lock, 1, who, NULL, &r->err);
	if (!res)
		goto out;
	PQclear(res);
	if (!open_for_comments(r, db, id) || !within_rate(r, db, client))
		goto out;
	const char *params[] = {id, v[F_NAME].present && !v[F_NAME].is_null ? v[F_NAME].str : NULL,
				v[F_CONTACT].present && !v[F_CONTACT].is_null ? v[F_CONTACT].str : NULL,
				v[F_CONTENT].str, client};
	if (!(res = db_run(db, &sql_feedback_insert, 5, params, &feedback_why, &r->err)))
		goto out;
	/* the notice may have ended since it was checked: checked again under its lock, taken after
	 * the insert, whose foreign key locked the nominee's row (key share) first. Everything that
	 * ends a notice takes them in that order too (a rejection or a decision locks the nominee,
	 * then its update takes the notice lock), so a comment and an ending never wait on each other
	 * in a circle */
	PGresult *lock = db_run(db, &sql_feedback_notice_lock, 1, params, NULL, &r->err); /* $1 the nominee */
	bool locked = lock != NULL;
	PQclear(lock);
	if (!locked || !open_for_comments(r, db, id) || !db_commit(db, &r->err)) {
		PQclear(res);
		goto out;
	}
	r->status = 201;
	db_row_json(r->out, res, 0, receipt_cols, (int)API_COUNT(receipt_cols));
	PQclear(res);
	rc = 0;
out:
	json_decref(body);
	return rc;
}

/* GET /v1/proposals/{id}/feedback: the approving unit's authorities and admins; a read of personal
 * data (contacts), recorded in the audit trail before it is answered */
static int feedback_list(struct req *r)
{
	long long pid;
	struct query q;
	struct page page;
	struct db_conn *db;
	char id[24], after[24], limit[24];
	if (!req_path_id(r, "id", &pid) || !query_parse(r->query, &q, &r->err) ||
	    !page_parse_id(&q, "proposal_feedback", &page, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	id_text(pid, id);
	const char *params[] = {id, id_text(page.has_after ? page.after_id : 0, after), id_text(page.limit + 1, limit)};
	/* a transaction that names the caller: row-level security shows the nominee as to it */
	if (!write_begin(r, &db))
		return -1;
	PGresult *res = db_run(db, &sql_feedback_approver, 1, params, NULL, &r->err);
	if (!res)
		return -1;
	long long approver = PQntuples(res) ? col_num(res, 0, 0) : 0;
	PQclear(res);
	if (!approver)
		return req_fail(r, 404, "Proposal %s does not exist.", id);
	if (!authz_require(r, ACT_APPROVE_AWARDS, approver))
		return -1;
	if (!(res = db_run(db, &sql_feedback_page, 3, params, NULL, &r->err)))
		return -1;
	int n = PQntuples(res) > page.limit ? (int)page.limit : PQntuples(res);
	struct buf ids;
	buf_init(&ids);
	bool recorded = db_int_array(&ids, res, 0, n) ? write_record_read(r, "proposal_feedback", id, ids.data)
				     : app_error_set(&r->err, 503, "The service is short of memory.");
	buf_free(&ids);
	if (!recorded) {
		PQclear(res);
		return -1;
	}
	return respond_page(r, res, "proposal_feedback", &feedback_shape, page.limit);
}

static const struct route routes[] = {
	{"GET", "/v1/public/proposals", public_proposals, ROUTE_PUBLIC | ROUTE_QUERY, NULL},
	{"POST", "/v1/public/proposals/{id}/feedback", feedback_create, ROUTE_PUBLIC | ROUTE_SMALL_BODY, NULL},
	{"GET", "/v1/public/decisions", public_decisions, ROUTE_PUBLIC | ROUTE_QUERY, NULL},
	{"GET", "/v1/public/decisions/{id}", public_decision, ROUTE_PUBLIC, NULL},
	{"GET", "/v1/proposals/{id}/feedback", feedback_list, ROUTE_QUERY | ROUTE_PRIMARY, NULL},
};

/* no fk_fact: proposal_feedback's one foreign key cascades (a nominee deleted takes its comments
 * along), and a comment is written only to a nominee found in notice under the lock of its write */
const struct api_module public_module = {.name = "public", WITH(routes, routes), WITH(stmts, stmts),
	.audit_entity = "proposal_feedback"};
