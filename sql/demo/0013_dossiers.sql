-- Commendation from the seeds (issue 14), loaded as history that went the whole way: tờ trình →
-- public notice → approval → decision → awards on the record.
--
-- 1. Cụm thi đua số 1's 2019 result (the article of 10/12/2019): its bình xét on 03/12/2019 in
--    Tuyên Quang "thống nhất lựa chọn 03 đơn vị xuất sắc đề nghị Trưởng ban Nội chính Trung ương
--    tặng Bằng khen (gồm Ban Nội chính Tỉnh ủy Bắc Giang; ... Lạng Sơn và ... Thái Nguyên)". From
--    the article: the three units, the kind (a Bằng khen of a central ban: bang_khen_bo_nganh_tinh),
--    the approving body, the campaign (Kế hoạch 142-KH/BNCTW) and Bắc Giang's 3 cases at 150 % (a
--    target of 2 derived from that rate), Lạng Sơn's and Thái Nguyên's 2 cases and 2 incidents at
--    200 % each. ASSUMED (the dossier's note and the decision's number say so too): that the Trưởng ban granted the three Bằng khen at all (the article
--    reports only the cluster's proposal) and approved them; the tờ trình's number and date
--    (01/TTr-CTĐ1, 05/12/2019, numbered as the cluster might: the article shows none), that the cluster's leader (Hà Giang, itself assumed in
--    sql/demo/0003) sent it, a 5-working-day public notice (06–12/12/2019), the review date
--    (16/12/2019), the decision's number and date ("01-QĐ/BNCTW (giả định)", 20/12/2019; numbered as a party
--    body numbers its documents, Ban Nội chính Trung ương being one, and marked as assumed in the
--    number itself, which the public decisions list shows), every time of day; the
--    article names no signer. The collectives' criteria in force in 2019 are not read (the service's rules are those of
--    Luật Thi đua, khen thưởng 2022, in force from 2024; eligibility null), so the approval
--    carries an override reason: the cluster's vote.
-- 2. "Dân vận khéo" (the article of 2020): "2 MHDVK được Đảng ủy Khối tặng giấy khen có thành tích
--    thực hiện PTTĐDVK giai đoạn 2016-2018". From the article: two Giấy khen from Đảng ủy Khối Các
--    cơ quan tỉnh (Kiên Giang inferred, see sql/demo/0001) for 2016–2018, one to the model of Phòng
--    Thanh tra phòng, chống tham nhũng. ASSUMED: the Phòng itself as the recipient of the Giấy khen
--    the article gives its model; that the other went to Thanh tra tỉnh Kiên Giang itself for its
--    model "Nâng cao hiệu lực, hiệu quả và chất lượng hoạt động trước, trong và sau thanh tra" (the
--    article cites that model only as a typical one the Đảng ủy Thanh tra tỉnh recognised, not as
--    awarded); that Thanh tra tỉnh Kiên Giang proposed both (the article names no tờ trình or
--    proposer); the numbers and dates (15/TTr-TTr, 10/12/2018; "210-QĐ/ĐUK (giả định)", 28/12/2018), the review date
--    (26/12/2018), every time of day; no public notice (a Giấy khen asks none).
-- Stored eligibility is left empty on these: it is computed when a dossier is submitted through the
-- API, and these were loaded as decided.

