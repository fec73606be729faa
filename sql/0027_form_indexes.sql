-- The statistical forms (issue 14; API.md "Statistical forms", api/stat_forms.c): what their
-- counting statements filter on.
--
-- 0602 counts the awards decisions granted in a year (decided_on), not revoked: the year's are
-- read by this partial index rather than by a scan of the whole record (history included).
CREATE INDEX awards_decided_idx ON awards (decided_on) WHERE source = 'decision' AND revoked_on IS NULL;
-- Each award is then read with its nominee: the decision's proposals of the award's kind. Under
-- row-level security every proposal an index yields is checked for visibility before the kind is
-- compared; by decision alone that was every nominee of the decision (a hundred in a large one)
-- for each award, by decision and kind the few of that kind.
CREATE INDEX proposals_decision_kind_idx ON proposals (decision_id, award_kind_code) WHERE decision_id IS NOT NULL;
-- 0601 reads campaigns by launching unit (campaigns_launched_by_idx) or period
-- (campaigns_period_idx) and their clusters by campaign (campaign_clusters_pkey): nothing to add.
