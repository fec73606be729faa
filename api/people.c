/* /v1/people — individuals who can be commended (API.md "People"): readable by every caller,
 * written by officers and authorities inside their subtree and by admins. No other personal
 * data than a name and a position. A plain resource: its descriptor is all of it (api/crud.h). */
#include "api/crud.h"

static const struct field fields[] = {
	FIELD_ID,
	{{"unit_id", JF_ID, JF_REQUIRED, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_OWNER | FR_FILTER | FR_SUBTREE, NULL},
	{{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	{{"position", JF_STRING, JF_NULLABLE, 1, 200, NULL, NULL, NULL}, NULL, COL_STR, FR_NFC, NULL},
	{{"active", JF_BOOL, 0, 0, 0, NULL, NULL, NULL}, NULL, COL_BOOL, FR_FILTER, "true"},
	FIELDS_ROW_META,
};

static const struct fk_fact facts[] = {
	{"people_unit_fkey", "unit_id", "unit_id does not name an existing unit",
	 "the unit still has people; move or delete them first"},
};

static const struct resource people = {
	RESOURCE("people", "/v1/people", "Person"), WITH(fields, fields), .entity = "person",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read people but not change them",
	.searchable = true,
};

const struct api_module people_module = {.name = "people", .resource = &people, WITH(facts, facts)};
