/*
 * form.c: the forms, dialogs and notices of the registry screens.  A form
 * is one row per field: the label, the input, and after it the problem the
 * field has (or, for a municipality, its name).  Fields are checked as the
 * officer leaves them, so a mistake is named before anything is sent; the
 * daemon checks again and decides, and its message is shown as it sent it,
 * next to the field it names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curses.h>

#include "check.h"
#include "municipality.h"

#include "console.h"
#include "i18n.h"

const char *const console_purposes[] = {
	"case_work", "intake", "helpdesk", "audit", "employment", "health",
	"research", NULL,
};

void
console_request_id(char *buf, size_t len)
{
	unsigned char r[16];
	size_t off = 0;

	/* getrandom() does not fail for 16 bytes once the pool is ready;
	 * should it, the time and address still tell requests apart. */
	if (getrandom(r, sizeof r, 0) != sizeof r)
		snprintf((char *)r, sizeof r, "%lx%p", (long)time(NULL),
		    (void *)buf);
	for (size_t i = 0; i < sizeof r && off + 2 < len; i++)
		off += snprintf(buf + off, len - off, "%02x", r[i]);
}

void
console_cell(char *buf, size_t len, size_t *off, const char *text, int width)
{
	size_t b;
	int used;

	if (len == 0 || *off >= len - 1)
		return;
	b = tui_text_fit(text, width, &used);
	if (b > len - *off - 1)
		b = len - *off - 1;
	memcpy(buf + *off, text, b);
	*off += b;
	for (; used < width + 1 && *off < len - 1; used++)
		buf[(*off)++] = ' ';
	buf[*off] = '\0';
}

/* The i-th choice of input in, or NULL past the end. */
static const char *
form_choice(const struct console_input *in, size_t i)
{
	const struct municipality *m;
	size_t n;

	if (in->municipality) {
		m = municipality_all(&n);
		return i < n ? m[i].code : NULL;
	}
	if (in->choices == NULL)
		return NULL;
	for (size_t k = 0; k <= i; k++)
		if (in->choices[k] == NULL)
			return NULL;
	return in->choices[i];
}

static int
form_has_choices(const struct console_input *in)
{
	return in->municipality || in->choices != NULL;
}

/* The tui_field validator: required, choices, dates, then the hook. */
static const char *
form_validate(const char *v, void *arg)
{
	const struct console_form_slot *sl = arg;
	struct console_form *f = sl->form;
	int i = sl->i;
	const struct console_input *in = &f->in[i];
	const char *c;

	if (*v == '\0')
		return in->required ? _("required") : NULL;
	if (in->municipality) {
		if (municipality_find(v) == NULL)
			return _("no municipality has this code");
	} else if (in->choices != NULL) {
		for (size_t k = 0; (c = form_choice(in, k)) != NULL; k++)
			if (strcmp(c, v) == 0)
				break;
		if (c == NULL)
			return _("not one of the choices (Left/Right)");
	}
	if (in->date && !check_date(v, NULL, NULL, NULL))
		return _("a date as YYYY-MM-DD");
	if (!check_utf8_text(v))
		return _("control characters are not allowed");
	return in->check != NULL ? in->check(f, i, v) : NULL;
}

void
console_form_init(struct console_form *f, const struct console_input *in,
    int n, void *arg)
{
	memset(f, 0, sizeof *f);
	f->in = in;
	f->n = n > CONSOLE_FORM_MAX ? CONSOLE_FORM_MAX : n;
	f->arg = arg;
	for (int i = 0; i < f->n; i++) {
		f->slot[i].form = f;
		f->slot[i].i = i;
		f->f[i].label = in[i].label;
		f->f[i].maxlen = in[i].maxlen;
		f->f[i].validate = form_validate;
		f->f[i].arg = &f->slot[i];
		if (in[i].choices != NULL && in[i].required &&
		    in[i].choices[0] != NULL)
			tui_field_set(&f->f[i], in[i].choices[0]);
	}
}

/* Steps field i to the next (dir 1) or previous (-1) choice; an empty
 * optional field counts as a choice before the first. */
