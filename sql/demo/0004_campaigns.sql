-- Demo campaigns from the seeds. All three have ended, so they are closed. What the articles give
-- and what is assumed:
--   BNCTW-142: plan 142-KH/BNCTW of 26/02/2019, theme, "giai đoạn 2019-2020" and Hướng dẫn
--     13-HD/BNCTW of 14/10/2019 are the 2019 article's; the title is shortened from it; starting
--     on the plan's date and ending on 31/12/2020 are assumptions.
--   TTCP-2022: launched by Thanh tra Chính phủ with the theme "Siết chặt kỷ cương…" as the 2022
--     article says; the title and the calendar-year period are assumptions; the article gives no
--     plan document, so none is set.
--   DVK-2016-2020: "phong trào thi đua “Dân vận khéo” giai đoạn 2016-2020" is the Thanh tra tỉnh
--     article's; Đề án 06-ĐA/TU of 14/12/2017 and its theme are the Đảng bộ Các cơ quan tỉnh
--     article's, which names no province: that it is Kiên Giang's (and so this campaign's plan,
--     adopted midway through the phase) is an assumption, and so are the launching unit (the Đảng
--     ủy Khối, which recognises the models) and the exact first and last days.
--   Every max_points below is an assumption: no article gives a scoring scale.
INSERT INTO campaigns (code, title, kind, theme, launched_by_unit_id, plan_document, plan_date, starts_on, ends_on, status, description)
SELECT v.code, v.title, v.kind, v.theme, u.id, v.plan_document, v.plan_date::date, v.starts_on::date, v.ends_on::date, 'closed', v.description
FROM (VALUES
  ('BNCTW-142', 'Thi đua chuyên đề giai đoạn 2019-2020', 'thematic',
   'Nâng cao hiệu quả công tác phát hiện và tham mưu xử lý các vụ án tham nhũng, các hành vi “tham nhũng vặt”',
   'BNCTW', '142-KH/BNCTW', '2019-02-26', '2019-02-26', '2020-12-31',
   'Kế hoạch số 142-KH/BNCTW ngày 26/02/2019 của Ban Nội chính Trung ương; sơ kết theo Hướng dẫn số 13-HD/BNCTW ngày 14/10/2019'),
  ('TTCP-2022', 'Phong trào thi đua năm 2022 của ngành Thanh tra', 'regular',
   'Siết chặt kỷ cương, tăng cường hiệu quả công tác thanh tra, thích ứng an toàn trong tình hình mới',
   'TTCP', NULL, NULL, '2022-01-01', '2022-12-31', NULL),
  ('DVK-2016-2020', 'Phong trào thi đua “Dân vận khéo” giai đoạn 2016-2020', 'thematic',
   'Nâng cao hiệu quả thực hiện phong trào “Dân vận khéo” trong giai đoạn hiện nay',
   'DUK-KG', '06-ĐA/TU', '2017-12-14', '2016-01-01', '2020-12-31',
   'Đề án số 06-ĐA/TU ngày 14/12/2017 của Tỉnh ủy; mô hình “Dân vận khéo” của các cơ quan, đơn vị trong Đảng bộ Khối')
) AS v(code, title, kind, theme, unit_code, plan_document, plan_date, starts_on, ends_on, description)
JOIN units u ON u.code = v.unit_code
ON CONFLICT (code) DO NOTHING;

INSERT INTO campaign_clusters (campaign_id, cluster_id)
SELECT c.id, cl.id FROM (VALUES ('BNCTW-142', 'BNCTW-CUM-1'), ('TTCP-2022', 'TTCP-CUM-IV')) AS v(campaign, cluster)
JOIN campaigns c ON c.code = v.campaign JOIN clusters cl ON cl.code = v.cluster
ON CONFLICT DO NOTHING;

INSERT INTO campaign_indicators (campaign_id, indicator_code, max_points)
SELECT c.id, v.indicator, v.points
FROM (VALUES
  ('BNCTW-142', 'corruption_cases_detected', 50), ('BNCTW-142', 'petty_corruption_incidents', 50),
  ('TTCP-2022', 'inspections', 20), ('TTCP-2022', 'inspected_subjects', 10), ('TTCP-2022', 'recovery_rate', 30),
  ('TTCP-2022', 'complaint_resolution_rate', 30), ('TTCP-2022', 'reception_turns', 10)
) AS v(campaign, indicator, points)
JOIN campaigns c ON c.code = v.campaign
ON CONFLICT DO NOTHING;
