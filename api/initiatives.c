/* /v1/initiatives — models and initiatives units register in a campaign and authorities
 * recognise (API.md "Initiatives"), created by POST /v1/campaigns/{id}/initiatives; and
 * /v1/stats/initiatives, their counts by field, status or level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define INITIATIVE_COLUMNS                                                                                \
	"i.id, i.campaign_id, i.unit_id, i.person_id, i.title, i.field, i.year, i.description, i.status," \
	" i.recognized_level, i.recognized_on, i.recognized_by_unit_id, i.version, i.created_at, i.updated_at"

static const struct db_col initiative_cols[] = {
	{"id", COL_NUM}, {"campaign_id", COL_NUM}, {"unit_id", COL_NUM}, {"person_id", COL_NUM}, {"title", COL_STR},
	{"field", COL_STR}, {"year", COL_NUM}, {"description", COL_STR}, {"status", COL_STR},
	{"recognized_level", COL_STR}, {"recognized_on", COL_STR}, {"recognized_by_unit_id", COL_NUM},
	{"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_CAMPAIGN, C_UNIT, C_PERSON, C_TITLE, C_FIELD, C_YEAR, C_DESCRIPTION, C_STATUS, C_LEVEL, C_ON,
       C_BY, C_VERSION };
static const struct row_shape initiative_shape = {"/v1/initiatives", "Initiative", initiative_cols,
						  (int)API_COUNT(initiative_cols), C_ID, C_VERSION};

static const char *const fields_of_work[] = {"new_rural_development", "administrative_reform",
	"front_and_mass_organizations", "party_and_government_building", "economy", "culture_society",
	"defense_security", "other", NULL};
static const char *const statuses[] = {"registered", "recognized", "not_recognized", NULL};
static const char *const levels[] = {"grassroots", "district", "province", "national", NULL};
static const char *const groupings[] = {"field", "status", "level", NULL};

enum { F_UNIT, F_PERSON, F_TITLE, F_FIELD, F_YEAR, F_DESCRIPTION };
#define READ_ONLY                       \
	JF_RO("campaign_id"),           \
	JF_RO("status"),                \
	JF_RO("recognized_level"),      \
	JF_RO("recognized_on"),         \
	JF_RO("recognized_by_unit_id"), \
	JF_ROW_FIELDS
static const struct jfield initiative_fields[] = {
	[F_UNIT] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_PERSON] = {"person_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	[F_TITLE] = {"title", JF_STRING, JF_REQUIRED, 1, 300, NULL, NULL, NULL},
	[F_FIELD] = {"field", JF_ENUM, JF_REQUIRED, 0, 0, fields_of_work, NULL, NULL},
	[F_YEAR] = {"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL},
	[F_DESCRIPTION] = {"description", JF_TEXT, JF_NULLABLE, 0, 4000, NULL, NULL, NULL},
	READ_ONLY,
};
/* recognition: {"level", "recognized_on"} or {"recognized": false} */
enum { R_LEVEL, R_ON, R_RECOGNIZED };
static const struct jfield recognize_fields[] = {
	[R_LEVEL] = {"level", JF_ENUM, 0, 0, 0, levels, NULL, NULL},
	[R_ON] = {"recognized_on", JF_DATE, 0, 0, 0, NULL, NULL, NULL},
	[R_RECOGNIZED] = {"recognized", JF_BOOL, 0, 0, 0, NULL, NULL, NULL},
};

static const struct db_constraint write_constraints[] = {
	{"initiatives_unit_fkey", "unit_id", "not_found", "unit_id does not name an existing unit", 0},
	{"initiatives_person_fkey", "person_id", "not_found", "person_id does not name an existing person", 0},
};

static const struct db_stmt stmts[] = {
	{"initiatives_get", "SELECT " INITIATIVE_COLUMNS " FROM initiatives i WHERE i.id = $1"},
	{"initiatives_lock", "SELECT " INITIATIVE_COLUMNS " FROM initiatives i WHERE i.id = $1 FOR UPDATE"},
	{"initiatives_campaign",
	 "SELECT c.status, extract(year FROM c.starts_on)::int, extract(year FROM c.ends_on)::int"
	 " FROM campaigns c WHERE c.id = $1 FOR SHARE"},
	{"initiatives_person_unit", "SELECT unit_id FROM people WHERE id = $1"},
	{"initiatives_insert",
	 "INSERT INTO initiatives AS i (campaign_id, unit_id, person_id, title, field, year, description)"
	 " VALUES ($1, $2, $3, normalize($4, NFC), $5, $6, normalize($7, NFC)) RETURNING " INITIATIVE_COLUMNS},
	{"initiatives_update",
	 "UPDATE initiatives AS i SET unit_id = $2, person_id = $3, title = normalize($4, NFC), field = $5, year = $6,"
	 " description = normalize($7, NFC), version = i.version + 1, updated_at = now() WHERE i.id = $1"
	 " RETURNING " INITIATIVE_COLUMNS},
	{"initiatives_recognize",
	 "UPDATE initiatives AS i SET status = $2, recognized_level = $3, recognized_on = $4, recognized_by_unit_id = $5,"
	 " version = i.version + 1, updated_at = now() WHERE i.id = $1 RETURNING " INITIATIVE_COLUMNS},
	{"initiatives_delete", "DELETE FROM initiatives WHERE id = $1"},
};

