/* api/form_defs.h: the forms' tables and how a counted thing becomes a fact. Every code, label
 * and rule here is our reading of API.md "Statistical forms", to be checked against the printed
 * forms of Thông tư 02/2023/TT-BNV (see the header). */
#include <limits.h>
#include <string.h>
#include "api/form_defs.h"

#define WHEN(d, v) {{(d), (v)}}
#define WHEN2(d1, v1, d2, v2) {{(d1), (v1)}, {(d2), (v2)}}
#define ALL {{FD_ANY, 0}}
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* --- 0601 Số phong trào thi đua -------------------------------------------------------------
 * Campaigns (launched by a unit of the reporting unit's subtree, not drafts, running some day
 * of the year), a column per launching level, rows by scope, by duration and by method. A
 * heading row ("2", "3", "4") counts every campaign: it is the sum of its rows, and equals "1". */
static const struct form_line rows_0601[] = {
	{"1", "Tổng số phong trào thi đua", ALL},
	{"2", "Chia theo phạm vi", ALL},
	{"2.1", "Toàn quốc", WHEN(FD_SCOPE, SCOPE_NATIONAL)},
	{"2.2", "Bộ, ngành, địa phương", WHEN(FD_SCOPE, SCOPE_MINISTRY_LOCALITY)},
	{"2.3", "Cụm, khối thi đua", WHEN(FD_SCOPE, SCOPE_CLUSTERS)},
	{"2.4", "Cơ quan, đơn vị", WHEN(FD_SCOPE, SCOPE_AGENCY)},
	{"3", "Chia theo thời gian", ALL},
	{"3.1", "Dưới 1 năm", WHEN(FD_DURATION, DURATION_UNDER_1Y)},
	{"3.2", "1 năm", WHEN(FD_DURATION, DURATION_1Y)},
	{"3.3", "Trên 1 năm đến 3 năm", WHEN(FD_DURATION, DURATION_1_3Y)},
	{"3.4", "Trên 3 năm đến dưới 5 năm", WHEN(FD_DURATION, DURATION_3_5Y)},
	{"3.5", "Từ 5 năm trở lên", WHEN(FD_DURATION, DURATION_5Y_UP)},
	{"4", "Chia theo hình thức", ALL},
	{"4.1", "Chuyên đề", WHEN(FD_METHOD, METHOD_THEMATIC)},
	{"4.2", "Thường xuyên hằng năm", WHEN(FD_METHOD, METHOD_REGULAR)},
};
/* column 1 = 2 + 3 + 4 */
static const struct form_line cols_0601[] = {
	{"1", "Tổng số", ALL},
	{"2", "Cấp Trung ương phát động", WHEN(FD_LEVEL, LEVEL_CENTRAL)},
	{"3", "Cấp bộ, ngành, tỉnh phát động", WHEN(FD_LEVEL, LEVEL_MINISTRY_PROVINCE)},
	{"4", "Cấp cơ quan, đơn vị phát động", WHEN(FD_LEVEL, LEVEL_AGENCY)},
};

/* --- 0602 Số lượng khen thưởng cấp Nhà nước --------------------------------------------------
 * Awards of state-level kinds (award_kinds.level 'national') granted by decisions in the year and
 * not revoked; a pair of columns (tập thể, cá nhân) per group of kinds; rows by the proposing
 * level and by the nominee's subject class. Column 1 = 2 + … + 15. */
static const struct form_line rows_0602[] = {
	{"1", "Tổng số", ALL},
	{"2", "Chia theo cấp trình khen thưởng", ALL},
	{"2.1", "Cấp Trung ương", WHEN(FD_LEVEL, LEVEL_CENTRAL)},
	{"2.2", "Cấp bộ, ngành, tỉnh", WHEN(FD_LEVEL, LEVEL_MINISTRY_PROVINCE)},
	{"2.3", "Cấp cơ quan, đơn vị", WHEN(FD_LEVEL, LEVEL_AGENCY)},
	{"3", "Chia theo đối tượng", ALL},
	{"3.1", "Lãnh đạo, quản lý", WHEN(FD_SUBJECT, SUBJECT_LEADER)},
	{"3.2", "Cán bộ, công chức, viên chức", WHEN(FD_SUBJECT, SUBJECT_STAFF)},
	{"3.3", "Công nhân, nông dân, người lao động", WHEN(FD_SUBJECT, SUBJECT_WORKER_FARMER)},
	{"3.4", "Doanh nghiệp, doanh nhân", WHEN(FD_SUBJECT, SUBJECT_BUSINESS)},
	{"3.5", "Người nước ngoài", WHEN(FD_SUBJECT, SUBJECT_FOREIGNER)},
	{"3.6", "Đối tượng khác", WHEN(FD_SUBJECT, SUBJECT_OTHER)},
};
#define PAIR(n1, n2, label, group)                                                                          \
	{n1, label ": tập thể", WHEN2(FD_KIND_GROUP, group, FD_RECIPIENT, RECIPIENT_COLLECTIVE)},           \
	{n2, label ": cá nhân", WHEN2(FD_KIND_GROUP, group, FD_RECIPIENT, RECIPIENT_INDIVIDUAL)}
