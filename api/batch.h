/* What every batch import shares (POST /v1/reports/batch, POST /v1/ratings/batch): the body as a
 * JSON array or NDJSON, bounded before it is parsed, the flags an item carries beside the fields
 * of its resource, and the one run of it — decode every item, check them all in one
 * transaction, write them with one statement, answer what each became. All or nothing. Each
 * batch keeps its own decoding, checks and statements. */
#ifndef TDKT_BATCH_H
#define TDKT_BATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "api/authz.h"
#include "lib/db.h"
#include "lib/http.h"

struct batch_kind {
	const char *plural;      /* "reports", as in "A batch holds at most 1000 reports." */
	size_t max;              /* items */
	size_t max_values;       /* JSON values in the whole body (lib/jsonin: json_values_within) */
	enum action right;       /* a role that may do it nowhere is a 403 before the body is read */
	const char *denied;      /* that 403: "may not send reports in a batch" */
	/* every item of `items` decoded and checked alone (errors "[i].field"), into the JSON array
	 * `out` the statements take, each with its index as "i" */
	bool (*decode)(struct req *r, json_t *items, struct buf *out);
	/* in the write transaction: the items as stored (`stored`, and parsed) against the
	 * database — they exist, the caller may write each, what exists already */
	bool (*check)(struct req *r, json_t *stored_items, const char *stored);
	/* $1 the items as stored (and $2 the acting user when acting_user): a row (index, id,
	 * created, then any more columns, answered as text by their names) per item, in order */
	const struct db_stmt *write;
	bool acting_user;
	const char *changed;     /* the 409 when fewer rows come back: an item changed meanwhile */
};

/* The body of a ROUTE_BULK route as `application/json` (an array) or `application/x-ndjson` (one
 * value a line, blank lines skipped), of 1..k->max items: 413 for more values than max_values,
 * 400 for bad JSON (a line's number for NDJSON), 422 for too many or none. *items is new (NULL
 * or partial on failure: json_decref it). Items are not checked to be objects. */
bool batch_read_items(struct req *r, const struct batch_kind *k, json_t **items);

/* An item's flag `name`: absent is false; present, it must be a boolean (else a 422 on
 * "[i].name") and is taken out of the item, so that the resource's decoder does not see it. */
bool batch_flag(struct req *r, json_t *item, size_t i, const char *name, bool *out);

/* Runs a batch of kind k, its write's violations explained by `explained` (the resource's:
 * crud_write_explained): 200 with {"created", "updated", "items": [{"index", "id", "created",
 * ...}]}, or nothing written and the error in r->err. What the route's handler returns. */
int batch_import(struct req *r, const struct batch_kind *k, const struct db_explain *explained);

#endif
