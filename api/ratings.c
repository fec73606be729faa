/* /v1/ratings — the yearly rating (đánh giá, xếp loại) of a person or a unit that the law's
 * criteria read (API.md "Ratings and discipline", issue 13): one per subject and year, of
 * `excellent` (hoàn thành xuất sắc nhiệm vụ), `good` (hoàn thành tốt), `complete` (hoàn thành) or
 * `incomplete` (không hoàn thành), given by the subject's unit or a unit above it. Officers of the
 * subject's unit (a person's unit, or the unit itself) and authorities of it or above it write it
 * (ACT_RATE: unlike people and reports, not an officer of a unit above); admins anywhere; everyone
 * authenticated reads it (not personal data: disciplines are). POST /v1/ratings/batch imports up to 1,000 (source "import") as one write:
 * every item checked and authorised as a create is, errors named "[index].field", nothing written
 * unless all are (api/batch.h reads the body as api/report_batch.c does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/batch.h"
#include "api/crud.h"
#include "lib/query.h"

/* who writes a subject's rating (ACT_RATE), as a refusal says it */
#define RATERS "officers of the subject's unit, authorities of it or above it, and admins write its ratings."

static const char *const ratings_levels[] = {"excellent", "good", "complete", "incomplete", NULL};
static const char *const sources[] = {"manual", "import", NULL};

