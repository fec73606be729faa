-- What an award rewards (issue 13; API.md "Award kinds", `not_twice`): its type and the period of
-- the achievement, so that one achievement is not rewarded twice or by two forms (Luật Thi đua,
-- khen thưởng 2022, Điều 5 khoản 2) while one form may reward one subject many times, and so that
-- ad-hoc and campaign awards are not evidence for a merit rule (Nghị định 152/2025). And a
-- recognised initiative's scope of effect (phạm vi ảnh hưởng), which the law has recognised apart
-- from the recognising level.
--   award_type  merit (công trạng) | campaign (theo phong trào, chuyên đề) | ad_hoc (đột xuất) |
--               dedication (cống hiến) | external (đối ngoại)
--   period_from, period_to  the years the achievement spans; both null: the award's own year
ALTER TABLE awards
    ADD COLUMN award_type text NOT NULL DEFAULT 'merit',
    ADD COLUMN period_from integer,
    ADD COLUMN period_to integer,
    ADD CONSTRAINT awards_type_check CHECK (award_type IN ('merit', 'campaign', 'ad_hoc', 'dedication', 'external')),
    ADD CONSTRAINT awards_period_both CHECK ((period_from IS NULL) = (period_to IS NULL)),
    ADD CONSTRAINT awards_period_order CHECK (period_from <= period_to AND period_from >= 1945 AND period_to <= year);
-- Every award on record so far was recorded from before the system as a merit award (the ADD
-- COLUMN's default): the only kind of record there was.
CREATE INDEX awards_type_idx ON awards (award_type, id);

ALTER TABLE initiatives
    ADD COLUMN recognized_scope text,
    ADD CONSTRAINT initiatives_scope_check CHECK (recognized_scope IN ('unit', 'sector', 'province', 'national')),
    ADD CONSTRAINT initiatives_scope_recognized CHECK (recognized_scope IS NULL OR status = 'recognized');
-- Recognitions made before: their scope was not asked, and is not guessed from the level (a
-- province may recognise nationwide effect): null, which eligibility reads as a missing fact.
