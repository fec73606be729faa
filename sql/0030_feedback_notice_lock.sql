-- A public comment is taken only while its nominee is in public notice (api/public.c). Its check
-- and its insert are two statements: a dossier leaving notice, or the nominee rejected, between
-- them would let a comment in after the notice had ended. Row locks cannot close that window, as
-- row-level security refuses them to the anonymous commenter (FOR SHARE applies the UPDATE
-- policies). So the two sides meet on an advisory lock keyed by the dossier: a comment takes it
-- shared once written and checks the notice again under it, holding it to its commit; these
-- triggers take it exclusive in the transaction that ends the notice, which then waits for the
-- comments being written, and the comments that come after see the notice ended.
CREATE FUNCTION tdkt_notice_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    dossier bigint;
BEGIN
    -- each branch is planned only for the table it runs on
    IF TG_TABLE_NAME = 'dossiers' THEN
        dossier := NEW.id;
    ELSE
        dossier := NEW.dossier_id;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('tdkt.notice:' || dossier, 0));
    RETURN NEW;
END
$$;

-- the dossier leaves notice, or its dates change while in it
CREATE TRIGGER dossiers_notice_lock BEFORE UPDATE ON dossiers FOR EACH ROW
    WHEN (OLD.status = 'public_notice' AND (NEW.status IS DISTINCT FROM OLD.status
          OR NEW.notice_from IS DISTINCT FROM OLD.notice_from OR NEW.notice_until IS DISTINCT FROM OLD.notice_until))
    EXECUTE FUNCTION tdkt_notice_lock();
-- a nominee rejected (a rejected nominee takes no comment)
CREATE TRIGGER proposals_notice_lock BEFORE UPDATE ON proposals FOR EACH ROW
    WHEN (NEW.status = 'rejected' AND OLD.status IS DISTINCT FROM 'rejected')
    EXECUTE FUNCTION tdkt_notice_lock();
