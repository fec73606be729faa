"""Idempotency-Key on POST: a retry gets the first answer byte for byte and writes nothing; the same
key with another body is a 422; concurrent requests with one key never both run; keys are per
caller; a failed request drops its claim."""
import itertools
import threading

import pytest

names = itertools.count(1)


def count_people(server, name):
    return int(server.sql(f"SELECT count(*) FROM people WHERE full_name = '{name}'"))


def post_person(api, token, name, unit_id, key=None, **extra):
    headers = {"Idempotency-Key": key} if key else {}
    body = {"unit_id": unit_id, "full_name": name, "position": "Thanh tra viên"}
    body.update(extra)
    return api.post("/v1/people", token=token, json=body, headers=headers)


def test_a_retry_gets_the_first_answer_and_writes_nothing(api, server, tokens, units):
    name = f"Người thử lặp {next(names)}"
    first = post_person(api, tokens["officer"], name, units["TT-LSN"], key="key-retry-1")
    assert first.status_code == 201, first.text
    again = post_person(api, tokens["officer"], name, units["TT-LSN"], key="key-retry-1")
    assert again.status_code == 201
    assert again.content == first.content and again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert count_people(server, name) == 1
    # without a key, the same request is a new one
    assert post_person(api, tokens["officer"], name, units["TT-LSN"]).status_code == 201
    assert count_people(server, name) == 2


def test_the_same_key_with_another_body_is_a_422(api, server, tokens, units):
    name = f"Người thử khóa {next(names)}"
    assert post_person(api, tokens["officer"], name, units["TT-LSN"], key="key-body-1").status_code == 201
    other = post_person(api, tokens["officer"], name + " khác", units["TT-LSN"], key="key-body-1")
    assert other.status_code == 422 and "another request" in other.json()["detail"]
    assert count_people(server, name + " khác") == 0


def test_keys_are_per_caller(api, server, tokens, units):
    name = f"Người thử hai tài khoản {next(names)}"
    a = post_person(api, tokens["officer"], name, units["TT-LSN"], key="shared-key")
    b = post_person(api, tokens["authority_ls"], name, units["TT-LSN"], key="shared-key")
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]
    assert count_people(server, name) == 2


def test_a_failed_request_can_be_retried_with_its_key(api, server, tokens, units):
    name = f"Người thử lỗi {next(names)}"
    bad = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": ""},
                   headers={"Idempotency-Key": "key-fail-1"})
    assert bad.status_code == 422
    good = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": ""},
                    headers={"Idempotency-Key": "key-fail-1"})
    assert good.status_code == 422, "the failed request's claim was dropped: it runs again"
    assert post_person(api, tokens["officer"], name, units["TT-LSN"], key="key-fail-2").status_code == 201


def test_concurrent_requests_with_one_key_never_both_run(api, server, tokens, units):
    for round_ in range(4):
        name = f"Người thử đồng thời {next(names)}"
        key = f"key-race-{round_}-{next(names)}"
        results = []

        def send():
            results.append(post_person(api, tokens["officer"], name, units["TT-LSN"], key=key))
        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert count_people(server, name) == 1, (round_, [(r.status_code, r.text[:150]) for r in results])
        codes = sorted(r.status_code for r in results)
        assert set(codes) <= {201, 409} and codes.count(201) >= 1, codes
        ids = {r.json()["id"] for r in results if r.status_code == 201}
        assert len(ids) == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "có dấu", "tab\tkey"])
def test_a_malformed_key_is_a_400(api, server, tokens, units, key):
    name = f"Người thử khóa hỏng {next(names)}"
    r = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": name},
                 headers={"Idempotency-Key": key.encode("utf-8")})
    assert r.status_code == 400, r.text
    assert count_people(server, name) == 0


def test_actions_and_batches_replay_too(api, server, tokens, units):
    year = 2077
    items = [{"unit_id": units["TT-LSN"], "year": year, "span": "q2", "values": {"inspections": 4}}]
    first = api.post("/v1/reports/batch", token=tokens["integration"], json=items, headers={"Idempotency-Key": "batch-1"})
    again = api.post("/v1/reports/batch", token=tokens["integration"], json=items, headers={"Idempotency-Key": "batch-1"})
    assert first.status_code == again.status_code == 200 and first.content == again.content
    rid = first.json()["items"][0]["id"]
    sub1 = api.post(f"/v1/reports/{rid}/submit", token=tokens["authority"], headers={"Idempotency-Key": "submit-1"})
    sub2 = api.post(f"/v1/reports/{rid}/submit", token=tokens["authority"], headers={"Idempotency-Key": "submit-1"})
    assert sub1.status_code == sub2.status_code == 200 and sub1.content == sub2.content
    # without the key the second submit is what it is: a 409
    assert api.post(f"/v1/reports/{rid}/submit", token=tokens["authority"]).status_code == 409


