"""/v1/units: every path and status, each role, another subtree's units, pagination, ETags."""
import itertools
import json
import threading

import pytest

counter = itertools.count(1)


def new_code(prefix="T"):
    return f"{prefix}-{next(counter):05d}"


def create(api, token, **fields):
    body = {"code": new_code(), "name": "Đơn vị thử nghiệm", "kind": "division"}
    body.update(fields)
    return api.post("/v1/units", token=token, json=body)


# --- reading -------------------------------------------------------------------------------

def test_demo_units_are_listed(api, tokens, units):
    r = api.get("/v1/units?limit=500", token=tokens["viewer"])
    assert r.status_code == 200
    codes = {u["code"] for u in r.json()["items"]}
    assert {"TTCP", "BNCTW", "DUK-KG", "TT-KGG", "TT-KGG-PCTN", "BNC-TQG", "BNC-BGG"} <= codes
    assert sum(1 for c in codes if c.startswith("BNC-")) == 14
    assert sum(1 for c in codes if c.startswith("TT-") and units[c] and c not in ("TT-KGG", "TT-KGG-PCTN")) >= 7
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", ["admin", "authority", "officer", "viewer", "integration"])
def test_every_role_reads_units(api, tokens, units, role):
    r = api.get(f"/v1/units/{units['BNC-TQG']}", token=tokens[role])
    assert r.status_code == 200
    assert r.json()["name"] == "Ban Nội chính Tỉnh ủy Tuyên Quang"
    assert r.json()["province_code"] == "08"


@pytest.mark.parametrize("q,code", [
    ("thanh tra lang son", "TT-LSN"),
    ("THANH TRA LẠNG SƠN", "TT-LSN"),
    ("lạng sơn thanh", "TT-LSN"),
    ("ban noi chinh tuyen quang", "BNC-TQG"),
    ("dang uy khoi", "DUK-KG"),
    ("phong chong tham nhung", "TT-KGG-PCTN"),
    ("TTCP", "TTCP"),
])
def test_q_is_accent_and_case_insensitive(api, tokens, q, code):
    r = api.get("/v1/units", token=tokens["viewer"], params={"q": q})
    assert r.status_code == 200
    assert code in [u["code"] for u in r.json()["items"]], r.json()


def test_q_without_words_matches_nothing(api, tokens):
    r = api.get("/v1/units", token=tokens["viewer"], params={"q": "!!! ..."})
    assert r.status_code == 200 and r.json()["items"] == []


def test_filters(api, tokens, units):
    r = api.get(f"/v1/units?parent_id={units['BNCTW']}&limit=500", token=tokens["viewer"])
    assert len(r.json()["items"]) >= 14 and all(u["parent_id"] == units["BNCTW"] for u in r.json()["items"])
    r = api.get("/v1/units?kind=internal_affairs_board&limit=500", token=tokens["viewer"])
    assert all(u["kind"] == "internal_affairs_board" for u in r.json()["items"])
    assert len(r.json()["items"]) >= 15
    r = api.get("/v1/units?province_code=20", token=tokens["viewer"])
    assert {u["code"] for u in r.json()["items"]} >= {"TT-LSN", "BNC-LSN"}
    assert all(u["province_code"] == "20" for u in r.json()["items"])
    r = api.get("/v1/units?active=true&kind=party_committee", token=tokens["viewer"])
    assert all(u["active"] and u["kind"] == "party_committee" for u in r.json()["items"])


@pytest.mark.parametrize("query", [
    "limit=0", "limit=501", "limit=x", "limit=-1", "kind=bogus", "parent_id=abc", "parent_id=0",
    "province_code=8", "province_code=abc", "active=yes", "cursor=garbage", "cursor=", "unknown=1",
    "limit=5&limit=6", "q=" + "a" * 201, "q=%FF", "q=%00",
])
def test_bad_query_parameters_are_400(api, tokens, query):
    r = api.get("/v1/units?" + query, token=tokens["viewer"])
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "urn:tdkt:problem:bad_request"


