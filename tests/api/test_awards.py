"""/v1/awards and the award records of units and people: history recorded by authorities over the
recipient's unit, the recipient rules, corrections, and what a decision's award refuses."""
import itertools
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

years = itertools.count(1990)


def person(api, tokens, unit_id, name="Hoàng Thị Thu Trang"):
    r = api.post("/v1/people", token=tokens["admin"], json={"unit_id": unit_id, "full_name": name,
                                                            "position": "Thanh tra viên chính"})
    assert r.status_code == 201
    return r.json()


def record(api, token, **body):
    full = {"award_kind_code": "lao_dong_tien_tien", "year": next(years)}
    full.update(body)
    return api.post("/v1/awards", token=token, json=full)


def count(server, where="true"):
    return int(server.sql(f"SELECT count(*) FROM awards WHERE {where}"))


def test_demo_record(api, tokens, units):
    """the Giấy khen the Đảng ủy Khối gave the anti-corruption division's model (2016-2018), granted by
    its (assumed) decision in the demo's dossier (sql/demo/0013)"""
    r = api.get(f"/v1/units/{units['TT-KGG-PCTN']}/awards", token=tokens["viewer"])
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(a["award_kind_code"], a["award_kind_name"], a["year"], a["issuing_unit_id"], a["source"]) for a in items] == \
        [("giay_khen", "Giấy khen", 2018, units["DUK-KG"], "decision")]
    assert items[0]["recipient_person_id"] is None and items[0]["decision_number"] == "210-QĐ/ĐUK (giả định)"
    assert items[0]["revoked_on"] is None
    assert (items[0]["award_type"], items[0]["period_from"], items[0]["period_to"]) == ("campaign", 2016, 2018)
    # the same decision's other Giấy khen (to Thanh tra tỉnh Kiên Giang, assumed) beside it
    issued = api.get("/v1/awards", token=tokens["integration"],
                     params={"issuing_unit_id": units["DUK-KG"], "year": 2018}).json()["items"]
    assert items[0] in issued and {a["recipient_unit_id"] for a in issued} == {units["TT-KGG-PCTN"], units["TT-KGG"]}


def test_record_of_a_person(api, tokens, units):
    p = person(api, tokens, units["TT-LSN"])
    assert api.get(f"/v1/people/{p['id']}/awards", token=tokens["viewer"]).json() == {"items": [], "next_cursor": None}
    # the authority of Thanh tra Lạng Sơn records three years of Chiến sĩ thi đua cơ sở from before the system
    made = []
    for year in (2019, 2020, 2021):
        r = record(api, tokens["authority_ls"], award_kind_code="chien_si_thi_dua_co_so", year=year,
                   recipient_person_id=p["id"], decision_number=f"{year - 2000}/QĐ-TTr", decided_on=f"{year}-12-25",
                   issuing_unit_id=units["TT-LSN"])
        assert r.status_code == 201, r.text
        assert r.headers["Location"] == f"/v1/awards/{r.json()['id']}" and r.headers["ETag"] == '"1"'
        made.append(r.json())
    assert made[0]["award_kind_name"] == "Chiến sĩ thi đua cơ sở" and made[0]["source"] == "history"
    assert made[0]["recipient_unit_id"] is None and made[0]["decision_number"] == "19/QĐ-TTr"
    page = api.get(f"/v1/people/{p['id']}/awards", token=tokens["officer"], params={"limit": 2}).json()
    rest = api.get(f"/v1/people/{p['id']}/awards", token=tokens["officer"], params={"cursor": page["next_cursor"]}).json()
    assert [a["year"] for a in page["items"] + rest["items"]] == [2019, 2020, 2021] and rest["next_cursor"] is None
    assert [a["id"] for a in api.get("/v1/awards", token=tokens["viewer"],
                                     params={"recipient_person_id": p["id"], "year": 2020}).json()["items"]] == [made[1]["id"]]
    assert api.get(f"/v1/people/{p['id']}/awards", token=tokens["viewer"],
                   params={"award_kind_code": "lao_dong_tien_tien"}).json()["items"] == []
    r = api.get(f"/v1/awards/{made[2]['id']}", token=tokens["integration"])
    assert r.status_code == 200 and r.json() == made[2]
    assert api.get(f"/v1/awards/{made[2]['id']}", token=tokens["viewer"], headers={"If-None-Match": '"1"'}).status_code == 304
    # a person with awards on their record cannot be deleted
    r = api.delete(f"/v1/people/{p['id']}", token=tokens["admin"])
    assert r.status_code == 409 and "awards" in r.json()["errors"][0]["message"]
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "award", "entity_id": made[0]["id"]}).json()["items"]
    assert audit[0]["action"] == "create" and audit[0]["changes"]["award_kind_code"]["new"] == "chien_si_thi_dua_co_so"


