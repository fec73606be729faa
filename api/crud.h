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
#include "api/authz.h"

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
	FR_PARENT = 1 << 12,     /* given by the path of a nested create (POST /v1/campaigns/{id}/registrations):
				    read-only in bodies, never changed */
	FR_HIDDEN = 1 << 13,     /* read with one row (get, lock) for the engine and the hooks (an owner
				    that is an expression), never written out nor read by lists */
	FR_DETAIL = 1 << 15,     /* written out when one row is read (get, create, patch, actions), left out
				    of lists: a long text (a report's narrative) that would swell a page */
	FR_PERIOD = 1 << 14,     /* the year the row's data is of: rights that hold per year (over a member
				    of a cluster the caller's subtree organises that year) are asked in it */
	FR_CLUSTER = 1 << 16,    /* the cluster the row is of, in its FR_PERIOD year (an evaluation): in place
				    of an owner unit, rights are asked of that cluster-year (its leader that
				    year, its organiser: authz_require_cluster_year); written on create only */
};

struct field {
	struct jfield in;          /* JSON name, input type, JF_REQUIRED / JF_NULLABLE / JF_READONLY, limits */
	const char *column;        /* NULL: the column has the JSON name; "(SELECT ...)": an expression of
				      the row (alias t), read-only unless FR_CHILD */
	enum db_col_type out;      /* how the column's text is written in JSON */
				   /* a list or object field that is no FR_CHILD is a column: text[] (bigint[]
				      for ids), jsonb for arrays and objects, passed as JSON */
	unsigned role;             /* enum field_role */
	const char *absent;        /* on create, the SQL value of an absent field ("true"); NULL: NULL. On
				      a read-only column: the value every insert writes ("'history'") */
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
	const char *widens;          /* a nesting's field (type JF_ID, param[0] a boolean query parameter):
					true under that parent replaces the field's equality by sql, whose
					$1 is the parent's id (GET /v1/units/{id}/awards?include_people=true) */
};

/* Rows reached under another resource, by the parent's id in the path: created there
 * (POST /v1/campaigns/{id}/registrations, the field FR_PARENT) or listed there
 * (GET /v1/units/{id}/awards, the field a FR_FILTER: the rest of the list's filters still apply).
 * A parent that does not exist is a 404. */
struct nesting {
	const char *parent;          /* "/v1/campaigns": the route is {parent}/{id}/<last segment of path> */
	const char *parent_table;    /* "campaigns", keyed by id */
	const char *parent_noun;     /* "Campaign" */
	const char *field;           /* the field {id} gives */
	unsigned ops;                /* OP_CREATE, OP_LIST */
};

/* POST {path}/{id}/{name}: a row in one of `from` goes to `to` (its state field), with the right
 * `right` over its owner unit. It may take a body (decoded with `body`), write more columns
 * (`sets`, valued by the on_action hook) and stamp one with the time. */
struct state_action {
	const char *name;            /* "activate" */
	const char *const *from;     /* NULL-terminated */
	const char *to;              /* NULL: the on_action hook says */
	enum action right;           /* ACT_READ_UNIT (0): the resource's write */
	const struct jfield *body;   /* NULL: no body is read */
	int nbody;
	const char *const *sets;     /* NULL-terminated columns, at most ACTION_SETS_MAX */
	const char *stamp;           /* a column set to now(), e.g. "submitted_at" */
	const char *of;              /* the field (JSON name) naming the unit `right` is asked of; NULL:
					the owner (a dossier's approver acts on the proposer's dossier) */
};

#define ACTION_SETS_MAX 4
/* what an action writes: the new state and its `sets` ($n texts, NULL for SQL NULL) */
struct action_result {
	const char *to;
	const char *set[ACTION_SETS_MAX];
	char text[ACTION_SETS_MAX][32];  /* room for numbers the hook writes */
};

/* Rows of another table that belong to a row and are replaced as a whole (campaign indicators,
 * cluster members of a year):
 *   GET {item}/{segment}[?{partition}=]  {"<key>": id, ["<partition>": v,] "items": [...]}
 *   PUT {item}/{segment}[/{partition}]   the body is the array of items; answered as GET
 * A PUT locks the row as a patch does (the right to write it, If-Match, its child_editable
 * states), checks the items, replaces them in one statement pair and records the old and new
 * lists in the audit trail under the row. */
struct child_list {
	const char *segment;          /* "members" */
	const char *table;            /* "cluster_members" */
	const char *parent_column;    /* "cluster_id": the row's key */
	const char *key;              /* "cluster_id": the row's key in the answer */
	const char *partition;        /* "year": lists per value of this integer column; NULL: one list */
	long long partition_min, partition_max;
	const char *const *copied;    /* columns copied from the row's fields of the same name (NULL-terminated) */
	const struct jfield *items;   /* an item's fields, each a column of the table */
	int nitems;
	int max;                      /* most items */
	int unique;                   /* the index of the item field no two items share */
	const char *order;            /* the stored list's order (audit): a column */
	const char *read;             /* the list as answered: SQL, $1 the row's key, $2 the partition */
	const struct db_col *cols;    /* its columns */
	int ncols;
	const char *const *editable;  /* the row's states in which the list changes (NULL: any) */
	/* before any database work: rules across the items (decoded, unique) */
	bool (*validate)(struct req *r, json_t *items);
	/* in the transaction, the row locked: rules that read the database; items as stored (JSON) */
	bool (*check)(struct req *r, PGresult *cur, const char *partition, const char *items);
};

