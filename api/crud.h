/* Resources as descriptors (issue 9): one table of fields says what a resource's rows are — JSON
 * name, column, input rules, how each is written out, which are filters and which names the unit
 * that owns the row — and the engine (api/crud.c) makes the rest from it at start: the SQL (every
 * identifier from these static tables, checked; every value a $n parameter), the prepared
 * statements, the routes and generic handlers for list, get, create, patch and delete.
 *
 * A plain resource is its descriptor and one line in api/api.c; see api/people.c. */
#ifndef TDKT_CRUD_H
#define TDKT_CRUD_H
#include "api/api.h"
#include "api/resource.h"
#include "lib/jsonin.h"
#include "lib/permission.h"

/* What a field is to the SQL and the engine, beyond its JSON rules */
enum field_role {
	FR_KEY = 1 << 0,      /* the row's key: {id} in paths, keyset order, Location */
	FR_VERSION = 1 << 1,  /* ETag and If-Match; one more on every update */
	FR_UPDATED = 1 << 2,  /* set to now() on every update */
	FR_NFC = 1 << 3,      /* text stored in Unicode NFC */
	FR_OWNER = 1 << 4,    /* the unit whose data the row is: writing it needs the resource's action there */
	FR_FILTER = 1 << 5,   /* a list filter of the same name, by equality */
	FR_SUBTREE = 1 << 6,  /* with FR_FILTER on a unit id: ?subtree=true widens it to the unit's subtree */
	FR_CREATE_ONLY = 1 << 7, /* written on create, read-only after (a key that is a code, say) */
	FR_WRITE_ONLY = 1 << 8,  /* written, never read back (a password's hash): kept when a patch omits it */
	FR_LOWER = 1 << 9,       /* ASCII text stored lower-case (a username) */
	FR_STATE = 1 << 10,      /* the row's state (read-only): edits and deletes in some states, actions */
	FR_CHILD = 1 << 11,      /* written by the after_write hook into another table, read back through the
				    field's column, an expression "(SELECT ...)" */
};

struct field {
	struct jfield in;          /* JSON name, input type, JF_REQUIRED / JF_NULLABLE / JF_READONLY, limits */
	const char *column;        /* NULL: the column has the JSON name; "(SELECT ...)": an expression of
				      the row (alias t), read-only unless FR_CHILD */
	enum db_col_type out;      /* how the column's text is written in JSON */
	unsigned role;             /* enum field_role */
	const char *absent;        /* on create, the SQL value of an absent field ("true"); NULL: NULL */
};

