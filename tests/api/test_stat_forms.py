"""/v1/stats/forms/{code}: the yearly forms 0601 (campaigns) and 0602 (state-level awards) of
Thông tư 02/2023/TT-BNV, counted exactly over a tree of units of their own (so that what other
tests create does not move the counts): subtree scoping, the year, drafts, history and revoked
awards left out, forwarded nominees, CSV and XLSX the same table as the JSON, content
negotiation, parameters, roles. Award data is written with SQL as the schema owner (the
decisions API lands separately), as a decision leaves it: a decided dossier, decided proposals
with their decision, and an award per proposal."""
import csv
import io
import json

import openpyxl
import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2027

# a tree of its own: SF-TW (central) with two provinces' inspectorates, one with a division;
# SF-BN another central root outside it
SETUP = """
SET tdkt.actor_role = 'system';
INSERT INTO units (code, name, kind, parent_id, province_code) VALUES
  ('SF-TW', 'Thanh tra trung ương (biểu mẫu)', 'government_inspectorate', NULL, NULL),
  ('SF-BN', 'Ban Nội chính trung ương (biểu mẫu)', 'internal_affairs_board', NULL, NULL);
INSERT INTO units (code, name, kind, parent_id, province_code) VALUES
  ('SF-T1', 'Thanh tra tỉnh một (biểu mẫu)', 'provincial_inspectorate', (SELECT id FROM units WHERE code = 'SF-TW'), '20'),
  ('SF-T2', 'Thanh tra tỉnh hai (biểu mẫu)', 'provincial_inspectorate', (SELECT id FROM units WHERE code = 'SF-TW'), '12');
INSERT INTO units (code, name, kind, parent_id, province_code) VALUES
  ('SF-T1-P', 'Phòng thuộc Thanh tra tỉnh một (biểu mẫu)', 'division', (SELECT id FROM units WHERE code = 'SF-T1'), '20');
INSERT INTO people (unit_id, full_name) SELECT u.id, p.name FROM (VALUES
  ('SF-T1', 'Biểu mẫu Người một'), ('SF-T1', 'Biểu mẫu Người hai'), ('SF-T1', 'Biểu mẫu Người ba'), ('SF-T1-P', 'Biểu mẫu Người bốn'),
  ('SF-T2', 'Biểu mẫu Người năm'), ('SF-BN', 'Biểu mẫu Người sáu')) AS p(unit, name) JOIN units u ON u.code = p.unit;
INSERT INTO clusters (code, name, organizer_unit_id) SELECT 'SF-CUM', 'Cụm biểu mẫu', id FROM units WHERE code = 'SF-TW';

-- campaigns: (code, launcher, kind, starts, ends, status)
INSERT INTO campaigns (code, title, kind, launched_by_unit_id, starts_on, ends_on, status)
SELECT c.code, 'Phong trào ' || c.code, c.kind, u.id, c.starts::date, c.ends::date, c.status FROM (VALUES
  ('SF-C1', 'SF-TW', 'regular', '2027-01-01', '2027-12-31', 'active'),     -- central, 1 year
  ('SF-C2', 'SF-T1', 'thematic', '2026-03-01', '2028-02-29', 'active'),    -- province, 2 years
  ('SF-C3', 'SF-T1-P', 'regular', '2027-05-01', '2027-07-31', 'closed'),   -- a division's, clusters, 3 months
  ('SF-C4', 'SF-T2', 'thematic', '2023-01-01', '2027-12-31', 'active'),    -- province, 5 years
  ('SF-C5', 'SF-T2', 'regular', '2027-01-01', '2027-12-31', 'draft'),      -- a draft: not counted
  ('SF-C6', 'SF-T1', 'regular', '2025-01-01', '2026-12-31', 'closed'),     -- over before the year
  ('SF-C7', 'SF-BN', 'regular', '2027-01-01', '2027-12-31', 'active'),     -- another tree
  ('SF-C8', 'SF-T1', 'regular', '2027-12-31', '2028-12-30', 'active')      -- its first day the year's last
) AS c(code, unit, kind, starts, ends, status) JOIN units u ON u.code = c.unit;
INSERT INTO campaign_clusters (campaign_id, cluster_id)
SELECT (SELECT id FROM campaigns WHERE code = 'SF-C3'), id FROM clusters WHERE code = 'SF-CUM';

-- decisions: D1 and D3 by SF-TW in the year (D3 cancelled), D2 by SF-BN, D4 the year before
INSERT INTO decisions (number, signed_on, issuing_unit_id) SELECT d.number, d.signed::date, u.id FROM (VALUES
  ('SF-QD-1', '2027-06-01', 'SF-TW'), ('SF-QD-2', '2027-09-09', 'SF-BN'), ('SF-QD-4', '2026-12-30', 'SF-TW')
) AS d(number, signed, unit) JOIN units u ON u.code = d.unit;
INSERT INTO decisions (number, signed_on, issuing_unit_id, status, cancel_reason, cancel_legal_basis, cancelled_on,
                       cancelling_number)
SELECT 'SF-QD-3', '2027-03-03', id, 'cancelled', 'Khen sai đối tượng', 'Luật Thi đua, khen thưởng 2022', '2027-04-04',
       'SF-QD-3-HUY' FROM units WHERE code = 'SF-TW';

-- dossiers: (number, proposer, approver); DS0 was forwarded up into DS1
INSERT INTO dossiers (number, year, proposing_unit_id, approving_unit_id, status)
SELECT d.number, 2027, p.id, a.id, 'decided' FROM (VALUES
  ('SF-TTr-1', 'SF-T1', 'SF-TW'), ('SF-TTr-0', 'SF-T1-P', 'SF-T1'), ('SF-TTr-2', 'SF-TW', 'SF-BN'),
  ('SF-TTr-3', 'SF-T2', 'SF-TW'), ('SF-TTr-4', 'SF-T2', 'SF-TW'), ('SF-TTr-5', 'SF-BN', 'SF-TW')
) AS d(number, proposer, approver) JOIN units p ON p.code = d.proposer JOIN units a ON a.code = d.approver;
UPDATE dossiers SET parent_id = (SELECT id FROM dossiers WHERE number = 'SF-TTr-1') WHERE number = 'SF-TTr-0';

-- nominees: (dossier, kind, recipient unit, person, household, class, decision)
CREATE TEMP TABLE sf_nominees (tag text, dossier text, kind text, unit text, person text, household jsonb,
                               class text, decision text);
INSERT INTO sf_nominees VALUES
  ('P1', 'SF-TTr-1', 'bang_khen_thu_tuong', NULL, 'Biểu mẫu Người một', NULL, 'staff', 'SF-QD-1'),
  ('P2', 'SF-TTr-1', 'co_thi_dua_chinh_phu', 'SF-T1', NULL, NULL, 'other', 'SF-QD-1'),
  ('P3', 'SF-TTr-1', 'huan_chuong_lao_dong_hang_ba', NULL, 'Biểu mẫu Người hai', NULL, 'leader', 'SF-QD-1'),
  ('P4', 'SF-TTr-1', 'bang_khen_thu_tuong', NULL, NULL, '{"name": "Hộ ông Năm", "address": "Bản Một"}', 'worker_farmer', 'SF-QD-1'),
  ('P5', 'SF-TTr-1', 'bang_khen_bo_nganh_tinh', NULL, 'Biểu mẫu Người ba', NULL, 'staff', 'SF-QD-1'),
  ('P0', 'SF-TTr-0', 'chien_si_thi_dua_toan_quoc', NULL, 'Biểu mẫu Người bốn', NULL, 'business', 'SF-QD-1'),
  ('P6', 'SF-TTr-1', 'chien_si_thi_dua_toan_quoc', NULL, 'Biểu mẫu Người bốn', NULL, 'business', 'SF-QD-1'),
  ('P7', 'SF-TTr-2', 'bang_khen_thu_tuong', 'SF-T2', NULL, NULL, 'foreigner', 'SF-QD-2'),
  ('P8', 'SF-TTr-3', 'bang_khen_thu_tuong', NULL, 'Biểu mẫu Người năm', NULL, 'staff', 'SF-QD-3'),
  ('P9', 'SF-TTr-4', 'chien_si_thi_dua_toan_quoc', NULL, 'Biểu mẫu Người năm', NULL, 'staff', 'SF-QD-4'),
  ('P10', 'SF-TTr-5', 'bang_khen_thu_tuong', NULL, 'Biểu mẫu Người sáu', NULL, 'leader', 'SF-QD-1');
INSERT INTO proposals (dossier_id, award_kind_code, recipient_unit_id, recipient_person_id, recipient_household,
                       subject_class, status, decision_id, achievements)
SELECT d.id, n.kind, u.id, p.id, n.household, n.class, CASE WHEN n.decision = 'SF-QD-3' THEN 'revoked' ELSE 'decided' END,
       dc.id, n.tag
FROM sf_nominees n JOIN dossiers d ON d.number = n.dossier JOIN decisions dc ON dc.number = n.decision
LEFT JOIN units u ON u.code = n.unit LEFT JOIN people p ON p.full_name = n.person;
UPDATE proposals SET forwarded_from_id = (SELECT id FROM proposals WHERE achievements = 'P0' AND dossier_id IN
    (SELECT id FROM dossiers WHERE number = 'SF-TTr-0'))
 WHERE achievements = 'P6' AND dossier_id = (SELECT id FROM dossiers WHERE number = 'SF-TTr-1');

-- an award per nominee the decisions named (the copy P6 for the forwarded P0), as the decision
-- grants it; D3's revoked with its decision
INSERT INTO awards (award_kind_code, year, recipient_unit_id, recipient_person_id, recipient_household, decision_id,
                    decision_number, decided_on, issuing_unit_id, source, revoked_on, revocation_reason)
SELECT p.award_kind_code, extract(year FROM dc.signed_on)::int, p.recipient_unit_id, p.recipient_person_id,
       p.recipient_household, dc.id, dc.number, dc.signed_on, dc.issuing_unit_id, 'decision', dc.cancelled_on,
       dc.cancel_reason
FROM proposals p JOIN dossiers d ON d.id = p.dossier_id JOIN decisions dc ON dc.id = p.decision_id
WHERE d.number LIKE 'SF-TTr-%' AND d.approving_unit_id = dc.issuing_unit_id;
-- history of a state-level kind in the year: not a decision's, not counted
INSERT INTO awards (award_kind_code, year, recipient_person_id, decision_number, decided_on, source)
SELECT 'bang_khen_thu_tuong', 2027, id, 'LS-01/QĐ-TTg', '2027-02-02', 'history' FROM people WHERE full_name = 'Biểu mẫu Người ba';
SELECT json_object_agg(code, id) FROM units WHERE code LIKE 'SF-%';
"""


