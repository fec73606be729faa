-- Public lists and public comments (issue 14, API.md "Public", "Proposals"): api/public.c.

-- A decision's signed document (API.md "Documents": `/v1/public/decisions/{id}/document`). The
-- documents' migration adds this column with its foreign key to documents; it is added here too,
-- without the key, so that the public list of decisions does not wait for documents. Whichever
-- runs first adds it; the other must say IF NOT EXISTS.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS document_id bigint;

-- Each instance keeps the public lists' pages in memory, keyed by the change feed's last position
-- among the entities a list shows (the feed is appended in the writing transaction, in commit
-- order: sql/0003). Every request asks that position once; these make it one probe of a small
-- index, with `at` in it so that the probe reads no table (a database restored to another history
-- that reached the same seq has another `at`). The entity lists are api/public.c's, word for word:
-- the planner uses a partial index only when the query's condition is its predicate.
--   proposals in notice: their dossiers, the nominees, units and people named, award kinds' names
--   decisions: the decisions, their awards, units and people named, award kinds' names
CREATE INDEX change_feed_public_proposals_idx ON change_feed (seq) INCLUDE (at)
    WHERE entity IN ('dossier', 'proposal', 'unit', 'person', 'award_kind');
CREATE INDEX change_feed_public_decisions_idx ON change_feed (seq) INCLUDE (at)
    WHERE entity IN ('decision', 'award', 'unit', 'person', 'award_kind');

-- The public list of proposals reads nominees of dossiers in notice (dossiers_in_notice_idx) by
-- their dossier (proposals_dossier_idx); the feedback's rate limit counts one address's recent rows
-- (proposal_feedback_client_idx); a proposal's feedback is paged by (proposal_id, id)
-- (proposal_feedback_proposal_idx). All of sql/0024: nothing more to index.
