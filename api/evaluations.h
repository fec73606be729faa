/* Evaluations (API.md "Evaluations"), shared by their modules: the descriptor (api/evaluations.c),
 * members' scores and the runner's bonus and penalty points (api/evaluation_scores.c), secret
 * ballots (api/evaluation_ballots.c) and the results made at close (api/evaluation_results.c). */
#ifndef TDKT_EVALUATIONS_H
#define TDKT_EVALUATIONS_H
#include <jansson.h>
#include "api/crud.h"
#include "api/evaluation_criteria.h"

/* the fields, in the descriptor's order */
enum {
	EV_ID, EV_CLUSTER, EV_YEAR, EV_CAMPAIGN, EV_TITLE, EV_MEETING, EV_HOST, EV_CRITERIA, EV_MAX_CHOICES,
	EV_THRESHOLD, EV_STATUS, EV_BALLOTS, EV_CLOSED_AT, EV_VERSION, EV_CREATED, EV_UPDATED, EV_FIELDS
};

/* An evaluation as its modules need it, read in the request's transaction. */
struct evaluation {
	long long id, cluster, year;
	char status[16];
	int max_choices;
	long long threshold;        /* vote_threshold_pct, hundredths */
	bool has_campaign;
	long long campaign;
	json_t *criteria_json;      /* owns the names criteria borrows */
	struct criteria *criteria;  /* new */
	int nmembers;
	long long *members;         /* the cluster-year's member units, by id; new */
	char title[1024];
};

enum evaluation_lock { EVAL_READ, EVAL_SHARE, EVAL_UPDATE };

/* Evaluation {id} from the path into *ev, with its criteria and members: 404 when there is none;
 * `lock` FOR SHARE (scores: nothing moves it to another state meanwhile) or FOR UPDATE (ballots). */
bool evaluation_load(struct req *r, struct db_conn *db, enum evaluation_lock lock, struct evaluation *ev);
/* the same for evaluation `id`, errors into err */
bool evaluation_load_id(struct db_conn *db, long long id, enum evaluation_lock lock, struct evaluation *ev,
			struct app_error *err);
void evaluation_free(struct evaluation *ev);

/* 409 unless the evaluation is in `status`; `doing` says what was asked */
bool evaluation_in(struct req *r, const struct evaluation *ev, const char *status, const char *doing);

/* whether unit is a member of the cluster that year */
bool evaluation_member(const struct evaluation *ev, long long unit);

/* the descriptor (api/evaluations.c) */
const struct resource *evaluations_resource(void);

/* Close, the work of it (api/evaluation_results.c): the results made and stored, the ballots
 * sealed. In the close action's transaction (or the demo loader's), the row locked. */
bool evaluation_close(struct db_conn *db, long long id, struct app_error *err);

#endif