@pytest.fixture(scope="module")
def tree(server):
    return json.loads(server.sql(SETUP).splitlines()[-1])


def form(api, token, code, **params):
    r = api.get(f"/v1/stats/forms/{code}", token=token, params=params)
    assert r.status_code == 200, r.text
    assert "Accept" in r.headers["Vary"]
    return r.json()


def cells(f):
    """row code -> {column number: count}, only the non-zero counts"""
    return {row["code"]: {c: n for c, n in row["columns"].items() if n} for row in f["rows"]}


def test_0601_counts_the_subtrees_campaigns_of_the_year(api, tokens, tree):
    f = form(api, tokens["viewer"], "0601", unit_id=tree["SF-TW"], year=YEAR)
    assert f["form"] == "0601" and f["title"] == "Số phong trào thi đua" and f["year"] == YEAR
    assert f["legal_basis"] == "Thông tư 02/2023/TT-BNV" and f["source_checked"] is False
    assert f["unit"] == {"id": tree["SF-TW"], "code": "SF-TW", "name": "Thanh tra trung ương (biểu mẫu)"}
    assert [c["code"] for c in f["columns"]] == ["1", "2", "3", "4"]
    assert [r["code"] for r in f["rows"]] == ["1", "2", "2.1", "2.2", "2.3", "2.4", "3", "3.1", "3.2", "3.3", "3.4",
                                              "3.5", "4", "4.1", "4.2"]
    # C1 central yearly; C2, C4, C8 provinces'; C3 a division's with a cluster. Not C5 (draft),
    # C6 (over in 2026), C7 (another tree).
    assert cells(f) == {
        "1": {"1": 5, "2": 1, "3": 3, "4": 1},
        "2": {"1": 5, "2": 1, "3": 3, "4": 1},
        "2.1": {"1": 1, "2": 1},
        "2.2": {"1": 3, "3": 3},
        "2.3": {"1": 1, "4": 1},
        "2.4": {},
        "3": {"1": 5, "2": 1, "3": 3, "4": 1},
        "3.1": {"1": 1, "4": 1},
        "3.2": {"1": 2, "2": 1, "3": 1},
        "3.3": {"1": 1, "3": 1},
        "3.4": {},
        "3.5": {"1": 1, "3": 1},
        "4": {"1": 5, "2": 1, "3": 3, "4": 1},
        "4.1": {"1": 2, "3": 2},
        "4.2": {"1": 3, "2": 1, "3": 1, "4": 1},
    }


