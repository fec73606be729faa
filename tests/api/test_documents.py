"""Documents of a dossier (issue 14): raw-body uploads whose type is told from their bytes (a renamed
.exe and a lying Content-Type are 415), capped at TDKT_MAX_DOCUMENT_BYTES (413 before the body is
read, or as a chunked body passes it; the connection closed after it and the next one served), an
empty file 422; the bytes stored once by SHA-256 (duplicates, concurrent identical uploads), released
with their last document; downloads with their headers (RFC 6266 names, ETag the hash, nosniff, 304);
who may add, read and delete in each state of the dossier, by the service and by row-level security;
the public decision document; the change feed. Dossiers and decisions are made with SQL, in whatever
state a test needs, without walking them through their actions (test_dossiers.py does that)."""
import hashlib
import io
import itertools
import os
import socket
import subprocess
import threading
import unicodedata
import urllib.parse
import zipfile

import pytest

from commendation import ok

MIB = 1024 * 1024
LIMIT = 20 * MIB
PIECE = 256 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_numbers = itertools.count(1)


def system(server, sql):
    """SQL as the schema owner, stating the role `system` (row-level security lets it do anything): the
    first line of what it prints (a RETURNING value, a count)"""
    lines = server.sql(f"SELECT set_config('tdkt.actor_role', 'system', false); {sql}").splitlines()
    return lines[1] if len(lines) > 1 else ""


def make_dossier(server, units, proposing="TT-LSN", approving="TTCP", status="draft"):
    submitted = "now()" if status not in ("draft",) else "NULL"
    return int(system(server, "INSERT INTO dossiers (number, year, proposing_unit_id, approving_unit_id, status,"
                          f" submitted_at) VALUES ('{next(_numbers)}/TTr-TEST', 2026, {units[proposing]}, {units[approving]},"
                          f" '{status}', {submitted}) RETURNING id"))


def set_status(server, dossier, status):
    system(server, f"UPDATE dossiers SET status = '{status}', submitted_at = coalesce(submitted_at, now())"
               f" WHERE id = {dossier}")


def make_decision(server, units, document=None):
    return int(system(server, "INSERT INTO decisions (number, signed_on, issuing_unit_id, document_id)"
                          f" VALUES ('{next(_numbers)}/QĐ-TTCP', '2026-11-25', {units['TTCP']},"
                          f" {document if document else 'NULL'}) RETURNING id"))


