/* An evaluation's results: made once, at close, from the reports, targets, initiatives, score
 * sheets, bonus and penalty points and ballots as they are then, and kept
 * (evaluation_results); GET /v1/evaluations/{id}/results answers them as kept — JSON, or the
 * ranking as CSV or XLSX. Before close it shows only how many ballots are cast and the caller's
 * own unit's score sheet.
 *
 * A member's points on each criterion (API.md "Evaluations"): quantitative leaves by the formula
 * of api/evaluation_scoring.c; fixed ones points_each × the count; bonus and penalty as the
 * runners gave them; qualitative ones as each other member scored it. Each other member that
 * scored the unit makes one total of the tree with its points (groups capped); the unit's
 * cluster_score is the mean of those totals, and each criterion's points in the breakdown the
 * mean of that criterion's points in them (both rounded half up to hundredths). A unit nobody
 * else scored has one total, with 0 on its qualitative criteria. Its self_score is the total made
 * with its own points for itself (null when it gave none). The ranking: cluster_score, then votes,
 * highest first; units equal in both share a rank (1, 2, 2, 4), listed by unit id. proposable:
 * votes / members ≥ vote_threshold_pct. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/evaluation_scoring.h"
#include "api/evaluations.h"
#include "api/tabular.h"
#include "lib/answer_cache.h"

/* $1 cluster, $2 year: the members' accepted yearly figures for the indicators $3, a ratio's as
 * 100·numerator over denominator */
DB_STMT(results_actuals, "SELECT r.unit_id, i.code,"
	" CASE WHEN i.kind = 'base' THEN r.figures ->> i.code ELSE (100 * (r.figures ->> i.numerator)::numeric)::text END,"
	" CASE WHEN i.kind = 'ratio' THEN r.figures ->> i.denominator END"
	" FROM reports r JOIN indicators i ON i.code = ANY($3::text[])"
	" WHERE r.unit_id IN (SELECT m.unit_id FROM cluster_members m WHERE m.cluster_id = $1 AND m.year = $2)"
	" AND r.year = $2 AND r.span = 'year' AND r.status = 'accepted'"
	" AND (i.kind = 'base' AND r.figures ? i.code OR i.kind = 'ratio' AND r.figures ? i.numerator"
	" AND r.figures ? i.denominator)");
/* their targets: of the evaluation's campaign $3, or of any campaign the cluster is in; a
 * unit's latest submitted registration of the year */
DB_STMT(results_targets, "SELECT DISTINCT ON (g.unit_id, t ->> 'indicator_code') g.unit_id, t ->> 'indicator_code',"
	" (t -> 'target')::text"
	" FROM registrations g CROSS JOIN LATERAL jsonb_array_elements(g.targets) AS t"
	" WHERE g.unit_id IN (SELECT m.unit_id FROM cluster_members m WHERE m.cluster_id = $1 AND m.year = $2)"
	" AND g.year = $2 AND g.status = 'submitted'"
	" AND CASE WHEN $3::bigint IS NULL"
	" THEN g.campaign_id IN (SELECT cc.campaign_id FROM campaign_clusters cc WHERE cc.cluster_id = $1)"
	" ELSE g.campaign_id = $3 END"
	" ORDER BY g.unit_id, t ->> 'indicator_code', g.id DESC");
DB_STMT(results_initiatives, "SELECT unit_id, count(*) FROM initiatives WHERE year = $2 AND status = 'recognized'"
	" AND unit_id IN (SELECT m.unit_id FROM cluster_members m WHERE m.cluster_id = $1 AND m.year = $2) GROUP BY unit_id");
DB_STMT(results_scores, "SELECT scorer_unit_id, target_unit_id, criterion_code, points FROM evaluation_scores"
	" WHERE evaluation_id = $1");
DB_STMT(results_adjustments, "SELECT unit_id, criterion_code, points, reason FROM evaluation_adjustments"
	" WHERE evaluation_id = $1");
DB_STMT(results_tally, "SELECT unit_id, count(*) FROM evaluation_ballot_choices WHERE evaluation_id = $1 GROUP BY unit_id");
DB_STMT(results_names, "SELECT u.id, u.code, u.name FROM units u"
	" JOIN cluster_members m ON m.unit_id = u.id AND m.cluster_id = $1 AND m.year = $2");