def key_rows(server, key):
    return server.sql(f"SELECT count(*) FROM idempotency_keys WHERE key = '{key}'")


def backdate(server, key, age):
    server.sql(f"UPDATE idempotency_keys SET created_at = now() - interval '{age}' WHERE key = '{key}'")


def test_a_key_is_kept_24_hours_and_then_runs_afresh(api, server, tokens, units):
    """API.md's window: the same key and body within 24 h gets the first answer; once the key is
    older, the same request is a new one (a second row), and the key is claimed again for it"""
    name = f"Người thử hạn khóa {next(names)}"
    key = f"key-window-{next(names)}"
    first = post_person(api, tokens["officer"], name, units["TT-LSN"], key=key)
    assert first.status_code == 201, first.text
    # a day less a minute: still the first answer, nothing written
    backdate(server, key, "23 hours 59 minutes")
    within = post_person(api, tokens["officer"], name, units["TT-LSN"], key=key)
    assert within.status_code == 201 and within.content == first.content
    assert count_people(server, name) == 1
    # a day and a minute: forgotten, so the same key and body run again
    backdate(server, key, "24 hours 1 minute")
    after = post_person(api, tokens["officer"], name, units["TT-LSN"], key=key)
    assert after.status_code == 201, after.text
    assert after.json()["id"] != first.json()["id"] and after.headers["Location"] != first.headers["Location"]
    assert count_people(server, name) == 2
    # the key now holds the new answer, for another 24 h
    assert key_rows(server, key) == "1"
    assert server.sql(f"SELECT created_at > now() - interval '1 minute' FROM idempotency_keys WHERE key = '{key}'") == "t"
    again = post_person(api, tokens["officer"], name, units["TT-LSN"], key=key)
    assert again.status_code == 201 and again.content == after.content
    assert count_people(server, name) == 2


def test_an_expired_key_takes_another_body_and_old_keys_are_swept(api, server, tokens, units):
    """past 24 h a key is free for any request (no 422), and any keyed POST removes other
    callers' keys that are past 24 h, so the table keeps about one day"""
    name = f"Người thử khóa cũ {next(names)}"
    key, stale = f"key-reuse-{next(names)}", f"key-stale-{next(names)}"
    assert post_person(api, tokens["officer"], name, units["TT-LSN"], key=key).status_code == 201
    assert post_person(api, tokens["authority_ls"], name, units["TT-LSN"], key=stale).status_code == 201
    backdate(server, key, "25 hours")
    backdate(server, stale, "25 hours")
    other = post_person(api, tokens["officer"], name + " khác", units["TT-LSN"], key=key)
    assert other.status_code == 201, other.text
    assert count_people(server, name + " khác") == 1
    assert key_rows(server, stale) == "0", "another caller's expired key was swept"


def test_the_contract_declares_the_key_on_every_post_that_honours_it(contract):
    """`Idempotency-Key` is a header parameter (components/parameters/IdempotencyKey, so that a
    generated client types it) of every authenticated POST but the ballot, which never keeps its
    body; each of them may answer what the key brings: 400 (a malformed key), 409, 422"""
    spec = contract.spec
    declared, honoured = set(), set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "head", "post", "put", "patch", "delete"):
                continue
            if any(p.get("$ref") == "#/components/parameters/IdempotencyKey" for p in op.get("parameters", [])):
                declared.add((method, path))
                assert {"400", "409", "422"} <= set(op["responses"]), (method, path)
            if method == "post" and op.get("security", spec["security"]) and op["operationId"] != "castEvaluationBallot":
                honoured.add((method, path))
    assert declared == honoured, {"undeclared": sorted(honoured - declared), "not honoured": sorted(declared - honoured)}
    key = spec["components"]["parameters"]["IdempotencyKey"]
    assert (key["name"], key["in"], key["schema"]["minLength"], key["schema"]["maxLength"]) == ("Idempotency-Key", "header", 1, 255)


def test_a_post_without_a_token_ignores_the_key(api):
    """a public POST (no caller to keep a key for) does not read it: a malformed one is no 400"""
    r = api.post("/v1/auth/token", json={"username": "khong-co", "password": "sai-mat-khau-dai"},
                 headers={"Idempotency-Key": "có dấu".encode("utf-8")})
    assert r.status_code == 401, r.text
