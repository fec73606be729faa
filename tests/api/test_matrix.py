"""The role matrix: every role at Thanh tra tỉnh Lạng Sơn against its own unit, a descendant, a
sibling (Thanh tra Sơn La, same parent) and a unit of another province and organisation (Ban Nội
chính Tỉnh ủy Tuyên Quang), for every endpoint. Requests are built to change nothing: where the
caller is allowed, a stale If-Match (412) or a duplicate code (409) stops them after the
permission check; where it is not, the answer is 403."""
import pytest

ROLES = ["admin", "authority", "officer", "viewer", "integration"]
RELATIONS = ["own", "descendant", "sibling", "other_province"]

# expected status per (endpoint, role, relation); roles not listed for an endpoint get `default`
EXPECTED = {
    "get": {"default": 200},
    "patch": {"admin": 412, "authority": {"own": 412, "descendant": 412, "sibling": 403, "other_province": 403},
              "default": 403},
    "create_under": {"admin": 409, "authority": {"own": 409, "descendant": 409, "sibling": 403, "other_province": 403},
                     "default": 403},
    "delete": {"admin": 412, "authority": {"own": 403, "descendant": 412, "sibling": 403, "other_province": 403},
               "default": 403},
}


@pytest.fixture(scope="module")
def targets(api, tokens, units):
    child = api.post("/v1/units", token=tokens["admin"], json={"code": "MX-CHILD", "name": "Phòng Nghiệp vụ 1",
                                                               "kind": "division", "parent_id": units["TT-LSN"]})
    assert child.status_code == 201
    return {"own": units["TT-LSN"], "descendant": child.json()["id"], "sibling": units["TT-SLA"],
            "other_province": units["BNC-TQG"]}


@pytest.fixture(scope="module")
def lang_son_tokens(server, units):
    return {role: server.token(role, units["TT-LSN"], sub=100 + i) for i, role in enumerate(ROLES)}


def expected(endpoint, role, relation):
    e = EXPECTED[endpoint].get(role, EXPECTED[endpoint]["default"])
    return e[relation] if isinstance(e, dict) else e


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_units_matrix(api, lang_son_tokens, targets, server, endpoint, role, relation):
    token, target = lang_son_tokens[role], targets[relation]
    before = server.sql(f"SELECT version FROM units WHERE id = {target}")
    if endpoint == "get":
        r = api.get(f"/v1/units/{target}", token=token)
    elif endpoint == "patch":
        r = api.patch(f"/v1/units/{target}", token=token, json={"short_name": "x"}, headers={"If-Match": '"999999"'})
    elif endpoint == "create_under":
        r = api.post("/v1/units", token=token, json={"code": "TTCP", "name": "x", "kind": "division", "parent_id": target})
    else:
        r = api.delete(f"/v1/units/{target}", token=token, headers={"If-Match": '"999999"'})
    assert r.status_code == expected(endpoint, role, relation), r.text
    assert server.sql(f"SELECT version FROM units WHERE id = {target}") == before, "nothing changed"


@pytest.mark.parametrize("role", ROLES)
def test_accounts_and_integration_matrix(api, lang_son_tokens, role):
    token = lang_son_tokens[role]
    assert api.get("/v1/users?limit=1", token=token).status_code == (200 if role == "admin" else 403)
    assert api.get("/v1/users/1", token=token).status_code in ((200, 404) if role == "admin" else (403,))
    assert api.get("/v1/audit?limit=1", token=token).status_code == (200 if role == "admin" else 403)
    assert api.get("/v1/changes?limit=1", token=token).status_code == (200 if role in ("admin", "integration") else 403)
    assert api.get("/v1/me", token=token).status_code == 404  # minted for a script: no account
