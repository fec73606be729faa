"""Accounts: login, refresh rotation and theft detection, logout, lockout, /v1/me, password
change, and /v1/users for each role."""
import itertools
import os
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import Server

counter = itertools.count(1)
PASSWORD = "Mật khẩu đủ dài 2022!"


def new_name(prefix="user"):
    return f"{prefix}{next(counter):04d}.test"


def make_user(api, tokens, units, role="officer", unit="TT-LSN", password=PASSWORD, **extra):
    body = {"username": new_name(role), "display_name": "Nguyễn Thị Thanh Hương", "role": role,
            "unit_id": units[unit], "password": password}
    body.update(extra)
    r = api.post("/v1/users", token=tokens["admin"], json=body)
    assert r.status_code == 201, r.text
    return r.json()


def login(api, username, password=PASSWORD, **kw):
    return api.post("/v1/auth/token", json={"username": username, "password": password}, **kw)


def refresh(api, token):
    return api.post("/v1/auth/refresh", json={"refresh_token": token})


# --- login ---------------------------------------------------------------------------------

def test_login_and_me(api, tokens, units):
    user = make_user(api, tokens, units, role="authority", unit="TTCP")
    r = login(api, user["username"].upper())  # usernames ignore case
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    me = api.get("/v1/me", token=body["access_token"])
    assert me.status_code == 200
    assert me.json()["id"] == user["id"] and me.json()["role"] == "authority"
    assert me.json()["unit_code"] == "TTCP" and me.json()["unit_name"] == "Thanh tra Chính phủ"
    # the token works on the rest of the API with the account's role
    assert api.get("/v1/units?limit=1", token=body["access_token"]).status_code == 200


def test_wrong_password_and_unknown_user_look_alike(api, tokens, units):
    user = make_user(api, tokens, units)
    timings = {"wrong": [], "unknown": []}
    bodies = {}
    for _ in range(3):
        for kind, name in (("wrong", user["username"]), ("unknown", new_name("ghost"))):
            start = time.monotonic()
            r = login(api, name, "not the password at all")
            timings[kind].append(time.monotonic() - start)
            assert r.status_code == 401
            bodies[kind] = {k: v for k, v in r.json().items() if k != "request_id"}
    assert bodies["wrong"] == bodies["unknown"]
    # an unknown name still costs a password hash: no timing oracle
    assert min(timings["unknown"]) > 0.5 * min(timings["wrong"]), timings


def test_disabled_account_cannot_log_in(api, tokens, units):
    user = make_user(api, tokens, units, active=False)
    assert login(api, user["username"]).status_code == 401


@pytest.mark.parametrize("body,status", [
    ({"username": "x"}, 422), ({"password": "x"}, 422), ({"username": "x", "password": "y", "extra": 1}, 422),
    ({"username": 5, "password": "y"}, 422), ({"username": "", "password": "y"}, 422),
])
def test_login_validation(api, body, status):
    assert api.post("/v1/auth/token", json=body).status_code == status


def test_login_malformed(api):
    assert api.post("/v1/auth/token", data=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert api.post("/v1/auth/token", data=b"username=a&password=b",
                    headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415


# --- refresh tokens ------------------------------------------------------------------------

def test_refresh_rotates_and_reuse_revokes_the_family(api, tokens, units):
    user = make_user(api, tokens, units)
    first = login(api, user["username"]).json()
    second = refresh(api, first["refresh_token"])
    assert second.status_code == 200 and second.headers["Cache-Control"] == "no-store"
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.get("/v1/me", token=second["access_token"]).json()["id"] == user["id"]
    third = refresh(api, second["refresh_token"]).json()
    # the rotated token is presented again: someone has a copy, the whole session ends
    assert refresh(api, first["refresh_token"]).status_code == 401
    assert refresh(api, third["refresh_token"]).status_code == 401
    # another session of the same user is untouched
    other = login(api, user["username"]).json()
    assert refresh(api, other["refresh_token"]).status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "", "a" * 65, "ZZZ"])
def test_refresh_with_bad_tokens(api, token):
    r = refresh(api, token)
    assert r.status_code in (401, 422)


def test_logout(api, tokens, units):
    user = make_user(api, tokens, units)
    session = login(api, user["username"]).json()
    rotated = refresh(api, session["refresh_token"]).json()
    assert api.post("/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]}).status_code == 204
    assert refresh(api, rotated["refresh_token"]).status_code == 401
    assert api.post("/v1/auth/logout", json={"refresh_token": "y" * 43}).status_code == 204


def test_deactivation_revokes_refresh_tokens(api, tokens, units):
    user = make_user(api, tokens, units)
    session = login(api, user["username"]).json()
    r = api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert refresh(api, session["refresh_token"]).status_code == 401
    assert login(api, user["username"]).status_code == 401
    api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], json={"active": True})
    assert refresh(api, session["refresh_token"]).status_code == 401, "revoked tokens stay revoked"
    assert login(api, user["username"]).status_code == 200


