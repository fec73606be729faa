/* The scoring of an evaluation's quantitative criteria (API.md "Evaluations"): a member's actual A
 * for the year against its registered target T, MS the criterion's max_points:
 *   A < T: 0.5·MS·A/T;   A = T: 0.5·MS;
 *   A > T: the best A/T among the members above target gets MS (every member tied with it too),
 *          the others 0.5·MS + 0.5·MS·(A/T − 1)/(best − 1).
 * No target, a target of 0, or no accepted report: 0, with the reason. Computed exactly (GMP
 * rationals) and rounded half up to hundredths once, at the end. Pure: unit-tested as a table
 * (tests/unit/test_evaluation_scoring.c). */
#ifndef TDKT_EVALUATION_SCORING_H
#define TDKT_EVALUATION_SCORING_H
#include <stdbool.h>

/* One member's figures as decimal text ("1902", "87.5"): A = actual / actual_per (actual_per NULL:
 * 1; a ratio indicator's A is 100·Σnumerator / Σdenominator, given as "100·num" and "den"). */
struct quant_member {
	const char *actual;      /* NULL: no accepted report gives the indicator */
	const char *actual_per;  /* NULL: 1 */
	const char *target;      /* NULL: no target registered */
};

enum quant_reason {
	QUANT_BELOW,        /* A < T */
	QUANT_AT,           /* A = T */
	QUANT_ABOVE,        /* A > T, interpolated towards the best */
	QUANT_BEST,         /* A > T with the best ratio */
	QUANT_NO_TARGET,
	QUANT_ZERO_TARGET,
	QUANT_NO_REPORT,
};

struct quant_score {
	long long points;         /* hundredths */
	enum quant_reason reason;
	double ratio;             /* A/T, for the detail (0 when not scored) */
};

/* The reason's name in a result's detail: "below_target", "no_report", … */
const char *quant_reason_name(enum quant_reason reason);

/* Scores n members on a criterion worth max_points (decimal text, ≥ 0). *best is the best ratio
 * above target (0 when no member is above it). false when a figure is not a decimal number ≥ 0. */
bool quant_score_members(const char *max_points, const struct quant_member *members, int n, struct quant_score *out,
			 double *best);

/* Decimal text ("12", "0.5", "-3.25") as hundredths, rounded half away from zero; false when it is
 * not one or does not fit. */
bool decimal_hundredths(const char *text, long long *out);

#endif
