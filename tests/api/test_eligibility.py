"""GET /v1/eligibility (issue 13): a kind's rule version in force on a day, evaluated for a person or
a unit over the facts the service holds — awards (not ad hoc or campaign ones for merit), ratings,
recognised initiatives, disciplines (only for those who may read them, and that read recorded), a
unit's cluster leadership and its people — each rule true, false or null with its evidence."""
import itertools

import pytest

codes = itertools.count(1)
KIND = "huan_chuong_lao_dong_hang_nhi"      # awarded to anyone: a person and a unit both
ON = "2002-06-01"                           # the test versions are in force in 2002 only

TREE = {"type": "all_of", "items": [
    {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 3, "min_count": 3,
                                          "consecutive": True, "offset": 1}},
    {"type": "no_discipline", "params": {"min_level": "reprimand", "years": 3}},
    {"type": "any_of", "items": [
        {"type": "rating_in_years", "params": {"min_rating": "excellent", "years": 1, "min_count": 1,
                                               "consecutive": False, "offset": 1}},
        {"type": "initiative_recognized", "params": {"min_scope": "sector", "count": 1, "years": 2}}]},
    {"type": "not_twice", "params": {}}]}


@pytest.fixture(scope="module")
def version(api, tokens):
    """a 2002 version of the kind's rules beside its own; put back after the module"""
    before = api.get(f"/v1/award-kinds/{KIND}", token=tokens["admin"]).json()
    mine = {"effective_from": "2002-01-01", "effective_to": "2002-12-31", "legal_basis": "Thử nghiệm, không phải văn bản luật",
            "source_checked": False, "expr": TREE}
    r = api.patch(f"/v1/award-kinds/{KIND}", token=tokens["admin"], json={"rules": [mine] + before["rules"]})
    assert r.status_code == 200, r.text
    yield mine
    api.patch(f"/v1/award-kinds/{KIND}", token=tokens["admin"], json={"rules": before["rules"]})


def person(api, tokens, units):
    return api.post("/v1/people", token=tokens["admin"], json={"unit_id": units["TT-LSN"],
                                                               "full_name": f"Cán bộ thử {next(codes)}"}).json()["id"]