def test_records_that_do_not_exist(api, tokens):
    assert api.get("/v1/people/987654321/awards", token=tokens["viewer"]).status_code == 404
    assert api.get("/v1/units/987654321/awards", token=tokens["viewer"]).status_code == 404
    assert api.get("/v1/awards/987654321", token=tokens["viewer"]).status_code == 404
    assert api.get("/v1/awards/abc", token=tokens["viewer"]).status_code == 404
    assert api.get("/v1/awards").status_code == 401
    assert api.get("/v1/people/1/awards").status_code == 401


@pytest.mark.parametrize("path,params", [
    ("/v1/awards", {"year": "1900"}), ("/v1/awards", {"year": "x"}), ("/v1/awards", {"source": "import"}),
    ("/v1/awards", {"recipient_unit_id": "0"}), ("/v1/awards", {"award_kind": "giay_khen"}),
    ("/v1/awards", {"limit": "501"}), ("/v1/awards", {"award_kind_code": "Giấy khen"}), ("/v1/people/1/awards", {"recipient_unit_id": "1"}),
    ("/v1/units/1/awards", {"recipient_person_id": "1"}), ("/v1/units/1/awards", {"cursor": "x"}),
])
def test_bad_list_parameters(api, tokens, path, params):
    assert api.get(path, token=tokens["viewer"], params=params).status_code == 400


@pytest.mark.parametrize("role,unit,status", [
    ("admin", "TT-SLA", 201), ("authority", "TT-SLA", 201),  # the authority is at Thanh tra Chính phủ, above Sơn La
    ("authority_ls", "TT-LSN", 201), ("authority_ls", "TT-SLA", 403),  # own unit; a sibling province
    ("authority_bnctw", "TT-SLA", 403),  # another organisation
    ("officer", "TT-LSN", 403), ("viewer", "TT-LSN", 403), ("integration", "TT-LSN", 403),
])
def test_who_records_history(api, tokens, units, server, role, unit, status):
    before = count(server)
    r = record(api, tokens[role], award_kind_code="tap_the_lao_dong_tien_tien", recipient_unit_id=units[unit])
    assert r.status_code == status, r.text
    assert count(server) == before + (1 if status == 201 else 0)
    # the same holds for a person of that unit
    p = person(api, tokens, units[unit])
    assert record(api, tokens[role], recipient_person_id=p["id"]).status_code == status


@pytest.mark.parametrize("body,field,code", [
    ({}, "recipient_unit_id", "one_recipient"),
    ({"recipient_unit_id": None, "recipient_person_id": None}, "recipient_unit_id", "one_recipient"),
    ({"recipient_unit_id": "TT-LSN", "recipient_person_id": "person"}, "recipient_person_id", "one_recipient"),
    ({"recipient_unit_id": "TT-LSN", "award_kind_code": "lao_dong_tien_tien"}, "recipient_unit_id", "recipient_kind"),
    ({"recipient_person_id": "person", "award_kind_code": "co_thi_dua_chinh_phu"}, "recipient_person_id", "recipient_kind"),
    ({"recipient_person_id": "person", "award_kind_code": "bang_khen_tinh_uy"}, "award_kind_code", "not_found"),
    ({"recipient_person_id": "person", "award_kind_code": "Bằng khen"}, "award_kind_code", "format"),
    ({"recipient_person_id": "person", "year": 2021, "decided_on": "2020-12-31"}, "decided_on", "before_year"),
    ({"recipient_person_id": "person", "decided_on": "2021-02-29"}, "decided_on", "date"),
    ({"recipient_person_id": "person", "year": 1944}, "year", "out_of_range"),
    ({"recipient_person_id": "person", "year": "2021"}, "year", "type"),
    ({"recipient_person_id": 987654321}, "recipient_person_id", "not_found"),
    ({"recipient_unit_id": 987654321, "award_kind_code": "giay_khen"}, "recipient_unit_id", "not_found"),
    ({"recipient_person_id": "person", "issuing_unit_id": 987654321}, "issuing_unit_id", "not_found"),
    ({"recipient_person_id": "person", "decision_number": ""}, "decision_number", "blank"),
    ({"recipient_person_id": "person", "decision_number": "x" * 65}, "decision_number", "too_long"),
    ({"recipient_person_id": "person", "decision_number": "12/QĐ\n-TTr"}, "decision_number", "control_characters"),
    ({"recipient_person_id": "person", "source": "decision"}, "source", "read_only"),
    ({"recipient_person_id": "person", "decision_id": 1}, "decision_id", "read_only"),
    ({"recipient_person_id": "person", "reason": "thành tích"}, "reason", "unknown_field"),
])
def test_award_validation(api, tokens, units, server, body, field, code):
    p = person(api, tokens, units["TT-LSN"])
    body = {k: (units[v] if v == "TT-LSN" else p["id"] if v == "person" else v) for k, v in body.items()}
    before = count(server)
    r = record(api, tokens["admin"], **body)
    assert r.status_code == 422, r.text
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]], r.text
    assert count(server) == before


