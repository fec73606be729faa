"""Actions that take no body (the contract's conventions; API.md "unknown fields are a 422"): none,
an empty one or `{}` is accepted; a member is an unknown field, a 422 naming it, and the action is
not done — the row stays as it was, to the byte — while the same action without the member then
succeeds. One code path refuses them all (req_no_body); this runs it through every such action of
the contract, each from the state it moves a row out of, and through an action whose body is
optional (a nominee's approval)."""
import itertools

import pytest

from commendation import dossier, nominee, ok, sent

serial = itertools.count(1)
cluster_years = itertools.count(0)
YEAR = 2098   # reports, registrations and cluster-years of this module's own


def campaign(api, tokens, units, activate=False, **extra):
    body = {"code": f"ACT-{next(serial):04d}", "title": "Phong trào thi đua kiểm thử hành động", "kind": "thematic",
            "launched_by_unit_id": units["TTCP"], "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-31"}
    body.update(extra)
    c = ok(api.post("/v1/campaigns", token=tokens["authority"], json=body), 201)
    if activate:
        c = ok(api.post(f"/v1/campaigns/{c['id']}/activate", token=tokens["authority"]))
    return c


def report(api, tokens, units, span, submit=False):
    r = ok(api.post("/v1/reports", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "year": YEAR, "span": span,
                                                                   "values": {"inspections": 3}}), 201)
    if submit:
        r = ok(api.post(f"/v1/reports/{r['id']}/submit", token=tokens["officer"]))
    return r


def evaluation(api, tokens, units, scoring=False):
    """an evaluation of a fresh cluster-year (Lạng Sơn leading), a criterion to score"""
    # years no other module gives Lạng Sơn a cluster in (test_clusters 2040–2089, test_security 2085–2086,
    # test_changes 2087): a unit belongs to one cluster a year
    year = 2090 + next(cluster_years) % 8
    c = ok(api.post("/v1/clusters", token=tokens["authority"], json={
        "code": f"ACT-CL-{next(serial):04d}", "name": "Cụm thi đua kiểm thử hành động", "organizer_unit_id": units["TTCP"]}), 201)
    ok(api.request("PUT", f"/v1/clusters/{c['id']}/members/{year}", token=tokens["authority"],
                   json=[{"unit_id": units["TT-LSN"], "role": "leader"}, {"unit_id": units["TT-LCH"], "role": "deputy"},
                         {"unit_id": units["TT-LCI"], "role": "member"}]))
    ev = ok(api.post("/v1/evaluations", token=tokens["authority"], json={
        "cluster_id": c["id"], "year": year, "title": "Bình xét kiểm thử",
        "criteria": [{"code": "phoi_hop", "name": "Phối hợp trong cụm", "max_points": 20, "kind": "qualitative"}]}), 201)
    if scoring:
        ev = ok(api.post(f"/v1/evaluations/{ev['id']}/open_scoring", token=tokens["authority"]))
    return ev


def dossier_sent(api, tokens, units, approve=()):
    d, ps = sent(api, tokens["officer"], tokens["authority_bnctw"], (units["TT-LSN"], units["BNCTW"]),
                 [{"recipient_unit_id": units["TT-LSN"]}], approve=approve)
    return d, ps


def dossier_draft(api, tokens, units):
    d = dossier(api, tokens["officer"], units["TT-LSN"], units["BNCTW"])
    nominee(api, tokens["officer"], d["id"], recipient_unit_id=units["TT-LSN"])
    return d


# (path of the action, made by: a function of (api, tokens, units) giving the row's path, who acts,
#  the state before and after)
ACTIONS = {
    "/v1/campaigns/{id}/activate": (lambda a, t, u: f"/v1/campaigns/{campaign(a, t, u)['id']}", "authority", "draft", "active"),
    # the issue's own example: {"x": 1} closed the campaign
    "/v1/campaigns/{id}/close": (lambda a, t, u: f"/v1/campaigns/{campaign(a, t, u, activate=True)['id']}", "authority",
                                 "active", "closed"),
    "/v1/registrations/{id}/submit": (None, "officer", "draft", "submitted"),
    "/v1/reports/{id}/submit": (lambda a, t, u: f"/v1/reports/{report(a, t, u, 'q1')['id']}", "officer", "draft", "submitted"),
    "/v1/reports/{id}/accept": (lambda a, t, u: f"/v1/reports/{report(a, t, u, 'q2', submit=True)['id']}", "authority",
                                "submitted", "accepted"),
    "/v1/evaluations/{id}/open_scoring": (lambda a, t, u: f"/v1/evaluations/{evaluation(a, t, u)['id']}", "authority",
                                          "draft", "scoring"),
    "/v1/evaluations/{id}/open_voting": (lambda a, t, u: f"/v1/evaluations/{evaluation(a, t, u, scoring=True)['id']}",
                                         "authority", "scoring", "voting"),
    "/v1/dossiers/{id}/submit": (lambda a, t, u: f"/v1/dossiers/{dossier_draft(a, t, u)['id']}", "officer", "draft", "submitted"),
    "/v1/dossiers/{id}/withdraw": (lambda a, t, u: f"/v1/dossiers/{dossier_draft(a, t, u)['id']}", "officer", "draft", "withdrawn"),
    "/v1/dossiers/{id}/review": (lambda a, t, u: f"/v1/dossiers/{dossier_sent(a, t, u, approve=[0])[0]['id']}",
                                 "authority_bnctw", "submitted", "reviewed"),
}