def test_tampered_cursor_is_400(api, tokens):
    r = api.get("/v1/units?limit=2", token=tokens["viewer"])
    cursor = r.json()["next_cursor"]
    assert cursor
    payload, mac = cursor.split(".")
    forged = ("MQ" if payload != "MQ" else "Mg") + "." + mac
    for bad in (forged, cursor[:-1], cursor + "A", payload + "." + mac[::-1]):
        r = api.get("/v1/units", token=tokens["viewer"], params={"cursor": bad})
        assert r.status_code == 400, bad


def test_pagination_with_inserts_between_pages(api, tokens, units):
    before = {u["id"] for u in api.get("/v1/units?limit=500", token=tokens["viewer"]).json()["items"]}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        r = api.get("/v1/units", token=tokens["viewer"], params=params)
        assert r.status_code == 200
        page = r.json()
        assert len(page["items"]) <= 4
        seen += [u["id"] for u in page["items"]]
        pages += 1
        # rows created between page requests must neither repeat nor push others out
        assert create(api, tokens["admin"], parent_id=units["TT-KGG"]).status_code == 201
        cursor = page["next_cursor"]
        if not cursor or pages > 200:
            break
    assert len(seen) == len(set(seen)), "no row twice"
    assert seen == sorted(seen), "stable id order"
    assert before <= set(seen), "no row skipped"


def test_get_etag_and_304(api, tokens, units):
    r = api.get(f"/v1/units/{units['TTCP']}", token=tokens["viewer"])
    etag = r.headers["ETag"]
    assert etag == f'"{r.json()["version"]}"'
    r = api.get(f"/v1/units/{units['TTCP']}", token=tokens["viewer"], headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == etag
    r = api.get(f"/v1/units/{units['TTCP']}", token=tokens["viewer"], headers={"If-None-Match": '"999999"'})
    assert r.status_code == 200


@pytest.mark.parametrize("path", ["/v1/units/999999999", "/v1/units/abc", "/v1/units/0", "/v1/units/-1",
                                  "/v1/units/99999999999999999999", "/v1/units/1.5"])
def test_get_missing_is_404(api, tokens, path):
    r = api.get(path, token=tokens["viewer"])
    assert r.status_code == 404
    assert r.json()["type"] == "urn:tdkt:problem:not_found"


def test_head_has_no_body(api, tokens, units):
    r = api.request("HEAD", f"/v1/units/{units['TTCP']}", token=tokens["viewer"])
    assert r.status_code == 200 and r.content == b"" and int(r.headers["Content-Length"]) > 0
    assert r.headers["ETag"] == api.get(f"/v1/units/{units['TTCP']}", token=tokens["viewer"]).headers["ETag"]
    # the GET's problems too, without their body (the contract's head operations say so)
    r = api.request("HEAD", "/v1/units/99999999", token=tokens["viewer"])
    assert r.status_code == 404 and r.content == b""
    r = api.request("HEAD", "/v1/units?bogus=1", token=tokens["viewer"])
    assert r.status_code == 400 and r.content == b""


# --- creating ------------------------------------------------------------------------------

def test_admin_creates_a_unit(api, tokens, units):
    code = new_code("TT")
    r = create(api, tokens["admin"], code=code, name="Thanh tra huyện An Biên", short_name="TT An Biên",
               kind="district_inspectorate", parent_id=units["TT-KGG"], province_code="91")
    assert r.status_code == 201, r.text
    u = r.json()
    assert r.headers["Location"] == f"/v1/units/{u['id']}"
    assert r.headers["ETag"] == '"1"'
    assert (u["code"], u["name"], u["version"], u["active"]) == (code, "Thanh tra huyện An Biên", 1, True)
    assert api.get(r.headers["Location"], token=tokens["viewer"]).json() == u


def test_text_is_stored_as_nfc(api, tokens):
    decomposed = "Lạng Sơn".encode("utf-8")  # already NFC; build an NFD spelling
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Thanh tra Lạng Sơn")
    r = create(api, tokens["admin"], name=nfd)
    assert r.status_code == 201
    assert r.json()["name"] == unicodedata.normalize("NFC", nfd)
    assert decomposed


def test_duplicate_code_is_409(api, tokens):
    r = create(api, tokens["admin"], code="TTCP")
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "code"


def test_unknown_parent_is_422(api, tokens):
    r = create(api, tokens["admin"], parent_id=987654321)
    assert r.status_code == 422
    assert r.json()["errors"][0] == {"field": "parent_id", "code": "not_found",
                                     "message": "parent_id does not name an existing unit"}


@pytest.mark.parametrize("body,field,code", [
    ({"name": "x", "kind": "division"}, "code", "required"),
    ({"code": "lower", "name": "x", "kind": "division"}, "code", "format"),
    ({"code": "-X", "name": "x", "kind": "division"}, "code", "format"),
    ({"code": "A" * 33, "name": "x", "kind": "division"}, "code", "too_long"),
    ({"code": "OK-1", "name": "", "kind": "division"}, "name", "blank"),
    ({"code": "OK-1", "name": "x" * 256, "kind": "division"}, "name", "too_long"),
    ({"code": "OK-1", "name": "a\u0007b", "kind": "division"}, "name", "control_characters"),
    ({"code": "OK-1", "name": None, "kind": "division"}, "name", "not_nullable"),
    ({"code": "OK-1", "name": "x", "kind": "ministry"}, "kind", "enum"),
    ({"code": "OK-1", "name": "x", "kind": "division", "parent_id": "1"}, "parent_id", "type"),
    ({"code": "OK-1", "name": "x", "kind": "division", "parent_id": 0}, "parent_id", "out_of_range"),
    ({"code": "OK-1", "name": "x", "kind": "division", "province_code": "8"}, "province_code", "too_short"),
    ({"code": "OK-1", "name": "x", "kind": "division", "province_code": "ab"}, "province_code", "format"),
    ({"code": "OK-1", "name": "x", "kind": "division", "active": "yes"}, "active", "type"),
    ({"code": "OK-1", "name": "x", "kind": "division", "id": 5}, "id", "read_only"),
    ({"code": "OK-1", "name": "x", "kind": "division", "version": 2}, "version", "read_only"),
    ({"code": "OK-1", "name": "x", "kind": "division", "created_at": "2020-01-01T00:00:00Z"}, "created_at", "read_only"),
    ({"code": "OK-1", "name": "x", "kind": "division", "colour": "red"}, "colour", "unknown_field"),
])
def test_invalid_bodies_are_422_naming_the_field(api, tokens, server, body, field, code):
    count = server.sql("SELECT count(*) FROM units")
    r = api.post("/v1/units", token=tokens["admin"], json=body)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in errors], errors
    assert server.sql("SELECT count(*) FROM units") == count, "nothing changed"