DB_STMT(results_seal, "SELECT tdkt_evaluation_seal($1)");
DB_STMT(results_save, "INSERT INTO evaluation_results (evaluation_id, results) VALUES ($1, $2::json)");
DB_STMT(results_kept, "SELECT results FROM evaluation_results WHERE evaluation_id = $1");
DB_STMT(results_status, "SELECT status, version FROM evaluations WHERE id = $1");
DB_STMT(results_voters, "SELECT count(*) FROM evaluation_voters WHERE evaluation_id = $1");
DB_STMT(results_own, "SELECT coalesce(jsonb_agg(jsonb_build_object('target_unit_id', target_unit_id,"
	" 'criterion_code', criterion_code, 'points', points) ORDER BY target_unit_id, criterion_code), '[]')"
	" FROM evaluation_scores WHERE evaluation_id = $1 AND scorer_unit_id = $2");
static const struct db_stmt *const stmts[] = {
	&sql_results_actuals, &sql_results_targets, &sql_results_initiatives, &sql_results_scores, &sql_results_adjustments,
	&sql_results_tally, &sql_results_names, &sql_results_seal, &sql_results_save, &sql_results_kept,
	&sql_results_voters, &sql_results_own, &sql_results_status,
};

/* everything a close reads, and what it makes, for M members and N criteria */
struct tally {
	const struct evaluation *ev;
	int m, n;
	long long *base;        /* [m][n]: every leaf's points but the qualitative ones */
	long long *scores;      /* [s][t][n]: scorer s's points for t (qualitative leaves) */
	bool *scored;           /* [s][t] */
	long long *mean;        /* [m][n]: the breakdown */
	long long *total, *self, *votes;
	bool *has_self;
	int *scorers;           /* how many other members scored each */
	struct quant_score *quant; /* [n][m] for quantitative leaves */
	double *best;           /* [n] */
	const char **actual, **per, **target; /* [n][m], borrowed from the results read */
	long long *count;       /* [n][m]: a fixed leaf's count */
	const char **reason;    /* [m][n]: a bonus or penalty's */
	const char **code, **name; /* [m] */
	long long ballots;
};

