-- Emulation clusters (cụm / khối thi đua) and their yearly membership. The membership rules are
-- enforced here as well as in C, so that no two concurrent requests can break them:
--   no unit twice in a cluster-year            (primary key)
--   at most one leader, at most one deputy     (partial unique indexes)
--   exactly one leader when there are members  (deferred constraint trigger, checked at commit)
--   one cluster per organiser per unit-year    (unique on a copy of the organiser that a
--                                               composite foreign key keeps in step)

CREATE TABLE clusters (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL,
    name               text NOT NULL,
    kind               text NOT NULL DEFAULT 'cluster',
    organizer_unit_id  bigint NOT NULL,
    description        text,
    active             boolean NOT NULL DEFAULT true,
    search             tsvector GENERATED ALWAYS AS
                       (to_tsvector('simple', tdkt_fold(code || ' ' || name || ' ' || coalesce(description, '')))) STORED,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clusters_code_key UNIQUE (code),
    CONSTRAINT clusters_id_organizer_key UNIQUE (id, organizer_unit_id),
    CONSTRAINT clusters_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9.\-]{0,31}$'),
    CONSTRAINT clusters_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT clusters_description_length CHECK (char_length(description) <= 2000),
    CONSTRAINT clusters_kind_check CHECK (kind IN ('cluster', 'bloc')),
    CONSTRAINT clusters_organizer_fkey FOREIGN KEY (organizer_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX clusters_organizer_idx ON clusters (organizer_unit_id, id);
CREATE INDEX clusters_search_idx ON clusters USING gin (search);

CREATE TABLE cluster_members (
    cluster_id         bigint NOT NULL,
    organizer_unit_id  bigint NOT NULL,
    year               integer NOT NULL,
    unit_id            bigint NOT NULL,
    role               text NOT NULL,
    CONSTRAINT cluster_members_pkey PRIMARY KEY (cluster_id, year, unit_id),
    CONSTRAINT cluster_members_one_per_organizer UNIQUE (organizer_unit_id, year, unit_id),
    CONSTRAINT cluster_members_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT cluster_members_role_check CHECK (role IN ('leader', 'deputy', 'member')),
    CONSTRAINT cluster_members_cluster_fkey FOREIGN KEY (cluster_id, organizer_unit_id)
        REFERENCES clusters (id, organizer_unit_id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT cluster_members_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX cluster_members_one_leader ON cluster_members (cluster_id, year) WHERE role = 'leader';
CREATE UNIQUE INDEX cluster_members_one_deputy ON cluster_members (cluster_id, year) WHERE role = 'deputy';
CREATE INDEX cluster_members_unit_idx ON cluster_members (unit_id, year);

CREATE FUNCTION cluster_members_need_leader() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.cluster_id ELSE NEW.cluster_id END;
    y integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.year ELSE NEW.year END;
BEGIN
    IF EXISTS (SELECT 1 FROM cluster_members WHERE cluster_id = c AND year = y)
       AND NOT EXISTS (SELECT 1 FROM cluster_members WHERE cluster_id = c AND year = y AND role = 'leader') THEN
        RAISE EXCEPTION 'cluster % has members in % but no leader', c, y
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cluster_members_need_leader';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER cluster_members_need_leader
    AFTER INSERT OR UPDATE OR DELETE ON cluster_members
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cluster_members_need_leader();

CREATE TRIGGER clusters_record_change AFTER INSERT OR UPDATE OR DELETE ON clusters
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('cluster');

-- For writes that are not one row's insert, update or delete (a cluster-year's member list):
-- the same audit entry and change-feed number as the trigger makes.
CREATE FUNCTION tdkt_record_custom(p_entity text, p_id bigint, p_action text, p_changes jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id)
    VALUES (nullif(current_setting('tdkt.actor_id', true), '')::bigint,
            coalesce(nullif(current_setting('tdkt.actor_role', true), ''), 'system'),
            nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint,
            p_action, p_entity, p_id, p_changes, nullif(current_setting('tdkt.request_id', true), ''));
    PERFORM pg_advisory_xact_lock(hashtext('tdkt.change_feed'));
    INSERT INTO change_feed (seq, entity, entity_id, action) VALUES (nextval('change_feed_seq'), p_entity, p_id, p_action);
END
$$;
