"""/v1/stats/indicators, /v1/stats/indicators/series and /v1/campaigns/{id}/progress: the demo's
figures reproduce the seed articles exactly; CSV (parsed back with the csv module) and XLSX (read
back with openpyxl) hold the same table as the JSON; drafts never count; content negotiation."""
import csv
import io
from decimal import Decimal

import openpyxl
import pytest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Tạp chí Thanh tra, 16/11/2022: Cụm thi đua số IV's year. Counts exact; money as the article
# rounds it ("trên 100 tỷ", "hơn 71.5 tỷ", "trên 64.2 tỷ", "hơn 26 tỷ").
CUM_IV_2022_COUNTS = {
    "inspections": 1902, "inspected_subjects": 7539, "violation_land_m2": 49424, "recovery_recommended_land_m2": 9895,
    "sanction_decisions": 1510, "admin_handling_orgs": 36, "admin_handling_individuals": 453,
    "reception_turns": 10565, "citizens_received": 11377, "petitions_received": 14204, "petitions_eligible": 11301,
    "complaints_in_competence": 363, "complaints_resolved": 321,
}
CUM_IV_2022_MONEY = {  # code: (at least, below)
    "violation_vnd": (100_000_000_000, 101_000_000_000),
    "recovery_recommended_vnd": (71_500_000_000, 71_600_000_000),
    "recovered_vnd": (64_200_000_000, 64_300_000_000),
    "sanction_vnd": (26_000_000_000, 27_000_000_000),
}


@pytest.fixture(scope="module")
def clusters(api, tokens):
    items = api.get("/v1/clusters", token=tokens["viewer"], params={"limit": 500}).json()["items"]
    return {c["code"]: c["id"] for c in items}


@pytest.fixture(scope="module")
def names(api, tokens):
    """the Vietnamese column headers of the CSV and XLSX, back to indicator codes"""
    items = api.get("/v1/indicators", token=tokens["viewer"], params={"limit": 500}).json()["items"]
    suffix = {"count": "", "vnd": " (đồng)", "m2": " (m²)", "percent": " (%)"}
    return {i["name"] + suffix[i["unit"]]: i["code"] for i in items}