@pytest.mark.parametrize("raw", [
    b'{"code":"X1","name":"a","kind":"division"',
    b'{"code":"X1","code":"X2","name":"a","kind":"division"}',
    b'[{"code":"X1"}]', b'"just a string"', b"", b"null", b"\xff\xfe{}",
    b'{"code":"X1","name":"a\\u0000b","kind":"division"}',
    b'{"code":"X1","name":"a","kind":"division","parent_id":123456789012345678901234567890}',
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
])
def test_malformed_bodies_are_400(api, tokens, raw):
    r = api.post("/v1/units", token=tokens["admin"], data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "application/json; charset=latin1", "application/merge-patch+json"])
def test_wrong_content_type_is_415(api, tokens, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    r = api.post("/v1/units", token=tokens["admin"], data=b'{"code":"X9","name":"a","kind":"division"}',
                 headers=headers)
    assert r.status_code == 415


def test_json_with_charset_utf8_is_accepted(api, tokens):
    body = json.dumps({"code": new_code(), "name": "Sở", "kind": "agency"}).encode()
    r = api.post("/v1/units", token=tokens["admin"], data=body,
                 headers={"Content-Type": "application/json; charset=UTF-8"})
    assert r.status_code == 201


def test_oversized_body_is_413(api, tokens):
    big = json.dumps({"code": "BIG", "name": "x" * (1024 * 1024 + 10), "kind": "division"}).encode()
    r = api.post("/v1/units", token=tokens["admin"], data=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_oversized_chunked_body_is_413(api, tokens):
    def chunks():
        yield b'{"code":"BIG","name":"'
        for _ in range(70):
            yield b"x" * 16384
        yield b'","kind":"division"}'
    r = api.post("/v1/units", token=tokens["admin"], data=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_authority_creates_inside_its_subtree_only(api, tokens, units):
    assert create(api, tokens["authority"], parent_id=units["TT-LSN"]).status_code == 201
    assert create(api, tokens["authority"], parent_id=units["TTCP"]).status_code == 201
    r = create(api, tokens["authority"], parent_id=units["BNC-TQG"])  # another organisation's tree
    assert r.status_code == 403
    r = create(api, tokens["authority"])  # a new root
    assert r.status_code == 403
    r = create(api, tokens["authority_ls"], parent_id=units["TT-SLA"])  # a sibling province
    assert r.status_code == 403
    r = create(api, tokens["authority"], parent_id=987654321)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parent_id"


@pytest.mark.parametrize("role", ["officer", "viewer", "integration"])
def test_other_roles_cannot_create(api, tokens, units, role):
    r = create(api, tokens[role], parent_id=units["TT-LSN"])
    assert r.status_code == 403
    assert r.json()["type"] == "urn:tdkt:problem:forbidden"


# --- changing ------------------------------------------------------------------------------

def test_patch_renames_and_bumps_version(api, tokens, units):
    u = create(api, tokens["admin"], parent_id=units["TT-KGG"], short_name="Cũ").json()
    r = api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"name": "Phòng Giám sát, kiểm tra"},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Phòng Giám sát, kiểm tra" and r.json()["version"] == 2
    assert r.headers["ETag"] == '"2"'
    assert r.json()["short_name"] == "Cũ" and r.json()["code"] == u["code"]
    # merge patch: null clears a nullable field
    r = api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"short_name": None},
                  headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.json()["short_name"] is None and r.json()["version"] == 3


def test_patch_with_stale_if_match_is_412_and_changes_nothing(api, tokens, units):
    u = create(api, tokens["admin"], parent_id=units["TT-KGG"]).json()
    api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"name": "Một"})
    r = api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"name": "Hai"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert api.get(f"/v1/units/{u['id']}", token=tokens["admin"]).json()["name"] == "Một"


