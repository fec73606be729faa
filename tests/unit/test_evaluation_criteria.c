/* An evaluation's criteria tree (api/evaluation_criteria.c): what a tree may be (kinds and their
 * fields, depth, size, unique codes), its stored form, and a unit's sum with caps and penalties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/evaluation_criteria.h"
#include "tests/unit/check.h"

/* the Cụm 1 sheet of the demo: two quantitative leaves under a group, a qualitative one, a bonus */
static const char demo[] =
	"[{\"code\":\"ket_qua\",\"name\":\"Kết quả thực hiện Kế hoạch 142\",\"max_points\":60,\"kind\":\"group\",\"children\":["
	"{\"code\":\"vu_viec\",\"name\":\"Số vụ việc\",\"max_points\":30,\"kind\":\"quantitative\",\"indicator_code\":\"cases_detected\"},"
	"{\"code\":\"vu_an\",\"name\":\"Số vụ án\",\"max_points\":30,\"kind\":\"quantitative\",\"indicator_code\":\"criminal_cases\"}]},"
	"{\"code\":\"phoi_hop\",\"name\":\"Phối hợp trong cụm\",\"max_points\":30.5,\"kind\":\"qualitative\"},"
	"{\"code\":\"sang_kien\",\"name\":\"Sáng kiến được công nhận\",\"max_points\":6,\"kind\":\"fixed\",\"points_each\":2,"
	"\"count\":\"recognized_initiatives\"},"
	"{\"code\":\"thuong\",\"name\":\"Điểm thưởng\",\"max_points\":5,\"kind\":\"bonus\"},"
	"{\"code\":\"tru\",\"name\":\"Điểm trừ\",\"max_points\":10,\"kind\":\"penalty\"}]";

/* the names stay borrowed from the trees read: kept until the end */
static json_t *kept[8];
static int nkept;

static bool read_text(const char *text, struct criteria *c, struct app_error *err)
{
	json_error_t jerr;
	json_t *tree = json_loads(text, 0, &jerr);
	if (!tree)
		return false;
	bool ok = criteria_read(tree, c, err);
	if (ok && nkept < 8)
		kept[nkept++] = json_incref(tree);
	json_decref(tree);
	return ok;
}

static bool has_field_error(const struct app_error *e, const char *field, const char *code)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].field, field) == 0 && strcmp(e->fields[i].code, code) == 0)
			return true;
	return false;
}