static void
form_step(struct console_form *f, int i, int dir)
{
	const struct console_input *in = &f->in[i];
	char v[CONSOLE_VALUE_MAX];
	const char *c;
	long cur = -1, n = 0, next;

	console_form_value(f, i, v);
	for (n = 0; (c = form_choice(in, (size_t)n)) != NULL; n++)
		if (strcmp(c, v) == 0)
			cur = n;
	if (n == 0)
		return;
	if (in->required) {
		next = cur < 0 ? 0 : (cur + dir + n) % n;
		tui_field_set(&f->f[i], form_choice(in, (size_t)next));
	} else {
		/* -1 is the empty value. */
		next = (cur + 1 + dir + n + 1) % (n + 1) - 1;
		tui_field_set(&f->f[i], next < 0 ? "" :
		    form_choice(in, (size_t)next));
	}
	f->f[i].error[0] = '\0';
}

static void
form_leave(struct console_form *f, int to)
{
	int from = f->focus;

	tui_field_check(&f->f[from]);
	if (f->left != NULL)
		f->left(f, from);
	f->focus = to;
}

int
console_form_key(struct console_form *f, struct tui_key k)
{
	if (f->n <= 0)
		return 0;
	if (tui_key_is(k, '\t', KEY_DOWN)) {
		if (f->focus + 1 < f->n)
			form_leave(f, f->focus + 1);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_BTAB) || tui_key_is(k, 0, KEY_UP)) {
		if (f->focus > 0)
			form_leave(f, f->focus - 1);
		return 1;
	}
	if (form_has_choices(&f->in[f->focus]) &&
	    (tui_key_is(k, 0, KEY_LEFT) || tui_key_is(k, 0, KEY_RIGHT))) {
		form_step(f, f->focus, tui_key_is(k, 0, KEY_RIGHT) ? 1 : -1);
		return 1;
	}
	return tui_field_key(&f->f[f->focus], k);
}

int
console_form_check(struct console_form *f)
{
	int bad = -1;

	for (int i = 0; i < f->n; i++)
		if (tui_field_check(&f->f[i]) != 0 && bad < 0)
			bad = i;
	if (bad < 0)
		return 0;
	f->focus = bad;
	return -1;
}

void
console_form_value(const struct console_form *f, int i, char *buf)
{
	tui_field_value(&f->f[i], buf, CONSOLE_VALUE_MAX);
}

void
console_form_set(struct console_form *f, int i, const char *v)
{
	if (tui_field_set(&f->f[i], v != NULL ? v : "") != 0)
		tui_field_wipe(&f->f[i]);
	f->f[i].error[0] = '\0';
}

int
console_form_index(const struct console_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->in[i].name, name) == 0)
			return i;
	return -1;
}

int
console_form_server_error(struct console_form *f, const char *msg)
{
	size_t n, best = 0;
	int at = -1;

	/* The longest name wins: "national_id" over "national". */
	for (int i = 0; i < f->n; i++) {
		n = strlen(f->in[i].name);
		if (n > best && strncmp(msg, f->in[i].name, n) == 0 &&
		    (msg[n] == ':' || msg[n] == ' ')) {
			best = n;
			at = i;
		}
	}
	if (at < 0)
		return 0;
	console_copy(f->f[at].error, sizeof f->f[at].error, msg);
	f->focus = at;
	return 1;
}

