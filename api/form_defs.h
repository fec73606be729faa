/* The statistical forms of Thông tư 02/2023/TT-BNV that /v1/stats/forms/{code} answers (API.md
 * "Statistical forms"), each as one table: its rows and its columns, each a code, a label and
 * which facts it counts. A fact is one thing counted (a campaign, an award) described along a few
 * dimensions — its launching or proposing level, its scope, its duration, its kind… — with how
 * many there are. A cell (row, column) counts the facts both count. Pure: no database, no HTTP
 * (tests/unit/test_form_defs.c).
 *
 * THE FORMS' TEXT WAS NOT AT HAND. Row codes ("1", "2.1", …), column numbers ("1", "2", …) and
 * every label are OUR READING of API.md's description, laid out as these forms usually are; they
 * are not the printed form's own and must be checked against Thông tư 02/2023/TT-BNV (each
 * answer says so: source_checked false). So are the dimensions' derivations below (which unit is
 * central, which campaign is a cluster's, where households go). A correction is an edit of the
 * tables in form_defs.c. */
#ifndef TDKT_FORM_DEFS_H
#define TDKT_FORM_DEFS_H
#include <stdbool.h>
#include <stddef.h>

/* what a fact is described by; FD_ANY in a test: every fact */
enum form_dim { FD_ANY, FD_LEVEL, FD_SCOPE, FD_DURATION, FD_METHOD, FD_KIND_GROUP, FD_RECIPIENT, FD_SUBJECT, FD_COUNT };

/* a unit's level (cấp): who launches a campaign, who proposes an award */
enum form_level { LEVEL_CENTRAL, LEVEL_MINISTRY_PROVINCE, LEVEL_AGENCY, LEVEL_COUNT };
/* a campaign's scope (phạm vi) */
enum form_scope { SCOPE_NATIONAL, SCOPE_MINISTRY_LOCALITY, SCOPE_CLUSTERS, SCOPE_AGENCY, SCOPE_COUNT };
/* a campaign's duration (thời gian) */
enum form_duration { DURATION_UNDER_1Y, DURATION_1Y, DURATION_1_3Y, DURATION_3_5Y, DURATION_5Y_UP, DURATION_COUNT };
/* a campaign's method (hình thức) */
enum form_method { METHOD_THEMATIC, METHOD_REGULAR, METHOD_COUNT };
/* a state-level award kind's group */
enum form_kind_group { KG_ORDERS_MEDALS, KG_PRIZES, KG_HONORARY_TITLES, KG_GOVERNMENT_FLAG, KG_PM_CERTIFICATE,
		       KG_NATIONAL_EMULATION_SOLDIER, KG_OTHER, KG_COUNT };
/* who received an award, as the forms split it */
enum form_recipient { RECIPIENT_COLLECTIVE, RECIPIENT_INDIVIDUAL, RECIPIENT_COUNT };
/* a nominee's subject class (proposals.subject_class) */
enum form_subject { SUBJECT_LEADER, SUBJECT_STAFF, SUBJECT_WORKER_FARMER, SUBJECT_BUSINESS, SUBJECT_FOREIGNER,
		    SUBJECT_OTHER, SUBJECT_COUNT };

struct form_fact {
	int of[FD_COUNT];  /* the value along each dimension the form reads */
	long long count;   /* how many such things */
};

struct form_test {
	enum form_dim dim;  /* FD_ANY (0, the default): every fact */
	int value;
};

#define FORM_TESTS 2
/* a row or a column: a fact counts when it passes every test */
struct form_line {
	const char *code;
	const char *label;
	struct form_test when[FORM_TESTS];
};

struct form_def {
	const char *code;   /* "0601" */
	const char *title;  /* "Số phong trào thi đua" */
	const struct form_line *rows;
	int nrows;
	const struct form_line *cols;
	int ncols;
	enum form_dim dims[FD_COUNT]; /* the dimensions its facts have, ended by FD_ANY */
};

#define FORM_LEGAL_BASIS "Thông tư 02/2023/TT-BNV"
#define FORM_MAX_CELLS 512  /* rows × columns of the largest form */

/* the form of that code (borrowed), NULL when there is none */
const struct form_def *form_def_find(const char *code);
/* all forms, in code order (borrowed) */
const struct form_def *const *form_defs(size_t *n);
/* how many values dimension `dim` has (LEVEL_COUNT…); 0 for FD_ANY */
int form_dim_values(enum form_dim dim);
/* ^[0-9]{4}$: the shape of a form's code, as a path parameter */
bool form_code_ok(const char *s, size_t n);

/* does line `l` count fact `f` */
bool form_line_counts(const struct form_line *l, const struct form_fact *f);
/* adds f's count to every cell (row r, column c) whose row and column count it:
 * cells[r * d->ncols + c] */
void form_tally(const struct form_def *d, const struct form_fact *f, long long *cells);

/* A unit's level from its kind and whether it has a province code. false for a kind the table
 * does not know (a new kind without a line here). */
bool form_unit_level(const char *unit_kind, bool has_province, int *level);
/* A campaign's duration from its length: whole months and the days beyond them (starts_on to
 * ends_on, both days included: 2024-01-01…2024-12-31 is 12 months and 0 days). */
int form_duration_of(int months, int days);
/* 0601's fact: a campaign launched by a unit of that kind (with a province code or not), of kind
 * regular|thematic, with participating clusters or none, lasting months + days; false when a
 * value is not one the tables know. */
bool form_fact_0601(const char *unit_kind, bool has_province, const char *campaign_kind, bool clustered, int months,
		    int days, long long count, struct form_fact *out);
/* 0602's fact: an award of a state-level kind, to a recipient "unit" | "person" | "household",
 * whose proposal came from a unit of that kind and province, for a nominee of that subject class;
 * false when a value is not one the tables know. */
bool form_fact_0602(const char *award_kind, const char *recipient, const char *unit_kind, bool has_province,
		    const char *subject_class, long long count, struct form_fact *out);

#endif
