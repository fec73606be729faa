/* An evaluation's criteria tree (bảng tiêu chí chấm điểm, API.md "Evaluations"): read and
 * checked from JSON, written back in its one stored form, and summed for a unit. Pure:
 * unit-tested without a database (tests/unit/test_evaluation_criteria.c).
 *
 * [{code, name, max_points, kind, indicator_code?, points_each?, count?, children?}], at most 3
 * levels and 200 nodes, codes unique in the tree. A `group` has children and its points are the
 * sum of theirs, kept between 0 and its max_points: children's maxima may add up past it (a
 * bonus beyond the cap is cut off, as score sheets do). Leaves:
 *   quantitative  indicator_code: scored from reports and targets (api/evaluation_scoring.h)
 *   qualitative   points given by the other members
 *   fixed         points_each × a count (indicator_code, or count "recognized_initiatives")
 *   bonus/penalty entered by the runner with a reason; a penalty is subtracted
 * Every leaf's points are kept between 0 and its max_points. */
#ifndef TDKT_EVALUATION_CRITERIA_H
#define TDKT_EVALUATION_CRITERIA_H
#include <jansson.h>
#include <stdbool.h>
#include "lib/buf.h"
#include "lib/error.h"

#define CRITERIA_MAX_NODES 200
#define CRITERIA_MAX_DEPTH 3
#define CRITERION_CODE_MAX 48

enum criterion_kind { CK_GROUP, CK_QUANTITATIVE, CK_QUALITATIVE, CK_FIXED, CK_BONUS, CK_PENALTY, CK_COUNT };

struct criterion {
	char code[CRITERION_CODE_MAX + 1];
	const char *name;            /* borrowed from the tree read */
	enum criterion_kind kind;
	int parent;                  /* index of its group; -1 at the top */
	int depth;                   /* 1 at the top */
	long long max;               /* max_points, hundredths */
	char max_text[32];           /* the same as decimal text */
	long long each;              /* fixed: points_each, hundredths */
	char indicator[CRITERION_CODE_MAX + 1]; /* quantitative, fixed by an indicator; "" otherwise */
	bool initiatives;            /* fixed: counts the unit's recognised initiatives of the year */
};

/* in pre-order: a group's descendants follow it */
struct criteria {
	int n;
	struct criterion node[CRITERIA_MAX_NODES];
};

/* The kind's name in JSON ("quantitative"); NULL for none */
const char *criterion_kind_name(enum criterion_kind kind);

/* Reads and checks `tree` (a JSON array); field errors "criteria[0].children[2].max_points" in
 * err. Names stay borrowed from tree. */
bool criteria_read(json_t *tree, struct criteria *out, struct app_error *err);

/* The tree in its stored form: each node's fields in one order, numbers as given (2 decimals) */
void criteria_write(const struct criteria *c, struct buf *out);

/* index of the node with this code, -1 when none */
int criteria_find(const struct criteria *c, const char *code);

/* A unit's points on every node (hundredths), from its leaves' raw points: leaves kept between 0
 * and their maximum (a penalty counts negative), groups summed and kept between 0 and theirs,
 * the total the sum of the top nodes. points[] holds the leaves' on entry, every node's on
 * return (a penalty's as the negative it adds). */
long long criteria_sum(const struct criteria *c, long long *points);

#endif