enum { F_ID, F_PERSON, F_UNIT, F_YEAR, F_RATING, F_RATED_BY, F_SOURCE, F_NOTE };
static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	/* another subject or year is another rating: delete this one and write that one */
	[F_PERSON] = {{"person_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_UNIT] = {{"unit_id", JF_ID, JF_NULLABLE, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM,
		    FR_FILTER | FR_SUBTREE | FR_CREATE_ONLY, NULL},
	[F_YEAR] = {{"year", JF_INT, JF_REQUIRED, 2000, 2100, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER | FR_CREATE_ONLY, NULL},
	[F_RATING] = {{"rating", JF_ENUM, JF_REQUIRED, 0, 0, ratings_levels, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_RATED_BY] = {{"rated_by_unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_SOURCE] = {{"source", JF_ENUM, JF_READONLY, 0, 0, sources, NULL, NULL}, NULL, COL_STR, 0, "'manual'"},
	[F_NOTE] = {{"note", JF_TEXT, JF_NULLABLE, 0, 2000, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	FIELDS_ROW_META,
	/* the unit whose data the rating is: the unit rated, or the rated person's unit */
	{JF_RO("subject_unit_id"), "(coalesce(t.unit_id, (SELECT p.unit_id FROM people p WHERE p.id = t.person_id)))",
	 COL_NUM, FR_OWNER | FR_HIDDEN, NULL},
};

static const struct db_constraint constraints[] = {
	{"ratings_once", "year", "duplicate", "the subject already has a rating for this year", 0},
	{"ratings_one_subject", "person_id", "one_subject", "name exactly one of person_id and unit_id", 0},
	/* lengths are checked in C before NFC; a text that grows under it meets this */
	{"ratings_note_length", "note", "too_long", "note is longer than 2000 characters in NFC", 0},
};

/* Of each item of $1 ({i, person_id, unit_id, rated_by_unit_id}), with $2 the caller's unit (NULL:
 * none): the subject's unit (NULL when the subject does not exist), whether the rating unit
 * exists and is the subject's unit or above it, and how the subject's unit relates to the
 * caller's (api/authz.h: own, descendant, outside), and whether the subject is a person */
DB_STMT(ratings_subjects, "WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb)"
	"  AS x(i int, person_id bigint, unit_id bigint, rated_by_unit_id bigint)),"
	" s AS (SELECT x.i, x.rated_by_unit_id, x.person_id IS NOT NULL AS of_person, CASE WHEN x.unit_id IS NOT NULL THEN u.id ELSE p.unit_id END AS owner"
	"  FROM x LEFT JOIN units u ON u.id = x.unit_id LEFT JOIN people p ON p.id = x.person_id)"
	" SELECT s.i, s.owner, b.id IS NOT NULL,"
	"  s.owner IS NOT NULL AND b.id IS NOT NULL AND tdkt_unit_within(s.owner, b.id),"
	"  CASE WHEN s.owner = $2::bigint THEN 'own'"
	"   WHEN s.owner IS NOT NULL AND $2::bigint IS NOT NULL AND tdkt_unit_within(s.owner, $2::bigint) THEN 'descendant'"
	"   ELSE 'outside' END, s.of_person"
	" FROM s LEFT JOIN units b ON b.id = s.rated_by_unit_id ORDER BY s.i");
/* the ratings the items of $1 name that exist already, locked: (index, id) */
DB_STMT(ratings_existing, "SELECT x.i, r.id FROM jsonb_to_recordset($1::jsonb) AS x(i int, person_id bigint, unit_id bigint, year int)"
	" JOIN ratings r ON r.year = x.year AND (r.person_id = x.person_id OR r.unit_id = x.unit_id)"
	" ORDER BY r.id FOR UPDATE OF r");
/* Every item created or (upsert) replaced: (index, id, created) in the items' order. An item
 * without upsert is a plain insert, so that a rating another request made since the check above
 * is a unique violation (409), never replaced. */
#define BATCH_ITEMS "SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(i int, person_id bigint, unit_id bigint, year int," \
	" rating text, rated_by_unit_id bigint, note text, upsert boolean)"
#define BATCH_INSERT "INSERT INTO ratings AS r (person_id, unit_id, year, rating, rated_by_unit_id, source, note)" \
	"  SELECT person_id, unit_id, year, rating, rated_by_unit_id, 'import', normalize(note, NFC)"
#define BATCH_RETURNING " RETURNING r.id, r.person_id, r.unit_id, r.year, r.version = 1 AS created"
DB_STMT(ratings_batch_write, "WITH x AS (" BATCH_ITEMS "),"
	" fresh AS (" BATCH_INSERT " FROM x WHERE NOT upsert ORDER BY i" BATCH_RETURNING "),"
	" replaced AS (" BATCH_INSERT " FROM x WHERE upsert ORDER BY i"
	"  ON CONFLICT ON CONSTRAINT ratings_once DO UPDATE SET rating = EXCLUDED.rating,"
	"   rated_by_unit_id = EXCLUDED.rated_by_unit_id, note = EXCLUDED.note, source = EXCLUDED.source,"
	"   version = r.version + 1, updated_at = now()" BATCH_RETURNING ")"
	" SELECT x.i, w.id, w.created FROM (SELECT * FROM fresh UNION ALL SELECT * FROM replaced) AS w"
	" JOIN x ON x.year = w.year AND (x.person_id = w.person_id OR x.unit_id = w.unit_id) ORDER BY x.i");
static const struct db_stmt *const stmts[] = {&sql_ratings_subjects, &sql_ratings_existing, &sql_ratings_batch_write};

/* a field's name in errors: "[i].field" in a batch, "field" alone */
static const char *field_name(char *out, size_t n, const char *prefix, const char *field)
{
	snprintf(out, n, "%s%s", prefix, field);
	return out;
}

/* exactly one subject: a person or a unit */
static bool one_subject(struct req *r, const struct jvalue *v, const char *prefix)
{
	bool person = v[F_PERSON].present && !v[F_PERSON].is_null, unit = v[F_UNIT].present && !v[F_UNIT].is_null;
	if (person != unit)
		return true;
	char name[64];
	return app_error_field(&r->err, field_name(name, sizeof name, prefix, person ? "unit_id" : "person_id"),
			       "one_subject", "name exactly one of person_id and unit_id");
}

/* Each item of `items` (JSON as ratings_subjects takes it): its subject exists (422), its rating
 * unit exists and is the subject's unit or above it (422), and, when `authorise`, the caller may
 * write the subject's unit's data (403, once the body has no other mistake). `prefix`: errors
 * name "[i].field", else "field". */
static bool check_subjects(struct req *r, const char *items, bool prefix, bool authorise)
{
	struct db_params p = {.n = 0};
	db_param(&p, items);
	db_param_int_if(&p, r->caller.unit_id > 0, r->caller.unit_id);
	PGresult *res = req_run(r, &sql_ratings_subjects, &p);
	if (!res)
		return false;
	int denied = -1;
	for (int k = 0; k < PQntuples(res); k++) {
		char pre[24] = "", name[64];
		if (prefix)
			snprintf(pre, sizeof pre, "[%s].", PQgetvalue(res, k, 0));
		if (PQgetisnull(res, k, 1)) {
			bool person = PQgetvalue(res, k, 5)[0] == 't';
			app_error_field(&r->err, field_name(name, sizeof name, pre, person ? "person_id" : "unit_id"), "not_found",
					person ? "person_id does not name an existing person" : "unit_id does not name an existing unit");
			continue;
		}
		field_name(name, sizeof name, pre, "rated_by_unit_id");
		if (PQgetvalue(res, k, 2)[0] != 't')
			app_error_field(&r->err, name, "not_found", "rated_by_unit_id does not name an existing unit");
		else if (PQgetvalue(res, k, 3)[0] != 't')
			app_error_field(&r->err, name, "not_above",
					"rated_by_unit_id must be the subject's unit (%s) or a unit above it", PQgetvalue(res, k, 1));
		const char *rel = PQgetvalue(res, k, 4);
		enum relation relation = strcmp(rel, "own") == 0 ? REL_OWN : strcmp(rel, "descendant") == 0 ? REL_DESCENDANT : REL_OUTSIDE;
		if (authorise && denied < 0 && !permission(r->caller.role, ACT_RATE, relation))
			denied = k;
	}
	/* a subject that does not exist is the body's mistake; then the right over the others */
	if (r->err.nfields == 0 && denied >= 0) {
		if (prefix)
			app_error_set(&r->err, 403, "Your role (%s) may not write ratings of unit %s (item %s): " RATERS,
				      role_name(r->caller.role), PQgetvalue(res, denied, 1), PQgetvalue(res, denied, 0));
		else
			app_error_set(&r->err, 403, "Your role (%s) may not write ratings of unit %s: " RATERS,
				      role_name(r->caller.role), PQgetvalue(res, denied, 1));
	}
	PQclear(res);
	return r->err.status == 0;
}

static const struct resource ratings;

/* one item as ratings_subjects takes it */
static void subject_item(struct buf *out, size_t i, const char *person, const char *unit, long long rated_by)
{
	buf_printf(out, "{\"i\":%zu,\"person_id\":%s,\"unit_id\":%s,\"rated_by_unit_id\":%lld}", i, person ? person : "null",
		   unit ? unit : "null", rated_by);
}

static bool validate(struct req *r, const struct jvalue *v, PGresult *cur)
{
	return cur || one_subject(r, v, "");
}

/* create: the subject exists and is the caller's to rate, the rating unit is at or above it; a
 * patch of the rating unit: at or above the rating's subject (the engine has checked the right) */
static bool before_write(struct req *r, const struct jvalue *v, PGresult *cur)
{
	if (cur && !v[F_RATED_BY].present)
		return true;
	char person[24], unit[24];
	struct buf items;
	buf_init(&items);
	buf_putc(&items, '[');
	if (cur)
		subject_item(&items, 0, crud_cur(&ratings, cur, F_PERSON), crud_cur(&ratings, cur, F_UNIT), v[F_RATED_BY].num);
	else
		subject_item(&items, 0, v[F_PERSON].present && !v[F_PERSON].is_null ? id_text(v[F_PERSON].num, person) : NULL,
			     v[F_UNIT].present && !v[F_UNIT].is_null ? id_text(v[F_UNIT].num, unit) : NULL, v[F_RATED_BY].num);
	buf_putc(&items, ']');
	bool ok = buf_ok(&items) ? check_subjects(r, items.data, false, cur == NULL)
				 : app_error_set(&r->err, 503, "The service is short of memory.");
	buf_free(&items);
	return ok;
}

static const struct resource_hooks hooks = {.validate = validate, .before_write = before_write};

static const struct resource ratings = {
	RESOURCE("ratings", "/v1/ratings", "Rating"), WITH(fields, fields), .entity = "rating",
	.write = ACT_RATE, .write_denied = "may read ratings but not change them",
	WITH(constraints, constraints), .hooks = &hooks,
};

/* --- POST /v1/ratings/batch ------------------------------------------------------------- */

#define BATCH_MAX 1000

/* every item decoded and checked as POST /v1/ratings would, into the JSON the statements take:
 * [{"i", "person_id", "unit_id", "year", "rating", "rated_by_unit_id", "note", "upsert"}];
 * ?upsert=true is every item's upsert */
static bool decode_items(struct req *r, json_t *items, struct buf *out)
{
	struct query q;
	bool has_upsert = false, upsert_all = false;
	if (!query_parse(r->query, &q, &r->err) || !query_bool(&q, "upsert", &has_upsert, &upsert_all, &r->err) ||
	    !query_no_unknown(&q, &r->err))
		return false;
	size_t nspecs, i;
	const struct jfield *specs = crud_create_specs(&ratings, &nspecs);
	json_t *item;
	long long(*seen)[3] = calloc(json_array_size(items), sizeof *seen);
	if (!seen)
		return app_error_set(&r->err, 503, "The service is short of memory.");
	buf_putc(out, '[');
	json_array_foreach(items, i, item) {
		struct jvalue v[CRUD_MAX_FIELDS];
		bool upsert = false;
		char name[64], pre[24];
		snprintf(pre, sizeof pre, "[%zu].", i);
		if (!json_is_object(item)) {
			snprintf(name, sizeof name, "[%zu]", i);
			app_error_field(&r->err, name, "type", "each rating is an object");
			continue;
		}
		if (!batch_flag(r, item, i, "upsert", &upsert) || !jin_decode_item(item, "", i, specs, nspecs, v, &r->err) ||
		    !one_subject(r, v, pre))
			continue;
		long long person = v[F_PERSON].present && !v[F_PERSON].is_null ? v[F_PERSON].num : 0;
		long long unit = v[F_UNIT].present && !v[F_UNIT].is_null ? v[F_UNIT].num : 0;
		seen[i][0] = person, seen[i][1] = unit, seen[i][2] = v[F_YEAR].num;
		/* the same subject and year twice would have the second silently win */
		bool ok = true;
		for (size_t j = 0; ok && j < i; j++)
			if (seen[j][0] == person && seen[j][1] == unit && seen[j][2] == v[F_YEAR].num)
				ok = app_error_field(&r->err, field_name(name, sizeof name, pre, "year"), "duplicate",
						     "item %zu is the same rating (subject, year)", j);
		if (!ok)
			continue;
		buf_printf(out, "%s{\"i\":%zu,\"person_id\":", i ? "," : "", i);
		if (person)
			buf_json_int(out, person);
		else
			buf_puts(out, "null");
		buf_puts(out, ",\"unit_id\":");
		if (unit)
			buf_json_int(out, unit);
		else
			buf_puts(out, "null");
		buf_printf(out, ",\"year\":%lld,\"rating\":", v[F_YEAR].num);
		buf_json_cstr(out, v[F_RATING].str);
		buf_printf(out, ",\"rated_by_unit_id\":%lld,\"note\":", v[F_RATED_BY].num);
		buf_json_cstr(out, v[F_NOTE].present ? v[F_NOTE].str : NULL);
		buf_printf(out, ",\"upsert\":%s}", upsert || upsert_all ? "true" : "false");
	}
	free(seen);
	buf_putc(out, ']');
	if (!buf_ok(out))
		return app_error_set(&r->err, 503, "The service is short of memory.");
	return r->err.status == 0;
}

/* ratings that exist already: replaced only when asked to (409) */
static bool check_existing(struct req *r, json_t *stored_items, const char *stored)
{
	const char *params[] = {stored};
	PGresult *res = db_run(r->db, &sql_ratings_existing, 1, params, NULL, &r->err);
	if (!res)
		return false;
	for (int k = 0; k < PQntuples(res); k++) {
		size_t i = (size_t)strtoll(PQgetvalue(res, k, 0), NULL, 10);
		if (json_is_true(json_object_get(json_array_get(stored_items, i), "upsert")))
			continue;
		char name[64];
		snprintf(name, sizeof name, "[%zu].year", i);
		if (r->err.status == 0)
			app_error_set(&r->err, 409, "Some ratings exist already; nothing was written (upsert replaces them).");
		app_error_field(&r->err, name, "duplicate", "rating %s has this subject and year (upsert: true replaces it)",
				PQgetvalue(res, k, 1));
	}
	PQclear(res);
	return r->err.status == 0;
}

/* in the write transaction: the subjects and rating units, each the caller's to rate, what exists */
static bool check_items(struct req *r, json_t *stored_items, const char *stored)
{
	return check_subjects(r, stored, true, true) && check_existing(r, stored_items, stored);
}

static const struct batch_kind kind = {
	/* an item is its ~8 fields and their keys; a body of more values is refused before parsing */
	"ratings", BATCH_MAX, (size_t)BATCH_MAX * 32, ACT_RATE, "may read ratings but not change them",
	decode_items, check_items, &sql_ratings_batch_write, false,
	"A rating changed while the batch was written; nothing was written. Send it again.",
};

static int ratings_batch(struct req *r)
{
	return batch_import(r, &kind, crud_write_explained(&ratings));
}

static const struct route routes[] = {
	{"POST", "/v1/ratings/batch", ratings_batch, ROUTE_BULK | ROUTE_QUERY, NULL},
};

static const struct fk_fact facts[] = {
	{"ratings_person_fkey", "person_id", "person_id does not name an existing person", "the person has ratings"},
	{"ratings_unit_fkey", "unit_id", "unit_id does not name an existing unit", "the unit has ratings"},
	{"ratings_rated_by_unit_fkey", "rated_by_unit_id", "rated_by_unit_id does not name an existing unit",
	 "the unit gave ratings"},
};

const struct api_module ratings_module = {.name = "ratings", WITH(routes, routes), WITH(stmts, stmts),
	.resource = &ratings, WITH(facts, facts)};
