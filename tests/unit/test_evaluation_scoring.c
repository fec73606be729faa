/* The quantitative scoring formula of evaluations (api/evaluation_scoring.c), as a table:
 * below, at and above target, the best ratio and ties for it, everyone at target, A = 0, T = 0,
 * no target, no report, ratio indicators, rounding exactly half up, huge figures, bad input. */
#include <string.h>
#include "api/evaluation_scoring.h"
#include "tests/unit/check.h"

#define M(a, per, t) {a, per, t}
#define MAXM 4

static const struct {
	const char *name, *max_points;
	int n;
	struct quant_member m[MAXM];
	long long points[MAXM];
	enum quant_reason reason[MAXM];
} cases[] = {
	{"below, A = 0, at", "10", 3, {M("50", NULL, "100"), M("0", NULL, "100"), M("100", NULL, "100")},
	 {250, 0, 500}, {QUANT_BELOW, QUANT_BELOW, QUANT_AT}},
	{"above: the best gets MS, the others interpolate", "10", 3,
	 {M("120", NULL, "100"), M("150", NULL, "100"), M("110", NULL, "100")},
	 {700, 1000, 600}, {QUANT_ABOVE, QUANT_BEST, QUANT_ABOVE}},
	{"ties for best both get MS", "10", 3, {M("3", NULL, "2"), M("150", NULL, "100"), M("80", NULL, "100")},
	 {1000, 1000, 400}, {QUANT_BEST, QUANT_BEST, QUANT_BELOW}},
	{"every unit at target", "20", 3, {M("5", NULL, "5"), M("7.5", NULL, "7.50"), M("1000", NULL, "1000")},
	 {1000, 1000, 1000}, {QUANT_AT, QUANT_AT, QUANT_AT}},
	{"T = 0, no target, no report: 0 with the reason", "10", 4,
	 {M("5", NULL, "0"), M("5", NULL, NULL), M(NULL, NULL, "5"), M("0", NULL, "0")},
	 {0, 0, 0, 0}, {QUANT_ZERO_TARGET, QUANT_NO_TARGET, QUANT_NO_REPORT, QUANT_ZERO_TARGET}},
	{"rounding half up, exactly (1.005 is not 1.00)", "2.01", 2, {M("4", NULL, "4"), M("1", NULL, "3")},
	 {101, 34}, {QUANT_AT, QUANT_BELOW}},
	{"a third of 10 points", "10", 1, {M("1", NULL, "3")}, {167}, {QUANT_BELOW}},
	{"a ratio indicator: A = 100·321/363 = 88.43… against 87.5", "15", 2,
	 {M("32100", "363", "87.5"), M("8000", "100", "87.5")}, {1500, 686}, {QUANT_BEST, QUANT_BELOW}},
	{"a ratio of nothing has no actual", "15", 1, {M("0", "0", "87.5")}, {0}, {QUANT_NO_REPORT}},
	{"huge figures stay exact", "100", 2, {M("999999999999999.99", NULL, "1"), M("2", NULL, "1")},
	 {10000, 5000}, {QUANT_BEST, QUANT_ABOVE}},
	{"no members", "10", 0, {{0}}, {0}, {0}},
};

int main(void)
{
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct quant_score out[MAXM];
		double best = -1;
		bool ok = quant_score_members(cases[c].max_points, cases[c].m, cases[c].n, out, &best);
		CHECK(ok, "%s: scored", cases[c].name);
		for (int i = 0; ok && i < cases[c].n; i++) {
			CHECK(out[i].points == cases[c].points[i], "%s: member %d has %lld, not %lld", cases[c].name, i,
			      out[i].points, cases[c].points[i]);
			CHECK(out[i].reason == cases[c].reason[i], "%s: member %d is %s, not %s", cases[c].name, i,
			      quant_reason_name(out[i].reason), quant_reason_name(cases[c].reason[i]));
		}
	}
	/* the best ratio is reported for the detail */
	struct quant_member two[] = {M("120", NULL, "100"), M("150", NULL, "100")};
	struct quant_score out[2];
	double best = 0;
	CHECK(quant_score_members("10", two, 2, out, &best) && best == 1.5 && out[0].ratio == 1.2, "best ratio 1.5");
	struct quant_member at[] = {M("5", NULL, "5")};
	CHECK(quant_score_members("10", at, 1, out, &best) && best == 0, "no best when nobody is above target");

	static const struct {
		const char *mp;
		struct quant_member m;
	} bad[] = {
		{"10", M("abc", NULL, "5")}, {"10", M("5", NULL, "-1")}, {"10", M("-5", NULL, "5")}, {"-1", M("5", NULL, "5")},
		{"10", M("1.", NULL, "5")}, {"10", M(".5", NULL, "5")}, {"10", M("", NULL, "5")}, {"x", M("5", NULL, "5")},
		{"10", M("5", "-2", "5")}, {"10", M("1234567890123456789012345678901234567890123", NULL, "5")},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!quant_score_members(bad[i].mp, &bad[i].m, 1, out, &best), "bad input %zu refused", i);

	static const struct {
		const char *text;
		bool ok;
		long long hundredths;
	} dec[] = {
		{"12", true, 1200}, {"0.005", true, 1}, {"0.004", true, 0}, {"-3.255", true, -326}, {"87.5", true, 8750},
		{"1.", false, 0}, {".5", false, 0}, {"", false, 0}, {"1e3", false, 0}, {"--1", false, 0},
		{"92233720368547758.08", false, 0},
	};
	for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
		long long v = 0;
		bool ok = decimal_hundredths(dec[i].text, &v);
		CHECK(ok == dec[i].ok && (!ok || v == dec[i].hundredths), "decimal %s -> %lld", dec[i].text, v);
	}
	for (enum quant_reason r = QUANT_BELOW; r <= QUANT_NO_REPORT; r++)
		CHECK(strcmp(quant_reason_name(r), "unknown") != 0, "reason %d named", (int)r);
	return check_done("evaluation_scoring");
}
