-- Eligibility on the demo (issue 13): two officers of Thanh tra tỉnh Lạng Sơn, both invented and
-- named so ("giả định" — no article names them or their awards), checked for Chiến sĩ thi đua cấp
-- bộ, ngành, tỉnh in 2026 against the corrected rules of sql/0022 (3 consecutive Chiến sĩ thi đua
-- cơ sở ending in the proposal's year, an initiative of at least sector-wide effect in those
-- years, no discipline):
--   Cán bộ thi đua A (giả định): Chiến sĩ thi đua cơ sở 2024, 2025 and 2026, an initiative of
--     province-wide effect recognised in 2025 — eligible (for a caller who may read disciplines:
--     she has none);
--   Cán bộ thi đua B (giả định): Chiến sĩ thi đua cơ sở 2024 and 2026, not 2025 — not eligible:
--     the three years are not consecutive.
-- Every award, date, decision number and the initiative are assumptions. The initiative is
-- recognised by Thanh tra Chính phủ at level 'province', which is cấp bộ, ngành, tỉnh: the level a
-- ministry-level body recognises at. Idempotent.
INSERT INTO people (unit_id, full_name, position)
SELECT u.id, v.full_name, 'Thanh tra viên (giả định)'
FROM (VALUES ('Cán bộ thi đua A (giả định)'), ('Cán bộ thi đua B (giả định)')) AS v(full_name)
JOIN units u ON u.code = 'TT-LSN'
WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.full_name = v.full_name);

INSERT INTO awards (award_kind_code, year, recipient_person_id, decision_number, decided_on, issuing_unit_id, source, award_type)
SELECT 'chien_si_thi_dua_co_so', v.year, p.id, v.year || '/QĐ-TTLS (giả định)', make_date(v.year, 11, 20), u.id, 'history', 'merit'
FROM (VALUES ('Cán bộ thi đua A (giả định)', 2024), ('Cán bộ thi đua A (giả định)', 2025), ('Cán bộ thi đua A (giả định)', 2026),
             ('Cán bộ thi đua B (giả định)', 2024), ('Cán bộ thi đua B (giả định)', 2026)) AS v(full_name, year)
JOIN people p ON p.full_name = v.full_name
JOIN units u ON u.code = 'TT-LSN'
ON CONFLICT DO NOTHING;

INSERT INTO initiatives (campaign_id, unit_id, person_id, title, field, year, status, recognized_level, recognized_on,
                         recognized_by_unit_id, recognized_scope)
SELECT c.id, p.unit_id, p.id, 'Số hóa hồ sơ tiếp công dân (giả định)', 'administrative_reform', 2025, 'recognized',
       'province', '2025-11-15', t.id, 'province'
FROM people p, units t, (SELECT id FROM campaigns WHERE code LIKE 'TTCP-DEMO-%' ORDER BY id LIMIT 1) c
WHERE p.full_name = 'Cán bộ thi đua A (giả định)' AND t.code = 'TTCP'
  AND NOT EXISTS (SELECT 1 FROM initiatives i WHERE i.person_id = p.id);