def test_0601_subtree_and_year(api, tokens, tree):
    t1 = cells(form(api, tokens["viewer"], "0601", unit_id=tree["SF-T1"], year=YEAR))
    assert t1["1"] == {"1": 3, "3": 2, "4": 1}  # C2, C8 and the division's C3
    division = cells(form(api, tokens["viewer"], "0601", unit_id=tree["SF-T1-P"], year=YEAR))
    assert division["1"] == {"1": 1, "4": 1} and division["2.3"] == {"1": 1, "4": 1}
    assert cells(form(api, tokens["viewer"], "0601", unit_id=tree["SF-BN"], year=YEAR))["2.1"] == {"1": 1, "2": 1}
    # 2028: C2 (to 29 February) and C8; 2026: C2, C4 and C6 (closed, but it ran)
    assert cells(form(api, tokens["viewer"], "0601", unit_id=tree["SF-TW"], year=2028))["1"] == {"1": 2, "3": 2}
    assert cells(form(api, tokens["viewer"], "0601", unit_id=tree["SF-TW"], year=2026))["1"] == {"1": 3, "3": 3}
    empty = form(api, tokens["viewer"], "0601", unit_id=tree["SF-T2"], year=2030)
    assert all(n == 0 for row in empty["rows"] for n in row["columns"].values())


