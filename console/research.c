/*
 * research.c: the research sample, for analysts.  The officer gives a date
 * range and a file; the range is checked as it is typed against what the
 * daemon allows (real dates, the end not before the start and at most five
 * years after it).  Before anything is asked, a confirmation says what the
 * extract holds and what it does not, and that the request is audited;
 * then Stats/ResearchSample is called for CSV.  The file is written under
 * a temporary name beside the target, synced and renamed into place, so
 * that a half-written sample never lies under its name, and an existing
 * file is replaced only when the officer says so.  The result page shows
 * the rows written, where, the file's size and SHA-256 and its first
 * lines.
 *
 * The menu offers the screen to analysts only; anyone may open it with its
 * key all the same, and the daemon's refusal is shown as it sent it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <sodium.h>

#include "check.h"
#include "spis/v1/stats.pb-c.h"

#include "console.h"
#include "i18n.h"

/* Stats/ResearchSample, by its place in the proto. */
#define RESEARCH_METHOD 2
/* The daemon's limit on a range (rpcd/stats.c). */
#define RESEARCH_MAX_YEARS 5
/* Lines of the file shown on the result page, its header included. */
#define RESEARCH_PREVIEW 6

enum { RESEARCH_FROM, RESEARCH_TO, RESEARCH_PATH, RESEARCH_NFIELDS };

struct research {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	struct console_form form;
	/* The file name last proposed from the dates: it follows them until
	 * the officer types another. */
	char auto_path[CONSOLE_VALUE_MAX];
	/* What the confirmations were asked about. */
	char from[16], to[16];
	char path[CONSOLE_VALUE_MAX];
	char note[1024];
	int note_error;
};

static const char *research_check_to(struct console_form *, int,
    const char *);
static const char *research_check_path(struct console_form *, int,
    const char *);

static const struct console_input research_inputs[RESEARCH_NFIELDS] = {
	{"from", N_("From date"), 10, 1, NULL, 0, 1, NULL},
	{"to", N_("To date"), 10, 1, NULL, 0, 1, research_check_to},
	{"path", N_("Save to file"), 120, 1, NULL, 0, 0,
	    research_check_path},
};

static const struct tui_hint research_hints[] = {
	{"F2", N_("Request the sample")},
	{"Tab", N_("Next field")},
	{"Esc", N_("Back")},
	{"F10", N_("Log out")},
	{NULL, NULL},
};

/* The end of the range, against its start as the daemon checks it. */
static const char *
research_check_to(struct console_form *f, int i, const char *v)
{
	char from[CONSOLE_VALUE_MAX], limit[16];

	(void)i;
	console_form_value(f, RESEARCH_FROM, from);
	if (!check_date(from, NULL, NULL, NULL))
		return NULL; /* the start's own problem is shown there */
	if (strcmp(v, from) < 0)
		return _("must not be before the from date");
	if (check_date_add(from, RESEARCH_MAX_YEARS, 0, limit,
	    sizeof limit) != 0 || strcmp(v, limit) > 0) {
		snprintf(f->why, sizeof f->why, _("at most 5 years after the "
		    "from date (%s at the latest)"), limit);
		return f->why;
	}
	return NULL;
}

/* A file name in a folder that exists; whether the file does is asked
 * about when the sample is requested. */
static const char *
research_check_path(struct console_form *f, int i, const char *v)
{
	char dir[CONSOLE_VALUE_MAX];
	const char *parent;
	struct stat sb;

	(void)i;
	if (v[strlen(v) - 1] == '/' || (stat(v, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)))
		return _("a folder: give the name of a file in it");
	console_copy(dir, sizeof dir, v);
	parent = dirname(dir);
	if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(f->why, sizeof f->why, _("no such folder: %s"),
		    parent);
		return f->why;
	}
	return NULL;
}

/* The file name proposed for the dates in the form. */
static void
research_default_path(struct console_form *f, char *buf, size_t len)
{
	char from[CONSOLE_VALUE_MAX], to[CONSOLE_VALUE_MAX];

	console_form_value(f, RESEARCH_FROM, from);
	console_form_value(f, RESEARCH_TO, to);
	snprintf(buf, len, "./research-%.40s-%.40s.csv", from, to);
}

