"""/v1/award-kinds: the seeded catalogue of the Law on Emulation and Commendation 2022, its filters
and accent-insensitive q, and admins' edits of the versioned eligibility rules."""
import copy

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

SEEDED = {
    "lao_dong_tien_tien": ("Lao động tiên tiến", "title", "individual", "grassroots"),
    "chien_si_thi_dua_co_so": ("Chiến sĩ thi đua cơ sở", "title", "individual", "grassroots"),
    "chien_si_thi_dua_bo_nganh_tinh": ("Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh", "title", "individual", "provincial"),
    "chien_si_thi_dua_toan_quoc": ("Chiến sĩ thi đua toàn quốc", "title", "individual", "national"),
    "tap_the_lao_dong_tien_tien": ("Tập thể lao động tiên tiến", "title", "collective", "grassroots"),
    "tap_the_lao_dong_xuat_sac": ("Tập thể lao động xuất sắc", "title", "collective", "provincial"),
    "co_thi_dua_bo_nganh_tinh": ("Cờ thi đua cấp bộ, ban, ngành, tỉnh", "title", "collective", "provincial"),
    "co_thi_dua_chinh_phu": ("Cờ thi đua của Chính phủ", "title", "collective", "national"),
    "giay_khen": ("Giấy khen", "commendation", "any", "grassroots"),
    "bang_khen_bo_nganh_tinh": ("Bằng khen cấp bộ, ban, ngành, tỉnh", "commendation", "any", "provincial"),
    "bang_khen_thu_tuong": ("Bằng khen của Thủ tướng Chính phủ", "commendation", "any", "national"),
    "huan_chuong_lao_dong_hang_ba": ("Huân chương Lao động hạng Ba", "commendation", "any", "national"),
    "huan_chuong_lao_dong_hang_nhi": ("Huân chương Lao động hạng Nhì", "commendation", "any", "national"),
    "huan_chuong_lao_dong_hang_nhat": ("Huân chương Lao động hạng Nhất", "commendation", "any", "national"),
}

RULE = {"effective_from": "2001-01-01", "effective_to": "2001-12-31", "legal_basis": "Luật Thi đua, khen thưởng 2022, Điều 23",
        "source_checked": False,
        "expr": {"type": "all_of", "items": [
            {"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 3, "min_count": 3,
                                                  "consecutive": True, "offset": 1}},
            {"type": "not_twice", "params": {}}]}}


def all_kinds(api, token, **params):
    items, cursor = [], None
    while True:
        page = api.get("/v1/award-kinds", token=token, params=dict(params, limit=5, **({"cursor": cursor} if cursor else {})))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


def test_the_seeded_catalogue(api, tokens):
    kinds = {k["code"]: k for k in all_kinds(api, tokens["viewer"])}
    assert set(SEEDED) <= set(kinds)
    for code, (name, category, recipient, level) in SEEDED.items():
        assert (kinds[code]["name"], kinds[code]["category"], kinds[code]["recipient"], kinds[code]["level"]) == \
            (name, category, recipient, level), code
    assert [k["code"] for k in kinds.values()] == sorted(kinds), "ordered by code"
    # the rule versions of the 2022 law from 2026-12-01 (sql/0022), the seeded ones of 2024 ended the day before
    def current(code):
        [v] = [v for v in kinds[code]["rules"] if v["effective_to"] is None]
        assert v["effective_from"] == "2026-12-01" and v["legal_basis"] and v["source_checked"] is False, code
        return v["expr"]

    def leaves(e):
        return [e] if "items" not in e else [x for i in e["items"] for x in leaves(i)]

    def titles(code):
        return [l["params"] for l in leaves(current(code)) if l["type"] == "title_in_years"]
    # the law's chains: provincial needs 3 consecutive years of grassroots, national 2 of provincial
    assert any(t["kind"] == "chien_si_thi_dua_co_so" and t["years"] == 3 and t["min_count"] == 3 and t["consecutive"]
               for t in titles("chien_si_thi_dua_bo_nganh_tinh"))
    # (two of them within 6 years, on 6 unbroken years of grassroots: each takes 3 — sql/0022)
    assert any(t["kind"] == "chien_si_thi_dua_bo_nganh_tinh" and t["min_count"] == 2 for t in titles("chien_si_thi_dua_toan_quoc"))
    assert any(t["kind"] == "chien_si_thi_dua_co_so" and t["min_count"] == 6 and t["consecutive"]
               for t in titles("chien_si_thi_dua_toan_quoc"))
    # cơ sở: Lao động tiên tiến and one of several; no quota presented as the law's
    assert any(t["kind"] == "lao_dong_tien_tien" for t in titles("chien_si_thi_dua_co_so"))
    assert any(e["type"] == "any_of" for e in current("chien_si_thi_dua_co_so")["items"])
    types = {l["type"] for code in kinds for v in kinds[code]["rules"] if v["effective_to"] is None for l in leaves(v["expr"])}
    assert "quota_pct" not in types and "vote_share" not in types
    assert any(l["type"] == "leads_cluster" for l in leaves(current("co_thi_dua_chinh_phu")))
    # the earlier versions are kept, ended the day before
    assert all(v["effective_to"] == "2026-11-30" for k in kinds.values() for v in k["rules"] if v["effective_to"])