static const struct form_line cols_0602[] = {
	{"1", "Tổng số", ALL},
	PAIR("2", "3", "Huân chương, Huy chương", KG_ORDERS_MEDALS),
	PAIR("4", "5", "Giải thưởng Hồ Chí Minh, Giải thưởng Nhà nước", KG_PRIZES),
	PAIR("6", "7", "Danh hiệu vinh dự Nhà nước", KG_HONORARY_TITLES),
	PAIR("8", "9", "Cờ thi đua của Chính phủ", KG_GOVERNMENT_FLAG),
	PAIR("10", "11", "Bằng khen của Thủ tướng Chính phủ", KG_PM_CERTIFICATE),
	PAIR("12", "13", "Chiến sĩ thi đua toàn quốc", KG_NATIONAL_EMULATION_SOLDIER),
	PAIR("14", "15", "Hình thức khác", KG_OTHER),
};

static const struct form_def form_0601 = {
	"0601", "Số phong trào thi đua", rows_0601, COUNT(rows_0601), cols_0601, COUNT(cols_0601),
	{FD_LEVEL, FD_SCOPE, FD_DURATION, FD_METHOD},
};
static const struct form_def form_0602 = {
	"0602", "Số lượng khen thưởng cấp Nhà nước", rows_0602, COUNT(rows_0602), cols_0602, COUNT(cols_0602),
	{FD_LEVEL, FD_KIND_GROUP, FD_RECIPIENT, FD_SUBJECT},
};
static const struct form_def *const forms[] = {&form_0601, &form_0602};

/* --- how a counted thing becomes a fact ------------------------------------------------------- */

/* A unit's level. Units carry no level (sql/0001): it is read from the kind and whether the unit
 * has a province code. A body of the whole country (no province) is central; a province's own
 * body, or a ministry's inspectorate (sector, no province), is of the ministry-province level;
 * what works inside a province below that (a department's or district's inspectorate, an agency,
 * a division) is of the agency-unit level. A party committee or mass organisation with a
 * province code is taken as the province's (a district's would need a level the units lack). */
enum province { ANY_PROVINCE, NO_PROVINCE, WITH_PROVINCE };
static const struct {
	const char *kind;
	enum province province;
	enum form_level level;
} unit_levels[] = {
	{"government_inspectorate", ANY_PROVINCE, LEVEL_CENTRAL},
	{"provincial_inspectorate", ANY_PROVINCE, LEVEL_MINISTRY_PROVINCE},
	{"sector_inspectorate", NO_PROVINCE, LEVEL_MINISTRY_PROVINCE},  /* thanh tra bộ, ngành */
	{"sector_inspectorate", WITH_PROVINCE, LEVEL_AGENCY},           /* thanh tra sở */
	{"district_inspectorate", ANY_PROVINCE, LEVEL_AGENCY},
	{"party_committee", NO_PROVINCE, LEVEL_CENTRAL},
	{"party_committee", WITH_PROVINCE, LEVEL_MINISTRY_PROVINCE},
	{"internal_affairs_board", NO_PROVINCE, LEVEL_CENTRAL},         /* Ban Nội chính Trung ương */
	{"internal_affairs_board", WITH_PROVINCE, LEVEL_MINISTRY_PROVINCE}, /* Ban Nội chính Tỉnh ủy */
	{"mass_organization", NO_PROVINCE, LEVEL_CENTRAL},
	{"mass_organization", WITH_PROVINCE, LEVEL_MINISTRY_PROVINCE},
	{"agency", ANY_PROVINCE, LEVEL_AGENCY},
	{"division", ANY_PROVINCE, LEVEL_AGENCY},
	{"other", ANY_PROVINCE, LEVEL_AGENCY},
};

