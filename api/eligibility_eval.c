#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/eligibility_eval.h"

#define WINDOW_MAX 30

static int rank_of(const char *const *names, const char *name)
{
	for (int i = 0; name && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const char *const rating_names[] = {"incomplete", "complete", "good", "excellent", NULL};
static const char *const scope_names[] = {"unit", "sector", "province", "national", NULL};
static const char *const level_names[] = {"reprimand", "warning", "demotion", "removal", "dismissal", NULL};

int elig_rating_rank(const char *name)
{
	return rank_of(rating_names, name);
}

int elig_scope_rank(const char *name)
{
	return rank_of(scope_names, name);
}

int elig_level_rank(const char *name)
{
	return rank_of(level_names, name);
}

/* what one rule found: its result, detail (JSON object members) and evidence (JSON array items) */
struct found {
	enum tri passed;
	struct buf detail, evidence;
};

static long long param_int(json_t *params, const char *name)
{
	return json_integer_value(json_object_get(params, name));
}

static const char *param_str(json_t *params, const char *name)
{
	return json_string_value(json_object_get(params, name));
}

static void evidence(struct found *f, const char *what, long long id)
{
	buf_printf(&f->evidence, "%s{\"%s\":%lld}", f->evidence.len ? "," : "", what, id);
}

/* an award that counts as evidence for a merit rule: not ad hoc, not a campaign's (Nghị định 152/2025) */
static bool counts_for_merit(const struct elig_award *a)
{
	return strcmp(a->type, "ad_hoc") != 0 && strcmp(a->type, "campaign") != 0;
}

/* Of the window's years, those that hold (1), do not (0), or are not known (-1): true when `need`
 * of them hold (in a row, when consecutive), false when they cannot even counting the unknown. */
static enum tri window_result(const int *held, int n, long long need, bool consecutive, struct found *f)
{
	int yes = 0, maybe = 0, run = 0, best = 0, run_maybe = 0, best_maybe = 0;
	for (int i = 0; i < n; i++) {
		yes += held[i] == 1;
		maybe += held[i] != 0;
		run = held[i] == 1 ? run + 1 : 0;
		run_maybe = held[i] != 0 ? run_maybe + 1 : 0;
		best = run > best ? run : best;
		best_maybe = run_maybe > best_maybe ? run_maybe : best_maybe;
	}
	int have = consecutive ? best : yes, could = consecutive ? best_maybe : maybe;
	buf_printf(&f->detail, ",\"held\":%d,\"needed\":%lld,\"consecutive\":%s", have, need, consecutive ? "true" : "false");
	if (have >= need)
		return TRI_TRUE;
	if (could < need)
		return TRI_FALSE;
	buf_puts(&f->detail, ",\"reason\":\"a year of the window has no rating on record\"");
	return TRI_NULL;
}

/* the window [first, last] of `years` ending `offset` years before the proposal's */
static void window_of(const struct elig_facts *facts, json_t *params, int *first, int *last, struct found *f)
{
	long long years = param_int(params, "years"), offset = param_int(params, "offset");
	if (years > WINDOW_MAX)
		years = WINDOW_MAX;
	*last = facts->year - (int)offset;
	*first = *last - (int)years + 1;
	buf_printf(&f->detail, "\"from\":%d,\"to\":%d", *first, *last);
}

static enum tri title_in_years(const struct elig_facts *facts, json_t *params, struct found *f)
{
	int first, last, held[WINDOW_MAX] = {0};
	const char *kind = param_str(params, "kind");
	window_of(facts, params, &first, &last, f);
	for (int i = 0; i < facts->nawards; i++) {
		const struct elig_award *a = &facts->awards[i];
		if (strcmp(a->kind, kind) != 0 || a->year < first || a->year > last || !counts_for_merit(a))
			continue;
		if (!held[a->year - first])
			evidence(f, "award", a->id);
		held[a->year - first] = 1;
	}
	return window_result(held, last - first + 1, param_int(params, "min_count"),
			     json_is_true(json_object_get(params, "consecutive")), f);
}

/* a year's rating of at least min_rank: 1, lower 0, none on record -1 */
static void ratings_in(const struct elig_facts *facts, int first, int last, int min_rank, int *held, struct found *f)
{
	for (int y = first; y <= last; y++)
		held[y - first] = -1;
	for (int i = 0; i < facts->nratings; i++) {
		const struct elig_rating *r = &facts->ratings[i];
		if (r->year < first || r->year > last)
			continue;
		held[r->year - first] = r->rank >= min_rank;
		if (r->rank >= min_rank)
			evidence(f, "rating", r->id);
	}
}

static enum tri rating_in_years(const struct elig_facts *facts, json_t *params, struct found *f)
{
	int first, last, held[WINDOW_MAX];
	window_of(facts, params, &first, &last, f);
	ratings_in(facts, first, last, elig_rating_rank(param_str(params, "min_rating")), held, f);
	return window_result(held, last - first + 1, param_int(params, "min_count"),
			     json_is_true(json_object_get(params, "consecutive")), f);
}

/* holds `kind` (the latest before the proposal's year), then every year since rated at least
 * min_rating, at least min_years of them */
static enum tri award_then_years(const struct elig_facts *facts, json_t *params, struct found *f)
{
	const char *kind = param_str(params, "kind");
	const struct elig_award *latest = NULL;
	for (int i = 0; i < facts->nawards; i++) {
		const struct elig_award *a = &facts->awards[i];
		if (strcmp(a->kind, kind) == 0 && a->year < facts->year && counts_for_merit(a) && (!latest || a->year > latest->year))
			latest = a;
	}
	if (!latest) {
		buf_printf(&f->detail, "\"reason\":\"no %s before %d on record\"", kind, facts->year);
		return TRI_FALSE;
	}
	evidence(f, "award", latest->id);
	long long need = param_int(params, "min_years");
	int first = latest->year + 1, last = facts->year - 1, held[WINDOW_MAX];
	buf_printf(&f->detail, "\"award_year\":%d,\"from\":%d,\"to\":%d", latest->year, first, last);
	if (last - first + 1 < need) {
		buf_printf(&f->detail, ",\"needed\":%lld,\"reason\":\"fewer years since the award than needed\"", need);
		return TRI_FALSE;
	}
	if (last - first + 1 > WINDOW_MAX)
		first = last - WINDOW_MAX + 1;
	ratings_in(facts, first, last, elig_rating_rank(param_str(params, "min_rating")), held, f);
	/* every year since: all of them in a row */
	return window_result(held, last - first + 1, last - first + 1, true, f);
}

static enum tri initiative_recognized(const struct elig_facts *facts, json_t *params, struct found *f)
{
	int min_scope = elig_scope_rank(param_str(params, "min_scope"));
	long long need = param_int(params, "count"), years = param_int(params, "years");
	int first = facts->year - (int)years + 1, yes = 0, unknown = 0;
	buf_printf(&f->detail, "\"from\":%d,\"to\":%d", first, facts->year);
	for (int i = 0; i < facts->ninitiatives; i++) {
		const struct elig_initiative *n = &facts->initiatives[i];
		if (n->year < first || n->year > facts->year)
			continue;
		if (n->scope < 0) {
			unknown++;
		} else if (n->scope >= min_scope) {
			yes++;
			evidence(f, "initiative", n->id);
		}
	}
	buf_printf(&f->detail, ",\"recognized\":%d,\"needed\":%lld", yes, need);
	if (yes >= need)
		return TRI_TRUE;
	if (yes + unknown < need)
		return TRI_FALSE;
	buf_printf(&f->detail, ",\"reason\":\"%d recognised initiatives have no scope on record\"", unknown);
	return TRI_NULL;
}

static int count_of(const struct elig_count *c, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return c[i].holders;
	return 0;
}

static enum tri members_share(const struct elig_facts *facts, json_t *params, struct found *f)
{
	double pct = json_number_value(json_object_get(params, "min_pct"));
	const char *kind = param_str(params, "kind"), *rating = param_str(params, "min_rating");
	if (facts->members == 0) {
		buf_puts(&f->detail, "\"reason\":\"the unit has no people on record\"");
		return TRI_NULL;
	}
	int yes = 0, rated = 0;
	if (kind) {
		yes = count_of(facts->member_titles, facts->nmember_titles, kind);
		rated = facts->members;
	} else {
		int min = elig_rating_rank(rating);
		for (int i = 0; i < facts->nmember_ratings; i++) {
			int r = elig_rating_rank(facts->member_ratings[i].key);
			rated += facts->member_ratings[i].holders;
			yes += r >= min ? facts->member_ratings[i].holders : 0;
		}
	}
	int unknown = facts->members - rated;
	buf_printf(&f->detail, "\"members\":%d,\"holders\":%d,\"share_pct\":%.2f,\"needed_pct\":%.2f", facts->members, yes,
		   100.0 * yes / facts->members, pct);
	/* exact: holders·100 ≥ pct·members, pct given to hundredths */
	if (yes * 10000LL >= (long long)(pct * 100 + 0.5) * facts->members)
		return TRI_TRUE;
	if ((yes + unknown) * 10000LL < (long long)(pct * 100 + 0.5) * facts->members)
		return TRI_FALSE;
	buf_printf(&f->detail, ",\"reason\":\"%d people have no rating that year on record\"", unknown);
	return TRI_NULL;
}

static enum tri member_has(const struct elig_facts *facts, json_t *params, struct found *f)
{
	int n = count_of(facts->member_titles, facts->nmember_titles, param_str(params, "kind"));
	buf_printf(&f->detail, "\"holders\":%d,\"year\":%d", n, facts->year);
	return n > 0 ? TRI_TRUE : TRI_FALSE;
}

static enum tri leads_cluster(const struct elig_facts *facts, json_t *params, struct found *f)
{
	json_t *roles = json_object_get(params, "roles");
	buf_printf(&f->detail, "\"year\":%d", facts->year);
	for (int i = 0; i < facts->nleads; i++) {
		const struct elig_lead *l = &facts->leads[i];
		size_t k;
		json_t *role;
		json_array_foreach(roles, k, role) {
			if (l->year == facts->year && strcmp(json_string_value(role), l->role) == 0) {
				evidence(f, "cluster", l->cluster);
				buf_printf(&f->detail, ",\"role\":\"%s\"", l->role);
				return TRI_TRUE;
			}
		}
	}
	return TRI_FALSE;
}

static enum tri no_discipline(const struct elig_facts *facts, json_t *params, struct found *f)
{
	if (!facts->disciplines_visible) {
		buf_puts(&f->detail, "\"reason\":\"disciplines are personal data the caller may not read\"");
		return TRI_NULL;
	}
	int min = elig_level_rank(param_str(params, "min_level"));
	long long years = param_int(params, "years");
	int first = facts->year - (int)(years > WINDOW_MAX ? WINDOW_MAX : years) + 1;
	char start[32], end[32];
	snprintf(start, sizeof start, "%04d-01-01", first);
	snprintf(end, sizeof end, "%04d-12-31", facts->year);
	buf_printf(&f->detail, "\"from\":\"%s\",\"to\":\"%s\"", start, end);
	bool found = false;
	for (int i = 0; i < facts->ndisciplines; i++) {
		const struct elig_discipline *d = &facts->disciplines[i];
		bool in_force = strcmp(d->from, end) <= 0 && (!d->to || strcmp(d->to, start) >= 0);
		if (d->level >= min && (in_force || d->pending)) {
			evidence(f, "discipline", d->id);
			found = true;
		}
	}
	return found ? TRI_FALSE : TRI_TRUE;
}

/* one achievement is not rewarded twice nor by two forms (Luật 2022, Điều 5 khoản 2): the same kind
 * again for a period that holds the year, or another commendation for it, both as merit */
static enum tri not_twice(const struct elig_facts *facts, struct found *f)
{
	bool twice = false;
	const char *category = NULL;
	for (int i = 0; i < facts->nawards; i++)
		if (strcmp(facts->awards[i].kind, facts->kind) == 0)
			category = facts->awards[i].category;
	for (int i = 0; i < facts->nawards; i++) {
		const struct elig_award *a = &facts->awards[i];
		if (!counts_for_merit(a) || facts->year < a->from || facts->year > a->to)
			continue;
		bool same = strcmp(a->kind, facts->kind) == 0;
		bool other_form = !same && strcmp(a->category, "commendation") == 0 && category &&
				  strcmp(category, "commendation") == 0;
		if (same || other_form) {
			evidence(f, "award", a->id);
			twice = true;
		}
	}
	buf_printf(&f->detail, "\"year\":%d", facts->year);
	return twice ? TRI_FALSE : TRI_TRUE;
}

/* public_notice for a proposal: a notice by `by` of at least `working_days` working days that has
 * ended; one that runs still is null (it may yet hold), none or a shorter one false */
static enum tri public_notice(const struct elig_facts *facts, json_t *params, struct found *f)
{
	long long need = param_int(params, "working_days");
	const char *by = param_str(params, "by");
	buf_printf(&f->detail, "\"by\":\"%s\",\"working_days\":%lld", by ? by : "", need);
	enum tri result = TRI_FALSE;
	for (int i = 0; i < facts->nnotices; i++) {
		const struct elig_notice *n = &facts->notices[i];
		if (!by || strcmp(n->by, by) != 0 || n->working_days < need)
			continue;
		evidence(f, "dossier", n->dossier);
		buf_printf(&f->detail, ",\"until\":\"%s\"", n->until);
		if (n->ended)
			return TRI_TRUE;
		result = TRI_NULL;
	}
	if (result == TRI_NULL)
		buf_puts(&f->detail, ",\"reason\":\"the notice has not ended\"");
	return result;
}

/* what a rule of a dossier's procedure, or of a unit's own regulation, says without a proposal */
static enum tri procedural(const char *type, struct found *f)
{
	const char *why = strcmp(type, "council_vote") == 0   ? "counted on a proposal's evaluation or council ballot"
			  : strcmp(type, "quota_pct") == 0    ? "a unit's own quota, counted on its dossier"
			  : strcmp(type, "public_notice") == 0 ? "a step of the dossier's procedure"
							       : NULL;
	if (!why)
		return TRI_NULL;
	buf_printf(&f->detail, "\"reason\":\"%s\"", why);
	return TRI_NULL;
}

static enum tri leaf(const char *type, json_t *params, const struct elig_facts *facts, struct found *f)
{
	static const struct {
		const char *type;
		enum tri (*fn)(const struct elig_facts *, json_t *, struct found *);
		int who;        /* 0 any, 1 a person's rule, 2 a collective's */
		bool needs_kind; /* reads params.kind as a string */
	} known[] = {
		{"title_in_years", title_in_years, 0, true}, {"rating_in_years", rating_in_years, 0, false},
		{"award_then_years", award_then_years, 0, true}, {"initiative_recognized", initiative_recognized, 0, false},
		{"members_share", members_share, 2, false}, {"member_has", member_has, 2, true},
		{"leads_cluster", leads_cluster, 2, false}, {"no_discipline", no_discipline, 1, false},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcmp(known[i].type, type) != 0)
			continue;
		/* the API checks a rule on write (rule_expr_read); one written by SQL (a migration, an
		 * admin's hand) is not, and must not take the process down */
		if (!json_is_object(params) || (known[i].needs_kind && !json_is_string(json_object_get(params, "kind")))) {
			buf_puts(&f->detail, "\"reason\":\"the rule's parameters are malformed\"");
			return TRI_NULL;
		}
		if ((known[i].who == 1 && facts->collective) || (known[i].who == 2 && !facts->collective)) {
			buf_printf(&f->detail, "\"reason\":\"a rule for %s\"", known[i].who == 1 ? "individuals" : "collectives");
			return TRI_NULL;
		}
		return known[i].fn(facts, params, f);
	}
	if (strcmp(type, "not_twice") == 0)
		return not_twice(facts, f);
	if (strcmp(type, "public_notice") == 0 && facts->for_proposal)
		return public_notice(facts, params, f);
	enum tri procedure = procedural(type, f);
	if (f->detail.len == 0)
		buf_printf(&f->detail, "\"reason\":\"this build does not evaluate %s: to be checked by a person\"", type);
	return procedure;
}

static void write_check(struct buf *out, const char *path, const char *type, const char *basis, enum tri passed,
			const struct found *f)
{
	buf_puts(out, out->len ? ",{\"path\":" : "{\"path\":");
	buf_json_cstr(out, path);
	buf_puts(out, ",\"rule\":");
	buf_json_cstr(out, type);
	buf_puts(out, ",\"legal_basis\":");
	buf_json_cstr(out, basis);
	BUF_CAT(out, ",\"passed\":", passed == TRI_TRUE ? "true" : passed == TRI_FALSE ? "false" : "null", ",\"detail\":{");
	buf_append(out, f->detail.data ? f->detail.data : "", f->detail.len);
	buf_puts(out, "},\"evidence\":[");
	buf_append(out, f->evidence.data ? f->evidence.data : "", f->evidence.len);
	buf_puts(out, "]}");
}

static enum tri eval(json_t *node, const char *path, const struct elig_facts *facts, const char *basis, struct buf *out)
{
	const char *type = json_string_value(json_object_get(node, "type"));
	struct found f = {TRI_NULL, {0}, {0}};
	buf_init(&f.detail);
	buf_init(&f.evidence);
	if (!type)
		type = "";
	bool all = strcmp(type, "all_of") == 0, any = strcmp(type, "any_of") == 0;
	if (all || any) {
		struct buf below;
		buf_init(&below);
		int yes = 0, no = 0, unknown = 0;
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(node, "items"), i, item) {
			char at[192];
			snprintf(at, sizeof at, "%s.items[%zu]", path, i);
			enum tri t = eval(item, at, facts, basis, &below);
			yes += t == TRI_TRUE;
			no += t == TRI_FALSE;
			unknown += t == TRI_NULL;
		}
		/* all_of: false by any false, else null by any null; any_of: true by any true, else null by any null */
		f.passed = all ? (no ? TRI_FALSE : unknown ? TRI_NULL : TRI_TRUE) : (yes ? TRI_TRUE : unknown ? TRI_NULL : TRI_FALSE);
		buf_printf(&f.detail, "\"passed\":%d,\"failed\":%d,\"unknown\":%d", yes, no, unknown);
		write_check(out, path, type, basis, f.passed, &f);
		if (below.len) {
			buf_putc(out, ',');
			buf_append(out, below.data, below.len);
		}
		buf_free(&below);
	} else {
		f.passed = leaf(type, json_object_get(node, "params"), facts, &f);
		write_check(out, path, type, basis, f.passed, &f);
	}
	buf_free(&f.detail);
	buf_free(&f.evidence);
	return f.passed;
}

enum tri elig_evaluate(json_t *expr, const struct elig_facts *f, const char *legal_basis, struct buf *checks)
{
	return eval(expr, "expr", f, legal_basis ? legal_basis : "", checks);
}