static const char list_sql[] =
	"SELECT " INITIATIVE_COLUMNS " FROM initiatives i"
	" WHERE ($1::bigint IS NULL OR i.id > $1)"
	" AND ($2::bigint IS NULL OR i.campaign_id = $2)"
	" AND ($3::bigint IS NULL OR ($4 AND i.unit_id IN " SQL_SUBTREE("$3") ") OR (NOT $4 AND i.unit_id = $3))"
	" AND ($5::text IS NULL OR i.field = $5)"
	" AND ($6::text IS NULL OR i.status = $6)"
	" AND ($7::int IS NULL OR i.year = $7)"
	" AND ($8::text IS NULL OR i.search @@ tdkt_search_query($8))"
	" ORDER BY i.id LIMIT $9";

/* counts per group; $6 names the column (one of three fixed choices, never client text) */
static const char stats_sql[] =
	"SELECT CASE $6 WHEN 'field' THEN i.field WHEN 'status' THEN i.status ELSE i.recognized_level END AS key,"
	" count(*) FROM initiatives i"
	" WHERE ($1::bigint IS NULL OR i.campaign_id = $1)"
	" AND ($2::bigint IS NULL OR ($3 AND i.unit_id IN " SQL_SUBTREE("$2") ") OR (NOT $3 AND i.unit_id = $2))"
	" AND ($4::int IS NULL OR i.year = $4)"
	" AND ($5::text IS NULL OR i.status = $5)"
	" GROUP BY 1 ORDER BY 2 DESC, 1";

static int initiatives_list(struct req *r)
{
	struct query q;
	struct page page;
	bool has_campaign, has_unit, has_subtree, subtree = false, has_year;
	long long campaign = 0, unit = 0, year = 0;
	const char *field, *status, *text;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "initiatives", &page, &r->err) ||
	    !query_id(&q, "campaign_id", &has_campaign, &campaign, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit, &r->err) ||
	    !query_bool(&q, "subtree", &has_subtree, &subtree, &r->err) ||
	    !query_enum(&q, "field", fields_of_work, &field, &r->err) ||
	    !query_enum(&q, "status", statuses, &status, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) || !query_str(&q, "q", 200, &text, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return -1;
	if (has_subtree && !has_unit)
		return req_fail(r, 400, "Query parameter subtree needs unit_id.");
	char a[24], c[24], u[24], y[24], l[24];
	const char *params[] = {page.has_after ? id_text(page.after_id, a) : NULL,
				has_campaign ? id_text(campaign, c) : NULL, has_unit ? id_text(unit, u) : NULL,
				subtree ? "true" : "false", field, status, has_year ? id_text(year, y) : NULL, text,
				id_text(page.limit + 1, l)};
	return respond_list(r, list_sql, 9, params, "initiatives", &initiative_shape, page.limit);
}

