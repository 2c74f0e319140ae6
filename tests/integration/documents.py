"""Checks for tests/integration/documents.sh: spis.v1.Documents.

argv: the generated Python modules, the daemon's address, its documents
folder, a scratch folder, the two people (municipality 13 and 19), and a
mode: "main" for everything, "custom" for one attach (documents_dir set).
Prints "OK name" or "FAIL name -- why" per check.
"""
import hashlib
import os
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import spisclient as spis  # noqa: E402
from spis.v1 import audit_pb2 as au  # noqa: E402
from spis.v1 import documents_pb2 as dp  # noqa: E402

addr, docs, scratch, p13, p19 = sys.argv[2:7]
mode = sys.argv[7] if len(sys.argv) > 7 else "main"
check = spis.check
OK = grpc.StatusCode.OK
MB10 = 10 * 1024 * 1024

# Room for a 10 MB document and its envelope, both ways.
c = spis.Client(addr, options=[("grpc.max_receive_message_length", 16 << 20),
                               ("grpc.max_send_message_length", 16 << 20)])


def attach(tok, content, owner=None, **kw):
    fields = dict(request_id=spis.rid(), owner_kind="person", owner_id=owner or p13,
                  type="identity", file_name="passport.pdf", media_type="application/pdf",
                  content=content)
    fields.update(kw)
    return c.call("Documents", "AttachDocument", dp.AttachDocumentRequest(**fields), token=tok,
                  timeout=60)


def get(tok, doc_id, purpose="case_work"):
    return c.call("Documents", "GetDocument", dp.GetDocumentRequest(id=doc_id, purpose=purpose),
                  token=tok, timeout=60)


def lst(tok, owner=None, purpose="case_work", kind="person"):
    return c.call("Documents", "ListDocuments",
                  dp.ListDocumentsRequest(owner_kind=kind, owner_id=owner or p13, purpose=purpose),
                  token=tok)


def stored(sha):
    return os.path.join(docs, sha[:2], sha)


def refused(name, got, code, field):
    r, st, msg = got
    check(name, st == code and msg.startswith(field + ":"), (st, msg))


clerk13 = c.login("clerk13")

if mode == "custom":
    blob = b"%PDF-1.4\ncustom folder\n"
    r, st, msg = attach(clerk13, blob)
    sha = hashlib.sha256(blob).hexdigest()
    check("documents_dir: the content goes to the folder named",
          st == OK and os.path.isfile(stored(sha)), (st, msg))
    r, st, msg = get(clerk13, r.id if r else 0)
    check("documents_dir: fetched back from there", st == OK and r.content == blob, (st, msg))
    sys.exit(1 if spis.FAILED else 0)

clerk19 = c.login("clerk19")
clerk = c.login("clerk")


def register(nid, given, surname, birth, sex, muni):
    """Registers a person through the registry."""
    from spis.v1 import registry_pb2 as rp
    person = rp.Person(national_id=nid, given_names=given, surname=surname, birth_date=birth,
                       sex=sex, municipality=muni)
    r, st, msg = c.call("Registry", "RegisterPerson",
                        rp.RegisterPersonRequest(request_id=spis.rid(), person=person), token=clerk)
    check("RegisterPerson %s" % nid, st == OK, (st, msg))


register(p13, "Jonas", "Jonaitis", "1987-03-18", "M", "13")
register(p19, "Ona", "Onaitė", "1990-01-01", "F", "19")
help_ = c.login("help")
admin = c.login("admin")
auditor = c.login("audit")

# A PDF-like blob with every byte value, so that nothing is mangled as text.
pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 800 + b"\n%%EOF\n"
r, st, msg = attach(clerk13, pdf, note="Pasas, skenuota kopija")
check("AttachDocument: a PDF is attached", st == OK and r.id > 0, (st, msg))
first = r
sha = hashlib.sha256(pdf).hexdigest()
check("AttachDocument: reports size, SHA-256, owner and officer",
      r is not None and r.size == len(pdf) and r.sha256 == sha and r.owner_kind == "person"
      and r.owner_id == p13 and r.created_by == "clerk13" and r.created_at.endswith("Z")
      and r.note == "Pasas, skenuota kopija", r)
