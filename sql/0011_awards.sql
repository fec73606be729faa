-- Award kinds (danh hiệu thi đua, hình thức khen thưởng) and the award record (khen thưởng).
--
-- The catalogue follows the Law on Emulation and Commendation 2022 (Luật Thi đua, khen thưởng
-- 06/2022/QH15, in force 2024-01-01) and Decree 98/2023/NĐ-CP. Its eligibility rules are data:
-- each kind carries a list of rules {type, params, effective_from, effective_to, legal_basis},
-- which admins edit when a decree changes, without a release. The service checks their shape
-- (api/award_kinds.c); proposals' eligibility will read them (it lands with proposals).
--
-- An award is one granted award on a unit's or a person's record: granted by a decision of the
-- system (source 'decision'), or recorded from before the system (source 'history') so that
-- eligibility has the years that came before.

CREATE TABLE award_kinds (
    id           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- for the audit trail and change feed
    code         text COLLATE "C" PRIMARY KEY,
    name         text NOT NULL,
    category     text NOT NULL,
    recipient    text NOT NULL,
    level        text NOT NULL,
    rules        jsonb NOT NULL DEFAULT '[]',
    description  text,
    search       tsvector GENERATED ALWAYS AS
                 (to_tsvector('simple', tdkt_fold(code || ' ' || name || ' ' || coalesce(description, '')))) STORED,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT award_kinds_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,47}$'),
    CONSTRAINT award_kinds_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT award_kinds_description_length CHECK (char_length(description) <= 2000),
    CONSTRAINT award_kinds_category_check CHECK (category IN ('title', 'commendation')),
    CONSTRAINT award_kinds_recipient_check CHECK (recipient IN ('individual', 'collective', 'any')),
    CONSTRAINT award_kinds_level_check CHECK (level IN ('grassroots', 'provincial', 'national')),
    CONSTRAINT award_kinds_rules_array CHECK (jsonb_typeof(rules) = 'array')
);
CREATE INDEX award_kinds_category_idx ON award_kinds (category, code);
CREATE INDEX award_kinds_recipient_idx ON award_kinds (recipient, code);
CREATE INDEX award_kinds_level_idx ON award_kinds (level, code);
CREATE INDEX award_kinds_search_idx ON award_kinds USING gin (search);

CREATE TRIGGER award_kinds_record_change AFTER INSERT OR UPDATE OR DELETE ON award_kinds
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('award_kind');

-- the rule texts, written once here
CREATE FUNCTION pg_temp.rule(type text, params jsonb, legal_basis text) RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_build_object('type', type, 'params', params, 'effective_from', '2024-01-01',
                              'effective_to', NULL, 'legal_basis', legal_basis)
$$;

