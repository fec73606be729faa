-- People (cá nhân): individuals who can be commended. Name and position only: no other
-- personal data is kept.

CREATE TABLE people (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL,
    full_name   text NOT NULL,
    position    text,
    active      boolean NOT NULL DEFAULT true,
    search      tsvector GENERATED ALWAYS AS
                (to_tsvector('simple', tdkt_fold(full_name || ' ' || coalesce(position, '')))) STORED,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT people_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 200),
    CONSTRAINT people_position_length CHECK (char_length(position) BETWEEN 1 AND 200),
    CONSTRAINT people_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX people_unit_idx ON people (unit_id, id);
CREATE INDEX people_active_idx ON people (active, id);
CREATE INDEX people_search_idx ON people USING gin (search);

CREATE TRIGGER people_record_change AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('person');