def stats(api, token, **params):
    r = api.get("/v1/stats/indicators", token=token, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_cum_iv_2022_reproduces_the_article(api, tokens, clusters):
    s = stats(api, tokens["viewer"], cluster_id=clusters["TTCP-CUM-IV"], year=2022)
    assert s["scope"] == {"kind": "cluster", "id": clusters["TTCP-CUM-IV"], "name": "Cụm thi đua số IV"}
    assert s["units_expected"] == 7 and s["units_reporting"] == 7 and s["not_reporting"] == []
    for code, value in CUM_IV_2022_COUNTS.items():
        assert s["totals"][code] == value, code
    for code, (low, high) in CUM_IV_2022_MONEY.items():
        assert low <= s["totals"][code] < high and s["totals"][code] == int(s["totals"][code]), code
    assert s["ratios"] == {"recovery_rate": 89.72, "complaint_resolution_rate": 88.43}
    # the ratio of the sums, not the mean of the provinces' ratios
    t = s["totals"]
    assert round(Decimal(t["recovered_vnd"]) * 100 / Decimal(t["recovery_recommended_vnd"]), 2) == Decimal("89.72")
    by_unit = stats(api, tokens["viewer"], cluster_id=clusters["TTCP-CUM-IV"], year=2022, group_by="unit")["by_unit"]
    assert len(by_unit) == 7 and all(u["status"] == "accepted" for u in by_unit)
    mean = sum(Decimal(str(u["ratios"]["recovery_rate"])) for u in by_unit) / 7
    assert round(mean, 2) != Decimal("89.72")
    for code in CUM_IV_2022_COUNTS:
        assert sum(u["values"].get(code, 0) for u in by_unit) == t[code]


def test_the_same_totals_by_subtree_and_accepted_only(api, tokens, clusters, units):
    cluster = stats(api, tokens["integration"], cluster_id=clusters["TTCP-CUM-IV"], year=2022)
    subtree = stats(api, tokens["integration"], unit_id=units["TTCP"], year=2022)
    assert subtree["scope"]["kind"] == "subtree" and subtree["totals"] == cluster["totals"]
    assert subtree["units_reporting"] == 7
    accepted = stats(api, tokens["integration"], cluster_id=clusters["TTCP-CUM-IV"], year=2022, status="accepted")
    assert accepted["totals"] == cluster["totals"]
    submitted = stats(api, tokens["integration"], cluster_id=clusters["TTCP-CUM-IV"], year=2022, status="submitted")
    assert submitted["units_reporting"] == 0 and submitted["totals"] == {} and len(submitted["not_reporting"]) == 7


def test_cum_1_2019_and_the_country(api, tokens, clusters, units):
    s = stats(api, tokens["officer"], cluster_id=clusters["BNCTW-CUM-1"], year=2019, group_by="unit")
    assert s["units_expected"] == 14 and s["units_reporting"] == 14
    assert s["totals"]["corruption_cases_detected"] == 22 and s["totals"]["petty_corruption_incidents"] == 14
    got = {u["unit_code"]: (u["values"]["corruption_cases_detected"], u["values"]["petty_corruption_incidents"])
           for u in s["by_unit"]}
    assert got["BNC-BGG"] == (3, 3) and got["BNC-LSN"] == (2, 2) and got["BNC-TNN"] == (2, 2)
    # the country in 2019: Cụm 1 and Thanh tra Kiên Giang's report of the 2020 article
    country = stats(api, tokens["officer"], year=2019)
    assert country["scope"] == {"kind": "all", "id": None, "name": None}
    assert country["totals"]["corruption_cases_detected"] == 22
    assert country["totals"]["violation_vnd"] > 35_000_000_000
    assert country["totals"]["cases_transferred"] == 2 and country["totals"]["transferred_vnd"] > 18_000_000_000


def test_drafts_and_returned_reports_never_count(api, tokens, clusters, units, server):
    """Cụm IV in 2023: one submitted report, a draft, a returned one"""
    lsn = api.post("/v1/reports", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "year": 2023,
                                                                  "values": {"inspections": 40}}).json()
    api.post(f"/v1/reports/{lsn['id']}/submit", token=tokens["officer"])
    draft = api.post("/v1/reports", token=tokens["admin"], json={"unit_id": units["TT-LCH"], "year": 2023,
                                                                  "values": {"inspections": 1000000}}).json()
    returned = api.post("/v1/reports", token=tokens["admin"], json={"unit_id": units["TT-SLA"], "year": 2023,
                                                                     "values": {"inspections": 2000000}}).json()
    api.post(f"/v1/reports/{returned['id']}/submit", token=tokens["admin"])
    assert api.post(f"/v1/reports/{returned['id']}/return", token=tokens["authority"], json={"note": "Sai"}).status_code == 200
    for role in ("admin", "officer", "viewer", "integration", "authority"):  # whoever asks
        s = stats(api, tokens[role], cluster_id=clusters["TTCP-CUM-IV"], year=2023, group_by="unit")
        assert s["totals"] == {"inspections": 40} and s["units_reporting"] == 1 and s["units_expected"] == 7
        assert [u["unit_id"] for u in s["by_unit"]] == [units["TT-LSN"]]
        assert units["TT-LCH"] in [u["unit_id"] for u in s["not_reporting"]]
        series = api.get("/v1/stats/indicators/series", token=tokens[role], params={
            "cluster_id": clusters["TTCP-CUM-IV"], "codes": "inspections", "from_year": 2023, "to_year": 2023}).json()
        assert series["items"] == [{"year": 2023, "values": {"inspections": 40}}]
    assert draft["status"] == "draft"


