/*
 * store.c: the SQLite store.  Connection set-up, migrations and the audit
 * trail live here; later areas add their statements in store_<area>.c files
 * that share struct store through store_int.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

/*
 * Migrations, in order; migration i brings user_version from i to i + 1.
 * A released migration is never edited: a change is a new entry.
 */
static const char *const store_migrations[] = {
	/* 1: the audit trail.  Rows are only ever inserted; hash covers the
	 * row's fields and the previous row's hash. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  purpose TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  prev_hash BLOB NOT NULL,"
	"  hash BLOB NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",

	/* 2: officers, their sessions and failed logins.  Sessions hold only
	 * the SHA-256 of the token, so a copy of the database lets nobody in;
	 * they live here rather than in memory so that several daemons can
	 * share them.  Times are Unix seconds for easy arithmetic. */
	"CREATE TABLE officers ("
	"  username TEXT PRIMARY KEY,"
	"  display_name TEXT NOT NULL,"
	"  roles TEXT NOT NULL,"
	"  municipality TEXT NOT NULL DEFAULT '',"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  disabled_reason TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  username TEXT NOT NULL REFERENCES officers(username),"
	"  terminal TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  ended_at INTEGER);"
	"CREATE TABLE login_failures ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_user ON login_failures(username, at);"
	"CREATE INDEX login_failures_peer ON login_failures(peer, at);",

	/* 3: outcomes of mutating requests by (actor, request_id), so that a
	 * retry returns the first outcome instead of acting twice.  status
	 * is NULL while the first attempt runs. */
	"CREATE TABLE idempotency ("
	"  actor TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  status INTEGER,"
	"  message TEXT NOT NULL DEFAULT '',"
	"  response BLOB,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (actor, request_id));",

	/* 4: the registry.  People keyed by national ID, every change to a
	 * person kept field by field in person_history (old and new value,
	 * who, when, why) so that a record can be read as it stood on a past
	 * date.  name_key is the name folded for comparison (lower case, no
	 * diacritics), used by the duplicate checks and, through people_fts,
	 * by search.  Households and their memberships carry from/to dates;
	 * partial unique indexes keep one open membership per person and
	 * one head per household.  Consent decisions are kept in full, the
	 * latest per purpose being in force.  Documents hold metadata only;
	 * content lives in files named by their SHA-256 beside the database.
	 * Citizen PINs are argon2id hashes; citizen sittings at a kiosk are
	 * stored like officer sessions, by token hash.  The audit trail gains
	 * the officer's municipality, for "who looked at my record". */
	"ALTER TABLE audit ADD COLUMN municipality TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX audit_subject ON audit(subject, id) WHERE subject <> '';"
	"CREATE TABLE people ("
	"  national_id TEXT PRIMARY KEY,"
	"  given_names TEXT NOT NULL,"
	"  surname TEXT NOT NULL,"
	"  birth_date TEXT NOT NULL,"
	"  sex TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  municipality TEXT NOT NULL,"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '',"
	"  disability TEXT NOT NULL DEFAULT 'none',"
	"  employment TEXT NOT NULL DEFAULT '',"
	"  language TEXT NOT NULL DEFAULT 'lt',"
	"  deceased_date TEXT NOT NULL DEFAULT '',"
	"  merged_into TEXT NOT NULL DEFAULT '',"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  name_key TEXT NOT NULL,"
	"  surname_key TEXT NOT NULL,"
	"  given_key TEXT NOT NULL);"
	"CREATE INDEX people_name_birth ON people(name_key, birth_date);"
	"CREATE INDEX people_phone ON people(phone) WHERE phone <> '';"
	"CREATE INDEX people_municipality ON people(municipality);"
	"CREATE VIRTUAL TABLE people_fts USING fts5(surname_key, given_key,"
	"  content='people', content_rowid='rowid',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER people_fts_ai AFTER INSERT ON people BEGIN"
	"  INSERT INTO people_fts(rowid, surname_key, given_key)"
	"  VALUES (new.rowid, new.surname_key, new.given_key); END;"
	"CREATE TRIGGER people_fts_ad AFTER DELETE ON people BEGIN"
	"  INSERT INTO people_fts(people_fts, rowid, surname_key, given_key)"
	"  VALUES ('delete', old.rowid, old.surname_key, old.given_key); END;"
	"CREATE TRIGGER people_fts_au AFTER UPDATE OF surname_key, given_key"
	"  ON people BEGIN"
	"  INSERT INTO people_fts(people_fts, rowid, surname_key, given_key)"
	"  VALUES ('delete', old.rowid, old.surname_key, old.given_key);"
	"  INSERT INTO people_fts(rowid, surname_key, given_key)"
	"  VALUES (new.rowid, new.surname_key, new.given_key); END;"
	"CREATE TABLE person_history ("
	"  id INTEGER PRIMARY KEY,"
	"  national_id TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  old_value TEXT NOT NULL,"
	"  new_value TEXT NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX person_history_person ON person_history(national_id, id);"
	"CREATE TABLE households ("
	"  id INTEGER PRIMARY KEY,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  municipality TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE TABLE memberships ("
	"  id INTEGER PRIMARY KEY,"
	"  household_id INTEGER NOT NULL REFERENCES households(id),"
	"  national_id TEXT NOT NULL REFERENCES people(national_id),"
	"  relationship TEXT NOT NULL,"
	"  from_date TEXT NOT NULL,"
	"  to_date TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  end_reason TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX memberships_household ON memberships(household_id);"
	"CREATE INDEX memberships_person ON memberships(national_id);"
	"CREATE UNIQUE INDEX memberships_one_open ON memberships(national_id)"
	"  WHERE to_date = '';"
	"CREATE UNIQUE INDEX memberships_one_head ON memberships(household_id)"
	"  WHERE to_date = '' AND relationship = 'head';"
	"CREATE TABLE duplicate_flags ("
	"  id INTEGER PRIMARY KEY,"
	"  a TEXT NOT NULL,"
	"  b TEXT NOT NULL,"
	"  reasons TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'open',"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  resolved_at TEXT NOT NULL DEFAULT '',"
	"  resolved_by TEXT NOT NULL DEFAULT '',"
	"  resolution_reason TEXT NOT NULL DEFAULT '',"
	"  kept TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (a, b));"
	"CREATE INDEX duplicate_flags_status ON duplicate_flags(status, id);"
	"CREATE TABLE consents ("
	"  id INTEGER PRIMARY KEY,"
	"  national_id TEXT NOT NULL,"
	"  purpose TEXT NOT NULL,"
	"  given INTEGER NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX consents_person ON consents(national_id, purpose, id);"
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  owner_kind TEXT NOT NULL,"
	"  owner_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  file_name TEXT NOT NULL,"
	"  media_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX documents_owner ON documents(owner_kind, owner_id);"
	"CREATE TABLE citizen_pins ("
	"  national_id TEXT PRIMARY KEY REFERENCES people(national_id),"
	"  hash TEXT NOT NULL,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked INTEGER NOT NULL DEFAULT 0,"
	"  issued_at TEXT NOT NULL,"
	"  issued_by TEXT NOT NULL);"
	"CREATE TABLE citizen_sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  national_id TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  helper TEXT NOT NULL DEFAULT '',"
	"  helper_token_hash BLOB,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  ended_at INTEGER);",
	/* 5: programmes with versioned rules, applications with their
	 * transitions and cross-check flags, decisions with the inputs and
	 * clause results they were made on, and the benefits approvals
	 * create. */
	"CREATE TABLE programmes ("
	"  code TEXT PRIMARY KEY,"
	"  pillar TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  municipality TEXT NOT NULL DEFAULT '',"
	"  online INTEGER NOT NULL,"
	"  period TEXT NOT NULL,"
	"  auto_renew INTEGER NOT NULL,"
	"  open INTEGER NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  rule_version INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL);"
	"CREATE TABLE programme_texts ("
	"  code TEXT NOT NULL REFERENCES programmes(code),"
	"  kind TEXT NOT NULL,"
	"  language TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  PRIMARY KEY (code, kind, language));"
	"CREATE TABLE programme_rules ("
	"  code TEXT NOT NULL REFERENCES programmes(code),"
	"  rule_version INTEGER NOT NULL,"
	"  eligibility TEXT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (code, rule_version));"
	"CREATE TABLE applications ("
	"  id INTEGER PRIMARY KEY,"
	"  reference TEXT NOT NULL UNIQUE,"
	"  programme TEXT NOT NULL REFERENCES programmes(code),"
	"  national_id TEXT NOT NULL REFERENCES people(national_id),"
	"  household_id INTEGER,"
	"  channel TEXT NOT NULL,"
	"  municipality TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  monthly_income INTEGER NOT NULL,"
	"  assets INTEGER NOT NULL,"
	"  terminal TEXT NOT NULL DEFAULT '',"
	"  submitted_at TEXT NOT NULL,"
	"  submitted_by TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  version INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX applications_person ON applications(national_id,"
	"  programme);"
	"CREATE INDEX applications_queue ON applications(municipality, state,"
	"  submitted_at);"
	"CREATE INDEX applications_state ON applications(state, submitted_at);"
	"CREATE TABLE application_transitions ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX application_transitions_app ON"
	"  application_transitions(application_id, id);"
	"CREATE TABLE application_flags ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  kind TEXT NOT NULL,"
	"  national_id TEXT NOT NULL,"
	"  other_reference TEXT NOT NULL,"
	"  other_municipality TEXT NOT NULL,"
	"  other_state TEXT NOT NULL);"
	"CREATE INDEX application_flags_app ON application_flags(application_id);"
	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  outcome TEXT NOT NULL,"
	"  engine_eligible INTEGER NOT NULL,"
	"  override INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  explanation TEXT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  decided_at TEXT NOT NULL,"
	"  evaluated_on TEXT NOT NULL,"
	"  rule_version INTEGER NOT NULL,"
	"  amount INTEGER NOT NULL,"
	"  currency TEXT NOT NULL);"
	"CREATE INDEX decisions_app ON decisions(application_id, id);"
	"CREATE TABLE decision_inputs ("
	"  decision_id INTEGER NOT NULL REFERENCES decisions(id),"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  ival INTEGER NOT NULL,"
	"  sval TEXT NOT NULL,"
	"  PRIMARY KEY (decision_id, seq));"
	"CREATE TABLE decision_clauses ("
	"  decision_id INTEGER NOT NULL REFERENCES decisions(id),"
	"  rule TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  depth INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  explain TEXT NOT NULL,"
	"  PRIMARY KEY (decision_id, rule, seq));"
	"CREATE TABLE benefits ("
	"  id INTEGER PRIMARY KEY,"
	"  national_id TEXT NOT NULL REFERENCES people(national_id),"
	"  programme TEXT NOT NULL REFERENCES programmes(code),"
	"  application_id INTEGER NOT NULL UNIQUE REFERENCES applications(id),"
	"  municipality TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  amount INTEGER NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  start_date TEXT NOT NULL,"
	"  end_date TEXT NOT NULL DEFAULT '',"
	"  exit_reason TEXT NOT NULL DEFAULT '',"
	"  rule_version INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL);"
	"CREATE INDEX benefits_person ON benefits(national_id, programme);"
	"CREATE INDEX benefits_state ON benefits(programme, state);",

	/* 6: where the audit chain becomes keyed.  Rows from from_id on are
	 * chained with HMAC-SHA256 under a key kept outside the database
	 * (store_audit.c); rows before it keep the plain SHA-256 of
	 * migration 1.  tag is the HMAC of from_id under that key, so the
	 * start cannot be moved to pass keyed rows off as plain ones.  One
	 * row at most, written once. */
	"CREATE TABLE audit_key ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  from_id INTEGER NOT NULL,"
	"  tag BLOB NOT NULL);"
	"CREATE TRIGGER audit_key_no_update BEFORE UPDATE ON audit_key"
	"  BEGIN SELECT RAISE(ABORT, 'the audit key record is written once');"
	"  END;"
	"CREATE TRIGGER audit_key_no_delete BEFORE DELETE ON audit_key"
	"  BEGIN SELECT RAISE(ABORT, 'the audit key record is written once');"
	"  END;",

	/* 7: registration requests: what a person not yet registered asked
	 * for at a kiosk, until a clerk accepts it (person_id: the person
	 * registered from it) or rejects it, or it expires.  created and expires are Unix seconds for the
	 * limits; one pending request per national ID.  Phone numbers are
	 * kept without spaces, dashes or parentheses from now on, so that
	 * same_phone compares numbers, not typing habits; those stored
	 * before are brought to that form here. */
	"CREATE TABLE registration_requests ("
	"  id INTEGER PRIMARY KEY,"
	"  reference TEXT NOT NULL UNIQUE,"
	"  national_id TEXT NOT NULL,"
	"  given_names TEXT NOT NULL,"
	"  surname TEXT NOT NULL,"
	"  birth_date TEXT NOT NULL,"
	"  sex TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  municipality TEXT NOT NULL,"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  language TEXT NOT NULL DEFAULT 'lt',"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  terminal TEXT NOT NULL,"
	"  helper TEXT NOT NULL DEFAULT '',"
	"  client_request_id TEXT NOT NULL,"
	"  submitted_at TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  resolved_at TEXT NOT NULL DEFAULT '',"
	"  resolved_by TEXT NOT NULL DEFAULT '',"
	"  resolution_reason TEXT NOT NULL DEFAULT '',"
	"  person_id TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX registration_requests_one_pending"
	"  ON registration_requests(national_id) WHERE status = 'pending';"
	"CREATE INDEX registration_requests_queue"
	"  ON registration_requests(status, municipality, id);"
	"CREATE INDEX registration_requests_terminal"
	"  ON registration_requests(terminal, created);"
	"UPDATE people SET phone = replace(replace(replace(replace(phone,"
	"  ' ', ''), '-', ''), '(', ''), ')', '')"
	"  WHERE phone GLOB '*[ ()-]*';",
	/* 8: bank accounts, the history of every benefit (state and amount;
	 * benefits made before it get their first row here), payment runs
	 * and their payments.  A person is paid at most once per programme
	 * and period: a partial unique index over the payments that still
	 * count, so two runs made at once cannot both include them. */
	"CREATE TABLE bank_accounts ("
	"  national_id TEXT PRIMARY KEY REFERENCES people(national_id),"
	"  iban TEXT NOT NULL,"
	"  holder TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL);"
	"CREATE TABLE benefit_changes ("
	"  id INTEGER PRIMARY KEY,"
	"  benefit_id INTEGER NOT NULL REFERENCES benefits(id),"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  amount INTEGER NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX benefit_changes_benefit ON benefit_changes(benefit_id, id);"
	"INSERT INTO benefit_changes (benefit_id, at, actor, from_state,"
	"  to_state, amount, reason)"
	"  SELECT id, created_at, 'system', '', state, amount,"
	"  'made before benefit history was kept' FROM benefits;"
	"CREATE TABLE payment_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  programme TEXT NOT NULL REFERENCES programmes(code),"
	"  period TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  approved_by TEXT NOT NULL DEFAULT '',"
	"  approved_at TEXT NOT NULL DEFAULT '',"
	"  exported_at TEXT NOT NULL DEFAULT '',"
	"  message_id TEXT NOT NULL DEFAULT '',"
	"  skipped_no_account INTEGER NOT NULL DEFAULT 0,"
	"  skipped_paid INTEGER NOT NULL DEFAULT 0,"
	"  cancel_reason TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX payment_runs_programme ON payment_runs(programme, id);"
	"CREATE TABLE payments ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES payment_runs(id),"
	"  benefit_id INTEGER NOT NULL REFERENCES benefits(id),"
	"  national_id TEXT NOT NULL,"
	"  programme TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  municipality TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  iban TEXT NOT NULL,"
	"  amount INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  end_to_end_id TEXT NOT NULL UNIQUE,"
	"  updated_at TEXT NOT NULL);"
	"CREATE INDEX payments_run ON payments(run_id, id);"
	"CREATE INDEX payments_failed ON payments(state, municipality)"
	"  WHERE state IN ('failed', 'returned');"
	"CREATE UNIQUE INDEX payments_once ON payments(national_id, programme,"
	"  period) WHERE state IN ('pending', 'sent', 'paid');",
	/* 9: a request_id is bound to the request it came with (a digest of
	 * the encoded request), so that reusing one for a different request
	 * is refused instead of answered with the first one's reply; an
	 * appeal names the decision it appeals; the work queue reads by
	 * municipality and state in id order. */
	"ALTER TABLE idempotency ADD COLUMN digest BLOB;"
	"ALTER TABLE application_transitions ADD COLUMN decision_id INTEGER"
	"  NOT NULL DEFAULT 0;"
	"CREATE INDEX applications_muni_state ON applications(municipality,"
	"  state, id);",
	/* 10: the notices outbox.  next_attempt is Unix seconds: a notice is
	 * due when it is pending and that time has come. */
	"CREATE TABLE notices ("
	"  id INTEGER PRIMARY KEY,"
	"  national_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  language TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  reference TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  sent_at TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX notices_due ON notices(state, next_attempt);"
	"CREATE INDEX notices_person ON notices(national_id, id);",
	/* 11: follow-up checks after a benefit ends (6 and 12 months on),
	 * and what became of the person. */
	"CREATE TABLE followups ("
	"  id INTEGER PRIMARY KEY,"
	"  benefit_id INTEGER NOT NULL REFERENCES benefits(id),"
	"  months INTEGER NOT NULL,"
	"  due_on TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'scheduled',"
	"  outcome TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  recorded_by TEXT NOT NULL DEFAULT '',"
	"  recorded_at TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (benefit_id, months));"
	"CREATE INDEX followups_due ON followups(state, due_on);"
	"INSERT INTO followups (benefit_id, months, due_on)"
	"  SELECT id, 6, date(end_date, '+6 months') FROM benefits"
	"  WHERE state = 'ended' AND end_date <> '';"
	"INSERT INTO followups (benefit_id, months, due_on)"
	"  SELECT id, 12, date(end_date, '+12 months') FROM benefits"
	"  WHERE state = 'ended' AND end_date <> '';",
	/* 12: yearly renewal.  A benefit of an auto-renew programme is due on
	 * renew_on (a year after it began, then a year after each renewal);
	 * a renewal job walks the due benefits in id order, remembering the
	 * last one it handled (cursor) so that it resumes after a crash, and
	 * makes one renewal per benefit and job. */
	"ALTER TABLE benefits ADD COLUMN renew_on TEXT NOT NULL DEFAULT '';"
	"UPDATE benefits SET renew_on = date(start_date, '+1 year')"
	"  WHERE state <> 'ended' AND programme IN"
	"  (SELECT code FROM programmes WHERE auto_renew = 1);"
	"CREATE INDEX benefits_renew ON benefits(renew_on, id)"
	"  WHERE renew_on <> '';"
	"CREATE TABLE renewal_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  as_of TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'running',"
	"  started_by TEXT NOT NULL,"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT NOT NULL DEFAULT '',"
	"  cursor INTEGER NOT NULL DEFAULT 0,"
	"  due INTEGER NOT NULL DEFAULT 0,"
	"  processed INTEGER NOT NULL DEFAULT 0,"
	"  eligible INTEGER NOT NULL DEFAULT 0,"
	"  not_eligible INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX renewal_jobs_one_running ON renewal_jobs(state)"
	"  WHERE state = 'running';"
	"CREATE TABLE renewals ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES renewal_jobs(id),"
	"  benefit_id INTEGER NOT NULL REFERENCES benefits(id),"
	"  eligible INTEGER NOT NULL,"
	"  old_amount INTEGER NOT NULL,"
	"  new_amount INTEGER NOT NULL,"
	"  rule_version INTEGER NOT NULL,"
	"  explanation TEXT NOT NULL,"
	"  objection_until TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  resolved_by TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  UNIQUE (job_id, benefit_id));"
	"CREATE INDEX renewals_state ON renewals(state, objection_until);"
	"CREATE INDEX renewals_benefit ON renewals(benefit_id, state);",
	/* 13: data exchange.  An institution is a registered source with the
	 * fact kinds it may send; its token is kept as a SHA-256 of a random
	 * 32-byte secret (the secret has full entropy, so a slow hash buys
	 * nothing and would cost every call).  A fact is idempotent by
	 * (source, record_id); digest is a SHA-256 of its content, so the
	 * same record sent again with other content is told apart from a
	 * resend.  feed_errors keeps the rejected items an institutions
	 * screen shows; the per-source counts live on the institution row.
	 * effects_done is set in the same transaction as a fact's life-event
	 * effects (lifeevent.c), so a crash between storing a fact and acting
	 * on it leaves the fact due, and it is acted on once. */
	"CREATE TABLE institutions ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  kinds TEXT NOT NULL,"
	"  may_search INTEGER NOT NULL DEFAULT 0,"
	"  purposes TEXT NOT NULL DEFAULT '',"
	"  cert_cn TEXT NOT NULL DEFAULT '',"
	"  token_hash BLOB,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  last_feed_at TEXT NOT NULL DEFAULT '',"
	"  facts_stored INTEGER NOT NULL DEFAULT 0,"
	"  facts_unchanged INTEGER NOT NULL DEFAULT 0,"
	"  facts_rejected INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX institutions_token ON institutions(token_hash)"
	"  WHERE token_hash IS NOT NULL;"
	"CREATE TABLE facts ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL REFERENCES institutions(code),"
	"  record_id TEXT NOT NULL,"
	"  national_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  amount INTEGER NOT NULL DEFAULT 0,"
	"  value TEXT NOT NULL DEFAULT '',"
	"  related_id TEXT NOT NULL DEFAULT '',"
	"  given_names TEXT NOT NULL DEFAULT '',"
	"  surname TEXT NOT NULL DEFAULT '',"
	"  sex TEXT NOT NULL DEFAULT '',"
	"  digest BLOB NOT NULL,"
	"  batch_id TEXT NOT NULL DEFAULT '',"
	"  received_at TEXT NOT NULL,"
	"  effects_done INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (source, record_id));"
	"CREATE INDEX facts_person ON facts(national_id, kind, period);"
	"CREATE INDEX facts_effects_due ON facts(id) WHERE effects_done = 0;"
	"CREATE TABLE feed_errors ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  batch_id TEXT NOT NULL,"
	"  item INTEGER NOT NULL,"
	"  record_id TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX feed_errors_source ON feed_errors(source, id);",
	/* 14: an exported run's pain.001 is written once to a file beside
	 * the database; its digest and size are kept with the run, so that
	 * exporting again gives the same bytes and a client can check them. */
	"ALTER TABLE payment_runs ADD COLUMN export_sha256 TEXT NOT NULL"
	"  DEFAULT '';"
	"ALTER TABLE payment_runs ADD COLUMN export_size INTEGER NOT NULL"
	"  DEFAULT 0;",
	/* 16: a citizen's last payments are read by benefit at a kiosk
	 * (Citizen.ListMyBenefits), without a scan of every payment. */
	"CREATE INDEX payments_benefit ON payments(benefit_id, id);",
	/* 18: life events.  A benefit whose means test the reported income
	 * (institutions' income facts) no longer passes is flagged for an
	 * officer's review with why (lifeevent.c); an officer's suspend,
	 * resume or end is that review and clears it, and so does a later
	 * income fact under which the test passes again.  The index serves
	 * the reported-income sums over a household's members by month. */
	"ALTER TABLE benefits ADD COLUMN review_reason TEXT NOT NULL"
	"  DEFAULT '';"
	"ALTER TABLE benefits ADD COLUMN review_since TEXT NOT NULL"
	"  DEFAULT '';"
	"CREATE INDEX benefits_review ON benefits(review_since)"
	"  WHERE review_reason <> '';",
	/* 20: microsimulation jobs (simulation.c, simjob.c) and their counts
	 * by municipality, saved with the job's cursor at each checkpoint so
	 * that a job resumes where its results stand.  applications_household
	 * finds a household's newest application, whose declared income a
	 * simulation uses; memberships_open_household gives a chunk of
	 * households' current members without reading the memberships. */
	"CREATE TABLE simulation_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  programme TEXT NOT NULL REFERENCES programmes(code),"
	"  rule_version INTEGER NOT NULL,"
	"  eligibility TEXT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  as_of TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued',"
	"  started_by TEXT NOT NULL,"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT NOT NULL DEFAULT '',"
	"  phase INTEGER NOT NULL DEFAULT 0,"
	"  cursor INTEGER NOT NULL DEFAULT 0,"
	"  total INTEGER NOT NULL DEFAULT 0,"
	"  processed INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX simulation_jobs_state ON simulation_jobs(state, id);"
	"CREATE TABLE simulation_results ("
	"  job_id INTEGER NOT NULL REFERENCES simulation_jobs(id),"
	"  municipality TEXT NOT NULL,"
	"  units INTEGER NOT NULL,"
	"  gain INTEGER NOT NULL,"
	"  lose INTEGER NOT NULL,"
	"  keep_eligible INTEGER NOT NULL,"
	"  keep_ineligible INTEGER NOT NULL,"
	"  current_cost INTEGER NOT NULL,"
	"  candidate_cost INTEGER NOT NULL,"
	"  PRIMARY KEY (job_id, municipality));"
	"CREATE INDEX applications_household ON applications(household_id, id);"
	"CREATE INDEX memberships_open_household ON memberships(household_id,"
	"  national_id) WHERE to_date = '';",
	/* Migration 18: search by surname prefix in name order from indexes
	 * (store_person_search), so that a page of a common prefix reads a
	 * page of index entries instead of every match: the folded surname
	 * with a birth year, or within a municipality; and for a surname of
	 * two or more parts (folded with a space between), the part after
	 * the first space, so that "Petr" finds Kazlauskienė-Petraitienė;
	 * that route is sorted after it is read, since its index is in the
	 * order of that part, but few surnames have two parts. */
	"CREATE INDEX people_search ON people(surname_key, given_key,"
	"  national_id, birth_date, municipality);"
	"CREATE INDEX people_search_muni ON people(municipality, surname_key,"
	"  given_key, national_id, birth_date);"
	"CREATE INDEX people_search_rest ON people(substr(surname_key,"
	"  instr(surname_key, ' ') + 1), surname_key, given_key, national_id,"
	"  birth_date, municipality) WHERE instr(surname_key, ' ') > 0;",
};