def test_0602_counts_the_state_level_awards_of_the_year(api, tokens, tree):
    f = form(api, tokens["viewer"], "0602", unit_id=tree["SF-TW"], year=YEAR)
    assert f["title"] == "Số lượng khen thưởng cấp Nhà nước" and f["source_checked"] is False
    assert [c["code"] for c in f["columns"]] == [str(n) for n in range(1, 16)]
    assert [r["code"] for r in f["rows"]] == ["1", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3", "3.4", "3.5",
                                              "3.6"]
    labels = {c["code"]: c["label"] for c in f["columns"]}
    assert labels["10"] == "Bằng khen của Thủ tướng Chính phủ: tập thể" and labels["13"] == "Chiến sĩ thi đua toàn quốc: cá nhân"
    # P1 Bằng khen to a person (11), P2 Cờ to SF-T1 (8), P3 Huân chương to a person (3), P4 Bằng
    # khen to a household (with the collectives: 10), P6 Chiến sĩ thi đua toàn quốc forwarded
    # from the division (13): proposed by SF-T1; P7 Bằng khen to SF-T2 proposed by SF-TW itself
    # (10). Not P5 (a provincial kind), P8 (revoked), P9 (2026), P10 (SF-BN's), the history award.
    assert cells(f) == {
        "1": {"1": 6, "3": 1, "8": 1, "10": 2, "11": 1, "13": 1},
        "2": {"1": 6, "3": 1, "8": 1, "10": 2, "11": 1, "13": 1},
        "2.1": {"1": 1, "10": 1},
        "2.2": {"1": 5, "3": 1, "8": 1, "10": 1, "11": 1, "13": 1},
        "2.3": {},
        "3": {"1": 6, "3": 1, "8": 1, "10": 2, "11": 1, "13": 1},
        "3.1": {"1": 1, "3": 1},
        "3.2": {"1": 1, "11": 1},
        "3.3": {"1": 1, "10": 1},
        "3.4": {"1": 1, "13": 1},
        "3.5": {"1": 1, "10": 1},
        "3.6": {"1": 1, "8": 1},
    }


