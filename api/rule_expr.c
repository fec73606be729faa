#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/codes.h"
#include "api/rule_expr.h"
#include "lib/jsonin.h"

#define PATH_LEN 192
#define MAX_PARAMS 6
/* the params of a type this build does not know, as compact JSON: bounded as any text is (the
 * known types' params are a few numbers and codes) */
#define UNKNOWN_PARAMS_MAX 2000

static const char *const ratings[] = {"excellent", "good", "complete", NULL};
static const char *const scopes[] = {"unit", "sector", "province", "national", NULL};
static const char *const discipline_levels[] = {"reprimand", "warning", "demotion", "removal", "dismissal", NULL};
static const char *const quota_of[] = {"unit_people", "kind_holders", NULL};
static const char *const notice_by[] = {"proposer", "approver", "ministry", NULL};
static const char *const notice_before[] = {"council_meeting", "approval", NULL};
static const char *const cluster_roles[] = {"leader", "deputy", NULL};

#define KIND {"kind", JF_STRING, JF_REQUIRED, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC}
#define YEARS(name, max) {name, JF_INT, JF_REQUIRED, 1, max, NULL, NULL, NULL}
#define OFFSET {"offset", JF_INT, JF_REQUIRED, 0, 5, NULL, NULL, NULL}
#define CONSECUTIVE {"consecutive", JF_BOOL, JF_REQUIRED, 0, 0, NULL, NULL, NULL}
#define PCT(name) {name, JF_NUMBER, JF_REQUIRED, 0, 100, NULL, NULL, NULL}
#define CHOICE(name, list, flags) {name, JF_ENUM, flags, 0, 0, list, NULL, NULL}

/* what a leaf's params must be; `check` the rules across them */
struct leaf {
	const char *type;
	struct jfield params[MAX_PARAMS];
	int nparams;
	bool (*check)(const struct jvalue *v, const char *path, struct app_error *err);
};

static bool field_path(char out[PATH_LEN], const char *path, const char *name)
{
	int n = snprintf(out, PATH_LEN, "%s.params.%s", path, name);
	if (n < 0 || n >= PATH_LEN)
		out[0] = '\0';
	return true;
}

/* min_count of years: not more than the years */
static bool count_within_years(const struct jvalue *v, const char *path, struct app_error *err)
{
	char at[PATH_LEN];
	if (v[2].num > v[1].num && field_path(at, path, "min_count"))
		return app_error_field(err, at, "out_of_range", "min_count is more than the %lld years", v[1].num);
	return true;
}

/* members_share: a title or a rating, one of them */
static bool kind_or_rating(const struct jvalue *v, const char *path, struct app_error *err)
{
	char at[PATH_LEN];
	if (v[0].present == v[1].present && field_path(at, path, "kind"))
		return app_error_field(err, at, "required", "members_share counts holders of a kind or of a rating: one of them");
	return true;
}

/* leads_cluster: roles among leader and deputy, each once */
static bool roles_known(const struct jvalue *v, const char *path, struct app_error *err)
{
	char at[PATH_LEN];
	field_path(at, path, "roles");
	size_t i;
	json_t *role;
	if (json_array_size(v[0].list) == 0)
		return app_error_field(err, at, "min_items", "roles names leader, deputy or both");
	json_array_foreach(v[0].list, i, role) {
		bool known = false;
		for (const char *const *c = cluster_roles; *c; c++)
			known |= strcmp(*c, json_string_value(role)) == 0;
		if (!known)
			return app_error_field(err, at, "enum", "roles are leader and deputy");
	}
	return true;
}