def test_a_record_is_imported_once(api, tokens, units):
    p = person(api, tokens, units["TT-LSN"])
    body = {"award_kind_code": "bang_khen_bo_nganh_tinh", "year": 2017, "recipient_person_id": p["id"],
            "decision_number": "2345/QĐ-UBND", "decided_on": "2018-01-10"}
    assert api.post("/v1/awards", token=tokens["admin"], json=body).status_code == 201
    r = api.post("/v1/awards", token=tokens["admin"], json=body)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "award_kind_code"
    # a decision is its number at its issuer; when one side does not know its issuer, the number
    # alone names it: the same award, whichever side names an issuer
    r = api.post("/v1/awards", token=tokens["admin"], json=dict(body, issuing_unit_id=units["TT-LSN"]))
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "duplicate", r.text
    other = dict(body, decision_number="88/QĐ-UBND", issuing_unit_id=units["TT-LSN"])
    assert api.post("/v1/awards", token=tokens["admin"], json=other).status_code == 201
    assert api.post("/v1/awards", token=tokens["admin"], json=dict(other, issuing_unit_id=None)).status_code == 409
    assert api.post("/v1/awards", token=tokens["admin"], json=dict(other, issuing_unit_id=units["TTCP"])).status_code == 201
    # another decision in the same year is another award; and once without a number
    assert api.post("/v1/awards", token=tokens["admin"], json=dict(body, decision_number="77/QĐ-UBND")).status_code == 201
    bare = {k: v for k, v in body.items() if k != "decision_number"}
    assert api.post("/v1/awards", token=tokens["admin"], json=bare).status_code == 201
    assert api.post("/v1/awards", token=tokens["admin"], json=bare).status_code == 409


