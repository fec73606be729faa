-- A cancelled decision stays on the public record as it was published: the signed document it had
-- is neither replaced nor taken away (a scan it never had may still be named). api/decisions.c
-- checked this alone, so another writer (a script, a later handler) could have changed it; like
-- the rest of the rule on a decision's document (0029), it is now this function's. The constraint
-- name is the one api/decisions.c maps to its 409.
CREATE OR REPLACE FUNCTION tdkt_decision_document_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'cancelled' AND OLD.document_id IS NOT NULL
       AND NEW.document_id IS DISTINCT FROM OLD.document_id THEN
        RAISE EXCEPTION 'decision % is cancelled: the signed document it was published with (%) stays',
                OLD.id, OLD.document_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_cancelled_document';
    END IF;
    IF NEW.document_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM documents d JOIN dossiers s ON s.id = d.dossier_id
            WHERE d.id = NEW.document_id AND d.kind = 'decision' AND s.approving_unit_id = NEW.issuing_unit_id) THEN
        RAISE EXCEPTION 'document % is not a decision''s document of a dossier addressed to its issuer', NEW.document_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_document_kind';
    END IF;
    RETURN NEW;
END
$$;
