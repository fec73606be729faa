-- Who did it, when the token came from a trusted external issuer (TDKT_JWT_EXTERNAL_ISSUERS: the
-- national system's, say): its user ids are its own, so user 5 of the national system was recorded
-- as actor 5, the same as our user 5 (an outside review asked). The request names the issuer
-- (api/write.c sets tdkt.actor_issuer beside tdkt.actor_id; empty for our own tokens) and every
-- entry takes it as it is written, whichever function writes it (a change, a read of personal
-- data, a ballot), by this one trigger rather than a change to each of them.
ALTER TABLE audit_log ADD COLUMN actor_issuer text;   -- NULL: our own token, or no token
-- GET /v1/audit?actor_issuer= (with actor=, audit_log_actor_idx serves)
CREATE INDEX audit_log_issuer_idx ON audit_log (actor_issuer, id) WHERE actor_issuer IS NOT NULL;

CREATE FUNCTION tdkt_audit_actor_issuer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor_issuer := coalesce(NEW.actor_issuer, nullif(current_setting('tdkt.actor_issuer', true), ''));
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_actor_issuer BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION tdkt_audit_actor_issuer();