int
console_form_draw(struct tui *t, struct console_form *f, int y, int x,
    int cols, int focus)
{
	const struct municipality *m;
	char v[CONSOLE_VALUE_MAX];
	int lw = 0, w, fx, fw, cur_fw = 0;

	for (int i = 0; i < f->n; i++)
		if ((w = tui_text_width(_(f->in[i].label))) > lw)
			lw = w;
	if (lw > cols / 3)
		lw = cols / 3;
	fx = x + lw + 2;
	for (int i = 0; i < f->n; i++) {
		const struct console_input *in = &f->in[i];
		int row = y + i, on = focus && i == f->focus;

		tui_put(t, row, x, lw, on ? TUI_A_BOLD : 0, _(in->label));
		fw = in->maxlen + 1;
		if (fw > 34)
			fw = 34;
		if (fw > x + cols - fx)
			fw = x + cols - fx;
		fw = tui_field_draw_at(t, &f->f[i], row, fx, fw, 0);
		if (on)
			cur_fw = fw;
		if (f->f[i].error[0] != '\0') {
			tui_put(t, row, fx + fw + 1, x + cols - fx - fw - 1,
			    TUI_A_ERROR, f->f[i].error);
			continue;
		}
		if (in->municipality) {
			console_form_value(f, i, v);
			if ((m = municipality_find(v)) != NULL)
				tui_put(t, row, fx + fw + 1,
				    x + cols - fx - fw - 1, 0, m->name);
		} else if (in->choices != NULL && on)
			tui_put(t, row, fx + fw + 1, x + cols - fx - fw - 1,
			    0, _("◂ ▸ to choose"));
	}
	/* The cursor goes in the focused field, drawn once more for it. */
	if (focus && f->n > 0)
		tui_field_draw_at(t, &f->f[f->focus], y + f->focus, fx, cur_fw,
		    1);
	return f->n;
}

void
console_form_wipe(struct console_form *f)
{
	for (int i = 0; i < f->n; i++)
		tui_field_wipe(&f->f[i]);
	explicit_bzero(f->why, sizeof f->why);
}

/* ------------------------------------------------------------------------
 * Dialogs.
 */

struct dialog {
	struct tui_screen s; /* first: the stack sees only this */
	struct console *c;
	char title[128];
	struct console_form form;
	console_submit_fn submit;
	void (*done)(struct console *, void *);
	void *arg;
	char msg[512]; /* the daemon's answer to the last try */
};

static const struct tui_hint dialog_hints[] = {
	{"Tab", N_("Next field")},
	{"F2", N_("Send")},
	{"Esc", N_("Cancel")},
	{NULL, NULL},
};

static void
dialog_draw(struct tui *t, struct tui_screen *s)
{
	struct dialog *d = (struct dialog *)s;
	int top, rows, cols, w, h, y, x, err = 0, mr = 0;
	size_t next;

	tui_body(t, &top, &rows, &cols);
	if (d->form.f[d->form.focus].error[0] != '\0')
		err = 1;
	w = cols - 4 > 96 ? 96 : cols - 4;
	/* The daemon's answer in full, up to five rows: its reason often
	 * comes last ("...; deciding otherwise needs a supervisor"). */
	for (const char *p = d->msg; *p != '\0' && mr < 5; p += next) {
		tui_text_wrap(p, w - 4, &next);
		mr++;
		if (next == 0)
			break;
	}
	if (d->msg[0] != '\0' && mr < 2)
		mr = 2;
	h = d->form.n + 6 + mr;
	if (h > rows)
		h = rows;
	y = top + (rows - h) / 2;
	x = (cols - w) / 2;
	tui_box(t, y, x, h, w);
	tui_put(t, y + 1, x + 2, w - 4, TUI_A_BOLD, d->title);
	console_form_draw(t, &d->form, y + 3, x + 2, w - 4, 1);
	if (err)
		tui_put(t, y + 3 + d->form.n, x + 2, w - 4, TUI_A_ERROR,
		    d->form.f[d->form.focus].error);
	if (d->msg[0] != '\0')
		tui_wrap(t, y + 4 + d->form.n, x + 2, w - 4, mr, TUI_A_ERROR,
		    d->msg);
	/* The cursor again: the message rows were drawn after the form. */
	console_form_draw(t, &d->form, y + 3, x + 2, w - 4, 1);
}

static void
dialog_send(struct tui *t, struct dialog *d)
{
	void (*done)(struct console *, void *) = d->done;
	struct console *c = d->c;
	void *arg = d->arg;

	d->msg[0] = '\0';
	if (console_form_check(&d->form) != 0)
		return;
	if (d->submit(c, &d->form, arg, d->msg, sizeof d->msg) != 0) {
		console_form_server_error(&d->form, d->msg);
		return;
	}
	/* An expired session put the login screen on top; the dialog stays
	 * under it.  Otherwise the dialog is done. */
	if (tui_top(t) != &d->s)
		return;
	tui_pop(t);
	if (done != NULL)
		done(c, arg);
}