def table_of_csv(r):
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    assert b"\r\n" in r.content
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def table_of_xlsx(r):
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def same(a, b):
    return a == b if isinstance(a, str) or isinstance(b, str) else Decimal(str(a)) == Decimal(str(b))


def number(cell):
    return None if cell in ("", None) else Decimal(str(cell))


@pytest.mark.parametrize("accept,reader", [("text/csv", table_of_csv), (XLSX, table_of_xlsx)])
def test_indicator_table_as_csv_and_xlsx_is_the_json(api, tokens, clusters, names, accept, reader):
    params = {"cluster_id": clusters["TTCP-CUM-IV"], "year": 2022}
    js = stats(api, tokens["viewer"], group_by="unit", **params)
    r = api.get("/v1/stats/indicators", token=tokens["viewer"], params=params, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    assert r.headers["Content-Disposition"] == \
        f'attachment; filename="chi-tieu-2022-year-cluster-{clusters["TTCP-CUM-IV"]}.{"csv" if accept == "text/csv" else "xlsx"}"'
    assert "Accept" in r.headers["Vary"]
    rows = reader(r)
    head = rows[0]
    assert head[:2] == ["Mã đơn vị", "Đơn vị"]
    codes = [names[h] for h in head[2:]]
    assert set(codes) == set(js["totals"]) | set(js["ratios"])
    by_code = {u["unit_code"]: u for u in js["by_unit"]}
    assert [row[0] for row in rows[1:-1]] == [u["unit_code"] for u in js["by_unit"]]
    for row in rows[1:-1]:
        u = by_code[row[0]]
        assert row[1] == u["unit_name"]
        for code, cell in zip(codes, row[2:]):
            want = u["values"].get(code, u["ratios"].get(code))
            assert number(cell) == (None if want is None else Decimal(str(want))), (row[0], code)
    total = rows[-1]
    assert total[:2] == ["", "Tổng cộng"]
    for code, cell in zip(codes, total[2:]):
        assert number(cell) == Decimal(str(js["totals"].get(code, js["ratios"].get(code)))), code


@pytest.mark.parametrize("accept,status", [
    ("text/html", 406), ("application/xml", 406), ("*/*;q=0", 406), ("text/csv;q=0, application/json;q=0", 406),
    ("*/*", 200), ("application/*", 200), ("text/*", 200), ("text/html, text/csv;q=0.5", 200),
])
def test_content_negotiation(api, tokens, clusters, accept, status):
    for path, params in (("/v1/stats/indicators", {"year": 2022}),
                         ("/v1/stats/indicators/series", {"codes": "inspections", "from_year": 2022, "to_year": 2022})):
        r = api.get(path, token=tokens["viewer"], params=params, headers={"Accept": accept})
        assert r.status_code == status, (path, accept, r.text)


@pytest.mark.parametrize("params,status", [
    ({}, 400), ({"year": 1999}, 400), ({"year": 2022, "span": "month"}, 400), ({"year": 2022, "status": "draft"}, 400),
    ({"year": 2022, "cluster_id": 1, "unit_id": 1}, 400), ({"year": 2022, "group_by": "field"}, 400),
    ({"year": 2022, "colour": "red"}, 400), ({"year": 2022, "cluster_id": 999999}, 404),
    ({"year": 2022, "unit_id": 999999}, 404), ({"year": 2022, "cluster_id": "x"}, 400),
])
def test_indicator_stats_parameters(api, tokens, params, status):
    assert api.get("/v1/stats/indicators", token=tokens["viewer"], params=params).status_code == status
    assert api.get("/v1/stats/indicators", params={"year": 2022}).status_code == 401


def test_series_for_charts(api, tokens, clusters, names):
    params = {"cluster_id": clusters["TTCP-CUM-IV"], "codes": "inspections,recovery_rate,complaint_resolution_rate",
              "from_year": 2021, "to_year": 2022}
    r = api.get("/v1/stats/indicators/series", token=tokens["viewer"], params=params)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["codes"] == ["inspections", "recovery_rate", "complaint_resolution_rate"]
    assert s["items"] == [
        {"year": 2021, "values": {"inspections": None, "recovery_rate": None, "complaint_resolution_rate": None}},
        {"year": 2022, "values": {"inspections": 1902, "recovery_rate": 89.72, "complaint_resolution_rate": 88.43}},
    ]
    rows = table_of_csv(api.get("/v1/stats/indicators/series", token=tokens["viewer"], params=params,
                                headers={"Accept": "text/csv"}))
    assert rows[0][0] == "Năm" and [names[h] for h in rows[0][1:]] == s["codes"]
    assert rows[1:] == [["2021", "", "", ""], ["2022", "1902", "89.72", "88.43"]]
    sheet = table_of_xlsx(api.get("/v1/stats/indicators/series", token=tokens["viewer"], params=params,
                                  headers={"Accept": XLSX}))
    assert sheet[2] == [2022, 1902, 89.72, 88.43]
    cum1 = api.get("/v1/stats/indicators/series", token=tokens["integration"], params={
        "cluster_id": clusters["BNCTW-CUM-1"], "codes": "corruption_cases_detected", "from_year": 2019, "to_year": 2020}).json()
    assert [i["values"]["corruption_cases_detected"] for i in cum1["items"]] == [22, None]


@pytest.mark.parametrize("params", [
    {"codes": "inspections", "from_year": 2022},
    {"codes": "inspections", "from_year": 2022, "to_year": 2021},
    {"codes": "inspections", "from_year": 2000, "to_year": 2060},
    {"codes": "", "from_year": 2022, "to_year": 2022},
    {"codes": "inspections,inspections", "from_year": 2022, "to_year": 2022},
    {"codes": "inspections,no_such_code", "from_year": 2022, "to_year": 2022},
    {"codes": "Inspections", "from_year": 2022, "to_year": 2022},
    {"codes": ",".join(f"c{i:02d}" for i in range(21)), "from_year": 2022, "to_year": 2022},
])
def test_series_parameters(api, tokens, params):
    assert api.get("/v1/stats/indicators/series", token=tokens["viewer"], params=params).status_code == 400


@pytest.fixture(scope="module")
def campaign_142(api, tokens):
    items = api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "142-KH/BNCTW"}).json()["items"]
    return next(c for c in items if c["code"] == "BNCTW-142")


