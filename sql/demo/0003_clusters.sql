-- Demo clusters from the seeds. The articles do not name every leader: where they are silent the
-- choice here is an assumption (marked). The 2022 article names Cụm IV's seven provinces but not
-- its organiser: Thanh tra Chính phủ, which sets up the inspection sector's clusters and launched
-- the year's campaign, is the demo's reading. Codes and descriptions are the demo's own.
INSERT INTO clusters (code, name, kind, organizer_unit_id, description)
SELECT 'TTCP-CUM-IV', 'Cụm thi đua số IV', 'cluster', u.id,
       'Thanh tra các tỉnh Lai Châu, Lạng Sơn, Lào Cai, Sơn La, Điện Biên, Hà Giang, Cao Bằng'
FROM units u WHERE u.code = 'TTCP'
ON CONFLICT (code) DO NOTHING;

INSERT INTO clusters (code, name, kind, organizer_unit_id, description)
SELECT 'BNCTW-CUM-1', 'Cụm thi đua số 1', 'cluster', u.id,
       'Ban Nội chính Tỉnh ủy 14 tỉnh miền núi phía Bắc'
FROM units u WHERE u.code = 'BNCTW'
ON CONFLICT (code) DO NOTHING;

-- Cụm IV in 2022 (leader Lạng Sơn, deputy Lai Châu: assumption) and its 2023 rotation (assumed
-- too, no article covers 2023): the deputy leads, Lào Cai becomes deputy. The current year's
-- members are in sql/demo/0009.
INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
SELECT c.id, c.organizer_unit_id, m.year, u.id, m.role
FROM (VALUES
  (2022, 'TT-LSN', 'leader'), (2022, 'TT-LCH', 'deputy'), (2022, 'TT-LCI', 'member'), (2022, 'TT-SLA', 'member'),
  (2022, 'TT-DBN', 'member'), (2022, 'TT-HGG', 'member'), (2022, 'TT-CBG', 'member'),
  (2023, 'TT-LCH', 'leader'), (2023, 'TT-LCI', 'deputy'), (2023, 'TT-LSN', 'member'), (2023, 'TT-SLA', 'member'),
  (2023, 'TT-DBN', 'member'), (2023, 'TT-HGG', 'member'), (2023, 'TT-CBG', 'member')
) AS m(year, unit_code, role)
JOIN units u ON u.code = m.unit_code
JOIN clusters c ON c.code = 'TTCP-CUM-IV'
ON CONFLICT DO NOTHING;

-- Cụm 1 in 2019: Tuyên Quang is the deputy (cụm phó) as the article says; Hà Giang as leader is
-- an assumption, and so are ten of the fourteen members (sql/demo/0001)
INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
SELECT c.id, c.organizer_unit_id, 2019, u.id,
       CASE u.code WHEN 'BNC-HGG' THEN 'leader' WHEN 'BNC-TQG' THEN 'deputy' ELSE 'member' END
FROM units u
JOIN clusters c ON c.code = 'BNCTW-CUM-1'
WHERE u.code LIKE 'BNC-%'
ON CONFLICT DO NOTHING;