@pytest.mark.parametrize("body,field", [
    ({"name": None}, "name"), ({"code": None}, "code"), ({"kind": None}, "kind"), ({"id": 3}, "id"),
    ({"name": 5}, "name"), ({"nonsense": 1}, "nonsense"), ({"active": None}, "active"),
])
def test_patch_validation(api, tokens, units, body, field):
    u = create(api, tokens["admin"], parent_id=units["TT-KGG"]).json()
    r = api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


def test_no_cycles(api, tokens, units):
    a = create(api, tokens["admin"]).json()
    b = create(api, tokens["admin"], parent_id=a["id"]).json()
    c = create(api, tokens["admin"], parent_id=b["id"]).json()
    for target, parent in ((a, c["id"]), (a, a["id"]), (b, c["id"])):
        r = api.patch(f"/v1/units/{target['id']}", token=tokens["admin"], json={"parent_id": parent})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["code"] == "cycle"
    # moving to the root and back is fine
    assert api.patch(f"/v1/units/{c['id']}", token=tokens["admin"], json={"parent_id": None}).status_code == 200
    assert api.patch(f"/v1/units/{c['id']}", token=tokens["admin"], json={"parent_id": a["id"]}).status_code == 200


def test_concurrent_moves_cannot_build_a_cycle(api, tokens, server):
    for _ in range(5):
        a = create(api, tokens["admin"]).json()
        b = create(api, tokens["admin"]).json()
        results = []
        barrier = threading.Barrier(2)

        def move(child, parent):
            barrier.wait()
            results.append(api.patch(f"/v1/units/{child}", token=tokens["admin"], json={"parent_id": parent}).status_code)

        threads = [threading.Thread(target=move, args=(a["id"], b["id"])),
                   threading.Thread(target=move, args=(b["id"], a["id"]))]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results) == [200, 422], results
        pa = server.sql(f"SELECT coalesce(parent_id, 0) FROM units WHERE id = {a['id']}")
        pb = server.sql(f"SELECT coalesce(parent_id, 0) FROM units WHERE id = {b['id']}")
        assert not (int(pa) == b["id"] and int(pb) == a["id"])


