-- Commendation (issue 14, API.md "Dossiers", "Proposals", "Decisions", "Awards", "Public"): a
-- unit's tờ trình (dossier) with its nominees (proposals) goes to the approving unit, which
-- publishes them for public comment, approves or rejects each, and grants awards by a decision.
--
--   dossier   draft → submitted → public_notice → reviewed → decided
--             returned (to the proposer, from submitted or public_notice; editable, submitted again)
--             withdrawn (by the proposer, from draft or submitted)
--   proposal  pending → approved | rejected; approved → decided (by a decision) → revoked (the
--             decision cancelled)
--
-- A dossier whose approving unit cannot grant the kind (Bằng khen of the Prime Minister, say) is
-- forwarded: the approving unit makes its own dossier to the next level holding copies of the
-- approved nominees; the lower dossier's parent_id names it and each copy's forwarded_from_id names
-- the nominee it copies, so the chain reads both ways. A decision on the copies decides the
-- nominees they copy as well.

CREATE TABLE decisions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text NOT NULL,
    signed_on          date NOT NULL,
    issuing_unit_id    bigint NOT NULL,
    signer_name        text,
    signer_title       text,
    status             text NOT NULL DEFAULT 'in_force',
    cancel_reason      text,
    cancel_legal_basis text,
    cancelled_on       date,
    cancelling_number  text,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT decisions_number_key UNIQUE (issuing_unit_id, number),
    CONSTRAINT decisions_number_length CHECK (char_length(number) BETWEEN 1 AND 64),
    CONSTRAINT decisions_signed_range CHECK (signed_on BETWEEN '2000-01-01' AND '2100-12-31'),
    CONSTRAINT decisions_signer_name_length CHECK (char_length(signer_name) BETWEEN 1 AND 200),
    CONSTRAINT decisions_signer_title_length CHECK (char_length(signer_title) BETWEEN 1 AND 200),
    CONSTRAINT decisions_status_check CHECK (status IN ('in_force', 'cancelled')),
    CONSTRAINT decisions_cancel_reason_length CHECK (char_length(cancel_reason) BETWEEN 1 AND 2000),
    CONSTRAINT decisions_cancel_basis_length CHECK (char_length(cancel_legal_basis) BETWEEN 1 AND 500),
    CONSTRAINT decisions_cancelling_number_length CHECK (char_length(cancelling_number) BETWEEN 1 AND 64),
    CONSTRAINT decisions_cancelled_after_signed CHECK (cancelled_on >= signed_on),
    CONSTRAINT decisions_cancelled_complete CHECK ((status = 'cancelled') =
        (cancel_reason IS NOT NULL AND cancel_legal_basis IS NOT NULL AND cancelled_on IS NOT NULL
         AND cancelling_number IS NOT NULL)),
    CONSTRAINT decisions_issuing_unit_fkey FOREIGN KEY (issuing_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
-- decisions_number_key serves the issuing_unit_id filter (and its foreign key)
CREATE INDEX decisions_status_idx ON decisions (status, id);
CREATE INDEX decisions_signed_idx ON decisions (signed_on, id);
CREATE TRIGGER decisions_record_change AFTER INSERT OR UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('decision');

CREATE TABLE dossiers (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text NOT NULL,
    submitted_on       date,
    year               integer NOT NULL,
    kind               text NOT NULL DEFAULT 'year_end',
    campaign_id        bigint,
    evaluation_id      bigint,
    proposing_unit_id  bigint NOT NULL,
    approving_unit_id  bigint NOT NULL,
    parent_id          bigint,
    status             text NOT NULL DEFAULT 'draft',
    notice_days        integer,
    notice_from        date,
    notice_until       date,
    note               text,
    return_note        text,
    submitted_at       timestamptz,
    reviewed_at        timestamptz,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dossiers_number_key UNIQUE (proposing_unit_id, number),
    CONSTRAINT dossiers_number_length CHECK (char_length(number) BETWEEN 1 AND 64),
    CONSTRAINT dossiers_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT dossiers_submitted_range CHECK (submitted_on BETWEEN '2000-01-01' AND '2100-12-31'),
    CONSTRAINT dossiers_kind_check CHECK (kind IN ('year_end', 'campaign', 'thematic', 'ad_hoc', 'dedication', 'external')),
    CONSTRAINT dossiers_status_check CHECK (status IN ('draft', 'submitted', 'public_notice', 'reviewed', 'decided',
                                                       'returned', 'withdrawn')),
    CONSTRAINT dossiers_units_differ CHECK (proposing_unit_id <> approving_unit_id),
    CONSTRAINT dossiers_notice_days_range CHECK (notice_days BETWEEN 1 AND 60),
    CONSTRAINT dossiers_notice_order CHECK (notice_until >= notice_from),
    CONSTRAINT dossiers_notice_complete CHECK ((notice_days IS NULL) = (notice_from IS NULL)
                                               AND (notice_from IS NULL) = (notice_until IS NULL)),
    CONSTRAINT dossiers_note_length CHECK (char_length(note) <= 2000),
    CONSTRAINT dossiers_return_note_length CHECK (char_length(return_note) <= 2000),
    CONSTRAINT dossiers_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE RESTRICT,
    CONSTRAINT dossiers_evaluation_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations (id) ON DELETE RESTRICT,
    CONSTRAINT dossiers_proposing_unit_fkey FOREIGN KEY (proposing_unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT dossiers_approving_unit_fkey FOREIGN KEY (approving_unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT dossiers_parent_fkey FOREIGN KEY (parent_id) REFERENCES dossiers (id) ON DELETE RESTRICT
);
-- every filter in keyset order; dossiers_number_key serves proposing_unit_id
CREATE INDEX dossiers_status_idx ON dossiers (status, id);
CREATE INDEX dossiers_year_idx ON dossiers (year, id);
CREATE INDEX dossiers_kind_idx ON dossiers (kind, id);
CREATE INDEX dossiers_proposing_idx ON dossiers (proposing_unit_id, id);
CREATE INDEX dossiers_approving_idx ON dossiers (approving_unit_id, id);
CREATE INDEX dossiers_campaign_idx ON dossiers (campaign_id, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX dossiers_evaluation_idx ON dossiers (evaluation_id) WHERE evaluation_id IS NOT NULL;
CREATE INDEX dossiers_parent_idx ON dossiers (parent_id, id) WHERE parent_id IS NOT NULL;
-- the public list: nominees in notice
CREATE INDEX dossiers_in_notice_idx ON dossiers (id) WHERE status = 'public_notice';
-- drafts and returned dossiers are restricted in the change feed (as reports): the trigger
-- (dossiers_record_change) comes with its nominees' below

-- Who reads a dossier (API.md "Visibility"): anything sent on (submitted, in notice, reviewed,
-- decided, and a withdrawn one that had been submitted) is everybody's with a token; a draft, and a
-- dossier withdrawn before it was sent, only the proposing unit's subtree's; a returned one also
-- the approving unit's subtree's (it sent it back). Integrations see no draft nor returned one.
-- One function for the descriptor's scope (api/dossiers.c) and row-level security below.
CREATE FUNCTION tdkt_dossier_visible(p_status text, p_submitted timestamptz, p_proposing bigint, p_approving bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF p_status IN ('submitted', 'public_notice', 'reviewed', 'decided')
       OR (p_status = 'withdrawn' AND p_submitted IS NOT NULL) THEN
        RETURN true;
    END IF;
    RETURN tdkt_actor_reaches(p_proposing) OR (p_status = 'returned' AND tdkt_actor_reaches(p_approving));
END
$$;

ALTER TABLE dossiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE dossiers FORCE ROW LEVEL SECURITY;
CREATE POLICY dossiers_read ON dossiers FOR SELECT
    USING (tdkt_dossier_visible(status, submitted_at, proposing_unit_id, approving_unit_id));
CREATE POLICY dossiers_insert ON dossiers FOR INSERT
    WITH CHECK (tdkt_actor_reaches(proposing_unit_id));
-- Does the caller reach the approving unit of a dossier up the chain from `parent` (the dossiers a
-- dossier's nominees were forwarded in): a decision of the top level decides the levels below.
CREATE FUNCTION tdkt_dossier_upper_reaches(parent bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN parent IS NOT NULL AND EXISTS (
        WITH RECURSIVE up(id, parent_id, approving_unit_id, depth) AS (
            SELECT d.id, d.parent_id, d.approving_unit_id, 0 FROM dossiers d WHERE d.id = parent
            UNION ALL
            SELECT d.id, d.parent_id, d.approving_unit_id, up.depth + 1 FROM dossiers d JOIN up ON d.id = up.parent_id
             WHERE up.depth < 20)
        SELECT 1 FROM up WHERE tdkt_actor_reaches(up.approving_unit_id));
END
$$;
-- the proposer edits and submits; the approver returns, publishes, reviews, and its decisions
-- decide (those of the levels above too); a forward is the approver's insert of its own dossier
-- and update of the lower one
CREATE POLICY dossiers_update ON dossiers FOR UPDATE
    USING (tdkt_actor_reaches(proposing_unit_id) OR tdkt_actor_reaches(approving_unit_id)
           OR tdkt_dossier_upper_reaches(parent_id))
    WITH CHECK (tdkt_actor_reaches(proposing_unit_id) OR tdkt_actor_reaches(approving_unit_id)
                OR tdkt_dossier_upper_reaches(parent_id));
CREATE POLICY dossiers_delete ON dossiers FOR DELETE
    USING (tdkt_actor_reaches(proposing_unit_id));

CREATE TABLE proposals (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id           bigint NOT NULL,
    award_kind_code      text COLLATE "C" NOT NULL,
    recipient_unit_id    bigint,
    recipient_person_id  bigint,
    recipient_household  jsonb,
    achievements         text,
    subject_class        text NOT NULL DEFAULT 'staff',
    status               text NOT NULL DEFAULT 'pending',
    eligible             boolean,
    eligibility          json,            -- the answer as written (its key order kept)
    eligibility_on       date,
    decision_id          bigint,
    rejection_reason     text,
    override_reason      text,
    forwarded_from_id    bigint,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT proposals_one_recipient CHECK (num_nonnulls(recipient_unit_id, recipient_person_id, recipient_household) = 1),
    CONSTRAINT proposals_household_shape CHECK (jsonb_typeof(recipient_household) = 'object'
        AND recipient_household ?& ARRAY['name', 'address']
        AND char_length(recipient_household ->> 'name') BETWEEN 1 AND 200
        AND char_length(recipient_household ->> 'address') BETWEEN 1 AND 500),
    CONSTRAINT proposals_achievements_length CHECK (char_length(achievements) <= 20000),
    CONSTRAINT proposals_subject_class_check CHECK (subject_class IN ('leader', 'staff', 'worker_farmer', 'business',
                                                                      'foreigner', 'other')),
    CONSTRAINT proposals_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'decided', 'revoked')),
    CONSTRAINT proposals_decided_by_decision CHECK ((status IN ('decided', 'revoked')) = (decision_id IS NOT NULL)),
    CONSTRAINT proposals_rejection_reason_length CHECK (char_length(rejection_reason) BETWEEN 1 AND 2000),
    CONSTRAINT proposals_override_reason_length CHECK (char_length(override_reason) BETWEEN 1 AND 2000),
    CONSTRAINT proposals_dossier_fkey FOREIGN KEY (dossier_id) REFERENCES dossiers (id) ON DELETE CASCADE,
    CONSTRAINT proposals_kind_fkey FOREIGN KEY (award_kind_code) REFERENCES award_kinds (code) ON DELETE RESTRICT,
    CONSTRAINT proposals_unit_fkey FOREIGN KEY (recipient_unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT proposals_person_fkey FOREIGN KEY (recipient_person_id) REFERENCES people (id) ON DELETE RESTRICT,
    CONSTRAINT proposals_decision_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE RESTRICT,
    CONSTRAINT proposals_forwarded_fkey FOREIGN KEY (forwarded_from_id) REFERENCES proposals (id) ON DELETE RESTRICT
);
-- one nominee once per dossier and kind
CREATE UNIQUE INDEX proposals_once ON proposals (dossier_id, award_kind_code, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(recipient_household ->> 'name', ''), coalesce(recipient_household ->> 'address', ''));
CREATE INDEX proposals_dossier_idx ON proposals (dossier_id, id);
CREATE INDEX proposals_status_idx ON proposals (status, id);
CREATE INDEX proposals_kind_idx ON proposals (award_kind_code, id);
CREATE INDEX proposals_unit_idx ON proposals (recipient_unit_id, id) WHERE recipient_unit_id IS NOT NULL;
CREATE INDEX proposals_person_idx ON proposals (recipient_person_id, id) WHERE recipient_person_id IS NOT NULL;
CREATE INDEX proposals_decision_idx ON proposals (decision_id, id) WHERE decision_id IS NOT NULL;
CREATE INDEX proposals_forwarded_idx ON proposals (forwarded_from_id) WHERE forwarded_from_id IS NOT NULL;

-- A nominee is seen as its dossier is: the subquery reads dossiers under their own policy. The
-- change feed restricts a nominee's changes while its dossier is a draft or returned — the
-- nominee's own row does not say so, hence a trigger of its own around tdkt_record_change's.
CREATE FUNCTION tdkt_proposal_visible(p_dossier bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = p_dossier)
$$;
ALTER TABLE proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE proposals FORCE ROW LEVEL SECURITY;
CREATE POLICY proposals_read ON proposals FOR SELECT USING (tdkt_proposal_visible(dossier_id));
CREATE POLICY proposals_write ON proposals FOR INSERT WITH CHECK (tdkt_proposal_visible(dossier_id));
CREATE POLICY proposals_update ON proposals FOR UPDATE
    USING (tdkt_proposal_visible(dossier_id)) WITH CHECK (tdkt_proposal_visible(dossier_id));
CREATE POLICY proposals_delete ON proposals FOR DELETE USING (tdkt_proposal_visible(dossier_id));

-- The trigger's work as a function of the row's images, so that a table whose visibility is
-- another row's (a nominee's is its dossier's) says `restricted` itself; tdkt_record_change (its
-- arguments as in sql/0017) now calls it.
CREATE FUNCTION tdkt_record_row(p_op text, old_row jsonb, new_row jsonb, p_entity text, p_restricted boolean,
                                p_key_column text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ignored    text[] := ARRAY['search', 'version', 'created_at', 'updated_at', 'password_hash'];
    row_id     bigint := (coalesce(new_row, old_row) ->> 'id')::bigint;
    row_key    text := coalesce(new_row, old_row) ->> p_key_column;
    action     text := CASE p_op WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
    diff       jsonb;
BEGIN
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('old', old_row -> k, 'new', new_row -> k)), '{}')
      INTO diff
      FROM (SELECT jsonb_object_keys(coalesce(old_row, '{}') || coalesce(new_row, '{}')) AS k) AS keys
     WHERE k <> ALL (ignored) AND (old_row -> k) IS DISTINCT FROM (new_row -> k);
    -- a password is never recorded, only that it changed (a re-hash at login keeps the version)
    IF p_op = 'UPDATE' AND old_row ? 'password_hash'
       AND old_row ->> 'password_hash' IS DISTINCT FROM new_row ->> 'password_hash'
       AND old_row ->> 'version' IS DISTINCT FROM new_row ->> 'version' THEN
        diff := diff || '{"password": {"changed": true}}';
    END IF;
    IF p_op = 'UPDATE' AND diff = '{}' THEN
        RETURN;
    END IF;
    INSERT INTO audit_log (actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id)
    VALUES (nullif(current_setting('tdkt.actor_id', true), '')::bigint,
            coalesce(nullif(current_setting('tdkt.actor_role', true), ''), 'system'),
            nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint,
            action, p_entity, row_id, diff, nullif(current_setting('tdkt.request_id', true), ''));
    PERFORM tdkt_feed_append(p_entity, row_id, action, p_restricted, row_key, NULL);
END
$$;

CREATE OR REPLACE FUNCTION tdkt_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    visibility text := coalesce(TG_ARGV[1], 'public');
    old_row    jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row    jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
BEGIN
    PERFORM tdkt_record_row(TG_OP, old_row, new_row, TG_ARGV[0],
        visibility = 'admin' OR (visibility = 'drafts' AND coalesce(new_row, old_row) ->> 'status' IN ('draft', 'returned')),
        coalesce(TG_ARGV[2], 'id'));
    RETURN NULL;
END
$$;

-- Is a dossier (and are its nominees) hidden from the change feed's integrations: not everybody's
-- (a draft, returned, withdrawn unsent; tdkt_dossier_visible above)
CREATE FUNCTION tdkt_dossier_hidden(p_status text, p_submitted timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_status IN ('draft', 'returned') OR (p_status = 'withdrawn' AND p_submitted IS NULL)
$$;

-- A row of a dossier (a nominee here; its documents, sql/0026) changes restricted (admins alone
-- see it in the feed) while its dossier is hidden or gone (a draft deleted with its rows). One
-- trigger function for every kind of a dossier's rows, the entity its argument.
CREATE FUNCTION tdkt_dossier_row_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row  jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    d        dossiers%ROWTYPE;
BEGIN
    SELECT * INTO d FROM dossiers WHERE id = (coalesce(new_row, old_row) ->> 'dossier_id')::bigint;
    PERFORM tdkt_record_row(TG_OP, old_row, new_row, TG_ARGV[0], d.id IS NULL OR tdkt_dossier_hidden(d.status, d.submitted_at),
                            'id');
    RETURN NULL;
END
$$;
CREATE TRIGGER proposals_record_change AFTER INSERT OR UPDATE OR DELETE ON proposals
    FOR EACH ROW EXECUTE FUNCTION tdkt_dossier_row_record_change('proposal');

-- A dossier's change is restricted while it is hidden (a withdrawn unsent one too). Its nominees
-- reach integrations when it is sent: submit stores their eligibility after the dossier moves
-- (api/dossiers.c, after_action), so those updates are everybody's.
CREATE FUNCTION tdkt_dossier_record_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row  jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
BEGIN
    PERFORM tdkt_record_row(TG_OP, old_row, new_row, 'dossier',
        tdkt_dossier_hidden(coalesce(new_row, old_row) ->> 'status', (coalesce(new_row, old_row) ->> 'submitted_at')::timestamptz),
        'id');
    RETURN NULL;
END
$$;
CREATE TRIGGER dossiers_record_change AFTER INSERT OR UPDATE OR DELETE ON dossiers
    FOR EACH ROW EXECUTE FUNCTION tdkt_dossier_record_change();

-- Awards granted by decisions (source 'decision') join the record; a cancelled decision's awards
-- stay, revoked, and stop counting as evidence. Households (hộ gia đình) receive awards too.
ALTER TABLE awards
    ADD COLUMN recipient_household jsonb,
    ADD COLUMN revoked_on date,
    ADD COLUMN revocation_reason text,
    DROP CONSTRAINT awards_one_recipient,
    ADD CONSTRAINT awards_one_recipient CHECK (num_nonnulls(recipient_unit_id, recipient_person_id, recipient_household) = 1),
    ADD CONSTRAINT awards_household_shape CHECK (jsonb_typeof(recipient_household) = 'object'
        AND recipient_household ?& ARRAY['name', 'address']),
    ADD CONSTRAINT awards_revoked_complete CHECK ((revoked_on IS NULL) = (revocation_reason IS NULL)),
    ADD CONSTRAINT awards_revocation_reason_length CHECK (char_length(revocation_reason) BETWEEN 1 AND 2000),
    ADD CONSTRAINT awards_decision_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;
DROP INDEX awards_once;
CREATE UNIQUE INDEX awards_once ON awards (award_kind_code, year, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(recipient_household ->> 'name', ''), coalesce(decision_number, ''));
CREATE INDEX awards_revoked_idx ON awards (id) WHERE revoked_on IS NOT NULL;

-- Public comments on nominees in notice (no token). Stored with the client's address, which also
-- limits how often one address may comment (the count is read here, so every instance sees it).
-- Read by the approving authority only: never public, never in the change feed.
CREATE TABLE proposal_feedback (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id  bigint NOT NULL,
    name         text,
    contact      text,
    content      text NOT NULL,
    client       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT proposal_feedback_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT proposal_feedback_contact_length CHECK (char_length(contact) BETWEEN 1 AND 200),
    CONSTRAINT proposal_feedback_content_length CHECK (char_length(content) BETWEEN 1 AND 4000),
    CONSTRAINT proposal_feedback_client_length CHECK (char_length(client) BETWEEN 1 AND 64),
    CONSTRAINT proposal_feedback_proposal_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id) ON DELETE CASCADE
);
CREATE INDEX proposal_feedback_proposal_idx ON proposal_feedback (proposal_id, id);
CREATE INDEX proposal_feedback_client_idx ON proposal_feedback (client, created_at);