#define STORE_NMIGRATIONS \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

int
store_schema_latest(void)
{
	return STORE_NMIGRATIONS;
}

const char *
store_engine_version(void)
{
	return sqlite3_libversion();
}

/*
 * Storage faults: a full disk, a failing disk or a read-only file,
 * whichever of the many statements ran into it.  Every failed statement
 * the store reports goes through store_log_error, and SQLite's own log
 * sees the errors of its OS layer; both note the fault, per thread, and
 * an RPC's thread asks after a failed call whether storage was the cause
 * (store_fault_take), to answer UNAVAILABLE (try again later) rather than
 * INTERNAL.
 */
static __thread const char *store_fault;

/* Notes code as this thread's fault when it is one; returns whether. */
static int
store_fault_note(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
		store_fault = "the disk is full";
		break;
	case SQLITE_IOERR:
		store_fault = "a disk read or write failed";
		break;
	case SQLITE_READONLY:
		store_fault = "the database is read-only";
		break;
	case SQLITE_CANTOPEN:
		store_fault = "the database file cannot be opened";
		break;
	case SQLITE_BUSY:
		store_fault = "the database is busy";
		break;
	default:
		return 0;
	}
	return 1;
}

/* SQLite's log: errors deep in its OS layer that a statement's own error
 * code reports only as a class.  Commit-time errors of a WAL database are
 * not logged here, so store_log_error notes those. */