static int member_index(const struct evaluation *ev, long long unit)
{
	int lo = 0, hi = ev->nmembers - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (ev->members[mid] == unit)
			return mid;
		if (ev->members[mid] < unit)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void tally_free(struct tally *t)
{
	void *owned[] = {t->base, t->scores, t->scored, t->mean, t->total, t->self, t->votes, t->has_self, t->scorers,
			 t->quant, t->best, t->actual, t->per, t->target, t->count, t->reason, t->code, t->name};
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
}

static bool tally_alloc(struct tally *t)
{
	size_t m = (size_t)t->m, n = (size_t)t->n, mn = m * n + 1;
	t->base = calloc(mn, sizeof *t->base);
	t->scores = calloc(m * m * n + 1, sizeof *t->scores);
	t->scored = calloc(m * m + 1, sizeof *t->scored);
	t->mean = calloc(mn, sizeof *t->mean);
	t->total = calloc(m + 1, sizeof *t->total);
	t->self = calloc(m + 1, sizeof *t->self);
	t->votes = calloc(m + 1, sizeof *t->votes);
	t->has_self = calloc(m + 1, sizeof *t->has_self);
	t->scorers = calloc(m + 1, sizeof *t->scorers);
	t->quant = calloc(mn, sizeof *t->quant);
	t->best = calloc(n + 1, sizeof *t->best);
	t->actual = calloc(mn, sizeof *t->actual);
	t->per = calloc(mn, sizeof *t->per);
	t->target = calloc(mn, sizeof *t->target);
	t->count = calloc(mn, sizeof *t->count);
	t->reason = calloc(mn, sizeof *t->reason);
	t->code = calloc(m + 1, sizeof *t->code);
	t->name = calloc(m + 1, sizeof *t->name);
	return t->base && t->scores && t->scored && t->mean && t->total && t->self && t->votes && t->has_self &&
	       t->scorers && t->quant && t->best && t->actual && t->per && t->target && t->count && t->reason &&
	       t->code && t->name;
}

/* {"inspections","cases"}: the indicators the criteria read */
static void indicator_array(const struct criteria *c, struct buf *out)
{
	buf_putc(out, '{');
	int k = 0;
	for (int i = 0; i < c->n; i++)
		if (c->node[i].indicator[0])
			BUF_CAT(out, k++ ? "," : "", c->node[i].indicator);
	buf_putc(out, '}');
}

/* the reports' actuals, the targets and the counts into the leaves that read them */
static void fill_facts(struct tally *t, PGresult *actuals, PGresult *targets, PGresult *initiatives)
{
	const struct criteria *c = t->ev->criteria;
	for (int j = 0; j < c->n; j++) {
		const struct criterion *node = &c->node[j];
		for (int i = 0; node->indicator[0] && i < PQntuples(actuals); i++) {
			int m = member_index(t->ev, strtoll(PQgetvalue(actuals, i, 0), NULL, 10));
			if (m < 0 || strcmp(PQgetvalue(actuals, i, 1), node->indicator) != 0)
				continue;
			t->actual[j * t->m + m] = PQgetvalue(actuals, i, 2);
			t->per[j * t->m + m] = PQgetisnull(actuals, i, 3) ? NULL : PQgetvalue(actuals, i, 3);
		}
		for (int i = 0; node->kind == CK_QUANTITATIVE && i < PQntuples(targets); i++) {
			int m = member_index(t->ev, strtoll(PQgetvalue(targets, i, 0), NULL, 10));
			if (m >= 0 && strcmp(PQgetvalue(targets, i, 1), node->indicator) == 0)
				t->target[j * t->m + m] = PQgetvalue(targets, i, 2);
		}
		for (int i = 0; node->initiatives && i < PQntuples(initiatives); i++) {
			int m = member_index(t->ev, strtoll(PQgetvalue(initiatives, i, 0), NULL, 10));
			if (m >= 0)
				t->count[j * t->m + m] = strtoll(PQgetvalue(initiatives, i, 1), NULL, 10);
		}
	}
}

/* every leaf's points but the qualitative ones, for every member */
static bool score_leaves(struct app_error *err, struct tally *t, PGresult *adjustments)
{
	const struct criteria *c = t->ev->criteria;
	struct quant_member *in = calloc((size_t)t->m + 1, sizeof *in);
	if (!in)
		return app_error_set(err, 503, "The service is short of memory.");
	bool ok = true;
	for (int j = 0; j < c->n && ok; j++) {
		const struct criterion *node = &c->node[j];
		if (node->kind == CK_QUANTITATIVE) {
			for (int m = 0; m < t->m; m++)
				in[m] = (struct quant_member){t->actual[j * t->m + m], t->per[j * t->m + m], t->target[j * t->m + m]};
			ok = quant_score_members(node->max_text, in, t->m, &t->quant[j * t->m], &t->best[j]);
			for (int m = 0; ok && m < t->m; m++)
				t->base[m * t->n + j] = t->quant[j * t->m + m].points;
		} else if (node->kind == CK_FIXED) {
			for (int m = 0; m < t->m; m++) {
				long long n = t->count[j * t->m + m];
				if (!node->initiatives) {
					/* an indicator's figure, whole: the count of what it counts */
					const char *a = t->actual[j * t->m + m];
					n = a && !t->per[j * t->m + m] ? strtoll(a, NULL, 10) : 0;
					t->count[j * t->m + m] = n;
				}
				/* a count of 10^15 times 100 points: past the maximum, without overflowing */
				long long p;
				if (n < 0)
					p = 0;
				else if (__builtin_mul_overflow(n, node->each, &p) || p > node->max)
					p = node->max;
				t->base[m * t->n + j] = p;
			}
		}
	}
	free(in);
	for (int i = 0; ok && i < PQntuples(adjustments); i++) {
		int m = member_index(t->ev, strtoll(PQgetvalue(adjustments, i, 0), NULL, 10));
		int j = criteria_find(c, PQgetvalue(adjustments, i, 1));
		long long p;
		if (m < 0 || j < 0 || !decimal_hundredths(PQgetvalue(adjustments, i, 2), &p))
			continue; /* a member who left the cluster-year, a criterion edited away: nothing to add */
		t->base[m * t->n + j] = p;
		t->reason[m * t->n + j] = PQgetvalue(adjustments, i, 3);
	}
	if (!ok)
		return app_error_set(err, 500, "An internal error occurred.");
	return true;
}

static long long mean_of(long long sum, long long k)
{
	if (k <= 1)
		return sum;
	return sum >= 0 ? (2 * sum + k) / (2 * k) : -((-2 * sum + k) / (2 * k));
}

/* scorer s's sheet for u (s < 0: nobody's, qualitative criteria at 0) into leaves; its total */
static long long sheet_total(const struct tally *t, int s, int u, long long *leaves)
{
	const struct criteria *c = t->ev->criteria;
	size_t m = (size_t)t->m, n = (size_t)t->n;
	for (size_t j = 0; j < n; j++)
		leaves[j] = c->node[j].kind != CK_QUALITATIVE ? t->base[(size_t)u * n + j]
			    : s < 0			       ? 0
							       : t->scores[((size_t)s * m + (size_t)u) * n + j];
	return criteria_sum(c, leaves);
}

/* each member's totals by every other member that scored it, their means, its self-score */
static bool sum_up(struct app_error *err, struct tally *t, PGresult *scores)
{
	const struct criteria *c = t->ev->criteria;
	size_t m = (size_t)t->m, n = (size_t)t->n;
	for (int i = 0; i < PQntuples(scores); i++) {
		int s = member_index(t->ev, strtoll(PQgetvalue(scores, i, 0), NULL, 10));
		int u = member_index(t->ev, strtoll(PQgetvalue(scores, i, 1), NULL, 10));
		int j = criteria_find(c, PQgetvalue(scores, i, 2));
		long long p;
		if (s < 0 || u < 0 || j < 0 || !decimal_hundredths(PQgetvalue(scores, i, 3), &p))
			continue; /* a unit no longer a member, a criterion edited away: it does not count */
		t->scores[((size_t)s * m + (size_t)u) * n + (size_t)j] = p;
		t->scored[(size_t)s * m + (size_t)u] = true;
	}
	long long *leaves = calloc(n + 1, sizeof *leaves), *sums = calloc(n + 1, sizeof *sums);
	if (!leaves || !sums) {
		free(leaves);
		free(sums);
		return app_error_set(err, 503, "The service is short of memory.");
	}
	for (int u = 0; u < t->m; u++) {
		memset(sums, 0, n * sizeof *sums);
		long long sum = 0, k = 0;
		int others = 0;
		for (int s = 0; s <= t->m; s++) {
			/* the other members that scored u; after them, nobody's sheet if none did */
			bool other = s < t->m && s != u && t->scored[(size_t)s * m + (size_t)u];
			if (!other && !(s == t->m && k == 0))
				continue;
			others += other;
			sum += sheet_total(t, other ? s : -1, u, leaves);
			for (size_t j = 0; j < n; j++)
				sums[j] += leaves[j];
			k++;
		}
		t->scorers[u] = others;
		t->total[u] = mean_of(sum, k);
		for (size_t j = 0; j < n; j++)
			t->mean[(size_t)u * n + j] = mean_of(sums[j], k);
		if ((t->has_self[u] = t->scored[(size_t)u * m + (size_t)u]))
			t->self[u] = sheet_total(t, u, u, leaves);
	}
	free(leaves);
	free(sums);
	return true;
}

/* 12.5 hundredths-exact: "12.50" (a JSON number) */
static void points(struct buf *b, long long h)
{
	if (h < 0) {
		buf_putc(b, '-');
		h = -h;
	}
	buf_printf(b, "%lld.%02lld", h / 100, h % 100);
}

static void detail(struct buf *b, const struct tally *t, int u, int j)
{
	const struct criterion *node = &t->ev->criteria->node[j];
	size_t at = (size_t)j * (size_t)t->m + (size_t)u;
	switch (node->kind) {
	case CK_QUANTITATIVE: {
		const struct quant_score *q = &t->quant[at];
		BUF_CAT(b, "{\"reason\":\"", quant_reason_name(q->reason), "\"");
		if (t->actual[at] && q->reason != QUANT_NO_REPORT) {
			double a = strtod(t->actual[at], NULL), per = t->per[at] ? strtod(t->per[at], NULL) : 1;
			buf_printf(b, ",\"actual\":%.2f", per != 0 ? a / per : 0);
		}
		if (t->target[at])
			BUF_CAT(b, ",\"target\":", t->target[at]);
		if (q->reason <= QUANT_BEST)
			buf_printf(b, ",\"ratio\":%.4f", q->ratio);
		if (q->reason == QUANT_ABOVE || q->reason == QUANT_BEST)
			buf_printf(b, ",\"best_ratio\":%.4f", t->best[j]);
		buf_putc(b, '}');
		return;
	}
	case CK_QUALITATIVE:
		buf_printf(b, "{\"scorers\":%d}", t->scorers[u]);
		return;
	case CK_FIXED:
		buf_printf(b, "{\"count\":%lld,\"points_each\":", t->count[at]);
		points(b, node->each);
		buf_putc(b, '}');
		return;
	case CK_BONUS:
	case CK_PENALTY:
		if (t->reason[(size_t)u * (size_t)t->n + (size_t)j]) {
			buf_puts(b, "{\"reason\":");
			buf_json_cstr(b, t->reason[(size_t)u * (size_t)t->n + (size_t)j]);
			buf_putc(b, '}');
			return;
		}
		break;
	default:
		break;
	}
	buf_puts(b, "null");
}

/* does u rank before v: cluster_score, then votes, highest first; then unit id */
static bool ranks_before(const struct tally *t, int u, int v)
{
	if (t->total[u] != t->total[v])
		return t->total[u] > t->total[v];
	if (t->votes[u] != t->votes[v])
		return t->votes[u] > t->votes[v];
	return t->ev->members[u] < t->ev->members[v];
}

static void write_results(const struct tally *t, struct buf *b)
{
	const struct evaluation *ev = t->ev;
	int *order = calloc((size_t)t->m + 1, sizeof *order);
	if (!order) {
		buf_free(b); /* an out-of-memory buffer: the caller answers 503 */
		return;
	}
	/* an insertion sort: a cluster has dozens of members, and qsort takes no context */
	for (int i = 0; i < t->m; i++) {
		int j = i;
		for (; j > 0 && ranks_before(t, i, order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	buf_printf(b, "{\"evaluation_id\":%lld,\"status\":\"closed\",\"members\":%d,\"ballots_cast\":%lld,"
		      "\"vote_threshold_pct\":", ev->id, t->m, t->ballots);
	points(b, ev->threshold);
	buf_puts(b, ",\"ranking\":[");
	int rank = 0;
	for (int k = 0; k < t->m; k++) {
		int u = order[k];
		if (k == 0 || t->total[u] != t->total[order[k - 1]] || t->votes[u] != t->votes[order[k - 1]])
			rank = k + 1;
		buf_printf(b, "%s{\"unit_id\":%lld,\"unit_code\":", k ? "," : "", ev->members[u]);
		buf_json_cstr(b, t->code[u]);
		buf_puts(b, ",\"unit_name\":");
		buf_json_cstr(b, t->name[u]);
		buf_printf(b, ",\"rank\":%d,\"cluster_score\":", rank);
		points(b, t->total[u]);
		buf_puts(b, ",\"self_score\":");
		if (t->has_self[u])
			points(b, t->self[u]);
		else
			buf_puts(b, "null");
		/* votes·100/members, half up to hundredths; proposable: votes·100 ≥ threshold·members */
		long long pct = t->m ? (t->votes[u] * 10000 * 2 + t->m) / (2LL * t->m) : 0;
		buf_printf(b, ",\"scorers\":%d,\"votes\":%lld,\"vote_pct\":", t->scorers[u], t->votes[u]);
		points(b, pct);
		buf_printf(b, ",\"proposable\":%s,\"breakdown\":[",
			   t->votes[u] * 10000 >= ev->threshold * (long long)t->m ? "true" : "false");
		for (int j = 0; j < t->n; j++) {
			buf_puts(b, j ? ",{\"criterion_code\":" : "{\"criterion_code\":");
			buf_json_cstr(b, ev->criteria->node[j].code);
			buf_puts(b, ",\"points\":");
			points(b, t->mean[(size_t)u * (size_t)t->n + (size_t)j]);
			buf_puts(b, ",\"detail\":");
			detail(b, t, u, j);
			buf_putc(b, '}');
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}");
	free(order);
}

bool evaluation_close(struct db_conn *db, long long id, struct app_error *err)
{
	struct evaluation ev;
	struct tally t = {0};
	struct buf codes, results;
	char idt[24], year[24], campaign[24];
	PGresult *res[7] = {NULL};
	bool ok = false;
	buf_init(&codes);
	buf_init(&results);
	if (!evaluation_load_id(db, id, EVAL_READ, &ev, err))
		return false;
	t.ev = &ev;
	t.m = ev.nmembers;
	t.n = ev.criteria->n;
	indicator_array(ev.criteria, &codes);
	const char *facts[] = {id_text(ev.cluster, idt), id_text(ev.year, year), codes.data};
	const char *target[] = {idt, year, ev.has_campaign ? id_text(ev.campaign, campaign) : NULL};
	char eid[24];
	const char *mine[] = {id_text(id, eid)};
	if (!buf_ok(&codes) || !tally_alloc(&t)) {
		app_error_set(err, 503, "The service is short of memory.");
		goto out;
	}
	if (!(res[0] = db_run(db, &sql_results_actuals, 3, facts, NULL, err)) ||
	    !(res[1] = db_run(db, &sql_results_targets, 3, target, NULL, err)) ||
	    !(res[2] = db_run(db, &sql_results_initiatives, 2, facts, NULL, err)) ||
	    !(res[3] = db_run(db, &sql_results_scores, 1, mine, NULL, err)) ||
	    !(res[4] = db_run(db, &sql_results_adjustments, 1, mine, NULL, err)) ||
	    !(res[5] = db_run(db, &sql_results_tally, 1, mine, NULL, err)) ||
	    !(res[6] = db_run(db, &sql_results_names, 2, facts, NULL, err)))
		goto out;
	for (int i = 0; i < PQntuples(res[5]); i++) {
		int u = member_index(&ev, strtoll(PQgetvalue(res[5], i, 0), NULL, 10));
		if (u >= 0)
			t.votes[u] = strtoll(PQgetvalue(res[5], i, 1), NULL, 10);
	}
	for (int i = 0; i < PQntuples(res[6]); i++) {
		int u = member_index(&ev, strtoll(PQgetvalue(res[6], i, 0), NULL, 10));
		if (u >= 0) {
			t.code[u] = PQgetvalue(res[6], i, 1);
			t.name[u] = PQgetvalue(res[6], i, 2);
		}
	}
	PGresult *voters = db_run(db, &sql_results_voters, 1, mine, NULL, err);
	if (!voters)
		goto out;
	t.ballots = strtoll(PQgetvalue(voters, 0, 0), NULL, 10);
	PQclear(voters);
	fill_facts(&t, res[0], res[1], res[2]);
	if (!score_leaves(err, &t, res[4]) || !sum_up(err, &t, res[3]))
		goto out;
	write_results(&t, &results);
	if (!buf_ok(&results)) {
		app_error_set(err, 503, "The service is short of memory.");
		goto out;
	}
	const char *store[] = {eid, results.data};
	PGresult *saved = db_run(db, &sql_results_save, 2, store, NULL, err);
	PGresult *sealed = saved ? db_run(db, &sql_results_seal, 1, mine, NULL, err) : NULL;
	ok = saved && sealed;
	PQclear(saved);
	PQclear(sealed);
out:
	for (size_t i = 0; i < sizeof res / sizeof res[0]; i++)
		PQclear(res[i]);
	tally_free(&t);
	buf_free(&codes);
	buf_free(&results);
	evaluation_free(&ev);
	return ok;
}

/* the ranking as a table (CSV, XLSX) */
static bool fill_ranking(struct table *tb, const void *ctx)
{
	json_t *ranking = json_object_get((json_t *)ctx, "ranking");
	static const char *const head[] = {"Hạng", "Mã đơn vị", "Đơn vị", "Điểm cụm chấm", "Điểm tự chấm", "Số phiếu",
					   "Tỷ lệ phiếu (%)", "Đủ điều kiện đề nghị"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		if (!table_cell(tb, head[i], false))
			return false;
	if (!table_end_row(tb))
		return false;
	size_t i;
	json_t *row;
	json_array_foreach(ranking, i, row) {
		char n[6][40];
		const char *cells[] = {tabular_number(json_object_get(row, "rank"), n[0]),
				       json_string_value(json_object_get(row, "unit_code")),
				       json_string_value(json_object_get(row, "unit_name")),
				       tabular_number(json_object_get(row, "cluster_score"), n[1]),
				       tabular_number(json_object_get(row, "self_score"), n[2]),
				       tabular_number(json_object_get(row, "votes"), n[3]),
				       tabular_number(json_object_get(row, "vote_pct"), n[4]),
				       json_is_true(json_object_get(row, "proposable")) ? "Có" : "Không"};
		const bool number[] = {true, false, false, true, true, true, true, false};
		for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
			if (!table_cell(tb, cells[c] ? cells[c] : "", number[c] && cells[c]))
				return false;
		if (!table_end_row(tb))
			return false;
	}
	return true;
}

/* Closed results never change: each instance keeps its answers' bytes, by evaluation and format
 * (lib/answer_cache.c), 32 of them or 256 MB. A 60-member result is about a megabyte; read from
 * the database and rebuilt each time it cost more than the 50 ms p99 at 16 connections allows. */
static struct answer_cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
	cache = answer_cache_new(32, (size_t)256 << 20);
}

/* the closed results of evaluation `id` (version `version`) in `format` */
static int closed_results(struct req *r, struct db_conn *db, long long id, long long version, enum tabular_format format)
{
	char note[ANSWER_NOTE_MAX], idt[24];
	if (format == TABULAR_JSON) {
		req_set_etag(r, version);
		if (req_not_modified(r, version)) {
			r->status = 304;
			return 0;
		}
	}
	pthread_once(&cache_once, cache_init);
	/* by version too: a database restored under a running instance is not answered from before */
	int variant = (int)format + 4 * (int)(version & 0xffffff);
	if (answer_cache_get(cache, id, variant, r->out, note)) {
		tabular_headers(r, format, note);
		return 0;
	}
	const char *params[] = {id_text(id, idt)};
	PGresult *res = db_run(db, &sql_results_kept, 1, params, NULL, &r->err);
	if (!res)
		return -1;
	int rc = -1;
	if (PQntuples(res) != 1) {
		rc = req_fail(r, 500, "An internal error occurred.");
	} else if (format == TABULAR_JSON) {
		buf_append(r->out, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
		rc = 0;
	} else {
		json_error_t jerr;
		json_t *kept = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
		char name[48];
		snprintf(name, sizeof name, "binh-xet-%lld", id);
		rc = kept ? tabular_answer(r, format, 8, fill_ranking, kept, name, "Xếp hạng")
			  : req_fail(r, 500, "An internal error occurred.");
		json_decref(kept);
	}
	PQclear(res);
	if (rc == 0 && buf_ok(r->out))
		answer_cache_put(cache, id, variant, r->out->data, r->out->len, r->disposition);
	return rc;
}

/* GET /v1/evaluations/{id}/results */
static int results(struct req *r)
{
	struct evaluation ev;
	struct db_conn *db;
	enum tabular_format format;
	char id[24], unit[24];
	long long eid;
	PGresult *res = NULL;
	if (!tabular_format(r, &format) || !req_path_id(r, "id", &eid) || !req_db(r, &db))
		return -1;
	const char *key[] = {id_text(eid, id)};
	if (!(res = db_run(db, &sql_results_status, 1, key, NULL, &r->err)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return req_fail(r, 404, "Evaluation %lld does not exist.", eid);
	}
	bool closed = strcmp(PQgetvalue(res, 0, 0), "closed") == 0;
	long long version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	res = NULL;
	if (closed)
		return closed_results(r, db, eid, version, format);
	/* before close: how many have voted, and the caller's own unit's scores */
	if (!evaluation_load(r, db, EVAL_READ, &ev))
		return -1;
	int rc = -1;
	PGresult *voters = NULL;
	const char *params[] = {id, id_text(r->caller.unit_id, unit)};
	if (format != TABULAR_JSON)
		req_fail(r, 409, "Evaluation %lld is %s: its ranking exists once it is closed.", ev.id, ev.status);
	else if ((voters = db_run(db, &sql_results_voters, 1, params, NULL, &r->err)) &&
		 (res = db_run(db, &sql_results_own, 2, params, NULL, &r->err))) {
		buf_printf(r->out, "{\"evaluation_id\":%lld,\"status\":\"%s\",\"members\":%d,\"ballots_cast\":%s,"
				   "\"ranking\":null,\"own_scores\":%s}",
			   ev.id, ev.status, ev.nmembers, PQgetvalue(voters, 0, 0),
			   evaluation_member(&ev, r->caller.unit_id) ? PQgetvalue(res, 0, 0) : "[]");
		rc = 0;
	}
	PQclear(voters);
	PQclear(res);
	evaluation_free(&ev);
	return rc;
}

static const struct route routes[] = {
	{"GET", "/v1/evaluations/{id}/results", results, ROUTE_OWN_TYPES, NULL},
};

const struct api_module evaluation_results_module = {.name = "evaluation_results", WITH(routes, routes), WITH(stmts, stmts)};
