-- The 112 "Dân vận khéo" models recognised in the Đảng bộ Các cơ quan tỉnh in 2016–2020, by field
-- as the 2020 article counts them: 40 new rural development, 33 administrative reform, 5 Front
-- and mass organisations, 34 party and government building. Two carry the titles the article of
-- Thanh tra tỉnh names; the others are numbered. Loaded once.
INSERT INTO initiatives (campaign_id, unit_id, person_id, title, field, year, status, recognized_level,
                         recognized_on, recognized_by_unit_id)
SELECT c.id,
       CASE WHEN g = 79 THEN tt.id WHEN g = 80 THEN pctn.id ELSE (ARRAY[duk.id, tt.id, pctn.id])[1 + g % 3] END,
       CASE WHEN g = 79 THEN (SELECT id FROM people WHERE full_name = 'Lê Trường Kế' LIMIT 1)
            WHEN g = 80 THEN (SELECT id FROM people WHERE full_name = 'Nguyễn Thị Thanh Hương' LIMIT 1) END,
       CASE WHEN g = 79 THEN 'Nâng cao hiệu lực, hiệu quả và chất lượng hoạt động trước, trong và sau thanh tra'
            WHEN g = 80 THEN 'Nâng cao chất lượng tham mưu, theo dõi, nắm tình hình, tổng hợp báo cáo công tác phòng, chống tham nhũng'
            ELSE 'Mô hình “Dân vận khéo” số ' || g END,
       CASE WHEN g <= 40 THEN 'new_rural_development' WHEN g <= 73 THEN 'administrative_reform'
            WHEN g <= 78 THEN 'front_and_mass_organizations' ELSE 'party_and_government_building' END,
       2016 + g % 5, 'recognized', 'province',
       CASE WHEN 2016 + g % 5 <= 2018 THEN date '2018-12-28' ELSE date '2020-09-15' END, duk.id
FROM generate_series(1, 112) AS g
JOIN campaigns c ON c.code = 'DVK-2016-2020'
JOIN units duk ON duk.code = 'DUK-KG'
JOIN units tt ON tt.code = 'TT-KGG'
JOIN units pctn ON pctn.code = 'TT-KGG-PCTN'
WHERE NOT EXISTS (SELECT 1 FROM initiatives i WHERE i.campaign_id = c.id);
