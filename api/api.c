/* The route table: one line per resource module. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/crud.h"

extern const struct api_module health_module;
extern const struct api_module docs_module;
extern const struct api_module units_module;
extern const struct api_module authz_module;
extern const struct api_module write_module;
extern const struct api_module audit_module;
extern const struct api_module auth_module;
extern const struct api_module me_module;
extern const struct api_module users_module;
extern const struct api_module people_module;
extern const struct api_module indicators_module;
extern const struct api_module clusters_module;
extern const struct api_module campaigns_module;
extern const struct api_module registrations_module;
extern const struct api_module initiatives_module;
extern const struct api_module initiative_stats_module;
extern const struct api_module award_kinds_module;
extern const struct api_module awards_module;
extern const struct api_module disciplines_module;
extern const struct api_module reports_module;
extern const struct api_module report_batch_module;
extern const struct api_module ratings_module;
extern const struct api_module eligibility_module;
extern const struct api_module stats_module;
extern const struct api_module campaign_progress_module;
extern const struct api_module stat_forms_module;
extern const struct api_module idempotency_module;
extern const struct api_module evaluations_module;
extern const struct api_module evaluation_scores_module;
extern const struct api_module evaluation_ballots_module;
extern const struct api_module evaluation_results_module;
extern const struct api_module dossiers_module;
extern const struct api_module proposals_module;
extern const struct api_module decisions_module;
extern const struct api_module public_module;
extern const struct api_module documents_module;

static const struct api_module *const modules[] = {
	&health_module,
	&docs_module,
	&authz_module,
	&write_module,
	&audit_module,
	&units_module,
	&auth_module,
	&me_module,
	&users_module,
	&people_module,
	&indicators_module,
	&clusters_module,
	&campaigns_module,
	&registrations_module,
	&initiatives_module,
	&initiative_stats_module,
	&award_kinds_module,
	&awards_module,
	&disciplines_module,
	&reports_module,
	&report_batch_module,
	&ratings_module,
	&eligibility_module,
	&stats_module,
	&campaign_progress_module,
	&stat_forms_module,
	&idempotency_module,
	&evaluations_module,
	&evaluation_scores_module,
	&evaluation_ballots_module,
	&evaluation_results_module,
	&dossiers_module,
	&proposals_module,
	&decisions_module,
	&public_module,
	&documents_module,
};

const struct api_module *const *api_modules(size_t *n)
{
	*n = API_COUNT(modules);
	return modules;
}

/* every module's foreign keys, as explanations for writes and for deletes of the rows they name */
#define MAX_FACTS 128
static struct db_constraint fk_on_write[MAX_FACTS], fk_on_delete[MAX_FACTS];
static int nfacts;

const struct db_constraint *api_fk_on_write(int *n)
{
	*n = nfacts;
	return fk_on_write;
}

const struct db_constraint *api_fk_on_delete(int *n)
{
	*n = nfacts;
	return fk_on_delete;
}

static bool collect_facts(char *err, size_t errlen)
{
	nfacts = 0;
	for (size_t m = 0; m < API_COUNT(modules); m++)
		for (size_t i = 0; i < modules[m]->nfacts; i++) {
			const struct fk_fact *f = &modules[m]->facts[i];
			if (nfacts >= MAX_FACTS) {
				snprintf(err, errlen, "more than %d foreign keys", MAX_FACTS);
				return false;
			}
			fk_on_write[nfacts] = (struct db_constraint){f->constraint, f->field, "not_found", f->on_write, 0};
			fk_on_delete[nfacts] = (struct db_constraint){f->constraint, "id", "referenced", f->on_parent_delete, 0};
			nfacts++;
		}
	for (size_t m = 0; m < API_COUNT(modules); m++)
		for (size_t i = 0; i < modules[m]->nrefusals; i++) {
			if (nfacts >= MAX_FACTS) {
				snprintf(err, errlen, "more than %d foreign keys and refusals", MAX_FACTS);
				return false;
			}
			fk_on_write[nfacts] = fk_on_delete[nfacts] = modules[m]->refusals[i];
			nfacts++;
		}
	return true;
}

/* the audit trail's entity names, as the descriptors give them */
static const char *entities[32];

const char *const *api_audit_entities(void)
{
	return entities;
}

bool api_after_demo(struct db_conn *db, struct app_error *err)
{
	for (size_t m = 0; m < API_COUNT(modules); m++)
		if (modules[m]->after_demo && !modules[m]->after_demo(db, err))
			return false;
	return true;
}

const struct resource *api_resource_of(const char *entity)
{
	for (size_t m = 0; m < API_COUNT(modules); m++) {
		const struct resource *res = modules[m]->resource;
		if (res && res->entity && strcmp(res->entity, entity) == 0)
			return res;
	}
	return NULL;
}

struct collected {
	struct route *routes;
	size_t max, n;
	const struct db_stmt **stmts;
	size_t smax, ns;
};

/* routes[nroutes], and the statements: handles[nstmts], or (handles NULL) &stmts[i] */
static bool add(struct collected *c, const struct route *routes, size_t nroutes, const struct db_stmt *const *handles,
		const struct db_stmt *stmts, int nstmts, char *err, size_t errlen)
{
	if (c->n + nroutes > c->max || c->ns + (size_t)nstmts > c->smax) {
		snprintf(err, errlen, "more than %zu routes or %zu statements", c->max, c->smax);
		return false;
	}
	for (size_t i = 0; i < nroutes; i++)
		c->routes[c->n++] = routes[i];
	for (int i = 0; i < nstmts; i++)
		if (handles || stmts[i].sql) /* a descriptor's operation it does not have: no statement */
			c->stmts[c->ns++] = handles ? handles[i] : &stmts[i];
	return true;
}

bool api_collect(struct route *routes, size_t max, size_t *nroutes, const struct db_stmt **stmts, size_t smax,
		 size_t *nstmts, char *err, size_t errlen)
{
	struct collected c = {routes, max, 0, stmts, smax, 0};
	size_t nentities = 0;
	if (!collect_facts(err, errlen))
		return false;
	for (size_t m = 0; m < API_COUNT(modules); m++) {
		const struct api_module *mod = modules[m];
		if (mod->resource) {
			/* a descriptor's routes and statements, then the module's own beside them */
			size_t nr;
			int ns;
			if (!crud_prepare(mod->resource, err, errlen) || !crud_explain(mod->resource, fk_on_write, fk_on_delete, nfacts))
				return false;
			if (mod->resource->entity && nentities + 1 < API_COUNT(entities))
				entities[nentities++] = mod->resource->entity;
			const struct route *r = crud_routes(mod->resource, &nr);
			const struct db_stmt *s = crud_statements(mod->resource, &ns);
			if (!add(&c, r, nr, NULL, s, ns, err, errlen))
				return false;
		}
		if (mod->audit_entity && nentities + 1 < API_COUNT(entities))
			entities[nentities++] = mod->audit_entity;
		if (!add(&c, mod->routes, mod->nroutes, mod->stmts, NULL, mod->nstmts, err, errlen))
			return false;
	}
	router_prepare(routes, c.n);
	*nroutes = c.n;
	*nstmts = c.ns;
	return true;
}
