-- The award kinds' eligibility rules as rule VERSIONS (issue 13; API.md "Award kinds"):
--   rules = [{effective_from, effective_to, legal_basis, source_checked, expr}, …]
-- versions of one kind never overlapping, `expr` a tree of the rule language (api/rule_expr.c).
--
-- For every kind, whatever its `rules` hold now (the seed of sql/0011, or an admin's edits since):
--  1. the old per-type rules {type, params, effective_from, effective_to, legal_basis} become ONE
--     ended version: from the earliest effective_from (or 2024-01-01) to 2026-11-30, the day before
--     the corrected versions start; legal_basis the old rules' bases joined; source_checked false;
--     expr all_of the old rules as leaves. A kind without old rules (Giấy khen) gets no ended
--     version. An old type that the new language also knows (initiative_recognized, quota_pct,
--     public_notice, not_twice) meant something else with other params (window_years, a quota
--     without its denominator, a notice without who and before what, "same kind, same year"):
--     kept as "legacy_<type>" with its params, so that it is unknown to the new checker too and
--     evaluates to null like consecutive_titles, same_year_title and vote_share, instead of being
--     refused by the checker (a PATCH carrying the ended version would be a 422) or read with the
--     new meaning. The old rules as they were stay in the audit trail (this is an UPDATE).
--  2. the corrected version from 2026-12-01 (effective_to null), after the findings of issue 13.
--     Those findings come from PUBLISHED EXCERPTS of Luật Thi đua, khen thưởng 06/2022/QH15,
--     Nghị định 98/2023/NĐ-CP and Nghị định 152/2025/NĐ-CP, not from the official texts, and no
--     official text was read for this migration either: every corrected version is
--     source_checked false, and each legal_basis says "excerpt" and what is to confirm. A
--     criterion the build cannot check, or that no excerpt at hand states, is a leaf of a type
--     the build does not know, named for what is to be checked, its params saying what to read:
--     eligibility answers null for it, never a silent pass. README "Seeded eligibility rules
--     (issue 13)" lists every rule still to read against the official text.
-- Kinds whose `rules` already hold versions (an element with `expr`) are left as they are.
--
-- Choices the texts read do not settle (see the comments at each kind):
--  - `offset` of title_in_years: 0 (the window ends in the proposal's year) for everything but
--    Chiến sĩ thi đua toàn quốc, which has 1 (the window ends the year before).
--  - the scope "bộ, ban, ngành, tỉnh" is min_scope `sector` (scopes rank unit < sector < province
--    < national, so a province-wide or nationwide recognition passes too).
--  - no_discipline: min_level reprimand (any discipline) over the window of the title.
--  - not_twice on every kind (Luật 2022, Điều 5 khoản 2: one achievement, not twice nor by two
--    forms; one form may reward one subject many times). No quota anywhere: a quota is a unit's
--    own regulation (quota_pct), never the law's unless an article says so.
--  - public_notice only on the orders (Huân chương Lao động): Nghị định 98/2023 Điều 46 khoản 2
--    asks it of the proposer of orders and state honorary titles, 10 working days before its
--    council meets. Chiến sĩ thi đua, Cờ thi đua and Bằng khen carry none.

CREATE FUNCTION pg_temp.ended_version(rules jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH old AS (
        SELECT r, n FROM jsonb_array_elements(rules) WITH ORDINALITY AS e(r, n)
         WHERE jsonb_typeof(r) = 'object' AND NOT r ? 'expr'
    ), bases AS (
        SELECT nullif(btrim(r ->> 'legal_basis'), '') AS basis, min(n) AS first
          FROM old GROUP BY 1
    )
    SELECT CASE WHEN NOT EXISTS (SELECT FROM old) THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
        'effective_from', (SELECT least(coalesce(min(r ->> 'effective_from'), '2024-01-01'), '2026-11-30') FROM old),
        'effective_to', '2026-11-30',
        'legal_basis', left(coalesce((SELECT string_agg(basis, '; ' ORDER BY first) FROM bases WHERE basis IS NOT NULL),
                                     'none given'), 300),
        'source_checked', false,
        'expr', jsonb_build_object('type', 'all_of', 'items', (
            SELECT jsonb_agg(jsonb_build_object(
                       'type', CASE WHEN r ->> 'type' IN ('all_of', 'any_of', 'title_in_years', 'rating_in_years',
                                   'award_then_years', 'initiative_recognized', 'members_share', 'member_has',
                                   'leads_cluster', 'no_discipline', 'council_vote', 'quota_pct', 'public_notice',
                                   'not_twice')
                                    THEN left('legacy_' || (r ->> 'type'), 48) ELSE r ->> 'type' END,
                       'params', CASE WHEN jsonb_typeof(r -> 'params') = 'object' THEN r -> 'params' ELSE '{}' END)
                   ORDER BY n)
              FROM old))))
    END
$$;

-- the corrected versions, in force from 2026-12-01
CREATE TEMP TABLE corrected_rules (code text COLLATE "C" PRIMARY KEY, legal_basis text NOT NULL, expr jsonb NOT NULL)
    ON COMMIT DROP;
INSERT INTO corrected_rules (code, legal_basis, expr) VALUES

-- Lao động tiên tiến: rated at least "hoàn thành tốt" that year. The seed's basis (Điều 24, given
-- for not_twice) is the article of the criteria.
('lao_dong_tien_tien',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 24 (rated at least hoàn thành tốt; clause to confirm); Điều 5 khoản 2 (not_twice). From published excerpts: to confirm against the official text',
 '{"type": "all_of", "items": [
    {"type": "rating_in_years", "params": {"min_rating": "good", "years": 1, "min_count": 1, "consecutive": false, "offset": 0}},
    {"type": "not_twice", "params": {}}]}'),