with open(os.path.join(scratch, "sent.pdf"), "wb") as f:
    f.write(pdf)
with open(os.path.join(scratch, "reported.sha256"), "w") as f:
    f.write(r.sha256 if r else "")
check("the content is stored under <dir>/ab/abcdef...", os.path.isfile(stored(sha)), stored(sha))

r, st, msg = get(clerk13, first.id)
check("GetDocument: the content comes back byte-identical",
      st == OK and r.content == pdf and r.info.sha256 == sha and r.info.id == first.id, (st, msg))
with open(os.path.join(scratch, "fetched.pdf"), "wb") as f:
    f.write(r.content if r else b"")

# The same content again: a second row, the same file.
r, st, msg = attach(clerk13, pdf, file_name="passport (copy).pdf", type="other")
check("AttachDocument: the same content twice is a second document",
      st == OK and r.id != first.id and r.sha256 == sha, (st, msg))
r, st, msg = lst(clerk13)
check("ListDocuments: both rows, oldest first",
      st == OK and [d.id for d in r.documents][:2] == [first.id, first.id + 1]
      and r.documents[1].file_name == "passport (copy).pdf", (st, msg))
files = [os.path.join(dp_, f) for dp_, _, fs in os.walk(docs) for f in fs]
check("the same content twice is one file on disk", files == [stored(sha)], files)
check("the stored file is mode 0600", oct(os.stat(stored(sha)).st_mode & 0o777) == "0o600",
      oct(os.stat(stored(sha)).st_mode))

# A retry with the same request_id is answered with the first outcome.
rid = spis.rid()
r1, st1, _ = attach(clerk13, b"retry me", request_id=rid, media_type="text/plain",
                    file_name="retry.txt")
r2, st2, _ = attach(clerk13, b"retry me", request_id=rid, media_type="text/plain",
                    file_name="retry.txt")
r, st, msg = lst(clerk13)
check("AttachDocument: a retried request_id attaches once",
      st1 == OK and st2 == OK and r1.id == r2.id
      and sum(1 for d in r.documents if d.file_name == "retry.txt") == 1, (st1, st2, msg))

# The size limit: exactly 10 MB is fine, one byte more is not.
big = bytes(MB10)
r, st, msg = attach(clerk13, big, file_name="big.tiff", media_type="image/tiff")
check("AttachDocument: exactly 10 MB is accepted", st == OK and r.size == MB10, (st, msg))
if st == OK:
    g, gst, gmsg = get(clerk13, r.id)
    check("GetDocument: 10 MB comes back whole", gst == OK and g.content == big, (gst, gmsg))
refused("AttachDocument: 10 MB + 1 byte is INVALID_ARGUMENT naming content",
        attach(clerk13, big + b"x", file_name="big.tiff", media_type="image/tiff"),
        grpc.StatusCode.INVALID_ARGUMENT, "content")
refused("AttachDocument: empty content is INVALID_ARGUMENT naming content",
        attach(clerk13, b""), grpc.StatusCode.INVALID_ARGUMENT, "content")

# Bad input, each refused naming its field.
refused("AttachDocument: media type application/zip is refused",
        attach(clerk13, b"PK\x03\x04", media_type="application/zip"),
        grpc.StatusCode.INVALID_ARGUMENT, "media_type")
refused("AttachDocument: an unknown type is refused",
        attach(clerk13, b"x", type="selfie"), grpc.StatusCode.INVALID_ARGUMENT, "type")
