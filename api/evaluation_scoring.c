#include <gmp.h>
#include <stdlib.h>
#include <string.h>
#include "api/evaluation_scoring.h"

#define MAX_DIGITS 40 /* a figure is < 10^15 with 2 decimals, a ratio's parts a little more */

const char *quant_reason_name(enum quant_reason reason)
{
	static const char *const names[] = {
		[QUANT_BELOW] = "below_target", [QUANT_AT] = "at_target", [QUANT_ABOVE] = "above_target",
		[QUANT_BEST] = "best_ratio", [QUANT_NO_TARGET] = "no_target", [QUANT_ZERO_TARGET] = "zero_target",
		[QUANT_NO_REPORT] = "no_report",
	};
	return (unsigned)reason < sizeof names / sizeof names[0] ? names[reason] : "unknown";
}

/* "-12.345" into out exactly; false when it is not such a number */
static bool parse_decimal(mpq_t out, const char *s)
{
	char digits[MAX_DIGITS + 2];
	size_t n = 0, decimals = 0;
	bool negative = *s == '-', point = false;
	if (negative)
		s++;
	if (!*s || *s == '.')
		return false;
	for (; *s; s++) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9' || n == MAX_DIGITS)
			return false;
		digits[n++] = *s;
		decimals += point;
	}
	if (point && decimals == 0)
		return false;
	digits[n] = '\0';
	mpz_t den;
	mpz_init(den);
	mpz_ui_pow_ui(den, 10, decimals);
	bool ok = mpz_set_str(mpq_numref(out), digits, 10) == 0;
	mpz_set(mpq_denref(out), den);
	mpz_clear(den);
	mpq_canonicalize(out);
	if (negative)
		mpq_neg(out, out);
	return ok;
}

/* x ≥ 0 in hundredths, half up */
static bool to_hundredths(const mpq_t x, long long *out)
{
	mpq_t y, half;
	mpz_t q;
	mpq_inits(y, half, NULL);
	mpz_init(q);
	mpq_set_ui(y, 100, 1);
	mpq_mul(y, y, x);
	mpq_set_ui(half, 1, 2);
	if (mpq_sgn(y) >= 0)
		mpq_add(y, y, half);
	else
		mpq_sub(y, y, half);
	mpz_tdiv_q(q, mpq_numref(y), mpq_denref(y));
	bool ok = mpz_fits_slong_p(q);
	if (ok)
		*out = mpz_get_si(q);
	mpz_clear(q);
	mpq_clears(y, half, NULL);
	return ok;
}

bool decimal_hundredths(const char *text, long long *out)
{
	mpq_t x;
	mpq_init(x);
	bool ok = parse_decimal(x, text) && to_hundredths(x, out);
	mpq_clear(x);
	return ok;
}

/* A/T of a member with both, or false when it has no ratio (its reason set) */
static bool member_ratio(const struct quant_member *m, mpq_t ratio, struct quant_score *out, bool *bad)
{
	mpq_t a, per, t;
	mpq_inits(a, per, t, NULL);
	bool scored = false;
	if (!m->actual) {
		out->reason = QUANT_NO_REPORT;
	} else if (!m->target) {
		out->reason = QUANT_NO_TARGET;
	} else if (!parse_decimal(a, m->actual) || !parse_decimal(t, m->target) ||
		   (m->actual_per && !parse_decimal(per, m->actual_per)) || mpq_sgn(a) < 0 || mpq_sgn(t) < 0 ||
		   (m->actual_per && mpq_sgn(per) < 0)) {
		*bad = true;
	} else if (m->actual_per && mpq_sgn(per) == 0) {
		out->reason = QUANT_NO_REPORT; /* a ratio of nothing: no actual */
	} else if (mpq_sgn(t) == 0) {
		out->reason = QUANT_ZERO_TARGET;
	} else {
		if (m->actual_per)
			mpq_div(a, a, per);
		mpq_div(ratio, a, t);
		out->ratio = mpq_get_d(ratio);
		scored = true;
	}
	mpq_clears(a, per, t, NULL);
	return scored;
}

bool quant_score_members(const char *max_points, const struct quant_member *members, int n, struct quant_score *out,
			 double *best_out)
{
	mpq_t ms, half_ms, best, one, x, y;
	mpq_t *ratios = NULL;
	bool *scored = NULL, ok = true;
	int inited = 0;
	mpq_inits(ms, half_ms, best, one, x, y, NULL);
	mpq_set_ui(one, 1, 1);
	*best_out = 0;
	if (!parse_decimal(ms, max_points) || mpq_sgn(ms) < 0 || n < 0) {
		ok = false;
		goto out;
	}
	mpq_set_ui(half_ms, 1, 2);
	mpq_mul(half_ms, half_ms, ms);
	ratios = n ? malloc(sizeof *ratios * (size_t)n) : NULL;
	scored = n ? calloc((size_t)n, sizeof *scored) : NULL;
	if (n && (!ratios || !scored)) {
		ok = false;
		goto out;
	}
	for (int i = 0; i < n; i++, inited++) {
		mpq_init(ratios[i]);
		out[i] = (struct quant_score){0, QUANT_NO_REPORT, 0};
		bool bad = false;
		scored[i] = member_ratio(&members[i], ratios[i], &out[i], &bad);
		ok = ok && !bad;
		if (scored[i] && mpq_cmp(ratios[i], one) > 0 && mpq_cmp(ratios[i], best) > 0)
			mpq_set(best, ratios[i]);
	}
	*best_out = mpq_get_d(best);
	for (int i = 0; ok && i < n; i++) {
		if (!scored[i])
			continue;
		int c = mpq_cmp(ratios[i], one);
		if (c < 0) {
			out[i].reason = QUANT_BELOW;
			mpq_mul(x, half_ms, ratios[i]);
		} else if (c == 0) {
			out[i].reason = QUANT_AT;
			mpq_set(x, half_ms);
		} else if (mpq_equal(ratios[i], best)) {
			out[i].reason = QUANT_BEST;
			mpq_set(x, ms);
		} else {
			/* 0.5·MS + 0.5·MS·(r − 1)/(best − 1) */
			out[i].reason = QUANT_ABOVE;
			mpq_sub(x, ratios[i], one);
			mpq_sub(y, best, one);
			mpq_div(x, x, y);
			mpq_mul(x, x, half_ms);
			mpq_add(x, x, half_ms);
		}
		ok = to_hundredths(x, &out[i].points);
	}
out:
	for (int i = 0; i < inited; i++)
		mpq_clear(ratios[i]);
	free(scored);
	free(ratios);
	mpq_clears(ms, half_ms, best, one, x, y, NULL);
	return ok;
}