static void
store_sqlite_log(void *arg, int code, const char *msg)
{
	(void)arg;
	if (store_fault_note(code))
		log_warn("store: sqlite: %s (%d)", msg, code);
}

static sqlite3 *store_conn(struct store *, struct store_cache **);

void
store_log_error(struct store *st, const char *what)
{
	struct store_cache *c;
	sqlite3 *db = store_conn(st, &c);

	store_fault_note(sqlite3_extended_errcode(db));
	log_error("store: %s: %s", what, sqlite3_errmsg(db));
}

const char *
store_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : "";
}

void
store_copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	snprintf(dst, len, "%s", store_text(s, col));
}

/* ------------------------------------------------------------------------ */

/*
 * The statement cache.  47% of a bulk load's time went into preparing the
 * same statements again on every call; now each text is prepared once per
 * connection, with SQLITE_PREPARE_PERSISTENT (SQLite keeps such statements
 * out of its lookaside memory), and handed out reset.  Entries are keyed by
 * the text itself, not its address, since some texts are built in buffers
 * on the stack.  A statement is busy from store_prepare to store_release;
 * a second store_prepare of a busy text (a helper preparing what its
 * caller is still stepping) gets a private statement that store_release
 * finalises, so that no two users ever share one.
 */
struct store_stmt {
	struct store_stmt *next;
	uint32_t hash;
	int busy;
	sqlite3_stmt *s;
	char sql[]; /* the text, the key */
};

