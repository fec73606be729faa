"""/v1/changes as a national system uses it: each change with its entity's key, address and current
representation (as that caller's GET shows it, or a tombstone), a start by time, the year of a
cluster's member list, and nothing of rows the caller may not see."""
import itertools
import urllib.parse

counter = itertools.count(1)


def feed_after(api, token, after, **params):
    """every change after `after`, following the cursor"""
    items, query = [], dict(params, after=after, limit=500)
    while True:
        r = api.get("/v1/changes", token=token, params=query)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        if not r.json()["next_cursor"]:
            return items
        query = {"cursor": r.json()["next_cursor"], "limit": 500}


def last_seq(server):
    return int(server.sql("SELECT coalesce(max(seq), 0) FROM change_feed"))


def test_a_change_carries_its_entity_as_the_callers_get_shows_it(api, tokens, server):
    start = last_seq(server)
    u = api.post("/v1/units", token=tokens["admin"], json={"code": f"CH-{next(counter):04d}", "name": "Phòng Theo dõi",
                                                           "kind": "other"}).json()
    assert api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"name": "Phòng Theo dõi đồng bộ"}).status_code == 200
    mine = [c for c in feed_after(api, tokens["integration"], start) if c["entity"] == "unit" and c["entity_id"] == u["id"]]
    assert [c["action"] for c in mine] == ["create", "update"]
    now = api.get(f"/v1/units/{u['id']}", token=tokens["integration"]).json()
    for c in mine:
        assert c["key"] == str(u["id"]) and c["href"] == f"/v1/units/{u['id']}" and c["list"] is None
        assert c["current"] == now, "the current state, as the integration's own GET shows it"
    assert api.get(mine[0]["href"], token=tokens["integration"]).json() == now
    # deleted: every change of it is now a tombstone, still addressed by its key
    assert api.delete(f"/v1/units/{u['id']}", token=tokens["admin"]).status_code == 204
    mine = [c for c in feed_after(api, tokens["integration"], start) if c["entity"] == "unit" and c["entity_id"] == u["id"]]
    assert [c["action"] for c in mine] == ["create", "update", "delete"]
    assert all(c["current"] is None and c["href"] == f"/v1/units/{u['id']}" for c in mine)


def test_an_award_kind_is_addressed_by_its_code(api, tokens, server):
    start = last_seq(server)
    kind = api.get("/v1/award-kinds/giay_khen", token=tokens["admin"]).json()
    r = api.patch("/v1/award-kinds/giay_khen", token=tokens["admin"], json={"description": "Giấy khen của thủ trưởng"})
    assert r.status_code == 200, r.text
    [c] = [c for c in feed_after(api, tokens["integration"], start) if c["entity"] == "award_kind"]
    assert c["entity_id"] == kind["id"] and c["key"] == "giay_khen" and c["href"] == "/v1/award-kinds/giay_khen"
    assert c["current"] == api.get(c["href"], token=tokens["integration"]).json()
    assert c["current"]["description"] == "Giấy khen của thủ trưởng"


def test_a_member_list_change_says_which_year(api, tokens, units, server):
    start = last_seq(server)
    c = api.post("/v1/clusters", token=tokens["authority"], json={
        "code": f"CH-CL-{next(counter):03d}", "name": "Cụm thi đua đồng bộ", "organizer_unit_id": units["TTCP"]}).json()
    assert api.request("PUT", f"/v1/clusters/{c['id']}/members/2041", token=tokens["authority"], json=[
        {"unit_id": units["TT-LSN"], "role": "leader"}, {"unit_id": units["TT-LCH"], "role": "deputy"},
        {"unit_id": units["TT-LCI"], "role": "member"}]).status_code == 200
    assert api.post(f"/v1/clusters/{c['id']}/rollover", token=tokens["authority"],
                    json={"from_year": 2041, "deputy_unit_id": units["TT-LCI"]}).status_code == 201
    mine = [x for x in feed_after(api, tokens["integration"], start) if x["entity"] == "cluster" and x["entity_id"] == c["id"]]
    assert [(x["action"], x["list"]) for x in mine] == [
        ("create", None), ("update", {"name": "members", "year": 2041}), ("update", {"name": "members", "year": 2042})]
    assert all(x["current"]["code"] == c["code"] for x in mine)
    # a campaign's indicators: a list without a year
    start = last_seq(server)
    camp = api.post("/v1/campaigns", token=tokens["authority"], json={
        "code": f"CH-CA-{next(counter):03d}", "title": "Phong trào đồng bộ", "kind": "regular",
        "launched_by_unit_id": units["TTCP"], "starts_on": "2041-01-01", "ends_on": "2041-12-31"}).json()
    assert api.request("PUT", f"/v1/campaigns/{camp['id']}/indicators", token=tokens["authority"],
                       json=[{"indicator_code": "inspections"}]).status_code == 200
    mine = [x for x in feed_after(api, tokens["integration"], start) if x["entity"] == "campaign"]
    assert [(x["action"], x["list"]) for x in mine] == [("create", None), ("update", {"name": "indicators"})]


