"""/v1/people: reading, writing by role and subtree, subtree filter, accent-insensitive q."""
import pytest


def create(api, token, unit_id, **extra):
    body = {"unit_id": unit_id, "full_name": "Hoàng Văn Thụ", "position": "Thanh tra viên"}
    body.update(extra)
    return api.post("/v1/people", token=token, json=body)


def test_demo_people_and_q(api, tokens, units):
    r = api.get("/v1/people", token=tokens["viewer"], params={"q": "nguyen thi thanh huong"})
    assert r.status_code == 200
    found = r.json()["items"]
    assert [p["full_name"] for p in found] == ["Nguyễn Thị Thanh Hương"]
    assert found[0]["unit_id"] == units["TT-KGG-PCTN"]
    r = api.get("/v1/people", token=tokens["viewer"], params={"q": "PHO CHANH THANH TRA"})
    assert "Lê Trường Kế" in [p["full_name"] for p in r.json()["items"]]


def test_unit_and_subtree_filters(api, tokens, units):
    direct = api.get("/v1/people", token=tokens["viewer"], params={"unit_id": units["TT-KGG"]}).json()["items"]
    assert {p["full_name"] for p in direct} >= {"Lê Trường Kế", "Nguyễn Thị Thu Nhung"}
    assert all(p["unit_id"] == units["TT-KGG"] for p in direct)
    tree = api.get("/v1/people", token=tokens["viewer"],
                   params={"unit_id": units["DUK-KG"], "subtree": "true"}).json()["items"]
    assert {"Lê Trường Kế", "Nguyễn Thị Thanh Hương", "Nguyễn Thị Thu Nhung"} <= {p["full_name"] for p in tree}
    assert api.get("/v1/people", token=tokens["viewer"], params={"subtree": "true"}).status_code == 400
    assert api.get("/v1/people", token=tokens["viewer"], params={"unit_id": "x"}).status_code == 400


def test_officer_writes_inside_its_subtree(api, tokens, units):
    # officer and authority_ls are at Thanh tra Lạng Sơn
    r = create(api, tokens["officer"], units["TT-LSN"])
    assert r.status_code == 201 and r.headers["Location"] == f"/v1/people/{r.json()['id']}"
    person = r.json()
    assert create(api, tokens["officer"], units["TT-SLA"]).status_code == 403  # sibling province
    assert create(api, tokens["officer"], units["BNC-TQG"]).status_code == 403  # another organisation
    r = create(api, tokens["officer"], 987654321)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id"
    r = api.patch(f"/v1/people/{person['id']}", token=tokens["officer"], json={"position": None},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["position"] is None and r.json()["version"] == 2
    assert api.patch(f"/v1/people/{person['id']}", token=tokens["officer"],
                     json={"unit_id": units["TT-SLA"]}).status_code == 403  # moving out of its subtree
    assert api.patch(f"/v1/people/{person['id']}", token=tokens["officer"], json={"full_name": "x"},
                     headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(f"/v1/people/{person['id']}", token=tokens["officer"]).status_code == 204
    assert api.get(f"/v1/people/{person['id']}", token=tokens["viewer"]).status_code == 404


@pytest.mark.parametrize("role,status", [("admin", 201), ("authority", 201), ("officer", 403), ("viewer", 403),
                                         ("integration", 403)])
def test_roles_on_another_units_people(api, tokens, units, role, status):
    # the authority is at Thanh tra Chính phủ, above Sơn La; the officer is at Lạng Sơn
    assert create(api, tokens[role], units["TT-SLA"]).status_code == status


@pytest.mark.parametrize("role", ["viewer", "integration"])
def test_readers_cannot_change_people(api, tokens, units, role):
    person = create(api, tokens["admin"], units["TT-LSN"]).json()
    assert api.patch(f"/v1/people/{person['id']}", token=tokens[role], json={"full_name": "x"}).status_code == 403
    assert api.delete(f"/v1/people/{person['id']}", token=tokens[role]).status_code == 403
    assert api.get(f"/v1/people/{person['id']}", token=tokens[role]).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"full_name": ""}, "full_name"), ({"full_name": "x" * 201}, "full_name"), ({"unit_id": "1"}, "unit_id"),
    ({"position": ""}, "position"), ({"email": "a@b"}, "email"), ({"id": 1}, "id"),
])
def test_person_validation(api, tokens, units, body, field):
    full = {"unit_id": units["TT-LSN"], "full_name": "Hoàng Văn Thụ"}
    full.update(body)
    r = api.post("/v1/people", token=tokens["admin"], json=full)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


def test_person_get_etag_and_audit(api, tokens, units):
    person = create(api, tokens["admin"], units["TT-LSN"]).json()
    r = api.get(f"/v1/people/{person['id']}", token=tokens["viewer"], headers={"If-None-Match": '"1"'})
    assert r.status_code == 304
    items = api.get("/v1/audit", token=tokens["admin"], params={"entity": "person", "entity_id": person["id"]}).json()["items"]
    assert items[0]["action"] == "create" and items[0]["changes"]["full_name"]["new"] == "Hoàng Văn Thụ"


def test_unit_with_people_cannot_be_deleted(api, tokens):
    unit = api.post("/v1/units", token=tokens["admin"], json={"code": "PPL-1", "name": "Tạm", "kind": "other"}).json()
    create(api, tokens["admin"], unit["id"])
    r = api.delete(f"/v1/units/{unit['id']}", token=tokens["admin"])
    assert r.status_code == 409 and "people" in r.json()["errors"][0]["message"]