static uint32_t
store_sql_hash(const char *sql)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *sql != '\0'; sql++)
		h = (h ^ (unsigned char)*sql) * 16777619u;
	return h;
}

static struct store_stmt *
store_cache_find(struct store_cache *c, const char *sql, uint32_t h)
{
	struct store_stmt *e;

	for (e = c->bucket[h % STORE_CACHE_BUCKETS]; e != NULL; e = e->next)
		if (e->hash == h && strcmp(e->sql, sql) == 0)
			return e;
	return NULL;
}

/* Finalises every cached statement; none may be in use. */
static void
store_cache_clear(struct store_cache *c)
{
	struct store_stmt *e, *next;

	for (size_t i = 0; i < STORE_CACHE_BUCKETS; i++) {
		for (e = c->bucket[i]; e != NULL; e = next) {
			next = e->next;
			sqlite3_finalize(e->s);
			free(e);
		}
		c->bucket[i] = NULL;
	}
	c->n = 0;
}

/* The read connection the calling thread holds, and for which store. */
static __thread struct store *store_tls_st;
static __thread struct store_reader *store_tls_r;
/* The read connection is held by store_snapshot_begin, with a read
 * transaction open: store_read_lock and _unlock leave it as it is. */
static __thread int store_tls_hold;

/* The connection the calling thread uses for st, and its cache. */
static sqlite3 *
store_conn(struct store *st, struct store_cache **cache)
{
	if (store_tls_st == st && store_tls_r != NULL) {
		*cache = &store_tls_r->cache;
		return store_tls_r->db;
	}
	*cache = &st->cache;
	return st->db;
}

