-- Reports (báo cáo kết quả): a unit's figures for a period — the year, a half, a quarter or the
-- first nine months — by base indicator of the catalogue, with a narrative. One per (unit, year,
-- span). Drafts and returned reports belong to their unit's subtree (and, once returned, to the
-- authorities that review it); everything submitted or accepted is readable by all.
--
-- The figures are the report's `figures` column (the API's `values`), checked in C against the
-- catalogue and audited with the row; a trigger keeps them as rows of report_values too, one per
-- (report, indicator), so that a cluster-year's totals are one aggregate over a primary-key
-- range per report, and no indicator a report uses can be deleted from the catalogue.

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

CREATE TABLE report_values (
    report_id       bigint NOT NULL,
    indicator_code  text COLLATE "C" NOT NULL,
    value           numeric NOT NULL,
    CONSTRAINT report_values_pkey PRIMARY KEY (report_id, indicator_code),
    CONSTRAINT report_values_value_check CHECK (value >= 0 AND value < 1e15 AND scale(value) <= 2),
    CONSTRAINT report_values_report_fkey FOREIGN KEY (report_id) REFERENCES reports (id) ON DELETE CASCADE,
    CONSTRAINT report_values_indicator_fkey FOREIGN KEY (indicator_code) REFERENCES indicators (code) ON DELETE RESTRICT
);
CREATE INDEX report_values_indicator_idx ON report_values (indicator_code);

-- the rows of report_values follow the figures, in the same statement
CREATE FUNCTION reports_values_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.figures = NEW.figures THEN
            RETURN NULL;
        END IF;
        DELETE FROM report_values v WHERE v.report_id = NEW.id AND NOT NEW.figures ? v.indicator_code;
    END IF;
    INSERT INTO report_values (report_id, indicator_code, value)
    SELECT NEW.id, f.key, f.value::numeric FROM jsonb_each_text(NEW.figures) AS f
    ON CONFLICT (report_id, indicator_code) DO UPDATE SET value = EXCLUDED.value
        WHERE report_values.value IS DISTINCT FROM EXCLUDED.value;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_values_sync AFTER INSERT OR UPDATE OF figures ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_values_sync();

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