/* A campaign's scope: one with participating clusters is the clusters'; else its launcher's
 * level says it (central: national; ministry-province: the ministry's or locality's; agency). */
static const enum form_scope scope_of_level[LEVEL_COUNT] = {
	[LEVEL_CENTRAL] = SCOPE_NATIONAL,
	[LEVEL_MINISTRY_PROVINCE] = SCOPE_MINISTRY_LOCALITY,
	[LEVEL_AGENCY] = SCOPE_AGENCY,
};

/* Durations, the first that holds: a length is under `months` (or, when `inclusive`, at most
 * that many months and no day more). 1 year is exactly 12 months; "1–3 years" is over 1 up to
 * 3 included; "3–5 years" over 3 and under 5. */
static const struct {
	int months;
	bool inclusive;
	enum form_duration duration;
} durations[] = {
	{12, false, DURATION_UNDER_1Y},
	{12, true, DURATION_1Y},
	{36, true, DURATION_1_3Y},
	{60, false, DURATION_3_5Y},
	{INT_MAX, false, DURATION_5Y_UP},
};

static const struct {
	const char *kind;
	enum form_method method;
} methods[] = {
	{"thematic", METHOD_THEMATIC},
	{"regular", METHOD_REGULAR},
};

/* State-level kinds to their group: the catalogue's codes (sql/0011), then prefixes for kinds the
 * catalogue does not have yet (orders, medals, prizes, honorary titles: names of our own choosing
 * for when they are added); any other state-level kind is "other". */
static const struct {
	const char *code;
	bool prefix;
	enum form_kind_group group;
} kind_groups[] = {
	{"huan_chuong_lao_dong_hang_nhat", false, KG_ORDERS_MEDALS},
	{"huan_chuong_lao_dong_hang_nhi", false, KG_ORDERS_MEDALS},
	{"huan_chuong_lao_dong_hang_ba", false, KG_ORDERS_MEDALS},
	{"co_thi_dua_chinh_phu", false, KG_GOVERNMENT_FLAG},
	{"bang_khen_thu_tuong", false, KG_PM_CERTIFICATE},
	{"chien_si_thi_dua_toan_quoc", false, KG_NATIONAL_EMULATION_SOLDIER},
	{"huan_chuong_", true, KG_ORDERS_MEDALS},
	{"huy_chuong_", true, KG_ORDERS_MEDALS},
	{"giai_thuong_ho_chi_minh", true, KG_PRIZES},
	{"giai_thuong_nha_nuoc", true, KG_PRIZES},
	{"anh_hung_", true, KG_HONORARY_TITLES},
	{"ba_me_viet_nam_anh_hung", true, KG_HONORARY_TITLES},
	{"nha_giao_", true, KG_HONORARY_TITLES},
	{"thay_thuoc_", true, KG_HONORARY_TITLES},
	{"nghe_si_", true, KG_HONORARY_TITLES},
	{"nghe_nhan_", true, KG_HONORARY_TITLES},
};

/* A household (hộ gia đình) is counted with the collectives: it is awarded as one, not as a
 * person (our reading: the forms split tập thể / cá nhân only). */
static const struct {
	const char *recipient;
	enum form_recipient as;
} recipients[] = {
	{"unit", RECIPIENT_COLLECTIVE},
	{"person", RECIPIENT_INDIVIDUAL},
	{"household", RECIPIENT_COLLECTIVE},
};

static const char *const subjects[SUBJECT_COUNT] = {
	[SUBJECT_LEADER] = "leader", [SUBJECT_STAFF] = "staff", [SUBJECT_WORKER_FARMER] = "worker_farmer",
	[SUBJECT_BUSINESS] = "business", [SUBJECT_FOREIGNER] = "foreigner", [SUBJECT_OTHER] = "other",
};

static const int dim_values[FD_COUNT] = {
	[FD_LEVEL] = LEVEL_COUNT, [FD_SCOPE] = SCOPE_COUNT, [FD_DURATION] = DURATION_COUNT,
	[FD_METHOD] = METHOD_COUNT, [FD_KIND_GROUP] = KG_COUNT, [FD_RECIPIENT] = RECIPIENT_COUNT,
	[FD_SUBJECT] = SUBJECT_COUNT,
};

