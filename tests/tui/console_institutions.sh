#!/usr/bin/env bash
# spis-console's institutions screen in a real terminal against the office
# fixture: the admin's menu entry, registering an institution with the
# token shown once (and working), its feed's counts and last error after a
# batch, the feed errors, a new token after a confirmation (the old one
# refused), disabling; and the facts on a caseworker's person card.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tui.bash"

tmp=$(t_tmpdir)
SPISD_DIR=$tmp
export SPISD_DIR
console=$SPIS_BUILD/spis-console
spisd_office || { t_fail "daemon starts" "see $SPISD_LOG"; exit 1; }

# feed ACTION [TOKEN]: talks to the daemon as an institution or a clerk
# (tests/spisclient.py); prints what the checks below look for.
feed() {
	"$SPIS_PYTHON" - "$SPIS_PY" "$SPISD_ADDR" "$@" <<'PY'
import datetime, sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, "tests")
import spisclient as spis
from spis.v1 import exchange_pb2 as x, registry_pb2 as r
c = spis.Client(sys.argv[2])
act = sys.argv[3]
ONA = spis.lt_code("F", "1980-04-02", 11)
month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
if act == "person":
    tok = c.login("clerk13")
    p = r.Person(national_id=ONA, given_names="Ona", surname="Kazlauskienė",
                 birth_date="1980-04-02", sex="F", municipality="13")
    _, code, msg = c.call("Registry", "RegisterPerson", r.RegisterPersonRequest(
        request_id=spis.rid(), person=p), token=tok)
    print(code.name, ONA)
else:
    rep, code, msg = c.call("Exchange", "SubmitFacts", x.SubmitFactsRequest(batch_id="tui-1", facts=[
        x.InstitutionFact(record_id="t-1", national_id=ONA, kind="income", period=month, amount=123456),
        x.InstitutionFact(record_id="t-2", national_id=spis.lt_code("M", "1970-01-01", 99),
                          kind="income", period=month, amount=1)]),
        metadata=[("x-spis-institution", sys.argv[4])])
    print(code.name, rep.stored if rep else -1, rep.errors if rep else -1)
PY
}

out=$(feed person)
case $out in OK\ *) t_ok "a person to send facts about" ;; *) t_fail "a person to send facts about" "$out" ;; esac
ona=${out#OK }

S=spis-inst-$$
tui_start "$S" 110 32 "$(tui_san_env "$tmp") $console --server $SPISD_ADDR --log $tmp/console.log"

check() {
	if tmux_wait "$S" "$2" "${3:-10}" 2>/dev/null; then
		t_ok "$1"
	else
		t_fail "$1" "$(tmux_screen "$S")"
	fi
}
keys() { tmux -L "$S" send-keys "$@"; }
typ() { tmux -L "$S" send-keys -l "$1"; }
login() {
	tmux_wait "$S" 'Username' 15 >/dev/null 2>&1 || return 1
	typ "$1"
	keys Enter
	tmux_wait "$S" 'Password: ' 15 >/dev/null 2>&1 || return 1
	typ pw
	keys Enter
}
# The token the notice shows: 43 URL-safe base64 characters on a line.
token() { tmux_screen "$S" | grep -Eo '[A-Za-z0-9_-]{43}' | grep -Ev '^[lqkxmjtu]+$' | head -1; }

login admin
check "admin logged in" 'admin · admin · national'
check "admin: institutions offered" ' i +Institutions and their feeds'
keys i
check "i opens the institutions" 'Institutions and their feeds' 
check "none yet" 'No institutions yet'

keys n
check "n opens the register dialog" 'Register an institution'
typ VMI
keys Tab
typ 'Valstybinė mokesčių inspekcija'
keys Tab
typ ',vehicle'
keys F2
check "the token is shown once" 'shown this once' 15
tok=$(token)
[ -n "$tok" ] && t_ok "the notice holds a token" || t_fail "the notice holds a token" "$(tmux_screen "$S")"
keys Enter
check "the new institution is listed" 'VMI +Valstybinė mokesčių'
check "its kinds" 'Fact kinds +income, vehicle'

out=$(feed submit "$tok")
[ "$out" = "OK 1 1" ] && t_ok "the token from the screen sends facts" ||
	t_fail "the token from the screen sends facts" "$out"
keys r
check "the feed's counts: 1 stored, 0 unchanged, 1 rejected" \
	'VMI +Valstybinė mokesčių[^|]* [0-9-]+T[0-9:]+Z +1 +0 +1' 10
check "the last error" 'Last error +national_id: no person'
keys Enter
check "Enter opens the feed errors" 'Feed errors: VMI'
check "the rejected item with its code" 'unknown_person: national_id: no person'
keys Escape

keys t
check "t asks before a new token" 'Give VMI a new token'
keys y
check "the new token is shown" 'shown this once' 15
tok2=$(token)
keys Enter
[ -n "$tok2" ] && [ "$tok2" != "$tok" ] && t_ok "a different token" ||
	t_fail "a different token" "$tok / $tok2"
out=$(feed submit "$tok")
[ "$out" = "UNAUTHENTICATED -1 -1" ] && t_ok "the old token is refused" ||
	t_fail "the old token is refused" "$out"
out=$(feed submit "$tok2")
case $out in OK\ *) t_ok "the new token works" ;; *) t_fail "the new token works" "$out" ;; esac

keys d
check "d asks why" 'Disable the institution: why'
typ 'token leaked'
keys F2
check "disabled" 'VMI is disabled' 10
check "marked in the list" 'VMI .* disabled'
out=$(feed submit "$tok2")
[ "$out" = "UNAUTHENTICATED -1 -1" ] && t_ok "a disabled institution is refused" ||
	t_fail "a disabled institution is refused" "$out"
keys Escape F10

# A caseworker reads the facts from the person card.
login case13
check "caseworker logged in" 'case13 · caseworker'
keys s
check "s opens the search" 'Find a person'
typ "$ona"
keys Enter
check "the search finds the person" "$ona" 15
keys Enter
check "the card opens" "Ona Kazlauskienė · $ona" 15
check "the card offers the facts" 'i Facts from institutions'
keys i
check "i opens the facts" "Facts from institutions: $ona" 10
check "the income fact from VMI" 'income +VMI'
check "its amount" '1[ .,]?234[.,]56'
keys Escape Escape Escape F10
check "logout returns to login" 'Log in to SPIS'
tui_check_san "no sanitizer reports" "$tmp"