/* Where the file in the form would go, as an absolute name, into buf;
 * "" while its folder does not exist. */
static void
research_where(struct console_form *f, char *buf, size_t len)
{
	char v[CONSOLE_VALUE_MAX], d[CONSOLE_VALUE_MAX], b[CONSOLE_VALUE_MAX];
	char dir[PATH_MAX];

	buf[0] = '\0';
	console_form_value(f, RESEARCH_PATH, v);
	if (v[0] == '\0')
		return;
	console_copy(d, sizeof d, v);
	console_copy(b, sizeof b, v);
	if (realpath(dirname(d), dir) != NULL)
		snprintf(buf, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
		    basename(b));
}

/* Leaving a date checks the end again (it depends on the start) and moves
 * the proposed file name along, unless the officer typed their own. */
static void
research_left(struct console_form *f, int i)
{
	struct research *r = f->arg;
	char path[CONSOLE_VALUE_MAX];

	if (i != RESEARCH_FROM && i != RESEARCH_TO)
		return;
	console_form_value(f, RESEARCH_TO, path);
	if (i == RESEARCH_FROM && path[0] != '\0')
		tui_field_check(&f->f[RESEARCH_TO]);
	console_form_value(f, RESEARCH_PATH, path);
	if (strcmp(path, r->auto_path) != 0)
		return;
	research_default_path(f, r->auto_path, sizeof r->auto_path);
	console_form_set(f, RESEARCH_PATH, r->auto_path);
}

