-- Demo registrations. Kế hoạch 142-KH/BNCTW: the 14 Ban Nội chính Tỉnh ủy registered their 2019
-- targets; the article gives Bắc Giang (2 cases, 3 incidents), Lạng Sơn and Thái Nguyên (1 and 1);
-- 1 and 1 for the others is an assumption. Cụm IV, 2022: titles and the pact signed in March.
INSERT INTO registrations (campaign_id, unit_id, year, titles, targets, pact_signed_on, status, submitted_at)
SELECT c.id, u.id, 2019, '{}',
       jsonb_build_array(
         jsonb_build_object('indicator_code', 'corruption_cases_detected', 'target', CASE u.code WHEN 'BNC-BGG' THEN 2 ELSE 1 END),
         jsonb_build_object('indicator_code', 'petty_corruption_incidents', 'target', CASE u.code WHEN 'BNC-BGG' THEN 3 ELSE 1 END)),
       '2019-03-20', 'submitted', '2019-03-20 09:00+07'
FROM units u JOIN campaigns c ON c.code = 'BNCTW-142'
WHERE u.code LIKE 'BNC-%'
ON CONFLICT DO NOTHING;

INSERT INTO registrations (campaign_id, unit_id, year, titles, targets, pact_signed_on, status, submitted_at)
SELECT c.id, u.id, 2022, '{tap_the_lao_dong_xuat_sac,co_thi_dua_bo_nganh_tinh}',
       jsonb_build_array(
         jsonb_build_object('indicator_code', 'inspections', 'target', 250),
         jsonb_build_object('indicator_code', 'recovery_rate', 'target', 85),
         jsonb_build_object('indicator_code', 'complaint_resolution_rate', 'target', 85)),
       '2022-03-15', 'submitted', '2022-03-15 10:00+07'
FROM units u JOIN campaigns c ON c.code = 'TTCP-2022'
WHERE u.code IN ('TT-LCH', 'TT-LSN', 'TT-LCI', 'TT-SLA', 'TT-DBN', 'TT-HGG', 'TT-CBG')
ON CONFLICT DO NOTHING;
