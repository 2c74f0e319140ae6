#!/usr/bin/python3
"""scripts/demo_feed.py: sends one fact to the demo daemon as an
institution would (Exchange/SubmitFacts with the institution's token in the
"x-spis-institution" metadata entry), and prints what the registry did
with it.

    scripts/demo_feed.py income NATIONAL_ID YYYY-MM EUR
    scripts/demo_feed.py employment NATIONAL_ID YYYY-MM VALUE
    scripts/demo_feed.py death NATIONAL_ID YYYY-MM-DD --institution RC

EUR is the month's income in euros ("210" or "210.50"); VALUE for
employment is employed, unemployed, registered_unemployed, retired,
student or other.  --institution picks the institution (SODRA, the
default, sends income and employment; RC sends deaths).  The demo's
address, token and generated Python modules are read from demo/ (or
SPIS_DEMO_DIR), where scripts/demo.sh left them.  Every call is a new
record: the fact is stored even when one like it was sent before.
"""
import argparse
import decimal
import os
import sys
import uuid

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
demo = os.environ.get("SPIS_DEMO_DIR") or os.path.join(top, "demo")
sys.path.insert(0, os.path.join(demo, "py"))
sys.path.insert(0, os.path.join(top, "tests"))

AMOUNT_KINDS = ("income", "vehicle", "land")
VALUE_KINDS = ("employment", "disability", "education")


def main():
    ap = argparse.ArgumentParser(description="Send one fact to the demo daemon as an institution.")
    ap.add_argument("kind", choices=AMOUNT_KINDS + VALUE_KINDS + ("death",))
    ap.add_argument("national_id")
    ap.add_argument("period", help="YYYY-MM, or YYYY-MM-DD for a death")
    ap.add_argument("what", nargs="?", default="", help="euros for income, vehicle, land; a value otherwise")
    ap.add_argument("--institution", default="SODRA")
    a = ap.parse_args()
    try:
        import spisclient as spis
        from spis.v1 import exchange_pb2 as ex
    except ImportError as e:
        sys.exit("demo_feed: %s: needs Debian's python3-grpcio (/usr/bin/python3) and the modules scripts/demo.sh generates in %s/py" % (e, demo))
    try:
        port = open(os.path.join(demo, "rpcd.port")).read().strip()
        token = open(os.path.join(demo, "institution-%s.token" % a.institution)).read().strip()
    except OSError as e:
        sys.exit("demo_feed: %s: is the demo running? (scripts/demo.sh seed starts it)" % e)
    fact = ex.InstitutionFact(record_id="feed-" + uuid.uuid4().hex[:12], national_id=a.national_id,
                              kind=a.kind, period=a.period)
    if a.kind in AMOUNT_KINDS:
        try:
            fact.amount = int(decimal.Decimal(a.what) * 100)
        except decimal.InvalidOperation:
            sys.exit("demo_feed: %s needs an amount in euros, e.g. 210.50" % a.kind)
    elif a.kind in VALUE_KINDS:
        if not a.what:
            sys.exit("demo_feed: %s needs a value" % a.kind)
        fact.value = a.what
    c = spis.Client("127.0.0.1:" + port)
    r, code, msg = c.call("Exchange", "SubmitFacts",
                          ex.SubmitFactsRequest(batch_id="demo_feed", facts=[fact]),
                          metadata=[("x-spis-institution", token)])
    if r is None:
        sys.exit("demo_feed: %s %s" % (code.name, msg))
    for x in r.results:
        print("%s: %s%s" % (x.record_id, x.outcome,
                            " (%s: %s)" % (x.code, x.message) if x.outcome == "error" else ""))
    if r.errors:
        sys.exit(1)
    print("the registry acts on it at once: see the person in the console (s, Enter, then i and h)")


main()