-- Chiến sĩ thi đua cơ sở: Lao động tiên tiến AND ONE OF hoàn thành xuất sắc, a recognised
-- initiative, an accepted scientific project, combat ingenuity (the seed required the initiative).
-- No quota: the 15 % came from the repealed Nghị định 91/2017.
('chien_si_thi_dua_co_so',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 23 (Lao động tiên tiến and one of: hoàn thành xuất sắc, initiative, scientific project, combat ingenuity; clause and points to confirm); Điều 5 khoản 2 (not_twice). No quota in the law. From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "title_in_years", "params": {"kind": "lao_dong_tien_tien", "years": 1, "min_count": 1, "consecutive": false, "offset": 0}},
    {"type": "any_of", "items": [
       {"type": "rating_in_years", "params": {"min_rating": "excellent", "years": 1, "min_count": 1, "consecutive": false, "offset": 0}},
       {"type": "initiative_recognized", "params": {"min_scope": "unit", "count": 1, "years": 1}},
       {"type": "scientific_project_accepted", "params": {"min_scope": "unit", "years": 1}},
       {"type": "combat_ingenuity", "params": {"recognized_by": "unit", "years": 1}}]},
    {"type": "not_twice", "params": {}}]}'),

-- Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh: 3 consecutive Chiến sĩ thi đua cơ sở, with an
-- initiative (or project, or combat ingenuity) of bộ/tỉnh scope in those 3 years (as the seed had,
-- the issue not disputing it), no discipline over them.
-- offset 0: the window of 3 years ends IN the proposal's year. The texts read do not settle it;
-- the nearest found, under repealed texts, says "the year of the third Chiến sĩ thi đua cơ sở"
-- (Bộ Công Thương's guidance under Nghị định 42/2010): the grassroots title of year N is decided
-- in the same year-end round, before the dossier for the higher title goes up. offset 1 would
-- refuse every such proposal for a year; if the official text says "năm liền kề" (the next
-- year), add a version with offset 1.
('chien_si_thi_dua_bo_nganh_tinh',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 22 (3 consecutive Chiến sĩ thi đua cơ sở; initiative of bộ/tỉnh scope; clause to confirm); Nghị định 152/2025/NĐ-CP (no_discipline; article to confirm); Điều 5 khoản 2 (not_twice). Offset 0 is a choice. From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 3, "min_count": 3, "consecutive": true, "offset": 0}},
    {"type": "any_of", "items": [
       {"type": "initiative_recognized", "params": {"min_scope": "sector", "count": 1, "years": 3}},
       {"type": "scientific_project_accepted", "params": {"min_scope": "sector", "years": 3}},
       {"type": "combat_ingenuity", "params": {"recognized_by": "sector", "years": 3}}]},
    {"type": "no_discipline", "params": {"min_level": "reprimand", "years": 3}},
    {"type": "not_twice", "params": {}}]}'),

