-- Demo units, from the seed articles (shared/seeds). Idempotent: re-running changes nothing.
-- Province codes are the GSO two-digit codes (those in force before the 2025 mergers, as in the
-- articles' time). Codes and short names are the demo's own. Parent links are a modelling
-- choice, not something the articles state: the provincial inspectorates hang under Thanh tra
-- Chính phủ and the Ban Nội chính Tỉnh ủy under Ban Nội chính Trung ương, the bodies that
-- organise their clusters and campaigns.

INSERT INTO units (code, name, short_name, kind, parent_id, province_code) VALUES
  ('TTCP', 'Thanh tra Chính phủ', 'TTCP', 'government_inspectorate', NULL, NULL),
  ('BNCTW', 'Ban Nội chính Trung ương', 'BNCTW', 'internal_affairs_board', NULL, NULL),
  ('DUK-KG', 'Đảng ủy Khối các cơ quan tỉnh Kiên Giang', 'Đảng ủy Khối', 'party_committee', NULL, '91')
ON CONFLICT (code) DO NOTHING;

-- Cụm thi đua số IV of Thanh tra Chính phủ: the inspectorates of seven northern provinces
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT v.code, v.name, v.short_name, 'provincial_inspectorate', (SELECT id FROM units WHERE code = 'TTCP'), v.province
FROM (VALUES
  ('TT-LCH', 'Thanh tra tỉnh Lai Châu', 'Thanh tra Lai Châu', '12'),
  ('TT-LSN', 'Thanh tra tỉnh Lạng Sơn', 'Thanh tra Lạng Sơn', '20'),
  ('TT-LCI', 'Thanh tra tỉnh Lào Cai', 'Thanh tra Lào Cai', '10'),
  ('TT-SLA', 'Thanh tra tỉnh Sơn La', 'Thanh tra Sơn La', '14'),
  ('TT-DBN', 'Thanh tra tỉnh Điện Biên', 'Thanh tra Điện Biên', '11'),
  ('TT-HGG', 'Thanh tra tỉnh Hà Giang', 'Thanh tra Hà Giang', '02'),
  ('TT-CBG', 'Thanh tra tỉnh Cao Bằng', 'Thanh tra Cao Bằng', '04')
) AS v(code, name, short_name, province)
ON CONFLICT (code) DO NOTHING;

-- Cụm thi đua số 1: the Ban Nội chính Tỉnh ủy of the 14 northern mountainous provinces. The 2019
-- article gives the number (14) and names Tuyên Quang, Bắc Giang, Lạng Sơn and Thái Nguyên; the
-- other ten are the usual list of the northern midland and mountainous provinces (assumption).
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT v.code, v.name, v.short_name, 'internal_affairs_board', (SELECT id FROM units WHERE code = 'BNCTW'), v.province
FROM (VALUES
  ('BNC-HGG', 'Ban Nội chính Tỉnh ủy Hà Giang', 'BNC Hà Giang', '02'),
  ('BNC-CBG', 'Ban Nội chính Tỉnh ủy Cao Bằng', 'BNC Cao Bằng', '04'),
  ('BNC-BKN', 'Ban Nội chính Tỉnh ủy Bắc Kạn', 'BNC Bắc Kạn', '06'),
  ('BNC-TQG', 'Ban Nội chính Tỉnh ủy Tuyên Quang', 'BNC Tuyên Quang', '08'),
  ('BNC-LCI', 'Ban Nội chính Tỉnh ủy Lào Cai', 'BNC Lào Cai', '10'),
  ('BNC-DBN', 'Ban Nội chính Tỉnh ủy Điện Biên', 'BNC Điện Biên', '11'),
  ('BNC-LCH', 'Ban Nội chính Tỉnh ủy Lai Châu', 'BNC Lai Châu', '12'),
  ('BNC-SLA', 'Ban Nội chính Tỉnh ủy Sơn La', 'BNC Sơn La', '14'),
  ('BNC-YBI', 'Ban Nội chính Tỉnh ủy Yên Bái', 'BNC Yên Bái', '15'),
  ('BNC-HBH', 'Ban Nội chính Tỉnh ủy Hòa Bình', 'BNC Hòa Bình', '17'),
  ('BNC-TNN', 'Ban Nội chính Tỉnh ủy Thái Nguyên', 'BNC Thái Nguyên', '19'),
  ('BNC-LSN', 'Ban Nội chính Tỉnh ủy Lạng Sơn', 'BNC Lạng Sơn', '20'),
  ('BNC-BGG', 'Ban Nội chính Tỉnh ủy Bắc Giang', 'BNC Bắc Giang', '24'),
  ('BNC-PTO', 'Ban Nội chính Tỉnh ủy Phú Thọ', 'BNC Phú Thọ', '25')
) AS v(code, name, short_name, province)
ON CONFLICT (code) DO NOTHING;

-- The Thanh tra tỉnh of the 2020 "Dân vận khéo" article and its anti-corruption division. The
-- article says only "Thanh tra tỉnh" and "Đảng ủy Khối Các cơ quan tỉnh"; Kiên Giang is inferred
-- from where it was published (the portal of huyện An Biên, Kiên Giang). Its Đảng bộ belongs to
-- the Đảng bộ Khối, which is why the demo puts the Thanh tra tỉnh under DUK-KG (a modelling
-- choice: the agency itself answers to the provincial People's Committee).
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT 'TT-KGG', 'Thanh tra tỉnh Kiên Giang', 'Thanh tra Kiên Giang', 'provincial_inspectorate',
       (SELECT id FROM units WHERE code = 'DUK-KG'), '91'
ON CONFLICT (code) DO NOTHING;

INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT 'TT-KGG-PCTN', 'Phòng Thanh tra phòng, chống tham nhũng', 'Phòng PCTN', 'division',
       (SELECT id FROM units WHERE code = 'TT-KGG'), '91'
ON CONFLICT (code) DO NOTHING;

-- Placeholders (assumed, not from any article): the other agencies of the Đảng bộ Khối các cơ
-- quan tỉnh, which hold the "Dân vận khéo" models the 2020 articles count but do not attribute
-- (sql/demo/0006). No article names them; they are numbered, not real agencies.
INSERT INTO units (code, name, short_name, kind, parent_id, province_code)
SELECT 'DUK-KG-DV' || lpad(n::text, 2, '0'),
       'Cơ quan, đơn vị số ' || lpad(n::text, 2, '0') || ' trong Khối các cơ quan tỉnh Kiên Giang (giả định)',
       'Đơn vị giả định ' || lpad(n::text, 2, '0'), 'agency',
       (SELECT id FROM units WHERE code = 'DUK-KG'), '91'
FROM generate_series(1, 10) AS n
ON CONFLICT (code) DO NOTHING;
