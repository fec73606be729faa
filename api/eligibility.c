/* GET /v1/eligibility?award_kind_code=&recipient_unit_id=|recipient_person_id=&year=&on= (API.md
 * "Award kinds"): the version of the kind's rules in force on `on` (today by default) evaluated
 * for one recipient and a proposal's year, without a proposal (portals check before nominating).
 * The facts are read in a fixed number of indexed queries whatever the length of the record —
 * the recipient's awards, ratings, recognised initiatives; a person's disciplines when the caller
 * may read them (a read of personal data, recorded); a unit's cluster leadership and its people's
 * titles and ratings that year — and the tree is evaluated over them (api/eligibility_eval.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/award_kinds.h"
#include "api/eligibility.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/query.h"

/* $1 the recipient unit, $2 the recipient person (one of them null: "x = $1 OR y = $2" is two
 * index scans, the null one finding nothing) */
DB_STMT(eligibility_recipient, "SELECT CASE WHEN $2::bigint IS NULL THEN (SELECT id FROM units WHERE id = $1::bigint)"
	" ELSE (SELECT unit_id FROM people WHERE id = $2::bigint) END, (SELECT recipient FROM award_kinds WHERE code = $3)");
DB_STMT(eligibility_awards, "SELECT a.id, a.award_kind_code, k.category, a.award_type, a.year,"
	" coalesce(a.period_from, a.year), coalesce(a.period_to, a.year) FROM awards a"
	" JOIN award_kinds k ON k.code = a.award_kind_code"
	" WHERE (a.recipient_unit_id = $1::bigint OR a.recipient_person_id = $2::bigint) AND a.revoked_on IS NULL"
	" ORDER BY a.year, a.id");
DB_STMT(eligibility_ratings, "SELECT id, year, rating FROM ratings"
	" WHERE unit_id = $1::bigint OR person_id = $2::bigint ORDER BY year, id");
/* a unit's own initiatives (not its people's: those are theirs), or a person's */
DB_STMT(eligibility_initiatives, "SELECT id, year, recognized_scope FROM initiatives WHERE status = 'recognized'"
	" AND ((unit_id = $1::bigint AND person_id IS NULL) OR person_id = $2::bigint) ORDER BY year, id");
DB_STMT(eligibility_disciplines, "SELECT id, level, effective_from::text, effective_to::text, pending FROM disciplines"
	" WHERE person_id = $1 ORDER BY id");
DB_STMT(eligibility_leads, "SELECT cluster_id, year, role FROM cluster_members WHERE unit_id = $1 AND role IN ('leader', 'deputy')");
/* a unit's active people that year: how many, and how many hold each kind, have each rating */
DB_STMT(eligibility_members, "SELECT 'members', count(*) FROM people WHERE unit_id = $1 AND active"
	" UNION ALL SELECT 'kind:' || a.award_kind_code, count(DISTINCT p.id) FROM people p"
	" JOIN awards a ON a.recipient_person_id = p.id AND a.year = $2 AND a.award_type NOT IN ('ad_hoc', 'campaign')"
	" AND a.revoked_on IS NULL"
	" WHERE p.unit_id = $1 AND p.active GROUP BY a.award_kind_code"
	" UNION ALL SELECT 'rating:' || r.rating, count(*) FROM people p JOIN ratings r ON r.person_id = p.id AND r.year = $2"
	" WHERE p.unit_id = $1 AND p.active GROUP BY r.rating");
/* a check is a handful of index lookups: parallel workers (which a generic plan of the members'
 * query chose on a large awards table) only add processes that fight the others for the cores */
DB_STMT(eligibility_serial, "SELECT set_config('max_parallel_workers_per_gather', '0', true)");
static const struct db_stmt *const stmts[] = {&sql_eligibility_serial, &sql_eligibility_recipient, &sql_eligibility_awards, &sql_eligibility_ratings,
					      &sql_eligibility_initiatives, &sql_eligibility_disciplines, &sql_eligibility_leads,
					      &sql_eligibility_members};

