-- Audit trail and change feed, written by triggers in the writing transaction itself, so no
-- handler can forget them and a failed write leaves none. Who acted comes from transaction-local
-- settings the service sets at the start of every write (api/write.c):
--   tdkt.actor_id, tdkt.actor_role, tdkt.actor_unit_id, tdkt.request_id
-- Writes made outside the service (migrations, demo data, psql) are recorded as role 'system'.

CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       bigint,
    actor_role     text NOT NULL,
    actor_unit_id  bigint,
    action         text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entity         text NOT NULL,
    entity_id      bigint NOT NULL,
    changes        jsonb NOT NULL,
    request_id     text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);

-- The change feed for national systems. A plain sequence does not give commit order (a
-- transaction can take seq 10, another 11 and commit first; a reader that saw 11 would skip 10
-- for ever), so writers take one transaction-scoped lock before taking their numbers: commits
-- then happen in seq order and a reader never sees a number before every smaller one.
CREATE SEQUENCE change_feed_seq;
CREATE TABLE change_feed (
    seq        bigint PRIMARY KEY,
    entity     text NOT NULL,
    entity_id  bigint NOT NULL,
    action     text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION tdkt_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entity   text := TG_ARGV[0];
    ignored  text[] := ARRAY['search', 'version', 'created_at', 'updated_at', 'password_hash'];
    old_row  jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_id   bigint := (coalesce(new_row, old_row) ->> 'id')::bigint;
    action   text := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    diff     jsonb;
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
    INSERT INTO change_feed (seq, entity, entity_id, action) VALUES (nextval('change_feed_seq'), entity, row_id, action);
    RETURN NULL;
END
$$;

CREATE TRIGGER units_record_change AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('unit');
CREATE TRIGGER users_record_change AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('user');
