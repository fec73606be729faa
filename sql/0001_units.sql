-- Units (đơn vị): the organisation tree every other resource hangs from.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Accent- and case-folding for free-text search (q=thanh tra lang son finds "Thanh tra tỉnh
-- Lạng Sơn"). unaccent() is only STABLE because its dictionary could change; pinning the
-- dictionary makes this wrapper safe to declare IMMUTABLE, so it can feed an index.
CREATE FUNCTION tdkt_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize($1, NFC))) $$;

-- q as a full-text query: every word of q must begin a word of the text, in any order.
-- Words are cut at anything that is not a letter or digit, so no tsquery syntax gets through;
-- a q without any word gives NULL, which matches nothing.
CREATE FUNCTION tdkt_search_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT to_tsquery('simple', string_agg(quote_literal(w) || ':*', ' & '))
  FROM regexp_split_to_table(tdkt_fold($1), '[^[:alnum:]]+') AS w
  WHERE w <> ''
$$;

CREATE TABLE units (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL,
    name          text NOT NULL,
    short_name    text,
    kind          text NOT NULL,
    parent_id     bigint,
    province_code text,
    active        boolean NOT NULL DEFAULT true,
    search        tsvector GENERATED ALWAYS AS
                  (to_tsvector('simple', tdkt_fold(code || ' ' || name || ' ' || coalesce(short_name, '')))) STORED,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT units_code_key UNIQUE (code),
    CONSTRAINT units_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9.\-]{0,31}$'),
    CONSTRAINT units_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT units_short_name_length CHECK (char_length(short_name) BETWEEN 1 AND 100),
    CONSTRAINT units_kind_check CHECK (kind IN ('government_inspectorate', 'provincial_inspectorate',
        'sector_inspectorate', 'district_inspectorate', 'party_committee', 'internal_affairs_board',
        'mass_organization', 'agency', 'division', 'other')),
    CONSTRAINT units_province_code_format CHECK (province_code ~ '^[0-9]{2}$'),
    CONSTRAINT units_parent_fkey FOREIGN KEY (parent_id) REFERENCES units (id) ON DELETE RESTRICT
);

-- one index per list filter, each ending in id for the keyset order
CREATE INDEX units_parent_idx ON units (parent_id, id);
CREATE INDEX units_kind_idx ON units (kind, id);
CREATE INDEX units_province_idx ON units (province_code, id);
CREATE INDEX units_active_idx ON units (active, id);
CREATE INDEX units_search_idx ON units USING gin (search);

-- No cycles, enforced in the database so that two concurrent moves cannot build one together:
-- tree changes take one transaction-scoped lock, then walk the new parent's ancestors.
CREATE FUNCTION units_refuse_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('tdkt.units.tree'));
    IF EXISTS (
        WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM units WHERE id = NEW.parent_id
            UNION ALL
            SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id
            WHERE up.depth < 1000
        )
        SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'unit % cannot be placed under itself or its descendant', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'units_parent_no_cycle';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER units_parent_no_cycle
    BEFORE UPDATE OF parent_id ON units
    FOR EACH ROW WHEN (NEW.parent_id IS DISTINCT FROM OLD.parent_id AND NEW.parent_id IS NOT NULL)
    EXECUTE FUNCTION units_refuse_cycle();