/* the fields every row has, first and last */
#define FIELD_ID {{"id", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_KEY, NULL}
#define FIELDS_ROW_META                                                                                       \
	{{"version", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_VERSION, NULL},           \
	{{"created_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, 0, NULL},                 \
	{{"updated_at", JF_STRING, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_TIME, FR_UPDATED, NULL}

struct resource_rt;

/* A list filter that is not a column's equality: one or two query parameters (two: both or
 * neither) and a condition in which $1 and $2 stand for them, e.g. the clusters a unit is in
 * a year: "t.id IN (SELECT cluster_id FROM cluster_members WHERE unit_id = $1 AND year = $2)". */
struct filter {
	const char *param[2];        /* the query parameters; param[1] NULL for one */
	enum jfield_type type[2];    /* JF_ID, JF_INT (min..max), JF_BOOL */
	long long min, max;
	const char *sql;             /* static text: the only SQL a descriptor writes */
};

/* POST {path}/{id}/{name}: a row in one of `from` goes to `to` (its state field), with the right
 * to write it. A body, when the action takes one, is the hooks' business. */
struct state_action {
	const char *name;            /* "activate" */
	const char *const *from;     /* NULL-terminated */
	const char *to;
};

/* the generic operations a resource has (0: all of them) */
enum resource_ops { OP_LIST = 1, OP_GET = 2, OP_CREATE = 4, OP_PATCH = 8, OP_DELETE = 16 };

/* What is truly a resource's own, around the generic handlers. v[] is indexed like the fields;
 * each returns false with r->err filled. */
struct resource_hooks {
	/* create (cur NULL) and patch (cur: the locked row, v: the patch): rules across fields */
	bool (*validate)(struct req *r, const struct jvalue *v, PGresult *cur);
	/* patch (v: the patch) and delete (v NULL), in the transaction before the row is locked:
	 * locks to take first, always in the same order */
	bool (*before_lock)(struct req *r, const struct jvalue *v);
	/* patch and delete, once the row is locked and the caller's right checked: may it change? */
	bool (*may_change)(struct req *r, PGresult *cur);
	/* create and patch, after decoding, before any database work (slow work: a password's
	 * hash): may point v[i].str at scratch (scratch_len bytes, alive until the answer) */
	bool (*prepare)(struct req *r, struct jvalue *v, char *scratch, size_t scratch_len);
	/* create (cur NULL) and patch, in the transaction after the write, before the commit */
	bool (*after_write)(struct req *r, const struct jvalue *v, PGresult *cur, PGresult *row);
	/* an action, the row locked and in a `from` state, before it moves: more rules, more work */
	bool (*on_action)(struct req *r, const struct state_action *a, PGresult *cur);
};

struct resource {
	const char *name;            /* "people": the prefix of its statements and its cursors' scope */
	const char *path;            /* "/v1/people" */
	const char *noun;            /* "Person", as in "Person 5 does not exist." */
	const char *table;           /* "people" */
	const struct field *fields;  /* in the order a row is written */
	int nfields;
	enum action write;           /* what writing a row needs, of its owner unit */
	enum action remove;          /* what deleting one needs; ACT_READ_UNIT (0): as write */
	enum action read;            /* what reading needs (a role check); ACT_READ_UNIT (0): anyone */
	const char *write_denied;    /* the 403 of a role that may never write: "may read people but not change them" */
	bool searchable;             /* ?q= over the table's `search` column (tdkt_search_query) */
	const struct filter *filters;/* beyond the fields' own */
	int nfilters;
	const struct db_constraint *constraints; /* its own unique and check constraints, explained */
	int nconstraints;            /* (its foreign keys are the module's facts, api/api.h) */
	const struct resource_hooks *hooks; /* NULL: none */
	unsigned ops;                /* enum resource_ops; 0: all */
	const char *const *editable; /* states a patch may change a row in (NULL-terminated; NULL: any) */
	const char *const *deletable;/* states a row may be deleted in (NULL: any) */
	const struct state_action *actions;
	int nactions;
	struct resource_rt *rt;      /* made at start by crud_prepare */
};

/* What the engine makes of a descriptor. Filled once, at start, before any request. */
struct resource_rt {
	bool ready;
	struct jfield specs[32];       /* for create */
	struct jfield patch_specs[32]; /* for patch: create-only fields read-only */
	struct db_col cols[32];        /* the row as written out: every field but the write-only */
	int col_of[32];                /* a field's column in a row read, -1 for a write-only one */
	int ncols;
	struct row_shape shape;
	int key, version, owner;       /* field indexes, -1 when none */
	char stmt_names[7][48];
	struct db_stmt stmts[7];       /* get, lock, insert, update, delete, list of all, set state */
	int nstmts;
	char *list_sql;                /* the list with filters, planned with its values */
	struct route routes[5 + 8];
	size_t nroutes;
	int state;                     /* the FR_STATE field, -1 when none */
	bool has_child;                /* a write re-reads the row once its children are written */
	char *action_paths[8];
	struct db_constraint *on_write;/* its own constraints, then every foreign key's */
	int n_on_write;
	struct db_constraint *on_delete;/* every foreign key's, as "still referenced" on the key */
	int n_on_delete;
};

/* Makes SQL, statements and routes of res. false with a reason in err (errlen bytes): a name
 * that is not a plain identifier, too many fields, no key. Idempotent. */
bool crud_prepare(const struct resource *res, char *err, size_t errlen);
/* After crud_prepare: how the resource's writes and deletes explain violations: its own
 * constraints, then the foreign keys of every module (on_write, on_delete: copied). false when
 * out of memory. */
bool crud_explain(const struct resource *res, const struct db_constraint *on_write, const struct db_constraint *on_delete,
		  int nfks);
/* the row as a resource's statements return it (for hand-written routes beside the generic ones) */
const struct row_shape *crud_shape(const struct resource *res);
/* For a hand-written write route of a resource with an owner field: in a write transaction, row
 * `id` locked, 404, the caller's right to write it, If-Match; the resource's constraint
 * explanations set for the statements that follow. *cur is new; idbuf gets the id's text. */
bool crud_lock_for_write(struct req *r, const struct resource *res, long long id, char idbuf[24], PGresult **cur);

/* the statements crud_prepare made, in this order */
enum crud_statement { CRUD_GET, CRUD_LOCK, CRUD_INSERT, CRUD_UPDATE, CRUD_DELETE, CRUD_LIST, CRUD_SET_STATE };
/* the routes and statements crud_prepare made */
const struct route *crud_routes(const struct resource *res, size_t *n);
const struct db_stmt *crud_statements(const struct resource *res, int *n);

#endif