static const struct leaf leaves[] = {
	/* held `kind` in min_count of the `years` years ending `offset` years before the proposal's */
	{"title_in_years", {KIND, YEARS("years", 30), YEARS("min_count", 30), CONSECUTIVE, OFFSET}, 5, count_within_years},
	{"rating_in_years", {CHOICE("min_rating", ratings, JF_REQUIRED), YEARS("years", 30), YEARS("min_count", 30),
			     CONSECUTIVE, OFFSET}, 5, count_within_years},
	{"award_then_years", {KIND, YEARS("min_years", 30), CHOICE("min_rating", ratings, JF_REQUIRED)}, 3, NULL},
	{"initiative_recognized", {CHOICE("min_scope", scopes, JF_REQUIRED), YEARS("count", 20), YEARS("years", 10)}, 3, NULL},
	{"members_share", {{"kind", JF_STRING, 0, 2, 48, NULL, snake_code_ok, SNAKE_CODE_DESC},
			   CHOICE("min_rating", ratings, 0), PCT("min_pct")}, 3, kind_or_rating},
	{"member_has", {KIND}, 1, NULL},
	{"leads_cluster", {{"roles", JF_STRING_LIST, JF_REQUIRED, 0, 2, NULL, NULL, NULL}}, 1, roles_known},
	{"no_discipline", {CHOICE("min_level", discipline_levels, JF_REQUIRED), YEARS("years", 10)}, 2, NULL},
	{"council_vote", {PCT("min_pct_of_members")}, 1, NULL},
	{"quota_pct", {PCT("pct"), CHOICE("of", quota_of, JF_REQUIRED)}, 2, NULL},
	{"public_notice", {YEARS("working_days", 60), CHOICE("by", notice_by, JF_REQUIRED),
			   CHOICE("before", notice_before, JF_REQUIRED)}, 3, NULL},
	{"not_twice", {{0}}, 0, NULL},
};

static const struct leaf *leaf_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof leaves / sizeof leaves[0]; i++)
		if (strcmp(leaves[i].type, type) == 0)
			return &leaves[i];
	return NULL;
}

bool rule_expr_known(const char *type)
{
	return leaf_of(type) || (type && (strcmp(type, "all_of") == 0 || strcmp(type, "any_of") == 0));
}

struct walk {
	struct buf *out, *kinds;
	struct app_error *err;
	int nodes;
};

static void write_params(struct walk *w, const struct leaf *l, const struct jvalue *v)
{
	buf_putc(w->out, '{');
	int n = 0;
	for (int i = 0; i < l->nparams; i++) {
		const struct jfield *f = &l->params[i];
		if (!v[i].present || v[i].is_null)
			continue;
		BUF_CAT(w->out, n++ ? ",\"" : "\"", f->name, "\":");
		if (f->type == JF_INT) {
			buf_json_int(w->out, v[i].num);
		} else if (f->type == JF_BOOL) {
			buf_puts(w->out, v[i].boolean ? "true" : "false");
		} else if (f->type == JF_NUMBER) {
			buf_puts(w->out, v[i].number);
		} else if (f->type == JF_STRING_LIST) {
			char *list = json_dumps(v[i].list, JSON_COMPACT);
			buf_puts(w->out, list ? list : "[]");
			free(list);
		} else {
			buf_json_str(w->out, v[i].str, v[i].len);
		}
		if (strcmp(f->name, "kind") == 0) {
			buf_puts(w->kinds, w->kinds->len ? "," : "");
			buf_json_str(w->kinds, v[i].str, v[i].len);
		}
	}
	buf_putc(w->out, '}');
}

static bool read_node(struct walk *w, json_t *node, const char *path, int depth);

static bool read_items(struct walk *w, json_t *items, const char *path, int depth)
{
	char at[PATH_LEN];
	snprintf(at, sizeof at, "%s.items", path);
	if (!json_is_array(items))
		return app_error_field(w->err, at, "type", "%s must be an array of rules", at);
	if (json_array_size(items) < 1 || json_array_size(items) > RULE_EXPR_MAX_ITEMS)
		return app_error_field(w->err, at, json_array_size(items) ? "too_many" : "min_items",
				       "%s holds 1 to %d rules", at, RULE_EXPR_MAX_ITEMS);
	bool ok = true;
	size_t i;
	json_t *item;
	buf_puts(w->out, ",\"items\":[");
	json_array_foreach(items, i, item) {
		int n = snprintf(at, sizeof at, "%s.items[%zu]", path, i);
		if (n < 0 || n >= (int)sizeof at)
			at[0] = '\0';
		if (i)
			buf_putc(w->out, ',');
		ok = read_node(w, item, at, depth + 1) && ok;
	}
	buf_putc(w->out, ']');
	return ok;
}