def test_authority_changes_inside_its_subtree_only(api, tokens, units):
    mine = create(api, tokens["admin"], parent_id=units["TT-LSN"]).json()
    theirs = create(api, tokens["admin"], parent_id=units["BNC-LSN"]).json()
    assert api.patch(f"/v1/units/{mine['id']}", token=tokens["authority"], json={"name": "Đổi tên"}).status_code == 200
    assert api.patch(f"/v1/units/{theirs['id']}", token=tokens["authority"], json={"name": "x"}).status_code == 403
    # may move within its subtree, not out of it
    assert api.patch(f"/v1/units/{mine['id']}", token=tokens["authority"],
                     json={"parent_id": units["TT-SLA"]}).status_code == 200
    assert api.patch(f"/v1/units/{mine['id']}", token=tokens["authority"],
                     json={"parent_id": units["BNCTW"]}).status_code == 403
    assert api.patch(f"/v1/units/{mine['id']}", token=tokens["authority"], json={"parent_id": None}).status_code == 403
    # the authority of Lạng Sơn does not reach Sơn La, its sibling
    assert api.patch(f"/v1/units/{mine['id']}", token=tokens["authority_ls"], json={"name": "y"}).status_code == 403
    # its own unit: may rename, may not move
    assert api.patch(f"/v1/units/{units['TTCP']}", token=tokens["authority"], json={"short_name": "TTCP"}).status_code == 200
    assert api.patch(f"/v1/units/{units['TTCP']}", token=tokens["authority"],
                     json={"parent_id": units["BNCTW"]}).status_code == 403


@pytest.mark.parametrize("role", ["officer", "viewer", "integration"])
def test_other_roles_cannot_patch(api, tokens, units, role):
    r = api.patch(f"/v1/units/{units['TT-LSN']}", token=tokens[role], json={"name": "x"})
    assert r.status_code == 403


def test_patch_missing_is_404(api, tokens):
    assert api.patch("/v1/units/987654321", token=tokens["admin"], json={"name": "x"}).status_code == 404


# --- deleting ------------------------------------------------------------------------------

def test_delete(api, tokens, units):
    parent = create(api, tokens["admin"]).json()
    child = create(api, tokens["admin"], parent_id=parent["id"]).json()
    r = api.delete(f"/v1/units/{parent['id']}", token=tokens["admin"])
    assert r.status_code == 409
    assert r.json()["type"] == "urn:tdkt:problem:conflict"
    assert api.delete(f"/v1/units/{child['id']}", token=tokens["admin"], headers={"If-Match": '"7"'}).status_code == 412
    r = api.delete(f"/v1/units/{child['id']}", token=tokens["admin"], headers={"If-Match": '"1"'})
    assert r.status_code == 204 and r.content == b""
    assert api.get(f"/v1/units/{child['id']}", token=tokens["admin"]).status_code == 404
    assert api.delete(f"/v1/units/{child['id']}", token=tokens["admin"]).status_code == 404
    assert api.delete(f"/v1/units/{parent['id']}", token=tokens["admin"]).status_code == 204


def test_delete_by_role(api, tokens, units):
    mine = create(api, tokens["admin"], parent_id=units["TT-LSN"]).json()
    theirs = create(api, tokens["admin"], parent_id=units["BNC-LSN"]).json()
    for role in ("officer", "viewer", "integration"):
        assert api.delete(f"/v1/units/{mine['id']}", token=tokens[role]).status_code == 403
    assert api.delete(f"/v1/units/{theirs['id']}", token=tokens["authority"]).status_code == 403
    assert api.delete(f"/v1/units/{units['TTCP']}", token=tokens["authority"]).status_code == 403
    assert api.delete(f"/v1/units/{mine['id']}", token=tokens["authority"]).status_code == 204
    assert api.delete(f"/v1/units/{theirs['id']}", token=tokens["authority_bnctw"]).status_code == 204