def test_0602_subtree_is_who_proposed(api, tokens, tree):
    t1 = cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-T1"], year=YEAR))
    assert t1["1"] == {"1": 5, "3": 1, "8": 1, "10": 1, "11": 1, "13": 1}
    # the division proposed P0, which SF-T1 forwarded: its award, at the level that sent it up
    division = cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-T1-P"], year=YEAR))
    assert division["1"] == {"1": 1, "13": 1} and division["2.2"] == {"1": 1, "13": 1} and division["3.4"] == {"1": 1, "13": 1}
    # SF-T2 received P7's Bằng khen but did not propose it; its own P8 was revoked
    assert cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-T2"], year=YEAR))["1"] == {}
    assert cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-BN"], year=YEAR))["2.1"] == {"1": 1, "11": 1}
    # 2026: P9, decided on 30 December
    assert cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-TW"], year=2026))["1"] == {"1": 1, "13": 1}


def test_0602_a_revoked_award_stops_counting(api, tokens, tree, server):
    before = cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-TW"], year=YEAR))["1"]
    award = server.sql("SELECT a.id FROM awards a JOIN people p ON p.id = a.recipient_person_id"
                       " WHERE p.full_name = 'Biểu mẫu Người một' AND a.source = 'decision'")
    server.sql(f"UPDATE awards SET revoked_on = '2027-10-10', revocation_reason = 'Thử thu hồi' WHERE id = {award}")
    try:
        after = cells(form(api, tokens["viewer"], "0602", unit_id=tree["SF-TW"], year=YEAR))["1"]
        assert after == {**{k: v for k, v in before.items() if k != "11"}, "1": before["1"] - 1}
    finally:
        server.sql(f"UPDATE awards SET revoked_on = NULL, revocation_reason = NULL WHERE id = {award}")


def test_0601_on_the_demo_is_the_contracts_example(api, tokens, units, contract):
    """Ban Nội chính Trung ương in 2019: Kế hoạch 142-KH/BNCTW, thematic, for Cụm thi đua số 1"""
    f = form(api, tokens["integration"], "0601", unit_id=units["BNCTW"], year=2019)
    example = contract.spec["components"]["examples"]["StatForm0601"]["value"]
    assert f["rows"] == example["rows"] and f["columns"] == example["columns"]
    assert f["unit"]["code"] == "BNCTW"