/* --- the engine ------------------------------------------------------------------------------- */

const struct form_def *form_def_find(const char *code)
{
	for (int i = 0; i < COUNT(forms); i++)
		if (strcmp(forms[i]->code, code) == 0)
			return forms[i];
	return NULL;
}

const struct form_def *const *form_defs(size_t *n)
{
	*n = (size_t)COUNT(forms);
	return forms;
}

int form_dim_values(enum form_dim dim)
{
	return dim > FD_ANY && dim < FD_COUNT ? dim_values[dim] : 0;
}

bool form_code_ok(const char *s, size_t n)
{
	if (n != 4)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool form_line_counts(const struct form_line *l, const struct form_fact *f)
{
	for (int i = 0; i < FORM_TESTS; i++)
		if (l->when[i].dim != FD_ANY && f->of[l->when[i].dim] != l->when[i].value)
			return false;
	return true;
}

void form_tally(const struct form_def *d, const struct form_fact *f, long long *cells)
{
	for (int r = 0; r < d->nrows; r++) {
		if (!form_line_counts(&d->rows[r], f))
			continue;
		for (int c = 0; c < d->ncols; c++)
			if (form_line_counts(&d->cols[c], f))
				cells[r * d->ncols + c] += f->count;
	}
}

bool form_unit_level(const char *unit_kind, bool has_province, int *level)
{
	for (int i = 0; i < COUNT(unit_levels); i++)
		if (strcmp(unit_levels[i].kind, unit_kind) == 0 &&
		    (unit_levels[i].province == ANY_PROVINCE || (unit_levels[i].province == WITH_PROVINCE) == has_province)) {
			*level = (int)unit_levels[i].level;
			return true;
		}
	return false;
}

int form_duration_of(int months, int days)
{
	for (int i = 0; i < COUNT(durations); i++) {
		int m = durations[i].months;
		if (months < m || (durations[i].inclusive && months == m && days == 0))
			return (int)durations[i].duration;
	}
	return DURATION_5Y_UP;
}

bool form_fact_0601(const char *unit_kind, bool has_province, const char *campaign_kind, bool clustered, int months,
		    int days, long long count, struct form_fact *out)
{
	memset(out, 0, sizeof *out);
	int level;
	if (!form_unit_level(unit_kind, has_province, &level))
		return false;
	out->of[FD_LEVEL] = level;
	out->of[FD_SCOPE] = (int)(clustered ? SCOPE_CLUSTERS : scope_of_level[level]);
	out->of[FD_DURATION] = form_duration_of(months, days);
	out->of[FD_METHOD] = -1;
	for (int i = 0; i < COUNT(methods); i++)
		if (strcmp(methods[i].kind, campaign_kind) == 0)
			out->of[FD_METHOD] = (int)methods[i].method;
	out->count = count;
	return out->of[FD_METHOD] >= 0;
}

static int kind_group(const char *code)
{
	for (int i = 0; i < COUNT(kind_groups); i++) {
		size_t n = strlen(kind_groups[i].code);
		if (kind_groups[i].prefix ? strncmp(code, kind_groups[i].code, n) == 0 : strcmp(code, kind_groups[i].code) == 0)
			return (int)kind_groups[i].group;
	}
	return KG_OTHER;
}

bool form_fact_0602(const char *award_kind, const char *recipient, const char *unit_kind, bool has_province,
		    const char *subject_class, long long count, struct form_fact *out)
{
	memset(out, 0, sizeof *out);
	int level;
	if (!form_unit_level(unit_kind, has_province, &level))
		return false;
	out->of[FD_LEVEL] = level;
	out->of[FD_KIND_GROUP] = kind_group(award_kind);
	out->of[FD_RECIPIENT] = out->of[FD_SUBJECT] = -1;
	for (int i = 0; i < COUNT(recipients); i++)
		if (strcmp(recipients[i].recipient, recipient) == 0)
			out->of[FD_RECIPIENT] = (int)recipients[i].as;
	for (int i = 0; i < SUBJECT_COUNT; i++)
		if (strcmp(subjects[i], subject_class) == 0)
			out->of[FD_SUBJECT] = i;
	out->count = count;
	return out->of[FD_RECIPIENT] >= 0 && out->of[FD_SUBJECT] >= 0;
}