static int
research_write_all(int fd, const void *p, size_t len)
{
	const char *b = p;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, b, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writes len bytes to path through a temporary file in the same folder
 * (readable by the officer alone), synced before it takes the name.  With
 * replace unset an existing file is left alone: the rename refuses to
 * replace it, so one made meanwhile is safe too.  Returns 0, or -1 with the
 * reason in err (and the temporary file removed).
 */
static int
research_save(const char *path, const void *data, size_t len, int replace,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, dfd, rc;

	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, _("path: the file name is too long"));
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, _("path: cannot write in the folder of "
		    "%s: %s"), path, strerror(errno));
		return -1;
	}
	if (research_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, _("path: cannot write %s: %s"), tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, _("path: cannot write %s: %s"), tmp,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (replace)
		rc = rename(tmp, path);
	else {
		rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
		    RENAME_NOREPLACE);
		/* A file system without the flag: a hard link does not
		 * replace either. */
		if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
			if ((rc = link(tmp, path)) == 0)
				unlink(tmp);
		}
	}
	if (rc != 0) {
		if (errno == EEXIST)
			snprintf(err, errlen, _("path: %s exists (made "
			    "meanwhile); nothing was replaced"), path);
		else
			snprintf(err, errlen, _("path: cannot write %s: %s"),
			    path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* The new name is on disk once the folder is synced. */
	console_copy(dir, sizeof dir, path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The result page: what was written, where, and the file's first lines. */
static void
research_result(struct research *r, const Spis__V1__ResearchSampleReply *rep,
    const char *path)
{
	struct console_doc *d;
	struct tui_screen *s;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65], where[PATH_MAX], title[256];
	const char *p = (const char *)rep->csv.data, *end = p + rep->csv.len;
	const char *nl;
	long long lines = 0;

	for (const char *q = p; q < end; q++)
		lines += *q == '\n';
	crypto_hash_sha256(digest, rep->csv.data, rep->csv.len);
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	if (realpath(path, where) == NULL)
		console_copy(where, sizeof where, path);
	snprintf(r->note, sizeof r->note, _("%lld rows written to %s."),
	    lines > 0 ? lines - 1 : 0, where);
	r->note_error = 0;
	if ((d = console_doc_new()) == NULL)
		return;
	console_doc_add(d, 0, TUI_A_BOLD, _("Rows written: %lld"),
	    lines > 0 ? lines - 1 : 0);
	if (lines - 1 != rep->row_count)
		console_doc_add(d, 2, TUI_A_ERROR, _("The daemon counted %lld "
		    "rows: the file may be incomplete."),
		    (long long)rep->row_count);
	console_doc_add(d, 0, 0, _("File: %s"), where);
	console_doc_add(d, 0, 0, _("Size: %zu bytes"), rep->csv.len);
	console_doc_add(d, 0, 0, _("SHA-256: %s"), hex);
	console_doc_add(d, 0, 0, _("Municipalities with fewer than %d "
	    "residents, or with few people in the sample, are shown as "
	    "\"other\"."), rep->min_municipality);
	console_doc_add(d, 0, 0, "%s", "");
	console_doc_add(d, 0, TUI_A_BOLD, "%s", _("The first lines of the "
	    "file:"));
	for (int n = 0; p < end && n < RESEARCH_PREVIEW; n++, p = nl + 1) {
		int w;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		w = (int)(nl - p);
		if (w > 0 && p[w - 1] == '\r')
			w--;
		console_doc_add(d, 2, 0, "%.*s", w, p);
	}
	if (lines > RESEARCH_PREVIEW)
		console_doc_add(d, 2, 0, _("… and %lld more"),
		    lines - RESEARCH_PREVIEW);
	snprintf(title, sizeof title, _("Research sample %s to %s"), r->from,
	    r->to);
	if ((s = console_doc_screen_new(r->c, title, d)) != NULL)
		tui_push(r->c->tui, s);
}

/* Asks the daemon for the sample and writes it. */
static void
research_fetch(struct research *r, int replace)
{
	Spis__V1__ResearchSampleRequest req =
	    SPIS__V1__RESEARCH_SAMPLE_REQUEST__INIT;
	const Spis__V1__ResearchSampleReply *rep;
	ProtobufCMessage *resp;
	grpc_status_code st;
	char msg[512], err[1024];

	req.from = r->from;
	req.to = r->to;
	req.format = "csv";
	snprintf(r->note, sizeof r->note, "%s", _("Asking the server for the "
	    "sample…"));
	r->note_error = 0;
	tui_redraw(r->c->tui);
	st = console_call(r->c, &spis__v1__stats__descriptor, RESEARCH_METHOD,
	    &req.base, &resp, msg, sizeof msg);
	if (st == GRPC_STATUS_UNAUTHENTICATED) {
		r->note[0] = '\0';
		return;
	}
	if (st != GRPC_STATUS_OK) {
		console_status_text(st, msg, err, sizeof err);
		r->note_error = 1;
		if (st == GRPC_STATUS_PERMISSION_DENIED)
			snprintf(r->note, sizeof r->note, _("Refused: %s"),
			    err);
		else if (!console_form_server_error(&r->form, msg) &&
		    st == GRPC_STATUS_RESOURCE_EXHAUSTED)
			snprintf(r->note, sizeof r->note, _("%s: the sample "
			    "is too large to receive at once; narrow the date "
			    "range."), err);
		else
			console_copy(r->note, sizeof r->note, err);
		return;
	}
	rep = (const Spis__V1__ResearchSampleReply *)resp;
	if (research_save(r->path, rep->csv.data, rep->csv.len, replace, err,
	    sizeof err) != 0) {
		console_copy(r->note, sizeof r->note, err);
		r->note_error = 1;
		console_form_server_error(&r->form, err);
	} else
		research_result(r, rep, r->path);
	protobuf_c_message_free_unpacked(resp, NULL);
}

static void
research_replace(struct tui *t, int yes, void *arg)
{
	struct research *r = arg;

	(void)t;
	if (yes) {
		research_fetch(r, 1);
		return;
	}
	snprintf(r->note, sizeof r->note, _("Nothing was requested: %s "
	    "exists and was kept.  Give another file name."), r->path);
	r->note_error = 1;
	r->form.focus = RESEARCH_PATH;
}

static void
research_confirmed(struct tui *t, int yes, void *arg)
{
	struct research *r = arg;
	char q[512];
	struct stat sb;

	if (!yes) {
		r->note[0] = '\0';
		return;
	}
	if (lstat(r->path, &sb) == 0) {
		snprintf(q, sizeof q, _("%s already exists.  Replace it with "
		    "the new sample?"), r->path);
		tui_confirm(t, q, research_replace, r);
		return;
	}
	research_fetch(r, 0);
}

/* Checks the form and asks for the confirmation. */
static void
research_submit(struct tui *t, struct research *r)
{
	char v[CONSOLE_VALUE_MAX], q[512];

	r->note[0] = '\0';
	if (console_form_check(&r->form) != 0)
		return;
	console_form_value(&r->form, RESEARCH_FROM, v);
	console_copy(r->from, sizeof r->from, v);
	console_form_value(&r->form, RESEARCH_TO, v);
	console_copy(r->to, sizeof r->to, v);
	console_form_value(&r->form, RESEARCH_PATH, r->path);
	snprintf(q, sizeof q, _("Request the research sample for %s to %s?\n"
	    "It holds one row per person with a benefit or an application in "
	    "the range, under a key made for this extract alone.\n"
	    "No IDs, no names, no exact dates; ages in 5-year bands; small "
	    "municipalities merged into \"other\".\n"
	    "The request is audited under your name."), r->from, r->to);
	tui_confirm(t, q, research_confirmed, r);
}

static int
research_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct research *r = (struct research *)s;

	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(10))) {
		console_logout(r->c);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2)) ||
	    (tui_key_enter(k) && r->form.focus == RESEARCH_NFIELDS - 1)) {
		research_submit(t, r);
		return 1;
	}
	if (tui_key_enter(k))
		k = TUI_CHAR('\t');
	return console_form_key(&r->form, k);
}

