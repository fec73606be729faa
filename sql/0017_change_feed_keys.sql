-- The change feed as integrators use it (issue 11): every change names the key its entity is
-- addressed by (the id, or an award kind's code: /v1/award-kinds/{code}), kept with the change so
-- that a deleted row's key is still known; a change of a row's yearly list (a cluster's members)
-- says which list and which year; and a time to start from (`since`) finds its first change by
-- an index: a change's `at` is now when it was recorded, under the feed's lock, never before the
-- change ahead of it, so that time and sequence order agree.
ALTER TABLE change_feed ADD COLUMN key text, ADD COLUMN detail jsonb;
CREATE INDEX change_feed_at_idx ON change_feed (at, seq);

-- One change appended: under the lock that makes commit order seq order (sql/0003).
CREATE FUNCTION tdkt_feed_append(p_entity text, p_id bigint, p_action text, p_restricted boolean, p_key text,
                                 p_detail jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('tdkt.change_feed'));
    INSERT INTO change_feed (seq, entity, entity_id, action, restricted, key, detail, at)
    VALUES (nextval('change_feed_seq'), p_entity, p_id, p_action, p_restricted, p_key, p_detail,
            greatest(clock_timestamp(), (SELECT max(at) FROM change_feed)));
END
$$;

-- The trigger's arguments: the entity, its visibility (sql/0013), and the column that addresses a
-- row (default id).
CREATE OR REPLACE FUNCTION tdkt_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    entity     text := TG_ARGV[0];
    visibility text := coalesce(TG_ARGV[1], 'public');
    key_column text := coalesce(TG_ARGV[2], 'id');
    ignored    text[] := ARRAY['search', 'version', 'created_at', 'updated_at', 'password_hash'];
    old_row    jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row    jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_id     bigint := (coalesce(new_row, old_row) ->> 'id')::bigint;
    row_key    text := coalesce(new_row, old_row) ->> key_column;
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
    PERFORM tdkt_feed_append(entity, row_id, action, restricted, row_key, NULL);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER award_kinds_record_change AFTER INSERT OR UPDATE OR DELETE ON award_kinds
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('award_kind', 'public', 'code');

-- A write that is not one row's insert, update or delete (a cluster-year's member list): the
-- same audit entry and change as the trigger makes, with what changed beside the row (p_detail:
-- {"name": "members", "year": 2026}).
DROP FUNCTION tdkt_record_custom(text, bigint, text, jsonb);
CREATE FUNCTION tdkt_record_custom(p_entity text, p_id bigint, p_action text, p_changes jsonb, p_detail jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id)
    VALUES (nullif(current_setting('tdkt.actor_id', true), '')::bigint,
            coalesce(nullif(current_setting('tdkt.actor_role', true), ''), 'system'),
            nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint,
            p_action, p_entity, p_id, p_changes, nullif(current_setting('tdkt.request_id', true), ''));
    PERFORM tdkt_feed_append(p_entity, p_id, p_action, false, p_id::text, p_detail);
END
$$;

-- What was recorded before: keys from the rows, or from the audit entry of a deleted award kind;
-- member lists' years from the key "members_<year>" of the audit entry written in the same
-- transaction (the same `at`, before times are put in order below).
UPDATE change_feed SET key = entity_id::text WHERE entity <> 'award_kind';
UPDATE change_feed f
   SET key = coalesce((SELECT k.code FROM award_kinds k WHERE k.id = f.entity_id),
                      (SELECT coalesce(a.changes -> 'code' ->> 'old', a.changes -> 'code' ->> 'new')
                         FROM audit_log a
                        WHERE a.entity = 'award_kind' AND a.entity_id = f.entity_id AND a.changes ? 'code'
                        ORDER BY a.id DESC LIMIT 1))
 WHERE f.entity = 'award_kind';
UPDATE change_feed f
   SET detail = (SELECT jsonb_build_object('name', split_part(k, '_', 1), 'year', split_part(k, '_', 2)::int)
                   FROM audit_log a, jsonb_object_keys(a.changes) AS k
                  WHERE a.entity = f.entity AND a.entity_id = f.entity_id AND a.at = f.at
                    AND k ~ '^[a-z]+_[0-9]{4}$'
                  LIMIT 1)
 WHERE f.entity = 'cluster' AND f.action = 'update'
   AND EXISTS (SELECT 1 FROM audit_log a
                WHERE a.entity = f.entity AND a.entity_id = f.entity_id AND a.at = f.at
                  AND EXISTS (SELECT 1 FROM jsonb_object_keys(a.changes) AS k WHERE k ~ '^[a-z]+_[0-9]{4}$'));
-- and times in sequence order
UPDATE change_feed f SET at = m.at
  FROM (SELECT seq, max(at) OVER (ORDER BY seq) AS at FROM change_feed) m
 WHERE m.seq = f.seq AND m.at <> f.at;
