-- Reports (báo cáo kết quả): a unit's figures for a period — the year, a half, a quarter or the
-- first nine months — by base indicator of the catalogue, with a narrative. One per (unit, year,
-- span). Drafts and returned reports belong to their unit's subtree (and, once returned, to the
-- authorities that review it); everything submitted or accepted is readable by all.
--
-- The figures are the report's `figures` column (the API's `values`), checked in C against the
-- catalogue and audited with the row. Totals are one aggregate over the counted reports' figures
-- (jsonb_each): a cluster-year reads its members' ~10 rows by reports_once. A table of values keyed
-- by (report, indicator) was tried first and measured slower — 700 reports × 27 figures summed in
-- 30 ms against 11 ms from the rows themselves, 64 ms once that table had row-level security of
-- its own — so the figures live only here, under the reports' policies.

CREATE TABLE reports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id       bigint NOT NULL,
    year          integer NOT NULL,
    span          text NOT NULL DEFAULT 'year',
    figures       jsonb NOT NULL DEFAULT '{}',     -- {"<base indicator code>": number}, checked in C
    note          text,
    narrative     text,
    status        text NOT NULL DEFAULT 'draft',
    submitted_at  timestamptz,
    submitted_by  bigint,                          -- the acting user (token sub); no key: external issuers
    reviewed_at   timestamptz,
    reviewed_by   bigint,
    review_note   text,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reports_once UNIQUE (unit_id, year, span),
    CONSTRAINT reports_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT reports_span_check CHECK (span IN ('year', 'h1', 'h2', 'q1', 'q2', 'q3', 'q4', '9m')),
    CONSTRAINT reports_status_check CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    CONSTRAINT reports_figures_object CHECK (jsonb_typeof(figures) = 'object'),
    CONSTRAINT reports_note_length CHECK (char_length(note) <= 2000),
    CONSTRAINT reports_narrative_length CHECK (char_length(narrative) <= 100000),
    CONSTRAINT reports_review_note_length CHECK (char_length(review_note) <= 2000),
    CONSTRAINT reports_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
-- reports_once serves (unit_id, year, span): a cluster-year's reports, and the unit_id filter
CREATE INDEX reports_unit_idx ON reports (unit_id, id);
CREATE INDEX reports_year_idx ON reports (year, span, id);
CREATE INDEX reports_span_idx ON reports (span, id);
CREATE INDEX reports_status_idx ON reports (status, id);

-- an indicator that reports give figures of stays in the catalogue (a foreign key cannot look
-- inside jsonb; deleting an indicator is rare and an admin's, so a scan is fine)
CREATE FUNCTION indicators_used_by_reports() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reports WHERE figures ? OLD.code) THEN
        RAISE EXCEPTION 'reports give figures of indicator %', OLD.code
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reports_figures_indicator';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER indicators_used_by_reports BEFORE DELETE ON indicators
    FOR EACH ROW EXECUTE FUNCTION indicators_used_by_reports();

-- audited like registrations: drafts and returned reports are restricted in the change feed
CREATE TRIGGER reports_record_change AFTER INSERT OR UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('report', 'drafts');

-- Does the caller review reports of `unit` for `yr`: an authority whose subtree holds the
-- organiser of a cluster the unit is a member of that year (API.md: authorities accept and
-- return reports of units in clusters they organise). Admins and the system always do.
CREATE FUNCTION tdkt_actor_reviews(unit bigint, yr integer) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    role text := coalesce(current_setting('tdkt.actor_role', true), '');
BEGIN
    IF role IN ('admin', 'system') THEN
        RETURN true;
    END IF;
    IF role <> 'authority' THEN
        RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM cluster_members m
                    WHERE m.unit_id = unit AND m.year = yr AND tdkt_actor_reaches(m.organizer_unit_id));
END
$$;

-- Is `unit` the unit `root` or below it: the walk up the tree of sql/0010, in one place now
-- that two checks take it.
CREATE FUNCTION tdkt_unit_within(unit bigint, root bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (
        WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT u.id, u.parent_id, 0 FROM units u WHERE u.id = unit
            UNION ALL
            SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 1000)
        SELECT 1 FROM up WHERE up.id = root);
END
$$;

CREATE OR REPLACE FUNCTION tdkt_actor_reaches(unit bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    role text := coalesce(current_setting('tdkt.actor_role', true), '');
    actor bigint := nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint;
BEGIN
    IF role IN ('admin', 'system') THEN
        RETURN true;
    END IF;
    IF role IN ('', 'integration') OR actor IS NULL THEN
        RETURN false;
    END IF;
    RETURN tdkt_unit_within(unit, actor);
END
$$;

-- Does the caller import reports of `unit`: an integration whose unit's subtree holds it, in a
-- transaction of POST /v1/reports/batch (which says so: tdkt.importing). A batch may replace a
-- draft or returned report of its subtree; anywhere else integrations see no draft, here neither.
CREATE FUNCTION tdkt_actor_imports(unit bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    actor bigint := nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint;
BEGIN
    RETURN coalesce(current_setting('tdkt.actor_role', true), '') = 'integration' AND actor IS NOT NULL
       AND coalesce(current_setting('tdkt.importing', true), '') = 'on' AND tdkt_unit_within(unit, actor);
END
$$;

-- Row-level security behind the C checks (as sql/0008): drafts are the unit's subtree's; a
-- returned report is also its reviewers'; integrations reach their subtree's only to import.
ALTER TABLE reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE reports FORCE ROW LEVEL SECURITY;
CREATE POLICY reports_read ON reports FOR SELECT
    USING (status IN ('submitted', 'accepted') OR tdkt_actor_reaches(unit_id)
           OR status = 'returned' AND tdkt_actor_reviews(unit_id, year) OR tdkt_actor_imports(unit_id));
CREATE POLICY reports_insert ON reports FOR INSERT
    WITH CHECK (tdkt_actor_reaches(unit_id) OR tdkt_actor_imports(unit_id));
CREATE POLICY reports_update ON reports FOR UPDATE
    USING (tdkt_actor_reaches(unit_id) OR tdkt_actor_reviews(unit_id, year) OR tdkt_actor_imports(unit_id))
    WITH CHECK (tdkt_actor_reaches(unit_id) OR tdkt_actor_reviews(unit_id, year) OR tdkt_actor_imports(unit_id));
CREATE POLICY reports_delete ON reports FOR DELETE
    USING (tdkt_actor_reaches(unit_id));

-- the units expected to report in a year, country-wide: the year's cluster members
CREATE INDEX cluster_members_year_idx ON cluster_members (year, unit_id);
