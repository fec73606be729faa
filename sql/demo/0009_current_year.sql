-- A campaign running in the current year, so that a newcomer can register and report for Cụm
-- thi đua số IV without first setting up a year. Not from any article: an assumed demo campaign,
-- titled as such. The year is computed (in Vietnam's time), never written, so the demo works in
-- any year; on a database kept from an earlier year the next start adds that year's campaign and
-- members and closes the earlier demo campaign, and within a year a second run changes nothing.
-- No reports and no registrations: those are for the newcomer to make.
INSERT INTO campaigns (code, title, kind, theme, launched_by_unit_id, plan_document, plan_date, starts_on, ends_on, status, description)
SELECT 'TTCP-DEMO-' || d.y, 'Phong trào thi đua năm ' || d.y || ' của Cụm thi đua số IV (dữ liệu mẫu, giả định)',
       'regular', NULL, u.id, NULL, NULL, make_date(d.y, 1, 1), make_date(d.y, 12, 31), 'active',
       'Phong trào giả định của dữ liệu mẫu, không có trong các bài viết: để thử đăng ký thi đua và báo cáo kết quả '
       || 'trong năm hiện tại. Không có kế hoạch hay văn bản phát động thật.'
FROM (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::integer AS y) AS d
JOIN units u ON u.code = 'TTCP'
ON CONFLICT (code) DO NOTHING;

-- an earlier year's demo campaign has ended
UPDATE campaigns c SET status = 'closed'
FROM (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::integer AS y) AS d
WHERE c.code LIKE 'TTCP-DEMO-%' AND c.code <> 'TTCP-DEMO-' || d.y AND c.status = 'active' AND c.ends_on < make_date(d.y, 1, 1);

INSERT INTO campaign_clusters (campaign_id, cluster_id)
SELECT c.id, cl.id
FROM (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::integer AS y) AS d
JOIN campaigns c ON c.code = 'TTCP-DEMO-' || d.y
JOIN clusters cl ON cl.code = 'TTCP-CUM-IV'
ON CONFLICT DO NOTHING;

-- the indicators of the 2022 campaign; max_points assumed
INSERT INTO campaign_indicators (campaign_id, indicator_code, max_points)
SELECT c.id, v.indicator, v.points
FROM (VALUES ('inspections', 20), ('inspected_subjects', 10), ('recovery_rate', 30),
             ('complaint_resolution_rate', 30), ('reception_turns', 10)) AS v(indicator, points)
JOIN (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::integer AS y) AS d ON true
JOIN campaigns c ON c.code = 'TTCP-DEMO-' || d.y
ON CONFLICT DO NOTHING;

-- Cụm IV's members this year. Roles assumed: the yearly rotation of sql/demo/0003 (the deputy
-- leads the next year) carried on in the order Lạng Sơn, Lai Châu, Lào Cai, Sơn La, Điện Biên,
-- Hà Giang, Cao Bằng from 2022 — in 2026 Điện Biên leads and Hà Giang is deputy.
INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
SELECT c.id, c.organizer_unit_id, d.y, u.id,
       CASE m.pos WHEN (d.y - 2022) % 7 THEN 'leader' WHEN (d.y - 2021) % 7 THEN 'deputy' ELSE 'member' END
FROM (VALUES (0, 'TT-LSN'), (1, 'TT-LCH'), (2, 'TT-LCI'), (3, 'TT-SLA'), (4, 'TT-DBN'), (5, 'TT-HGG'), (6, 'TT-CBG'))
     AS m(pos, unit_code)
JOIN units u ON u.code = m.unit_code
JOIN clusters c ON c.code = 'TTCP-CUM-IV'
JOIN (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::integer AS y) AS d ON d.y > 2023   -- 2022 and 2023 are sql/demo/0003's
WHERE NOT EXISTS (SELECT 1 FROM cluster_members x WHERE x.cluster_id = c.id AND x.year = d.y)  -- nor a list set up since
ON CONFLICT DO NOTHING;
