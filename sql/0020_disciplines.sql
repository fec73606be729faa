-- Disciplines (kỷ luật) of people: a fact the eligibility rules read (issue 13, `no_discipline`).
-- Personal data: readable and written only by authorities whose subtree holds the person's unit,
-- and by admins — by the descriptor's scope in C (api/disciplines.c) and again here, by row-level
-- security with FORCE. Never public, never inline in the change feed (every change is restricted
-- to admins there and its `current` is null even for them), and every read is recorded in the
-- audit trail as action 'read' (tdkt_record_read, called by the engine on the read's own
-- transaction, before the answer is sent).
--
-- `level`, lightest first, follows the forms of Luật Cán bộ, công chức 2008 (22/2008/QH12, amended
-- by 52/2019/QH14) Điều 79 for công chức — khiển trách (reprimand), cảnh cáo (warning), hạ bậc
-- lương / giáng chức (demotion: the two kept as one level), cách chức (removal), buộc thôi việc
-- (dismissal); Điều 78 for cán bộ lists khiển trách, cảnh cáo, cách chức, bãi nhiệm (bãi nhiệm not
-- kept here). TO BE CHECKED against the official texts, and against Luật Cán bộ, công chức 2025
-- (80/2025/QH15), which was not read: the list was taken from published excerpts of the 2008 law.
-- `pending`: a discipline under consideration (đang bị xem xét kỷ luật), which Nghị định 152/2025
-- counts against a proposal as an imposed one does.

-- a read of personal data is an audit entry too: action 'read', `changes` {"ids": [...], "query": "..."};
-- a page of a list reads many rows, so its entry names no single entity_id
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN ('create', 'update', 'delete', 'read'));
ALTER TABLE audit_log ALTER COLUMN entity_id DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_id_read CHECK (entity_id IS NOT NULL OR action = 'read');

-- One read recorded: who (the transaction's caller, as the audit trigger reads it), the entity,
-- the row of a by-id read (p_id) or NULL for a page, and the ids answered. Never in the change feed.
CREATE FUNCTION tdkt_record_read(p_entity text, p_id bigint, p_ids bigint[], p_query text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, actor_role, actor_unit_id, action, entity, entity_id, changes, request_id)
    VALUES (nullif(current_setting('tdkt.actor_id', true), '')::bigint,
            coalesce(nullif(current_setting('tdkt.actor_role', true), ''), 'system'),
            nullif(current_setting('tdkt.actor_unit_id', true), '')::bigint,
            'read', p_entity, p_id,
            jsonb_build_object('ids', to_jsonb(coalesce(p_ids, '{}'::bigint[])), 'query', coalesce(p_query, '')),
            nullif(current_setting('tdkt.request_id', true), ''));
END
$$;

CREATE TABLE disciplines (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id        bigint NOT NULL,
    level            text NOT NULL,
    decided_on       date NOT NULL,
    effective_from   date NOT NULL,
    effective_to     date,
    decision_number  text NOT NULL,
    pending          boolean NOT NULL DEFAULT false,
    note             text,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT disciplines_level_check CHECK (level IN ('reprimand', 'warning', 'demotion', 'removal', 'dismissal')),
    CONSTRAINT disciplines_period CHECK (effective_to >= effective_from),
    CONSTRAINT disciplines_decision_number_length CHECK (char_length(decision_number) BETWEEN 1 AND 64),
    CONSTRAINT disciplines_note_length CHECK (char_length(note) <= 2000),
    CONSTRAINT disciplines_person_fkey FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE RESTRICT
);
-- the filters (person_id, level, pending) in keyset order; person_id serves the foreign key too
CREATE INDEX disciplines_person_idx ON disciplines (person_id, id);
CREATE INDEX disciplines_level_idx ON disciplines (level, id);
CREATE INDEX disciplines_pending_idx ON disciplines (pending, id);

-- every change restricted: admins alone see it in the feed, and without its data (api/crud.c)
CREATE TRIGGER disciplines_record_change AFTER INSERT OR UPDATE OR DELETE ON disciplines
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('discipline', 'admin');

-- Does the caller reach the disciplines of `person`: admins and the system always; an authority
-- whose unit's subtree holds the person's unit; nobody else (officers, viewers, integrations).
CREATE FUNCTION tdkt_actor_disciplines(person bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    -- tdkt_actor_reaches answers for admins, the system and the tree; of the other roles,
    -- authorities alone may see disciplines
    RETURN coalesce(current_setting('tdkt.actor_role', true), '') IN ('admin', 'system', 'authority')
       AND tdkt_actor_reaches((SELECT p.unit_id FROM people p WHERE p.id = person));
END
$$;

ALTER TABLE disciplines ENABLE ROW LEVEL SECURITY;
ALTER TABLE disciplines FORCE ROW LEVEL SECURITY;
CREATE POLICY disciplines_read ON disciplines FOR SELECT USING (tdkt_actor_disciplines(person_id));
CREATE POLICY disciplines_insert ON disciplines FOR INSERT WITH CHECK (tdkt_actor_disciplines(person_id));
CREATE POLICY disciplines_update ON disciplines FOR UPDATE
    USING (tdkt_actor_disciplines(person_id)) WITH CHECK (tdkt_actor_disciplines(person_id));
CREATE POLICY disciplines_delete ON disciplines FOR DELETE USING (tdkt_actor_disciplines(person_id));