def test_progress_of_plan_142_reproduces_the_article(api, tokens, campaign_142, clusters):
    r = api.get(f"/v1/campaigns/{campaign_142['id']}/progress", token=tokens["viewer"], params={"year": 2019})
    assert r.status_code == 200, r.text
    p = r.json()
    got = {i["unit_code"]: {t["indicator_code"]: (t["target"], t["actual"], t["achieved_pct"]) for t in i["targets"]}
           for i in p["items"]}
    assert len(got) == 14
    assert got["BNC-BGG"] == {"corruption_cases_detected": (2, 3, 150.0), "petty_corruption_incidents": (3, 3, 100.0)}
    assert got["BNC-LSN"] == {"corruption_cases_detected": (1, 2, 200.0), "petty_corruption_incidents": (1, 2, 200.0)}
    assert got["BNC-TNN"] == {"corruption_cases_detected": (1, 2, 200.0), "petty_corruption_incidents": (1, 2, 200.0)}
    totals = {t["indicator_code"]: t for t in p["totals"]}
    assert totals["corruption_cases_detected"]["actual"] == 22 and totals["petty_corruption_incidents"]["actual"] == 14
    # only the three the article names went beyond their targets
    beyond = sorted(c for c, ts in got.items() if any(a is not None and a > t for t, a, _ in ts.values()))
    assert beyond == ["BNC-BGG", "BNC-LSN", "BNC-TNN"]
    # filters: the cluster that year; a unit
    assert len(api.get(f"/v1/campaigns/{campaign_142['id']}/progress", token=tokens["viewer"],
                       params={"year": 2019, "cluster_id": clusters["BNCTW-CUM-1"]}).json()["items"]) == 14
    one = api.get(f"/v1/campaigns/{campaign_142['id']}/progress", token=tokens["viewer"],
                  params={"year": 2019, "unit_id": p["items"][0]["unit_id"]}).json()
    assert [i["unit_id"] for i in one["items"]] == [p["items"][0]["unit_id"]]
    assert api.get(f"/v1/campaigns/{campaign_142['id']}/progress", token=tokens["viewer"],
                   params={"year": 2020}).json()["items"] == []