-- Chiến sĩ thi đua toàn quốc: 2 consecutive Chiến sĩ thi đua cấp bộ/tỉnh. Each of those takes 3
-- consecutive grassroots titles, so "2 consecutive" is 2 of them within 6 years with the 6
-- grassroots titles unbroken (title_in_years counts calendar years: "2 in 2 consecutive years"
-- would ask what cannot happen). Initiative of nationwide scope in those years.
-- offset 1: the window ends the year BEFORE the proposal's. The texts read do not settle it; the
-- nearest found (Thông tư 151/2018/TT-BQP, Điều 12 khoản 1 điểm b, under the 2003 law) has the
-- national title considered "the year right after" the second higher title, which is itself
-- decided by the bộ/tỉnh after the year-end round: a proposal in year N rests on the titles of
-- N-6 … N-1. If the official text says otherwise, add a version with offset 0.
('chien_si_thi_dua_toan_quoc',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 21 (2 consecutive Chiến sĩ thi đua cấp bộ/tỉnh; initiative of nationwide scope; clause to confirm); Nghị định 152/2025/NĐ-CP (no_discipline; article to confirm); Điều 5 khoản 2 (not_twice). Offset 1 is a choice. From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_bo_nganh_tinh", "years": 6, "min_count": 2, "consecutive": false, "offset": 1}},
    {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 6, "min_count": 6, "consecutive": true, "offset": 1}},
    {"type": "any_of", "items": [
       {"type": "initiative_recognized", "params": {"min_scope": "national", "count": 1, "years": 6}},
       {"type": "scientific_project_accepted", "params": {"min_scope": "national", "years": 6}},
       {"type": "combat_ingenuity", "params": {"recognized_by": "national", "years": 6}}]},
    {"type": "no_discipline", "params": {"min_level": "reprimand", "years": 6}},
    {"type": "not_twice", "params": {}}]}'),

-- Tập thể lao động tiên tiến: no excerpt at hand states its criteria.
('tap_the_lao_dong_tien_tien',
 'Luật Thi đua, khen thưởng 06/2022/QH15, article of Tập thể lao động tiên tiến (number and criteria not read: to confirm); Điều 5 khoản 2 (not_twice). Criteria unchecked until read',
 '{"type": "all_of", "items": [
    {"type": "tap_the_tien_tien_criteria", "params": {"to_read": "Luật 2022, the article of Tập thể lao động tiên tiến: the collective''s task completion, the share of its members who are Lao động tiên tiến, their discipline"}},
    {"type": "not_twice", "params": {}}]}'),

-- Tập thể lao động xuất sắc: ≥ 70 % Lao động tiên tiến, 100 % complete their tasks, at least one
-- Chiến sĩ thi đua cơ sở (issue 13); the rest of its criteria not read.
('tap_the_lao_dong_xuat_sac',
 'Luật Thi đua, khen thưởng 06/2022/QH15, article of Tập thể lao động xuất sắc (number and clause to confirm): ≥ 70 % Lao động tiên tiến, 100 % complete, one Chiến sĩ thi đua cơ sở; Điều 5 khoản 2 (not_twice). From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "members_share", "params": {"kind": "lao_dong_tien_tien", "min_pct": 70}},
    {"type": "members_share", "params": {"min_rating": "complete", "min_pct": 100}},
    {"type": "member_has", "params": {"kind": "chien_si_thi_dua_co_so"}},
    {"type": "tap_the_xuat_sac_other_criteria", "params": {"to_read": "the rest of the article: the collective''s own hoàn thành xuất sắc, its members'' discipline, …"}},
    {"type": "not_twice", "params": {}}]}'),

