/* /v1/people — individuals who can be commended (API.md "People"). Readable by every caller;
 * created and changed by officers and authorities inside their subtree, and by admins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define PERSON_COLUMNS \
	"p.id, p.unit_id, p.full_name, p.position, p.active, p.version, p.created_at, p.updated_at"

static const struct db_col person_cols[] = {
	{"id", COL_NUM}, {"unit_id", COL_NUM}, {"full_name", COL_STR}, {"position", COL_STR},
	{"active", COL_BOOL}, {"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_UNIT_ID, C_FULL_NAME, C_POSITION, C_ACTIVE, C_VERSION };
static const struct row_shape person_shape = {"/v1/people", "Person", person_cols, (int)API_COUNT(person_cols),
					      C_ID, C_VERSION};

enum { F_UNIT_ID, F_FULL_NAME, F_POSITION, F_ACTIVE };
static const struct jfield person_fields[] = {
	[F_UNIT_ID] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_FULL_NAME] = {"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL},
	[F_POSITION] = {"position", JF_STRING, JF_NULLABLE, 1, 200, NULL, NULL, NULL},
	[F_ACTIVE] = {"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
	JF_ROW_FIELDS,
};

static const struct db_constraint write_constraints[] = {
	{"people_unit_fkey", "unit_id", "not_found", "unit_id does not name an existing unit", 0},
};
static const struct db_constraint delete_constraints[] = {
	{"people_unit_fkey", "id", "referenced", "the person is still referenced", 0},
	{"initiatives_person_fkey", "id", "referenced", "the person has initiatives", 0},
	{"awards_person_fkey", "id", "referenced", "the person has awards on their record", 0},
};

static const struct db_stmt stmts[] = {
	{"people_get", "SELECT " PERSON_COLUMNS " FROM people p WHERE p.id = $1"},
	{"people_lock", "SELECT " PERSON_COLUMNS " FROM people p WHERE p.id = $1 FOR UPDATE"},
	{"people_insert",
	 "INSERT INTO people AS p (unit_id, full_name, position, active)"
	 " VALUES ($1, normalize($2, NFC), normalize($3, NFC), coalesce($4::boolean, true)) RETURNING " PERSON_COLUMNS},
	{"people_update",
	 "UPDATE people AS p SET unit_id = $2, full_name = normalize($3, NFC), position = normalize($4, NFC),"
	 " active = $5, version = p.version + 1, updated_at = now() WHERE p.id = $1 RETURNING " PERSON_COLUMNS},
	{"people_delete", "DELETE FROM people WHERE id = $1"},
};

/* unit_id with subtree=true: the unit and every unit below it */
static const char list_sql[] =
	"SELECT " PERSON_COLUMNS " FROM people p"
	" WHERE ($1::bigint IS NULL OR p.id > $1)"
	" AND ($2::bigint IS NULL OR ($3 AND p.unit_id IN " SQL_SUBTREE("$2") ") OR (NOT $3 AND p.unit_id = $2))"
	" AND ($4::boolean IS NULL OR p.active = $4)"
	" AND ($5::text IS NULL OR p.search @@ tdkt_search_query($5))"
	" ORDER BY p.id LIMIT $6";

static int people_list(struct req *r)
{
	struct query q;
	struct page page;
	bool has_unit, has_subtree, subtree = false, has_active, active = false;
	long long unit_id = 0;
	const char *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "people", &page, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit_id, &r->err) ||
	    !query_bool(&q, "subtree", &has_subtree, &subtree, &r->err) ||
	    !query_bool(&q, "active", &has_active, &active, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	if (has_subtree && !has_unit)
		return req_fail(r, 400, "Query parameter subtree needs unit_id.");
	char after[24], unit[24], limit[24];
	const char *params[] = {page.has_after ? id_text(page.after_id, after) : NULL,
				has_unit ? id_text(unit_id, unit) : NULL, subtree ? "true" : "false",
				has_active ? (active ? "true" : "false") : NULL, text,
				id_text(page.limit + 1, limit)};
	return respond_list(r, list_sql, 6, params, "people", &person_shape, page.limit);
}

static int people_get(struct req *r)
{
	return respond_get_by_id(r, "people_get", &person_shape);
}

static int people_create(struct req *r)
{
	json_t *body = NULL;
	struct jvalue v[API_COUNT(person_fields)];
	struct db_conn *db;
	char unit[24];
	int rc = -1;
	if (!authz_role_may(r, ACT_WRITE_UNIT_DATA)) {
		req_fail(r, 403, "Your role (%s) may read people but not change them.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) ||
	    !jin_decode(body, person_fields, API_COUNT(person_fields), false, v, &r->err) ||
	    !authz_require_unit_field(r, ACT_WRITE_UNIT_DATA, v[F_UNIT_ID].num, "unit_id") || !write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *params[] = {id_text(v[F_UNIT_ID].num, unit), v[F_FULL_NAME].str, v[F_POSITION].str,
				BOOL_PARAM(v[F_ACTIVE])};
	rc = respond_created(r, "people_insert", 4, params, &person_shape);
out:
	json_decref(body);
	return rc;
}

static int people_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(person_fields)];
	long long id;
	char idbuf[24], unit[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, person_fields, API_COUNT(person_fields), true, v, &r->err) ||
	    !lock_for_write(r, "people_lock", id, &person_shape, ACT_WRITE_UNIT_DATA, C_UNIT_ID, idbuf, &cur))
		goto out;
	DB_EXPLAIN(r->db, write_constraints);
	/* moving a person to another unit needs the right over that unit too */
	if (v[F_UNIT_ID].present && !authz_require_unit_field(r, ACT_WRITE_UNIT_DATA, v[F_UNIT_ID].num, "unit_id"))
		goto out;
	const char *params[] = {
		idbuf,
		v[F_UNIT_ID].present ? id_text(v[F_UNIT_ID].num, unit) : PQgetvalue(cur, 0, C_UNIT_ID),
		v[F_FULL_NAME].present ? v[F_FULL_NAME].str : PQgetvalue(cur, 0, C_FULL_NAME),
		patched_text(&v[F_POSITION], cur, C_POSITION),
		v[F_ACTIVE].present ? BOOL_PARAM(v[F_ACTIVE]) : (PQgetvalue(cur, 0, C_ACTIVE)[0] == 't' ? "true" : "false"),
	};
	rc = respond_updated(r, "people_update", 5, params, &person_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int people_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (req_path_id(r, "id", &id) &&
	    lock_for_write(r, "people_lock", id, &person_shape, ACT_WRITE_UNIT_DATA, C_UNIT_ID, idbuf, &cur)) {
		DB_EXPLAIN(r->db, delete_constraints);
		rc = respond_deleted(r, "people_delete", idbuf);
	}
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/people", people_list, 0},
	{"POST", "/v1/people", people_create, 0},
	{"GET", "/v1/people/{id}", people_get, 0},
	{"PATCH", "/v1/people/{id}", people_patch, 0},
	{"DELETE", "/v1/people/{id}", people_delete, 0},
};

const struct api_module people_module = {"people", routes, API_COUNT(routes), stmts, API_COUNT(stmts)};
