-- A cancelled decision stays on the public record as it was published: the signed document it had
-- is neither replaced nor taken away (a scan it never had may still be named). api/decisions.c
-- checked this alone, so another writer (a script, a later handler) could have changed it; now the
-- database does, for every writer. A trigger of its own beside 0029's rule on what a decision's
-- document may be; BEFORE triggers fire in the order of their names, so this one comes first and a
-- cancelled decision answers 409 without a word on the document named. The constraint name is the
-- one api/decisions.c maps to its 409.
CREATE FUNCTION tdkt_decision_document_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decision % is cancelled: the signed document it was published with (%) stays',
            OLD.id, OLD.document_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_cancelled_document';
END
$$;

CREATE TRIGGER decisions_cancelled_document BEFORE UPDATE OF document_id ON decisions
    FOR EACH ROW WHEN (OLD.status = 'cancelled' AND OLD.document_id IS NOT NULL
                       AND NEW.document_id IS DISTINCT FROM OLD.document_id)
    EXECUTE FUNCTION tdkt_decision_document_kept();