-- Cờ thi đua cấp bộ, ban, ngành, tỉnh: no vote share (none found in the law). Leading a cluster or
-- block of the bộ/tỉnh as one case, as for the Government's (Điều 25): to confirm for this article.
('co_thi_dua_bo_nganh_tinh',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26 (cases: clause and points to confirm; leads_cluster read by analogy with Điều 25); Điều 5 khoản 2 (not_twice). No vote share in the law. From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "any_of", "items": [
       {"type": "leads_cluster", "params": {"roles": ["leader"]}},
       {"type": "co_bo_tinh_other_cases", "params": {"to_read": "Luật 2022, Điều 26: the other cases (exemplary collective of the bộ/tỉnh, targets exceeded, …)"}}]},
    {"type": "not_twice", "params": {}}]}'),

-- Cờ thi đua của Chính phủ (Điều 25): leading a bộ/tỉnh emulation cluster or block, exceeding
-- targets, among other cases: leads_cluster, not a vote share.
('co_thi_dua_chinh_phu',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 25 (leading a bộ/tỉnh cluster or block, exceeding targets, other cases; clause and points to confirm); Điều 5 khoản 2 (not_twice). No vote share in the law. From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "any_of", "items": [
       {"type": "leads_cluster", "params": {"roles": ["leader"]}},
       {"type": "targets_exceeded_exemplary", "params": {"to_read": "Luật 2022, Điều 25: targets and tasks exceeded, exemplary nationwide"}},
       {"type": "co_chinh_phu_other_cases", "params": {"to_read": "Luật 2022, Điều 25: the other cases"}}]},
    {"type": "not_twice", "params": {}}]}'),

-- Giấy khen: no excerpt at hand states its criteria (the seed had none). not_twice by
-- achievement lets two ad-hoc or thematic Giấy khen in one year through.
('giay_khen',
 'Luật Thi đua, khen thưởng 06/2022/QH15, article of Giấy khen (number and criteria not read: to confirm); Điều 5 khoản 2 (not_twice). Criteria unchecked until read',
 '{"type": "all_of", "items": [
    {"type": "giay_khen_criteria", "params": {"to_read": "Luật 2022, the article of Giấy khen: its criteria for individuals, collectives and households"}},
    {"type": "not_twice", "params": {}}]}'),

-- Bằng khen cấp bộ, ban, ngành, tỉnh (Điều 74), individuals: 2 consecutive Chiến sĩ thi đua cơ sở,
-- or ≥ 2 consecutive years hoàn thành xuất sắc with 2 grassroots initiatives; offset 0 as for the
-- grassroots titles it counts (see Chiến sĩ thi đua cấp bộ/tỉnh).
('bang_khen_bo_nganh_tinh',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 74 (individuals: 2 consecutive Chiến sĩ thi đua cơ sở, or 2 consecutive years hoàn thành xuất sắc with 2 initiatives; collectives and other cases; clause and points to confirm); Điều 5 khoản 2 (not_twice). From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "any_of", "items": [
       {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 2, "min_count": 2, "consecutive": true, "offset": 0}},
       {"type": "all_of", "items": [
          {"type": "rating_in_years", "params": {"min_rating": "excellent", "years": 2, "min_count": 2, "consecutive": true, "offset": 0}},
          {"type": "initiative_recognized", "params": {"min_scope": "unit", "count": 2, "years": 2}}]},
       {"type": "bang_khen_bo_tinh_other_cases", "params": {"to_read": "Luật 2022, Điều 74: the collectives'' criteria and the other cases (ad-hoc, thematic, …)"}}]},
    {"type": "not_twice", "params": {}}]}'),

-- Bằng khen của Thủ tướng Chính phủ (Điều 73): a bộ/tỉnh Bằng khen then ≥ 5 consecutive years
-- rated at least "tốt", with 3 Chiến sĩ thi đua cơ sở in that time (the last 5 years, offset 0),
-- among other cases. No public notice (not an order nor a state honorary title).
('bang_khen_thu_tuong',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 73 (a bộ/tỉnh Bằng khen, then 5 consecutive years rated at least tốt with 3 Chiến sĩ thi đua cơ sở; other cases; clause and points to confirm); Điều 5 khoản 2 (not_twice). From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "any_of", "items": [
       {"type": "all_of", "items": [
          {"type": "award_then_years", "params": {"kind": "bang_khen_bo_nganh_tinh", "min_years": 5, "min_rating": "good"}},
          {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 5, "min_count": 3, "consecutive": false, "offset": 0}}]},
       {"type": "bang_khen_thu_tuong_other_cases", "params": {"to_read": "Luật 2022, Điều 73: the collectives'' criteria and the other cases"}}]},
    {"type": "not_twice", "params": {}}]}'),

