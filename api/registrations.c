/* /v1/registrations — a unit's yearly commitment in a campaign (API.md "Registrations"), created
 * by POST /v1/campaigns/{id}/registrations. Written by officers and authorities inside their
 * subtree (and admins) while a draft; drafts are visible only to that subtree and admins — in C,
 * and again by row-level security (sql/0008_registrations.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/authz.h"
#include "api/award_kinds.h"
#include "api/resource.h"
#include "api/write.h"
#include "lib/jsonin.h"
#include "lib/page.h"

#define REGISTRATION_COLUMNS                                                                                \
	"r.id, r.campaign_id, r.unit_id, r.year, to_json(r.titles), r.targets, r.pact_signed_on, r.status," \
	" r.submitted_at, r.version, r.created_at, r.updated_at"
#define MAX_TITLES 20
#define MAX_TARGETS 100

static const struct db_col registration_cols[] = {
	{"id", COL_NUM}, {"campaign_id", COL_NUM}, {"unit_id", COL_NUM}, {"year", COL_NUM}, {"titles", COL_JSON},
	{"targets", COL_JSON}, {"pact_signed_on", COL_STR}, {"status", COL_STR}, {"submitted_at", COL_TIME},
	{"version", COL_NUM}, {"created_at", COL_TIME}, {"updated_at", COL_TIME},
};
enum { C_ID, C_CAMPAIGN, C_UNIT, C_YEAR, C_TITLES, C_TARGETS, C_PACT, C_STATUS, C_SUBMITTED, C_VERSION };
static const struct row_shape registration_shape = {"/v1/registrations", "Registration", registration_cols,
						    (int)API_COUNT(registration_cols), C_ID, C_VERSION};

static const char *const statuses[] = {"draft", "submitted", NULL};

enum { F_UNIT, F_YEAR, F_TITLES, F_TARGETS, F_PACT };
#define READ_ONLY              \
	JF_RO("campaign_id"),  \
	JF_RO("status"),       \
	JF_RO("submitted_at"), \
	JF_ROW_FIELDS
static const struct jfield create_fields[] = {
	[F_UNIT] = {"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL},
	[F_YEAR] = {"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL},
	[F_TITLES] = {"titles", JF_STRING_LIST, 0, 0, MAX_TITLES, NULL, snake_code_ok,
		      "must be an award-kind code (^[a-z][a-z0-9_]{1,47}$)"},
	[F_TARGETS] = {"targets", JF_ARRAY, 0, 0, MAX_TARGETS, NULL, NULL, NULL},
	[F_PACT] = {"pact_signed_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	READ_ONLY,
};
/* which unit and year a registration is for does not change */
static const struct jfield patch_fields[] = {
	[F_UNIT] = JF_RO("unit_id"),
	[F_YEAR] = JF_RO("year"),
	[F_TITLES] = {"titles", JF_STRING_LIST, 0, 0, MAX_TITLES, NULL, snake_code_ok,
		      "must be an award-kind code (^[a-z][a-z0-9_]{1,47}$)"},
	[F_TARGETS] = {"targets", JF_ARRAY, 0, 0, MAX_TARGETS, NULL, NULL, NULL},
	[F_PACT] = {"pact_signed_on", JF_DATE, JF_NULLABLE, 0, 0, NULL, NULL, NULL},
	READ_ONLY,
};
enum { T_CODE, T_TARGET };
static const struct jfield target_fields[] = {
	[T_CODE] = {"indicator_code", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[T_TARGET] = {"target", JF_NUMBER, JF_REQUIRED, 0, 1000000000000000LL, NULL, NULL, NULL},
};

static const struct db_constraint write_constraints[] = {
	{"registrations_once", "year", "duplicate", "the unit is already registered in this campaign for this year", 0},
	{"registrations_unit_fkey", "unit_id", "not_found", "unit_id does not name an existing unit", 0},
};

static const struct db_stmt stmts[] = {
	{"registrations_get", "SELECT " REGISTRATION_COLUMNS " FROM registrations r WHERE r.id = $1"},
	{"registrations_lock", "SELECT " REGISTRATION_COLUMNS " FROM registrations r WHERE r.id = $1 FOR UPDATE"},
	/* what a registration needs of its campaign for (unit $2, year $3) */
	{"registrations_campaign",
	 "SELECT c.status, extract(year FROM c.starts_on)::int, extract(year FROM c.ends_on)::int,"
	 " EXISTS (SELECT 1 FROM campaign_clusters cc WHERE cc.campaign_id = c.id),"
	 " EXISTS (SELECT 1 FROM campaign_clusters cc JOIN cluster_members m ON m.cluster_id = cc.cluster_id"
	 "   WHERE cc.campaign_id = c.id AND m.unit_id = $2 AND m.year = $3)"
	 " FROM campaigns c WHERE c.id = $1 FOR SHARE OF c"},
	{"registrations_foreign_targets",
	 "SELECT x FROM unnest($2::text[]) AS x"
	 " WHERE x NOT IN (SELECT indicator_code FROM campaign_indicators WHERE campaign_id = $1)"},
	{"registrations_insert",
	 "INSERT INTO registrations AS r (campaign_id, unit_id, year, titles, targets, pact_signed_on)"
	 " VALUES ($1, $2, $3, coalesce($4::text[], '{}'), coalesce($5::jsonb, '[]'), $6) RETURNING " REGISTRATION_COLUMNS},
	{"registrations_update",
	 "UPDATE registrations AS r SET titles = coalesce($2::text[], r.titles), targets = coalesce($3::jsonb, r.targets),"
	 " pact_signed_on = $4,"
	 " version = r.version + 1, updated_at = now() WHERE r.id = $1 RETURNING " REGISTRATION_COLUMNS},
	{"registrations_submit",
	 "UPDATE registrations AS r SET status = 'submitted', submitted_at = now(), version = r.version + 1,"
	 " updated_at = now() WHERE r.id = $1 RETURNING " REGISTRATION_COLUMNS},
	{"registrations_delete", "DELETE FROM registrations WHERE id = $1"},
};

/* Drafts only for admins and the caller's subtree ($7 the role, $8 the caller's unit; integration
 * never sees drafts), as the row-level security policy says too. cluster_id: units that are members of it in that year. */
static const char list_sql[] =
	"SELECT " REGISTRATION_COLUMNS " FROM registrations r"
	" WHERE ($1::bigint IS NULL OR r.id > $1)"
	" AND ($2::bigint IS NULL OR r.campaign_id = $2)"
	" AND ($3::bigint IS NULL OR r.unit_id = $3)"
	" AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM cluster_members m WHERE m.cluster_id = $4"
	"   AND m.unit_id = r.unit_id AND m.year = r.year))"
	" AND ($5::int IS NULL OR r.year = $5)"
	" AND ($6::text IS NULL OR r.status = $6)"
	" AND (r.status <> 'draft' OR $7 = 'admin' OR ($7 <> 'integration' AND r.unit_id IN " SQL_SUBTREE("$8") "))"
	" ORDER BY r.id LIMIT $9";

static int registrations_list(struct req *r)
{
	struct query q;
	struct page page;
	bool has_campaign, has_unit, has_cluster, has_year;
	long long campaign = 0, unit = 0, cluster = 0, year = 0;
	const char *status;
	if (!query_parse(r->query, &q, &r->err) || !page_parse_id(&q, "registrations", &page, &r->err) ||
	    !query_id(&q, "campaign_id", &has_campaign, &campaign, &r->err) ||
	    !query_id(&q, "unit_id", &has_unit, &unit, &r->err) ||
	    !query_id(&q, "cluster_id", &has_cluster, &cluster, &r->err) ||
	    !query_int(&q, "year", 2000, 2100, &has_year, &year, &r->err) ||
	    !query_enum(&q, "status", statuses, &status, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	char a[24], c[24], u[24], cl[24], y[24], me[24], l[24];
	const char *params[] = {page.has_after ? id_text(page.after_id, a) : NULL,
				has_campaign ? id_text(campaign, c) : NULL, has_unit ? id_text(unit, u) : NULL,
				has_cluster ? id_text(cluster, cl) : NULL, has_year ? id_text(year, y) : NULL, status,
				role_name(r->caller.role), id_text(r->caller.unit_id, me),
				id_text(page.limit + 1, l)};
	struct db_conn *db;
	if (!read_begin(r, &db))
		return -1;
	PGresult *res = db_query(db, list_sql, 9, params, &r->err);
	if (!res)
		return -1;
	return respond_page(r, res, "registrations", &registration_shape, page.limit);
}

/* a draft of a unit outside the caller's subtree (or any draft, for integrations) is 404, as if
 * it did not exist */
static bool visible(struct req *r, PGresult *row)
{
	if (strcmp(PQgetvalue(row, 0, C_STATUS), "draft") != 0 || r->caller.role == ROLE_ADMIN)
		return true;
	enum relation rel = REL_OUTSIDE;
	if (r->caller.role != ROLE_INTEGRATION &&
	    !authz_relation(r, strtoll(PQgetvalue(row, 0, C_UNIT), NULL, 10), &rel))
		return false;
	if (rel != REL_OUTSIDE)
		return true;
	return app_error_set(&r->err, 404, "Registration %s does not exist.", PQgetvalue(row, 0, C_ID));
}

static int registrations_get(struct req *r)
{
	long long id;
	char idbuf[24];
	struct db_conn *db;
	if (!req_path_id(r, "id", &id) || !read_begin(r, &db))
		return -1;
	const char *params[] = {id_text(id, idbuf)};
	PGresult *res = db_prepared(db, "registrations_get", 1, params, &r->err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0 || !visible(r, res)) {
		PQclear(res);
		return r->err.status ? -1 : req_fail(r, 404, "Registration %lld does not exist.", id);
	}
	long long version = row_version_of(res, &registration_shape);
	if (req_not_modified(r, version)) {
		req_set_etag(r, version);
		PQclear(res);
		r->status = 304;
		return 0;
	}
	return respond_row(r, res, 200, &registration_shape);
}

/* titles and targets as $n texts: "{a,b}" and a JSON array; targets checked item by item */
static bool encode_lists(struct req *r, const struct jvalue *titles, const struct jvalue *targets, struct buf *t,
			 struct buf *g, struct buf *codes)
{
	size_t i;
	json_t *item;
	buf_putc(t, '{');
	if (titles->list)
		json_array_foreach(titles->list, i, item) {
			if (i)
				buf_putc(t, ',');
			buf_puts(t, json_string_value(item)); /* codes: letters, digits, '_' only */
		}
	buf_putc(t, '}');
	buf_putc(g, '[');
	buf_putc(codes, '{');
	if (targets->list)
		json_array_foreach(targets->list, i, item) {
			struct jvalue v[2];
			char prefix[64];
			if (!jin_decode_item(item, "targets", i, target_fields, 2, v, &r->err))
				continue;
			for (size_t j = 0; j < i; j++)
				if (json_equal(json_object_get(json_array_get(targets->list, j), "indicator_code"),
					       json_object_get(item, "indicator_code"))) {
					snprintf(prefix, sizeof prefix, "targets[%zu].indicator_code", i);
					app_error_field(&r->err, prefix, "duplicate", "indicator %s has two targets", v[T_CODE].str);
				}
			if (i) {
				buf_putc(g, ',');
				buf_putc(codes, ',');
			}
			buf_puts(g, "{\"indicator_code\":");
			buf_json_cstr(g, v[T_CODE].str);
			buf_puts(g, ",\"target\":");
			buf_puts(g, v[T_TARGET].number);
			buf_putc(g, '}');
			buf_puts(codes, v[T_CODE].str);
		}
	buf_putc(g, ']');
	buf_putc(codes, '}');
	if (!buf_ok(t) || !buf_ok(g) || !buf_ok(codes))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.nfields == 0;
}

/* targets only on the campaign's indicators */
static bool check_targets(struct req *r, const char *campaign, const char *codes)
{
	const char *params[] = {campaign, codes};
	PGresult *res = db_prepared(r->db, "registrations_foreign_targets", 2, params, &r->err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		app_error_field(&r->err, "targets", "not_in_campaign", "the campaign is not scored on %s",
				PQgetvalue(res, i, 0));
	bool ok = PQntuples(res) == 0;
	PQclear(res);
	return ok;
}

static int registrations_create(struct req *r)
{
	json_t *body = NULL;
	PGresult *camp = NULL;
	struct jvalue v[API_COUNT(create_fields)];
	struct buf titles, targets, codes;
	long long campaign_id;
	char cbuf[24], ubuf[24], ybuf[24];
	struct db_conn *db;
	int rc = -1;
	buf_init(&titles);
	buf_init(&targets);
	buf_init(&codes);
	if (!req_path_id(r, "id", &campaign_id))
		goto out;
	if (!authz_role_may(r, ACT_WRITE_UNIT_DATA)) {
		req_fail(r, 403, "Your role (%s) may read registrations but not make them.", role_name(r->caller.role));
		goto out;
	}
	if (!req_json(r, false, &body) || !jin_decode(body, create_fields, API_COUNT(create_fields), false, v, &r->err) ||
	    !encode_lists(r, &v[F_TITLES], &v[F_TARGETS], &titles, &targets, &codes) ||
	    !authz_require_unit_field(r, ACT_WRITE_UNIT_DATA, v[F_UNIT].num, "unit_id") || !write_begin(r, &db))
		goto out;
	DB_EXPLAIN(db, write_constraints);
	const char *key[] = {id_text(campaign_id, cbuf), id_text(v[F_UNIT].num, ubuf), id_text(v[F_YEAR].num, ybuf)};
	camp = db_prepared(db, "registrations_campaign", 3, key, &r->err);
	if (!camp)
		goto out;
	if (PQntuples(camp) == 0) {
		req_fail(r, 404, "Campaign %lld does not exist.", campaign_id);
		goto out;
	}
	const char *status = PQgetvalue(camp, 0, 0);
	long long first = strtoll(PQgetvalue(camp, 0, 1), NULL, 10), last = strtoll(PQgetvalue(camp, 0, 2), NULL, 10);
	if (strcmp(status, "active") != 0)
		app_error_field(&r->err, "campaign_id", "not_active", "the campaign is %s; registrations need an active one", status);
	if (v[F_YEAR].num < first || v[F_YEAR].num > last)
		app_error_field(&r->err, "year", "outside_period", "the campaign runs from %lld to %lld", first, last);
	if (PQgetvalue(camp, 0, 3)[0] == 't' && PQgetvalue(camp, 0, 4)[0] != 't')
		app_error_field(&r->err, "unit_id", "not_in_cluster",
				"the unit is in none of the campaign's clusters in %lld", v[F_YEAR].num);
	if (r->err.nfields > 0 || !check_targets(r, cbuf, codes.data) ||
	    !award_kinds_check_codes(r, titles.data, "titles"))
		goto out;
	const char *params[] = {cbuf, ubuf, ybuf, titles.data, targets.data, v[F_PACT].str};
	rc = respond_created(r, "registrations_insert", 6, params, &registration_shape);
out:
	PQclear(camp);
	buf_free(&titles);
	buf_free(&targets);
	buf_free(&codes);
	json_decref(body);
	return rc;
}

/* In a write transaction: locks the registration, which must be visible, writable by the
 * caller, a draft, and at the If-Match version. */
static bool lock_draft(struct req *r, long long id, char idbuf[24], PGresult **cur)
{
	struct db_conn *db;
	*cur = NULL;
	if (!write_begin(r, &db))
		return false;
	DB_EXPLAIN(db, write_constraints);
	const char *params[] = {id_text(id, idbuf)};
	PGresult *row = db_prepared(db, "registrations_lock", 1, params, &r->err);
	if (!row)
		return false;
	bool ok = false;
	if (PQntuples(row) == 0) {
		/* FOR UPDATE sees only rows the update policy lets the caller write: one it may read
		 * but not change is a 403, as API.md says, not a 404 */
		PQclear(row);
		row = db_prepared(db, "registrations_get", 1, params, &r->err);
		if (!row)
			return false;
		if (PQntuples(row) == 0 || !visible(r, row)) {
			if (!r->err.status)
				app_error_set(&r->err, 404, "Registration %lld does not exist.", id);
		} else if (authz_require(r, ACT_WRITE_UNIT_DATA, strtoll(PQgetvalue(row, 0, C_UNIT), NULL, 10))) {
			app_error_set(&r->err, 403, "You may read registration %lld but not change it.", id);
		}
	} else if (visible(r, row) &&
		 authz_require(r, ACT_WRITE_UNIT_DATA, strtoll(PQgetvalue(row, 0, C_UNIT), NULL, 10)) &&
		 req_if_match(r, row_version_of(row, &registration_shape))) {
		if (strcmp(PQgetvalue(row, 0, C_STATUS), "draft") != 0)
			app_error_set(&r->err, 409, "The registration is %s; only drafts change.", PQgetvalue(row, 0, C_STATUS));
		else
			ok = true;
	}
	if (!ok) {
		PQclear(row);
		return false;
	}
	*cur = row;
	return true;
}

static int registrations_patch(struct req *r)
{
	json_t *body = NULL;
	PGresult *cur = NULL;
	struct jvalue v[API_COUNT(patch_fields)];
	struct buf titles, targets, codes;
	long long id;
	char idbuf[24];
	int rc = -1;
	buf_init(&titles);
	buf_init(&targets);
	buf_init(&codes);
	if (!req_path_id(r, "id", &id) || !req_json(r, true, &body) ||
	    !jin_decode(body, patch_fields, API_COUNT(patch_fields), true, v, &r->err) ||
	    !encode_lists(r, &v[F_TITLES], &v[F_TARGETS], &titles, &targets, &codes) || !lock_draft(r, id, idbuf, &cur))
		goto out;
	if ((v[F_TARGETS].present && !check_targets(r, PQgetvalue(cur, 0, C_CAMPAIGN), codes.data)) ||
	    (v[F_TITLES].present && !award_kinds_check_codes(r, titles.data, "titles")))
		goto out;
	/* absent lists stay as they are (NULL keeps the stored value) */
	const char *params[] = {
		idbuf,
		v[F_TITLES].present ? titles.data : NULL,
		v[F_TARGETS].present ? targets.data : NULL,
		v[F_PACT].present ? v[F_PACT].str : (PQgetisnull(cur, 0, C_PACT) ? NULL : PQgetvalue(cur, 0, C_PACT)),
	};
	rc = respond_updated(r, "registrations_update", 4, params, &registration_shape);
out:
	PQclear(cur);
	buf_free(&titles);
	buf_free(&targets);
	buf_free(&codes);
	json_decref(body);
	return rc;
}

static int registrations_submit(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !lock_draft(r, id, idbuf, &cur))
		goto out;
	const char *params[] = {idbuf};
	rc = respond_updated(r, "registrations_submit", 1, params, &registration_shape);
out:
	PQclear(cur);
	return rc;
}

static int registrations_delete(struct req *r)
{
	PGresult *cur = NULL;
	long long id;
	char idbuf[24];
	int rc = -1;
	if (!req_path_id(r, "id", &id) || !lock_draft(r, id, idbuf, &cur))
		goto out;
	rc = respond_deleted(r, "registrations_delete", idbuf);
out:
	PQclear(cur);
	return rc;
}

static const struct route routes[] = {
	{"POST", "/v1/campaigns/{id}/registrations", registrations_create, 0, NULL},
	{"GET", "/v1/registrations", registrations_list, 0, NULL},
	{"GET", "/v1/registrations/{id}", registrations_get, 0, NULL},
	{"PATCH", "/v1/registrations/{id}", registrations_patch, 0, NULL},
	{"DELETE", "/v1/registrations/{id}", registrations_delete, 0, NULL},
	{"POST", "/v1/registrations/{id}/submit", registrations_submit, 0, NULL},
};

static const struct fk_fact facts[] = {
	{"registrations_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has registrations"},
	{"registrations_campaign_fkey", "campaign_id", "campaign_id names no campaign", "the campaign has registrations"},
};

const struct api_module registrations_module = {.name = "registrations", .routes = routes, .nroutes = API_COUNT(routes), .stmts = stmts, .nstmts = API_COUNT(stmts), .facts = facts,
					 .nfacts = API_COUNT(facts)};
