/* The statistical forms' tables (api/form_defs.c): their shape (codes, dimensions), that every
 * possible fact lands so that column 1 is the sum of the others and a heading row the sum of its
 * rows, and the derivations of a fact from what the database holds (levels, durations, kinds). */
#include <stdlib.h>
#include <string.h>
#include "api/form_defs.h"
#include "tests/unit/check.h"

static int row_index(const struct form_def *d, const char *code)
{
	for (int r = 0; r < d->nrows; r++)
		if (strcmp(d->rows[r].code, code) == 0)
			return r;
	return -1;
}

static bool uses(const struct form_def *d, enum form_dim dim)
{
	for (int i = 0; i < FD_COUNT && d->dims[i] != FD_ANY; i++)
		if (d->dims[i] == dim)
			return true;
	return false;
}

/* codes unique; columns numbered 1, 2, … in order; rows "1" first, sub-rows "X.k" after their
 * heading "X"; every test on a dimension the form's facts have, with a value it can take */
static void check_shape(const struct form_def *d)
{
	CHECK(d->nrows > 0 && d->ncols > 1 && d->nrows * d->ncols <= FORM_MAX_CELLS, "%s size", d->code);
	CHECK(strcmp(d->rows[0].code, "1") == 0 && d->rows[0].when[0].dim == FD_ANY, "%s row 1 is the total", d->code);
	CHECK(d->cols[0].when[0].dim == FD_ANY, "%s column 1 is the total", d->code);
	for (int c = 0; c < d->ncols; c++) {
		char want[16];
		snprintf(want, sizeof want, "%d", c + 1);
		CHECK(strcmp(d->cols[c].code, want) == 0, "%s column %d is numbered %s", d->code, c, d->cols[c].code);
	}
	for (int r = 0; r < d->nrows; r++) {
		CHECK(row_index(d, d->rows[r].code) == r, "%s row %s once", d->code, d->rows[r].code);
		const char *dot = strchr(d->rows[r].code, '.');
		if (dot) {
			char head[8];
			snprintf(head, sizeof head, "%.*s", (int)(dot - d->rows[r].code), d->rows[r].code);
			int h = row_index(d, head);
			CHECK(h >= 0 && h < r, "%s row %s after its heading %s", d->code, d->rows[r].code, head);
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct form_line *lines = pass ? d->cols : d->rows;
		int n = pass ? d->ncols : d->nrows;
		for (int i = 0; i < n; i++)
			for (int t = 0; t < FORM_TESTS; t++) {
				const struct form_test *w = &lines[i].when[t];
				if (w->dim == FD_ANY)
					continue;
				CHECK(uses(d, w->dim) && w->value >= 0 && w->value < form_dim_values(w->dim),
				      "%s %s %s tests a dimension and value its facts have", d->code, pass ? "column" : "row",
				      lines[i].code);
			}
	}
}

/* column 1 = Σ the others; row "X" with rows "X.k" = Σ them; each heading = row 1 */
static bool sums_hold(const struct form_def *d, const long long *cells)
{
	bool ok = true;
	for (int r = 0; r < d->nrows; r++) {
		long long sum = 0;
		for (int c = 1; c < d->ncols; c++)
			sum += cells[r * d->ncols + c];
		ok = ok && sum == cells[r * d->ncols];
	}
	for (int h = 0; h < d->nrows; h++) {
		size_t n = strlen(d->rows[h].code);
		bool heading = false;
		for (int c = 0; c < d->ncols; c++) {
			long long sum = 0;
			for (int r = 0; r < d->nrows; r++)
				if (strncmp(d->rows[r].code, d->rows[h].code, n) == 0 && d->rows[r].code[n] == '.' &&
				    !strchr(d->rows[r].code + n + 1, '.')) {
					sum += cells[r * d->ncols + c];
					heading = true;
				}
			if (heading)
				ok = ok && sum == cells[h * d->ncols + c] && cells[h * d->ncols + c] == cells[c];
		}
	}
	return ok;
}

/* every combination of the form's dimensions, one at a time and all together (counts 1, 2, 3…) */
static void check_every_fact(const struct form_def *d)
{
	enum form_dim dims[FD_COUNT];
	int ndims = 0, total = 1;
	for (int i = 0; i < FD_COUNT && d->dims[i] != FD_ANY; i++) {
		dims[ndims++] = d->dims[i];
		total *= form_dim_values(d->dims[i]);
	}
	long long *all = calloc((size_t)(d->nrows * d->ncols), sizeof *all);
	long long *one = calloc((size_t)(d->nrows * d->ncols), sizeof *one);
	long long grand = 0;
	int bad = 0;
	for (int k = 0; k < total; k++) {
		struct form_fact f = {.count = k % 7 + 1};
		for (int i = 0, rest = k; i < ndims; i++) {
			f.of[dims[i]] = rest % form_dim_values(dims[i]);
			rest /= form_dim_values(dims[i]);
		}
		memset(one, 0, sizeof *one * (size_t)(d->nrows * d->ncols));
		form_tally(d, &f, one);
		form_tally(d, &f, all);
		grand += f.count;
		/* a fact is in the total cell, and in exactly one column besides */
		int cols = 0;
		for (int c = 1; c < d->ncols; c++)
			cols += one[c] != 0;
		if (one[0] != f.count || cols != 1 || !sums_hold(d, one))
			bad++;
	}
	CHECK(bad == 0, "%s: %d of %d facts break a sum", d->code, bad, total);
	CHECK(all[0] == grand && sums_hold(d, all), "%s: all facts together", d->code);
	free(all);
	free(one);
}

static void check_levels(void)
{
	static const struct {
		const char *kind;
		bool province;
		int level;
	} cases[] = {
		{"government_inspectorate", false, LEVEL_CENTRAL},
		{"provincial_inspectorate", true, LEVEL_MINISTRY_PROVINCE},
		{"sector_inspectorate", false, LEVEL_MINISTRY_PROVINCE},
		{"sector_inspectorate", true, LEVEL_AGENCY},
		{"district_inspectorate", true, LEVEL_AGENCY},
		{"party_committee", false, LEVEL_CENTRAL},
		{"party_committee", true, LEVEL_MINISTRY_PROVINCE},
		{"internal_affairs_board", false, LEVEL_CENTRAL},
		{"internal_affairs_board", true, LEVEL_MINISTRY_PROVINCE},
		{"mass_organization", false, LEVEL_CENTRAL},
		{"mass_organization", true, LEVEL_MINISTRY_PROVINCE},
		{"agency", true, LEVEL_AGENCY},
		{"division", false, LEVEL_AGENCY},
		{"other", false, LEVEL_AGENCY},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int level = -1;
		CHECK(form_unit_level(cases[i].kind, cases[i].province, &level) && level == cases[i].level, "level of %s%s",
		      cases[i].kind, cases[i].province ? " (province)" : "");
	}
	/* every kind of API.md "Units", with and without a province */
	static const char *const kinds[] = {"government_inspectorate", "provincial_inspectorate", "sector_inspectorate",
					    "district_inspectorate", "party_committee", "internal_affairs_board",
					    "mass_organization", "agency", "division", "other"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		for (int p = 0; p < 2; p++) {
			int level = -1;
			CHECK(form_unit_level(kinds[i], p, &level) && level >= 0 && level < LEVEL_COUNT, "%s has a level", kinds[i]);
		}
	int level;
	CHECK(!form_unit_level("ministry", false, &level), "an unknown kind has none");
}

static void check_durations(void)
{
	static const struct {
		int months, days, want;
	} cases[] = {
		{0, 1, DURATION_UNDER_1Y},  {11, 30, DURATION_UNDER_1Y}, {12, 0, DURATION_1Y},    {12, 1, DURATION_1_3Y},
		{24, 0, DURATION_1_3Y},     {36, 0, DURATION_1_3Y},      {36, 1, DURATION_3_5Y},  {59, 30, DURATION_3_5Y},
		{60, 0, DURATION_5Y_UP},    {61, 3, DURATION_5Y_UP},     {1200, 0, DURATION_5Y_UP},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK(form_duration_of(cases[i].months, cases[i].days) == cases[i].want, "duration %d months %d days",
		      cases[i].months, cases[i].days);
}

static void check_0601_facts(void)
{
	struct form_fact f;
	/* Kế hoạch 142-KH/BNCTW: launched by Ban Nội chính Trung ương for Cụm 1, 2019-2020, thematic */
	CHECK(form_fact_0601("internal_affairs_board", false, "thematic", true, 24, 0, 1, &f) &&
	      f.of[FD_LEVEL] == LEVEL_CENTRAL && f.of[FD_SCOPE] == SCOPE_CLUSTERS && f.of[FD_DURATION] == DURATION_1_3Y &&
	      f.of[FD_METHOD] == METHOD_THEMATIC && f.count == 1, "plan 142");
	CHECK(form_fact_0601("government_inspectorate", false, "regular", false, 12, 0, 2, &f) &&
	      f.of[FD_SCOPE] == SCOPE_NATIONAL && f.of[FD_METHOD] == METHOD_REGULAR && f.count == 2, "a central yearly one");
	CHECK(form_fact_0601("provincial_inspectorate", true, "regular", false, 6, 0, 1, &f) &&
	      f.of[FD_LEVEL] == LEVEL_MINISTRY_PROVINCE && f.of[FD_SCOPE] == SCOPE_MINISTRY_LOCALITY &&
	      f.of[FD_DURATION] == DURATION_UNDER_1Y, "a province's");
	CHECK(form_fact_0601("division", true, "thematic", false, 60, 0, 1, &f) && f.of[FD_LEVEL] == LEVEL_AGENCY &&
	      f.of[FD_SCOPE] == SCOPE_AGENCY && f.of[FD_DURATION] == DURATION_5Y_UP, "a division's");
	CHECK(!form_fact_0601("division", true, "weekly", false, 1, 0, 1, &f), "an unknown campaign kind");
	CHECK(!form_fact_0601("ministry", true, "regular", false, 1, 0, 1, &f), "an unknown unit kind");

	/* the three together, cell by cell */
	const struct form_def *d = form_def_find("0601");
	long long cells[FORM_MAX_CELLS] = {0};
	struct form_fact facts[3];
	form_fact_0601("internal_affairs_board", false, "thematic", true, 24, 0, 1, &facts[0]);
	form_fact_0601("provincial_inspectorate", true, "regular", false, 12, 0, 2, &facts[1]);
	form_fact_0601("division", true, "regular", false, 3, 0, 1, &facts[2]);
	for (int i = 0; i < 3; i++)
		form_tally(d, &facts[i], cells);
	static const struct {
		const char *row;
		long long want[4];
	} want[] = {
		{"1", {4, 1, 2, 1}},   {"2", {4, 1, 2, 1}},   {"2.1", {0, 0, 0, 0}}, {"2.2", {2, 0, 2, 0}},
		{"2.3", {1, 1, 0, 0}}, {"2.4", {1, 0, 0, 1}}, {"3.1", {1, 0, 0, 1}}, {"3.2", {2, 0, 2, 0}},
		{"3.3", {1, 1, 0, 0}}, {"3.5", {0, 0, 0, 0}}, {"4.1", {1, 1, 0, 0}}, {"4.2", {3, 0, 2, 1}},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int r = row_index(d, want[i].row);
		CHECK(r >= 0 && memcmp(&cells[r * 4], want[i].want, sizeof want[i].want) == 0,
		      "0601 row %s: %lld %lld %lld %lld", want[i].row, cells[r * 4], cells[r * 4 + 1], cells[r * 4 + 2],
		      cells[r * 4 + 3]);
	}
}

static void check_0602_facts(void)
{
	static const struct {
		const char *kind;
		int group;
	} groups[] = {
		{"huan_chuong_lao_dong_hang_nhat", KG_ORDERS_MEDALS}, {"huan_chuong_lao_dong_hang_nhi", KG_ORDERS_MEDALS},
		{"huan_chuong_lao_dong_hang_ba", KG_ORDERS_MEDALS},   {"co_thi_dua_chinh_phu", KG_GOVERNMENT_FLAG},
		{"bang_khen_thu_tuong", KG_PM_CERTIFICATE},           {"chien_si_thi_dua_toan_quoc", KG_NATIONAL_EMULATION_SOLDIER},
		{"huan_chuong_sao_vang", KG_ORDERS_MEDALS},           {"huy_chuong_quan_ky_quyet_thang", KG_ORDERS_MEDALS},
		{"giai_thuong_ho_chi_minh", KG_PRIZES},               {"anh_hung_lao_dong", KG_HONORARY_TITLES},
		{"ky_niem_chuong", KG_OTHER},                         {"bang_khen_bo_nganh_tinh", KG_OTHER},
	};
	struct form_fact f;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		CHECK(form_fact_0602(groups[i].kind, "person", "agency", true, "staff", 1, &f) &&
		      f.of[FD_KIND_GROUP] == groups[i].group, "group of %s", groups[i].kind);
	CHECK(form_fact_0602("bang_khen_thu_tuong", "unit", "provincial_inspectorate", true, "leader", 3, &f) &&
	      f.of[FD_RECIPIENT] == RECIPIENT_COLLECTIVE && f.of[FD_LEVEL] == LEVEL_MINISTRY_PROVINCE &&
	      f.of[FD_SUBJECT] == SUBJECT_LEADER && f.count == 3, "a unit");
	CHECK(form_fact_0602("bang_khen_thu_tuong", "person", "government_inspectorate", false, "foreigner", 1, &f) &&
	      f.of[FD_RECIPIENT] == RECIPIENT_INDIVIDUAL && f.of[FD_LEVEL] == LEVEL_CENTRAL &&
	      f.of[FD_SUBJECT] == SUBJECT_FOREIGNER, "a person");
	CHECK(form_fact_0602("bang_khen_thu_tuong", "household", "agency", true, "worker_farmer", 1, &f) &&
	      f.of[FD_RECIPIENT] == RECIPIENT_COLLECTIVE && f.of[FD_SUBJECT] == SUBJECT_WORKER_FARMER,
	      "a household goes with the collectives");
	static const char *const classes[] = {"leader", "staff", "worker_farmer", "business", "foreigner", "other"};
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		CHECK(form_fact_0602("giay_khen", "unit", "agency", true, classes[i], 1, &f) && f.of[FD_SUBJECT] == (int)i,
		      "subject class %s", classes[i]);
	CHECK(!form_fact_0602("bang_khen_thu_tuong", "robot", "agency", true, "staff", 1, &f), "an unknown recipient");
	CHECK(!form_fact_0602("bang_khen_thu_tuong", "person", "agency", true, "student", 1, &f), "an unknown class");
	CHECK(!form_fact_0602("bang_khen_thu_tuong", "person", "ministry", true, "staff", 1, &f), "an unknown unit kind");

	/* a Cờ to a province's inspectorate and two Bằng khen to its people: columns 8, 11 */
	const struct form_def *d = form_def_find("0602");
	long long cells[FORM_MAX_CELLS] = {0};
	form_fact_0602("co_thi_dua_chinh_phu", "unit", "provincial_inspectorate", true, "other", 1, &f);
	form_tally(d, &f, cells);
	form_fact_0602("bang_khen_thu_tuong", "person", "provincial_inspectorate", true, "staff", 2, &f);
	form_tally(d, &f, cells);
	int r22 = row_index(d, "2.2"), r32 = row_index(d, "3.2"), r36 = row_index(d, "3.6");
	CHECK(cells[0] == 3 && cells[7] == 1 && cells[10] == 2, "0602 totals: %lld, col 8 %lld, col 11 %lld", cells[0],
	      cells[7], cells[10]);
	CHECK(cells[r22 * d->ncols] == 3 && cells[r32 * d->ncols + 10] == 2 && cells[r36 * d->ncols + 7] == 1 &&
	      cells[r36 * d->ncols + 10] == 0, "0602 rows 2.2, 3.2, 3.6");
}

int main(void)
{
	size_t n;
	const struct form_def *const *all = form_defs(&n);
	CHECK(n == 2 && form_def_find("0601") == all[0] && form_def_find("0602") == all[1], "the forms");
	CHECK(form_def_find("0603") == NULL && form_def_find("") == NULL, "no other form");
	for (size_t i = 0; i < n; i++) {
		check_shape(all[i]);
		check_every_fact(all[i]);
	}
	CHECK(form_def_find("0601")->ncols == 4 && form_def_find("0602")->ncols == 15, "columns");
	CHECK(form_code_ok("0601", 4) && !form_code_ok("601", 3) && !form_code_ok("06a1", 4) && !form_code_ok("06011", 5),
	      "form codes");
	check_levels();
	check_durations();
	check_0601_facts();
	check_0602_facts();
	return check_done("form_defs");
}
