-- Indicators (chỉ tiêu): the catalogue reports and targets are measured in. Seeded here from the
-- Government Inspectorate's reporting forms (01/TTr administrative inspection, citizen reception,
-- complaints and denunciations) and the seed articles; admins may add base indicators, the
-- seeded ones are read-only. Ratios are computed (100 × Σnumerator / Σdenominator), never stored.

CREATE TABLE indicators (
    id           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- for the audit trail and change feed
    code         text COLLATE "C" PRIMARY KEY,
    name         text NOT NULL,
    unit         text NOT NULL,
    kind         text NOT NULL DEFAULT 'base',
    numerator    text COLLATE "C",
    denominator  text COLLATE "C",
    description  text,
    seeded       boolean NOT NULL DEFAULT false,
    search       tsvector GENERATED ALWAYS AS
                 (to_tsvector('simple', tdkt_fold(code || ' ' || name || ' ' || coalesce(description, '')))) STORED,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT indicators_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,47}$'),
    CONSTRAINT indicators_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT indicators_description_length CHECK (char_length(description) <= 2000),
    CONSTRAINT indicators_unit_check CHECK (unit IN ('count', 'vnd', 'm2', 'percent')),
    CONSTRAINT indicators_kind_check CHECK (kind IN ('base', 'ratio')),
    CONSTRAINT indicators_ratio_parts CHECK ((kind = 'ratio') = (numerator IS NOT NULL AND denominator IS NOT NULL)),
    CONSTRAINT indicators_ratio_percent CHECK (kind = 'base' OR unit = 'percent'),
    CONSTRAINT indicators_numerator_fkey FOREIGN KEY (numerator) REFERENCES indicators (code),
    CONSTRAINT indicators_denominator_fkey FOREIGN KEY (denominator) REFERENCES indicators (code)
);
CREATE INDEX indicators_kind_idx ON indicators (kind, code);
CREATE INDEX indicators_unit_idx ON indicators (unit, code);
CREATE INDEX indicators_search_idx ON indicators USING gin (search);

INSERT INTO indicators (code, name, unit, description, seeded) VALUES
  ('inspections', 'Số cuộc thanh tra, kiểm tra', 'count', 'Cuộc thanh tra, kiểm tra kinh tế - xã hội đã triển khai (mẫu 01/TTr)', true),
  ('inspections_planned', 'Số cuộc thanh tra theo kế hoạch', 'count', NULL, true),
  ('inspections_unplanned', 'Số cuộc thanh tra đột xuất', 'count', NULL, true),
  ('conclusions_issued', 'Số kết luận thanh tra đã ban hành', 'count', NULL, true),
  ('inspected_subjects', 'Số cá nhân, tổ chức được thanh tra, kiểm tra', 'count', NULL, true),
  ('violation_vnd', 'Số tiền vi phạm phát hiện', 'vnd', NULL, true),
  ('violation_land_m2', 'Diện tích đất vi phạm phát hiện', 'm2', NULL, true),
  ('recovery_recommended_vnd', 'Số tiền kiến nghị thu hồi', 'vnd', NULL, true),
  ('recovery_recommended_land_m2', 'Diện tích đất kiến nghị thu hồi', 'm2', NULL, true),
  ('recovered_vnd', 'Số tiền đã thu hồi', 'vnd', NULL, true),
  ('recovered_land_m2', 'Diện tích đất đã thu hồi', 'm2', NULL, true),
  ('sanction_decisions', 'Số quyết định xử phạt vi phạm hành chính', 'count', NULL, true),
  ('sanction_vnd', 'Số tiền xử phạt vi phạm hành chính', 'vnd', NULL, true),
  ('admin_handling_orgs', 'Số tổ chức bị kiến nghị xử lý hành chính', 'count', NULL, true),
  ('admin_handling_individuals', 'Số cá nhân bị kiến nghị xử lý hành chính', 'count', NULL, true),
  ('cases_transferred', 'Số vụ chuyển cơ quan điều tra', 'count', NULL, true),
  ('subjects_transferred', 'Số đối tượng chuyển cơ quan điều tra', 'count', NULL, true),
  ('transferred_vnd', 'Số tiền trong các vụ chuyển cơ quan điều tra', 'vnd', NULL, true),
  ('policy_recommendations', 'Số kiến nghị hoàn thiện cơ chế, chính sách, pháp luật', 'count', NULL, true),
  ('reception_turns', 'Số lượt tiếp công dân', 'count', NULL, true),
  ('citizens_received', 'Số người được tiếp', 'count', NULL, true),
  ('petitions_received', 'Số đơn thư tiếp nhận', 'count', NULL, true),
  ('petitions_eligible', 'Số đơn đủ điều kiện xử lý', 'count', NULL, true),
  ('complaints_in_competence', 'Số vụ việc khiếu nại, tố cáo thuộc thẩm quyền', 'count', NULL, true),
  ('complaints_resolved', 'Số vụ việc khiếu nại, tố cáo thuộc thẩm quyền đã giải quyết', 'count', NULL, true),
  ('corruption_cases_detected', 'Số vụ án tham nhũng phát hiện, tham mưu xử lý', 'count', 'Kế hoạch 142-KH/BNCTW: vụ án tham nhũng', true),
  ('petty_corruption_incidents', 'Số vụ việc có hành vi "tham nhũng vặt"', 'count', 'Kế hoạch 142-KH/BNCTW: vụ việc tham nhũng vặt', true);

INSERT INTO indicators (code, name, unit, kind, numerator, denominator, description, seeded) VALUES
  ('recovery_rate', 'Tỷ lệ thu hồi tiền', 'percent', 'ratio', 'recovered_vnd', 'recovery_recommended_vnd',
   'Số tiền đã thu hồi / số tiền kiến nghị thu hồi', true),
  ('complaint_resolution_rate', 'Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền', 'percent', 'ratio',
   'complaints_resolved', 'complaints_in_competence', 'Số vụ việc đã giải quyết / số vụ việc thuộc thẩm quyền', true);

CREATE TRIGGER indicators_record_change AFTER INSERT OR UPDATE OR DELETE ON indicators
    FOR EACH ROW EXECUTE FUNCTION tdkt_record_change('indicator');
