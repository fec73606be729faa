/* The eligibility rule language (api/rule_expr.c): trees of all_of/any_of over the leaves of
 * API.md, each leaf's params checked, unknown leaf types kept as given, errors named by path,
 * the stored form, the award kinds a tree names. */
#include <string.h>
#include "api/rule_expr.h"
#include "tests/unit/check.h"

static bool read_text(const char *text, struct buf *out, struct buf *kinds, struct app_error *err)
{
	json_error_t jerr;
	json_t *expr = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!expr)
		return false;
	bool ok = rule_expr_read(expr, "rules[0].expr", out, kinds, err);
	json_decref(expr);
	return ok;
}

static bool has_error(const struct app_error *e, const char *field, const char *code)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].field, field) == 0 && strcmp(e->fields[i].code, code) == 0)
			return true;
	return false;
}

int main(void)
{
	/* Chiến sĩ thi đua cơ sở (Luật 2022, Điều 23): Lao động tiên tiến, and one of: an excellent
	 * rating, a recognised initiative, ... */
	static const char cstd_co_so[] =
		"{\"type\":\"all_of\",\"items\":["
		"{\"type\":\"title_in_years\",\"params\":{\"offset\":0,\"kind\":\"lao_dong_tien_tien\",\"years\":1,\"min_count\":1,"
		"\"consecutive\":false}},"
		"{\"type\":\"any_of\",\"items\":["
		"{\"type\":\"rating_in_years\",\"params\":{\"min_rating\":\"excellent\",\"years\":1,\"min_count\":1,\"consecutive\":false,"
		"\"offset\":0}},"
		"{\"type\":\"initiative_recognized\",\"params\":{\"min_scope\":\"unit\",\"count\":1,\"years\":1}},"
		"{\"type\":\"scientific_project\",\"params\":{\"accepted\":true}}]},"
		"{\"type\":\"not_twice\"}]}";
	struct buf out, kinds;
	buf_init(&out);
	buf_init(&kinds);
	struct app_error err = {0};
	CHECK(read_text(cstd_co_so, &out, &kinds, &err), "the co so tree reads (%s)", err.nfields ? err.fields[0].message : "");
	CHECK(strstr(out.data, "{\"type\":\"title_in_years\",\"params\":{\"kind\":\"lao_dong_tien_tien\",\"years\":1,"
			       "\"min_count\":1,\"consecutive\":false,\"offset\":0}}") != NULL,
	      "params in one order: %s", out.data);
	CHECK(strstr(out.data, "{\"type\":\"scientific_project\",\"params\":{\"accepted\":true}}") != NULL,
	      "an unknown leaf kept as given");
	CHECK(strstr(out.data, "{\"type\":\"not_twice\",\"params\":{}}") != NULL, "a leaf without params");
	CHECK(strcmp(kinds.data, "\"lao_dong_tien_tien\"") == 0, "the kinds named: %s", kinds.data);
	CHECK(rule_expr_known("members_share") && rule_expr_known("any_of") && !rule_expr_known("scientific_project"),
	      "known types");
	/* the stored form reads back to itself */
	struct buf again, kinds2;
	buf_init(&again);
	buf_init(&kinds2);
	CHECK(read_text(out.data, &again, &kinds2, &err) && strcmp(out.data, again.data) == 0, "stable stored form");
	buf_free(&again);
	buf_free(&kinds2);

	static const struct {
		const char *name, *expr, *field, *code;
	} bad[] = {
		{"not an object", "[]", "rules[0].expr", "type"},
		{"no type", "{\"params\":{}}", "rules[0].expr.type", "format"},
		{"a combinator without items", "{\"type\":\"all_of\"}", "rules[0].expr.items", "type"},
		{"empty items", "{\"type\":\"any_of\",\"items\":[]}", "rules[0].expr.items", "min_items"},
		{"params on a combinator", "{\"type\":\"all_of\",\"params\":{},\"items\":[{\"type\":\"not_twice\"}]}",
		 "rules[0].expr.params", "unknown_field"},
		{"a missing param", "{\"type\":\"title_in_years\",\"params\":{\"kind\":\"a_b\",\"years\":3,\"min_count\":3,\"consecutive\":true}}",
		 "rules[0].expr.params.offset", "required"},
		{"min_count over years", "{\"type\":\"title_in_years\",\"params\":{\"kind\":\"a_b\",\"years\":2,\"min_count\":3,"
		 "\"consecutive\":true,\"offset\":1}}", "rules[0].expr.params.min_count", "out_of_range"},
		{"a bad rating", "{\"type\":\"award_then_years\",\"params\":{\"kind\":\"a_b\",\"min_years\":5,\"min_rating\":\"best\"}}",
		 "rules[0].expr.params.min_rating", "enum"},
		{"an unknown param", "{\"type\":\"member_has\",\"params\":{\"kind\":\"a_b\",\"x\":1}}", "rules[0].expr.params.x",
		 "unknown_field"},
		{"members_share with both", "{\"type\":\"members_share\",\"params\":{\"kind\":\"a_b\",\"min_rating\":\"good\",\"min_pct\":70}}",
		 "rules[0].expr.params.kind", "required"},
		{"members_share with neither", "{\"type\":\"members_share\",\"params\":{\"min_pct\":70}}",
		 "rules[0].expr.params.kind", "required"},
		{"a pct over 100", "{\"type\":\"council_vote\",\"params\":{\"min_pct_of_members\":101}}",
		 "rules[0].expr.params.min_pct_of_members", "out_of_range"},
		{"a role not of a cluster", "{\"type\":\"leads_cluster\",\"params\":{\"roles\":[\"member\"]}}",
		 "rules[0].expr.params.roles", "enum"},
		{"no roles", "{\"type\":\"leads_cluster\",\"params\":{\"roles\":[]}}", "rules[0].expr.params.roles", "min_items"},
		{"a role twice", "{\"type\":\"leads_cluster\",\"params\":{\"roles\":[\"leader\",\"leader\"]}}",
		 "rules[0].expr.params.roles", "duplicate"},
		{"params of not_twice", "{\"type\":\"not_twice\",\"params\":{\"x\":1}}", "rules[0].expr.params", "unknown_field"},
		{"an unknown type's params not an object", "{\"type\":\"thing\",\"params\":[1]}", "rules[0].expr.params", "type"},
		{"deep inside", "{\"type\":\"any_of\",\"items\":[{\"type\":\"not_twice\"},{\"type\":\"quota_pct\",\"params\":{\"pct\":15,\"of\":\"x\"}}]}",
		 "rules[0].expr.items[1].params.of", "enum"},
		{"five levels", "{\"type\":\"all_of\",\"items\":[{\"type\":\"all_of\",\"items\":[{\"type\":\"all_of\",\"items\":["
		 "{\"type\":\"all_of\",\"items\":[{\"type\":\"not_twice\"}]}]}]}]}", "rules[0].expr.items[0].items[0].items[0].items[0]",
		 "too_deep"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct app_error e = {0};
		buf_reset(&out);
		buf_reset(&kinds);
		CHECK(!read_text(bad[i].expr, &out, &kinds, &e) && has_error(&e, bad[i].field, bad[i].code), "%s: %s %s (got %s %s)",
		      bad[i].name, bad[i].field, bad[i].code, e.nfields ? e.fields[0].field : "-", e.nfields ? e.fields[0].code : "-");
	}
	/* 41 nodes are too many */
	struct buf big;
	buf_init(&big);
	buf_puts(&big, "{\"type\":\"any_of\",\"items\":[");
	for (int g = 0; g < 5; g++) {
		buf_puts(&big, g ? ",{\"type\":\"all_of\",\"items\":[" : "{\"type\":\"all_of\",\"items\":[");
		for (int i = 0; i < 8; i++)
			buf_puts(&big, i ? ",{\"type\":\"not_twice\"}" : "{\"type\":\"not_twice\"}");
		buf_puts(&big, "]}");
	}
	buf_puts(&big, "]}");
	struct app_error e = {0};
	buf_reset(&out);
	CHECK(!read_text(big.data, &out, &kinds, &e) && e.nfields > 0 && strcmp(e.fields[0].code, "too_many") == 0,
	      "41 nodes refused");
	buf_free(&big);
	buf_free(&out);
	buf_free(&kinds);
	return check_done("rule_expr");
}