void
store_read_lock(struct store *st)
{
	struct store_reader *r;

	if (store_tls_hold && store_tls_st == st)
		return;
	/* st->batch is only set and cleared by the one thread of a bulk
	 * load, which is also the one reading here. */
	if (st->nreaders == 0 || st->batch) {
		pthread_mutex_lock(&st->lock);
		return;
	}
	pthread_mutex_lock(&st->rlock);
	while ((r = st->rfree) == NULL)
		pthread_cond_wait(&st->rcond, &st->rlock);
	st->rfree = r->next;
	pthread_mutex_unlock(&st->rlock);
	store_tls_st = st;
	store_tls_r = r;
}

void
store_read_unlock(struct store *st)
{
	struct store_reader *r = store_tls_r;

	if (store_tls_hold && store_tls_st == st)
		return;
	if (store_tls_st != st || r == NULL) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	store_tls_st = NULL;
	store_tls_r = NULL;
	pthread_mutex_lock(&st->rlock);
	r->next = st->rfree;
	st->rfree = r;
	pthread_cond_signal(&st->rcond);
	pthread_mutex_unlock(&st->rlock);
}

/*
 * Opens the read connections.  Without them every read waits for the one
 * writer connection, and behind every commit's fsync; a failure here is
 * not fatal, the store then reads on the writer.
 */
static void
store_readers_open(struct store *st, const char *path)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* One per thread that serves calls (one a core), and a few more for
	 * the job threads. */
	int n = cpus < 1 ? 4 : cpus > 12 ? 16 : (int)cpus + 4;

	if (strcmp(path, ":memory:") == 0 || path[0] == '\0' ||
	    strncmp(path, "file:", 5) == 0)
		return;
	if ((st->readers = calloc((size_t)n, sizeof *st->readers)) == NULL)
		fatalx("out of memory");
	for (int i = 0; i < n; i++) {
		struct store_reader *r = &st->readers[i];

		if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			log_warn("store: read connection: %s", r->db != NULL ?
			    sqlite3_errmsg(r->db) : "out of memory");
			sqlite3_close(r->db);
			r->db = NULL;
			break;
		}
		sqlite3_extended_result_codes(r->db, 1);
		sqlite3_busy_timeout(r->db, 5000);
		r->next = st->rfree;
		st->rfree = r;
		st->nreaders++;
	}
}