@pytest.mark.parametrize("params,codes", [
    ({"category": "title", "recipient": "individual"},
     {"lao_dong_tien_tien", "chien_si_thi_dua_co_so", "chien_si_thi_dua_bo_nganh_tinh", "chien_si_thi_dua_toan_quoc"}),
    ({"level": "national", "category": "commendation"},
     {"bang_khen_thu_tuong", "huan_chuong_lao_dong_hang_ba", "huan_chuong_lao_dong_hang_nhi", "huan_chuong_lao_dong_hang_nhat"}),
    ({"q": "huan chuong LAO DONG"},
     {"huan_chuong_lao_dong_hang_ba", "huan_chuong_lao_dong_hang_nhi", "huan_chuong_lao_dong_hang_nhat"}),
    ({"q": "Cờ thi đua của Chính phủ"}, {"co_thi_dua_chinh_phu"}),
    # accent-insensitive both ways: cờ and cơ (sở) fold alike
    ({"q": "co thi dua", "recipient": "collective"}, {"co_thi_dua_bo_nganh_tinh", "co_thi_dua_chinh_phu"}),
    ({"q": "bang khen thu tuong"}, {"bang_khen_thu_tuong"}),
])
def test_filters_and_q(api, tokens, params, codes):
    assert {k["code"] for k in all_kinds(api, tokens["integration"], **params)} == codes


@pytest.mark.parametrize("params", [{"category": "flag"}, {"level": "district"}, {"recipient": "unit"},
                                    {"kind": "title"}, {"limit": "0"}, {"cursor": "forged"}])
def test_bad_list_parameters(api, tokens, params):
    assert api.get("/v1/award-kinds", token=tokens["viewer"], params=params).status_code == 400


def test_read_one(api, tokens):
    r = api.get("/v1/award-kinds/giay_khen", token=tokens["officer"])
    assert r.status_code == 200 and r.json()["name"] == "Giấy khen" and isinstance(r.json()["rules"], list)
    etag = r.headers["ETag"]
    assert api.get("/v1/award-kinds/giay_khen", token=tokens["officer"], headers={"If-None-Match": etag}).status_code == 304
    assert api.get("/v1/award-kinds/bang_khen_tinh_uy", token=tokens["officer"]).status_code == 404
    assert api.get("/v1/award-kinds/Giay-Khen", token=tokens["officer"]).status_code == 404
    assert api.get("/v1/award-kinds/giay_khen").status_code == 401


