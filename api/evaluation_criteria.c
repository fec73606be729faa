#include <stdio.h>
#include <string.h>
#include "api/codes.h"
#include "api/evaluation_criteria.h"
#include "api/evaluation_scoring.h"
#include "lib/jsonin.h"

static const char *const kind_names[] = {"group", "quantitative", "qualitative", "fixed", "bonus", "penalty", NULL};
static const char *const count_names[] = {"recognized_initiatives", NULL};

enum { N_CODE, N_NAME, N_MAX, N_KIND, N_INDICATOR, N_EACH, N_COUNT, N_CHILDREN, N_FIELDS };
static const struct jfield node_specs[N_FIELDS] = {
	[N_CODE] = {"code", JF_STRING, JF_REQUIRED, 2, CRITERION_CODE_MAX, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[N_NAME] = {"name", JF_TEXT, JF_REQUIRED, 1, 300, NULL, NULL, NULL},
	[N_MAX] = {"max_points", JF_NUMBER, JF_REQUIRED, 0, 10000, NULL, NULL, NULL},
	[N_KIND] = {"kind", JF_ENUM, JF_REQUIRED, 0, 0, kind_names, NULL, NULL},
	[N_INDICATOR] = {"indicator_code", JF_STRING, 0, 2, CRITERION_CODE_MAX, NULL, snake_code_ok, SNAKE_CODE_DESC},
	[N_EACH] = {"points_each", JF_NUMBER, 0, 0, 10000, NULL, NULL, NULL},
	[N_COUNT] = {"count", JF_ENUM, 0, 0, 0, count_names, NULL, NULL},
	[N_CHILDREN] = {"children", JF_ARRAY, 0, 0, CRITERIA_MAX_NODES, NULL, NULL, NULL},
};

const char *criterion_kind_name(enum criterion_kind kind)
{
	return (unsigned)kind < CK_COUNT ? kind_names[kind] : NULL;
}

static enum criterion_kind kind_of(const char *s, size_t n)
{
	for (int k = 0; k < CK_COUNT; k++)
		if (strlen(kind_names[k]) == n && memcmp(kind_names[k], s, n) == 0)
			return (enum criterion_kind)k;
	return CK_COUNT;
}

/* which of a node's optional fields its kind needs (+1), allows (0) or refuses (-1) */
static const signed char needs[CK_COUNT][N_FIELDS] = {
	[CK_GROUP] = {[N_INDICATOR] = -1, [N_EACH] = -1, [N_COUNT] = -1, [N_CHILDREN] = 1},
	[CK_QUANTITATIVE] = {[N_INDICATOR] = 1, [N_EACH] = -1, [N_COUNT] = -1, [N_CHILDREN] = -1},
	[CK_QUALITATIVE] = {[N_INDICATOR] = -1, [N_EACH] = -1, [N_COUNT] = -1, [N_CHILDREN] = -1},
	[CK_FIXED] = {[N_INDICATOR] = 0, [N_EACH] = 1, [N_COUNT] = 0, [N_CHILDREN] = -1},
	[CK_BONUS] = {[N_INDICATOR] = -1, [N_EACH] = -1, [N_COUNT] = -1, [N_CHILDREN] = -1},
	[CK_PENALTY] = {[N_INDICATOR] = -1, [N_EACH] = -1, [N_COUNT] = -1, [N_CHILDREN] = -1},
};

static bool read_nodes(json_t *list, const char *path, int parent, int depth, struct criteria *c, struct app_error *err);

/* "path.name" into out (a tree of 3 levels has short paths: "criteria[199].children[9].children[0]") */
#define PATH_MAX_LEN 160
static void path_of(char out[PATH_MAX_LEN], const char *path, const char *name)
{
	int n = snprintf(out, PATH_MAX_LEN, "%s.%s", path, name);
	if (n < 0 || n >= PATH_MAX_LEN)
		out[0] = '\0';
}

static bool read_node(json_t *item, const char *path, int parent, int depth, struct criteria *c, struct app_error *err)
{
	struct jvalue v[N_FIELDS];
	if (!json_is_object(item))
		return app_error_field(err, path, "type", "%s must be an object", path);
	if (!jin_decode_at(item, path, node_specs, N_FIELDS, v, err))
		return false;
	char field[PATH_MAX_LEN];
	if (c->n == CRITERIA_MAX_NODES)
		return app_error_field(err, path, "too_many", "a tree has at most %d criteria", CRITERIA_MAX_NODES);
	enum criterion_kind kind = kind_of(v[N_KIND].str, v[N_KIND].len);
	bool ok = true;
	for (int f = N_INDICATOR; f < N_FIELDS; f++) {
		path_of(field, path, node_specs[f].name);
		if (needs[kind][f] > 0 && !v[f].present)
			ok = app_error_field(err, field, "required", "a %s criterion needs %s", kind_names[kind], node_specs[f].name);
		else if (needs[kind][f] < 0 && v[f].present)
			ok = app_error_field(err, field, "not_allowed", "a %s criterion has no %s", kind_names[kind],
					     node_specs[f].name);
	}
	if (kind == CK_FIXED && v[N_INDICATOR].present == v[N_COUNT].present) {
		path_of(field, path, "count");
		ok = app_error_field(err, field, "required", "a fixed criterion counts either an indicator_code or a count");
	}
	if (kind == CK_GROUP && v[N_CHILDREN].present && json_array_size(v[N_CHILDREN].list) == 0) {
		path_of(field, path, "children");
		ok = app_error_field(err, field, "min_items", "a group has at least one criterion");
	}
	if (kind == CK_GROUP && depth == CRITERIA_MAX_DEPTH) {
		path_of(field, path, "children");
		ok = app_error_field(err, field, "too_deep", "a tree has at most %d levels", CRITERIA_MAX_DEPTH);
	}
	path_of(field, path, "code");
	for (int i = 0; i < c->n; i++)
		if (strlen(c->node[i].code) == v[N_CODE].len && memcmp(c->node[i].code, v[N_CODE].str, v[N_CODE].len) == 0)
			ok = app_error_field(err, field, "duplicate", "code %s is already used in this tree", c->node[i].code);
	if (!ok)
		return false;
	struct criterion *n = &c->node[c->n];
	int self = c->n++;
	memset(n, 0, sizeof *n);
	memcpy(n->code, v[N_CODE].str, v[N_CODE].len);
	n->name = v[N_NAME].str;
	n->kind = kind;
	n->parent = parent;
	n->depth = depth;
	snprintf(n->max_text, sizeof n->max_text, "%s", v[N_MAX].number);
	if (!decimal_hundredths(v[N_MAX].number, &n->max) ||
	    (v[N_EACH].present && !decimal_hundredths(v[N_EACH].number, &n->each)))
		return app_error_field(err, path, "format", "%s has a number that is not a decimal", path);
	if (v[N_INDICATOR].present)
		memcpy(n->indicator, v[N_INDICATOR].str, v[N_INDICATOR].len);
	n->initiatives = v[N_COUNT].present;
	if (kind != CK_GROUP)
		return true;
	path_of(field, path, "children");
	return read_nodes(v[N_CHILDREN].list, field, self, depth + 1, c, err);
}

static bool read_nodes(json_t *list, const char *path, int parent, int depth, struct criteria *c, struct app_error *err)
{
	bool ok = true;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		char at[PATH_MAX_LEN];
		int n = snprintf(at, sizeof at, "%s[%zu]", path, i);
		if (n < 0 || n >= (int)sizeof at)
			at[0] = '\0';
		/* every node's errors, until the tree is known to be too big */
		ok = read_node(item, at, parent, depth, c, err) && ok;
		if (c->n == CRITERIA_MAX_NODES && i + 1 < json_array_size(list))
			return app_error_field(err, path, "too_many", "a tree has at most %d criteria", CRITERIA_MAX_NODES);
	}
	return ok;
}