static void
store_readers_close(struct store *st)
{
	for (int i = 0; i < st->nreaders; i++) {
		store_cache_clear(&st->readers[i].cache);
		if (sqlite3_close(st->readers[i].db) != SQLITE_OK)
			log_error("store: close: %s",
			    sqlite3_errmsg(st->readers[i].db));
	}
	free(st->readers);
	st->readers = NULL;
	st->rfree = NULL;
	st->nreaders = 0;
}

sqlite3_stmt *
store_prepare_once(struct store *st, const char *sql)
{
	struct store_cache *c;
	sqlite3 *db = store_conn(st, &c);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(db, sql, -1, 0, &s, NULL) != SQLITE_OK) {
		store_log_error(st, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	struct store_cache *c;
	sqlite3 *db = store_conn(st, &c);
	struct store_stmt *e;
	sqlite3_stmt *s = NULL;
	uint32_t h = store_sql_hash(sql);
	size_t len;

	if ((e = store_cache_find(c, sql, h)) != NULL && !e->busy) {
		e->busy = 1;
		return e->s;
	}
	if (e != NULL || c->n >= STORE_CACHE_MAX)
		return store_prepare_once(st, sql);
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		store_log_error(st, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	len = strlen(sql);
	if ((e = malloc(sizeof *e + len + 1)) == NULL)
		fatalx("out of memory");
	memcpy(e->sql, sql, len + 1);
	e->hash = h;
	e->busy = 1;
	e->s = s;
	e->next = c->bucket[h % STORE_CACHE_BUCKETS];
	c->bucket[h % STORE_CACHE_BUCKETS] = e;
	c->n++;
	return s;
}

void
store_release(struct store *st, sqlite3_stmt *s)
{
	struct store_cache *c;
	struct store_stmt *e;
	const char *sql;

	if (s == NULL)
		return;
	store_conn(st, &c);
	sql = sqlite3_sql(s);
	if (sql != NULL &&
	    (e = store_cache_find(c, sql, store_sql_hash(sql))) != NULL &&
	    e->s == s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		e->busy = 0;
		return;
	}
	sqlite3_finalize(s);
}

enum store_rc
store_write(struct store *st, sqlite3_stmt *s, const char *what)
{
	enum store_rc rc = STORE_ERR;

	if (s == NULL)
		return STORE_ERR;
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = STORE_OK;
	else
		store_log_error(st, what);
	store_release(st, s);
	return rc;
}

static int
store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: %s", msg != NULL ? msg : "exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
store_user_version(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA user_version");
	int v = -1;

	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	store_release(st, s);
	return v;
}

/* Applies each pending migration in its own transaction together with the
 * new user_version, so a crash leaves the database at a whole level. */
static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	int v = store_user_version(st);
	char sql[64];

	if (v < 0) {
		snprintf(err, errlen, "cannot read the schema version: %s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (v > STORE_NMIGRATIONS) {
		snprintf(err, errlen, "database schema %d is newer than this "
		    "build knows (%d); refusing to touch it", v,
		    STORE_NMIGRATIONS);
		return -1;
	}
	for (; v < STORE_NMIGRATIONS; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(st, "BEGIN IMMEDIATE") != 0 ||
		    store_exec(st, store_migrations[v]) != 0 ||
		    store_exec(st, sql) != 0 || store_exec(st, "COMMIT") != 0) {
			store_exec(st, "ROLLBACK");
			snprintf(err, errlen, "migration %d failed", v + 1);
			return -1;
		}
		log_info("store: migrated schema to version %d", v + 1);
	}
	return 0;
}

static pthread_once_t store_log_once = PTHREAD_ONCE_INIT;

static void
store_log_setup(void)
{
	/* Only possible before SQLite initialises itself; store_open is the
	 * first use in every program that links the store. */
	sqlite3_config(SQLITE_CONFIG_LOG, store_sqlite_log, NULL);
}

const char *
store_fault_take(void)
{
	const char *f = store_fault;

	store_fault = NULL;
	return f;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *st;
	int rc;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium could not be initialised");
		return NULL;
	}
	pthread_once(&store_log_once, store_log_setup);
	if ((st = calloc(1, sizeof *st)) == NULL)
		fatalx("out of memory");
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->rlock, NULL);
	pthread_cond_init(&st->rcond, NULL);
	pthread_mutex_init(&st->qlock, NULL);
	pthread_mutex_init(&st->pclock, NULL);
	pthread_cond_init(&st->qcond, NULL);
	st->qtail = &st->qhead;
	rc = sqlite3_open_v2(path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) :
				     sqlite3_errstr(rc));
		store_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	if (store_exec(st, "PRAGMA journal_mode = WAL") != 0 ||
	    store_exec(st, "PRAGMA synchronous = FULL") != 0 ||
	    store_exec(st, "PRAGMA foreign_keys = ON") != 0) {
		snprintf(err, errlen, "cannot set up database %s: %s", path,
		    sqlite3_errmsg(st->db));
		store_close(st);
		return NULL;
	}
	if (store_migrate(st, err, errlen) != 0 ||
	    store_audit_load(st, err, errlen) != 0) {
		store_close(st);
		return NULL;
	}
	store_readers_open(st, path);
	return st;
}

/*
 * Copies the database at from (or the open connection src, when given)
 * into a new file at to, whole and consistent: one backup step over all
 * pages, which in WAL mode is a read transaction, so the daemon's writers
 * are never held up and the copy is the database as it stood at one
 * instant.  (Copying in small steps would let a writer restart the copy
 * again and again under load.)  The copy is written to to.tmp, checked
 * with quick_check, synced and only then renamed to to, so that a crash
 * never leaves a partial file under the final name.  Returns 0, or -1
 * with a reason in err.
 */