for label, name in (("../x", "../x"), ("a/b", "a/b"), ("a\\b", "a\\b"),
                    ("a control character", "scan\x01.pdf"), ("a newline", "scan\n.pdf"),
                    ("empty", ""), ("..", ".."), ("256 characters", "ž" * 256)):
    refused("AttachDocument: file name %s is refused" % label,
            attach(clerk13, b"x", file_name=name), grpc.StatusCode.INVALID_ARGUMENT, "file_name")
r, st, msg = attach(clerk13, b"name", file_name="Šimkienės pažyma ąčęėįšųūž.pdf")
check("AttachDocument: a Lithuanian file name is kept as given",
      st == OK and r.file_name == "Šimkienės pažyma ąčęėįšųūž.pdf", (st, msg))
refused("AttachDocument: a wrong sha256 is refused",
        attach(clerk13, b"content", sha256=hashlib.sha256(b"other").hexdigest()),
        grpc.StatusCode.INVALID_ARGUMENT, "sha256")
r, st, msg = attach(clerk13, b"content", sha256=hashlib.sha256(b"other").hexdigest())
check("AttachDocument: the wrong sha256 message says it does not match",
      msg == "sha256: does not match the content", msg)
refused("AttachDocument: a sha256 that is not hex is refused",
        attach(clerk13, b"content", sha256="xyz"), grpc.StatusCode.INVALID_ARGUMENT, "sha256")
r, st, msg = attach(clerk13, b"checked", sha256=hashlib.sha256(b"checked").hexdigest().upper())
check("AttachDocument: a matching sha256 (any case) is accepted",
      st == OK and r.sha256 == hashlib.sha256(b"checked").hexdigest(), (st, msg))
refused("AttachDocument: a note over 500 characters is refused",
        attach(clerk13, b"x", note="n" * 501), grpc.StatusCode.INVALID_ARGUMENT, "note")
refused("AttachDocument: an unknown person is NOT_FOUND",
        attach(clerk13, b"x", owner="38703181746"), grpc.StatusCode.NOT_FOUND, "owner_id")
refused("AttachDocument: an application owner is FAILED_PRECONDITION",
        attach(clerk13, b"x", owner_kind="application", owner="APP-2026-000001"),
        grpc.StatusCode.FAILED_PRECONDITION, "owner_kind")
refused("AttachDocument: an unknown owner kind is refused",
        attach(clerk13, b"x", owner_kind="household"), grpc.StatusCode.INVALID_ARGUMENT, "owner_kind")

# Who may do what.
refused("AttachDocument: a clerk of another municipality is refused (scope)",
        attach(clerk19, b"x"), grpc.StatusCode.PERMISSION_DENIED, "owner_id")
r, st, msg = attach(clerk19, b"own", owner=p19)
check("AttachDocument: a clerk attaches in their own municipality", st == OK, (st, msg))
r, st, msg = attach(clerk, b"national", owner=p13)
check("AttachDocument: a national clerk attaches anywhere", st == OK, (st, msg))
r, st, msg = lst(clerk19)
check("ListDocuments: reading is registry-wide", st == OK and len(r.documents) > 0, (st, msg))
for who, tok in (("helpdesk", help_), ("admin", admin)):
    _, st, msg = attach(tok, b"x")
    check("AttachDocument: %s is PERMISSION_DENIED" % who, st == grpc.StatusCode.PERMISSION_DENIED,
          (st, msg))
    _, st, msg = lst(tok)
    check("ListDocuments: %s is PERMISSION_DENIED" % who, st == grpc.StatusCode.PERMISSION_DENIED,
          (st, msg))
    _, st, msg = get(tok, first.id)
    check("GetDocument: %s is PERMISSION_DENIED" % who, st == grpc.StatusCode.PERMISSION_DENIED,
          (st, msg))
r, st, msg = get(auditor, first.id, purpose="audit")
check("GetDocument: an auditor reads for the purpose audit", st == OK and r.content == pdf, (st, msg))

