/* Reports (api/reports.c) as the batch import (api/report_batch.c) uses them: the same fields,
 * the same checks of the figures, the same rules. */
#ifndef TDKT_REPORTS_H
#define TDKT_REPORTS_H
#include "api/crud.h"

#define REPORT_VALUES_MAX 100                 /* figures in one report */
#define REPORT_VALUE_MAX 999999999999999LL    /* below 10^15 (exact as a double): VND, counts, m² */

/* the descriptor's fields, in its order */
enum report_field { REPORT_ID, REPORT_UNIT, REPORT_YEAR, REPORT_SPAN, REPORT_VALUES, REPORT_NOTE, REPORT_NARRATIVE,
		    REPORT_STATUS };

extern const char *const report_spans[];
extern const char *const report_statuses[];

/* the reports descriptor */
const struct resource *reports_resource(void);

/* A report's figures as given (an object) into out as stored: {"<code>": number, ...}, each a
 * non-negative number with at most 2 decimals below 10^15. Field errors read "<field>.<code>". */
bool reports_encode_values(struct app_error *err, const char *field, json_t *values, struct buf *out);

/* The figures of each item of `items` (a JSON array of objects, each "values" as stored) name
 * base indicators of the catalogue, whole numbers where counted or in VND. Field errors read
 * "[<index>].values.<code>" (prefix true) or "values.<code>". In the request's transaction. */
bool reports_check_catalogue(struct req *r, const char *items, bool prefix);

#endif
