-- Demo people, from the seed articles: the 2020 "Dân vận khéo" article of Thanh tra tỉnh
-- (Kiên Giang) and the 2019 Cụm thi đua số 1 meeting, names and positions as the articles give
-- them. Nguyễn Thị Thu Nhung is put at the Thanh tra tỉnh itself: the article names her chi bộ
-- (PCTN và Xử lý sau thanh tra), not her phòng. Idempotent.
INSERT INTO people (unit_id, full_name, position)
SELECT u.id, v.full_name, v.position
FROM (VALUES
  ('TT-KGG', 'Lê Trường Kế', 'Phó Bí thư Đảng ủy, Phó Chánh Thanh tra tỉnh'),
  ('TT-KGG-PCTN', 'Nguyễn Thị Thanh Hương', 'Đảng ủy viên, Trưởng Phòng Thanh tra phòng, chống tham nhũng'),
  ('TT-KGG', 'Nguyễn Thị Thu Nhung', 'Đảng ủy viên, Chi ủy viên Chi bộ PCTN và Xử lý sau thanh tra'),
  ('BNCTW', 'Lương Thanh Tâm', 'Vụ phó Vụ địa phương')
) AS v(unit_code, full_name, position)
JOIN units u ON u.code = v.unit_code
WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.unit_id = u.id AND p.full_name = v.full_name);