static int
store_copy_db(sqlite3 *src, const char *from, const char *to, char *err,
    size_t errlen)
{
	sqlite3 *own = NULL, *dst = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *s = NULL;
	char tmp[4096];
	int rc, ok = 0;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", to) >= sizeof tmp) {
		snprintf(err, errlen, "path too long: %s", to);
		return -1;
	}
	if (access(to, F_OK) == 0) {
		snprintf(err, errlen, "%s exists already; a backup never "
		    "overwrites a file", to);
		return -1;
	}
	unlink(tmp);
	if (src == NULL) {
		rc = sqlite3_open_v2(from, &own, SQLITE_OPEN_READONLY, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "cannot open %s: %s", from,
			    own != NULL ? sqlite3_errmsg(own) :
					  sqlite3_errstr(rc));
			goto out;
		}
		sqlite3_busy_timeout(own, 5000);
		src = own;
	}
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot create %s: %s", tmp,
		    dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	sqlite3_exec(dst, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errlen, "cannot copy %s: %s",
		    from != NULL ? from : "the database", sqlite3_errmsg(dst));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copying %s failed: %s",
		    from != NULL ? from : "the database", sqlite3_errstr(rc));
		goto out;
	}
	if (sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		snprintf(err, errlen, "the copy of %s does not check: %s",
		    from != NULL ? from : "the database",
		    s != NULL && sqlite3_column_text(s, 0) != NULL ?
			(const char *)sqlite3_column_text(s, 0) :
			sqlite3_errmsg(dst));
		goto out;
	}
	ok = 1;
out:
	sqlite3_finalize(s);
	/* Closing the copy checkpoints its WAL into the one file. */
	if (dst != NULL && sqlite3_close(dst) != SQLITE_OK && ok) {
		snprintf(err, errlen, "closing %s failed", tmp);
		ok = 0;
	}
	if (own != NULL)
		sqlite3_close(own);
	if (ok && rename(tmp, to) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, to,
		    strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(tmp);
	return ok ? 0 : -1;
}

int
store_backup(struct store *st, const char *to, char *err, size_t errlen)
{
	/* Not under st->lock: the copy is its own read transaction, and
	 * the connection is serialised by SQLite (FULLMUTEX). */
	return store_copy_db(st->db, NULL, to, err, errlen);
}

int
store_backup_file(const char *from, const char *to, char *err,
    size_t errlen)
{
	return store_copy_db(NULL, from, to, err, errlen);
}

int
store_restore(struct store *st, const char *from, char *err, size_t errlen)
{
	sqlite3 *src = NULL;
	sqlite3_backup *b;
	int rc, ret = -1;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", from,
		    src != NULL ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	pthread_mutex_lock(&st->lock);
	if ((b = sqlite3_backup_init(st->db, "main", src, "main")) == NULL) {
		snprintf(err, errlen, "cannot restore from %s: %s", from,
		    sqlite3_errmsg(st->db));
		pthread_mutex_unlock(&st->lock);
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "restoring from %s failed: %s", from,
		    sqlite3_errstr(rc));
		pthread_mutex_unlock(&st->lock);
		goto out;
	}
	pthread_mutex_unlock(&st->lock);
	/* The restored trail may start its keyed part elsewhere. */
	if (store_audit_load(st, err, errlen) != 0)
		goto out;
	ret = 0;
out:
	if (src != NULL)
		sqlite3_close(src);
	return ret;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_audit_writer_stop(st);
	store_readers_close(st);
	if (st->db != NULL)
		store_audit_release(st);
	if (st->db != NULL) {
		/* Not a sweep of sqlite3_next_stmt: FTS5 keeps statements of
		 * its own that only it may finalise.  Every store function
		 * releases what it prepares, so the cache holds them all. */
		store_cache_clear(&st->cache);
		if (sqlite3_close(st->db) != SQLITE_OK)
			log_error("store: close: %s", sqlite3_errmsg(st->db));
	}
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->rlock);
	pthread_cond_destroy(&st->rcond);
	pthread_mutex_destroy(&st->qlock);
	store_programme_cache_clear(st);
	pthread_mutex_destroy(&st->pclock);
	pthread_cond_destroy(&st->qcond);
	sodium_memzero(st->audit_key, sizeof st->audit_key);
	free(st);
}

/*
 * A read transaction per statement costs the file's locks (fcntl) each
 * time, and in WAL mode, once anything was committed since, the
 * connection's page cache: a job reading a dozen rows per item between
 * its own commits spent more on that than on reading.
 */
