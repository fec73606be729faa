/* Documents of a dossier (API.md "Documents", issue 14): the files a tờ trình carries, stored in
 * PostgreSQL by their SHA-256, once however many documents name the same bytes
 * (sql/0026_documents.sql). The descriptor serves GET /v1/documents/{id}, DELETE and the list
 * under a dossier; the upload and the two downloads are written here, as they stream.
 *
 * Upload: POST /v1/dossiers/{id}/documents?kind=&filename= with the file as the raw body in its
 * own Content-Type — never multipart, and never CivetWeb's form parser. Before a byte of the body
 * is read: the query (400; a file name that is no plain name 422), the type claimed among PDF,
 * DOCX, XLSX, JPEG and PNG (415), Content-Length against TDKT_MAX_DOCUMENT_BYTES (413; a chunked
 * body is cut at the cap as it is read), an empty body (422), the dossier (404 when the caller
 * cannot see it) and the caller's right in its state (403, 409). Then the body is read into one
 * buffer of 256 KiB at a time: each piece is sniffed (lib/filetype.c: a body whose first bytes
 * cannot be the type claimed is refused at once, 415) and written to PostgreSQL in a transaction
 * of its own, holding a pooled connection only for that write — a slow client holds none while
 * it sends. The SHA-256 is computed as the body streams (lib/http.c). At the end the bytes' type
 * must be the one claimed (415: a renamed .exe, a PNG sent as application/pdf), and one
 * transaction locks the dossier, checks the right again (the dossier may have moved on meanwhile),
 * seals the bytes under their hash — dropping this copy when the bytes are stored already, also
 * when an identical upload commits at the same moment — and adds the document row. A failed upload
 * drops its pieces. Who may:
 *   - officers and authorities over the proposing unit (ACT_WRITE_UNIT_DATA), any kind, while the
 *     dossier is draft or returned;
 *   - authorities over the approving unit (ACT_APPROVE_AWARDS): minutes, decision and opinion, while
 *     the dossier is submitted, in public notice, reviewed or decided.
 * Deleting: the proposing side, while the dossier is draft or returned (the descriptor's hooks);
 * the bytes go with their last document (a trigger). A decision's signed document cannot be
 * deleted (409).
 *
 * Downloads: GET /v1/documents/{id}/content as its dossier is visible (404 otherwise), and GET
 * /v1/public/decisions/{id}/document with no token, the decision's signed document (cacheable).
 * Both answer the bytes in their type with Content-Disposition: attachment (the name as RFC 6266
 * and RFC 5987 say, with an ASCII fallback), ETag the quoted SHA-256 (If-None-Match: 304) and
 * X-Content-Type-Options: nosniff, reading one piece per query and holding a connection only
 * for that query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/authz.h"
#include "api/crud.h"
#include "api/write.h"
#include "lib/filetype.h"
#include "lib/log.h"
#include "lib/query.h"

/* a piece of a file: what an upload holds in memory, what one row of document_chunks holds */
#define DOCUMENT_PIECE (256 * 1024)

static const char *const kinds[] = {"proposal_letter", "achievement_report", "minutes", "initiative", "decision",
				    "opinion", "other", NULL};
/* what the approving unit adds to a dossier sent to it, and in which of its states */
static const char *const approver_kinds[] = {"minutes", "decision", "opinion", NULL};
static const char *const approver_states[] = {"submitted", "public_notice", "reviewed", "decided", NULL};
/* the proposing unit's: while the dossier is editable */
static const char *const proposer_states[] = {"draft", "returned", NULL};

/* A document is read as its dossier is (the dossier's own visibility, sql/0024), or by anybody when
 * it is a decision's signed document (of kind decision: API.md makes only those public). d is the dossier, left-joined: under row-level security a
 * dossier the caller cannot see is not joined at all. */
#define DOCUMENT_JOINS "JOIN document_blobs b ON b.sha256 = t.sha256 LEFT JOIN dossiers d ON d.id = t.dossier_id"
#define DOCUMENT_SCOPE                                                                                            \
	"(tdkt_dossier_visible(d.status, d.submitted_at, d.proposing_unit_id, d.approving_unit_id)"               \
	" OR (t.kind = 'decision' AND EXISTS (SELECT 1 FROM decisions c WHERE c.document_id = t.id)))"

enum { F_ID, F_DOSSIER, F_KIND, F_FILENAME, F_MEDIA_TYPE, F_BYTES, F_SHA256, F_CREATED_BY, F_DOSSIER_STATUS, F_PROPOSING };