static void
research_draw(struct tui *t, struct tui_screen *s)
{
	struct research *r = (struct research *)s;
	struct tui_field *cur = &r->form.f[r->form.focus];
	char where[PATH_MAX + CONSOLE_VALUE_MAX];
	int top, rows, cols, y, end, fy;

	tui_body(t, &top, &rows, &cols);
	end = top + rows;
	y = top + 1;
	tui_put(t, y, 2, cols - 4, TUI_A_BOLD, _("Research sample "
	    "(anonymised extract)"));
	y += 2;
	y += tui_wrap(t, y, 2, cols - 4, 4, 0, _("One row per person with a "
	    "benefit or an application in the range: a key made for this "
	    "extract alone, sex, age in 5-year bands, municipality (small "
	    "ones merged into \"other\"), household size, programmes and a "
	    "monthly amount rounded to 10.00.  No national IDs, names, "
	    "addresses or exact dates.  The request is audited.")) + 1;
	if (!r->c->sess.can_research)
		y += tui_wrap(t, y, 2, cols - 4, 2, TUI_A_BOLD, _("Research "
		    "samples are for the analyst role; the server will refuse "
		    "them for yours.")) + 1;
	fy = y;
	y += console_form_draw(t, &r->form, y, 2, cols - 4, 0);
	/* The field is narrower than most paths. */
	research_where(&r->form, where, sizeof where);
	if (where[0] != '\0')
		tui_putf(t, y, 2, cols - 4, 0, _("Saves to: %s"), where);
	y += 2;
	if (cur->error[0] != '\0' && y < end)
		tui_put(t, y++, 2, cols - 4, TUI_A_ERROR, cur->error);
	if (r->note[0] != '\0' && y < end)
		tui_wrap(t, y, 2, cols - 4, end - y, r->note_error ?
		    TUI_A_ERROR : 0, r->note);
	/* The cursor again: the rows below were drawn after the form. */
	console_form_draw(t, &r->form, fy, 2, cols - 4, 1);
}

static void
research_wipe(struct tui_screen *s)
{
	struct research *r = (struct research *)s;

	console_form_wipe(&r->form);
	explicit_bzero(r->note, sizeof r->note);
}

static void
research_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
console_research_new(struct console *c)
{
	struct research *r;
	char today[16], from[16];

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->c = c;
	console_form_init(&r->form, research_inputs, RESEARCH_NFIELDS, r);
	r->form.left = research_left;
	/* The last year, today included. */
	check_today(today, sizeof today);
	if (check_date_add(today, -1, 1, from, sizeof from) != 0)
		console_copy(from, sizeof from, today);
	console_form_set(&r->form, RESEARCH_FROM, from);
	console_form_set(&r->form, RESEARCH_TO, today);
	research_default_path(&r->form, r->auto_path, sizeof r->auto_path);
	console_form_set(&r->form, RESEARCH_PATH, r->auto_path);
	r->s.draw = research_draw;
	r->s.key = research_key;
	r->s.wipe = research_wipe;
	r->s.destroy = research_destroy;
	r->s.hints = research_hints;
	return &r->s;
}
