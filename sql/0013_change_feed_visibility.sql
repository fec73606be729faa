-- The change feed shows a caller nothing about rows it may not read (issue 8). Integrations read
-- everything but drafts and accounts, so each change is marked `restricted` when it concerns a
-- row only admins (of the feed's readers) may see: any account (users are admins' alone), and a
-- draft or returned registration (API.md: drafts are visible to their subtree, its authorities
-- and admins). A draft that is submitted shows up then, as an update of a row now visible.
-- Which rule applies is the table's own fact, given as the trigger's second argument:
--   'public' (default), 'admin' (always restricted), 'drafts' (restricted while status is
--   draft or returned).
ALTER TABLE change_feed ADD COLUMN restricted boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION tdkt_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entity     text := TG_ARGV[0];
    visibility text := coalesce(TG_ARGV[1], 'public');
    ignored    text[] := ARRAY['search', 'version', 'created_at', 'updated_at', 'password_hash'];
    old_row    jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row    jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_id     bigint := (coalesce(new_row, old_row) ->> 'id')::bigint;
    action     text := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    restricted boolean := visibility = 'admin'
                          OR (visibility = 'drafts' AND coalesce(new_row, old_row) ->> 'status' IN ('draft', 'returned'));
    diff       jsonb;
BEGIN
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', old_row -> k, 'new', new_row -> k)), '{}')
      INTO diff
      FROM (SELECT jsonb_object_keys(coalesce(old_row, '{}') || coalesce(new_row, '{}')) AS k) AS keys
     WHERE k <> ALL (ignored) AND (old_row -> k) IS DISTINCT FROM (new_row -> k);
    -- a password is never recorded, only that it changed (a re-hash at login keeps the version)
    IF TG_OP = 'UPDATE' AND old_row ? 'password_hash'
       AND old_row ->> 'password_hash' IS DISTINCT FROM new_row ->> 'password_hash'
       AND old_row ->> 'version' IS DISTINCT FROM new_row ->> 'version' THEN
        diff := diff || '{"password": {"changed": true}}';
    END IF;
    IF TG_OP = 'UPDATE' AND diff = '{}' THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id)
    VALUES (nullif(current_setting('tdkt.actor_id', true), '')::bigint,
            coalesce(nullif(current_setting('tdkt.actor_role', true), ''), 'system'),
            nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint,
            action, entity, row_id, diff, nullif(current_setting('tdkt.request_id', true), ''));
    PERFORM pg_advisory_xact_lock(hashtext('tdkt.change_feed'));
    INSERT INTO change_feed (seq, entity, entity_id, action, restricted)
    VALUES (nextval('change_feed_seq'), entity, row_id, action, restricted);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER users_record_change AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('user', 'admin');
CREATE OR REPLACE TRIGGER registrations_record_change AFTER INSERT OR UPDATE OR DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('registration', 'drafts');

-- what was recorded before: accounts, and registrations that are not (or no longer) readable
UPDATE change_feed SET restricted = true WHERE entity = 'user';
UPDATE change_feed f SET restricted = true
 WHERE f.entity = 'registration'
   AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = f.entity_id AND r.status NOT IN ('draft', 'returned'));
