/* The consistency rules of a report's figures: one table, one walk (api/report_rules.h). */
#include <math.h>
#include <stdio.h>
#include "api/report_rules.h"

enum relation_kind {
	AT_MOST,    /* field <= a: a part is not more than its whole */
	AT_LEAST,   /* field >= a */
	SUM_OF,     /* field = a + b */
};

static const struct rule {
	const char *field;      /* the figure the error names */
	enum relation_kind kind;
	const char *a, *b;
	const char *code;       /* the field error's code */
} rules[] = {
	{"petitions_eligible", AT_MOST, "petitions_received", NULL, "exceeds_total"},
	{"complaints_resolved", AT_MOST, "complaints_in_competence", NULL, "exceeds_total"},
	{"citizens_received", AT_LEAST, "reception_turns", NULL, "below_turns"},
	{"recovered_vnd", AT_MOST, "recovery_recommended_vnd", NULL, "exceeds_total"},
	{"recovered_land_m2", AT_MOST, "recovery_recommended_land_m2", NULL, "exceeds_total"},
	{"inspections_planned", AT_MOST, "inspections", NULL, "exceeds_total"},
	{"inspections_unplanned", AT_MOST, "inspections", NULL, "exceeds_total"},
	{"inspections", SUM_OF, "inspections_planned", "inspections_unplanned", "parts_sum"},
};

/* a figure in hundredths (figures have at most 2 decimals and are below 10^15) */
static bool cents(json_t *values, const char *code, long long *out, const char **text, char buf[32])
{
	json_t *v = code ? json_object_get(values, code) : NULL;
	if (json_is_integer(v)) {
		*out = json_integer_value(v) * 100;
		snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		*out = llround(json_real_value(v) * 100.0);
		snprintf(buf, 32, "%.2f", json_real_value(v));
	} else {
		return false;
	}
	*text = buf;
	return true;
}

bool report_rules_check(json_t *values, const char *prefix, struct app_error *err)
{
	bool ok = true;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const struct rule *rule = &rules[i];
		long long x, a, b = 0;
		const char *xt, *at, *bt = NULL;
		char xb[32], ab[32], bb[32], name[128];
		if (!cents(values, rule->field, &x, &xt, xb) || !cents(values, rule->a, &a, &at, ab) ||
		    (rule->b && !cents(values, rule->b, &b, &bt, bb)))
			continue;
		snprintf(name, sizeof name, "%svalues.%s", prefix, rule->field);
		if (rule->kind == AT_MOST && x > a) {
			ok = app_error_field(err, name, rule->code, "%s (%s) must not exceed %s (%s)", rule->field, xt,
					     rule->a, at);
		} else if (rule->kind == AT_LEAST && x < a) {
			ok = app_error_field(err, name, rule->code, "%s (%s) must not be less than %s (%s)", rule->field,
					     xt, rule->a, at);
		} else if (rule->kind == SUM_OF && x != a + b) {
			ok = app_error_field(err, name, rule->code, "%s (%s) must equal %s + %s (%s + %s)", rule->field, xt,
					     rule->a, rule->b, at, bt);
		}
	}
	return ok;
}
