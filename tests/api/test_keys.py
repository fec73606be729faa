"""RS256/ES256 keys, an external issuer, and algorithm confusion, with keys generated here."""
import base64
import json
import os
import subprocess
import tempfile

import pytest
import requests

from conftest import BINARY, SECRET, Server, craft_token


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def keypair(workdir, name, kind):
    priv, pub = os.path.join(workdir, f"{name}.pem"), os.path.join(workdir, f"{name}.pub")
    if kind == "RSA":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", priv)
    else:
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", priv)
    openssl("pkey", "-in", priv, "-pubout", "-out", pub)
    for p in (priv, pub):
        os.chmod(p, 0o644)
    return priv, pub


def header_alg(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["alg"]


def mint(env, role="viewer", sub=77, **over):
    env = dict(env, **over)
    out = subprocess.run([BINARY, "token", "--sub", str(sub), "--role", role, "--unit-id", "1"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture(scope="module")
def keys():
    with tempfile.TemporaryDirectory(prefix="tdkt-keys-") as workdir:
        os.chmod(workdir, 0o755)
        yield {"dir": workdir, "rsa": keypair(workdir, "rsa", "RSA"), "ec": keypair(workdir, "ec", "EC"),
               "ec2": keypair(workdir, "ec2", "EC")}


def test_rs256_server_with_external_es256_issuer(keys, contract):
    rsa_priv, rsa_pub = keys["rsa"]
    ec_priv, ec_pub = keys["ec"]
    with tempfile.TemporaryDirectory(prefix="tdkt-rs-") as workdir:
        os.chmod(workdir, 0o755)
        srv = Server(workdir, {"TDKT_JWT_SECRET": "", "TDKT_JWT_PRIVATE_KEY_FILE": rsa_priv,
                               "TDKT_JWT_PUBLIC_KEY_FILE": rsa_pub,
                               "TDKT_JWT_EXTERNAL_ISSUERS": f"national-system|ES256|{ec_pub}"}).start()
        try:
            def get(token, path="/v1/units?limit=1"):
                r = requests.get(srv.base + path, headers={"Authorization": "Bearer " + token})
                contract.check("GET", path, r)
                return r

            ours = mint(srv.env())
            assert header_alg(ours) == "RS256"
            assert get(ours).status_code == 200
            # logins sign with the RSA key too, and cursors work without an HMAC secret
            subprocess.run([BINARY, "user", "add", "--username", "rsa.user", "--role", "viewer", "--unit-id", "1"],
                           input="Mật khẩu RSA đủ dài\n", env=srv.env(), check=True, capture_output=True, text=True)
            login = requests.post(srv.base + "/v1/auth/token", json={"username": "rsa.user", "password": "Mật khẩu RSA đủ dài"})
            assert login.status_code == 200 and header_alg(login.json()["access_token"]) == "RS256"
            page = get(ours, "/v1/units?limit=2").json()
            assert get(ours, "/v1/units?limit=2&cursor=" + page["next_cursor"]).status_code == 200

            # the national system's ES256 token: accepted, its role and unit claims used as ours
            external = mint(srv.env(), TDKT_JWT_PRIVATE_KEY_FILE=ec_priv, TDKT_JWT_PUBLIC_KEY_FILE=ec_pub,
                            TDKT_JWT_ISSUER="national-system", TDKT_JWT_EXTERNAL_ISSUERS="")
            assert header_alg(external) == "ES256"
            assert get(external).status_code == 200
            r = requests.post(srv.base + "/v1/units", headers={"Authorization": "Bearer " + external},
                              json={"code": "EXT-1", "name": "x", "kind": "other"})
            assert r.status_code == 403, "a viewer from outside is still a viewer"

            # the national system's user 77 is not our user 77: the same Idempotency-Key is each
            # one's own, and the audit trail names the issuer beside the id
            national = dict(TDKT_JWT_PRIVATE_KEY_FILE=ec_priv, TDKT_JWT_PUBLIC_KEY_FILE=ec_pub,
                            TDKT_JWT_ISSUER="national-system", TDKT_JWT_EXTERNAL_ISSUERS="")
            admins = {"ours": mint(srv.env(), "admin"), "national": mint(srv.env(), "admin", **national)}
            made = {}
            for who, token in admins.items():
                r = requests.post(srv.base + "/v1/people", json={"unit_id": 1, "full_name": "Người cùng khóa"},
                                  headers={"Authorization": "Bearer " + token, "Idempotency-Key": "cung-mot-khoa"})
                assert r.status_code == 201, (who, r.text)
                made[who] = r.json()["id"]
            assert made["ours"] != made["national"], "the national user's request ran, not our user's replayed"
            # nor is the national user of an id our account of that id: no /v1/me, no password change
            # (nor a turn of its throttle)
            subprocess.run([BINARY, "user", "add", "--username", "so.cung.id", "--role", "viewer", "--unit-id", "1"],
                           input="Mật khẩu đủ dài cùng id\n", env=srv.env(), check=True, capture_output=True, text=True)
            ours_id = int(srv.sql("SELECT id FROM users WHERE username = 'so.cung.id'"))
            same_id = mint(srv.env(), "viewer", sub=ours_id, **national)
            for path, body in (("/v1/me", None), ("/v1/me/password", {"current_password": "x", "new_password": "Mật khẩu mới đủ dài"})):
                r = requests.request("POST" if body else "GET", srv.base + path, json=body,
                                     headers={"Authorization": "Bearer " + same_id})
                assert r.status_code == 404 and "national-system" in r.json()["detail"], (path, r.text)
            assert '"issuer":"national-system"' in srv.log_text()
            for who, issuer in (("ours", None), ("national", "national-system")):
                r = requests.get(srv.base + "/v1/audit", params={"entity": "person", "entity_id": made[who]},
                                 headers={"Authorization": "Bearer " + admins["ours"]})
                contract.check("GET", "/v1/audit", r)
                entry = r.json()["items"][0]
                assert (entry["actor_id"], entry["actor_issuer"], entry["action"]) == (77, issuer, "create"), entry
            # by actor: our user 77 alone, or the national system's user 77 when its issuer is named
            for params, issuer in (({"actor": 77}, None), ({"actor": 77, "actor_issuer": "national-system"}, "national-system"),
                                   ({"actor_issuer": "national-system"}, "national-system")):
                r = requests.get(srv.base + "/v1/audit", params=dict(params, entity="person"),
                                 headers={"Authorization": "Bearer " + admins["ours"]})
                contract.check("GET", "/v1/audit", r)
                got = r.json()["items"]
                assert got and {(e["actor_id"], e["actor_issuer"]) for e in got} == {(77, issuer)}, (params, got)

            claims = {"iss": "tdkt", "aud": "tdkt", "sub": "1", "role": "admin", "unit_id": 1,
                      "exp": 4102444800}
            refused = {
                "HS256 signed with our RSA public key": craft_token(claims, secret=open(rsa_pub).read()),
                "HS256 signed with the national public key": craft_token(dict(claims, iss="national-system"),
                                                                         secret=open(ec_pub).read()),
                "HS256 with the old shared secret": craft_token(claims, secret=SECRET),
                "ES256 key signing in our name": mint(srv.env(), TDKT_JWT_PRIVATE_KEY_FILE=ec_priv,
                                                      TDKT_JWT_PUBLIC_KEY_FILE=ec_pub, TDKT_JWT_EXTERNAL_ISSUERS=""),
                "our RSA key signing as the national system": mint(srv.env(), TDKT_JWT_ISSUER="national-system",
                                                                   TDKT_JWT_EXTERNAL_ISSUERS=""),
                "an unknown issuer": mint(srv.env(), TDKT_JWT_PRIVATE_KEY_FILE=keys["ec2"][0],
                                          TDKT_JWT_PUBLIC_KEY_FILE=keys["ec2"][1], TDKT_JWT_ISSUER="someone",
                                          TDKT_JWT_EXTERNAL_ISSUERS=""),
                "alg none": craft_token(claims, alg="none"),
            }
            for name, token in refused.items():
                r = get(token)
                assert r.status_code == 401, name
        finally:
            assert srv.stop() == 0


def test_es256_server(keys, contract):
    ec_priv, ec_pub = keys["ec"]
    with tempfile.TemporaryDirectory(prefix="tdkt-es-") as workdir:
        os.chmod(workdir, 0o755)
        srv = Server(workdir, {"TDKT_JWT_PRIVATE_KEY_FILE": ec_priv, "TDKT_JWT_PUBLIC_KEY_FILE": ec_pub}).start()
        try:
            token = mint(srv.env())
            assert header_alg(token) == "ES256"
            assert requests.get(srv.base + "/v1/units?limit=1", headers={"Authorization": "Bearer " + token}).status_code == 200
            # the HS256 secret, when also set, only signs cursors: tokens made with it are refused
            hs = craft_token({"iss": "tdkt", "aud": "tdkt", "sub": "1", "role": "admin", "unit_id": 1, "exp": 4102444800})
            assert requests.get(srv.base + "/v1/units", headers={"Authorization": "Bearer " + hs}).status_code == 401
        finally:
            assert srv.stop() == 0


@pytest.mark.parametrize("case", ["mismatched pair", "only one file", "bad external", "wrong external alg"])
def test_bad_key_configuration_stops_startup(keys, case):
    rsa_priv, rsa_pub = keys["rsa"]
    ec_priv, ec_pub = keys["ec"]
    env = dict(os.environ, TDKT_JWT_SECRET="")
    env.update({
        "mismatched pair": {"TDKT_JWT_PRIVATE_KEY_FILE": rsa_priv, "TDKT_JWT_PUBLIC_KEY_FILE": ec_pub},
        "only one file": {"TDKT_JWT_PRIVATE_KEY_FILE": rsa_priv},
        "bad external": {"TDKT_JWT_PRIVATE_KEY_FILE": rsa_priv, "TDKT_JWT_PUBLIC_KEY_FILE": rsa_pub,
                         "TDKT_JWT_EXTERNAL_ISSUERS": "national-without-key"},
        "wrong external alg": {"TDKT_JWT_PRIVATE_KEY_FILE": rsa_priv, "TDKT_JWT_PUBLIC_KEY_FILE": rsa_pub,
                               "TDKT_JWT_EXTERNAL_ISSUERS": f"national|RS256|{ec_pub}"},
    }[case])
    out = subprocess.run([BINARY, "token", "--sub", "1", "--role", "viewer", "--unit-id", "1"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 2, out
    assert "TDKT_JWT_" in out.stderr