static bool read_node(struct walk *w, json_t *node, const char *path, int depth)
{
	char at[PATH_LEN];
	if (!json_is_object(node))
		return app_error_field(w->err, path, "type", "%s must be a rule object", path);
	if (++w->nodes > RULE_EXPR_MAX_NODES)
		return app_error_field(w->err, path, "too_many", "a rule tree has at most %d rules", RULE_EXPR_MAX_NODES);
	if (depth > RULE_EXPR_MAX_DEPTH)
		return app_error_field(w->err, path, "too_deep", "a rule tree has at most %d levels", RULE_EXPR_MAX_DEPTH);
	json_t *type = json_object_get(node, "type");
	snprintf(at, sizeof at, "%s.type", path);
	if (!json_is_string(type) || !snake_code_ok(json_string_value(type), json_string_length(type)))
		return app_error_field(w->err, at, "format", "%s must be a rule type " SNAKE_CODE_DESC, at);
	const char *t = json_string_value(type);
	bool combinator = strcmp(t, "all_of") == 0 || strcmp(t, "any_of") == 0;
	const char *key;
	json_t *value;
	json_object_foreach(node, key, value) {
		bool allowed = strcmp(key, "type") == 0 || strcmp(key, combinator ? "items" : "params") == 0;
		snprintf(at, sizeof at, "%s.%s", path, key);
		if (!allowed)
			return app_error_field(w->err, at, "unknown_field", "%s is not a field of a %s rule", at, t);
	}
	buf_puts(w->out, "{\"type\":");
	buf_json_cstr(w->out, t);
	if (combinator) {
		bool ok = read_items(w, json_object_get(node, "items"), path, depth);
		buf_putc(w->out, '}');
		return ok;
	}
	json_t *params = json_object_get(node, "params");
	snprintf(at, sizeof at, "%s.params", path);
	if (!params)
		params = json_object(); /* a rule without params: {} (not_twice) */
	else
		json_incref(params);
	bool ok = json_is_object(params);
	if (!ok)
		app_error_field(w->err, at, "type", "%s must be an object", at);
	const struct leaf *l = leaf_of(t);
	buf_puts(w->out, ",\"params\":");
	if (ok && l) {
		struct jvalue v[MAX_PARAMS];
		ok = (l->nparams == 0 ? json_object_size(params) == 0 || app_error_field(w->err, at, "unknown_field",
											"%s takes no params", t)
				      : jin_decode_at(params, at, l->params, (size_t)l->nparams, v, w->err)) &&
		     (!l->check || l->check(v, path, w->err));
		if (ok)
			write_params(w, l, l->nparams ? v : NULL);
	} else if (ok) {
		/* a type this build does not know: kept as given, reported unchecked */
		char *given = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
		if (given && strlen(given) > UNKNOWN_PARAMS_MAX)
			ok = app_error_field(w->err, at, "too_long", "%s of an unchecked type (%s) take at most %d bytes as JSON",
					     at, t, UNKNOWN_PARAMS_MAX);
		else
			buf_puts(w->out, given ? given : "{}");
		free(given);
	}
	json_decref(params);
	buf_putc(w->out, '}');
	return ok;
}

bool rule_expr_read(json_t *expr, const char *path, struct buf *out, struct buf *kinds, struct app_error *err)
{
	struct walk w = {out, kinds, err, 0};
	bool ok = read_node(&w, expr, path, 1);
	if (!buf_ok(out) || !buf_ok(kinds))
		return app_error_set(err, 503, "The service is short of memory.");
	return ok;
}