int main(void)
{
	static struct criteria c;
	struct app_error err = {0};
	json_error_t jerr;
	json_t *tree = json_loads(demo, 0, &jerr);
	CHECK(tree && criteria_read(tree, &c, &err), "the demo sheet reads");
	CHECK(c.n == 7 && c.node[1].parent == 0 && c.node[2].parent == 0 && c.node[3].parent == -1 &&
		      c.node[1].depth == 2 && c.node[0].kind == CK_GROUP && c.node[4].kind == CK_FIXED &&
		      c.node[4].initiatives && c.node[4].each == 200 && c.node[3].max == 3050,
	      "pre-order, parents, depths, kinds, hundredths");
	CHECK(criteria_find(&c, "vu_an") == 2 && criteria_find(&c, "nope") == -1, "find");
	struct buf b;
	buf_init(&b);
	criteria_write(&c, &b);
	CHECK(buf_ok(&b) && strstr(b.data, "\"max_points\":30.50,\"kind\":\"qualitative\"") &&
		      strstr(b.data, "\"points_each\":2.00,\"count\":\"recognized_initiatives\"") &&
		      strstr(b.data, "\"indicator_code\":\"criminal_cases\"}]}"),
	      "stored form: %s", b.data);
	/* the stored form reads back to itself */
	static struct criteria again;
	struct buf b2;
	buf_init(&b2);
	CHECK(read_text(b.data, &again, &err), "stored form reads");
	criteria_write(&again, &b2);
	CHECK(buf_ok(&b2) && strcmp(b.data, b2.data) == 0, "stored form is stable");
	buf_free(&b2);
	buf_free(&b);

	/* sums: leaves kept within their maximum, the group capped, a penalty subtracted */
	static const struct {
		const char *name;
		long long leaves[7];
		long long total;
		long long group;
	} sums[] = {
		{"plain", {0, 1500, 1000, 2000, 400, 300, 0}, 1500 + 1000 + 2000 + 400 + 300, 2500},
		{"over a leaf's maximum", {0, 9999, 1000, 9999, 9999, 9999, 0}, 3000 + 1000 + 3050 + 600 + 500, 4000},
		{"a penalty", {0, 1500, 1000, 2000, 0, 0, 700}, 2500 + 2000 - 700, 2500},
		{"a penalty past its maximum", {0, 0, 0, 0, 0, 0, 5000}, -1000, 0},
		{"negative points count 0", {0, -500, 1000, -1, 0, 0, -3}, 1000, 1000},
	};
	for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++) {
		long long p[7];
		memcpy(p, sums[i].leaves, sizeof p);
		long long total = criteria_sum(&c, p);
		CHECK(total == sums[i].total && p[0] == sums[i].group, "%s: total %lld group %lld", sums[i].name, total, p[0]);
	}
	/* a group capped below its children's maxima */
	static struct criteria capped;
	CHECK(read_text("[{\"code\":\"g1\",\"name\":\"G\",\"max_points\":10,\"kind\":\"group\",\"children\":["
			"{\"code\":\"a1\",\"name\":\"A\",\"max_points\":8,\"kind\":\"qualitative\"},"
			"{\"code\":\"b1\",\"name\":\"B\",\"max_points\":8,\"kind\":\"bonus\"}]}]", &capped, &err),
	      "children's maxima may add up past their group's");
	long long p3[3] = {0, 800, 800};
	CHECK(criteria_sum(&capped, p3) == 1000 && p3[0] == 1000, "the group's cap holds");
	json_decref(tree);

	/* what a tree may not be: each a field error at its place */
	static const struct {
		const char *name, *tree, *field, *code;
	} bad[] = {
		{"not an array", "{}", "criteria", "type"},
		{"a node not an object", "[1]", "criteria[0]", "type"},
		{"no code", "[{\"name\":\"A\",\"max_points\":1,\"kind\":\"qualitative\"}]", "criteria[0].code", "required"},
		{"a bad code", "[{\"code\":\"A-1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"qualitative\"}]", "criteria[0].code", "format"},
		{"an unknown kind", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"vote\"}]", "criteria[0].kind", "enum"},
		{"an unknown field", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"bonus\",\"x\":1}]", "criteria[0].x", "unknown_field"},
		{"negative points", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":-1,\"kind\":\"bonus\"}]", "criteria[0].max_points", "out_of_range"},
		{"three decimals", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1.005,\"kind\":\"bonus\"}]", "criteria[0].max_points", "precision"},
		{"a quantitative without indicator", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"quantitative\"}]",
		 "criteria[0].indicator_code", "required"},
		{"a qualitative with an indicator", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"qualitative\",\"indicator_code\":\"inspections\"}]",
		 "criteria[0].indicator_code", "not_allowed"},
		{"a fixed without points_each", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"fixed\",\"indicator_code\":\"inspections\"}]",
		 "criteria[0].points_each", "required"},
		{"a fixed counting nothing", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"fixed\",\"points_each\":1}]",
		 "criteria[0].count", "required"},
		{"a fixed counting two things", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"fixed\",\"points_each\":1,"
		 "\"indicator_code\":\"inspections\",\"count\":\"recognized_initiatives\"}]", "criteria[0].count", "required"},
		{"a group without children", "[{\"code\":\"g1\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\"}]",
		 "criteria[0].children", "required"},
		{"a group with no children", "[{\"code\":\"g1\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\",\"children\":[]}]",
		 "criteria[0].children", "min_items"},
		{"a leaf with children", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"bonus\",\"children\":[]}]",
		 "criteria[0].children", "not_allowed"},
		{"a duplicate code", "[{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"bonus\"},"
		 "{\"code\":\"g1\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\",\"children\":[{\"code\":\"a1\",\"name\":\"B\",\"max_points\":1,\"kind\":\"bonus\"}]}]",
		 "criteria[1].children[0].code", "duplicate"},
		{"four levels", "[{\"code\":\"g1\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\",\"children\":["
		 "{\"code\":\"g2\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\",\"children\":["
		 "{\"code\":\"g3\",\"name\":\"G\",\"max_points\":1,\"kind\":\"group\",\"children\":["
		 "{\"code\":\"a1\",\"name\":\"A\",\"max_points\":1,\"kind\":\"bonus\"}]}]}]}]",
		 "criteria[0].children[0].children[0].children", "too_deep"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct app_error e = {0};
		CHECK(!read_text(bad[i].tree, &c, &e) && has_field_error(&e, bad[i].field, bad[i].code),
		      "%s: %s %s (got %s %s)", bad[i].name, bad[i].field, bad[i].code, e.nfields ? e.fields[0].field : "-",
		      e.nfields ? e.fields[0].code : "-");
	}
	/* 200 nodes fit, 201 do not */
	struct buf big;
	buf_init(&big);
	for (int n = 200; n <= 201; n++) {
		buf_reset(&big);
		buf_putc(&big, '[');
		for (int i = 0; i < n; i++)
			buf_printf(&big, "%s{\"code\":\"c%d\",\"name\":\"C\",\"max_points\":1,\"kind\":\"qualitative\"}", i ? "," : "", i);
		buf_putc(&big, ']');
		struct app_error e = {0};
		bool ok = read_text(big.data, &c, &e);
		CHECK(ok == (n == 200) && (ok || has_field_error(&e, "criteria", "too_many")), "%d nodes", n);
	}
	buf_free(&big);
	for (int i = 0; i < nkept; i++)
		json_decref(kept[i]);
	return check_done("evaluation_criteria");
}
