/* Evaluating eligibility rules (api/eligibility_eval.c) over facts, as tables: each rule type
 * passing, failing and unknown (null) with its evidence; windows across years and the offset;
 * any_of where the first fails and the second passes; not_twice with two forms for one
 * achievement and with two ad-hoc awards; the evidence a campaign award is not. */
#include <string.h>
#include "api/eligibility_eval.h"
#include "tests/unit/check.h"

static const struct elig_award awards[] = {
	{1, "chien_si_thi_dua_co_so", "title", "merit", 2021, 2021, 2021},
	{2, "chien_si_thi_dua_co_so", "title", "merit", 2022, 2022, 2022},
	{3, "chien_si_thi_dua_co_so", "title", "merit", 2023, 2023, 2023},
	{4, "chien_si_thi_dua_co_so", "title", "campaign", 2024, 2024, 2024},
	{5, "bang_khen_bo_nganh_tinh", "commendation", "merit", 2019, 2019, 2019},
	{6, "giay_khen", "commendation", "ad_hoc", 2025, 2025, 2025},
	{7, "giay_khen", "commendation", "ad_hoc", 2025, 2025, 2025},
};
static const struct elig_rating ratings[] = {
	{11, 2020, 3}, {12, 2021, 2}, {13, 2022, 2}, {14, 2023, 3}, {15, 2024, 2},
};
static const struct elig_initiative initiatives[] = {{21, 2024, 0}, {22, 2025, -1}, {23, 2025, 2}};
static const struct elig_discipline disciplines[] = {{31, 0, "2019-03-01", "2020-03-01", false}};
static const struct elig_lead leads[] = {{41, 2025, "leader"}};
static const struct elig_count titles[] = {{"lao_dong_tien_tien", 7}, {"chien_si_thi_dua_co_so", 1}};
static const struct elig_count rated[] = {{"excellent", 2}, {"good", 5}, {"complete", 2}};

static enum tri run(const char *expr, const struct elig_facts *f, struct buf *checks)
{
	json_error_t jerr;
	json_t *e = json_loads(expr, 0, &jerr);
	buf_reset(checks);
	enum tri t = e ? elig_evaluate(e, f, "Luật Thi đua, khen thưởng 2022", checks) : TRI_NULL;
	json_decref(e);
	return t;
}

