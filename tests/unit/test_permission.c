/* The role table: every role against its own unit, a descendant, and a unit outside. */
#include "lib/permission.h"
#include "tests/unit/check.h"

static const struct {
	enum role role;
	enum action action;
	enum relation rel;
	enum decision want;
} cases[] = {
	{ROLE_ADMIN, ACT_WRITE_UNIT, REL_OUTSIDE, ALLOW},
	{ROLE_ADMIN, ACT_MOVE_DELETE_UNIT, REL_OWN, ALLOW},
	{ROLE_ADMIN, ACT_MANAGE_USERS, REL_OUTSIDE, ALLOW},
	{ROLE_AUTHORITY, ACT_READ_UNIT, REL_OUTSIDE, ALLOW},
	{ROLE_AUTHORITY, ACT_WRITE_UNIT, REL_OWN, ALLOW},
	{ROLE_AUTHORITY, ACT_WRITE_UNIT, REL_DESCENDANT, ALLOW},
	{ROLE_AUTHORITY, ACT_WRITE_UNIT, REL_OUTSIDE, DENY},
	{ROLE_AUTHORITY, ACT_MOVE_DELETE_UNIT, REL_OWN, DENY},
	{ROLE_AUTHORITY, ACT_MOVE_DELETE_UNIT, REL_DESCENDANT, ALLOW},
	{ROLE_AUTHORITY, ACT_MOVE_DELETE_UNIT, REL_OUTSIDE, DENY},
	{ROLE_AUTHORITY, ACT_MANAGE_USERS, REL_OWN, DENY},
	{ROLE_OFFICER, ACT_READ_UNIT, REL_OUTSIDE, ALLOW},
	{ROLE_OFFICER, ACT_WRITE_UNIT, REL_OWN, DENY},
	{ROLE_OFFICER, ACT_MOVE_DELETE_UNIT, REL_DESCENDANT, DENY},
	{ROLE_OFFICER, ACT_MANAGE_USERS, REL_OWN, DENY},
	{ROLE_VIEWER, ACT_READ_UNIT, REL_OWN, ALLOW},
	{ROLE_VIEWER, ACT_WRITE_UNIT, REL_OWN, DENY},
	{ROLE_VIEWER, ACT_MANAGE_USERS, REL_OWN, DENY},
	{ROLE_INTEGRATION, ACT_READ_UNIT, REL_OUTSIDE, ALLOW},
	{ROLE_INTEGRATION, ACT_WRITE_UNIT, REL_DESCENDANT, DENY},
	{ROLE_INTEGRATION, ACT_MANAGE_USERS, REL_OUTSIDE, DENY},
	{ROLE_COUNT, ACT_READ_UNIT, REL_OWN, DENY},
	{ROLE_ADMIN, ACT_COUNT, REL_OWN, DENY},
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK(permission(cases[i].role, cases[i].action, cases[i].rel) == cases[i].want,
		      "case %zu: role %d action %d relation %d", i, cases[i].role, cases[i].action, cases[i].rel);
	return check_done("permission");
}
