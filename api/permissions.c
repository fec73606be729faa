/* The role rules of API.md as one pure table (api/authz.h): what a role may do to data of a
 * unit, given how that unit relates to the caller's own unit. The relation comes from the
 * database (api/authz.c); the decision comes only from here. */
#include "api/authz.h"

/* rows: role; columns: action; each cell: allowed relations as bits */
#define OWN (1u << REL_OWN)
#define DESC (1u << REL_DESCENDANT)
#define CLUSTER (1u << REL_CLUSTER)
#define LEADER (1u << REL_LEADER)
#define OUT (1u << REL_OUTSIDE)
#define ANY (OWN | DESC | CLUSTER | LEADER | OUT)

static const unsigned cells[ROLE_COUNT][ACT_COUNT] = {
	/*            read  write        move/delete  users  unit data   catalogue  organise    recognise  awards
	 *            review reports, import reports, run an evaluation, score and vote, disciplines,
	 *            approve awards, rate */
	[ROLE_ADMIN] = {ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY},
	/* recognise: strict descendants only, no unit recognises its own initiatives (issue 8); nor
	 * does a unit accept its own report: its descendants', and its clusters' members'.
	 * An evaluation is run by the cluster-year's leader unit, or the authority of its organiser
 * (OWN, DESC: the organiser's relation); a unit scores and votes for itself only. Dossiers are
	 * approved by the authority of the approving unit or above it (API.md: approving_unit_id in
	 * subtree); a dossier never goes to its own proposer (sql/0024), so no unit approves itself. */
	[ROLE_AUTHORITY] = {ANY, OWN | DESC, DESC, 0, OWN | DESC, 0, OWN | DESC, DESC, OWN | DESC, DESC | CLUSTER, OWN | DESC,
			    OWN | DESC | LEADER, OWN, OWN | DESC, OWN | DESC, OWN | DESC},
	/* an officer writes its subtree's data, but rates only its own unit and its people: a rating
	 * is the assessment of the subject's unit or of an authority above it (API.md) */
	[ROLE_OFFICER] = {ANY, 0, 0, 0, OWN | DESC, 0, 0, 0, 0, 0, 0, LEADER, OWN, 0, 0, OWN},
	[ROLE_VIEWER] = {ANY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	/* national systems send reports for their subtree (POST /v1/reports/batch) */
	[ROLE_INTEGRATION] = {ANY, 0, 0, 0, 0, 0, 0, 0, 0, 0, OWN | DESC, 0, 0, 0, 0, 0},
};

static const struct permission_table table = {&cells[0][0], ROLE_COUNT, ACT_COUNT, REL_COUNT};

enum decision permission(enum role role, enum action action, enum relation rel)
{
	return permission_allows(&table, (int)role, (int)action, (int)rel) ? ALLOW : DENY;
}
