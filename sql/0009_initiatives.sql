-- Initiatives (mô hình, sáng kiến): e.g. a "Dân vận khéo" model a unit registers in a campaign
-- and an authority recognises at some level.

CREATE TABLE initiatives (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id            bigint NOT NULL,
    unit_id                bigint NOT NULL,
    person_id              bigint,
    title                  text NOT NULL,
    field                  text NOT NULL,
    year                   integer NOT NULL,
    description            text,
    status                 text NOT NULL DEFAULT 'registered',
    recognized_level       text,
    recognized_on          date,
    recognized_by_unit_id  bigint,
    search                 tsvector GENERATED ALWAYS AS
                           (to_tsvector('simple', tdkt_fold(title || ' ' || coalesce(description, '')))) STORED,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT initiatives_title_length CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT initiatives_description_length CHECK (char_length(description) <= 4000),
    CONSTRAINT initiatives_year_range CHECK (year BETWEEN 2000 AND 2100),
    CONSTRAINT initiatives_field_check CHECK (field IN ('new_rural_development', 'administrative_reform',
        'front_and_mass_organizations', 'party_and_government_building', 'economy', 'culture_society',
        'defense_security', 'other')),
    CONSTRAINT initiatives_status_check CHECK (status IN ('registered', 'recognized', 'not_recognized')),
    CONSTRAINT initiatives_level_check CHECK (recognized_level IN ('grassroots', 'district', 'province', 'national')),
    CONSTRAINT initiatives_recognition CHECK ((status = 'recognized') =
        (recognized_level IS NOT NULL AND recognized_on IS NOT NULL AND recognized_by_unit_id IS NOT NULL)),
    CONSTRAINT initiatives_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE RESTRICT,
    CONSTRAINT initiatives_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT initiatives_person_fkey FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE RESTRICT,
    CONSTRAINT initiatives_recognized_by_fkey FOREIGN KEY (recognized_by_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
CREATE INDEX initiatives_campaign_idx ON initiatives (campaign_id, id);
CREATE INDEX initiatives_unit_idx ON initiatives (unit_id, id);
CREATE INDEX initiatives_field_idx ON initiatives (field, id);
CREATE INDEX initiatives_status_idx ON initiatives (status, id);
CREATE INDEX initiatives_year_idx ON initiatives (year, id);
CREATE INDEX initiatives_search_idx ON initiatives USING gin (search);

CREATE TRIGGER initiatives_record_change AFTER INSERT OR UPDATE OR DELETE ON initiatives
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('initiative');