-- Huân chương Lao động hạng Ba (Điều 44): the Prime Minister's Bằng khen then ≥ 5 years … (the
-- excerpt is cut: the rating asked of those years and what else they need are to read; "good"
-- is the floor, so that this leaf cannot refuse wrongly, the leaf after it keeping the answer
-- null). An order: public notice by the proposer before its council meets.
('huan_chuong_lao_dong_hang_ba',
 'Luật Thi đua, khen thưởng 06/2022/QH15, Điều 44 (the Prime Minister''s Bằng khen then 5 years …; clause to confirm); Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2 (public_notice); Điều 5 khoản 2 (not_twice). From published excerpts: to confirm',
 '{"type": "all_of", "items": [
    {"type": "any_of", "items": [
       {"type": "all_of", "items": [
          {"type": "award_then_years", "params": {"kind": "bang_khen_thu_tuong", "min_years": 5, "min_rating": "good"}},
          {"type": "huan_chuong_hang_ba_remaining_criteria", "params": {"to_read": "Luật 2022, Điều 44: the rating asked of the 5 years and what else they need (the excerpt read is cut)"}}]},
       {"type": "huan_chuong_hang_ba_other_cases", "params": {"to_read": "Luật 2022, Điều 44: the collectives'' criteria and the other cases"}}]},
    {"type": "public_notice", "params": {"working_days": 10, "by": "proposer", "before": "council_meeting"}},
    {"type": "not_twice", "params": {}}]}'),

-- Huân chương Lao động hạng Nhì, hạng Nhất: no excerpt at hand. By the pattern of Điều 44, the
-- class below then 5 years …: to read. Orders: public notice as for hạng Ba.
('huan_chuong_lao_dong_hang_nhi',
 'Luật Thi đua, khen thưởng 06/2022/QH15, article of Huân chương Lao động hạng Nhì (number and criteria not read: to confirm); Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2 (public_notice); Điều 5 khoản 2 (not_twice). Criteria unchecked until read',
 '{"type": "all_of", "items": [
    {"type": "huan_chuong_hang_nhi_criteria", "params": {"to_read": "Luật 2022, the article of Huân chương Lao động hạng Nhì (expected by the pattern of Điều 44: hạng Ba, then years of ratings …)"}},
    {"type": "public_notice", "params": {"working_days": 10, "by": "proposer", "before": "council_meeting"}},
    {"type": "not_twice", "params": {}}]}'),
('huan_chuong_lao_dong_hang_nhat',
 'Luật Thi đua, khen thưởng 06/2022/QH15, article of Huân chương Lao động hạng Nhất (number and criteria not read: to confirm); Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2 (public_notice); Điều 5 khoản 2 (not_twice). Criteria unchecked until read',
 '{"type": "all_of", "items": [
    {"type": "huan_chuong_hang_nhat_criteria", "params": {"to_read": "Luật 2022, the article of Huân chương Lao động hạng Nhất (expected by the pattern of Điều 44: hạng Nhì, then years of ratings …)"}},
    {"type": "public_notice", "params": {"working_days": 10, "by": "proposer", "before": "council_meeting"}},
    {"type": "not_twice", "params": {}}]}');

-- One statement for all kinds: each row's change is in the audit trail (old → new) and the change
-- feed, as the actor 'system'; a kind whose rules do not change (no old rules, no corrected
-- version) keeps its version.
UPDATE award_kinds k
   SET rules = n.rules, version = k.version + 1, updated_at = now()
  FROM (SELECT a.code,
               pg_temp.ended_version(a.rules)
               || coalesce((SELECT jsonb_build_array(jsonb_build_object(
                                'effective_from', '2026-12-01', 'effective_to', NULL, 'legal_basis', c.legal_basis,
                                'source_checked', false, 'expr', c.expr))
                              FROM corrected_rules c WHERE c.code = a.code), '[]') AS rules
          FROM award_kinds a
         WHERE NOT jsonb_path_exists(a.rules, '$[*] ? (exists (@.expr))')) AS n
 WHERE n.code = k.code AND n.rules IS DISTINCT FROM k.rules;