def registration(api, tokens, units):
    c = campaign(api, tokens, units, activate=True)
    r = ok(api.post(f"/v1/campaigns/{c['id']}/registrations", token=tokens["officer"], json={
        "unit_id": units["TT-LSN"], "year": YEAR, "titles": ["tap_the_lao_dong_xuat_sac"]}), 201)
    return f"/v1/registrations/{r['id']}"


ACTIONS["/v1/registrations/{id}/submit"] = (registration,) + ACTIONS["/v1/registrations/{id}/submit"][1:]
# how the action is then sent without a member: the accepted forms in turn over the sorted
# actions, so an action is always sent the same way whichever tests are selected
FORMS = ("none", "empty", "{}")


def test_every_action_without_a_body_in_the_contract_is_here(contract):
    """an action the contract gives no fields (a body of at most {}) is in ACTIONS, so that a new one is tested too"""
    bodiless = set()
    for path, item in contract.spec["paths"].items():
        body = contract.deref(item.get("post", {}).get("requestBody", {}))
        if not body:
            continue
        schema = contract.deref(body["content"].get("application/json", {}).get("schema", {}))
        if schema.get("maxProperties") == 0:
            assert body.get("required") is False, path
            bodiless.add(path)
    assert bodiless == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_member_in_an_action_without_a_body_is_a_422_and_does_nothing(api, tokens, units, action):
    make, who, before, after = ACTIONS[action]
    row = make(api, tokens, units)
    url = row + "/" + action.rsplit("/", 1)[1]
    first = api.get(row, token=tokens["admin"])
    assert first.json()["status"] == before
    for body in ({"x": 1}, {"status": after}, {"x": 1, "y": None}):
        r = api.post(url, token=tokens[who], json=body)
        assert r.status_code == 422, (body, r.text)
        assert sorted((e["field"], e["code"]) for e in r.json()["errors"]) == sorted((k, "unknown_field") for k in body)
        same = api.get(row, token=tokens["admin"])
        assert same.content == first.content and same.headers["ETag"] == first.headers["ETag"], body
    # a body that is not an object is refused too, and changes nothing
    for raw in (b"[]", b"1", b"null"):
        r = api.post(url, token=tokens[who], data=raw, headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), (raw, r.text)
    assert api.get(row, token=tokens["admin"]).content == first.content
    # without the member the same action is done: it was the body alone that stopped it
    form = FORMS[sorted(ACTIONS).index(action) % len(FORMS)]
    if form == "none":
        done = api.post(url, token=tokens[who])
    elif form == "empty":
        done = api.post(url, token=tokens[who], data=b"", headers={"Content-Type": "application/json"})
    else:
        done = api.post(url, token=tokens[who], json={})
    assert done.status_code == 200, (form, done.text)
    assert done.json()["status"] == after


def test_an_unknown_member_beside_an_actions_own_fields_is_a_422_and_does_nothing(api, tokens, units):
    """a body that is optional (a nominee's approval: an override reason, or nothing) refuses an
    unknown member the same way"""
    _, (p,) = dossier_sent(api, tokens, units)
    url, row = f"/v1/proposals/{p['id']}/approve", f"/v1/proposals/{p['id']}"
    first = api.get(row, token=tokens["admin"])
    assert first.json()["status"] == "pending"
    for body in ({"x": 1}, {"override_reason": "Thành tích tiêu biểu.", "x": 1}):
        r = api.post(url, token=tokens["authority_bnctw"], json=body)
        assert r.status_code == 422 and [(e["field"], e["code"]) for e in r.json()["errors"]] == [("x", "unknown_field")], r.text
        assert api.get(row, token=tokens["admin"]).content == first.content
    done = ok(api.post(url, token=tokens["authority_bnctw"], json={"override_reason": "Thành tích tiêu biểu."}))
    assert done["status"] == "approved"
