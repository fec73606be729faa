/* The consistency rules of a report's figures: each rule kept and broken, rules that do not apply
 * when a figure is missing, m² with decimals, and the field each error names. */
#include <string.h>
#include "api/report_rules.h"
#include "tests/unit/check.h"

static const struct {
	const char *values;     /* JSON */
	const char *prefix;
	const char *fields;     /* the fields named, space-separated, in order ("" for none) */
} cases[] = {
	{"{}", "", ""},
	{"{\"petitions_received\": 10, \"petitions_eligible\": 10}", "", ""},
	{"{\"petitions_received\": 10, \"petitions_eligible\": 11}", "", "values.petitions_eligible"},
	{"{\"petitions_eligible\": 11}", "", ""}, /* no total given: nothing to compare */
	{"{\"complaints_in_competence\": 363, \"complaints_resolved\": 321}", "", ""},
	{"{\"complaints_in_competence\": 3, \"complaints_resolved\": 4}", "", "values.complaints_resolved"},
	{"{\"reception_turns\": 10565, \"citizens_received\": 11377}", "", ""},
	{"{\"reception_turns\": 10, \"citizens_received\": 9}", "", "values.citizens_received"},
	{"{\"recovery_recommended_vnd\": 71500000000, \"recovered_vnd\": 64150000000}", "", ""},
	{"{\"recovery_recommended_vnd\": 100, \"recovered_vnd\": 101}", "", "values.recovered_vnd"},
	{"{\"recovery_recommended_land_m2\": 10.5, \"recovered_land_m2\": 10.5}", "", ""},
	{"{\"recovery_recommended_land_m2\": 10.5, \"recovered_land_m2\": 10.51}", "", "values.recovered_land_m2"},
	{"{\"recovery_recommended_land_m2\": 9895, \"recovered_land_m2\": 9894.99}", "", ""},
	{"{\"inspections\": 10, \"inspections_planned\": 4, \"inspections_unplanned\": 6}", "", ""},
	{"{\"inspections\": 10, \"inspections_planned\": 4, \"inspections_unplanned\": 5}", "", "values.inspections"},
	{"{\"inspections\": 5, \"inspections_planned\": 6}", "", "values.inspections_planned"},
	{"{\"inspections\": 5, \"inspections_unplanned\": 6}", "", "values.inspections_unplanned"},
	{"{\"inspections\": 5, \"inspections_planned\": 6, \"inspections_unplanned\": 0}", "",
	 "values.inspections_planned values.inspections"},
	{"{\"petitions_received\": 1, \"petitions_eligible\": 2, \"reception_turns\": 5, \"citizens_received\": 4}", "[7].",
	 "[7].values.petitions_eligible [7].values.citizens_received"},
	{"{\"petitions_received\": 9999999999999999, \"petitions_eligible\": 9999999999999998}", "", ""},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_error_t jerr;
		json_t *values = json_loads(cases[i].values, 0, &jerr);
		struct app_error err;
		app_error_clear(&err);
		bool ok = report_rules_check(values, cases[i].prefix, &err);
		char named[512] = "";
		for (int f = 0; f < err.nfields; f++) {
			if (f)
				strcat(named, " ");
			strcat(named, err.fields[f].field);
		}
		CHECK(ok == (cases[i].fields[0] == '\0'), "case %zu: ok %d", i, ok);
		CHECK(strcmp(named, cases[i].fields) == 0, "case %zu: named '%s', want '%s'", i, named, cases[i].fields);
		json_decref(values);
	}
	return check_done("report_rules");
}