def pdf(size, seed=0):
    """a PDF-looking file of exactly `size` bytes, its content varied by seed"""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    body = hashlib.sha256(str(seed).encode()).digest() * ((size // 32) + 1)
    return head + body[:size - len(head) - len(tail)] + tail


def png(seed=0):
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + hashlib.sha256(f"png{seed}".encode()).digest() * 40


def jpeg(seed=0):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + hashlib.sha256(f"jpeg{seed}".encode()).digest() * 40 + b"\xff\xd9"


def package(main, seed=0, extra=0):
    """an Office Open XML package: [Content_Types].xml and parts under word/ or xl/"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", "<Relationships/>")
        if main == "word":
            z.writestr("word/document.xml", f"<w:document>{seed}</w:document>")
        else:
            z.writestr("xl/workbook.xml", f"<workbook>{seed}</workbook>")
            z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        if extra:
            z.writestr("docProps/padding.bin", os.urandom(extra), zipfile.ZIP_STORED)
    return out.getvalue()


def upload(api, token, dossier, data, ctype=PDF, kind="proposal_letter", filename="To trinh.pdf", **kw):
    headers = dict(kw.pop("headers", None) or {})
    if ctype:
        headers["Content-Type"] = ctype
    params = {}
    if kind is not None:
        params["kind"] = kind
    if filename is not None:
        params["filename"] = filename
    return api.post(f"/v1/dossiers/{dossier}/documents", token=token, params=params, data=data, headers=headers, **kw)


def count(server, sql):
    return int(system(server, f"SELECT count(*) FROM {sql}"))


def receiving(server):
    """uploads under way or left behind: blobs without a hash"""
    return count(server, "document_blobs WHERE sha256 IS NULL")


def upload_head(dossier, token, length, filename="a.pdf"):
    """the head of an upload sent on a socket: a PDF of `length` bytes"""
    return (f"POST /v1/dossiers/{dossier}/documents?kind=other&filename={filename} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/pdf\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def raw(server, head, body=b"", read_all=True):
    """a request on a socket of its own: the answer's bytes, and whether the server closed it"""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        s.sendall(head + body)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return data, True
            if not chunk:
                return data, True
            data += chunk
            if not read_all and b"\r\n\r\n" in data:
                return data, False
    finally:
        s.close()


@pytest.fixture(scope="module")
def people(server, units, tokens):
    """callers beyond the session's: an officer and an authority elsewhere (Sơn La, a sibling)"""
    return dict(tokens, officer_sla=server.token("officer", units["TT-SLA"], sub=1401),
                authority_sla=server.token("authority", units["TT-SLA"], sub=1402))


def test_a_pdf_up_and_down(api, server, units, tokens):
    dossier = make_dossier(server, units)
    data = pdf(700 * 1024, seed=1)
    r = upload(api, tokens["officer"], dossier, data, filename="Tờ trình số 45-TTr-TTT.pdf")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["Location"] == f"/v1/documents/{doc['id']}" and r.headers["ETag"] == '"1"'
    assert doc["dossier_id"] == dossier and doc["kind"] == "proposal_letter" and doc["media_type"] == PDF
    assert doc["bytes"] == len(data) and doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["filename"] == "Tờ trình số 45-TTr-TTT.pdf" and doc["created_by"] == 3
    assert api.get(f"/v1/documents/{doc['id']}", token=tokens["officer"]).json() == doc
    assert count(server, f"document_chunks c JOIN document_blobs b ON b.id = c.blob_id WHERE b.sha256 = '{doc['sha256']}'") == 3

    r = api.get(f"/v1/documents/{doc['id']}/content", token=tokens["officer"])
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Type"] == PDF and r.headers["Content-Length"] == str(len(data))
    assert r.headers["ETag"] == f'"{doc["sha256"]}"' and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Disposition"].startswith("attachment; ")
    r = api.get(f"/v1/documents/{doc['id']}/content", token=tokens["officer"], headers={"If-None-Match": f'"{doc["sha256"]}"'})
    assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == f'"{doc["sha256"]}"'
    r = api.request("HEAD", f"/v1/documents/{doc['id']}/content", token=tokens["officer"])
    assert r.status_code == 200 and r.content == b"" and r.headers["Content-Length"] == str(len(data))
    r = api.get(f"/v1/documents/{doc['id']}/content", token=tokens["officer"], params={"x": "1"})
    assert r.status_code == 400

    listed = api.get(f"/v1/dossiers/{dossier}/documents", token=tokens["officer"]).json()
    assert listed == {"items": [doc], "next_cursor": None}
    assert api.get(f"/v1/dossiers/{dossier}/documents", token=tokens["officer"], params={"kind": "minutes"}).json()["items"] == []
    assert api.get(f"/v1/dossiers/{dossier}/documents", token=tokens["officer"], params={"kind": "memo"}).status_code == 400
    assert receiving(server) == 0


@pytest.mark.parametrize("ctype,make,name", [
    (PDF, lambda: pdf(1000, 2), "a.pdf"),
    (PNG, png, "ảnh.png"),
    (JPEG, jpeg, "ảnh.jpg"),
    (DOCX, lambda: package("word", 1), "Báo cáo.docx"),
    (XLSX, lambda: package("xl", 1), "Bảng.xlsx"),
    (DOCX, lambda: package("word", 2, extra=600 * 1024), "large.docx"),
    ("Application/PDF; name=a.pdf", lambda: pdf(1000, 3), "a.pdf"),
])
def test_each_type_is_taken(api, server, units, tokens, ctype, make, name):
    dossier = make_dossier(server, units)
    data = make()
    r = upload(api, tokens["officer"], dossier, data, ctype=ctype, kind="achievement_report", filename=name)
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == ctype.split(";")[0].lower()
    content = api.get(f"/v1/documents/{r.json()['id']}/content", token=tokens["officer"])
    assert content.content == data and content.headers["Content-Type"] == ctype.split(";")[0].lower()


def test_an_openpyxl_workbook_is_xlsx(api, server, units, tokens):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active["A1"] = "Tổng hợp khen thưởng"
    out = io.BytesIO()
    book.save(out)
    dossier = make_dossier(server, units)
    r = upload(api, tokens["officer"], dossier, out.getvalue(), ctype=XLSX, kind="other", filename="tong-hop.xlsx")
    assert r.status_code == 201 and r.json()["media_type"] == XLSX, r.text
    r = upload(api, tokens["officer"], dossier, out.getvalue(), ctype=DOCX, kind="other", filename="tong-hop.docx")
    assert r.status_code == 415, r.text


@pytest.mark.parametrize("what,ctype,data", [
    ("a program renamed .pdf", PDF, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 5000),
    ("a PNG sent as a PDF", PDF, png(7)),
    ("a PDF sent as a PNG", PNG, pdf(5000, 7)),
    ("a JPEG sent as a PNG", PNG, jpeg(7)),
    ("a workbook sent as a Word document", DOCX, package("xl", 7)),
    ("a Word document sent as a workbook", XLSX, package("word", 7)),
    ("a plain ZIP sent as a Word document", DOCX, b"PK\x03\x04" + b"\x00" * 100),
    ("HTML sent as a PDF", PDF, b"<!doctype html><script>alert(1)</script>"),
    ("a PDF in a form", "multipart/form-data; boundary=x",
     b"--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n"),
    ("bytes of no type", "application/octet-stream", pdf(5000, 8)),
    ("a GIF", "image/gif", b"GIF89a" + b"\x00" * 100),
    ("text", "text/plain", b"hello"),
    ("no Content-Type", None, pdf(5000, 9)),
])
def test_bytes_that_are_not_what_they_claim_are_415(api, server, units, tokens, what, ctype, data):
    dossier = make_dossier(server, units)
    r = upload(api, tokens["officer"], dossier, data, ctype=ctype, filename="x.pdf")
    assert r.status_code == 415, (what, r.text)
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 0
    assert count(server, f"document_blobs WHERE sha256 = '{hashlib.sha256(data).hexdigest()}'") == 0
    assert receiving(server) == 0


def test_a_large_body_of_the_wrong_type_is_refused_from_its_first_bytes(server, units, tokens):
    """the server answers 415 without waiting for the other 10 MiB, and closes the connection"""
    dossier = make_dossier(server, units)
    head = upload_head(dossier, tokens["officer"], 10 * MIB, "setup.pdf")
    answer, closed = raw(server, head, b"MZ" + b"\x00" * (PIECE - 2))
    assert answer.startswith(b"HTTP/1.1 415 ") and b"Connection: close" in answer and closed, answer[:300]
    assert receiving(server) == 0


def test_over_the_cap_is_413_before_the_body_and_the_next_connection_is_served(api, server, units, tokens):
    dossier = make_dossier(server, units)
    head = upload_head(dossier, tokens["officer"], LIMIT + 1, "big.pdf")
    # not a byte of the body sent: the answer comes from the head alone, and the connection ends
    answer, closed = raw(server, head)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in answer and closed, answer[:300]
    assert b"application/problem+json" in answer
    # a client that keeps its connection alive gets a new one and is served (requests reconnects)
    r = upload(api, tokens["officer"], dossier, pdf(LIMIT + 1, 10), filename="big.pdf")
    assert r.status_code == 413 and r.headers["Connection"] == "close", r.text
    r = api.get(f"/v1/dossiers/{dossier}/documents", token=tokens["officer"])
    assert r.status_code == 200 and r.json()["items"] == []
    assert receiving(server) == 0


def chunks(data, size=100_000):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def test_20_mib_is_the_boundary_with_a_length_and_chunked(api, server, units, tokens):
    dossier = make_dossier(server, units)
    exact = pdf(LIMIT, 11)
    r = upload(api, tokens["officer"], dossier, exact, filename="exact.pdf")
    assert r.status_code == 201 and r.json()["bytes"] == LIMIT, r.text
    assert count(server, f"document_chunks c JOIN document_blobs b ON b.id = c.blob_id WHERE b.sha256 = '{r.json()['sha256']}'") == 80
    assert api.get(f"/v1/documents/{r.json()['id']}/content", token=tokens["officer"]).content == exact
    # chunked: counted as it is read; one byte over the cap is refused, and what came is dropped
    r = upload(api, tokens["officer"], dossier, chunks(pdf(LIMIT + 1, 12)), filename="over.pdf")
    assert r.status_code == 413 and r.headers["Connection"] == "close", r.text
    r = upload(api, tokens["officer"], dossier, chunks(pdf(LIMIT, 13)), filename="chunked.pdf")
    assert r.status_code == 201 and r.json()["bytes"] == LIMIT, r.text
    assert receiving(server) == 0
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 2


def test_an_empty_file_is_422(api, server, units, tokens):
    dossier = make_dossier(server, units)
    for body in (b"", chunks(b"")):
        r = upload(api, tokens["officer"], dossier, body)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "body" and r.json()["errors"][0]["code"] == "too_short"
    assert receiving(server) == 0


def test_a_body_cut_short_is_400_and_dropped(server, units, tokens):
    dossier = make_dossier(server, units)
    head = upload_head(dossier, tokens["officer"], 3 * PIECE, "cut.pdf")
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    s.sendall(head + pdf(2 * PIECE + 10, 14)[:2 * PIECE + 10])
    s.shutdown(socket.SHUT_WR)   # the client gives up: the server sees the body end early
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
    s.close()
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:300]
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 0 and receiving(server) == 0


def test_identical_files_are_stored_once_and_released_with_the_last(api, server, units, tokens):
    one, two = make_dossier(server, units), make_dossier(server, units)
    data = pdf(600 * 1024, 15)
    sha = hashlib.sha256(data).hexdigest()
    a = upload(api, tokens["officer"], one, data, filename="a.pdf").json()
    b = upload(api, tokens["officer"], two, data, kind="other", filename="b.pdf").json()
    c = upload(api, tokens["officer"], one, data, kind="other", filename="again.pdf").json()
    assert a["sha256"] == b["sha256"] == c["sha256"] == sha and len({a["id"], b["id"], c["id"]}) == 3
    assert count(server, f"document_blobs WHERE sha256 = '{sha}'") == 1
    assert count(server, f"document_chunks c JOIN document_blobs b ON b.id = c.blob_id WHERE b.sha256 = '{sha}'") == 3
    for d in (a, b):
        assert api.delete(f"/v1/documents/{d['id']}", token=tokens["officer"]).status_code == 204
        assert count(server, f"document_blobs WHERE sha256 = '{sha}'") == 1
        assert api.get(f"/v1/documents/{c['id']}/content", token=tokens["officer"]).content == data
    assert api.delete(f"/v1/documents/{c['id']}", token=tokens["officer"]).status_code == 204
    assert count(server, f"document_blobs WHERE sha256 = '{sha}'") == 0
    assert count(server, "document_chunks c WHERE NOT EXISTS (SELECT 1 FROM document_blobs b WHERE b.id = c.blob_id)") == 0


def test_concurrent_identical_uploads_all_succeed_with_one_copy(api, server, units, tokens):
    dossier = make_dossier(server, units)
    data = pdf(3 * MIB + 12345, 16)
    sha = hashlib.sha256(data).hexdigest()
    results, barrier = [], threading.Barrier(8)

    def send(i):
        import requests
        barrier.wait()
        r = requests.post(f"{server.base}/v1/dossiers/{dossier}/documents", params={"kind": "other", "filename": f"{i}.pdf"},
                          data=data, headers={"Authorization": f"Bearer {tokens['officer']}", "Content-Type": PDF}, timeout=120)
        results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [201] * 8, results
    assert {b["sha256"] for _, b in results} == {sha}
    assert count(server, f"document_blobs WHERE sha256 = '{sha}'") == 1
    assert count(server, f"document_chunks c JOIN document_blobs b ON b.id = c.blob_id WHERE b.sha256 = '{sha}'") == 13
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 8 and receiving(server) == 0
    assert api.get(f"/v1/documents/{results[0][1]['id']}/content", token=tokens["officer"]).content == data


def test_who_may_add_read_and_delete(api, server, units, people):
    """a draft of Thanh tra Lạng Sơn to Thanh tra Chính phủ (its parent), then sent, then decided"""
    dossier = make_dossier(server, units)
    data = pdf(2000, 17)
    path = f"/v1/dossiers/{dossier}/documents"
    # no token; viewers and integrations by role; another province cannot see a draft
    assert api.post(path, params={"kind": "other", "filename": "a.pdf"}, data=data,
                    headers={"Content-Type": PDF}).status_code == 401
    assert upload(api, people["viewer"], dossier, data).status_code == 403
    assert upload(api, people["integration"], dossier, data).status_code == 403
    for name in ("officer_sla", "authority_sla", "authority_bnctw"):
        assert upload(api, people[name], dossier, data).status_code == 404, name
    doc = upload(api, people["officer"], dossier, data).json()
    item, content = f"/v1/documents/{doc['id']}", f"/v1/documents/{doc['id']}/content"
    sees = {"admin": True, "authority": True, "officer": True, "viewer": True, "authority_ls": True,
            "integration": False, "authority_bnctw": False, "officer_sla": False, "authority_sla": False}
    for name, visible in sees.items():
        status = 200 if visible else 404
        assert api.get(path, token=people[name]).status_code == status, name
        assert api.get(item, token=people[name]).status_code == status, name
        assert api.get(content, token=people[name]).status_code == status, name
    assert api.get(item).status_code == 401 and api.get(content).status_code == 401
    # the approving unit's authority (above the proposer here) adds anything to a draft, as the proposer's
    assert upload(api, people["authority"], dossier, pdf(2000, 18), kind="minutes").status_code == 201
    assert upload(api, people["authority_ls"], dossier, pdf(2000, 19), kind="initiative").status_code == 201

    # sent: the proposer adds nothing more; the approving unit's authority adds minutes, decision, opinion
    set_status(server, dossier, "submitted")
    assert upload(api, people["officer"], dossier, pdf(2000, 20)).status_code == 409
    assert upload(api, people["officer_sla"], dossier, pdf(2000, 20)).status_code == 403
    assert upload(api, people["authority_bnctw"], dossier, pdf(2000, 20)).status_code == 403
    assert upload(api, people["authority"], dossier, pdf(2000, 20), kind="proposal_letter").status_code == 403
    for kind in ("minutes", "decision", "opinion"):
        r = upload(api, people["authority"], dossier, pdf(2000, 21), kind=kind)
        assert r.status_code == 201 and r.json()["kind"] == kind, r.text
    # every caller with a token reads a dossier sent on, integrations too
    for name in sees:
        assert api.get(content, token=people[name]).status_code == 200, name
    # deleting: the proposer's, while editable; others 403 by role or right, 404 when unseen
    assert api.delete(item, token=people["officer"]).status_code == 409
    assert api.delete(item, token=people["viewer"]).status_code == 403
    assert api.delete(item, token=people["officer_sla"]).status_code == 403
    set_status(server, dossier, "returned")
    assert api.delete(item, token=people["officer_sla"]).status_code == 404
    assert api.delete(item, token=people["authority_bnctw"]).status_code == 404
    assert api.delete(item, token=people["officer"], headers={"If-Match": '"2"'}).status_code == 412
    assert api.delete(item, token=people["officer"], headers={"If-Match": '"1"'}).status_code == 204
    assert api.get(item, token=people["officer"]).status_code == 404
    set_status(server, dossier, "withdrawn")
    assert upload(api, people["officer"], dossier, pdf(2000, 22)).status_code == 409
    assert upload(api, people["authority"], dossier, pdf(2000, 22), kind="decision").status_code == 409
    assert api.get("/v1/dossiers/999999999/documents", token=people["admin"]).status_code == 404
    assert upload(api, people["admin"], 999999999, data).status_code == 404


def test_an_approving_unit_outside_the_proposers_tree(api, server, units, people):
    """a dossier of Thanh tra Lạng Sơn to Ban Nội chính Trung ương: its authority sees a returned one and
    adds to it only once it is sent"""
    dossier = make_dossier(server, units, approving="BNCTW")
    assert upload(api, people["authority_bnctw"], dossier, pdf(1000, 23), kind="opinion").status_code == 404
    set_status(server, dossier, "returned")
    assert upload(api, people["authority_bnctw"], dossier, pdf(1000, 23), kind="opinion").status_code == 409
    set_status(server, dossier, "public_notice")
    r = upload(api, people["authority_bnctw"], dossier, pdf(1000, 23), kind="opinion")
    assert r.status_code == 201, r.text
    assert api.delete(f"/v1/documents/{r.json()['id']}", token=people["authority_bnctw"]).status_code == 403


def test_row_level_security_below_the_service(server, units, api, tokens):
    dossier = make_dossier(server, units)
    doc = upload(api, tokens["officer"], dossier, pdf(1000, 24)).json()

    def seen(role, unit):
        out = server.sql_as_service(
            f"SELECT set_config('tdkt.actor_role', '{role}', true), set_config('tdkt.actor_unit_id', '{unit}', true);"
            f" SELECT count(*) FROM documents WHERE id = {doc['id']}")
        return int(out.splitlines()[-1])

    assert seen("officer", units["TT-LSN"]) == 1 and seen("authority", units["TTCP"]) == 1
    assert seen("officer", units["TT-SLA"]) == 0 and seen("integration", units["TTCP"]) == 0 and seen("", "") == 0
    # a document never changes, not even for the service's role as an admin
    with pytest.raises(subprocess.CalledProcessError) as refused:
        server.sql_as_service("SELECT set_config('tdkt.actor_role', 'admin', true);"
                              f" UPDATE documents SET filename = 'x.pdf' WHERE id = {doc['id']}")
    assert "row-level security" in refused.value.stderr
    assert api.get(f"/v1/documents/{doc['id']}", token=tokens["officer"]).json()["filename"] == doc["filename"]


def test_file_names(api, server, units, tokens):
    dossier = make_dossier(server, units)
    name = 'Báo cáo "thành tích" năm 2025 – Lạng Sơn; 100%.docx'
    r = upload(api, tokens["officer"], dossier, package("word", 25), ctype=DOCX, filename=name)
    assert r.status_code == 201 and r.json()["filename"] == name, r.text
    got = api.get(f"/v1/documents/{r.json()['id']}/content", token=tokens["officer"])
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="B_o c_o _th_nh t_ch_ n_m 2025 _ L_ng S_n; 100_.docx"; '), disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded, errors="strict") == name and all(c not in encoded for c in ' ";\\')
    # decomposed (NFD) text is stored composed
    r = upload(api, tokens["officer"], dossier, pdf(1000, 26), filename=unicodedata.normalize("NFD", "Tờ trình.pdf"))
    assert r.status_code == 201 and r.json()["filename"] == "Tờ trình.pdf", r.text
    assert upload(api, tokens["officer"], dossier, pdf(1000, 27), filename="ệ" * 255 + "").status_code == 201
    for bad in ("../etc/passwd", "a/b.pdf", "..\\boot.ini", ".", "..", "invoice\u202efdp.exe", "ệ" * 256, "tab\u0085.pdf"):
        r = upload(api, tokens["officer"], dossier, pdf(1000, 28), filename=bad)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "filename", (bad, r.text)
    assert upload(api, tokens["officer"], dossier, pdf(1000, 28), filename="tab\t.pdf").status_code == 400
    assert upload(api, tokens["officer"], dossier, pdf(1000, 28), filename=None).status_code == 400
    assert upload(api, tokens["officer"], dossier, pdf(1000, 28), kind=None).status_code == 400
    assert upload(api, tokens["officer"], dossier, pdf(1000, 28), kind="memo").status_code == 400
    r = api.post(f"/v1/dossiers/{dossier}/documents", token=tokens["officer"],
                 params={"kind": "other", "filename": "a.pdf", "x": "1"}, data=pdf(1000, 28), headers={"Content-Type": PDF})
    assert r.status_code == 400 and "x" in r.json()["detail"]
    assert receiving(server) == 0


def test_a_decisions_signed_document_is_public(api, server, units, people):
    dossier = make_dossier(server, units, status="submitted")
    data = pdf(300 * 1024, 29)
    doc = upload(api, people["authority"], dossier, data, kind="decision", filename="Quyết định 1234-QĐ-TTCP.pdf").json()
    other = upload(api, people["authority"], dossier, pdf(1000, 30), kind="opinion").json()
    decision, bare = make_decision(server, units), make_decision(server, units)
    # the issuing authority names it once it is scanned: a document of kind decision it can read
    path = f"/v1/decisions/{decision}"
    for wrong in (other["id"], 999999999):
        r = api.patch(path, token=people["authority"], json={"document_id": wrong})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "document_id", r.text
        assert r.json()["errors"][0]["code"] == "not_decision"
    # a draft of another tree, out of the issuer's sight: refused as one of another kind, not confirmed
    hidden = upload(api, people["authority_bnctw"], make_dossier(server, units, proposing="BNC-HGG", approving="BNCTW"),
                    pdf(1000, 35), kind="decision").json()
    r = api.patch(path, token=people["authority"], json={"document_id": hidden["id"]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_decision", r.text
    # another unit's decision document, in sight once its dossier is sent: not this issuer's to publish
    theirs = upload(api, people["authority_bnctw"], make_dossier(server, units, proposing="BNC-HGG", approving="BNCTW",
                                                                 status="submitted"), pdf(1000, 36), kind="decision").json()
    assert api.get(f"/v1/documents/{theirs['id']}", token=people["authority"]).status_code == 200
    r = api.patch(path, token=people["authority"], json={"document_id": theirs["id"]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_decision", r.text
    with pytest.raises(subprocess.CalledProcessError) as refused:
        system(server, f"UPDATE decisions SET document_id = {other['id']} WHERE id = {bare}")
    assert "is not a decision's document" in refused.value.stderr
    r = api.patch(path, token=people["authority"], json={"document_id": doc["id"]})
    assert r.status_code == 200 and r.json()["document_id"] == doc["id"], r.text
    assert api.get(f"/v1/public/decisions/{decision}").json()["document_url"] == f"/v1/public/decisions/{decision}/document"
    assert api.get(f"/v1/public/decisions/{bare}").json()["document_url"] is None

    r = api.get(f"/v1/public/decisions/{decision}/document")
    assert r.status_code == 200 and r.content == data and r.headers["Content-Type"] == PDF
    assert r.headers["Cache-Control"] == "public, max-age=60" and r.headers["ETag"] == f'"{doc["sha256"]}"'
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].endswith("filename*=UTF-8''" + urllib.parse.quote("Quyết định 1234-QĐ-TTCP.pdf", safe=""))
    assert api.get(f"/v1/public/decisions/{decision}/document", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert api.request("HEAD", f"/v1/public/decisions/{decision}/document").headers["Content-Length"] == str(len(data))
    for missing in (bare, 999999999):
        assert api.get(f"/v1/public/decisions/{missing}/document").status_code == 404, missing
    # the signed document stays while its decision names it, and is public whatever its dossier
    set_status(server, dossier, "returned")
    r = api.delete(f"/v1/documents/{doc['id']}", token=people["officer"])
    assert r.status_code == 409 and "decision" in r.json()["detail"], r.text
    system(server, f"UPDATE dossiers SET status = 'draft', submitted_at = NULL WHERE id = {dossier}")
    assert api.get(f"/v1/documents/{doc['id']}", token=people["integration"]).status_code == 200
    assert api.get(f"/v1/documents/{other['id']}", token=people["integration"]).status_code == 404
    assert api.get(f"/v1/public/decisions/{decision}/document").status_code == 200
    # unnamed, it is the dossier's again: its proposer deletes it
    assert api.patch(path, token=people["authority"], json={"document_id": None}).json()["document_id"] is None
    assert api.delete(f"/v1/documents/{doc['id']}", token=people["officer"]).status_code == 204
    assert api.get(f"/v1/public/decisions/{decision}/document").status_code == 404


STAYS = "the decision is cancelled: the signed document it was published with stays"


def test_a_cancelled_decision_keeps_the_document_it_was_published_with(api, server, units, people):
    dossier = make_dossier(server, units, status="submitted")
    doc, scan, later = (ok(upload(api, people["authority"], dossier, pdf(1000, 40 + i), kind="decision"), 201) for i in range(3))
    published, unscanned = make_decision(server, units, document=doc["id"]), make_decision(server, units)
    for d in (published, unscanned):
        r = api.post(f"/v1/decisions/{d}/cancel", token=people["authority"], json={
            "reason": "Khen thưởng không đúng đối tượng.", "legal_basis": "Luật Thi đua, khen thưởng 2022",
            "cancelled_on": "2026-11-30", "cancelling_number": f"{d}/QĐ-HB"})
        assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    path = f"/v1/decisions/{published}"
    before = api.get(path, token=people["authority"])
    # outside the issuing unit's authorities: refused before the rule is looked at, nothing said of its document
    for who in ("authority_sla", "officer_sla", "officer", "viewer"):
        r = api.patch(path, token=people[who], json={"document_id": later["id"]})
        assert r.status_code in (403, 404) and str(doc["id"]) not in r.json()["detail"], (who, r.text)
    # (a document that does not exist is refused the same way: nothing said of it)
    for change in ({"document_id": later["id"]}, {"document_id": None}, {"document_id": later["id"], "signer_name": "Nguyễn Văn A"},
                   {"document_id": 999999999}):
        r = api.patch(path, token=people["authority"], json=change)
        assert r.status_code == 409 and r.json()["errors"] == [{"field": "document_id", "code": "cancelled", "message": STAYS}], (change, r.text)
        assert api.get(path, token=people["authority"]).content == before.content, change
    # the rule is the database's (sql/0031): a writer other than the API is refused as well
    for document in ("NULL", later["id"]):
        with pytest.raises(subprocess.CalledProcessError) as refused:
            system(server, f"UPDATE decisions SET document_id = {document} WHERE id = {published}")
        assert f"published with ({doc['id']}) stays" in refused.value.stderr, refused.value.stderr
    assert api.get(path, token=people["authority"]).content == before.content
    # the same document again, and a typo in the signer's name, as before it was cancelled
    r = api.patch(path, token=people["authority"], json={"document_id": doc["id"], "signer_name": "Nguyễn Văn B"})
    assert r.status_code == 200 and (r.json()["document_id"], r.json()["signer_name"]) == (doc["id"], "Nguyễn Văn B"), r.text
    # and the public still gets the document it was published with
    r = api.get(f"/v1/public/decisions/{published}/document")
    assert r.status_code == 200 and r.headers["ETag"] == f'"{doc["sha256"]}"', r.text
    # one that was never scanned: its document named once, then kept
    r = api.patch(f"/v1/decisions/{unscanned}", token=people["authority"], json={"document_id": scan["id"]})
    assert r.status_code == 200 and r.json()["document_id"] == scan["id"], r.text
    assert api.patch(f"/v1/decisions/{unscanned}", token=people["authority"], json={"document_id": None}).status_code == 409
    assert api.get(f"/v1/public/decisions/{unscanned}/document").status_code == 200


def test_a_deleted_draft_takes_its_documents_and_their_bytes(api, server, units, tokens):
    dossier = make_dossier(server, units)
    data = pdf(400 * 1024, 31)
    doc = upload(api, tokens["officer"], dossier, data).json()
    system(server, f"DELETE FROM dossiers WHERE id = {dossier}")
    assert api.get(f"/v1/documents/{doc['id']}", token=tokens["admin"]).status_code == 404
    assert count(server, f"document_blobs WHERE sha256 = '{doc['sha256']}'") == 0


def test_changes_are_in_the_feed_and_restricted_while_a_draft(api, server, units, tokens):
    dossier = make_dossier(server, units)
    doc = upload(api, tokens["officer"], dossier, pdf(1000, 32)).json()

    def feed(token):
        out, after = [], 0
        while True:
            page = api.get("/v1/changes", token=token, params={"after": after, "limit": 500}).json()["items"]
            out += [c for c in page if c["entity"] == "document" and c["entity_id"] == doc["id"]]
            if len(page) < 500:
                return out
            after = page[-1]["seq"]

    admin = feed(tokens["admin"])
    assert [c["action"] for c in admin] == ["create"] and admin[0]["href"] == f"/v1/documents/{doc['id']}"
    assert admin[0]["current"] == doc
    assert feed(tokens["integration"]) == []
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "document", "entity_id": doc["id"]}).json()
    assert [e["action"] for e in audit["items"]] == ["create"] and audit["items"][0]["actor_id"] == 3
    assert audit["items"][0]["changes"]["sha256"]["new"] == doc["sha256"]


def test_idempotency_key_replays_an_upload(api, server, units, tokens):
    dossier = make_dossier(server, units)
    data = pdf(500 * 1024, 33)
    key = {"Idempotency-Key": f"upload-{dossier}"}
    first = upload(api, tokens["officer"], dossier, data, headers=key)
    assert first.status_code == 201, first.text
    again = upload(api, tokens["officer"], dossier, data, headers=key)
    assert again.status_code == 201 and again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 1
    other = upload(api, tokens["officer"], dossier, pdf(500 * 1024, 34), headers=key)
    assert other.status_code == 422, other.text
    assert count(server, f"documents WHERE dossier_id = {dossier}") == 1 and receiving(server) == 0


def test_odd_requests_are_4xx_never_500(api, server, units, tokens):
    dossier = make_dossier(server, units)
    path = f"/v1/dossiers/{dossier}/documents"
    data = pdf(1000, 36)
    for query, status in (("kind=other&filename=%FF%FE.pdf", 400), ("kind=other&kind=minutes&filename=a.pdf", 400),
                          ("kind=other&filename=", 400), ("kind=other&filename=a%00.pdf", 400),
                          ("kind=other&filename=" + "a" * 2000, 400)):
        r = api.post(f"{path}?{query}", token=tokens["officer"], data=data, headers={"Content-Type": PDF})
        assert r.status_code == status, (query, r.text)
    for ctype in ("application/pdf; charset=\"", "application/pdf;", ";", "application/pdfx", "application/pdf ; q=1"):
        r = upload(api, tokens["officer"], dossier, data, ctype=ctype)
        assert r.status_code in (201, 415), (ctype, r.text)
    for bad_id in ("99999999999999999999", "0", "-1", "x"):
        r = upload(api, tokens["officer"], bad_id, data)
        assert r.status_code == 404, (bad_id, r.text)
    # a chunk size that is no number: the body cannot be read
    head = (f"POST {path}?kind=other&filename=a.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens['officer']}\r\n"
            "Content-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    answer, _ = raw(server, head, b"zz\r\n%PDF-\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 4"), answer[:300]
    # the PDF's first bytes, then bytes of a program: a PDF as far as magic numbers go (the type
    # is the container's, not what it carries)
    r = upload(api, tokens["officer"], dossier, b"%PDF-" + b"MZ" * 100)
    assert r.status_code == 201, r.text
    assert receiving(server) == 0