int main(void)
{
	struct elig_facts person = {
		.collective = false, .year = 2025, .awards = awards, .nawards = 7, .ratings = ratings, .nratings = 5,
		.initiatives = initiatives, .ninitiatives = 3, .disciplines_visible = true, .disciplines = disciplines,
		.ndisciplines = 1, .kind = "chien_si_thi_dua_bo_nganh_tinh",
	};
	struct elig_facts unit = {
		.collective = true, .year = 2025, .leads = leads, .nleads = 1, .members = 10, .member_titles = titles,
		.nmember_titles = 2, .member_ratings = rated, .nmember_ratings = 3, .kind = "tap_the_lao_dong_xuat_sac",
	};
	static const struct {
		const char *name;
		bool collective;
		const char *expr;
		enum tri want;
		const char *has; /* text the checks hold */
	} cases[] = {
		/* 3 consecutive cơ sở ending the year before: 2022-2024, but 2024's is a campaign award */
		{"title window offset 1: the campaign award is no evidence", false,
		 "{\"type\":\"title_in_years\",\"params\":{\"kind\":\"chien_si_thi_dua_co_so\",\"years\":3,\"min_count\":3,"
		 "\"consecutive\":true,\"offset\":1}}", TRI_FALSE, "\"from\":2022,\"to\":2024"},
		/* rules written by SQL are not checked on write: a malformed one is unknown, never a crash */
		{"a title rule without its kind (written by SQL)", false,
		 "{\"type\":\"title_in_years\",\"params\":{\"years\":3,\"min_count\":3}}", TRI_NULL, "malformed"},
		{"a member rule whose params are no object", true, "{\"type\":\"member_has\",\"params\":[1]}", TRI_NULL,
		 "malformed"},
		{"title window offset 2: 2021-2023 held", false,
		 "{\"type\":\"title_in_years\",\"params\":{\"kind\":\"chien_si_thi_dua_co_so\",\"years\":3,\"min_count\":3,"
		 "\"consecutive\":true,\"offset\":2}}", TRI_TRUE, "{\"award\":1},{\"award\":2},{\"award\":3}"},
		{"ratings: 2 of the last 3 excellent is not met", false,
		 "{\"type\":\"rating_in_years\",\"params\":{\"min_rating\":\"excellent\",\"years\":3,\"min_count\":2,\"consecutive\":false,"
		 "\"offset\":1}}", TRI_FALSE, "\"held\":1"},
		{"ratings: a year without a rating is unknown", false,
		 "{\"type\":\"rating_in_years\",\"params\":{\"min_rating\":\"good\",\"years\":2,\"min_count\":2,\"consecutive\":true,"
		 "\"offset\":0}}", TRI_NULL, "no rating"},
		{"ratings across a year boundary: 2020-2024 at least good", false,
		 "{\"type\":\"rating_in_years\",\"params\":{\"min_rating\":\"good\",\"years\":5,\"min_count\":5,\"consecutive\":true,"
		 "\"offset\":1}}", TRI_TRUE, "{\"rating\":11}"},
		{"a bộ/tỉnh Bằng khen, then 5 years good", false,
		 "{\"type\":\"award_then_years\",\"params\":{\"kind\":\"bang_khen_bo_nganh_tinh\",\"min_years\":5,\"min_rating\":\"good\"}}",
		 TRI_TRUE, "\"award_year\":2019"},
		{"no Bằng khen of the PM on record", false,
		 "{\"type\":\"award_then_years\",\"params\":{\"kind\":\"bang_khen_thu_tuong\",\"min_years\":5,\"min_rating\":\"good\"}}",
		 TRI_FALSE, "no bang_khen_thu_tuong"},
		{"an initiative of provincial scope this year", false,
		 "{\"type\":\"initiative_recognized\",\"params\":{\"min_scope\":\"province\",\"count\":1,\"years\":1}}", TRI_TRUE,
		 "{\"initiative\":23}"},
		{"two sector initiatives this year: one has no scope", false,
		 "{\"type\":\"initiative_recognized\",\"params\":{\"min_scope\":\"sector\",\"count\":2,\"years\":1}}", TRI_NULL,
		 "no scope"},
		{"no reprimand in the last 5 years: one in 2019-2020", false,
		 "{\"type\":\"no_discipline\",\"params\":{\"min_level\":\"reprimand\",\"years\":7}}", TRI_FALSE, "{\"discipline\":31}"},
		{"no warning in the last 7 years", false,
		 "{\"type\":\"no_discipline\",\"params\":{\"min_level\":\"warning\",\"years\":7}}", TRI_TRUE, "\"passed\":true"},
		{"not twice: a second Bằng khen for 2019 is not asked; for 2025 only ad hoc awards", false,
		 "{\"type\":\"not_twice\",\"params\":{}}", TRI_TRUE, "\"year\":2025"},
		{"any_of: the first fails, the second passes", false,
		 "{\"type\":\"any_of\",\"items\":[{\"type\":\"rating_in_years\",\"params\":{\"min_rating\":\"excellent\",\"years\":1,"
		 "\"min_count\":1,\"consecutive\":false,\"offset\":1}},{\"type\":\"initiative_recognized\",\"params\":{\"min_scope\":\"unit\","
		 "\"count\":1,\"years\":2}}]}", TRI_TRUE, "\"failed\":1"},
		{"all_of: a null makes null, a false makes false", false,
		 "{\"type\":\"all_of\",\"items\":[{\"type\":\"scientific_project\",\"params\":{}},{\"type\":\"not_twice\",\"params\":{}}]}",
		 TRI_NULL, "does not evaluate scientific_project"},
		{"a procedure is null without a proposal", false, "{\"type\":\"public_notice\",\"params\":{\"working_days\":10,"
		 "\"by\":\"proposer\",\"before\":\"council_meeting\"}}", TRI_NULL, "procedure"},
		{"a collective's rule for a person", false, "{\"type\":\"member_has\",\"params\":{\"kind\":\"x_y\"}}", TRI_NULL,
		 "a rule for collectives"},
		{"70 % Lao động tiên tiến: 7 of 10", true,
		 "{\"type\":\"members_share\",\"params\":{\"kind\":\"lao_dong_tien_tien\",\"min_pct\":70}}", TRI_TRUE, "\"share_pct\":70.00"},
		{"100 % complete: one person unrated", true,
		 "{\"type\":\"members_share\",\"params\":{\"min_rating\":\"complete\",\"min_pct\":100}}", TRI_NULL, "1 people"},
		{"one Chiến sĩ thi đua cơ sở among them", true,
		 "{\"type\":\"member_has\",\"params\":{\"kind\":\"chien_si_thi_dua_co_so\"}}", TRI_TRUE, "\"holders\":1"},
		{"led the cluster this year", true, "{\"type\":\"leads_cluster\",\"params\":{\"roles\":[\"leader\"]}}", TRI_TRUE,
		 "{\"cluster\":41}"},
		{"was not its deputy", true, "{\"type\":\"leads_cluster\",\"params\":{\"roles\":[\"deputy\"]}}", TRI_FALSE, "\"year\":2025"},
	};
	struct buf checks;
	buf_init(&checks);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum tri t = run(cases[i].expr, cases[i].collective ? &unit : &person, &checks);
		CHECK(t == cases[i].want && strstr(checks.data ? checks.data : "", cases[i].has),
		      "%s: got %d, checks %s", cases[i].name, (int)t, checks.data ? checks.data : "");
	}
	/* disciplines the caller may not read: null, never a pass */
	person.disciplines_visible = false;
	CHECK(run("{\"type\":\"no_discipline\",\"params\":{\"min_level\":\"reprimand\",\"years\":1}}", &person, &checks) == TRI_NULL,
	      "invisible disciplines");
	/* two forms for one achievement: a Bằng khen for 2025 asked when a merit Giấy khen rewards 2025 */
	static const struct elig_award twice[] = {{51, "giay_khen", "commendation", "merit", 2025, 2024, 2025},
						  {52, "bang_khen_bo_nganh_tinh", "commendation", "merit", 2020, 2020, 2020}};
	struct elig_facts p2 = {.year = 2025, .awards = twice, .nawards = 2, .kind = "bang_khen_bo_nganh_tinh"};
	CHECK(run("{\"type\":\"not_twice\",\"params\":{}}", &p2, &checks) == TRI_FALSE && strstr(checks.data, "{\"award\":51}"),
	      "two forms for one achievement: %s", checks.data);
	/* the checks are one per node, in pre-order, each with its path */
	run("{\"type\":\"all_of\",\"items\":[{\"type\":\"not_twice\",\"params\":{}},{\"type\":\"any_of\",\"items\":["
	    "{\"type\":\"not_twice\",\"params\":{}}]}]}", &person, &checks);
	const char *paths[] = {"\"path\":\"expr\"", "\"path\":\"expr.items[0]\"", "\"path\":\"expr.items[1]\"",
			       "\"path\":\"expr.items[1].items[0]\""};
	const char *at = checks.data;
	for (size_t i = 0; i < 4; i++) {
		const char *next = at ? strstr(at, paths[i]) : NULL;
		CHECK(next != NULL, "pre-order path %s", paths[i]);
		at = next ? next + 1 : at;
	}
	/* a proposal's notices (issue 14): by whom, how long, ended or not */
	static const struct {
		const char *name;
		struct elig_notice notices[2];
		int n;
		enum tri want;
		const char *has;
	} notice_cases[] = {
		{"no notice at all: false", {{0}}, 0, TRI_FALSE, "\"by\":\"proposer\""},
		{"the proposer's 10 working days, ended", {{7, "proposer", 10, "2025-12-15", true}}, 1, TRI_TRUE, "{\"dossier\":7}"},
		{"the proposer's, still running: null", {{7, "proposer", 10, "2025-12-15", false}}, 1, TRI_NULL, "not ended"},
		{"the proposer's, too short", {{7, "proposer", 5, "2025-12-15", true}}, 1, TRI_FALSE, "\"working_days\":10"},
		{"the approver's is not the proposer's", {{8, "approver", 10, "2025-12-15", true}}, 1, TRI_FALSE, "proposer"},
		{"a short one and a long one", {{8, "proposer", 3, "2025-12-01", true}, {9, "proposer", 12, "2025-12-20", true}}, 2,
		 TRI_TRUE, "{\"dossier\":9}"},
	};
	const char *notice_rule = "{\"type\":\"public_notice\",\"params\":{\"working_days\":10,\"by\":\"proposer\","
				  "\"before\":\"council_meeting\"}}";
	for (size_t i = 0; i < sizeof notice_cases / sizeof notice_cases[0]; i++) {
		struct elig_facts pf = {.year = 2025, .kind = "huan_chuong_lao_dong_hang_ba", .for_proposal = true,
					.notices = notice_cases[i].notices, .nnotices = notice_cases[i].n};
		enum tri t = run(notice_rule, &pf, &checks);
		CHECK(t == notice_cases[i].want && strstr(checks.data ? checks.data : "", notice_cases[i].has),
		      "%s: got %d, checks %s", notice_cases[i].name, (int)t, checks.data ? checks.data : "");
	}
	CHECK(elig_rating_rank("good") == 2 && elig_scope_rank("national") == 3 && elig_level_rank("x") == -1, "ranks");
	buf_free(&checks);
	return check_done("eligibility_eval");
}