# Purposes and ids.
refused("GetDocument: no purpose is INVALID_ARGUMENT", get(clerk13, first.id, purpose=""),
        grpc.StatusCode.INVALID_ARGUMENT, "purpose")
refused("ListDocuments: no purpose is INVALID_ARGUMENT", lst(clerk13, purpose=""),
        grpc.StatusCode.INVALID_ARGUMENT, "purpose")
refused("GetDocument: an unknown purpose is INVALID_ARGUMENT", get(clerk13, first.id, purpose="curiosity"),
        grpc.StatusCode.INVALID_ARGUMENT, "purpose")
refused("GetDocument: an unknown id is NOT_FOUND", get(clerk13, 999999),
        grpc.StatusCode.NOT_FOUND, "id")
refused("GetDocument: id 0 is INVALID_ARGUMENT", get(clerk13, 0),
        grpc.StatusCode.INVALID_ARGUMENT, "id")
refused("ListDocuments: an unknown person is NOT_FOUND", lst(clerk13, owner="38703181746"),
        grpc.StatusCode.NOT_FOUND, "owner_id")
refused("ListDocuments: application owners are FAILED_PRECONDITION",
        lst(clerk13, kind="application", owner="APP-1"),
        grpc.StatusCode.FAILED_PRECONDITION, "owner_kind")

# The trail: one row per attach, written with it, and reads with their purpose.
r, st, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
    subject=p13, method="/spis.v1.Documents/AttachDocument", page_size=500), token=auditor)
oks = [x for x in r.rows if x.outcome == "OK" and x.actor == "clerk13"] if r else []
check("audit: each attach has exactly one OK row with the person as subject",
      st == OK and len(oks) == 6, (st, len(oks)))
check("audit: refused attaches are audited too",
      r is not None and any(x.outcome == "PERMISSION_DENIED" and x.actor == "clerk19" for x in r.rows),
      [x.outcome for x in r.rows] if r else msg)
r, st, msg = c.call("Audit", "ListAudit", au.ListAuditRequest(
    subject=p13, method="/spis.v1.Documents/GetDocument", page_size=500), token=auditor)
check("audit: a fetch is audited with its purpose",
      st == OK and any(x.purpose == "case_work" and x.actor == "clerk13" and x.outcome == "OK"
                       for x in r.rows)
      and any(x.purpose == "audit" and x.actor == "audit" for x in r.rows), (st, msg))

# The file altered on disk: refused, nothing of the path in the answer.
path = stored(sha)
os.chmod(path, 0o600)
with open(path, "r+b") as f:
    f.seek(100)
    f.write(b"TAMPERED")
r, st, msg = get(clerk13, first.id)
check("GetDocument: an altered file is DATA_LOSS", st == grpc.StatusCode.DATA_LOSS, (st, msg))
check("GetDocument: the message names the field, not the path",
      msg.startswith("id:") and docs not in msg and sha not in msg and "/" not in msg, msg)
os.unlink(path)
r, st, msg = get(clerk13, first.id + 1)
check("GetDocument: a missing file is DATA_LOSS", st == grpc.StatusCode.DATA_LOSS
      and docs not in msg, (st, msg))
r, st, msg = get(clerk13, r1.id)
check("the daemon keeps serving other documents", st == OK and r.content == b"retry me", (st, msg))
# Attaching the same content again puts the good copy back.
r, st, msg = attach(clerk13, pdf, file_name="passport again.pdf")
g, gst, gmsg = get(clerk13, first.id)
check("attaching the content again restores it for the older rows",
      st == OK and gst == OK and g.content == pdf, (st, msg, gst, gmsg))
with open(path, "r+b") as f:
    f.write(b"X")
r, st, msg = attach(clerk13, pdf, file_name="passport again.pdf")
g, gst, gmsg = get(clerk13, first.id)
check("an attach over a damaged copy replaces it", st == OK and gst == OK and g.content == pdf,
      (st, msg, gst, gmsg))
sys.exit(1 if spis.FAILED else 0)