def test_refresh_carries_the_new_role(api, tokens, units):
    user = make_user(api, tokens, units, role="viewer")
    session = login(api, user["username"]).json()
    api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], json={"role": "officer"})
    fresh = refresh(api, session["refresh_token"]).json()
    assert api.get("/v1/me", token=fresh["access_token"]).json()["role"] == "officer"


# --- password change -----------------------------------------------------------------------

def test_password_change(api, tokens, units):
    user = make_user(api, tokens, units)
    session = login(api, user["username"]).json()
    access = session["access_token"]
    r = api.post("/v1/me/password", token=access, json={"current_password": "wrong one", "new_password": "x" * 12})
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "field": "current_password", "code": "mismatch", "message": "current_password is not the current password"}
    r = api.post("/v1/me/password", token=access, json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new_password"
    r = api.post("/v1/me/password", token=access, json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unchanged"
    new = "Một mật khẩu mới, dài hơn"
    assert api.post("/v1/me/password", token=access, json={"current_password": PASSWORD, "new_password": new}).status_code == 204
    assert login(api, user["username"]).status_code == 401
    assert login(api, user["username"], new).status_code == 200
    assert refresh(api, session["refresh_token"]).status_code == 401, "other sessions end"


def test_me_without_an_account(api, server, units):
    token = server.token("viewer", units["TTCP"], sub=987654)
    assert api.get("/v1/me", token=token).status_code == 404
    assert api.post("/v1/me/password", token=token,
                    json={"current_password": "a", "new_password": "b" * 12}).status_code == 404


def test_me_needs_a_token(api):
    assert api.get("/v1/me").status_code == 401
    assert api.post("/v1/me/password", json={}).status_code == 401


# --- /v1/users -----------------------------------------------------------------------------

def test_admin_manages_users(api, tokens, units, server):
    user = make_user(api, tokens, units, role="officer", unit="TT-LSN")
    assert "password" not in user and not any("argon2" in str(v) for v in user.values())
    r = api.get(f"/v1/users/{user['id']}", token=tokens["admin"])
    assert r.status_code == 200 and r.json() == user
    assert api.get(f"/v1/users/{user['id']}", token=tokens["admin"],
                   headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    r = api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], headers={"If-Match": '"1"'},
                  json={"display_name": "Lê Trường Kế", "unit_id": units["TT-KGG"]})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["unit_id"] == units["TT-KGG"]
    assert api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], headers={"If-Match": '"1"'},
                     json={"display_name": "x"}).status_code == 412
    r = api.get("/v1/users", token=tokens["admin"], params={"q": "le truong ke"})
    assert user["id"] in [u["id"] for u in r.json()["items"]]
    r = api.get("/v1/users", token=tokens["admin"], params={"unit_id": units["TT-KGG"], "role": "officer"})
    assert all(u["unit_id"] == units["TT-KGG"] and u["role"] == "officer" for u in r.json()["items"])
    assert api.get("/v1/users/987654321", token=tokens["admin"]).status_code == 404
    # an admin's password reset ends the user's sessions
    session = login(api, user["username"]).json()
    assert api.patch(f"/v1/users/{user['id']}", token=tokens["admin"],
                     json={"password": "Đặt lại mật khẩu 1"}).status_code == 200
    assert refresh(api, session["refresh_token"]).status_code == 401
    assert login(api, user["username"], "Đặt lại mật khẩu 1").status_code == 200
    # a unit with accounts cannot be deleted
    holder = make_user(api, tokens, units, unit="TT-KGG")
    unit = api.post("/v1/units", token=tokens["admin"], json={"code": "TMP-" + str(holder["id"]), "name": "Tạm",
                                                              "kind": "other"}).json()
    api.patch(f"/v1/users/{holder['id']}", token=tokens["admin"], json={"unit_id": unit["id"]})
    r = api.delete(f"/v1/units/{unit['id']}", token=tokens["admin"])
    assert r.status_code == 409 and "account" in r.json()["errors"][0]["message"]


