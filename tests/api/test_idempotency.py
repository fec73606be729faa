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