def award(api, tokens, **body):
    r = api.post("/v1/awards", token=tokens["admin"], json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def check(api, token, **params):
    r = api.get("/v1/eligibility", token=token, params=dict({"award_kind_code": KIND, "on": ON}, **params))
    assert r.status_code == 200, r.text
    body = r.json()
    return body, {c["path"]: c for c in body["checks"]}


def test_a_person_rule_by_rule(api, tokens, units, server, version):
    p = person(api, tokens, units)
    ids = [award(api, tokens, award_kind_code="chien_si_thi_dua_co_so", year=y, recipient_person_id=p) for y in (1999, 2000, 2001)]
    r = api.post("/v1/ratings", token=tokens["admin"], json={"person_id": p, "year": 2001, "rating": "excellent",
                                                              "rated_by_unit_id": units["TT-LSN"]})
    assert r.status_code == 201, r.text
    body, by = check(api, tokens["admin"], recipient_person_id=p, year=2002)
    assert body["rules_version"] == {k: version[k] for k in ("effective_from", "effective_to", "legal_basis", "source_checked")}
    assert body["eligible"] is True, body
    assert by["expr.items[0]"]["passed"] is True and by["expr.items[0]"]["evidence"] == [{"award": i} for i in ids]
    assert by["expr.items[0]"]["detail"] == {"from": 1999, "to": 2001, "held": 3, "needed": 3, "consecutive": True}
    assert by["expr.items[1]"]["passed"] is True          # no discipline, read by an admin
    assert by["expr.items[2]"]["passed"] is True and by["expr.items[2].items[0]"]["passed"] is True
    assert by["expr.items[2].items[1]"]["passed"] is False  # no initiative: any_of still passes
    assert [c["path"] for c in body["checks"]][:2] == ["expr", "expr.items[0]"], "pre-order"
    # the discipline read is recorded, for an admin who may read it
    assert int(server.sql("SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = 'discipline'"
                          " AND actor_role = 'admin'")) >= 1
    # a viewer may not read disciplines: that rule is null, and so the whole
    body, by = check(api, tokens["viewer"], recipient_person_id=p, year=2002)
    assert body["eligible"] is None and by["expr.items[1]"]["passed"] is None
    assert "may not read" in by["expr.items[1]"]["detail"]["reason"]
    # a reprimand in force in the window: false, with the discipline as evidence (for an admin)
    d = api.post("/v1/disciplines", token=tokens["admin"], json={
        "person_id": p, "level": "reprimand", "decided_on": "2000-05-01", "effective_from": "2000-05-01",
        "effective_to": "2001-05-01", "decision_number": "12/QĐ-TTr"})
    assert d.status_code == 201, d.text
    body, by = check(api, tokens["admin"], recipient_person_id=p, year=2002)
    assert body["eligible"] is False and by["expr.items[1]"]["evidence"] == [{"discipline": d.json()["id"]}]


def test_what_counts_as_evidence(api, tokens, units, version):
    """an ad hoc or campaign award is no evidence for a merit rule; a gap breaks a consecutive window"""
    p = person(api, tokens, units)
    award(api, tokens, award_kind_code="chien_si_thi_dua_co_so", year=1999, recipient_person_id=p)
    award(api, tokens, award_kind_code="chien_si_thi_dua_co_so", year=2000, recipient_person_id=p, award_type="campaign")
    award(api, tokens, award_kind_code="chien_si_thi_dua_co_so", year=2001, recipient_person_id=p)
    body, by = check(api, tokens["admin"], recipient_person_id=p, year=2002)
    assert body["eligible"] is False and by["expr.items[0]"]["detail"]["held"] == 1
    # the same window a year later (offset 1 from 2003: 2000-2002) is out of the version's period: none in force
    body, _ = check(api, tokens["admin"], recipient_person_id=p, year=2003, on="2003-06-01")
    assert body["rules_version"] is None or body["rules_version"]["effective_from"] != "2002-01-01"


def test_not_twice(api, tokens, units, version):
    """one achievement not rewarded twice: the kind already held for the year fails; two ad hoc Giấy khen pass"""
    p = person(api, tokens, units)
    for y in (1999, 2000, 2001):
        award(api, tokens, award_kind_code="chien_si_thi_dua_co_so", year=y, recipient_person_id=p)
    award(api, tokens, award_kind_code="giay_khen", year=2002, recipient_person_id=p, award_type="ad_hoc",
          decision_number="1/QĐ")
    award(api, tokens, award_kind_code="giay_khen", year=2002, recipient_person_id=p, award_type="ad_hoc",
          decision_number="2/QĐ")
    _, by = check(api, tokens["admin"], recipient_person_id=p, year=2002)
    assert by["expr.items[3]"]["passed"] is True
    held = award(api, tokens, award_kind_code=KIND, year=2002, recipient_person_id=p)
    body, by = check(api, tokens["admin"], recipient_person_id=p, year=2002)
    assert by["expr.items[3]"]["passed"] is False and {"award": held} in by["expr.items[3]"]["evidence"]
    assert body["eligible"] is False


def test_a_collective(api, tokens, units, version):
    """a unit: the person's rules are null for it, its own are evaluated"""
    kind = "tap_the_lao_dong_xuat_sac"
    before = api.get(f"/v1/award-kinds/{kind}", token=tokens["admin"]).json()
    tree = {"type": "all_of", "items": [
        {"type": "members_share", "params": {"kind": "lao_dong_tien_tien", "min_pct": 70}},
        {"type": "member_has", "params": {"kind": "chien_si_thi_dua_co_so"}},
        {"type": "leads_cluster", "params": {"roles": ["leader", "deputy"]}},
        {"type": "no_discipline", "params": {"min_level": "reprimand", "years": 1}}]}
    mine = {"effective_from": "2002-01-01", "effective_to": "2002-12-31", "legal_basis": "Thử nghiệm", "source_checked": False,
            "expr": tree}
    assert api.patch(f"/v1/award-kinds/{kind}", token=tokens["admin"], json={"rules": [mine] + before["rules"]}).status_code == 200
    try:
        u = api.post("/v1/units", token=tokens["admin"], json={"code": f"EL-{next(codes):03d}", "name": "Phòng thử",
                                                               "kind": "division", "parent_id": units["TT-LSN"]}).json()["id"]
        people = [api.post("/v1/people", token=tokens["admin"], json={"unit_id": u, "full_name": f"Người {i}"}).json()["id"]
                  for i in range(4)]
        for i in people[:3]:
            award(api, tokens, award_kind_code="lao_dong_tien_tien", year=2002, recipient_person_id=i)
        r = api.get("/v1/eligibility", token=tokens["viewer"], params={"award_kind_code": kind, "recipient_unit_id": u,
                                                                        "year": 2002, "on": ON})
        assert r.status_code == 200, r.text
        by = {c["path"]: c for c in r.json()["checks"]}
        assert by["expr.items[0]"]["passed"] is True and by["expr.items[0]"]["detail"]["share_pct"] == 75
        assert by["expr.items[1]"]["passed"] is False and by["expr.items[2]"]["passed"] is False
        assert by["expr.items[3]"]["passed"] is None and "individuals" in by["expr.items[3]"]["detail"]["reason"]
        assert r.json()["eligible"] is False
    finally:
        api.patch(f"/v1/award-kinds/{kind}", token=tokens["admin"], json={"rules": before["rules"]})


@pytest.mark.parametrize("params,status", [
    ({"recipient_person_id": 1, "year": 2002}, 400),                                       # no kind
    ({"award_kind_code": KIND, "year": 2002}, 400),                                        # no recipient
    ({"award_kind_code": KIND, "recipient_person_id": 1, "recipient_unit_id": 1, "year": 2002}, 400),
    ({"award_kind_code": KIND, "recipient_person_id": 1}, 400),                            # no year
    ({"award_kind_code": KIND, "recipient_person_id": 1, "year": 2002, "on": "2002-02-30"}, 400),
    ({"award_kind_code": KIND, "recipient_person_id": 1, "year": 2002, "x": 1}, 400),
    ({"award_kind_code": "bang_khen_tinh_uy", "recipient_person_id": 1, "year": 2002}, 404),
    ({"award_kind_code": KIND, "recipient_person_id": 987654321, "year": 2002}, 404),
    ({"award_kind_code": "tap_the_lao_dong_xuat_sac", "recipient_person_id": 1, "year": 2002}, 422),
])
def test_what_is_asked(api, tokens, params, status):
    assert api.get("/v1/eligibility", token=tokens["officer"], params=params).status_code == status
    assert api.get("/v1/eligibility", params=params).status_code == 401


def test_the_seeded_rules_on_the_demo(api, tokens, units, server):
    """Chiến sĩ thi đua cấp tỉnh in 2026 (sql/0022 on sql/demo/0012): A qualifies, B does not — 2025 is missing"""
    ids = dict(line.split("|") for line in server.sql(
        "SELECT full_name || '|' || id FROM people WHERE full_name LIKE 'Cán bộ thi đua _ (giả định)'").splitlines())
    ask = lambda who, token: api.get("/v1/eligibility", token=token, params={
        "award_kind_code": "chien_si_thi_dua_bo_nganh_tinh", "recipient_person_id": ids[who], "year": 2026, "on": "2026-12-01"})
    a = ask("Cán bộ thi đua A (giả định)", tokens["authority"]).json()
    assert a["eligible"] is True and a["rules_version"]["effective_from"] == "2026-12-01", a
    b = ask("Cán bộ thi đua B (giả định)", tokens["authority"]).json()
    assert b["eligible"] is False
    [titles] = [c for c in b["checks"] if c["rule"] == "title_in_years"]
    assert titles["passed"] is False and titles["detail"]["from"] == 2024 and titles["detail"]["held"] == 1
    # an officer may not read disciplines: A is then not known to be eligible, never wrongly so
    assert ask("Cán bộ thi đua A (giả định)", tokens["officer"]).json()["eligible"] is None
