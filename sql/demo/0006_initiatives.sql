-- The 112 "Dân vận khéo" models recognised by the Đảng ủy Các cơ quan tỉnh, by field as the 2020
-- Đảng bộ Các cơ quan tỉnh article counts them: 40 new rural development, 33 administrative
-- reform, 5 Front and mass organisations, 34 party and government building. Loaded once.
--
-- From the articles: the 112 and the four counts; the Thanh tra tỉnh article's "5 mô hình được
-- Đảng ủy Khối Các cơ quan tỉnh công nhận lần I (giai đoạn 2016-2018)" for the Đảng bộ Thanh tra
-- tỉnh, and the two models it describes (the "trước, trong và sau thanh tra" one, and the one
-- its Phòng Thanh tra phòng, chống tham nhũng built, which the Đảng ủy Khối gave a Giấy khen for
-- 2016-2018).
-- Assumed: that the 112 are Kiên Giang's and span 2016–2020 (the Đảng bộ Các cơ quan tỉnh
-- article names neither province nor period); that the two described models are among the
-- Thanh tra tỉnh's five (the article cites them as models the Đảng ủy Thanh tra tỉnh itself
-- recognised); that the Thanh tra tỉnh had none in the second round (the article, of February
-- 2020, covers only the first); the fields of its five; Lê Trường Kế, who speaks of it, as the
-- person of the "trước, trong và sau thanh tra" model (the article names no author); the other
-- 107 models, numbered, spread over ten placeholder agencies of the Khối (sql/demo/0001) and over
-- the years; the recognition level (province: the Đảng ủy Khối is a provincial party committee)
-- and the dates of the two rounds (28/12/2018 and 15/09/2020).
INSERT INTO initiatives (campaign_id, unit_id, person_id, title, field, year, status, recognized_level,
                         recognized_on, recognized_by_unit_id)
SELECT c.id, u.id, p.id, m.title, m.field, m.year, 'recognized', 'province', m.recognized_on::date, duk.id
FROM (
  -- the Thanh tra tỉnh's five, recognised in round I
  VALUES
    ('TT-KGG', 'Lê Trường Kế', 'Nâng cao hiệu lực, hiệu quả và chất lượng hoạt động trước, trong và sau thanh tra',
     'party_and_government_building', 2016, '2018-12-28'),
    ('TT-KGG-PCTN', NULL, 'Nâng cao chất lượng tham mưu, theo dõi, nắm tình hình, tổng hợp báo cáo công tác phòng, chống tham nhũng',
     'party_and_government_building', 2016, '2018-12-28'),
    ('TT-KGG', NULL, 'Mô hình “Dân vận khéo” số 108', 'party_and_government_building', 2017, '2018-12-28'),
    ('TT-KGG', NULL, 'Mô hình “Dân vận khéo” số 109', 'administrative_reform', 2017, '2018-12-28'),
    ('TT-KGG', NULL, 'Mô hình “Dân vận khéo” số 110', 'administrative_reform', 2018, '2018-12-28')
  UNION ALL
  -- the other 107 (40 + 31 + 5 + 31), spread over the placeholder agencies and the years
  SELECT 'DUK-KG-DV' || lpad((1 + (g - 1) % 10)::text, 2, '0'), NULL, 'Mô hình “Dân vận khéo” số ' || g,
         CASE WHEN g <= 40 THEN 'new_rural_development' WHEN g <= 71 THEN 'administrative_reform'
              WHEN g <= 76 THEN 'front_and_mass_organizations' ELSE 'party_and_government_building' END,
         2016 + (g - 1) / 10 % 5, CASE WHEN 2016 + (g - 1) / 10 % 5 <= 2018 THEN '2018-12-28' ELSE '2020-09-15' END
  FROM generate_series(1, 107) AS g
) AS m(unit_code, person_name, title, field, year, recognized_on)
JOIN units u ON u.code = m.unit_code
LEFT JOIN people p ON p.unit_id = u.id AND p.full_name = m.person_name
JOIN campaigns c ON c.code = 'DVK-2016-2020'
JOIN units duk ON duk.code = 'DUK-KG'
WHERE NOT EXISTS (SELECT 1 FROM initiatives i WHERE i.campaign_id = c.id);