static int initiatives_stats(struct req *r)
{
	struct query q;
	bool has_campaign, has_unit, has_subtree, subtree = false, has_year;
	long long campaign = 0, unit = 0, year = 0;
	const char *group, *status;
	if (!query_parse(r->query, &q, &r->err) || !query_id(&q, "campaign_id", &has_campaign, &campaign, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit, &r->err) ||
	    !query_bool(&q, "subtree", &has_subtree, &subtree, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) ||
	    !query_enum(&q, "status", statuses, &status, &r->err) ||
	    !query_enum(&q, "group_by", groupings, &group, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!group)
		group = "field";
	char c[24], u[24], y[24];
	const char *params[] = {has_campaign ? id_text(campaign, c) : NULL, has_unit ? id_text(unit, u) : NULL,
				subtree ? "true" : "false", has_year ? id_text(year, y) : NULL, status, group};
	struct db_conn *db;
	if (!req_db(r, &db))
		return -1;
	PGresult *res = db_query(db, stats_sql, 6, params, &r->err);
	if (!res)
		return -1;
	long long total = 0;
	buf_puts(r->out, "{\"group_by\":");
	buf_json_cstr(r->out, group);
	buf_puts(r->out, ",\"groups\":[");
	for (int i = 0; i < PQntuples(res); i++) {
		if (i)
			buf_putc(r->out, ',');
		buf_puts(r->out, "{\"key\":");
		buf_json_cstr(r->out, PQgetisnull(res, i, 0) ? NULL : PQgetvalue(res, i, 0));
		buf_puts(r->out, ",\"count\":");
		buf_puts(r->out, PQgetvalue(res, i, 1));
		buf_putc(r->out, '}');
		total += strtoll(PQgetvalue(res, i, 1), NULL, 10);
	}
	buf_puts(r->out, "],\"total\":");
	buf_json_int(r->out, total);
	buf_putc(r->out, '}');
	PQclear(res);
	return 0;
}

static int initiatives_get(struct req *r)
{
	return respond_get_by_id(r, "initiatives_get", &initiative_shape);
}

/* the person, when named, must be of the initiative's unit */
static bool check_person(struct req *r, const struct jvalue *person, long long unit)
{
	if (!person->present || person->is_null)
		return true;
	char pbuf[24];
	const char *params[] = {id_text(person->num, pbuf)};
	PGresult *res = db_prepared(r->db, "initiatives_person_unit", 1, params, &r->err);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1, same = found && strtoll(PQgetvalue(res, 0, 0), NULL, 10) == unit;
	PQclear(res);
	if (!found)
		return app_error_field(&r->err, "person_id", "not_found", "person_id does not name an existing person");
	if (!same)
		return app_error_field(&r->err, "person_id", "other_unit", "the person belongs to another unit");
	return true;
}

static int initiatives_create(struct req *r)
{
	json_t *body = NULL;
	PGresult *camp = NULL;
	struct jvalue v[API_COUNT(initiative_fields)];
	long long campaign_id;
	char cbuf[24], ubuf[24], pbuf[24], ybuf[24];
	struct db_conn *db;
	int rc = -1;
	if (!req_path_id(r, "id", &campaign_id))
		goto out;
	if (!authz_role_may(r, ACT_WRITE_UNIT_DATA)) {
		req_fail(r, 403, "Your role (%s) may read initiatives but not register them.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) ||
	    !jin_decode(body, initiative_fields, API_COUNT(initiative_fields), false, v, &r->err) ||
	    !authz_require_unit_field(r, ACT_WRITE_UNIT_DATA, v[F_UNIT].num, "unit_id") || !write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *key[] = {id_text(campaign_id, cbuf)};
	camp = db_prepared(db, "initiatives_campaign", 1, key, &r->err);
	if (!camp)
		goto out;
	if (PQntuples(camp) == 0) {
		req_fail(r, 404, "Campaign %lld does not exist.", campaign_id);
		goto out;
	}
	long long first = strtoll(PQgetvalue(camp, 0, 1), NULL, 10), last = strtoll(PQgetvalue(camp, 0, 2), NULL, 10);
	if (strcmp(PQgetvalue(camp, 0, 0), "active") != 0)
		app_error_field(&r->err, "campaign_id", "not_active", "the campaign is %s; initiatives need an active one",
				PQgetvalue(camp, 0, 0));
	if (v[F_YEAR].num < first || v[F_YEAR].num > last)
		app_error_field(&r->err, "year", "outside_period", "the campaign runs from %lld to %lld", first, last);
	if (r->err.nfields > 0 || !check_person(r, &v[F_PERSON], v[F_UNIT].num))
		goto out;
	const char *params[] = {cbuf, id_text(v[F_UNIT].num, ubuf),
				v[F_PERSON].present && !v[F_PERSON].is_null ? id_text(v[F_PERSON].num, pbuf) : NULL,
				v[F_TITLE].str, v[F_FIELD].str, id_text(v[F_YEAR].num, ybuf), v[F_DESCRIPTION].str};
	rc = respond_created(r, "initiatives_insert", 7, params, &initiative_shape);
out:
	PQclear(camp);
	json_decref(body);
	return rc;
}

/* In a write transaction: locks the initiative, checks `action` on its unit and If-Match; once
 * decided it no longer changes. */
static bool lock_initiative(struct req *r, long long id, enum action action, char idbuf[24], PGresult **cur)
{
	if (!lock_for_write(r, "initiatives_lock", id, &initiative_shape, action, C_UNIT, idbuf, cur))
		return false;
	DB_EXPLAIN(r->db, write_constraints);
	if (strcmp(PQgetvalue(*cur, 0, C_STATUS), "registered") == 0)
		return true;
	app_error_set(&r->err, 409, "The initiative is %s; it no longer changes.", PQgetvalue(*cur, 0, C_STATUS));
	PQclear(*cur);
	*cur = NULL;
	return false;
}

static int initiatives_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(initiative_fields)];
	long long id;
	char idbuf[24], ubuf[24], pbuf[24], ybuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, initiative_fields, API_COUNT(initiative_fields), true, v, &r->err) ||
	    !lock_initiative(r, id, ACT_WRITE_UNIT_DATA, idbuf, &cur))
		goto out;
	long long unit = v[F_UNIT].present ? v[F_UNIT].num : strtoll(PQgetvalue(cur, 0, C_UNIT), NULL, 10);
	if (v[F_UNIT].present && !authz_require_unit_field(r, ACT_WRITE_UNIT_DATA, unit, "unit_id"))
		goto out;
	struct jvalue person = v[F_PERSON];
	if (!person.present && !PQgetisnull(cur, 0, C_PERSON)) {
		person.present = true;
		person.num = strtoll(PQgetvalue(cur, 0, C_PERSON), NULL, 10);
	}
	if (!check_person(r, &person, unit))
		goto out;
	const char *params[] = {
		idbuf, id_text(unit, ubuf),
		person.present && !person.is_null ? id_text(person.num, pbuf) : NULL,
		patched_text(&v[F_TITLE], cur, C_TITLE), patched_text(&v[F_FIELD], cur, C_FIELD),
		v[F_YEAR].present ? id_text(v[F_YEAR].num, ybuf) : PQgetvalue(cur, 0, C_YEAR),
		patched_text(&v[F_DESCRIPTION], cur, C_DESCRIPTION),
	};
	rc = respond_updated(r, "initiatives_update", 7, params, &initiative_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int initiatives_recognize(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(recognize_fields)];
	long long id;
	char idbuf[24], by[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !req_json(r, false, &body) ||
	    !jin_decode(body, recognize_fields, API_COUNT(recognize_fields), false, v, &r->err))
		goto out;
	bool refused = v[R_RECOGNIZED].present && !v[R_RECOGNIZED].boolean;
	if (refused && (v[R_LEVEL].present || v[R_ON].present))
		app_error_field(&r->err, "recognized", "conflict", "give either level and recognized_on, or recognized: false");
	if (!refused) {
		if (!v[R_LEVEL].present)
			app_error_field(&r->err, "level", "required", "level is required to recognise");
		if (!v[R_ON].present)
			app_error_field(&r->err, "recognized_on", "required", "recognized_on is required to recognise");
	}
	if (r->err.nfields > 0 || !lock_initiative(r, id, ACT_RECOGNIZE, idbuf, &cur))
		goto out;
	/* the recognising authority is the caller's unit */
	const char *params[] = {idbuf, refused ? "not_recognized" : "recognized", refused ? NULL : v[R_LEVEL].str,
				refused ? NULL : v[R_ON].str, refused ? NULL : id_text(r->caller.unit_id, by)};
	rc = respond_updated(r, "initiatives_recognize", 5, params, &initiative_shape);
out:
	PQclear(cur);
	json_decref(body);
	return rc;
}

