-- Evaluations (bình xét thi đua, issue 12): a cluster's yearly scoring and secret ballot, run by
-- the cluster-year's leader, the organiser's authority or an admin (api/authz.c: REL_LEADER).
--   draft → scoring (members score each other's qualitative criteria, the runner enters bonus and
--   penalty points) → voting (each member unit casts one secret ballot) → closed (the results
--   are made once, from the reports, targets, scores and tallies as they are then, and kept).
--
-- Secret ballots. Who voted is kept (evaluation_voters: one row per member unit, the primary key
-- is what makes "once per member" hold under concurrency); what was chosen is kept apart, with
-- nothing of the voter: while voting, one row per choice (evaluation_ballot_choices: no id, no
-- time, no voter); at close, in one transaction, the choices become tallies (evaluation_votes)
-- and are deleted, and the voters are deleted and written again in unit order. After close
-- every remaining row of both tables was written by the closing transaction (one xmin, unit
-- order, no ballot order), so neither the tables, their system columns, a dump, the audit trail
-- nor the change feed (a ballot's entry in each says which unit voted, never for whom) links a
-- voter to its choices. README "Secret ballots" has the threat model: while voting is open, an
-- operator reading the database can link them (the voter's row and its choices share a
-- transaction), and the deleted rows keep their bytes in the data files and the WAL until their
-- space is reused or the table rewritten (VACUUM FULL), and the WAL recycled.

CREATE TABLE evaluations (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id          bigint NOT NULL,
    year                integer NOT NULL,
    campaign_id         bigint,
    title               text NOT NULL,
    meeting_on          date,
    host_unit_id        bigint,
    criteria            jsonb NOT NULL DEFAULT '[]',
    max_choices         integer NOT NULL DEFAULT 3,
    vote_threshold_pct  numeric(5,2) NOT NULL DEFAULT 50,
    status              text NOT NULL DEFAULT 'draft',
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT evaluations_cluster_year_key UNIQUE (cluster_id, year),
    CONSTRAINT evaluations_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT evaluations_title_length CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT evaluations_max_choices_range CHECK (max_choices BETWEEN 1 AND 100),
    CONSTRAINT evaluations_threshold_range CHECK (vote_threshold_pct > 0 AND vote_threshold_pct <= 100),
    CONSTRAINT evaluations_status_check CHECK (status IN ('draft', 'scoring', 'voting', 'closed')),
    CONSTRAINT evaluations_criteria_array CHECK (jsonb_typeof(criteria) = 'array'),
    CONSTRAINT evaluations_cluster_fkey FOREIGN KEY (cluster_id) REFERENCES clusters (id) ON DELETE RESTRICT,
    CONSTRAINT evaluations_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE RESTRICT,
    CONSTRAINT evaluations_host_unit_fkey FOREIGN KEY (host_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX evaluations_year_idx ON evaluations (year, id);
CREATE INDEX evaluations_status_idx ON evaluations (status, id);
CREATE INDEX evaluations_campaign_idx ON evaluations (campaign_id, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX evaluations_host_unit_idx ON evaluations (host_unit_id) WHERE host_unit_id IS NOT NULL;
CREATE TRIGGER evaluations_record_change AFTER INSERT OR UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('evaluation');

-- a member's points for another member (or itself: its self-score) on a qualitative criterion
CREATE TABLE evaluation_scores (
    evaluation_id   bigint NOT NULL,
    scorer_unit_id  bigint NOT NULL,
    target_unit_id  bigint NOT NULL,
    criterion_code  text COLLATE "C" NOT NULL,
    points          numeric(8,2) NOT NULL,
    CONSTRAINT evaluation_scores_pkey PRIMARY KEY (evaluation_id, scorer_unit_id, target_unit_id, criterion_code),
    CONSTRAINT evaluation_scores_points_range CHECK (points >= 0),
    CONSTRAINT evaluation_scores_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE,
    CONSTRAINT evaluation_scores_scorer_fkey FOREIGN KEY (scorer_unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT evaluation_scores_target_fkey FOREIGN KEY (target_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX evaluation_scores_scorer_idx ON evaluation_scores (scorer_unit_id);
CREATE INDEX evaluation_scores_target_idx ON evaluation_scores (target_unit_id);

-- bonus and penalty points the runner enters for a member, with the reason
CREATE TABLE evaluation_adjustments (
    evaluation_id   bigint NOT NULL,
    unit_id         bigint NOT NULL,
    criterion_code  text COLLATE "C" NOT NULL,
    points          numeric(8,2) NOT NULL,
    reason          text NOT NULL,
    CONSTRAINT evaluation_adjustments_pkey PRIMARY KEY (evaluation_id, unit_id, criterion_code),
    CONSTRAINT evaluation_adjustments_points_range CHECK (points >= 0),
    CONSTRAINT evaluation_adjustments_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500),
    CONSTRAINT evaluation_adjustments_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE,
    CONSTRAINT evaluation_adjustments_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX evaluation_adjustments_unit_idx ON evaluation_adjustments (unit_id);

-- who voted; never what
CREATE TABLE evaluation_voters (
    evaluation_id  bigint NOT NULL,
    unit_id        bigint NOT NULL,
    CONSTRAINT evaluation_voters_pkey PRIMARY KEY (evaluation_id, unit_id),
    CONSTRAINT evaluation_voters_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE,
    CONSTRAINT evaluation_voters_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX evaluation_voters_unit_idx ON evaluation_voters (unit_id);

-- what was chosen while voting is open, one row per choice, nothing of who chose it. No foreign
-- key on the unit: its "still referenced" answer to a unit's delete would tell whether anybody had
-- chosen it. The choices are members (checked when cast), and members are fixed while voting
-- (below) and cannot be deleted (cluster_members_unit_fkey).
CREATE TABLE evaluation_ballot_choices (
    evaluation_id  bigint NOT NULL,
    unit_id        bigint NOT NULL,
    CONSTRAINT evaluation_ballot_choices_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE
);
CREATE INDEX evaluation_ballot_choices_evaluation_idx ON evaluation_ballot_choices (evaluation_id);

-- the tallies, written at close
CREATE TABLE evaluation_votes (
    evaluation_id  bigint NOT NULL,
    unit_id        bigint NOT NULL,
    votes          integer NOT NULL,
    CONSTRAINT evaluation_votes_pkey PRIMARY KEY (evaluation_id, unit_id),
    CONSTRAINT evaluation_votes_count CHECK (votes > 0),
    CONSTRAINT evaluation_votes_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE,
    CONSTRAINT evaluation_votes_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX evaluation_votes_unit_idx ON evaluation_votes (unit_id);

-- A cluster-year's members are fixed once its evaluation has opened: scores, ballots and the
-- share of votes are of those members. The evaluation's row is read FOR SHARE, so a change of
-- members and an open_scoring (which locks the row) happen one after the other, never at once.
CREATE FUNCTION evaluations_members_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.cluster_id ELSE NEW.cluster_id END;
    y integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.year ELSE NEW.year END;
BEGIN
    PERFORM 1 FROM evaluations e WHERE e.cluster_id = c AND e.year = y AND e.status <> 'draft' FOR SHARE;
    IF FOUND THEN
        RAISE EXCEPTION 'the evaluation of cluster % in % has opened: its members are fixed', c, y
            USING ERRCODE = 'check_violation', CONSTRAINT = 'evaluations_members_fixed';
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.cluster_id, OLD.year) IS DISTINCT FROM (NEW.cluster_id, NEW.year) THEN
        PERFORM 1 FROM evaluations e WHERE e.cluster_id = OLD.cluster_id AND e.year = OLD.year AND e.status <> 'draft' FOR SHARE;
        IF FOUND THEN
            RAISE EXCEPTION 'the evaluation of cluster % in % has opened: its members are fixed', OLD.cluster_id, OLD.year
                USING ERRCODE = 'check_violation', CONSTRAINT = 'evaluations_members_fixed';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER cluster_members_fixed_by_evaluation AFTER INSERT OR UPDATE OR DELETE ON cluster_members
    FOR EACH ROW EXECUTE FUNCTION evaluations_members_fixed();

-- the results as made at close (GET …/results answers them as stored)
CREATE TABLE evaluation_results (
    evaluation_id  bigint PRIMARY KEY,
    results        json NOT NULL,             -- as written: json keeps its order (unit_id first)
    CONSTRAINT evaluation_results_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE
);

-- Close, the ballots' part: choices into tallies, the voters written again; the caller has the
-- evaluation's row locked. Nothing is returned, nothing recorded per ballot.
CREATE FUNCTION tdkt_evaluation_seal(p_evaluation bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO evaluation_votes (evaluation_id, unit_id, votes)
    SELECT p_evaluation, unit_id, count(*) FROM evaluation_ballot_choices
     WHERE evaluation_id = p_evaluation GROUP BY unit_id ORDER BY unit_id;
    DELETE FROM evaluation_ballot_choices WHERE evaluation_id = p_evaluation;
    WITH gone AS (DELETE FROM evaluation_voters WHERE evaluation_id = p_evaluation RETURNING unit_id)
    INSERT INTO evaluation_voters (evaluation_id, unit_id) SELECT p_evaluation, unit_id FROM gone ORDER BY unit_id;
END
$$;
