-- Demo registrations. Kế hoạch 142-KH/BNCTW: the 14 Ban Nội chính Tỉnh ủy registered their 2019
-- targets ("14/14 đơn vị ... đăng ký chỉ tiêu thi đua năm 2019"). The article's percentages give
-- three units' targets: Bắc Giang 2 cases and 3 incidents (3 = 150 %, 3 = 100 %), Lạng Sơn and
-- Thái Nguyên 1 and 1 (2 = 200 %). The other eleven are assumptions, chosen so that none of them
-- exceeds its targets with the 2019 reports (sql/demo/0008): the article says only those three
-- did ("có 03 đơn vị ... vượt chỉ tiêu"), and its totals (22 cases, 14 incidents) leave the
-- eleven 15 cases, more than targets of 1 could hold. So Hà Giang, Tuyên Quang, Phú Thọ and Sơn
-- La aim at 2 cases, the others at 1, and all eleven at 1 incident. Pact date and submission
-- time are assumed (the article says only that the units registered soon after the plan).
-- Cụm IV, 2022: the article says the inspectorates registered titles and signed a pact; which
-- titles, the targets and the date (15 March) are assumptions.
INSERT INTO registrations (campaign_id, unit_id, year, titles, targets, pact_signed_on, status, submitted_at)
SELECT c.id, u.id, 2019, '{}',
       jsonb_build_array(
         jsonb_build_object('indicator_code', 'corruption_cases_detected', 'target',
           CASE WHEN u.code IN ('BNC-BGG', 'BNC-HGG', 'BNC-TQG', 'BNC-PTO', 'BNC-SLA') THEN 2 ELSE 1 END),
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
