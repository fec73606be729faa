-- Documents of a dossier (issue 14, API.md "Documents"): the files a tờ trình carries — the letter
-- itself, achievement reports, minutes of the review meeting, initiatives, the decision, opinions.
-- A document is a row of `documents` (which dossier, what kind, the name it was sent with) naming
-- its bytes by their SHA-256; the bytes are stored once however many documents name them
-- (`document_blobs`, one row per distinct content), in pieces of 256 KiB (`document_chunks`), so
-- that no request ever holds a whole file: an upload writes its pieces as they arrive, a download
-- reads them one at a time.
--
-- An upload (api/documents.c):
--   1. tdkt_document_upload_begin(): a blob row without a hash yet (its bytes are being received);
--   2. tdkt_document_chunk_put() for every 256 KiB, each in a transaction of its own, so that a
--      slow client holds no database connection between its pieces;
--   3. one transaction: the dossier locked and the caller's right checked again, then
--      tdkt_document_blob_seal() gives the blob its hash — or, when those bytes are already stored,
--      drops the new copy and answers the existing blob — and the document row is inserted.
-- A blob still without a hash a day after it was begun is an upload that died (its process did):
-- the next upload deletes it. When the last document naming a blob goes (deleted, or with its
-- dossier), the blob and its pieces go too (tdkt_document_blob_release).
--
-- The pieces are no one's data but their documents': they have no row-level security and are
-- read only by a service that has just read their document under the caller's.

CREATE TABLE document_blobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256      text COLLATE "C",        -- NULL while its bytes are being received
    media_type  text,                    -- what the bytes are (told from them, lib/filetype.c)
    bytes       bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT document_blobs_sha256_key UNIQUE (sha256),
    CONSTRAINT document_blobs_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT document_blobs_sealed CHECK ((sha256 IS NULL) = (bytes IS NULL) AND (sha256 IS NULL) = (media_type IS NULL)),
    CONSTRAINT document_blobs_bytes_range CHECK (bytes >= 1),
    CONSTRAINT document_blobs_media_type_check CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'))
);
-- uploads under way, for the purge of dead ones
CREATE INDEX document_blobs_receiving_idx ON document_blobs (created_at) WHERE sha256 IS NULL;

CREATE TABLE document_chunks (
    blob_id  bigint NOT NULL,
    seq      integer NOT NULL,
    data     bytea NOT NULL,
    CONSTRAINT document_chunks_pkey PRIMARY KEY (blob_id, seq),
    CONSTRAINT document_chunks_seq_range CHECK (seq >= 0),
    CONSTRAINT document_chunks_size CHECK (octet_length(data) BETWEEN 1 AND 1048576),
    CONSTRAINT document_chunks_blob_fkey FOREIGN KEY (blob_id) REFERENCES document_blobs (id) ON DELETE CASCADE
);
-- PDFs, images and Office packages are compressed already: stored out of line as they are,
-- without PostgreSQL trying (and failing) to compress every piece again
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE documents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id  bigint NOT NULL,
    kind        text NOT NULL,
    filename    text NOT NULL,
    sha256      text COLLATE "C" NOT NULL,
    created_by  bigint,                  -- the acting user (token sub); no key: external issuers
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documents_kind_check CHECK (kind IN ('proposal_letter', 'achievement_report', 'minutes', 'initiative',
                                                    'decision', 'opinion', 'other')),
    -- as lib/filetype.c's filename_ok: 1-255 characters, NFC, no path separator, not . or .., no
    -- control character and no bidirectional formatting character
    CONSTRAINT documents_filename_check CHECK (char_length(filename) BETWEEN 1 AND 255 AND filename IS NFC NORMALIZED
        AND filename NOT IN ('.', '..')
        AND filename !~ '[/\\\u0001-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]'),
    CONSTRAINT documents_dossier_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id) ON DELETE CASCADE,
    CONSTRAINT documents_blob_fkey FOREIGN KEY (sha256) REFERENCES document_blobs (sha256)
);
CREATE INDEX documents_dossier_idx ON documents (dossier_id, id);
CREATE INDEX documents_sha256_idx ON documents (sha256);

-- A decision's signed document (API.md "Public": the public decisions carry it). Its document is
-- public whatever its dossier is.
ALTER TABLE decisions ADD COLUMN document_id bigint,
    ADD CONSTRAINT decisions_document_fkey FOREIGN KEY (document_id) REFERENCES documents (id) ON DELETE RESTRICT;
CREATE INDEX decisions_document_idx ON decisions (document_id) WHERE document_id IS NOT NULL;

-- Who reads a document: whoever reads its dossier (the subquery reads dossiers under their own
-- policy, sql/0024), and anybody a decision's signed document (of kind decision). Who adds or removes one: whoever
-- reaches the dossier's proposing or approving unit — the finer rules (which unit, in which state,
-- which kinds) are the service's (api/documents.c), this is the floor under them.
CREATE FUNCTION tdkt_document_visible(p_id bigint, p_dossier bigint, p_kind text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = p_dossier)
        OR (p_kind = 'decision' AND EXISTS (SELECT 1 FROM decisions c WHERE c.document_id = p_id))
