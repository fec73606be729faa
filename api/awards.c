/* /v1/awards — the award record (API.md "Awards"): one granted award per row, on a unit
 * (collective) or a person (individual), with its own lists on /v1/units/{id}/awards and
 * /v1/people/{id}/awards. Everyone authenticated reads it (awards are never drafts). Awards a
 * decision grants arrive with the decision; POST records one granted before the system
 * (source "history"), by an authority over the recipient's unit or an admin, so that eligibility
 * has the years before. Only history records may be corrected or deleted; a decision's awards
 * change with the decision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define AWARD_COLUMNS                                                                                         \
	"a.id, a.award_kind_code, k.name, a.year, a.recipient_unit_id, a.recipient_person_id, a.decision_id," \
	" a.decision_number, a.decided_on, a.issuing_unit_id, a.source, a.version, a.created_at, a.updated_at"
#define AWARD_FROM " FROM awards a JOIN award_kinds k ON k.code = a.award_kind_code"
/* the unit whose record it is: the recipient unit, or the recipient person's unit */
#define AWARD_RECORD_UNIT \
	"coalesce(a.recipient_unit_id, (SELECT p.unit_id FROM people p WHERE p.id = a.recipient_person_id))"

static const struct db_col award_cols[] = {
	{"id", COL_NUM}, {"award_kind_code", COL_STR}, {"award_kind_name", COL_STR}, {"year", COL_NUM},
	{"recipient_unit_id", COL_NUM}, {"recipient_person_id", COL_NUM}, {"decision_id", COL_NUM},
	{"decision_number", COL_STR}, {"decided_on", COL_STR}, {"issuing_unit_id", COL_NUM}, {"source", COL_STR},
	{"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_KIND, C_KIND_NAME, C_YEAR, C_UNIT, C_PERSON, C_DECISION_ID, C_NUMBER, C_DECIDED_ON, C_ISSUER,
       C_SOURCE, C_VERSION, C_CREATED_AT, C_UPDATED_AT, C_RECORD_UNIT /* lock statement only */ };
static const struct row_shape award_shape = {"/v1/awards", "Award", award_cols, (int)API_COUNT(award_cols), C_ID,
					     C_VERSION};

static const char *const sources[] = {"decision", "history", NULL};

#define AWARD_YEAR_MIN 1945
#define AWARD_YEAR_MAX 2100

enum { F_KIND, F_YEAR, F_UNIT, F_PERSON, F_NUMBER, F_DECIDED_ON, F_ISSUER };
#define AWARD_FIELDS(recipient_flags)                                                                        \
	[F_KIND] = {"award_kind_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}, \
	[F_YEAR] = {"year", JF_INT, JF_REQUIRED, AWARD_YEAR_MIN, AWARD_YEAR_MAX, NULL, NULL, NULL},          \
	[F_UNIT] = {"recipient_unit_id", JF_ID, recipient_flags, 0, 0, NULL, NULL, NULL},                    \
	[F_PERSON] = {"recipient_person_id", JF_ID, recipient_flags, 0, 0, NULL, NULL, NULL},                \
	[F_NUMBER] = {"decision_number", JF_STRING, JF_NULLABLE, 1, 64, NULL, NULL, NULL},                   \
	[F_DECIDED_ON] = {"decided_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},                       \
	[F_ISSUER] = {"issuing_unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL},                        \
	JF_RO("award_kind_name"),                                                                            \
	JF_RO("decision_id"),                                                                                \
	JF_RO("source"),                                                                                     \
	JF_ROW_FIELDS
static const struct jfield create_fields[] = {AWARD_FIELDS(JF_NULLABLE)};
/* another recipient is another award: delete this one and record that one */
static const struct jfield patch_fields[] = {AWARD_FIELDS(JF_READONLY)};

static const struct db_constraint write_constraints[] = {
	{"awards_once", "award_kind_code", "duplicate",
	 "the recipient already has this award for this year from this decision", 409},
	{"awards_kind_fkey", "award_kind_code", "not_found", "award_kind_code names no award kind", 0},
	{"awards_unit_fkey", "recipient_unit_id", "not_found", "recipient_unit_id does not name an existing unit", 0},
	{"awards_person_fkey", "recipient_person_id", "not_found", "recipient_person_id does not name an existing person", 0},
	{"awards_issuing_unit_fkey", "issuing_unit_id", "not_found", "issuing_unit_id does not name an existing unit", 0},
};

/* A record's page with no filter but the cursor: prepared, as eligibility and the apps read it
 * most ($2: the last id seen, 0 for the first page). */
#define RECORD_SQL(recipient_col)                                                                   \
	"SELECT " AWARD_COLUMNS AWARD_FROM " WHERE a." recipient_col " = $1 AND a.id > $2 ORDER BY a.id" \
	" LIMIT $3"

static const struct db_stmt stmts[] = {
	{"awards_get", "SELECT " AWARD_COLUMNS AWARD_FROM " WHERE a.id = $1"},
	{"awards_lock", "SELECT " AWARD_COLUMNS ", " AWARD_RECORD_UNIT AWARD_FROM " WHERE a.id = $1 FOR UPDATE OF a"},
	/* what a new or changed award must agree with: the kind's recipient, the person's unit */
	{"awards_recipient",
	 "SELECT (SELECT recipient FROM award_kinds WHERE code = $1),"
	 " (SELECT unit_id FROM people WHERE id = $2)"},
	{"awards_insert",
	 "WITH a AS (INSERT INTO awards (award_kind_code, year, recipient_unit_id, recipient_person_id,"
	 " decision_number, decided_on, issuing_unit_id, source)"
	 " VALUES ($1, $2, $3, $4, normalize($5, NFC), $6, $7, 'history') RETURNING *)"
	 " SELECT " AWARD_COLUMNS " FROM a JOIN award_kinds k ON k.code = a.award_kind_code"},
	{"awards_update",
	 "WITH a AS (UPDATE awards SET award_kind_code = $2, year = $3, decision_number = normalize($4, NFC),"
	 " decided_on = $5, issuing_unit_id = $6, version = version + 1, updated_at = now() WHERE id = $1"
	 " RETURNING *)"
	 " SELECT " AWARD_COLUMNS " FROM a JOIN award_kinds k ON k.code = a.award_kind_code"},
	{"awards_delete", "DELETE FROM awards WHERE id = $1"},
	{"awards_person_exists", "SELECT 1 FROM people WHERE id = $1"},
	{"awards_of_person", RECORD_SQL("recipient_person_id")},
	{"awards_of_unit", RECORD_SQL("recipient_unit_id")},
};

/* Every filter optional: $1 the last id seen, $2/$3 the recipient unit or person (from the query, or
 * fixed by a record's path when it also has filters), $4-$7 the other filters, $8 the limit. */
static const char list_sql[] =
	"SELECT " AWARD_COLUMNS AWARD_FROM
	" WHERE ($1::bigint IS NULL OR a.id > $1)"
	" AND ($2::bigint IS NULL OR a.recipient_unit_id = $2)"
	" AND ($3::bigint IS NULL OR a.recipient_person_id = $3)"
	" AND ($4::integer IS NULL OR a.year = $4)"
	" AND ($5::text IS NULL OR a.award_kind_code = $5)"
	" AND ($6::bigint IS NULL OR a.issuing_unit_id = $6)"
	" AND ($7::text IS NULL OR a.source = $7)"
	" ORDER BY a.id LIMIT $8";

/* false with a 404 when the unit or person of a record does not exist */
static bool recipient_exists(struct req *r, int recipient, const char *id)
{
	/* the unit check is authz's own statement */
	const char *params[] = {id};
	PGresult *res = db_prepared(r->db, recipient == F_UNIT ? "authz_unit_exists" : "awards_person_exists", 1,
				    params, &r->err);
	if (!res)
		return false;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	return exists || app_error_set(&r->err, 404, "%s %s does not exist.", recipient == F_UNIT ? "Unit" : "Person", id);
}

/* recipient: which of the two recipient filters the path fixes (F_UNIT, F_PERSON), or -1 */
static int list_awards(struct req *r, int recipient, long long recipient_id)
{
	struct query q;
	struct page page;
	bool has_unit = false, has_person = false, has_year, has_issuer;
	long long unit = 0, person = 0, year = 0, issuer = 0;
	const char *kind, *source;
	struct db_conn *db;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "awards", &page, &r->err) ||
	    (recipient < 0 && (!query_id(&q, "recipient_unit_id", &has_unit, &unit, &r->err) ||
			       !query_id(&q, "recipient_person_id", &has_person, &person, &r->err))) ||
	    !query_int(&q, "year", AWARD_YEAR_MIN, AWARD_YEAR_MAX, &has_year, &year, &r->err) ||
	    !query_str(&q, "award_kind_code", 48, &kind, &r->err) ||
	    !query_id(&q, "issuing_unit_id", &has_issuer, &issuer, &r->err) ||
	    !query_enum(&q, "source", sources, &source, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (kind && !snake_code_ok(kind, strlen(kind)))
		return req_fail(r, 400, "Query parameter award_kind_code %s.", SNAKE_CODE_DESC);
	if (!req_db(r, &db))
		return -1;
	char after[24], rbuf[24], ubuf[24], pbuf[24], ybuf[24], ibuf[24], limit[24];
	PGresult *res;
	if (recipient >= 0 && !has_year && !kind && !has_issuer && !source) {
		const char *params[] = {id_text(recipient_id, rbuf), id_text(page.has_after ? page.after_id : 0, after),
					id_text(page.limit + 1, limit)};
		res = db_prepared(db, recipient == F_UNIT ? "awards_of_unit" : "awards_of_person", 3, params, &r->err);
	} else {
		if (recipient == F_UNIT) {
			has_unit = true;
			unit = recipient_id;
		} else if (recipient == F_PERSON) {
			has_person = true;
			person = recipient_id;
		}
		const char *params[] = {page.has_after ? id_text(page.after_id, after) : NULL,
					has_unit ? id_text(unit, ubuf) : NULL,
					has_person ? id_text(person, pbuf) : NULL,
					has_year ? id_text(year, ybuf) : NULL,
					kind,
					has_issuer ? id_text(issuer, ibuf) : NULL,
					source,
					id_text(page.limit + 1, limit)};
		res = db_query(db, list_sql, 8, params, &r->err);
	}
	if (!res)
		return -1;
	/* an empty page of a record asks whether its recipient exists (404): one query, not two, for a
	 * record that has awards */
	if (recipient >= 0 && PQntuples(res) == 0 && !recipient_exists(r, recipient, id_text(recipient_id, rbuf))) {
		PQclear(res);
		return -1;
	}
	return respond_page(r, res, "awards", &award_shape, page.limit);
}

static int awards_list(struct req *r)
{
	return list_awards(r, -1, 0);
}

/* GET /v1/units/{id}/awards and /v1/people/{id}/awards */
static int record_of(struct req *r, int recipient)
{
	long long id;
	if (!req_path_id(r, "id", &id))
		return -1;
	return list_awards(r, recipient, id);
}

static int unit_awards(struct req *r)
{
	return record_of(r, F_UNIT);
}

static int person_awards(struct req *r)
{
	return record_of(r, F_PERSON);
}

static int awards_get(struct req *r)
{
	return respond_get_by_id(r, "awards_get", &award_shape);
}

/* The rules a write checks before the database's own: a kind that exists and fits the recipient,
 * a decision date not before the award's year. For a person, *record_unit gets the person's unit
 * (0 when the person does not exist: the caller's 422). */
static bool check_award(struct req *r, const char *kind, long long year, const char *decided_on, bool individual,
			long long person, long long *record_unit)
{
	char pbuf[24];
	const char *params[] = {kind, person ? id_text(person, pbuf) : NULL};
	PGresult *res = db_prepared(r->db, "awards_recipient", 2, params, &r->err);
	if (!res)
		return false;
	if (PQgetisnull(res, 0, 0)) {
		app_error_field(&r->err, "award_kind_code", "not_found", "award_kind_code names no award kind");
	} else {
		const char *fits = PQgetvalue(res, 0, 0);
		if (strcmp(fits, "individual") == 0 && !individual)
			app_error_field(&r->err, "recipient_unit_id", "recipient_kind",
					"%s is awarded to individuals: name recipient_person_id", kind);
		else if (strcmp(fits, "collective") == 0 && individual)
			app_error_field(&r->err, "recipient_person_id", "recipient_kind",
					"%s is awarded to collectives: name recipient_unit_id", kind);
	}
	if (person) {
		if (PQgetisnull(res, 0, 1))
			app_error_field(&r->err, "recipient_person_id", "not_found",
					"recipient_person_id does not name an existing person");
		else
			*record_unit = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	if (decided_on && strtoll(decided_on, NULL, 10) < year)
		app_error_field(&r->err, "decided_on", "before_year", "decided_on is before the award's year %lld", year);
	return r->err.nfields == 0;
}

static int awards_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(create_fields)];
	struct db_conn *db;
	char ubuf[24], pbuf[24], ybuf[24], ibuf[24];
	int rc = -1;
	if (!authz_role_may(r, ACT_RECORD_AWARDS)) {
		req_fail(r, 403, "Your role (%s) may read the award record but not add to it.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) || !jin_decode(body, create_fields, API_COUNT(create_fields), false, v, &r->err))
		goto out;
	bool to_unit = v[F_UNIT].present && !v[F_UNIT].is_null, to_person = v[F_PERSON].present && !v[F_PERSON].is_null;
	if (to_unit == to_person) {
		app_error_field(&r->err, to_unit ? "recipient_person_id" : "recipient_unit_id", "one_recipient",
				"name exactly one of recipient_unit_id and recipient_person_id");
		goto out;
	}
	long long record_unit = to_unit ? v[F_UNIT].num : 0;
	if (!write_begin(r, &db) ||
	    !check_award(r, v[F_KIND].str, v[F_YEAR].num, v[F_DECIDED_ON].str, to_person, to_person ? v[F_PERSON].num : 0,
			 &record_unit) ||
	    !authz_require_unit_field(r, ACT_RECORD_AWARDS, record_unit, to_unit ? "recipient_unit_id" : "recipient_person_id"))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *params[] = {v[F_KIND].str,
				id_text(v[F_YEAR].num, ybuf),
				to_unit ? id_text(v[F_UNIT].num, ubuf) : NULL,
				to_person ? id_text(v[F_PERSON].num, pbuf) : NULL,
				v[F_NUMBER].str,
				v[F_DECIDED_ON].str,
				v[F_ISSUER].present && !v[F_ISSUER].is_null ? id_text(v[F_ISSUER].num, ibuf) : NULL};
	rc = respond_created(r, "awards_insert", 7, params, &award_shape);
out:
	json_decref(body);
	return rc;
}

/* Locks an award for a change: 404, 403 (authority over the record's unit), If-Match, and 409 for
 * an award a decision granted. *cur is new. */
static bool lock_history(struct req *r, long long id, char idbuf[24], PGresult **cur)
{
	if (!authz_role_may(r, ACT_RECORD_AWARDS))
		return app_error_set(&r->err, 403, "Your role (%s) may read the award record but not change it.",
				     role_name(r->caller.role));
	if (!lock_for_write(r, "awards_lock", id, &award_shape, ACT_RECORD_AWARDS, C_RECORD_UNIT, idbuf, cur))
		return false;
	if (strcmp(PQgetvalue(*cur, 0, C_SOURCE), "history") == 0)
		return true;
	app_error_set(&r->err, 409, "Award %lld was granted by decision %s; it changes only with its decision.", id,
		      PQgetisnull(*cur, 0, C_NUMBER) ? PQgetvalue(*cur, 0, C_DECISION_ID) : PQgetvalue(*cur, 0, C_NUMBER));
	PQclear(*cur);
	*cur = NULL;
	return false;
}

static int awards_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(patch_fields)];
	long long id;
	char idbuf[24], ybuf[24], ibuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, patch_fields, API_COUNT(patch_fields), true, v, &r->err) || !lock_history(r, id, idbuf, &cur))
		goto out;
	const char *kind = v[F_KIND].present ? v[F_KIND].str : PQgetvalue(cur, 0, C_KIND);
	long long year = v[F_YEAR].present ? v[F_YEAR].num : strtoll(PQgetvalue(cur, 0, C_YEAR), NULL, 10);
	const char *decided_on = patched_text(&v[F_DECIDED_ON], cur, C_DECIDED_ON);
	long long unused;
	if (!check_award(r, kind, year, decided_on, PQgetisnull(cur, 0, C_UNIT), 0, &unused))
		goto out;
	DB_EXPLAIN(r->db, write_constraints);
	const char *params[] = {
		idbuf,
		kind,
		id_text(year, ybuf),
		patched_text(&v[F_NUMBER], cur, C_NUMBER),
		decided_on,
		v[F_ISSUER].present ? (v[F_ISSUER].is_null ? NULL : id_text(v[F_ISSUER].num, ibuf))
				    : (PQgetisnull(cur, 0, C_ISSUER) ? NULL : PQgetvalue(cur, 0, C_ISSUER)),
	};
	rc = respond_updated(r, "awards_update", 6, params, &award_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int awards_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (req_path_id(r, "id", &id) && lock_history(r, id, idbuf, &cur))
		rc = respond_deleted(r, "awards_delete", idbuf);
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/awards", awards_list, 0, NULL},
	{"POST", "/v1/awards", awards_create, 0, NULL},
	{"GET", "/v1/awards/{id}", awards_get, 0, NULL},
	{"PATCH", "/v1/awards/{id}", awards_patch, 0, NULL},
	{"DELETE", "/v1/awards/{id}", awards_delete, 0, NULL},
	{"GET", "/v1/units/{id}/awards", unit_awards, 0, NULL},
	{"GET", "/v1/people/{id}/awards", person_awards, 0, NULL},
};

static const struct fk_fact facts[] = {
	{"awards_person_fkey", "recipient_person_id", "recipient_person_id does not name an existing person",
	 "the person has awards on their record"},
	{"awards_unit_fkey", "recipient_unit_id", "recipient_unit_id does not name an existing unit",
	 "the unit has awards on its record"},
	{"awards_issuing_unit_fkey", "issuing_unit_id", "issuing_unit_id does not name an existing unit",
	 "the unit issued awards"},
	{"awards_kind_fkey", "award_kind_code", "award_kind_code names no award kind", "awards of this kind are on record"},
};

const struct api_module awards_module = {.name = "awards", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts), .facts = facts,
					 .nfacts = API_COUNT(facts)};