bool criteria_read(json_t *tree, struct criteria *out, struct app_error *err)
{
	out->n = 0;
	if (!json_is_array(tree))
		return app_error_field(err, "criteria", "type", "criteria must be an array");
	return read_nodes(tree, "criteria", -1, 1, out, err);
}

int criteria_find(const struct criteria *c, const char *code)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->node[i].code, code) == 0)
			return i;
	return -1;
}

static void write_points(struct buf *out, long long hundredths)
{
	buf_printf(out, "%lld.%02lld", hundredths / 100, hundredths % 100);
}

/* node i and its descendants; returns the index after them */
static int write_node(const struct criteria *c, int i, struct buf *out)
{
	const struct criterion *n = &c->node[i];
	buf_puts(out, "{\"code\":");
	buf_json_cstr(out, n->code);
	buf_puts(out, ",\"name\":");
	buf_json_cstr(out, n->name);
	buf_puts(out, ",\"max_points\":");
	write_points(out, n->max);
	BUF_CAT(out, ",\"kind\":\"", kind_names[n->kind], "\"");
	if (n->indicator[0]) {
		buf_puts(out, ",\"indicator_code\":");
		buf_json_cstr(out, n->indicator);
	}
	if (n->kind == CK_FIXED) {
		buf_puts(out, ",\"points_each\":");
		write_points(out, n->each);
	}
	if (n->initiatives)
		buf_puts(out, ",\"count\":\"recognized_initiatives\"");
	int next = i + 1;
	if (n->kind == CK_GROUP) {
		buf_puts(out, ",\"children\":[");
		for (bool first = true; next < c->n && c->node[next].parent == i; first = false) {
			if (!first)
				buf_putc(out, ',');
			next = write_node(c, next, out);
		}
		buf_putc(out, ']');
	}
	buf_putc(out, '}');
	return next;
}

void criteria_write(const struct criteria *c, struct buf *out)
{
	buf_putc(out, '[');
	for (int i = 0; i < c->n;) {
		if (i)
			buf_putc(out, ',');
		i = write_node(c, i, out);
	}
	buf_putc(out, ']');
}

static long long clamp(long long v, long long max)
{
	return v < 0 ? 0 : v > max ? max : v;
}

long long criteria_sum(const struct criteria *c, long long *points)
{
	for (int i = 0; i < c->n; i++)
		if (c->node[i].kind == CK_GROUP)
			points[i] = 0;
	long long total = 0;
	/* pre-order backwards: every node's descendants are done before it */
	for (int i = c->n - 1; i >= 0; i--) {
		const struct criterion *n = &c->node[i];
		points[i] = clamp(points[i], n->max);
		if (n->kind == CK_PENALTY)
			points[i] = -points[i];
		if (n->parent >= 0)
			points[n->parent] += points[i];
		else
			total += points[i];
	}
	return total;
}
