-- Registrations (đăng ký thi đua): a unit's yearly commitment in a campaign — titles aimed for,
-- indicator targets, the emulation pact. Drafts belong to their unit's subtree.

CREATE TABLE registrations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL,
    unit_id         bigint NOT NULL,
    year            integer NOT NULL,
    titles          text[] NOT NULL DEFAULT '{}',
    targets         jsonb NOT NULL DEFAULT '[]',   -- [{"indicator_code": …, "target": …}], checked in C
    pact_signed_on  date,
    status          text NOT NULL DEFAULT 'draft',
    submitted_at    timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT registrations_once UNIQUE (campaign_id, unit_id, year),
    CONSTRAINT registrations_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT registrations_status_check CHECK (status IN ('draft', 'submitted')),
    CONSTRAINT registrations_titles_count CHECK (cardinality(titles) <= 20),
    CONSTRAINT registrations_targets_array CHECK (jsonb_typeof(targets) = 'array'),
    CONSTRAINT registrations_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE RESTRICT,
    CONSTRAINT registrations_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX registrations_campaign_idx ON registrations (campaign_id, id);
CREATE INDEX registrations_unit_idx ON registrations (unit_id, id);
CREATE INDEX registrations_year_idx ON registrations (year, id);
CREATE INDEX registrations_status_idx ON registrations (status, id);

CREATE TRIGGER registrations_record_change AFTER INSERT OR UPDATE OR DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('registration');

-- Row-level security, defence in depth behind the C checks: drafts are visible to, and written
-- by, only admins and callers whose unit's subtree holds the registration's unit (integrations
-- read no drafts), as the service
-- states per transaction (tdkt.actor_role, tdkt.actor_unit_id; api/write.c). FORCE makes the
-- owner subject to it too. A request that forgot to state who it is sees no drafts and writes
-- nothing. `tdkt migrate` and `tdkt demo` state the role 'system'.
CREATE FUNCTION tdkt_actor_reaches(unit bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT current_setting('tdkt.actor_role', true) IN ('admin', 'system')
        OR coalesce(current_setting('tdkt.actor_role', true), '') NOT IN ('', 'integration') AND EXISTS (
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM units WHERE id = unit
                UNION ALL
                SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 1000)
            SELECT 1 FROM up WHERE id = nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint)
$$;

ALTER TABLE registrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE registrations FORCE ROW LEVEL SECURITY;
CREATE POLICY registrations_read ON registrations FOR SELECT
    USING (status <> 'draft' OR tdkt_actor_reaches(unit_id));
CREATE POLICY registrations_insert ON registrations FOR INSERT
    WITH CHECK (tdkt_actor_reaches(unit_id));
CREATE POLICY registrations_update ON registrations FOR UPDATE
    USING (tdkt_actor_reaches(unit_id)) WITH CHECK (tdkt_actor_reaches(unit_id));
CREATE POLICY registrations_delete ON registrations FOR DELETE
    USING (tdkt_actor_reaches(unit_id));