@pytest.mark.parametrize("accept,reader", [("text/csv", table_of_csv), (XLSX, table_of_xlsx)])
def test_progress_table_is_the_json(api, tokens, campaign_142, accept, reader):
    url = f"/v1/campaigns/{campaign_142['id']}/progress"
    js = api.get(url, token=tokens["viewer"], params={"year": 2019}).json()
    r = api.get(url, token=tokens["viewer"], params={"year": 2019}, headers={"Accept": accept})
    assert r.status_code == 200 and "filename=\"tien-do-phong-trao-" in r.headers["Content-Disposition"]
    rows = reader(r)
    assert rows[0] == ["Mã đơn vị", "Đơn vị", "Năm", "Mã chỉ tiêu", "Chỉ tiêu", "Đăng ký", "Thực hiện", "Tỷ lệ đạt (%)"]
    want = [[i["unit_code"], i["unit_name"], 2019, t["indicator_code"], t["target"], t["actual"], t["achieved_pct"]]
            for i in js["items"] for t in i["targets"]]
    want += [["", "Tổng cộng", 2019, t["indicator_code"], t["target"], t["actual"], t["achieved_pct"]] for t in js["totals"]]
    got = [[row[0], row[1], row[2], row[3], row[5], row[6], row[7]] for row in rows[1:]]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1] and g[3] == w[3], (g, w)
        assert number(g[2]) == w[2] and all(number(a) == (None if b is None else Decimal(str(b))) for a, b in zip(g[4:], w[4:]))


def test_progress_hides_other_units_draft_registrations(api, tokens, units, server):
    camp = next(c for c in api.get("/v1/campaigns", token=tokens["viewer"], params={"status": "active", "limit": 500}).json()["items"]
                if c["code"].startswith("TTCP-DEMO-"))
    year = int(camp["starts_on"][:4])
    r = api.post(f"/v1/campaigns/{camp['id']}/registrations", token=tokens["officer"], json={
        "unit_id": units["TT-LSN"], "year": year, "targets": [{"indicator_code": "inspections", "target": 300}]})
    assert r.status_code == 201, r.text
    url = f"/v1/campaigns/{camp['id']}/progress"
    mine = api.get(url, token=tokens["officer"], params={"year": year}).json()["items"]
    assert [(i["unit_code"], i["status"], i["targets"][0]["actual"]) for i in mine] == [("TT-LSN", "draft", None)]
    sla = server.token("officer", units["TT-SLA"], sub=831)
    for token in (sla, tokens["integration"]):
        assert api.get(url, token=token, params={"year": year}).json()["items"] == []


@pytest.mark.parametrize("path,params,status", [
    ("/v1/campaigns/999999/progress", {"year": 2019}, 404),
    ("/v1/campaigns/1/progress", {}, 400),
    ("/v1/campaigns/1/progress", {"year": 2019, "subtree": "maybe"}, 400),
    ("/v1/campaigns/1/progress", {"year": 2019, "cluster_id": "-1"}, 400),
    ("/v1/campaigns/x/progress", {"year": 2019}, 404),
])
def test_progress_parameters(api, tokens, path, params, status):
    assert api.get(path, token=tokens["viewer"], params=params).status_code == status