/* the generic operations a resource has (0: all of them) */
enum resource_ops { OP_LIST = 1, OP_GET = 2, OP_CREATE = 4, OP_PATCH = 8, OP_DELETE = 16 };
/* a descriptor's few operations with no create at its own path (created under a parent) */
#define OPS_NESTED_CREATE (OP_LIST | OP_GET | OP_PATCH | OP_DELETE)

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
	/* a list or object column, present in a create or patch: check it and write what is stored
	 * into out (JSON); not set, or nothing written: the value as given. The engine then points
	 * v[field].str at it, for the hooks after. */
	bool (*encode)(struct req *r, int field, const struct jvalue *v, struct buf *out);
	/* create (cur NULL, the parent found) and patch (cur locked), in the transaction before the
	 * write: rules that read the database */
	bool (*before_write)(struct req *r, const struct jvalue *v, PGresult *cur);
	/* create (cur NULL) and patch, in the transaction after the write, before the commit */
	bool (*after_write)(struct req *r, const struct jvalue *v, PGresult *cur, PGresult *row);
	/* an action's body, decoded, before any database work: rules across its fields */
	bool (*check_action)(struct req *r, const struct state_action *a, const struct jvalue *body);
	/* an action, the row locked and in a `from` state, before it moves: more rules, more work;
	 * out->to is the action's `to`, out->set[] NULL */
	bool (*on_action)(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur,
			  struct action_result *out);
	/* an action, after the row moved (cur: the row as locked before), before the commit: work
	 * that must see the new state (a dossier's nominees stored once it is submitted) */
	bool (*after_action)(struct req *r, const struct state_action *a, const struct jvalue *body, PGresult *cur);
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
	const struct nesting *nested;
	int nnested;
	const struct child_list *children;
	int nchildren;
	const char *entity;          /* its name in the audit trail and the change feed: "campaign" */
	/* Tables the row's computed columns read, joined once per statement rather than asked row by
	 * row: static SQL after "FROM <table> t", e.g. "JOIN award_kinds k ON k.code = t.award_kind_code";
	 * a computed column then names "(k.name)". Writes answer through a CTE named t. */
	const char *joins;
	/* Rows outside it are as if absent (404), in reads and writes: SQL of the row (alias t),
	 * evaluated in a transaction that names the caller (api/write.c: the settings tdkt.actor_role
	 * and tdkt.actor_unit_id), which row-level security reads too. */
	const char *scope;
	/* Personal data (disciplines): every read — a GET by id, each page of a list — is recorded in
	 * the audit trail as action 'read' with the ids answered, in a transaction on the primary that
	 * commits before the answer is written (GETs never go to a replica); the rows are never shown
	 * inline elsewhere (the change feed's `current` is null). */
	bool audit_reads;
	struct resource_rt *rt;      /* made at start by crud_prepare */
};

/* What the engine makes of a descriptor. Filled once, at start, before any request. */
#define CRUD_MAX_FIELDS 32
#define CRUD_MAX_ACTIONS 8
#define CRUD_MAX_NESTED 4
#define CRUD_MAX_CHILDREN 2
#define CRUD_CHILD_STMTS 4             /* json, clear, insert, read */
#define CRUD_MAX_STMTS (7 + CRUD_MAX_ACTIONS + 2 * CRUD_MAX_NESTED + CRUD_CHILD_STMTS * CRUD_MAX_CHILDREN + 1)
#define CRUD_MAX_ROUTES (5 + CRUD_MAX_ACTIONS + CRUD_MAX_NESTED + 2 * CRUD_MAX_CHILDREN)

/* what a generic handler is for: its route's data */
struct crud_route {
	const struct resource *res;
	const struct nesting *nesting;     /* a nested create or list */
	const struct state_action *action;
	const struct child_list *child;
	int stmt;                          /* the action's statement; a nested list's; a child list's first */
	int parent_stmt;                   /* "does the parent exist" */
};