def test_admin_versions_a_rule(api, tokens):
    """a decree changes a kind's rules: the earlier version is ended the day before, the new one added"""
    code = "bang_khen_thu_tuong"
    before = api.get(f"/v1/award-kinds/{code}", token=tokens["admin"]).json()
    old = dict(RULE, effective_from="2000-01-01", effective_to="2000-12-31")
    new = dict(RULE, effective_from="2001-01-01", effective_to=None, legal_basis="Nghị định 152/2025/NĐ-CP",
               expr={"type": "any_of", "items": [{"type": "merit_points", "params": {"min": 90, "scale": [1, 2]}},
                                                 {"type": "council_vote", "params": {"min_pct_of_members": 80}}]})
    kept = [v for v in before["rules"] if v["effective_from"] >= "2024-01-01"]
    new["effective_to"] = "2001-12-31"
    r = api.patch(f"/v1/award-kinds/{code}", token=tokens["admin"], headers={"If-Match": f'"{before["version"]}"'},
                  json={"rules": [old, new] + kept, "description": "Khen thưởng cấp nhà nước"})
    assert r.status_code == 200, r.text
    kind = r.json()
    assert kind["version"] == before["version"] + 1 and kind["description"] == "Khen thưởng cấp nhà nước"
    assert kind["rules"][:2] == [old, new], "stored with exactly their five fields; an unknown leaf kept as given"
    assert kind["rules"][1]["expr"]["items"][0] == {"type": "merit_points", "params": {"min": 90, "scale": [1, 2]}}
    # the version in force on a day
    on = api.get(f"/v1/award-kinds/{code}/rules", token=tokens["viewer"], params={"on": "2001-06-01"}).json()
    assert on == {"award_kind_code": code, "on": "2001-06-01", "version": new}
    assert api.get(f"/v1/award-kinds/{code}/rules", token=tokens["viewer"], params={"on": "1999-01-01"}).json()["version"] is None
    assert api.get(f"/v1/award-kinds/{code}/rules", token=tokens["viewer"], params={"on": "2001-02-30"}).status_code == 400
    assert api.get("/v1/award-kinds/bang_khen_tinh_uy/rules", token=tokens["viewer"]).status_code == 404
    # a stale version changes nothing
    r = api.patch(f"/v1/award-kinds/{code}", token=tokens["admin"], headers={"If-Match": f'"{before["version"]}"'},
                  json={"rules": []})
    assert r.status_code == 412
    # the audit trail keeps the earlier versions of the rules
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "award_kind", "entity_id": kind["id"]}).json()["items"]
    update = [a for a in audit if a["action"] == "update"][-1]
    assert update["changes"]["rules"] == {"old": before["rules"], "new": kind["rules"]}
    # absent fields stay; back to the seeded rules
    r = api.patch(f"/v1/award-kinds/{code}", token=tokens["admin"], json={"rules": before["rules"], "description": None})
    assert r.status_code == 200 and r.json()["rules"] == before["rules"] and r.json()["name"] == before["name"]


@pytest.mark.parametrize("role", ["authority", "officer", "viewer", "integration", "authority_ls"])
def test_only_admins_change_the_catalogue(api, tokens, server, role):
    before = server.sql("SELECT version FROM award_kinds WHERE code = 'giay_khen'")
    r = api.patch("/v1/award-kinds/giay_khen", token=tokens[role], json={"name": "Giấy khen mới"})
    assert r.status_code == 403
    assert server.sql("SELECT version FROM award_kinds WHERE code = 'giay_khen'") == before


def rule(**changes):
    r = copy.deepcopy(RULE)
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


@pytest.mark.parametrize("body,field,code", [
    ({"rules": [rule(expr=None)]}, "rules[0].expr", "required"),
    ({"rules": [rule(source_checked=None)]}, "rules[0].source_checked", "required"),
    ({"rules": [rule(expr={"type": "Title In Years", "params": {}})]}, "rules[0].expr.type", "format"),
    ({"rules": [rule(expr={"type": "title_in_years", "params": {"kind": "chien_si_thi_dua_co_so", "years": 3,
                                                                 "min_count": 3, "consecutive": True}})]},
     "rules[0].expr.params.offset", "required"),
    ({"rules": [rule(expr={"type": "all_of", "items": [{"type": "rating_in_years", "params": {
        "min_rating": "best", "years": 3, "min_count": 3, "consecutive": True, "offset": 1}}]})]},
     "rules[0].expr.items[0].params.min_rating", "enum"),
    ({"rules": [rule(expr={"type": "member_has", "params": {"kind": "bang_khen_tinh_uy"}})]}, "rules", "not_found"),
    ({"rules": [rule(expr={"type": "any_of", "items": []})]}, "rules[0].expr.items", "min_items"),
    ({"rules": [rule(expr={"type": "not_twice", "params": {"years": 1}})]}, "rules[0].expr.params", "unknown_field"),
    # an unknown type's params are kept as given, but bounded (2,000 bytes of JSON)
    ({"rules": [rule(expr={"type": "zz_unknown", "params": {"a": "x" * 2000}})]}, "rules[0].expr.params", "too_long"),
    ({"rules": [rule(effective_from="2024-02-30")]}, "rules[0].effective_from", "date"),
    ({"rules": [rule(effective_to="2000-12-31")]}, "rules[0]", "before_start"),
    ({"rules": [rule(), rule(effective_from="2001-06-01", effective_to=None)]}, "rules[1]", "overlap"),
    ({"rules": [rule(legal_basis="")]}, "rules[0].legal_basis", "blank"),
    ({"rules": [rule(legal_basis="x" * 301)]}, "rules[0].legal_basis", "too_long"),
    ({"rules": [rule(note="x")]}, "rules[0].note", "unknown_field"),
    ({"rules": ["not_twice"]}, "rules[0]", "type"),
    ({"rules": [rule(effective_from=f"20{i + 10}-01-01", effective_to=f"20{i + 10}-12-31") for i in range(21)]},
     "rules", "too_many"),
    ({"rules": None}, "rules", "not_nullable"),
    ({"rules": {"type": "not_twice"}}, "rules", "type"),
    ({"code": "giay_khen_moi"}, "code", "read_only"),
    ({"recipient": "individual"}, "recipient", "read_only"),
    ({"name": ""}, "name", "blank"),
    ({"legal_basis": "x"}, "legal_basis", "unknown_field"),
])
def test_rule_validation(api, tokens, server, body, field, code):
    before = server.sql("SELECT version || rules::text FROM award_kinds WHERE code = 'bang_khen_bo_nganh_tinh'")
    r = api.patch("/v1/award-kinds/bang_khen_bo_nganh_tinh", token=tokens["admin"], json=body)
    assert r.status_code == 422, r.text
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]], r.text
    assert server.sql("SELECT version || rules::text FROM award_kinds WHERE code = 'bang_khen_bo_nganh_tinh'") == before


