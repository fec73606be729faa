-- A cluster-year's members and its evaluation's opening never both happen (0018's rule, mended).
-- 0018 read the evaluation FOR SHARE only when it had opened already: under READ COMMITTED an
-- open_scoring not yet committed still shows 'draft', so no row was locked, nothing waited, and
-- an outside review saw both commit — an evaluation in scoring whose members were replaced after
-- it opened, or emptied. Now the cluster-year's evaluation is locked whatever its state, and its
-- state read after the lock is granted:
--   - a change of members that comes second waits for the opening, then sees 'scoring' (409);
--   - an opening that comes second (it locks its row FOR UPDATE first) waits for the change, then
--     counts the members as changed (none: 409 "no members").

-- Whether the evaluation of cluster c in year y has opened, its row locked FOR SHARE until the
-- transaction ends: a row being opened by another transaction is waited for, and then read as
-- that transaction left it (a locking read rechecks the row's latest version).
CREATE FUNCTION tdkt_evaluation_opened(c bigint, y integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    SELECT e.status INTO state FROM evaluations e WHERE e.cluster_id = c AND e.year = y FOR SHARE;
    RETURN coalesce(state <> 'draft', false);
END
$$;

CREATE OR REPLACE FUNCTION evaluations_members_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.cluster_id ELSE NEW.cluster_id END;
    y integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.year ELSE NEW.year END;
BEGIN
    IF tdkt_evaluation_opened(c, y) THEN
        RAISE EXCEPTION 'the evaluation of cluster % in % has opened: its members are fixed', c, y
            USING ERRCODE = 'check_violation', CONSTRAINT = 'evaluations_members_fixed';
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.cluster_id, OLD.year) IS DISTINCT FROM (NEW.cluster_id, NEW.year)
       AND tdkt_evaluation_opened(OLD.cluster_id, OLD.year) THEN
        RAISE EXCEPTION 'the evaluation of cluster % in % has opened: its members are fixed', OLD.cluster_id, OLD.year
            USING ERRCODE = 'check_violation', CONSTRAINT = 'evaluations_members_fixed';
    END IF;
    RETURN NULL;
END
$$;