def table_of_csv(r):
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def table_of_xlsx(r):
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("code", ["0601", "0602"])
@pytest.mark.parametrize("accept,reader,ext", [("text/csv", table_of_csv, "csv"), (XLSX, table_of_xlsx, "xlsx")])
def test_csv_and_xlsx_are_the_form_as_printed(api, tokens, tree, code, accept, reader, ext):
    params = {"unit_id": tree["SF-TW"], "year": YEAR}
    js = form(api, tokens["viewer"], code, **params)
    r = api.get(f"/v1/stats/forms/{code}", token=tokens["viewer"], params=params, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    assert r.headers["Content-Disposition"] == f'attachment; filename="bieu-{code}-{YEAR}-unit-{tree["SF-TW"]}.{ext}"'
    assert "Accept" in r.headers["Vary"]
    rows = reader(r)
    assert rows[0] == ["Chỉ tiêu", "Mã số"] + [c["label"] for c in js["columns"]]
    assert rows[1] == ["A", "B"] + [c["code"] for c in js["columns"]]
    assert len(rows) == 2 + len(js["rows"])
    for got, want in zip(rows[2:], js["rows"]):
        assert got[0] == want["label"] and got[1] == want["code"]
        assert [int(float(n)) for n in got[2:]] == [want["columns"][c["code"]] for c in js["columns"]]


@pytest.mark.parametrize("role", ["admin", "authority", "officer", "viewer", "integration", "authority_bnctw"])
def test_any_role_reads_any_units_forms(api, tokens, tree, role):
    want = form(api, tokens["viewer"], "0602", unit_id=tree["SF-TW"], year=YEAR)
    assert form(api, tokens[role], "0602", unit_id=tree["SF-TW"], year=YEAR) == want


def test_a_token_is_needed(api, tree):
    assert api.get("/v1/stats/forms/0601", params={"unit_id": tree["SF-TW"], "year": YEAR}).status_code == 401


@pytest.mark.parametrize("accept,status", [
    ("text/html", 406), ("application/xml", 406), ("*/*;q=0", 406), ("text/csv;q=0, application/json;q=0", 406),
    ("*/*", 200), ("application/*", 200), ("text/*", 200), ("text/html, text/csv;q=0.5", 200),
])
def test_content_negotiation(api, tokens, tree, accept, status):
    r = api.get("/v1/stats/forms/0601", token=tokens["viewer"], params={"unit_id": tree["SF-TW"], "year": YEAR},
                headers={"Accept": accept})
    assert r.status_code == status, (accept, r.text)
    assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize("path,params,status", [
    ("/v1/stats/forms/0601", {"year": YEAR}, 400),
    ("/v1/stats/forms/0601", {"unit_id": "{unit}"}, 400),
    ("/v1/stats/forms/0601", {"unit_id": "{unit}", "year": 1999}, 400),
    ("/v1/stats/forms/0601", {"unit_id": "{unit}", "year": "2027a"}, 400),
    ("/v1/stats/forms/0602", {"unit_id": "x", "year": YEAR}, 400),
    ("/v1/stats/forms/0602", {"unit_id": "{unit}", "year": YEAR, "cluster_id": 1}, 400),
    ("/v1/stats/forms/0602", {"unit_id": "{unit}", "year": YEAR, "year ": 1}, 400),
    ("/v1/stats/forms/0601", {"unit_id": 999999999, "year": YEAR}, 404),
    ("/v1/stats/forms/0603", {"unit_id": "{unit}", "year": YEAR}, 404),
    ("/v1/stats/forms/601", {"unit_id": "{unit}", "year": YEAR}, 404),
    ("/v1/stats/forms/abcd", {"unit_id": "{unit}", "year": YEAR}, 404),
])
def test_parameters(api, tokens, tree, path, params, status):
    params = {k: (tree["SF-TW"] if v == "{unit}" else v) for k, v in params.items()}
    r = api.get(path, token=tokens["viewer"], params=params)
    assert r.status_code == status, r.text


def test_head_answers_as_get(api, tokens, tree):
    params = {"unit_id": tree["SF-TW"], "year": YEAR}
    for accept in ("application/json", "text/csv"):
        got = api.get("/v1/stats/forms/0602", token=tokens["viewer"], params=params, headers={"Accept": accept})
        head = api.request("HEAD", "/v1/stats/forms/0602", token=tokens["viewer"], params=params,
                           headers={"Accept": accept})
        assert head.status_code == 200 and head.content == b""
        for name in ("Content-Type", "Content-Length", "Content-Disposition"):
            assert head.headers.get(name) == got.headers.get(name), name