static const struct field fields[] = {
	[F_ID] = FIELD_ID,
	[F_DOSSIER] = {{"dossier_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, FR_FILTER, NULL},
	[F_KIND] = {{"kind", JF_ENUM, JF_READONLY, 0, 0, kinds, NULL, NULL}, NULL, COL_STR, FR_FILTER, NULL},
	[F_FILENAME] = {JF_RO("filename"), NULL, COL_STR, 0, NULL},
	[F_MEDIA_TYPE] = {JF_RO("media_type"), "(b.media_type)", COL_STR, 0, NULL},
	[F_BYTES] = {{"bytes", JF_INT, JF_READONLY, 0, 0, NULL, NULL, NULL}, "(b.bytes)", COL_NUM, 0, NULL},
	[F_SHA256] = {JF_RO("sha256"), NULL, COL_STR, 0, NULL},
	[F_CREATED_BY] = {{"created_by", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, NULL, COL_NUM, 0, NULL},
	/* for the delete's checks: the dossier's state and its proposing unit */
	[F_DOSSIER_STATUS] = {JF_RO("dossier_status"), "(d.status)", COL_STR, FR_HIDDEN, NULL},
	[F_PROPOSING] = {{"proposing_unit_id", JF_ID, JF_READONLY, 0, 0, NULL, NULL, NULL}, "(d.proposing_unit_id)", COL_NUM,
			 FR_HIDDEN, NULL},
	FIELDS_ROW_META,
};

static const struct db_constraint constraints[] = {
	{"documents_filename_check", "filename", "invalid",
	 "filename is not 1 to 255 characters in NFC without a path separator or a control character", 0},
};

static const struct nesting under_dossier[] = {
	{"/v1/dossiers", "dossiers", "Dossier", "dossier_id", OP_LIST},
};

static bool before_delete(struct req *r, const struct jvalue *v);
static bool may_delete(struct req *r, PGresult *cur);
static const struct resource_hooks hooks = {.before_lock = before_delete, .may_change = may_delete};

static const struct resource documents = {
	RESOURCE("documents", "/v1/documents", "Document"), WITH(fields, fields), .entity = "document",
	.write = ACT_WRITE_UNIT_DATA, .write_denied = "may read documents but not change them",
	.ops = OP_GET | OP_DELETE, WITH(nested, under_dossier), .joins = DOCUMENT_JOINS, .scope = DOCUMENT_SCOPE,
	WITH(constraints, constraints), .hooks = &hooks,
};

/* the dossier a document is added to: its state and units, as the caller sees it */
DB_STMT(documents_dossier, "SELECT status, proposing_unit_id, approving_unit_id FROM dossiers WHERE id = $1");
/* the same, locked against a change of state until the document is added */
DB_STMT(documents_dossier_lock, "SELECT status, proposing_unit_id, approving_unit_id FROM dossiers WHERE id = $1 FOR SHARE");
/* a delete locks the dossier first, as an upload does (then the document row): one order */
DB_STMT(documents_dossier_of, "SELECT 1 FROM dossiers WHERE id = (SELECT dossier_id FROM documents WHERE id = $1) FOR SHARE");
DB_STMT(documents_upload_begin, "SELECT tdkt_document_upload_begin()");
DB_STMT(documents_piece_put, "SELECT tdkt_document_chunk_put($1, $2, $3)");
DB_STMT(documents_upload_drop, "DELETE FROM document_blobs WHERE id = $1 AND sha256 IS NULL");
DB_STMT(documents_seal, "SELECT tdkt_document_blob_seal($1, $2, $3, $4)");
DB_STMT(documents_insert, "INSERT INTO documents (dossier_id, kind, filename, sha256, created_by)"
	" VALUES ($1, $2, normalize($3, NFC), $4, $5) RETURNING id");
/* what a download needs of a document the caller may read: its bytes' blob, type, size, hash, name */
DB_STMT(documents_content, "SELECT b.id, b.media_type, b.bytes, b.sha256, t.filename FROM documents t " DOCUMENT_JOINS
	" WHERE t.id = $1 AND " DOCUMENT_SCOPE);
/* a decision's signed document, for everybody */
DB_STMT(documents_of_decision, "SELECT b.id, b.media_type, b.bytes, b.sha256, t.filename FROM decisions c"
	" JOIN documents t ON t.id = c.document_id AND t.kind = 'decision' JOIN document_blobs b ON b.sha256 = t.sha256"
	" WHERE c.id = $1");
DB_STMT(documents_piece, "SELECT data FROM document_chunks WHERE blob_id = $1 AND seq = $2");
static const struct db_stmt *const stmts[] = {
	&sql_documents_dossier, &sql_documents_dossier_lock, &sql_documents_dossier_of, &sql_documents_upload_begin,
	&sql_documents_piece_put, &sql_documents_upload_drop, &sql_documents_seal, &sql_documents_insert,
	&sql_documents_content, &sql_documents_of_decision, &sql_documents_piece,
};

static const struct db_explain explained = {constraints, 1, false};

/* May the caller add a document of `kind` to dossier `id`, row 0 of `d` (status, proposing unit,
 * approving unit)? 403 when it acts for neither unit or adds no such kind, 409 when the dossier's
 * state does not allow it. */
static bool may_add(struct req *r, long long id, PGresult *d, const char *kind)
{
	const char *status = PQgetvalue(d, 0, 0);
	bool proposer, approver;
	if (!authz_may(r, ACT_WRITE_UNIT_DATA, strtoll(PQgetvalue(d, 0, 1), NULL, 10), &proposer) ||
	    !authz_may(r, ACT_APPROVE_AWARDS, strtoll(PQgetvalue(d, 0, 2), NULL, 10), &approver))
		return false;
	if (proposer && crud_in_states(proposer_states, status))
		return true;
	if (approver && crud_in_states(approver_states, status)) {
		if (crud_in_states(approver_kinds, kind))
			return true;
		return app_error_set(&r->err, 403, "Dossier %lld is %s: its approving unit adds minutes, decision and "
						   "opinion documents, not %s.", id, status, kind);
	}
	if (!proposer && !approver)
		return app_error_set(&r->err, 403, "You may read dossier %lld but not add documents to it.", id);
	return app_error_set(&r->err, 409, "Dossier %lld is %s: its proposing unit adds documents while it is draft or "
					   "returned, its approving unit (minutes, decision, opinion) once it is submitted.",
			     id, status);
}

/* the dossier of an upload, row 0 (status, proposing, approving), read as the caller (404 when
 * it cannot see it), in the transaction open on the request's connection */
static PGresult *dossier_row(struct req *r, const struct db_stmt *stmt, long long id)
{
	char text[24];
	const char *params[] = {id_text(id, text)};
	PGresult *d = db_run(r->db, stmt, 1, params, NULL, &r->err);
	if (d && PQntuples(d) == 0) {
		PQclear(d);
		d = NULL;
		app_error_set(&r->err, 404, "Dossier %lld does not exist.", id);
	}
	return d;
}

/* an upload's bytes were not kept: its pieces dropped, on a connection of their own */
static void upload_drop(struct req *r, long long blob)
{
	struct app_error kept = r->err;
	req_db_release(r);
	app_error_clear(&r->err);
	struct db_params p = {.n = 0};
	db_param_int(&p, blob);
	PGresult *res = req_run(r, &sql_documents_upload_drop, &p);
	if (!res)
		log_msg(LOG_WARN, r->request_id, "an upload's pieces were not dropped (the next uploads purge them): %s",
			r->err.detail);
	PQclear(res);
	req_db_release(r);
	r->err = kept;
}

/* one piece of the upload `blob`, in a transaction of its own on a connection held for it only */
static bool piece_put(struct req *r, long long blob, int seq, const unsigned char *data, size_t n)
{
	struct db_conn *db;
	char b[24], s[24];
	const char *values[] = {id_text(blob, b), id_text(seq, s), (const char *)data};
	const int lengths[] = {0, 0, (int)n}, binary[] = {0, 0, 1};
	if (!req_db(r, &db))
		return false;
	PGresult *res = db_run_bytes(db, &sql_documents_piece_put, 3, values, lengths, binary, false, NULL, &r->err);
	PQclear(res);
	req_db_release(r);
	return res != NULL;
}

/* Reads the body until buf (DOCUMENT_PIECE) is full or the body ends, sniffing what comes: 1 full,
 * 0 at the end (*filled may be less), -1 with r->err (415 as soon as the bytes cannot be `claimed`). */
static int read_piece(struct req *r, unsigned char *buf, size_t *filled, struct filetype_sniffer *sniff,
		      enum filetype claimed)
{
	*filled = 0;
	while (*filled < DOCUMENT_PIECE) {
		long got = req_body_read(r, buf + *filled, DOCUMENT_PIECE - *filled);
		if (got <= 0)
			return (int)got;
		filetype_feed(sniff, buf + *filled, (size_t)got);
		*filled += (size_t)got;
		if (!(filetype_possible(sniff) & (1u << claimed)))
			return req_fail(r, 415, "The file is not %s: its first bytes are not of that type.",
					filetype_media_type(claimed));
	}
	return 1;
}

static const char *const type_list = "application/pdf, image/png, image/jpeg, "
				     "application/vnd.openxmlformats-officedocument.wordprocessingml.document (DOCX) or "
				     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (XLSX)";

/* 422: a document has at least one byte */
static bool empty(struct req *r)
{
	app_error_set(&r->err, 422, "The file is empty.");
	return app_error_field(&r->err, "body", "too_short", "a document has at least one byte");
}

/* The upload's query and head, before any database work or byte of the body: 400, 415, 413, 422.
 * *filename is borrowed from q, the caller's: it lives as long as the upload. */
static bool upload_request(struct req *r, struct query *q, const char **kind, const char **filename,
			   enum filetype *claimed)
{
	long long length;
	*kind = *filename = NULL;
	if (!query_parse(r->query, q, &r->err) || !query_enum(q, "kind", kinds, kind, &r->err) ||
	    !query_str(q, "filename", QUERY_MAX_VALUE, filename, &r->err) || !query_no_unknown(q, &r->err))
		return false;
	if (!*kind || !*filename)
		return app_error_set(&r->err, 400, "Query parameters kind and filename are required.");
	if (!filename_ok(*filename, strlen(*filename))) {
		app_error_set(&r->err, 422, "The file name is not acceptable.");
		return app_error_field(&r->err, "filename", "invalid",
				       "filename must be 1 to 255 characters, not . or .., without / or \\, control characters "
				       "or bidirectional formatting characters");
	}
	*claimed = filetype_of_media_type(req_header(r, "Content-Type"));
	if (*claimed == FILETYPE_UNKNOWN)
		return app_error_set(&r->err, 415, "Send the file as the request body in its own type: %s (never "
						   "multipart/form-data).", type_list);
	if (!req_body_begin(r, req_config(r)->max_document_bytes, &length))
		return false;
	if (length == 0)
		return empty(r);
	return true;
}

/* The bytes are all there and of the type claimed: in one transaction the dossier locked, the
 * right asked again, the bytes sealed under their hash (or this copy dropped for the one stored),
 * the document added; answered 201. */
static int upload_commit(struct req *r, long long dossier, const char *kind, const char *filename, long long blob,
			 enum filetype type, const char *sha256, long long bytes)
{
	struct db_conn *db;
	PGresult *d = NULL, *res = NULL;
	char blob_text[24], bytes_text[24], dossier_text[24], actor[24], ids[32];
	int rc = -1;
	if (!write_begin(r, &db) || !(d = dossier_row(r, &sql_documents_dossier_lock, dossier)) ||
	    !may_add(r, dossier, d, kind))
		goto out;
	const char *seal[] = {id_text(blob, blob_text), sha256, filetype_media_type(type), id_text(bytes, bytes_text)};
	if (!(res = db_run(db, &sql_documents_seal, 4, seal, NULL, &r->err)))
		goto out;
	PQclear(res);
	const char *row[] = {id_text(dossier, dossier_text), kind, filename, sha256, id_text(r->caller.user_id, actor)};
	if (!(res = db_run(db, &sql_documents_insert, 5, row, &explained, &r->err)))
		goto out;
	snprintf(ids, sizeof ids, "{%s}", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!(res = crud_rows_by_ids(r, &documents, db, ids)))
		goto out;
	/* read back before the commit, as write_row does: a row out of the caller's sight is not kept */
	if (PQntuples(res) != 1) {
		app_error_set(&r->err, 500, "An internal error occurred.");
		goto out;
	}
	if (!db_commit(db, &r->err))
		goto out;
	rc = respond_row(r, res, 201, crud_shape(&documents));
	res = NULL;
out:
	PQclear(d);
	PQclear(res);
	return rc;
}

static int upload(struct req *r)
{
	long long dossier, blob = 0, bytes = 0;
	struct query q;
	const char *kind, *filename;
	enum filetype claimed = FILETYPE_UNKNOWN;
	struct filetype_sniffer *sniff = NULL;
	unsigned char *piece = NULL;
	struct db_conn *db;
	PGresult *d = NULL, *res = NULL;
	char sha256[65];
	int rc = -1;
	if (!req_path_id(r, "id", &dossier))
		return -1;
	if (!authz_role_may(r, ACT_WRITE_UNIT_DATA) && !authz_role_may(r, ACT_APPROVE_AWARDS))
		return req_fail(r, 403, "Your role (%s) may read documents but not add them.", role_name(r->caller.role));
	if (!upload_request(r, &q, &kind, &filename, &claimed))
		return -1;
	/* the dossier and the caller's right in its state, before the body is read */
	if (!read_begin(r, &db) || !(d = dossier_row(r, &sql_documents_dossier, dossier)) || !may_add(r, dossier, d, kind))
		goto out;
	PQclear(d);
	d = NULL;
	req_db_release(r);
	if (!(sniff = malloc(sizeof *sniff)) || !(piece = malloc(DOCUMENT_PIECE))) {
		req_fail(r, 503, "The service is short of memory.");
		goto out;
	}
	filetype_begin(sniff);
	if (!req_db(r, &db) || !(res = db_run(db, &sql_documents_upload_begin, 0, NULL, NULL, &r->err)))
		goto out;
	blob = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	res = NULL;
	req_db_release(r);
	for (int seq = 0;; seq++) {
		size_t filled;
		int more = read_piece(r, piece, &filled, sniff, claimed);
		if (more < 0 || (filled > 0 && !piece_put(r, blob, seq, piece, filled)))
			goto out;
		if (more == 0)
			break;
	}
	req_body_digest(r, sha256, &bytes);
	enum filetype type = filetype_end(sniff);
	if (bytes == 0) {
		empty(r);
		goto out;
	}
	if (type != claimed) {
		req_fail(r, 415, "The file is not %s%s%s.", filetype_media_type(claimed),
			 type == FILETYPE_UNKNOWN ? ": its bytes are none of " : ": its bytes are ",
			 type == FILETYPE_UNKNOWN ? type_list : filetype_media_type(type));
		goto out;
	}
	rc = upload_commit(r, dossier, kind, filename, blob, type, sha256, bytes);
out:
	if (rc != 0 && blob)
		upload_drop(r, blob);
	PQclear(d);
	PQclear(res);
	free(piece);
	free(sniff);
	return rc;
}

/* Content-Disposition: attachment with the name as RFC 6266 says: filename*=UTF-8''… (RFC 5987:
 * every byte but the attr-chars %-encoded) after a filename="…" of ASCII for old clients, in which
 * anything else, quotes, backslashes and % become '_'. */
static void disposition(struct buf *out, const char *name)
{
	static const char attr[] = "!#$&+-.^_`|~";
	buf_puts(out, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%';
		if (plain || (*p & 0xC0) != 0x80) /* one '_' per character, not per byte */
			buf_putc(out, plain ? (char)*p : '_');
	}
	buf_puts(out, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p && strchr(attr, *p)))
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
}

/* Sends the bytes of row 0 of `doc` (blob, media type, bytes, sha256, filename), read by the caller
 * (read_by_path_id: one round trip, the connection given back with the answer): 304 when
 * If-None-Match has the hash, else the head, then one piece per query. */
static int send_document(struct req *r, PGresult *doc)
{
	long long blob = strtoll(PQgetvalue(doc, 0, 0), NULL, 10), bytes = strtoll(PQgetvalue(doc, 0, 2), NULL, 10);
	/* static text: the answer outlives the row */
	r->content_type = filetype_media_type(filetype_of_media_type(PQgetvalue(doc, 0, 1)));
	snprintf(r->etag, sizeof r->etag, "\"%s\"", PQgetvalue(doc, 0, 3));
	struct buf name;
	buf_init(&name);
	disposition(&name, PQgetvalue(doc, 0, 4));
	PQclear(doc);
	req_db_release(r);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && etag_list_has(inm, r->etag, true)) {
		buf_free(&name);
		r->status = 304;
		return 0;
	}
	if (!r->content_type || !buf_ok(&name)) {
		buf_free(&name);
		return req_fail(r, 500, "An internal error occurred.");
	}
	bool ok = req_stream_begin(r, bytes, name.data);
	buf_free(&name);
	long long sent = 0;
	for (int seq = 0; ok && sent < bytes && strcmp(r->method, "HEAD") != 0; seq++) {
		struct db_conn *db;
		char b[24], s[24];
		const char *params[] = {id_text(blob, b), id_text(seq, s)};
		PGresult *res = req_db(r, &db) ? db_run_bytes(db, &sql_documents_piece, 2, params, NULL, NULL, true, NULL, &r->err)
					       : NULL;
		req_db_release(r);
		if (res && PQntuples(res) != 1)
			app_error_set(&r->err, 500, "Piece %d of the bytes of %lld is missing (deleted meanwhile?).", seq, blob);
		/* never past the Content-Length sent: on a kept-alive connection the surplus would be read
		 * as the next answer */
		else if (res && sent + PQgetlength(res, 0, 0) > bytes)
			app_error_set(&r->err, 500, "The pieces of %lld hold more than its %lld bytes.", blob, bytes);
		ok = res && PQntuples(res) == 1 && sent + PQgetlength(res, 0, 0) <= bytes &&
		     req_stream_write(r, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
		if (ok)
			sent += PQgetlength(res, 0, 0);
		PQclear(res);
	}
	return ok ? 0 : -1;
}

/* A download of the document `stmt` finds by the path's id, read as the caller (404 "<what> <id>
 * does not exist<tail>."); `cache` its Cache-Control (NULL: the default) */
static int download(struct req *r, const struct db_stmt *stmt, const char *what, const char *tail, const char *cache)
{
	char id[24];
	PGresult *doc = read_by_path_id(r, stmt, id);
	if (!doc)
		return -1;
	if (PQntuples(doc) == 0) {
		PQclear(doc);
		return req_fail(r, 404, "%s %s does not exist%s.", what, id, tail);
	}
	r->cache_control = cache;
	return send_document(r, doc);
}

/* GET /v1/documents/{id}/content */
static int content(struct req *r)
{
	return download(r, &sql_documents_content, "Document", "", NULL);
}

/* GET /v1/public/decisions/{id}/document: no token; cacheable for a minute */
static int decision_document(struct req *r)
{
	return download(r, &sql_documents_of_decision, "Decision", " or has no signed document", "public, max-age=60");
}

/* DELETE: the dossier locked first, as an upload locks it */
static bool before_delete(struct req *r, const struct jvalue *v)
{
	(void)v;
	long long id;
	if (!req_path_id(r, "id", &id))
		return false;
	struct db_params p = {.n = 0};
	db_param_int(&p, id);
	PGresult *res = req_run(r, &sql_documents_dossier_of, &p);
	PQclear(res);
	return res != NULL;
}

/* DELETE: the proposing side's, while the dossier is editable */
static bool may_delete(struct req *r, PGresult *cur)
{
	const char *status = crud_cur(&documents, cur, F_DOSSIER_STATUS), *unit = crud_cur(&documents, cur, F_PROPOSING);
	const char *id = crud_cur(&documents, cur, F_ID);
	bool proposer = false;
	if (unit && !authz_may(r, ACT_WRITE_UNIT_DATA, strtoll(unit, NULL, 10), &proposer))
		return false;
	if (!proposer)
		return app_error_set(&r->err, 403, "You may read document %s but not delete it: the proposing unit removes "
						   "a dossier's documents.", id);
	if (!crud_in_states(proposer_states, status))
		return app_error_set(&r->err, 409, "Document %s belongs to a dossier that is %s: documents are deleted only "
						   "while it is draft or returned.", id, status);
	return true;
}

static const struct route routes[] = {
	{"POST", "/v1/dossiers/{id}/documents", upload, ROUTE_QUERY | ROUTE_RAW_BODY, NULL},
	{"GET", "/v1/documents/{id}/content", content, ROUTE_OWN_TYPES, NULL},
	{"GET", "/v1/public/decisions/{id}/document", decision_document, ROUTE_PUBLIC | ROUTE_OWN_TYPES, NULL},
};

static const struct fk_fact facts[] = {
	{"documents_dossier_fkey", "dossier_id", "dossier_id does not name an existing dossier", "the dossier has documents"},
	/* the decisions resource writes this column (api/decisions.c): its document must exist, and
	 * stays while the decision names it */
	{"decisions_document_fkey", "document_id", "document_id does not name an existing document",
	 "the document is a decision's signed document"},
};

const struct api_module documents_module = {
	.name = "documents", .resource = &documents, WITH(routes, routes), WITH(stmts, stmts), WITH(facts, facts),
};