INSERT INTO award_kinds (code, name, category, recipient, level, rules) VALUES
  ('lao_dong_tien_tien', 'Lao động tiên tiến', 'title', 'individual', 'grassroots', jsonb_build_array(
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 24'))),
  ('chien_si_thi_dua_co_so', 'Chiến sĩ thi đua cơ sở', 'title', 'individual', 'grassroots', jsonb_build_array(
     pg_temp.rule('same_year_title', '{"requires": "lao_dong_tien_tien"}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 23'),
     pg_temp.rule('initiative_recognized', '{"min_level": "grassroots", "window_years": 1}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 23'),
     pg_temp.rule('quota_pct', '{"pct": 15}', 'Nghị định 98/2023/NĐ-CP'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('chien_si_thi_dua_bo_nganh_tinh', 'Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh', 'title', 'individual', 'provincial', jsonb_build_array(
     pg_temp.rule('consecutive_titles', '{"requires": "chien_si_thi_dua_co_so", "years": 3}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 22'),
     pg_temp.rule('initiative_recognized', '{"min_level": "province", "window_years": 3}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 22'),
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('chien_si_thi_dua_toan_quoc', 'Chiến sĩ thi đua toàn quốc', 'title', 'individual', 'national', jsonb_build_array(
     pg_temp.rule('consecutive_titles', '{"requires": "chien_si_thi_dua_bo_nganh_tinh", "years": 2}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 21'),
     pg_temp.rule('initiative_recognized', '{"min_level": "national", "window_years": 6}', 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 21'),
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('tap_the_lao_dong_tien_tien', 'Tập thể lao động tiên tiến', 'title', 'collective', 'grassroots', jsonb_build_array(
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('tap_the_lao_dong_xuat_sac', 'Tập thể lao động xuất sắc', 'title', 'collective', 'provincial', jsonb_build_array(
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('co_thi_dua_bo_nganh_tinh', 'Cờ thi đua cấp bộ, ban, ngành, tỉnh', 'title', 'collective', 'provincial', jsonb_build_array(
     pg_temp.rule('vote_share', '{"pct": 50}', 'Luật Thi đua, khen thưởng 06/2022/QH15'),
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('co_thi_dua_chinh_phu', 'Cờ thi đua của Chính phủ', 'title', 'collective', 'national', jsonb_build_array(
     pg_temp.rule('vote_share', '{"pct": 50}', 'Luật Thi đua, khen thưởng 06/2022/QH15'),
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('giay_khen', 'Giấy khen', 'commendation', 'any', 'grassroots', '[]'),
  ('bang_khen_bo_nganh_tinh', 'Bằng khen cấp bộ, ban, ngành, tỉnh', 'commendation', 'any', 'provincial', jsonb_build_array(
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('bang_khen_thu_tuong', 'Bằng khen của Thủ tướng Chính phủ', 'commendation', 'any', 'national', jsonb_build_array(
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('huan_chuong_lao_dong_hang_ba', 'Huân chương Lao động hạng Ba', 'commendation', 'any', 'national', jsonb_build_array(
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('huan_chuong_lao_dong_hang_nhi', 'Huân chương Lao động hạng Nhì', 'commendation', 'any', 'national', jsonb_build_array(
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15'))),
  ('huan_chuong_lao_dong_hang_nhat', 'Huân chương Lao động hạng Nhất', 'commendation', 'any', 'national', jsonb_build_array(
     pg_temp.rule('public_notice', '{"working_days": 10}', 'Nghị định 98/2023/NĐ-CP, Điều 46'),
     pg_temp.rule('not_twice', '{}', 'Luật Thi đua, khen thưởng 06/2022/QH15')));

CREATE TABLE awards (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    award_kind_code      text COLLATE "C" NOT NULL,
    year                 integer NOT NULL,
    recipient_unit_id    bigint,
    recipient_person_id  bigint,
    decision_id          bigint,          -- the decision that granted it (decisions land later)
    decision_number      text,
    decided_on           date,
    issuing_unit_id      bigint,          -- null when the issuing body is outside the unit tree
    source               text NOT NULL DEFAULT 'history',
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT awards_year_range CHECK (year BETWEEN 1945 AND 2100),
    CONSTRAINT awards_one_recipient CHECK ((recipient_unit_id IS NULL) <> (recipient_person_id IS NULL)),
    CONSTRAINT awards_decision_number_length CHECK (char_length(decision_number) BETWEEN 1 AND 64),
    CONSTRAINT awards_decided_in_or_after_year CHECK (extract(year FROM decided_on) >= year),
    CONSTRAINT awards_source_check CHECK (source IN ('decision', 'history')),
    CONSTRAINT awards_source_decision CHECK ((source = 'decision') = (decision_id IS NOT NULL)),
    CONSTRAINT awards_kind_fkey FOREIGN KEY (award_kind_code) REFERENCES award_kinds (code) ON DELETE RESTRICT,
    CONSTRAINT awards_unit_fkey FOREIGN KEY (recipient_unit_id) REFERENCES units (id) ON DELETE RESTRICT,
    CONSTRAINT awards_person_fkey FOREIGN KEY (recipient_person_id) REFERENCES people (id) ON DELETE RESTRICT,
    CONSTRAINT awards_issuing_unit_fkey FOREIGN KEY (issuing_unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
-- one recipient is granted one kind once by one decision (and once per year from history without
-- a number): a re-imported record is a duplicate, not a second award
CREATE UNIQUE INDEX awards_once ON awards (award_kind_code, year, coalesce(recipient_unit_id, 0),
    coalesce(recipient_person_id, 0), coalesce(decision_number, ''));
CREATE INDEX awards_unit_idx ON awards (recipient_unit_id, id) WHERE recipient_unit_id IS NOT NULL;
CREATE INDEX awards_person_idx ON awards (recipient_person_id, id) WHERE recipient_person_id IS NOT NULL;
CREATE INDEX awards_year_idx ON awards (year, id);
CREATE INDEX awards_kind_idx ON awards (award_kind_code, id);
CREATE INDEX awards_issuing_unit_idx ON awards (issuing_unit_id, id) WHERE issuing_unit_id IS NOT NULL;
CREATE INDEX awards_decision_idx ON awards (decision_id) WHERE decision_id IS NOT NULL;

CREATE TRIGGER awards_record_change AFTER INSERT OR UPDATE OR DELETE ON awards
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('award');