static int
dialog_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	struct dialog *d = (struct dialog *)s;

	if (tui_key_is(k, 27, 0)) {
		tui_pop(t);
		return 1;
	}
	if (tui_key_is(k, 0, KEY_F(2)) ||
	    (tui_key_enter(k) && d->form.focus == d->form.n - 1)) {
		dialog_send(t, d);
		return 1;
	}
	if (tui_key_enter(k))
		k = TUI_CHAR('\t');
	console_form_key(&d->form, k);
	return 1; /* a dialog keeps every key from the screen below */
}

static void
dialog_wipe(struct tui_screen *s)
{
	struct dialog *d = (struct dialog *)s;

	console_form_wipe(&d->form);
	explicit_bzero(d->msg, sizeof d->msg);
}

static void
dialog_destroy(struct tui_screen *s)
{
	free(s);
}

struct tui_screen *
console_dialog_new(struct console *c, const char *title,
    const struct console_input *in, int n, console_submit_fn submit,
    void (*done)(struct console *, void *), void *arg)
{
	struct dialog *d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	d->c = c;
	console_copy(d->title, sizeof d->title, title);
	console_form_init(&d->form, in, n, arg);
	d->submit = submit;
	d->done = done;
	d->arg = arg;
	d->s.draw = dialog_draw;
	d->s.key = dialog_key;
	d->s.wipe = dialog_wipe;
	d->s.destroy = dialog_destroy;
	d->s.hints = dialog_hints;
	d->s.overlay = 1;
	return &d->s;
}

struct console_form *
console_dialog_form(struct tui_screen *s)
{
	return &((struct dialog *)s)->form;
}

/* ------------------------------------------------------------------------
 * Notices.
 */

struct notice {
	struct tui_screen s;
	char title[128];
	char text[2048];
};

static const struct tui_hint notice_hints[] = {
	{"Enter", N_("Close")},
	{NULL, NULL},
};

static void
notice_draw(struct tui *t, struct tui_screen *s)
{
	struct notice *nt = (struct notice *)s;
	int top, rows, cols, w, h, y, x, tr = 0;
	size_t next;

	tui_body(t, &top, &rows, &cols);
	w = cols - 4 > 76 ? 76 : cols - 4;
	for (const char *p = nt->text; *p != '\0'; p += next) {
		tui_text_wrap(p, w - 4, &next);
		tr++;
		if (next == 0)
			break;
	}
	h = tr + 5;
	if (h > rows)
		h = rows;
	y = top + (rows - h) / 2;
	x = (cols - w) / 2;
	tui_box(t, y, x, h, w);
	tui_put(t, y + 1, x + 2, w - 4, TUI_A_BOLD, nt->title);
	tui_wrap(t, y + 3, x + 2, w - 4, h - 4, 0, nt->text);
}

static int
notice_key(struct tui *t, struct tui_screen *s, struct tui_key k)
{
	(void)s;
	if (tui_key_enter(k) || tui_key_is(k, 27, 0))
		tui_pop(t);
	return 1;
}

static void
notice_wipe(struct tui_screen *s)
{
	struct notice *nt = (struct notice *)s;

	explicit_bzero(nt->text, sizeof nt->text);
}

void
console_notice(struct console *c, const char *title, const char *text)
{
	struct notice *nt;

	if ((nt = calloc(1, sizeof *nt)) == NULL)
		return;
	console_copy(nt->title, sizeof nt->title, title);
	console_copy(nt->text, sizeof nt->text, text);
	nt->s.draw = notice_draw;
	nt->s.key = notice_key;
	nt->s.wipe = notice_wipe;
	nt->s.destroy = dialog_destroy;
	nt->s.hints = notice_hints;
	nt->s.overlay = 1;
	tui_push(c->tui, &nt->s);
}