def test_user_validation(api, tokens, units):
    existing = make_user(api, tokens, units)
    base = {"username": new_name(), "display_name": "A", "role": "viewer", "unit_id": units["TTCP"],
            "password": PASSWORD}
    for change, field, status in [
        ({"username": existing["username"].upper()}, "username", 409),
        ({"username": "ab"}, "username", 422),
        ({"username": "bad name"}, "username", 422),
        ({"username": "-dash"}, "username", 422),
        ({"password": "short"}, "password", 422),
        ({"password": " " * 20}, "password", 422),
        ({"role": "root"}, "role", 422),
        ({"unit_id": 987654321}, "unit_id", 422),
        ({"id": 5}, "id", 422),
        ({"password_hash": "$argon2id$x"}, "password_hash", 422),
    ]:
        body = dict(base, **change)
        r = api.post("/v1/users", token=tokens["admin"], json=body)
        assert r.status_code == status, (change, r.text)
        assert r.json()["errors"][0]["field"] == field, (change, r.json())
    r = api.patch(f"/v1/users/{existing['id']}", token=tokens["admin"], json={"username": None})
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["authority", "officer", "viewer", "integration"])
def test_only_admins_manage_users(api, tokens, units, role):
    user = make_user(api, tokens, units)
    assert api.get("/v1/users", token=tokens[role]).status_code == 403
    assert api.get(f"/v1/users/{user['id']}", token=tokens[role]).status_code == 403
    assert api.patch(f"/v1/users/{user['id']}", token=tokens[role], json={"role": "admin"}).status_code == 403
    r = api.post("/v1/users", token=tokens[role], json={"username": new_name(), "display_name": "x", "role": "admin",
                                                         "unit_id": units["TTCP"], "password": PASSWORD})
    assert r.status_code == 403
    assert api.get(f"/v1/users/{user['id']}", token=tokens["admin"]).json()["role"] == "officer"


def test_passwords_never_logged(api, server, tokens, units):
    make_user(api, tokens, units)
    text = server.log_text()
    assert PASSWORD not in text and "argon2" not in text


def test_cli_user_add(server, api, units):
    name = new_name("cli")
    out = subprocess.run([server_binary(), "user", "add", "--username", name, "--role", "viewer", "--unit-id",
                          str(units["TTCP"]), "--display-name", "Người dùng dòng lệnh"],
                         input="Mật khẩu từ stdin 123\n", env=server.env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "password" not in out.stdout, "a given password is not echoed"
    assert login(api, name, "Mật khẩu từ stdin 123").status_code == 200
    again = subprocess.run([server_binary(), "user", "add", "--username", name.upper(), "--role", "viewer",
                            "--unit-id", str(units["TTCP"])], input="another password 1\n", env=server.env(),
                           capture_output=True, text=True)
    assert again.returncode == 1 and "taken" in again.stderr
    bad = subprocess.run([server_binary(), "user", "add", "--username", "x y", "--role", "viewer", "--unit-id", "1"],
                         input="pw\n", env=server.env(), capture_output=True, text=True)
    assert bad.returncode == 2
    # a password the API would not take is not stored: its owner could never log in with it
    for password in ("Mật khẩu\tcó tab 123", " " * 14, "ngắn"):
        bad = subprocess.run([server_binary(), "user", "add", "--username", new_name("cli"), "--role", "viewer",
                              "--unit-id", "1"], input=password + "\n", env=server.env(), capture_output=True, text=True)
        assert bad.returncode == 2 and "as the API takes one" in bad.stderr, (password, bad.stderr)
    latin1 = subprocess.run([server_binary(), "user", "add", "--username", new_name("cli"), "--role", "viewer", "--unit-id", "1"],
                            input=b"M\xe9t kh\xe2u Latin-1 12\n", env=server.env(), capture_output=True)
    assert latin1.returncode == 2 and b"not valid UTF-8" in latin1.stderr, latin1.stderr


def server_binary():
    from conftest import BINARY
    return BINARY


def test_lockout_by_username_and_address_and_its_end(contract):
    """A server of its own with small limits and a 2-second window."""
    with tempfile.TemporaryDirectory(prefix="tdkt-lock-") as workdir:
        os.chmod(workdir, 0o755)
        srv = Server(workdir, {"TDKT_LOGIN_MAX_FAILURES": "3", "TDKT_LOGIN_MAX_FAILURES_ADDR": "7",
                               "TDKT_LOGIN_WINDOW": "2"}).start()
        try:
            for name in ("alice.test", "bob.test"):
                subprocess.run([server_binary(), "user", "add", "--username", name, "--role", "viewer",
                                "--unit-id", "1"], input=PASSWORD + "\n", env=srv.env(), check=True, capture_output=True, text=True)

            def attempt(name, pw):
                r = requests.post(srv.base + "/v1/auth/token", json={"username": name, "password": pw})
                contract.check("POST", "/v1/auth/token", r)
                return r

            assert [attempt("alice.test", "nope").status_code for _ in range(3)] == [401, 401, 401]
            r = attempt("ALICE.test", PASSWORD)  # locked, even with the right password, whatever the case
            assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 2
            assert attempt("bob.test", PASSWORD).status_code == 200  # another username is not locked
            time.sleep(2.2)
            assert attempt("alice.test", PASSWORD).status_code == 200  # the lock ends
            # seven failures from one address, spread over usernames, lock the address
            codes = [attempt(f"nobody{i}.test", "nope").status_code for i in range(7)]
            assert codes == [401] * 7
            assert attempt("bob.test", PASSWORD).status_code == 429
        finally:
            assert srv.stop() == 0