/* the facts, and the results they are borrowed from */
struct facts_read {
	struct elig_facts f;
	PGresult *res[5];
	struct elig_award *awards;
	struct elig_rating *ratings;
	struct elig_initiative *initiatives;
	struct elig_discipline *disciplines;
	struct elig_lead *leads;
	struct elig_count *titles, *rated;
	bool personal_read;         /* disciplines read, and the read recorded */
};

static void facts_free(struct facts_read *fr)
{
	for (int i = 0; i < 5; i++)
		PQclear(fr->res[i]);
	void *owned[] = {fr->awards, fr->ratings, fr->initiatives, fr->disciplines, fr->leads, fr->titles, fr->rated};
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
}

static long long num(PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static bool read_facts(struct req *r, struct db_conn *db, const char *const *who, long long unit, bool person,
		       bool personal, struct facts_read *fr)
{
	struct elig_facts *f = &fr->f;
	PGresult *res;
	if (!(res = fr->res[0] = db_run(db, &sql_eligibility_awards, 2, who, NULL, &r->err)))
		return false;
	f->nawards = PQntuples(res);
	fr->awards = calloc((size_t)f->nawards + 1, sizeof *fr->awards);
	for (int i = 0; fr->awards && i < f->nawards; i++)
		fr->awards[i] = (struct elig_award){num(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
						    (int)num(res, i, 4), (int)num(res, i, 5), (int)num(res, i, 6)};
	if (!(res = fr->res[1] = db_run(db, &sql_eligibility_ratings, 2, who, NULL, &r->err)))
		return false;
	f->nratings = PQntuples(res);
	fr->ratings = calloc((size_t)f->nratings + 1, sizeof *fr->ratings);
	for (int i = 0; fr->ratings && i < f->nratings; i++)
		fr->ratings[i] = (struct elig_rating){num(res, i, 0), (int)num(res, i, 1), elig_rating_rank(PQgetvalue(res, i, 2))};
	if (!(res = fr->res[2] = db_run(db, &sql_eligibility_initiatives, 2, who, NULL, &r->err)))
		return false;
	f->ninitiatives = PQntuples(res);
	fr->initiatives = calloc((size_t)f->ninitiatives + 1, sizeof *fr->initiatives);
	for (int i = 0; fr->initiatives && i < f->ninitiatives; i++)
		fr->initiatives[i] = (struct elig_initiative){num(res, i, 0), (int)num(res, i, 1),
							      PQgetisnull(res, i, 2) ? -1 : elig_scope_rank(PQgetvalue(res, i, 2))};
	char unit_text[24], year[24];
	const char *unit_params[] = {id_text(unit, unit_text), id_text(f->year, year)};
	if (person) {
		/* personal data: read only by who may read it (the caller's transaction names it for
		 * row-level security too), and the read recorded */
		bool may_read;
		if (!authz_may(r, ACT_DISCIPLINE, unit, &may_read))
			return false;
		f->disciplines_visible = personal && may_read;
		if (f->disciplines_visible) {
			if (!(res = fr->res[3] = db_run(db, &sql_eligibility_disciplines, 1, &who[1], NULL, &r->err)))
				return false;
			f->ndisciplines = PQntuples(res);
			fr->disciplines = calloc((size_t)f->ndisciplines + 1, sizeof *fr->disciplines);
			for (int i = 0; fr->disciplines && i < f->ndisciplines; i++)
				fr->disciplines[i] = (struct elig_discipline){
					num(res, i, 0), elig_level_rank(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2),
					PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3), PQgetvalue(res, i, 4)[0] == 't'};
			/* recorded in the caller's transaction: GET /v1/eligibility commits it before it
			 * answers; an approval, with its own write */
			struct buf ids;
			buf_init(&ids);
			bool recorded = db_int_array(&ids, res, 0, f->ndisciplines) && write_note_read(r, "discipline", NULL, ids.data);
			buf_free(&ids);
			if (!recorded)
				return r->err.status ? false : app_error_set(&r->err, 503, "The service is short of memory.");
			fr->personal_read = true;
		}
	} else {
		if (!(res = fr->res[3] = db_run(db, &sql_eligibility_leads, 1, unit_params, NULL, &r->err)))
			return false;
		f->nleads = PQntuples(res);
		fr->leads = calloc((size_t)f->nleads + 1, sizeof *fr->leads);
		for (int i = 0; fr->leads && i < f->nleads; i++)
			fr->leads[i] = (struct elig_lead){num(res, i, 0), (int)num(res, i, 1), PQgetvalue(res, i, 2)};
		if (!(res = fr->res[4] = db_run(db, &sql_eligibility_members, 2, unit_params, NULL, &r->err)))
			return false;
		int n = PQntuples(res);
		fr->titles = calloc((size_t)n + 1, sizeof *fr->titles);
		fr->rated = calloc((size_t)n + 1, sizeof *fr->rated);
		for (int i = 0; fr->titles && fr->rated && i < n; i++) {
			const char *key = PQgetvalue(res, i, 0);
			int count = (int)num(res, i, 1);
			if (strcmp(key, "members") == 0)
				f->members = count;
			else if (strncmp(key, "kind:", 5) == 0)
				fr->titles[f->nmember_titles++] = (struct elig_count){key + 5, count};
			else
				fr->rated[f->nmember_ratings++] = (struct elig_count){key + 7, count};
		}
	}
	if (!fr->awards || !fr->ratings || !fr->initiatives || (person && f->disciplines_visible && !fr->disciplines) ||
	    (!person && (!fr->leads || !fr->titles || !fr->rated)))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	f->awards = fr->awards;
	f->ratings = fr->ratings;
	f->initiatives = fr->initiatives;
	f->disciplines = fr->disciplines;
	f->leads = fr->leads;
	f->member_titles = fr->titles;
	f->member_ratings = fr->rated;
	return true;
}

bool eligibility_answer(struct req *r, struct db_conn *db, const struct eligibility_ask *ask, struct buf *out,
			enum tri *eligible)
{
	struct facts_read fr = {0};
	json_t *rules = NULL, *version = NULL;
	char day[11], u[24], p[24];
	bool has_unit = ask->unit_id != 0, ok = false;
	const char *kind = ask->kind;
	const char *who[] = {has_unit ? id_text(ask->unit_id, u) : NULL, has_unit ? NULL : id_text(ask->person_id, p), kind};
	*eligible = TRI_NULL;
	PGresult *serial = db_run(db, &sql_eligibility_serial, 0, NULL, NULL, &r->err);
	if (!serial)
		return false;
	PQclear(serial);
	PGresult *rec = db_run(db, &sql_eligibility_recipient, 3, who, NULL, &r->err);
	if (!rec)
		return false;
	bool found = !PQgetisnull(rec, 0, 0), kind_known = !PQgetisnull(rec, 0, 1);
	long long record_unit = found ? num(rec, 0, 0) : 0;
	const char *fits = kind_known ? PQgetvalue(rec, 0, 1) : "";
	bool fits_recipient = strcmp(fits, "any") == 0 || strcmp(fits, has_unit ? "collective" : "individual") == 0;
	PQclear(rec);
	if (!kind_known)
		return app_error_set(&r->err, 404, "Award kind %s does not exist.", kind);
	if (!found)
		return app_error_set(&r->err, 404, "%s %lld does not exist.", has_unit ? "Unit" : "Person",
				     has_unit ? ask->unit_id : ask->person_id);
	if (!fits_recipient)
		return app_error_set(&r->err, 422, "%s is not awarded to %s.", kind, has_unit ? "collectives" : "individuals");
	if (!award_kinds_rules_on(r, db, kind, ask->on, &rules, &version, day))
		goto out;
	fr.f = (struct elig_facts){.collective = has_unit, .year = (int)ask->year, .kind = kind,
				   .for_proposal = ask->for_proposal, .notices = ask->notices, .nnotices = ask->nnotices};
	bool read = version && read_facts(r, db, who, record_unit, !has_unit, ask->personal, &fr);
	if (ask->personal_read)
		*ask->personal_read = fr.personal_read;
	if (version && !read)
		goto out;
	struct buf checks;
	buf_init(&checks);
	if (version)
		*eligible = elig_evaluate(json_object_get(version, "expr"), &fr.f,
					  json_string_value(json_object_get(version, "legal_basis")), &checks);
	buf_puts(out, "{\"award_kind_code\":");
	buf_json_cstr(out, kind);
	BUF_CAT(out, ",\"recipient_unit_id\":", has_unit ? u : "null", ",\"recipient_person_id\":", has_unit ? "null" : p);
	buf_printf(out, ",\"year\":%lld,\"on\":\"%s\",\"eligible\":%s,\"rules_version\":", ask->year, day,
		   *eligible == TRI_TRUE ? "true" : *eligible == TRI_FALSE ? "false" : "null");
	if (version) {
		buf_puts(out, "{\"effective_from\":");
		buf_json_cstr(out, json_string_value(json_object_get(version, "effective_from")));
		buf_puts(out, ",\"effective_to\":");
		buf_json_cstr(out, json_string_value(json_object_get(version, "effective_to")));
		buf_puts(out, ",\"legal_basis\":");
		buf_json_cstr(out, json_string_value(json_object_get(version, "legal_basis")));
		BUF_CAT(out, ",\"source_checked\":", json_is_true(json_object_get(version, "source_checked")) ? "true" : "false",
			"}");
	} else {
		buf_puts(out, "null");
	}
	BUF_CAT(out, ",\"checks\":[", checks.data ? checks.data : "", "]}");
	buf_free(&checks);
	ok = true;
out:
	facts_free(&fr);
	json_decref(rules);
	return ok;
}

static int eligibility(struct req *r)
{
	struct query q;
	const char *kind, *on;
	long long unit_id = 0, person_id = 0, year = 0;
	bool has_unit, has_person, has_year;
	if (!query_parse(r->query, &q, &r->err) || !query_str(&q, "award_kind_code", 48, &kind, &r->err) ||
	    !query_id(&q, "recipient_unit_id", &has_unit, &unit_id, &r->err) ||
	    !query_id(&q, "recipient_person_id", &has_person, &person_id, &r->err) ||
	    !query_int(&q, "year", 1945, 2100, &has_year, &year, &r->err) || !query_date(&q, "on", &on, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	if (!kind || !snake_code_ok(kind, strlen(kind)))
		return req_fail(r, 400, "award_kind_code, an award kind's code, is required.");
	if (has_unit == has_person)
		return req_fail(r, 400, "Name exactly one of recipient_unit_id and recipient_person_id.");
	if (!has_year)
		return req_fail(r, 400, "year, the proposal's year, is required.");
	struct db_conn *db;
	/* a transaction that names the caller: row-level security reads it (disciplines) */
	if (!write_begin(r, &db))
		return -1;
	struct eligibility_ask ask = {.kind = kind, .unit_id = has_unit ? unit_id : 0, .person_id = has_unit ? 0 : person_id,
				      .year = year, .on = on, .personal = true};
	enum tri eligible;
	/* a read of personal data that cannot be recorded is not answered */
	return eligibility_answer(r, db, &ask, r->out, &eligible) && db_commit(db, &r->err) ? 0 : -1;
}

static const struct route routes[] = {
	{"GET", "/v1/eligibility", eligibility, ROUTE_QUERY | ROUTE_PRIMARY, NULL},
};

const struct api_module eligibility_module = {.name = "eligibility", WITH(routes, routes), WITH(stmts, stmts)};
