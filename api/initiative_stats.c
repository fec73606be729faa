/* /v1/stats/initiatives — initiatives counted by field, status or level (API.md "Initiatives"),
 * over a campaign, a unit or its subtree, a year. */
#include <stdlib.h>
#include "api/api.h"
#include "api/initiatives.h"
#include "api/resource.h"
#include "lib/query.h"

static const char *const groupings[] = {"field", "status", "level", NULL};

/* counts per group; $6 names the column (one of three fixed choices, never client text) */
static const char stats_sql[] =
	"SELECT CASE $6 WHEN 'field' THEN i.field WHEN 'status' THEN i.status ELSE i.recognized_level END AS key,"
	" count(*) FROM initiatives i"
	" WHERE ($1::bigint IS NULL OR i.campaign_id = $1)"
	" AND ($2::bigint IS NULL OR ($3 AND i.unit_id IN " SQL_SUBTREE("$2") ") OR (NOT $3 AND i.unit_id = $2))"
	" AND ($4::int IS NULL OR i.year = $4)"
	" AND ($5::text IS NULL OR i.status = $5)"
	" GROUP BY 1 ORDER BY 2 DESC, 1";

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
	    !query_enum(&q, "status", initiative_statuses, &status, &r->err) ||
	    !query_enum(&q, "group_by", groupings, &group, &r->err) || !query_no_unknown(&q, &r->err))
		return -1;
	if (!group)
		group = "field";
	struct db_params p = {.n = 0};
	db_param_int_if(&p, has_campaign, campaign);
	db_param_int_if(&p, has_unit, unit);
	db_param_bool(&p, subtree);
	db_param_int_if(&p, has_year, year);
	db_param(&p, status);
	db_param(&p, group);
	PGresult *res = req_query(r, stats_sql, &p);
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

static const struct route routes[] = {
	{"GET", "/v1/stats/initiatives", initiatives_stats, ROUTE_QUERY, NULL},
};

const struct api_module initiative_stats_module = {.name = "initiative_stats", WITH(routes, routes)};
