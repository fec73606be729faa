/* Dossiers and their nominees (issue 14): what the modules of dossiers, proposals, decisions and
 * evaluations share. */
#ifndef TDKT_DOSSIERS_H
#define TDKT_DOSSIERS_H
#include <stdbool.h>
#include "api/crud.h"

extern const char *const dossier_kinds[];
const struct resource *dossiers_resource(void);

/* Dossier `id`'s nominees: all of them, those pending and those approved, in r->db's transaction */
bool dossier_counts(struct req *r, const char *id, long long *all, long long *pending, long long *approved);

/* On submit (api/proposals.c): every nominee of dossier `id` evaluated under the rules in force on
 * `on` for the dossier's `year`, without personal data (what is stored is read by all who see the
 * nominee; approval asks again with the approver's rights), and stored on the nominee. */
bool dossier_store_eligibility(struct req *r, long long id, long long year, const char *on);

/* An evaluation's close with `propose` {award_kind_code, top, approving_unit_id, number?} (API.md
 * "Evaluations"): in the close's transaction, a draft dossier of the cluster-year's leader unit
 * holding its `top` best-ranked proposable members, as the stored results rank them. */
bool dossier_propose_from_evaluation(struct req *r, long long evaluation, json_t *propose);

#endif
