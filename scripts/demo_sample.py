#!/usr/bin/python3
"""scripts/demo_sample.py: an anonymised research sample from the demo
daemon (Stats/ResearchSample, role analyst), printed as CSV.

    scripts/demo_sample.py FROM TO [USER PASSWORD]

FROM and TO are dates (YYYY-MM-DD, at most five years apart): one row per
person with a benefit in force or an application submitted in that range,
with a key that links to nothing outside this extract, and no ID, name,
address or date.  Logs in as the demo officer ("demo", who has the analyst
role) unless told otherwise; the address and the generated Python modules
are read from demo/ (or SPIS_DEMO_DIR), where scripts/demo.sh left them.
"""
import os
import sys

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
demo = os.environ.get("SPIS_DEMO_DIR") or os.path.join(top, "demo")
sys.path.insert(0, os.path.join(demo, "py"))
sys.path.insert(0, os.path.join(top, "tests"))

if len(sys.argv) not in (3, 5):
    sys.exit("usage: demo_sample.py FROM TO [USER PASSWORD]")
try:
    import spisclient as spis
    from spis.v1 import stats_pb2 as st
except ImportError as e:
    sys.exit("demo_sample: %s: needs Debian's python3-grpcio (/usr/bin/python3) and the modules scripts/demo.sh generates in %s/py" % (e, demo))
try:
    port = open(os.path.join(demo, "rpcd.port")).read().strip()
except OSError as e:
    sys.exit("demo_sample: %s: is the demo running? (scripts/demo.sh seed starts it)" % e)
user, password = (sys.argv[3], sys.argv[4]) if len(sys.argv) == 5 else ("demo", "demo-pass")
c = spis.Client("127.0.0.1:" + port)
try:
    tok = c.login(user, password)
except RuntimeError as e:
    sys.exit("demo_sample: %s" % e)
r, code, msg = c.call("Stats", "ResearchSample",
                      st.ResearchSampleRequest(**{"from": sys.argv[1], "to": sys.argv[2], "format": "csv"}),
                      token=tok)
if r is None:
    sys.exit("demo_sample: %s %s" % (code.name, msg))
sys.stdout.write(r.csv.decode())
print("# %d rows; municipalities with fewer than %d residents are \"other\""
      % (r.row_count, r.min_municipality), file=sys.stderr)
