-- Demo ratings (đánh giá, xếp loại), for the facts eligibility reads. ASSUMED: the seed articles
-- give no yearly rating of anyone; these are invented to show the shape — Lê Trường Kế and
-- Nguyễn Thị Thanh Hương rated by Thanh tra tỉnh (Kiên Giang) for 2017–2019, and the Thanh tra
-- tỉnh itself rated for 2019 by Đảng ủy Khối, its parent in the demo's tree (sql/demo/0001; the API
-- takes a rating from the subject's unit or one above it). Not evidence of anything. Idempotent
-- (ratings_once).
INSERT INTO ratings (person_id, unit_id, year, rating, rated_by_unit_id, note)
SELECT p.id, NULL, v.year, v.rating, r.id, 'Dữ liệu minh họa (giả định)'
FROM (VALUES
  ('Lê Trường Kế', 2017, 'excellent'),
  ('Lê Trường Kế', 2018, 'excellent'),
  ('Lê Trường Kế', 2019, 'excellent'),
  ('Nguyễn Thị Thanh Hương', 2017, 'good'),
  ('Nguyễn Thị Thanh Hương', 2018, 'excellent'),
  ('Nguyễn Thị Thanh Hương', 2019, 'good')
) AS v(full_name, year, rating)
JOIN people p ON p.full_name = v.full_name
JOIN units r ON r.code = 'TT-KGG'
ON CONFLICT DO NOTHING;

INSERT INTO ratings (person_id, unit_id, year, rating, rated_by_unit_id, note)
SELECT NULL, u.id, 2019, 'excellent', r.id, 'Dữ liệu minh họa (giả định)'
FROM units u, units r
WHERE u.code = 'TT-KGG' AND r.code = 'DUK-KG' -- the unit above it in the demo's tree, as the API asks (not_above)
ON CONFLICT DO NOTHING;