struct resource_rt {
	bool ready;
	struct jfield specs[CRUD_MAX_FIELDS];       /* for create */
	struct jfield patch_specs[CRUD_MAX_FIELDS]; /* for patch: create-only fields read-only */
	struct db_col cols[CRUD_MAX_FIELDS];        /* the row as written out */
	int col_of[CRUD_MAX_FIELDS];   /* a field's column in a row read (hidden ones after those written
					  out), -1 for a write-only one */
	int ncols;                     /* written out */
	struct row_shape shape;
	struct db_col list_cols[CRUD_MAX_FIELDS];   /* a row in a list: without the FR_DETAIL fields */
	struct row_shape list_shape;
	int key, version, owner, state, period, cluster; /* field indexes, -1 when none */
	bool has_child;                /* a write re-reads the row once its children are written */
	char stmt_names[CRUD_MAX_STMTS][64];
	struct db_stmt stmts[CRUD_MAX_STMTS];
	int nstmts;
	struct db_stmt filtered;       /* the list with every filter optional: unnamed, planned with its values */
	struct route routes[CRUD_MAX_ROUTES];
	struct crud_route route_data[CRUD_MAX_ROUTES];
	char *owned[CRUD_MAX_ROUTES];  /* the routes' paths made here */
	int nowned;
	size_t nroutes;
	int child_stmt[CRUD_MAX_CHILDREN]; /* each child list's first statement */
	int audit_stmt;                /* a child list's change in the audit trail; -1: none */
	struct db_constraint *on_write;/* its own constraints, then every foreign key's */
	struct db_constraint *on_delete;/* every foreign key's, as "still referenced" on the key */
	struct db_explain write_why;   /* how its writes explain violations: on_write */
	struct db_explain delete_why;  /* how its deletes do: on_delete */
};

/* A descriptor's name (its table's too), path and noun, and a place for what the engine makes
 * of it (a compound literal at file scope: static). */
#define RESOURCE(name_, path_, noun_) \
	.name = name_, .path = path_, .noun = noun_, .table = name_, .rt = &(struct resource_rt){.ready = false}

/* Makes SQL, statements and routes of res. false with a reason in err (errlen bytes): a name
 * that is not a plain identifier, too many fields, no key. Idempotent. */
bool crud_prepare(const struct resource *res, char *err, size_t errlen);
/* whether `state` is one of the NULL-ended `states` (a NULL state is in none) */
bool crud_in_states(const char *const *states, const char *state);
/* After crud_prepare: how the resource's writes and deletes explain violations: its own
 * constraints, then the foreign keys of every module (on_write, on_delete: copied). false when
 * out of memory. */
bool crud_explain(const struct resource *res, const struct db_constraint *on_write, const struct db_constraint *on_delete,
		  int nfks);
/* a text field's value after a merge patch v of row cur: the patch's (NULL for null) when given,
 * else the stored one */
const char *crud_patched(const struct resource *res, const struct jvalue *v, PGresult *cur, int field);
/* the stored text of `field` in the row read (NULL for SQL NULL or a write-only field) */
const char *crud_cur(const struct resource *res, PGresult *cur, int field);
/* how the resource's writes explain constraint violations (for hooks and hand-written routes
 * that write its rows or children) */
const struct db_explain *crud_write_explained(const struct resource *res);
/* the statement that reads child list `child` ($1 the row's key, $2 its partition) */
const struct db_stmt *crud_child_reader(const struct resource *res, int child);
/* the row as a resource's statements return it (for hand-written routes beside the generic ones) */
const struct row_shape *crud_shape(const struct resource *res);
/* The rows of an entity (a descriptor with .entity) whose ids are in `ids`, a PostgreSQL array
 * literal such as "{3,5,8}", as a by-id GET shows them to the caller: the caller's role may read
 * the resource (else NULL without an error: nothing to show; always so for .audit_reads), within
 * its scope, on `db` (a read transaction that names the caller, for a scoped resource). Each row is written as
 * crud_shape's columns and ends with the table's id. New; NULL with r->err on a database error. */
PGresult *crud_rows_by_ids(struct req *r, const struct resource *res, struct db_conn *db, const char *ids);
/* For a hand-written write route of a resource with an owner field: in a write transaction, row
 * `id` locked, 404, the caller's right to write it, If-Match. *cur is new; idbuf gets the id's
 * text. */
bool crud_lock_for_write(struct req *r, const struct resource *res, long long id, char idbuf[24], PGresult **cur);

/* For a hand-written route over a child list: in the write transaction of row cur (locked),
 * replaces list `child` (its partition's text, or NULL) with `items`, its JSON as stored, after
 * the child's check; audited. */
bool crud_child_replace(struct req *r, const struct resource *res, int child, PGresult *cur, const char *partition,
			const char *items);
/* answers child list `child` of row `key` as its GET does, then commits (the answer dropped
 * when the commit fails) */
bool crud_child_commit(struct req *r, const struct resource *res, int child, const char *key, const char *partition);
/* answers child list `child` of row `key` as its GET does */
bool crud_child_respond(struct req *r, const struct resource *res, int child, const char *key, const char *partition);

/* what a create decodes, in the descriptor's order (n of them): for a hand-written route that
 * takes rows as the generic create does (a batch) */
const struct jfield *crud_create_specs(const struct resource *res, size_t *n);

/* the descriptor as JSON, for the test that it and openapi.yaml agree (tdkt descriptors) */
void crud_describe(const struct resource *res, struct buf *out);

/* the statements crud_prepare made, in this order (then each action's, each nesting's) */
enum crud_statement { CRUD_GET, CRUD_LOCK, CRUD_INSERT, CRUD_UPDATE, CRUD_DELETE, CRUD_LIST, CRUD_BY_IDS };
/* the routes and statements crud_prepare made */
const struct route *crud_routes(const struct resource *res, size_t *n);
const struct db_stmt *crud_statements(const struct resource *res, int *n);

#endif