static int initiatives_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !lock_initiative(r, id, ACT_WRITE_UNIT_DATA, idbuf, &cur))
		goto out;
	rc = respond_deleted(r, "initiatives_delete", idbuf);
out:
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"POST", "/v1/campaigns/{id}/initiatives", initiatives_create, 0, NULL},
	{"GET", "/v1/initiatives", initiatives_list, 0, NULL},
	{"GET", "/v1/initiatives/{id}", initiatives_get, 0, NULL},
	{"PATCH", "/v1/initiatives/{id}", initiatives_patch, 0, NULL},
	{"DELETE", "/v1/initiatives/{id}", initiatives_delete, 0, NULL},
	{"POST", "/v1/initiatives/{id}/recognize", initiatives_recognize, 0, NULL},
	{"GET", "/v1/stats/initiatives", initiatives_stats, 0, NULL},
};

static const struct fk_fact facts[] = {
	{"initiatives_person_fkey", "person_id", "person_id does not name an existing person", "the person has initiatives"},
	{"initiatives_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has initiatives"},
	{"initiatives_recognized_by_fkey", "recognized_by_unit_id", "recognized_by_unit_id does not name an existing unit",
	 "the unit recognised initiatives"},
	{"initiatives_campaign_fkey", "campaign_id", "campaign_id names no campaign", "the campaign has initiatives"},
};

const struct api_module initiatives_module = {.name = "initiatives", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts), .facts = facts,
					 .nfacts = API_COUNT(facts)};