def test_patch_of_a_kind_that_does_not_exist(api, tokens):
    assert api.patch("/v1/award-kinds/bang_khen_tinh_uy", token=tokens["admin"], json={"name": "x"}).status_code == 404
    assert api.patch("/v1/award-kinds/giay_khen", token=tokens["admin"], data="{",
                     headers={"Content-Type": "application/json"}).status_code == 400
    assert api.patch("/v1/award-kinds/giay_khen", token=tokens["admin"], data="{}",
                     headers={"Content-Type": "text/plain"}).status_code == 415


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_kinds_are_not_added_or_deleted_through_the_api(api, tokens, method):
    path = "/v1/award-kinds" if method == "POST" else "/v1/award-kinds/giay_khen"
    r = api.request(method, path, token=tokens["admin"], json={})
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


leaf = st.none() | st.booleans() | st.integers(min_value=-5, max_value=100) | st.floats(allow_nan=False, allow_infinity=False, width=32) \
    | st.text(max_size=10) | st.sampled_from(["2024-01-01", "2023-12-31", "chien_si_thi_dua_co_so", "province", "leader"])
params = st.dictionaries(st.sampled_from(["kind", "years", "min_count", "consecutive", "offset", "min_rating", "min_pct",
                                          "roles", "x"]), leaf | st.lists(leaf, max_size=2), max_size=5)
exprs = st.recursive(
    st.fixed_dictionaries({}, optional={"type": st.sampled_from(["title_in_years", "rating_in_years", "members_share",
                                                                  "leads_cluster", "not_twice", "new_type"]) | leaf,
                                        "params": params | leaf}),
    lambda inner: st.fixed_dictionaries({"type": st.sampled_from(["all_of", "any_of"])},
                                        optional={"items": st.lists(inner, max_size=3) | leaf}),
    max_leaves=6) | leaf
rules = st.lists(st.fixed_dictionaries({}, optional={
    "effective_from": st.sampled_from(["2000-01-01", "2000-06-01", "2000-13-01"]) | leaf,
    "effective_to": st.sampled_from(["2000-12-31", "1999-01-01"]) | leaf,
    "legal_basis": st.text(max_size=8) | leaf,
    "source_checked": st.booleans() | leaf,
    "expr": exprs,
}) | leaf, max_size=3)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"rules": rules}))
def test_any_rules_get_a_clean_answer(api, tokens, server, body):
    """whatever the rules, a 200 that stores them or a 4xx that changes nothing; never a 500"""
    before = server.sql("SELECT version FROM award_kinds WHERE code = 'huan_chuong_lao_dong_hang_nhat'")
    r = api.patch("/v1/award-kinds/huan_chuong_lao_dong_hang_nhat", token=tokens["admin"], json=body)
    assert r.status_code in (200, 400, 422), r.text  # 400: an integer beyond 64 bits (see test_awards.py)
    after = server.sql("SELECT version FROM award_kinds WHERE code = 'huan_chuong_lao_dong_hang_nhat'")
    assert int(after) == int(before) + (1 if r.status_code == 200 else 0)
