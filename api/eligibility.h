/* One award kind's rules evaluated for one recipient (API.md "Award kinds"): the answer of
 * GET /v1/eligibility, and a proposal's eligibility (issue 14: stored on submit, asked again at
 * approval), made in one place. */
#ifndef TDKT_ELIGIBILITY_H
#define TDKT_ELIGIBILITY_H
#include <stdbool.h>
#include "api/eligibility_eval.h"
#include "lib/db.h"
#include "lib/http.h"

struct eligibility_ask {
	const char *kind;                  /* award_kind_code */
	long long unit_id, person_id;      /* exactly one of them non-zero */
	long long year;                    /* the proposal's year */
	const char *on;                    /* YYYY-MM-DD the rules are in force on; NULL: today */
	bool personal;                     /* read a person's disciplines when the caller may (recorded) */
	bool for_proposal;                 /* a proposal's: its notices (none is a fact) */
	const struct elig_notice *notices;
	int nnotices;
	/* when given, set true once a person's disciplines were read and the read recorded in db's
	 * transaction: an answer that fails after it commits that record all the same */
	bool *personal_read;
};

/* In `db`, a transaction that names the caller: the rules in force, the facts, the evaluation,
 * written to `out` as GET /v1/eligibility answers it, the root's result in *eligible. false with
 * r->err: an unknown kind or recipient (404), a kind that does not fit the recipient (422). */
bool eligibility_answer(struct req *r, struct db_conn *db, const struct eligibility_ask *ask, struct buf *out,
			enum tri *eligible);

#endif