-- (each dossier in a statement of its own: its nominees' row-level policy reads it)
INSERT INTO dossiers (number, submitted_on, year, kind, campaign_id, evaluation_id, proposing_unit_id, approving_unit_id,
                        status, notice_days, notice_from, notice_until, note, submitted_at, reviewed_at)
  SELECT '01/TTr-CTĐ1', '2019-12-05', 2019, 'campaign', ca.id, e.id, p.id, a.id, 'decided', 5, '2019-12-06', '2019-12-12',
         'Dữ liệu mẫu: ba đơn vị và thành tích theo bài báo ngày 10/12/2019; số, ngày tờ trình, đơn vị gửi, thời gian công khai, ngày xét duyệt và việc Trưởng ban quyết định tặng Bằng khen là giả định.',
         '2019-12-05 09:00+07', '2019-12-16 09:00+07'
    FROM campaigns ca, units p, units a, evaluations e JOIN clusters cl ON cl.id = e.cluster_id
   WHERE ca.code = 'BNCTW-142' AND p.code = 'BNC-HGG' AND a.code = 'BNCTW' AND cl.code = 'BNCTW-CUM-1' AND e.year = 2019
  ON CONFLICT (proposing_unit_id, number) DO NOTHING;
INSERT INTO proposals (dossier_id, award_kind_code, recipient_unit_id, achievements, subject_class, status, override_reason)
SELECT d.id, 'bang_khen_bo_nganh_tinh', u.id, x.achievements, 'other', 'approved',
       'Cụm thi đua số 1 bình xét, bỏ phiếu lựa chọn ngày 03/12/2019; tiêu chí Bằng khen cho tập thể theo quy định năm 2019 chưa đọc đối chiếu (quy tắc của dịch vụ theo Luật 2022).'
  FROM dossiers d JOIN units pu ON pu.id = d.proposing_unit_id AND pu.code = 'BNC-HGG' AND d.number = '01/TTr-CTĐ1'
  CROSS JOIN (VALUES
    ('BNC-BGG', 'Phát hiện, tham mưu xử lý 3 vụ án tham nhũng, đạt 150 % chỉ tiêu (chỉ tiêu 2 vụ: suy ra từ tỷ lệ) theo Kế hoạch 142-KH/BNCTW năm 2019.'),
    ('BNC-LSN', 'Phát hiện, tham mưu xử lý 2 vụ án (đạt 200 %) và 2 vụ việc (đạt 200 %) tham nhũng theo Kế hoạch 142-KH/BNCTW năm 2019.'),
    ('BNC-TNN', 'Phát hiện, tham mưu xử lý 2 vụ án (đạt 200 %) và 2 vụ việc (đạt 200 %) tham nhũng theo Kế hoạch 142-KH/BNCTW năm 2019.')) AS x(code, achievements)
  JOIN units u ON u.code = x.code
ON CONFLICT DO NOTHING;

INSERT INTO dossiers (number, submitted_on, year, kind, campaign_id, proposing_unit_id, approving_unit_id, status, note,
                        submitted_at, reviewed_at)
  SELECT '15/TTr-TTr', '2018-12-10', 2018, 'campaign', ca.id, p.id, a.id, 'decided',
         'Dữ liệu mẫu (bài báo năm 2020): số, ngày tờ trình, đơn vị đề nghị, Phòng là đơn vị nhận Giấy khen của mô hình, đơn vị nhận Giấy khen thứ hai, ngày xét duyệt và số quyết định là giả định.',
         '2018-12-10 09:00+07', '2018-12-26 09:00+07'
    FROM campaigns ca, units p, units a
   WHERE ca.code = 'DVK-2016-2020' AND p.code = 'TT-KGG' AND a.code = 'DUK-KG'
  ON CONFLICT (proposing_unit_id, number) DO NOTHING;
INSERT INTO proposals (dossier_id, award_kind_code, recipient_unit_id, achievements, subject_class, status)
SELECT d.id, 'giay_khen', u.id, x.achievements, 'other', 'approved'
  FROM dossiers d JOIN units pu ON pu.id = d.proposing_unit_id AND pu.code = 'TT-KGG' AND d.number = '15/TTr-TTr'
  CROSS JOIN (VALUES
    ('TT-KGG-PCTN', 'Mô hình “Dân vận khéo” nâng cao chất lượng tham mưu, theo dõi, nắm tình hình, tổng hợp báo cáo công tác phòng, chống tham nhũng; góp phần hoàn thành 100 % kế hoạch thanh tra trách nhiệm về PCTN.'),
    ('TT-KGG', 'Mô hình “Nâng cao hiệu lực, hiệu quả và chất lượng hoạt động trước, trong và sau thanh tra” (giả định: mô hình và đơn vị nhận Giấy khen thứ hai).')) AS x(code, achievements)
  JOIN units u ON u.code = x.code
ON CONFLICT DO NOTHING;

-- the Giấy khen of Phòng PCTN recorded as history by earlier loads (sql/demo/0007): its decision
-- grants it now
DELETE FROM awards a USING units u
 WHERE u.id = a.recipient_unit_id AND u.code = 'TT-KGG-PCTN' AND a.award_kind_code = 'giay_khen' AND a.year = 2018
   AND a.source = 'history';

-- demo data loaded before 2026-12-02 numbered the decisions without their mark (and Ban Nội chính
-- Trung ương's in the state's style): renamed, so that loading the demo again finds them instead
-- of adding second decisions
UPDATE decisions d SET number = v.now FROM units u,
       (VALUES ('BNCTW', '01/QĐ-BNCTW', '01-QĐ/BNCTW (giả định)'), ('BNCTW', '01-QĐ/BNCTW', '01-QĐ/BNCTW (giả định)'),
               ('DUK-KG', '210-QĐ/ĐUK', '210-QĐ/ĐUK (giả định)')) AS v(unit, was, now)
 WHERE u.id = d.issuing_unit_id AND u.code = v.unit AND d.number = v.was;
UPDATE awards a SET decision_number = v.now FROM units u,
       (VALUES ('BNCTW', '01/QĐ-BNCTW', '01-QĐ/BNCTW (giả định)'), ('BNCTW', '01-QĐ/BNCTW', '01-QĐ/BNCTW (giả định)'),
               ('DUK-KG', '210-QĐ/ĐUK', '210-QĐ/ĐUK (giả định)')) AS v(unit, was, now)
 WHERE u.id = a.issuing_unit_id AND u.code = v.unit AND a.decision_number = v.was;

-- the decisions, their awards, the nominees decided: what POST /v1/decisions does in one transaction
WITH x AS (
  INSERT INTO decisions (number, signed_on, issuing_unit_id, signer_title)
  SELECT v.number, v.signed_on::date, u.id, v.title
    FROM (VALUES ('01-QĐ/BNCTW (giả định)', '2019-12-20', 'BNCTW', 'Trưởng ban Nội chính Trung ương'),
                 ('210-QĐ/ĐUK (giả định)', '2018-12-28', 'DUK-KG', NULL)) AS v(number, signed_on, unit, title)
    JOIN units u ON u.code = v.unit
  ON CONFLICT (issuing_unit_id, number) DO NOTHING
  RETURNING id, number, signed_on, issuing_unit_id),
granted AS (
  INSERT INTO awards (award_kind_code, year, recipient_unit_id, decision_id, decision_number, decided_on, issuing_unit_id,
                      source, award_type, period_from, period_to)
  SELECT p.award_kind_code, d.year, p.recipient_unit_id, x.id, x.number, x.signed_on, x.issuing_unit_id, 'decision', 'campaign',
         CASE WHEN d.year = 2018 THEN 2016 ELSE 2019 END, d.year
    FROM x JOIN dossiers d ON d.approving_unit_id = x.issuing_unit_id AND d.status = 'decided'
    JOIN proposals p ON p.dossier_id = d.id AND p.status = 'approved'
  RETURNING decision_id)
UPDATE proposals p SET status = 'decided', decision_id = x.id
  FROM x, dossiers d
 WHERE d.id = p.dossier_id AND d.approving_unit_id = x.issuing_unit_id AND p.status = 'approved'
   AND (SELECT count(*) FROM granted) > 0;