void
store_snapshot_begin(struct store *st)
{
	if (st->nreaders == 0 || st->batch || store_tls_st == st)
		return;
	store_read_lock(st);
	if (store_tls_st != st || store_tls_r == NULL)
		return;
	if (sqlite3_exec(store_tls_r->db, "BEGIN", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_log_error(st, "read transaction");
		store_read_unlock(st);
		return;
	}
	store_tls_hold = 1;
}

void
store_snapshot_end(struct store *st)
{
	if (!store_tls_hold || store_tls_st != st)
		return;
	store_tls_hold = 0;
	/* Only a read transaction ends: nothing to fail but the lock. */
	if (sqlite3_exec(store_tls_r->db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_log_error(st, "read transaction");
		sqlite3_exec(store_tls_r->db, "ROLLBACK", NULL, NULL, NULL);
	}
	store_read_unlock(st);
}

int
store_schema_version(struct store *st)
{
	int v;

	pthread_mutex_lock(&st->lock);
	v = store_user_version(st);
	pthread_mutex_unlock(&st->lock);
	return v;
}

/* ------------------------------------------------------------------------ */

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

int
store_begin(struct store *st)
{
	const char *sql = st->batch ? "SAVEPOINT store_change" :
	    "BEGIN IMMEDIATE";

	if (st->batch_flat)
		return st->batch_failed ? -1 : 0;
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_log_error(st, "begin");
		return -1;
	}
	return 0;
}

int
store_commit(struct store *st)
{
	const char *sql = st->batch ? "RELEASE store_change" : "COMMIT";

	if (st->batch_flat)
		return st->batch_failed ? -1 : 0;
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_log_error(st, "commit");
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	/* In a batch only the change's savepoint is undone; the savepoint
	 * must then be released, or it would stay open on the stack.  A flat
	 * batch has none: the whole batch is undone when it ends. */
	if (st->batch_flat)
		st->batch_failed = 1;
	else if (st->batch)
		sqlite3_exec(st->db, "ROLLBACK TO store_change;"
		    " RELEASE store_change", NULL, NULL, NULL);
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
store_batch_open(struct store *st, int flat)
{
	int rc = -1;

	pthread_mutex_lock(&st->lock);
	if (!st->batch && store_exec(st, "PRAGMA synchronous = OFF;"
	    " PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY") == 0) {
		if (store_begin(st) == 0) {
			st->batch = 1;
			st->batch_flat = flat;
			st->batch_failed = 0;
			rc = 0;
		} else
			store_exec(st, "PRAGMA synchronous = FULL;"
			    " PRAGMA cache_size = -2000");
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_batch_begin(struct store *st)
{
	return store_batch_open(st, 0);
}

int
store_batch_begin_flat(struct store *st)
{
	return store_batch_open(st, 1);
}

int
store_batch_commit(struct store *st)
{
	int rc = -1;

	pthread_mutex_lock(&st->lock);
	if (st->batch) {
		st->batch = 0;
		st->batch_flat = 0;
		if (st->batch_failed) {
			log_error("store: a change of the batch was refused; "
			    "the batch is rolled back");
			store_rollback(st);
			rc = -1;
		} else
			rc = store_commit(st);
		st->batch_failed = 0;
		/* Durable again whatever the commit did. */
		if (store_exec(st, "PRAGMA synchronous = FULL;"
		    " PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT")
		    != 0)
			rc = -1;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_audit_list(struct store *st, const struct store_audit_filter *f,
    void (*fn)(void *arg, const struct store_audit_row *r), void *arg)
{
	sqlite3_stmt *s;
	struct store_audit_row r;
	int n = 0, rc;

	pthread_mutex_lock(&st->lock);
	s = store_prepare(st,
	    "SELECT id, at, actor, role, terminal, method, subject, purpose,"
	    " outcome, detail, municipality FROM audit"
	    " WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR subject = ?2)"
	    " AND (?3 = '' OR method = ?3) AND (?4 = '' OR at >= ?4)"
	    " AND (?5 = '' OR at <= ?5) AND (?6 = 0 OR id < ?6)"
	    " ORDER BY id DESC LIMIT ?7");
	if (s == NULL) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	sqlite3_bind_text(s, 1, nz(f->actor), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, nz(f->subject), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, nz(f->method), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, nz(f->from), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, nz(f->to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, f->before_id);
	sqlite3_bind_int(s, 7, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.at = (const char *)sqlite3_column_text(s, 1);
		r.a.actor = (const char *)sqlite3_column_text(s, 2);
		r.a.role = (const char *)sqlite3_column_text(s, 3);
		r.a.terminal = (const char *)sqlite3_column_text(s, 4);
		r.a.method = (const char *)sqlite3_column_text(s, 5);
		r.a.subject = (const char *)sqlite3_column_text(s, 6);
		r.a.purpose = (const char *)sqlite3_column_text(s, 7);
		r.a.outcome = (const char *)sqlite3_column_text(s, 8);
		r.a.detail = (const char *)sqlite3_column_text(s, 9);
		r.a.municipality = (const char *)sqlite3_column_text(s, 10);
		fn(arg, &r);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_log_error(st, "audit list");
		n = -1;
	}
	store_release(st, s);
	pthread_mutex_unlock(&st->lock);
	return n;
}

enum store_rc
store_idem_claim(struct store *st, const char *actor, const char *request_id,
    const char *method, const unsigned char *digest, int64_t now,
    int64_t stale_before, struct store_idem *out)
{
	sqlite3_stmt *ins = NULL, *sel = NULL;
	enum store_rc rc = STORE_ERR;
	const void *blob;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&st->lock);
	ins = store_prepare(st, "INSERT INTO idempotency (actor, request_id,"
	    " method, at, digest) VALUES (?, ?, ?, ?, ?)"
	    " ON CONFLICT DO NOTHING");
	if (ins == NULL)
		goto out;
	sqlite3_bind_text(ins, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 4, now);
	sqlite3_bind_blob(ins, 5, digest, STORE_IDEM_DIGEST, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "idempotency claim");
		goto out;
	}
	if (sqlite3_changes(st->db) == 1) {
		rc = STORE_OK;
		goto out;
	}
	/* A claim still pending from before stale_before was left by a
	 * daemon that died mid-request: take it over. */
	store_release(st, ins);
	ins = store_prepare(st, "UPDATE idempotency SET at = ?4 WHERE actor = ?1"
	    " AND request_id = ?2 AND method = ?3 AND status IS NULL"
	    " AND at < ?5");
	if (ins == NULL)
		goto out;
	sqlite3_bind_text(ins, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 4, now);
	sqlite3_bind_int64(ins, 5, stale_before);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		store_log_error(st, "idempotency take over");
		goto out;
	}
	if (sqlite3_changes(st->db) == 1) {
		rc = STORE_OK;
		goto out;
	}
	sel = store_prepare(st, "SELECT method, status, message, response,"
	    " digest FROM idempotency WHERE actor = ? AND request_id = ?");
	if (sel == NULL)
		goto out;
	sqlite3_bind_text(sel, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, request_id, -1, SQLITE_STATIC);
	if (sqlite3_step(sel) != SQLITE_ROW) {
		store_log_error(st, "idempotency read");
		goto out;
	}
	snprintf(out->method, sizeof out->method, "%s",
	    (const char *)sqlite3_column_text(sel, 0));
	out->pending = sqlite3_column_type(sel, 1) == SQLITE_NULL;
	out->status = sqlite3_column_int(sel, 1);
	snprintf(out->message, sizeof out->message, "%s",
	    (const char *)sqlite3_column_text(sel, 2));
	out->len = (size_t)sqlite3_column_bytes(sel, 3);
	blob = sqlite3_column_blob(sel, 3);
	if (out->len > 0 && (out->response = malloc(out->len)) != NULL)
		memcpy(out->response, blob, out->len);
	else
		out->len = 0;
	/* Claims made before digests were kept match any request. */
	out->other_request = sqlite3_column_type(sel, 4) == SQLITE_BLOB &&
	    (sqlite3_column_bytes(sel, 4) != STORE_IDEM_DIGEST ||
	    memcmp(sqlite3_column_blob(sel, 4), digest,
	    STORE_IDEM_DIGEST) != 0);
	rc = STORE_EXISTS;
out:
	store_release(st, ins);
	store_release(st, sel);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum store_rc
store_idem_finish(struct store *st, const char *actor, const char *request_id,
    int status, const char *message, const void *response, size_t len)
{
	sqlite3_stmt *s;
	enum store_rc rc = STORE_ERR;

	pthread_mutex_lock(&st->lock);
	if (status < 0)
		s = store_prepare(st, "DELETE FROM idempotency WHERE actor = ?1"
		    " AND request_id = ?2 AND status IS NULL");
	else
		s = store_prepare(st, "UPDATE idempotency SET status = ?3,"
		    " message = ?4, response = ?5 WHERE actor = ?1"
		    " AND request_id = ?2 AND status IS NULL");
	if (s != NULL) {
		sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, request_id, -1, SQLITE_STATIC);
		if (status >= 0) {
			sqlite3_bind_int(s, 3, status);
			sqlite3_bind_text(s, 4, nz(message), -1, SQLITE_STATIC);
			sqlite3_bind_blob(s, 5, response, (int)len,
			    SQLITE_STATIC);
		}
	}
	rc = store_write(st, s, "idempotency finish");
	pthread_mutex_unlock(&st->lock);
	return rc;
}
