-- Ratings (đánh giá, xếp loại): the yearly assessment of a person or a unit — hoàn thành xuất sắc
-- nhiệm vụ, hoàn thành tốt, hoàn thành, không hoàn thành — that the law's criteria read (API.md
-- "Ratings and discipline"; issue 13: `rating_in_years`, `award_then_years`, `members_share`).
-- One per subject and year. Written by officers of the subject's unit (a person's unit, or the
-- unit itself) and the authorities above it, one by one (source 'manual') or in a batch
-- (POST /v1/ratings/batch, source 'import'); read by everyone authenticated: a rating is not
-- personal data in API.md's sense (disciplines are).

CREATE TABLE ratings (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id         bigint,
    unit_id           bigint,
    year              integer NOT NULL,
    rating            text NOT NULL,
    rated_by_unit_id  bigint NOT NULL,     -- the subject's unit or one above it (checked in C)
    source            text NOT NULL DEFAULT 'manual',
    note              text,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- exactly one of person_id and unit_id is null, so (person_id, unit_id, year) with nulls equal
    -- is one rating per subject and year, and one arbiter for a batch's upsert of both kinds
    CONSTRAINT ratings_once UNIQUE NULLS NOT DISTINCT (person_id, unit_id, year),
    CONSTRAINT ratings_one_subject CHECK ((person_id IS NULL) <> (unit_id IS NULL)),
    CONSTRAINT ratings_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT ratings_rating_check CHECK (rating IN ('excellent', 'good', 'complete', 'incomplete')),
    CONSTRAINT ratings_source_check CHECK (source IN ('manual', 'import')),
    CONSTRAINT ratings_note_length CHECK (char_length(note) <= 2000),
    CONSTRAINT ratings_person_fkey FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE RESTRICT,
    CONSTRAINT ratings_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT ratings_rated_by_unit_fkey FOREIGN KEY (rated_by_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
-- every filter and foreign key, in the lists' keyset order; a subject's years (eligibility's
-- windows) are ratings_once's: (person_id, NULL, year) and (NULL, unit_id, year)
CREATE INDEX ratings_person_idx ON ratings (person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX ratings_unit_idx ON ratings (unit_id, id) WHERE unit_id IS NOT NULL;
CREATE INDEX ratings_year_idx ON ratings (year, id);
CREATE INDEX ratings_rating_idx ON ratings (rating, id);
CREATE INDEX ratings_rated_by_unit_idx ON ratings (rated_by_unit_id, id);

CREATE TRIGGER ratings_record_change AFTER INSERT OR UPDATE OR DELETE ON ratings
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('rating');
