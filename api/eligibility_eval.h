/* Evaluating an award kind's rule version for one recipient (API.md "Award kinds", issue 13): the
 * rule tree of api/rule_expr.h over facts read beforehand in a fixed number of queries
 * (api/eligibility.c). Each rule gives passed true, false or null (a fact the service does not hold,
 * a rule this build does not evaluate, a step of a dossier's procedure) with its detail and
 * evidence; never a silent pass. Pure: unit-tested (tests/unit/test_eligibility_eval.c). */
#ifndef TDKT_ELIGIBILITY_EVAL_H
#define TDKT_ELIGIBILITY_EVAL_H
#include <jansson.h>
#include <stdbool.h>
#include "lib/buf.h"

enum tri { TRI_FALSE = 0, TRI_TRUE = 1, TRI_NULL = -1 };

struct elig_award {
	long long id;
	const char *kind, *category, *type; /* award_kind_code, its category, award_type */
	int year, from, to;                 /* the award's year and the period it rewards */
};
struct elig_rating {
	long long id;
	int year;
	int rank; /* 0 incomplete, 1 complete, 2 good, 3 excellent */
};
struct elig_initiative {
	long long id;
	int year;
	int scope; /* 0 unit, 1 sector, 2 province, 3 national; -1 not given */
};
struct elig_discipline {
	long long id;
	int level;              /* 0 reprimand … 4 dismissal */
	const char *from, *to;  /* YYYY-MM-DD; to NULL: open */
	bool pending;
};
struct elig_lead {
	long long cluster;
	int year;
	const char *role;
};
struct elig_count {
	const char *key; /* an award kind, or a rating name */
	int holders;
};

/* A public notice of a proposal's nominees (issue 14): the notice its own dossier's approving unit
 * published (by "approver", before approval), or one published lower down the chain by this
 * dossier's proposing unit as the approver of the dossier it forwards (by "proposer", before its
 * council met). */
struct elig_notice {
	long long dossier;
	const char *by;     /* "proposer" | "approver" */
	int working_days;   /* as published */
	const char *until;  /* YYYY-MM-DD, the last day */
	bool ended;         /* today is after `until` */
};

struct elig_facts {
	bool collective;            /* a unit; else a person */
	int year;                   /* the proposal's year */
	const struct elig_award *awards;
	int nawards;
	const struct elig_rating *ratings;
	int nratings;
	const struct elig_initiative *initiatives;
	int ninitiatives;
	bool disciplines_visible;   /* the caller may read the person's disciplines */
	const struct elig_discipline *disciplines;
	int ndisciplines;
	const struct elig_lead *leads;
	int nleads;
	int members;                /* a collective's people, active */
	const struct elig_count *member_titles;  /* people of the unit holding a kind that year */
	int nmember_titles;
	const struct elig_count *member_ratings; /* people of the unit rated that year, by rating */
	int nmember_ratings;
	const char *kind;           /* the kind evaluated (not_twice) */
	bool for_proposal;          /* a proposal's evaluation: its notices are known (none is a fact) */
	const struct elig_notice *notices;
	int nnotices;
};

/* the rank of a rating name (excellent 3 … incomplete 0), -1 for none */
int elig_rating_rank(const char *name);
/* a scope's rank (unit 0 … national 3), -1 for none */
int elig_scope_rank(const char *name);
/* a discipline level's rank (reprimand 0 … dismissal 4), -1 for none */
int elig_level_rank(const char *name);

/* Evaluates `expr` (stored form) for the facts: appends to `checks` one JSON object per node,
 * in pre-order, separated by commas — {path, rule, legal_basis, passed, detail, evidence} — and
 * returns the root's result. */
enum tri elig_evaluate(json_t *expr, const struct elig_facts *f, const char *legal_basis, struct buf *checks);

#endif