def test_since_starts_at_a_time(api, tokens, server):
    api.post("/v1/units", token=tokens["admin"], json={"code": f"CH-{next(counter):04d}", "name": "Trước", "kind": "other"})
    # the time of the last change so far, to the microsecond, in Vietnam's offset
    at = server.sql("SELECT to_char(max(at) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM change_feed")
    seq = last_seq(server)
    u = api.post("/v1/units", token=tokens["admin"], json={"code": f"CH-{next(counter):04d}", "name": "Sau", "kind": "other"}).json()
    # '+' in a query string is a space: sent as %2B
    r = api.get(f"/v1/changes?since={urllib.parse.quote(at + '+07:00')}&limit=500", token=tokens["admin"])
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items[0]["seq"] == seq, "the first change recorded at or after the time"
    assert any(c["entity"] == "unit" and c["entity_id"] == u["id"] for c in items)
    assert [c["seq"] for c in items] == sorted(c["seq"] for c in items)
    # times follow the sequence
    assert server.sql("SELECT count(*) FROM (SELECT at < lag(at) OVER (ORDER BY seq) AS back FROM change_feed) x WHERE back") == "0"
    # nothing recorded since: an empty page, no cursor
    r = api.get("/v1/changes", token=tokens["admin"], params={"since": "2099-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}


def test_since_refuses_what_it_cannot_read(api, tokens):
    for bad in ["2026-01-31T08:00:00", "2026-01-31 08:00:00+07:00", "2026-02-30T08:00:00Z", "yesterday", ""]:
        r = api.get("/v1/changes", token=tokens["integration"], params={"since": bad})
        assert r.status_code == 400, (bad, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json")
    r = api.get("/v1/changes", token=tokens["integration"], params={"since": "2026-01-31T08:00:00Z", "after": 5})
    assert r.status_code == 400 and "not both" in r.json()["detail"]
    for role in ("authority", "officer", "viewer"):
        assert api.get("/v1/changes", token=tokens[role], params={"since": "2026-01-31T08:00:00Z"}).status_code == 403


def test_nothing_of_drafts_and_accounts_for_integrations(api, tokens, units, server):
    start = last_seq(server)
    year = 2087
    r = api.post("/v1/reports", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "year": year, "span": "year",
                                                                "values": {"inspections": 12}})
    assert r.status_code == 201, r.text
    report = r.json()
    user = api.post("/v1/users", token=tokens["admin"], json={
        "username": f"dongbo{next(counter)}", "password": "mat-khau-dai-du-12", "role": "viewer",
        "unit_id": units["TT-LSN"], "display_name": "Người đồng bộ"})
    assert user.status_code == 201, user.text
    seen = feed_after(api, tokens["integration"], start)
    assert not [c for c in seen if c["entity"] in ("report", "user")], "a draft report and an account are not the integration's"
    everything = feed_after(api, tokens["admin"], start)
    [mine] = [c for c in everything if c["entity"] == "report" and c["entity_id"] == report["id"]]
    assert mine["current"] == api.get(f"/v1/reports/{report['id']}", token=tokens["admin"]).json()
    [account] = [c for c in everything if c["entity"] == "user"]
    assert "password" not in account["current"] and "password_hash" not in account["current"]
    # submitted, the report shows up for the integration, as its GET shows it
    assert api.post(f"/v1/reports/{report['id']}/submit", token=tokens["officer"]).status_code == 200
    [c] = [c for c in feed_after(api, tokens["integration"], start) if c["entity"] == "report"]
    assert c["action"] == "update" and c["current"] == api.get(f"/v1/reports/{report['id']}", token=tokens["integration"]).json()