def test_correcting_history(api, tokens, units, server):
    p = person(api, tokens, units["TT-LSN"])
    award = record(api, tokens["authority_ls"], recipient_person_id=p["id"], year=2015).json()
    path = f"/v1/awards/{award['id']}"
    r = api.patch(path, token=tokens["authority_ls"], headers={"If-Match": '"1"'},
                  json={"award_kind_code": "chien_si_thi_dua_co_so", "decision_number": "5/QĐ-TTr",
                        "decided_on": "2016-01-05", "issuing_unit_id": units["TT-LSN"]})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["award_kind_code"], changed["award_kind_name"], changed["version"], changed["year"]) == \
        ("chien_si_thi_dua_co_so", "Chiến sĩ thi đua cơ sở", 2, 2015)
    assert changed["recipient_person_id"] == p["id"] and r.headers["ETag"] == '"2"'
    r = api.patch(path, token=tokens["authority_ls"], json={"decision_number": None, "issuing_unit_id": None})
    assert r.status_code == 200 and r.json()["decision_number"] is None and r.json()["decided_on"] == "2016-01-05"
    version = r.json()["version"]
    # each refusal changes nothing
    for token, body, headers, status in [
        (tokens["authority_ls"], {"year": 2017}, {}, 422),                       # decided_on 2016 is before 2017
        (tokens["authority_ls"], {"award_kind_code": "tap_the_lao_dong_tien_tien"}, {}, 422),  # a collective kind
        (tokens["authority_ls"], {"recipient_person_id": p["id"]}, {}, 422),     # the recipient does not change
        (tokens["authority_ls"], {"recipient_unit_id": units["TT-LSN"]}, {}, 422),
        (tokens["authority_ls"], {"source": "decision"}, {}, 422),
        (tokens["authority_ls"], {"year": 2014}, {"If-Match": '"1"'}, 412),
        (tokens["authority_bnctw"], {"year": 2016}, {}, 403),
        (server.token("authority", units["TT-SLA"], sub=401), {"year": 2016}, {}, 403),
        (tokens["officer"], {"year": 2016}, {}, 403),
        (tokens["viewer"], {"year": 2016}, {}, 403),
        (tokens["integration"], {"year": 2016}, {}, 403),
    ]:
        r = api.patch(path, token=token, json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
    assert api.get(path, token=tokens["viewer"]).json()["version"] == version
    assert api.patch("/v1/awards/987654321", token=tokens["admin"], json={"year": 2016}).status_code == 404
    # deleting: the same rights, then it is gone
    assert api.delete(path, token=tokens["officer"]).status_code == 403
    assert api.delete(path, token=tokens["authority_bnctw"]).status_code == 403
    assert api.delete(path, token=tokens["authority_ls"], headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(path, token=tokens["authority_ls"]).status_code == 204
    assert api.get(path, token=tokens["viewer"]).status_code == 404
    assert api.delete(path, token=tokens["authority_ls"]).status_code == 404


def test_a_decisions_award_changes_only_with_its_decision(api, tokens, units, server):
    # the demo's decision 01-QĐ/BNCTW (2019) granted Ban Nội chính Tỉnh ủy Bắc Giang its Bằng khen
    decision = api.get("/v1/decisions", token=tokens["viewer"], params={"issuing_unit_id": units["BNCTW"]}).json()["items"][0]
    award_id = int(server.sql(f"SELECT id FROM awards WHERE decision_id = {decision['id']} AND recipient_unit_id = {units['BNC-BGG']}"))
    r = api.get(f"/v1/awards/{award_id}", token=tokens["viewer"])
    assert r.status_code == 200 and r.json()["source"] == "decision" and r.json()["decision_id"] == decision["id"]
    assert r.json()["decision_number"] == decision["number"] == "01-QĐ/BNCTW (giả định)"
    for method, kw in (("PATCH", {"json": {"year": 2020}}), ("DELETE", {})):
        r = api.request(method, f"/v1/awards/{award_id}", token=tokens["admin"], **kw)
        assert r.status_code == 409 and "01-QĐ/BNCTW (giả định)" in r.json()["detail"]
    assert [a["id"] for a in api.get(f"/v1/units/{units['BNC-BGG']}/awards", token=tokens["viewer"],
                                     params={"source": "decision"}).json()["items"]] == [award_id]
    assert api.get(f"/v1/units/{units['BNC-BGG']}/awards", token=tokens["viewer"],
                   params={"source": "history"}).json()["items"] == []
    # a unit with awards on its record, or that issued awards, cannot be deleted
    unit = api.post("/v1/units", token=tokens["admin"], json={"code": "AWD-1", "name": "Đơn vị tạm", "kind": "other"}).json()
    assert record(api, tokens["admin"], award_kind_code="giay_khen", recipient_unit_id=unit["id"]).status_code == 201
    r = api.delete(f"/v1/units/{unit['id']}", token=tokens["admin"])
    assert r.status_code == 409 and "awards" in r.json()["errors"][0]["message"]


def test_concurrent_imports_of_one_award_record_it_once(api, tokens, units, server):
    p = person(api, tokens, units["TT-LSN"])
    body = {"award_kind_code": "chien_si_thi_dua_co_so", "year": 2012, "recipient_person_id": p["id"],
            "decision_number": "9/QĐ-TTr"}
    barrier, results = threading.Barrier(6), []

    def go():
        barrier.wait()
        results.append(api.post("/v1/awards", token=tokens["admin"], json=body).status_code)

    threads = [threading.Thread(target=go) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [201] + [409] * 5, results
    assert count(server, f"recipient_person_id = {p['id']}") == 1


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(
    st.sampled_from(["award_kind_code", "year", "recipient_unit_id", "recipient_person_id", "decision_number",
                     "decided_on", "issuing_unit_id", "source", "x"]),
    st.none() | st.booleans() | st.integers(min_value=-3, max_value=3000) | st.text(max_size=12)
    | st.sampled_from(["giay_khen", "lao_dong_tien_tien", "2020-12-31", "1/QĐ"]) | st.lists(st.integers(), max_size=2),
    max_size=7))
def test_any_award_body_gets_a_clean_answer(api, tokens, server, body):
    before = count(server)
    r = api.post("/v1/awards", token=tokens["authority_ls"], json=body)
    # 400: an integer beyond 64 bits is malformed JSON to the parser, said with its position
    assert r.status_code in (201, 400, 403, 409, 422), r.text
    assert count(server) == before + (1 if r.status_code == 201 else 0)


def test_what_an_award_rewards(api, tokens, units, server):
    """its type (merit by default) and the period of the achievement: both years or neither, in order, up to the
    award's year; a filter by type"""
    r = record(api, tokens["admin"], recipient_unit_id=units["TT-LSN"], award_kind_code="giay_khen")
    assert r.status_code == 201 and (r.json()["award_type"], r.json()["period_from"], r.json()["period_to"]) == ("merit", None, None)
    y = next(years)
    r = record(api, tokens["admin"], recipient_unit_id=units["TT-LSN"], award_kind_code="giay_khen", year=y,
               award_type="ad_hoc", period_from=y - 1, period_to=y, decision_number="12/QĐ-TTr")
    assert r.status_code == 201, r.text
    award = r.json()
    assert (award["award_type"], award["period_from"], award["period_to"]) == ("ad_hoc", y - 1, y)
    listed = api.get("/v1/awards", token=tokens["viewer"], params={"award_type": "ad_hoc", "year": y}).json()["items"]
    assert [a["id"] for a in listed] == [award["id"]]
    before = count(server)
    for body, field, code in [({"period_from": y - 2}, "period_to", "required"),
                              ({"period_to": y}, "period_from", "required"),
                              ({"period_from": y, "period_to": y - 1}, "period_to", "out_of_range"),
                              ({"period_from": y - 1, "period_to": y + 1}, "period_to", "out_of_range"),
                              ({"award_type": "bonus"}, "award_type", "enum")]:
        r = record(api, tokens["admin"], recipient_unit_id=units["TT-LSN"], award_kind_code="giay_khen", year=y, **body)
        assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], (body, r.text)
    assert count(server) == before
    # a correction keeps the rules with the stored values: a period past a year moved back is refused
    r = api.patch(f"/v1/awards/{award['id']}", token=tokens["admin"], json={"year": y - 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period_to"
    r = api.patch(f"/v1/awards/{award['id']}", token=tokens["admin"], json={"period_from": None, "period_to": None})
    assert r.status_code == 200 and r.json()["period_from"] is None


def test_a_units_record_with_its_people(api, tokens, units):
    """GET /v1/units/{id}/awards?include_people=true: the unit's own awards and its people's, in id
    order; false or absent: its own; elsewhere the parameter is a 400"""
    unit = api.post("/v1/units", token=tokens["admin"], json={"code": "AWD-PPL", "name": "Đơn vị có người", "kind": "other"}).json()
    other = api.post("/v1/units", token=tokens["admin"], json={"code": "AWD-OTH", "name": "Đơn vị khác", "kind": "other"}).json()
    own = record(api, tokens["admin"], award_kind_code="giay_khen", recipient_unit_id=unit["id"]).json()
    mine = person(api, tokens, unit["id"], "Người của đơn vị")
    theirs = person(api, tokens, other["id"], "Người đơn vị khác")
    a = record(api, tokens["admin"], recipient_person_id=mine["id"]).json()
    record(api, tokens["admin"], recipient_person_id=theirs["id"])
    path = f"/v1/units/{unit['id']}/awards"
    assert [x["id"] for x in api.get(path, token=tokens["viewer"], params={"include_people": "true"}).json()["items"]] == \
        [own["id"], a["id"]]
    for params in ({}, {"include_people": "false"}):
        assert [x["id"] for x in api.get(path, token=tokens["viewer"], params=params).json()["items"]] == [own["id"]]
    # with other filters and a page of one
    page = api.get(path, token=tokens["viewer"], params={"include_people": "true", "limit": 1}).json()
    assert [x["id"] for x in page["items"]] == [own["id"]] and page["next_cursor"]
    nxt = api.get(path, token=tokens["viewer"], params={"include_people": "true", "limit": 1, "cursor": page["next_cursor"]})
    assert [x["id"] for x in nxt.json()["items"]] == [a["id"]]
    assert [x["id"] for x in api.get(path, token=tokens["viewer"], params={"include_people": "true", "award_kind_code": "giay_khen"})
            .json()["items"]] == [own["id"]]
    for bad in ({"include_people": "yes"},):
        assert api.get(path, token=tokens["viewer"], params=bad).status_code == 400
    r = api.get("/v1/awards", token=tokens["viewer"], params={"include_people": "true"})
    assert r.status_code == 400 and "include_people" in r.json()["detail"]
