-- A row's ETag is its version (API.md), and a dossier's `nominees` and an evaluation's
-- `ballots_cast` are counts of other rows: a nominee added or removed, or a ballot cast, changed
-- what GET answers without changing its version, so a client's If-None-Match got a 304 for a stale
-- count and its If-Match on the dossier still held after others had changed its nominees (an
-- outside review found both). Now whatever changes such a count, whichever writer, moves the
-- counting row's version on, once per statement (a forward copies up to 1,000 nominees in one).
-- version and updated_at alone are no change to the audit trail or the change feed
-- (tdkt_record_row ignores them): the nominee's or the ballot's own entry says what happened.
-- Row-level security applies as to any write of the caller: who adds or removes a dossier's
-- nominees may update it (api/proposals.c locks it FOR NO KEY UPDATE first, as a ballot locks its
-- evaluation FOR UPDATE, so that two writers never wait on each other's share lock).
CREATE FUNCTION tdkt_dossier_nominees_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dossiers d SET version = d.version + 1, updated_at = now()
     WHERE d.id IN (SELECT DISTINCT c.dossier_id FROM counted c);
    RETURN NULL;
END
$$;
CREATE TRIGGER proposals_added_count AFTER INSERT ON proposals REFERENCING NEW TABLE AS counted
    FOR EACH STATEMENT EXECUTE FUNCTION tdkt_dossier_nominees_counted();
CREATE TRIGGER proposals_removed_count AFTER DELETE ON proposals REFERENCING OLD TABLE AS counted
    FOR EACH STATEMENT EXECUTE FUNCTION tdkt_dossier_nominees_counted();

-- while voting, which is when ballots are cast. The close seals the ballots while the evaluation
-- still votes (sql/0018 rewrites its voters, a count unchanged, before the state moves), so a close
-- moves the version on twice: harmless, and the close's answer carries the last one.
CREATE FUNCTION tdkt_evaluation_ballots_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE evaluations e SET version = e.version + 1, updated_at = now()
     WHERE e.id IN (SELECT DISTINCT c.evaluation_id FROM counted c) AND e.status = 'voting';
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluation_voters_count AFTER INSERT ON evaluation_voters REFERENCING NEW TABLE AS counted
    FOR EACH STATEMENT EXECUTE FUNCTION tdkt_evaluation_ballots_counted();
