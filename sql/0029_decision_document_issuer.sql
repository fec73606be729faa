-- A decision's signed document is one uploaded to a dossier addressed to the decision's issuing
-- unit. 0026 asked only that it be of kind decision and readable by the writer, and every sent
-- dossier's documents are readable by any token holder: one unit's decision could then name, and
-- /v1/public/decisions/{id}/document publish with no token, a document of a dossier addressed to
-- another unit (and pin it there: the key restricts its delete). The rule as a whole is this
-- function's, which 0026's trigger calls.
CREATE OR REPLACE FUNCTION tdkt_decision_document_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.document_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM documents d JOIN dossiers s ON s.id = d.dossier_id
            WHERE d.id = NEW.document_id AND d.kind = 'decision' AND s.approving_unit_id = NEW.issuing_unit_id) THEN
        RAISE EXCEPTION 'document % is not a decision''s document of a dossier addressed to its issuer', NEW.document_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_document_kind';
    END IF;
    RETURN NEW;
END
$$;
