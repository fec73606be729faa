-- Cụm thi đua số 1's 2019 evaluation (the article of 10/12/2019): "Ngày 03/12/2019, Cụm thi đua số 1
-- ... đã tổ chức họp bình xét thi đua chuyên đề năm 2019 tại tỉnh Tuyên Quang ... tiến hành bỏ
-- phiếu, bình xét ... thống nhất lựa chọn 03 đơn vị xuất sắc đề nghị Trưởng ban Nội chính Trung
-- ương tặng Bằng khen (gồm Ban Nội chính Tỉnh ủy Bắc Giang; ... Lạng Sơn và ... Thái Nguyên)".
-- From the article: the cluster, the year, the meeting's date and place (Tuyên Quang, the
-- cluster's deputy, hosted it), the campaign (Kế hoạch 142-KH/BNCTW), the two things it measured
-- (corruption cases, petty-corruption incidents: the reports of sql/demo/0008 and the targets of
-- sql/demo/0005), and that a ballot chose those three.
-- Assumed: the score sheet (the article shows none): one group of 100 points, 50 for each of the
-- two indicators; the title; three choices a ballot; the 50 % threshold (the API's default);
-- that all 14 units voted and every ballot named the same three ("thống nhất lựa chọn" read as
-- unanimous), so each of the three has 14 votes. The evaluation is loaded with its ballots cast
-- and closed by `tdkt demo` through the service's own close (results made, ballots sealed), so
-- its closing time is the load's.
INSERT INTO evaluations (cluster_id, year, campaign_id, title, meeting_on, host_unit_id, criteria, max_choices,
                         vote_threshold_pct, status)
SELECT cl.id, 2019, ca.id, 'Bình xét thi đua chuyên đề năm 2019 (Kế hoạch 142-KH/BNCTW)', '2019-12-03', h.id,
       '[{"code": "ke_hoach_142", "name": "Kết quả thực hiện Kế hoạch số 142-KH/BNCTW", "max_points": 100.00, "kind": "group",
          "children": [
            {"code": "vu_an_tham_nhung", "name": "Phát hiện, tham mưu xử lý vụ án tham nhũng", "max_points": 50.00,
             "kind": "quantitative", "indicator_code": "corruption_cases_detected"},
            {"code": "tham_nhung_vat", "name": "Phát hiện, tham mưu xử lý vụ việc có hành vi “tham nhũng vặt”",
             "max_points": 50.00, "kind": "quantitative", "indicator_code": "petty_corruption_incidents"}]}]',
       3, 50, 'scoring'
FROM clusters cl, campaigns ca, units h
WHERE cl.code = 'BNCTW-CUM-1' AND ca.code = 'BNCTW-142' AND h.code = 'BNC-TQG'
ON CONFLICT (cluster_id, year) DO NOTHING;

-- voting opens (through the state the API would take it), the ballots are cast: who voted, and
-- apart from it the choices, as POST …/ballots stores them
UPDATE evaluations e SET status = 'voting'
  FROM clusters cl WHERE cl.id = e.cluster_id AND cl.code = 'BNCTW-CUM-1' AND e.year = 2019 AND e.status = 'scoring';

INSERT INTO evaluation_voters (evaluation_id, unit_id)
SELECT e.id, m.unit_id
  FROM evaluations e JOIN clusters cl ON cl.id = e.cluster_id AND cl.code = 'BNCTW-CUM-1'
  JOIN cluster_members m ON m.cluster_id = e.cluster_id AND m.year = e.year
 WHERE e.year = 2019 AND e.status = 'voting'
ON CONFLICT DO NOTHING;

INSERT INTO evaluation_ballot_choices (evaluation_id, unit_id)
SELECT e.id, u.id
  FROM evaluations e JOIN clusters cl ON cl.id = e.cluster_id AND cl.code = 'BNCTW-CUM-1'
  CROSS JOIN generate_series(1, 14) AS ballot
  JOIN units u ON u.code IN ('BNC-BGG', 'BNC-LSN', 'BNC-TNN')
 WHERE e.year = 2019 AND e.status = 'voting'
   AND NOT EXISTS (SELECT 1 FROM evaluation_ballot_choices c WHERE c.evaluation_id = e.id)
 ORDER BY u.id;
