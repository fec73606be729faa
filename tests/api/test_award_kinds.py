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

RULE = {"type": "public_notice", "params": {"working_days": 10}, "effective_from": "2024-01-01",
        "legal_basis": "Nghị định 98/2023/NĐ-CP, Điều 46"}


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
    # the law's chains, as rules: provincial needs 3 years of grassroots, national 2 of provincial
    rules = {r["type"]: r for r in kinds["chien_si_thi_dua_bo_nganh_tinh"]["rules"]}
    assert rules["consecutive_titles"]["params"] == {"requires": "chien_si_thi_dua_co_so", "years": 3}
    assert rules["public_notice"]["params"] == {"working_days": 10}
    rules = {r["type"]: r for r in kinds["chien_si_thi_dua_toan_quoc"]["rules"]}
    assert rules["consecutive_titles"]["params"] == {"requires": "chien_si_thi_dua_bo_nganh_tinh", "years": 2}
    rules = {r["type"]: r for r in kinds["chien_si_thi_dua_co_so"]["rules"]}
    assert rules["same_year_title"]["params"] == {"requires": "lao_dong_tien_tien"}
    assert rules["quota_pct"]["params"] == {"pct": 15}
    assert all(r["effective_from"] == "2024-01-01" and r["legal_basis"] for k in kinds.values() for r in k["rules"])


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
    assert r.status_code == 200 and r.json()["name"] == "Giấy khen" and r.json()["rules"] == []
    etag = r.headers["ETag"]
    assert api.get("/v1/award-kinds/giay_khen", token=tokens["officer"], headers={"If-None-Match": etag}).status_code == 304
    assert api.get("/v1/award-kinds/bang_khen_tinh_uy", token=tokens["officer"]).status_code == 404
    assert api.get("/v1/award-kinds/Giay-Khen", token=tokens["officer"]).status_code == 404
    assert api.get("/v1/award-kinds/giay_khen").status_code == 401


def test_admin_versions_a_rule(api, tokens):
    """a decree changes the public-notice period from 2026: the old version is closed, the new one added"""
    code = "bang_khen_thu_tuong"
    before = api.get(f"/v1/award-kinds/{code}", token=tokens["admin"]).json()
    old = dict(RULE, effective_to="2025-12-31")
    new = dict(RULE, params={"working_days": 15}, effective_from="2026-01-01", legal_basis="Nghị định 152/2025/NĐ-CP")
    unknown = {"type": "merit_points", "params": {"min": 90, "scale": [1, 2]}, "effective_from": "2026-01-01",
               "legal_basis": "Thông tư của Bộ Nội vụ"}
    r = api.patch(f"/v1/award-kinds/{code}", token=tokens["admin"], headers={"If-Match": f'"{before["version"]}"'},
                  json={"rules": [old, new, unknown], "description": "Khen thưởng cấp nhà nước"})
    assert r.status_code == 200, r.text
    kind = r.json()
    assert kind["version"] == before["version"] + 1 and kind["description"] == "Khen thưởng cấp nhà nước"
    assert kind["rules"] == [old, dict(new, effective_to=None), dict(unknown, effective_to=None)], \
        "stored with exactly their five fields; a type the service does not know is kept as given"
    assert r.headers["ETag"] == f'"{kind["version"]}"'
    # a stale version changes nothing
    r = api.patch(f"/v1/award-kinds/{code}", token=tokens["admin"], headers={"If-Match": f'"{before["version"]}"'},
                  json={"rules": []})
    assert r.status_code == 412
    # the audit trail keeps the earlier version of the rules
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "award_kind", "entity_id": kind["id"]}).json()["items"]
    update = [a for a in audit if a["action"] == "update"][0]
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
    ({"rules": [rule(type=None)]}, "rules[0].type", "required"),
    ({"rules": [rule(type="Public Notice")]}, "rules[0].type", "format"),
    ({"rules": [rule(params=None)]}, "rules[0].params", "required"),
    ({"rules": [rule(params=[10])]}, "rules[0].params", "type"),
    ({"rules": [rule(params={})]}, "rules[0].params.working_days", "required"),
    ({"rules": [rule(params={"working_days": 0})]}, "rules[0].params.working_days", "out_of_range"),
    ({"rules": [rule(params={"working_days": 10, "days": 3})]}, "rules[0].params.days", "unknown_field"),
    ({"rules": [rule(type="consecutive_titles", params={"requires": "chien_si_thi_dua_co_so", "years": 11})]},
     "rules[0].params.years", "out_of_range"),
    ({"rules": [rule(type="consecutive_titles", params={"requires": "bang_khen_tinh_uy", "years": 2})]},
     "rules", "not_found"),
    ({"rules": [rule(type="initiative_recognized", params={"min_level": "ward", "window_years": 1})]},
     "rules[0].params.min_level", "enum"),
    ({"rules": [rule(type="vote_share", params={"pct": 100.001})]}, "rules[0].params.pct", "out_of_range"),
    ({"rules": [rule(type="not_twice", params={"years": 1})]}, "rules[0].params.years", "unknown_field"),
    ({"rules": [rule(effective_from="2024-02-30")]}, "rules[0].effective_from", "date"),
    ({"rules": [rule(effective_to="2023-12-31")]}, "rules[0]", "before_start"),
    ({"rules": [rule(), rule(params={"working_days": 5}, effective_from="2025-06-01")]}, "rules[1]", "overlap"),
    ({"rules": [rule(legal_basis="")]}, "rules[0].legal_basis", "blank"),
    ({"rules": [rule(legal_basis="x" * 301)]}, "rules[0].legal_basis", "too_long"),
    ({"rules": [rule(note="x")]}, "rules[0].note", "unknown_field"),
    ({"rules": ["public_notice"]}, "rules[0]", "type"),
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
    | st.text(max_size=10) | st.sampled_from(["2024-01-01", "2023-12-31", "chien_si_thi_dua_co_so", "province"])
params = st.dictionaries(st.sampled_from(["requires", "years", "min_level", "window_years", "working_days", "pct", "x"]),
                         leaf, max_size=3)
rules = st.lists(st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["consecutive_titles", "same_year_title", "initiative_recognized", "not_twice",
                             "public_notice", "vote_share", "quota_pct", "new_type"]) | st.text(max_size=6),
    "params": params | leaf,
    "effective_from": st.sampled_from(["2024-01-01", "2025-06-01", "2024-13-01"]) | leaf,
    "effective_to": st.sampled_from(["2024-12-31", "2023-01-01"]) | leaf,
    "legal_basis": st.text(max_size=8) | leaf,
}) | leaf, max_size=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"rules": rules}))
def test_any_rules_get_a_clean_answer(api, tokens, server, body):
    """whatever the rules, a 200 that stores them or a 4xx that changes nothing; never a 500"""
    before = server.sql("SELECT version FROM award_kinds WHERE code = 'huan_chuong_lao_dong_hang_nhat'")
    r = api.patch("/v1/award-kinds/huan_chuong_lao_dong_hang_nhat", token=tokens["admin"], json=body)
    assert r.status_code in (200, 400, 422), r.text  # 400: an integer beyond 64 bits (see test_awards.py)
    after = server.sql("SELECT version FROM award_kinds WHERE code = 'huan_chuong_lao_dong_hang_nhat'")
    assert int(after) == int(before) + (1 if r.status_code == 200 else 0)
