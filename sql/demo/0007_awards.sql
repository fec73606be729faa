-- Demo award record, from the 2020 "Dân vận khéo" article of Thanh tra tỉnh (Kiên Giang): the
-- model of its Phòng Thanh tra phòng, chống tham nhũng was given a Giấy khen by the Đảng ủy Khối
-- các cơ quan tỉnh for the 2016-2018 phase. The article gives no decision number or date, so
-- neither is invented here; the year 2018 (the end of that phase) is an assumption, and so is
-- the Phòng as the recipient of an award the article gives its model. The article's second
-- Giấy khen ("2 MHDVK được Đảng ủy Khối tặng giấy khen") goes to a model it does not name, so it
-- is left out. It rewards the model of the "Dân vận khéo" movement for its 2016-2018 phase (the
-- article's): a campaign award (theo phong trào, issue 13) for the period 2016-2018 — the type is
-- our reading of the article. Idempotent (awards_once).
INSERT INTO awards (award_kind_code, year, recipient_unit_id, issuing_unit_id, source, award_type, period_from, period_to)
SELECT 'giay_khen', 2018, u.id, i.id, 'history', 'campaign', 2016, 2018
FROM units u, units i
WHERE u.code = 'TT-KGG-PCTN' AND i.code = 'DUK-KG'
ON CONFLICT DO NOTHING;