$$;
CREATE FUNCTION tdkt_document_writable(p_dossier bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = p_dossier
                   AND (tdkt_actor_reaches(d.proposing_unit_id) OR tdkt_actor_reaches(d.approving_unit_id)))
$$;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_read ON documents FOR SELECT USING (tdkt_document_visible(id, dossier_id, kind));
CREATE POLICY documents_insert ON documents FOR INSERT WITH CHECK (tdkt_document_writable(dossier_id));
CREATE POLICY documents_delete ON documents FOR DELETE USING (tdkt_document_writable(dossier_id));
-- A document never changes (another file is another document): no update passes WITH CHECK. The
-- USING clause is for SELECT … FOR UPDATE, which a delete takes first, and which row-level security
-- lets see only the rows an UPDATE policy's USING passes.
CREATE POLICY documents_lock ON documents FOR UPDATE USING (tdkt_document_writable(dossier_id)) WITH CHECK (false);

-- The audit trail and the change feed: a document's change is restricted (admins alone see it in
-- the feed) while its dossier is hidden or gone, as a nominee's (sql/0024's trigger function)
CREATE TRIGGER documents_record_change AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION tdkt_dossier_row_record_change('document');

-- An upload begins: a blob row to hang its pieces on. Dead uploads (begun a day ago and never
-- sealed: their process died) are purged on the way, a few at a time.
CREATE FUNCTION tdkt_document_upload_begin() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    blob bigint;
BEGIN
    DELETE FROM document_blobs WHERE id IN (SELECT id FROM document_blobs
        WHERE sha256 IS NULL AND created_at < now() - interval '1 day' ORDER BY created_at LIMIT 10);
    INSERT INTO document_blobs DEFAULT VALUES RETURNING id INTO blob;
    RETURN blob;
END
$$;

-- One piece of an upload, in a transaction of its own. Its commit does not wait for the disk:
-- the upload's last transaction commits synchronously, and that flushes every WAL record before
-- it, these pieces' included; a crash before it loses only an upload that never answered 201.
CREATE FUNCTION tdkt_document_chunk_put(p_blob bigint, p_seq integer, p_data bytea) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO document_chunks (blob_id, seq, data) VALUES (p_blob, p_seq, p_data);
END
$$;

-- The upload's bytes are whole: they are stored under their hash, once. When a blob with this
-- hash exists the upload's copy is dropped and that blob kept (locked against its release until
-- this transaction ends: the document about to name it holds it then). Two identical uploads at
-- once: the second's hash waits on the first's uncommitted one, then finds it taken (unique
-- violation) and takes the first's blob — both succeed, one copy stays. Returns whether the
-- upload's own copy was kept.
CREATE FUNCTION tdkt_document_blob_seal(p_blob bigint, p_sha256 text, p_media_type text, p_bytes bigint)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    FOR attempt IN 1..5 LOOP
        PERFORM 1 FROM document_blobs WHERE sha256 = p_sha256 FOR KEY SHARE;
        IF FOUND THEN
            DELETE FROM document_blobs WHERE id = p_blob AND sha256 IS NULL;
            RETURN false;
        END IF;
        BEGIN
            UPDATE document_blobs SET sha256 = p_sha256, media_type = p_media_type, bytes = p_bytes
             WHERE id = p_blob AND sha256 IS NULL;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'upload % is not under way', p_blob USING ERRCODE = 'no_data_found';
            END IF;
            IF (SELECT coalesce(sum(octet_length(data)), 0) FROM document_chunks WHERE blob_id = p_blob) <> p_bytes THEN
                RAISE EXCEPTION 'upload % does not hold % bytes', p_blob, p_bytes USING ERRCODE = 'data_exception';
            END IF;
            RETURN true;
        EXCEPTION WHEN unique_violation THEN
            -- the same bytes sealed by an upload that committed meanwhile: take its blob
        END;
    END LOOP;
    RAISE EXCEPTION 'blob % could not be sealed', p_sha256 USING ERRCODE = 'serialization_failure';
END
$$;

-- The last document naming a blob is gone: so are the bytes. Another document may still name
-- them — one the deleting caller cannot see, or one being added right now (it holds the blob, so
-- this waits for its commit): the delete then fails on documents_blob_fkey, which leaves the
-- blob as it was.
CREATE FUNCTION tdkt_document_blob_release() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DELETE FROM document_blobs WHERE sha256 = OLD.sha256;
    EXCEPTION WHEN foreign_key_violation THEN
        NULL;
    END;
    RETURN NULL;
END
$$;
CREATE TRIGGER documents_blob_release AFTER DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION tdkt_document_blob_release();

-- A decision names as its signed document only a document of kind decision that its writer can
-- read (row-level security: a document out of sight is as one that does not exist) — the one
-- /v1/public/decisions/{id}/document then serves to everybody. Checked before the foreign key, so
-- that a document the caller cannot see is refused as one of another kind, not confirmed.
CREATE FUNCTION tdkt_decision_document_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.document_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents WHERE id = NEW.document_id AND kind = 'decision') THEN
        RAISE EXCEPTION 'document % is not a decision''s document', NEW.document_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_document_kind';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER decisions_document_kind BEFORE INSERT OR UPDATE OF document_id ON decisions
    FOR EACH ROW EXECUTE FUNCTION tdkt_decision_document_check();
