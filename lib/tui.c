/*
 * tui.c: the terminal, the screen stack, the loop, the header and footer,
 * and the drawing primitives of the kit.  See tui.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "i18n.h"
#include "tui.h"

#define TUI_TIMEOUT_MS 500
#define TUI_MIN_COLS 30
#define TUI_MIN_ROWS 8
#define TUI_PAIR_ERROR 1

/*
 * When get_wch() keeps failing at once instead of waiting for its timeout,
 * the terminal has gone (a hang-up without SIGHUP); after this many such
 * failures in a row the loop ends instead of spinning.
 */
#define TUI_DEAD_TTY_TRIES 50
#define TUI_DEAD_TTY_MS 20

struct tui {
	const char *program; /* msgid */
	enum tui_mode mode;
	SCREEN *term;
	char *user;
	char *server;
	enum tui_conn conn;
	struct tui_screen *top;
	int quit;
	int status;
	long long last_key_ms;
	int touched;
	int cur_y, cur_x;
	int repaint; /* the terminal may hold anything: repaint it all */
	int saved_stderr;
	int colors;
};

/*
 * The terminating signal caught, or 0.  A signal handler can reach nothing
 * else, so this is the kit's one piece of global state; the loop reads it
 * and leaves, and nothing is drawn from the handler.
 */
static volatile sig_atomic_t tui_signal;

static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

static long long
tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
tui_key_is(struct tui_key k, wint_t ch, int code)
{
	if (k.fn)
		return code != 0 && k.c == (wint_t)code;
	return ch != 0 && k.c == ch;
}

int
tui_key_enter(struct tui_key k)
{
	return tui_key_is(k, '\n', KEY_ENTER) || tui_key_is(k, '\r', 0);
}

static void
tui_signals(enum tui_mode mode)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (mode == TUI_KIOSK) {
		/*
		 * raw() already stops the terminal from sending these; the
		 * dispositions cover kill(1) from elsewhere too.  There is
		 * no shell to go back to, so nothing may stop the kiosk
		 * but the service manager (SIGTERM) or a hang-up.
		 */
		sa.sa_handler = SIG_IGN;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
		sigaction(SIGTTIN, &sa, NULL);
		sigaction(SIGTTOU, &sa, NULL);
	} else {
		sigaction(SIGINT, &sa, NULL);
	}
}

/*
 * Home and End have several spellings, and terminfo knows only the one its
 * terminal sends: tmux and the Linux console send ESC [1~ and ESC [4~ to a
 * program that believes it runs in an xterm, which sends ESC OH and ESC OF.
 * Unknown, they would arrive as Esc and stray characters.
 */
static void
tui_define_keys(void)
{
	static const struct {
		const char *seq;
		int code;
	} keys[] = {
		{"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME},
		{"\033[H", KEY_HOME}, {"\033OH", KEY_HOME},
		{"\033[4~", KEY_END}, {"\033[8~", KEY_END},
		{"\033[F", KEY_END}, {"\033OF", KEY_END},
		{"\033[3~", KEY_DC}, {"\033[Z", KEY_BTAB},
		{"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE},
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (key_defined(keys[i].seq) == 0)
			define_key(keys[i].seq, keys[i].code);
}

struct tui *
tui_open(const char *program, enum tui_mode mode, const char *log_path,
    char *err, size_t errlen)
{
	struct tui *t;
	const char *path = log_path != NULL ? log_path : "/dev/null";
	int fd;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "%s", _("standard input and output must "
		    "be a terminal"));
		return NULL;
	}
	/*
	 * While curses owns the screen, anything written to a terminal on
	 * stderr would land in the middle of it: such output goes to the
	 * log file, or nowhere.  A journal or a file is left alone.
	 */
	fd = -1;
	if (log_path != NULL || isatty(STDERR_FILENO)) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0600);
		if (fd == -1) {
			snprintf(err, errlen,
			    _("cannot open the log file %s: %s"), path,
			    strerror(errno));
			return NULL;
		}
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	t->program = program;
	t->mode = mode;
	t->conn = TUI_CONN_CONNECTING;
	t->cur_y = -1;
	t->last_key_ms = tui_now_ms();

	/* Our handlers go in first: ncurses then leaves these signals be. */
	tui_signals(mode);
	if ((t->term = newterm(NULL, stdout, stdin)) == NULL) {
		snprintf(err, errlen, _("cannot use the terminal type %s"),
		    getenv("TERM") != NULL ? getenv("TERM") : "(unset)");
		if (fd != -1)
			close(fd);
		free(t);
		return NULL;
	}
	set_term(t->term);
	t->saved_stderr = -1;
	if (fd != -1) {
		t->saved_stderr = dup(STDERR_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}

	if (mode == TUI_KIOSK)
		raw();
	else
		cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	tui_define_keys();
	wtimeout(stdscr, TUI_TIMEOUT_MS);
	set_escdelay(100);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(TUI_PAIR_ERROR, COLOR_RED, -1);
		t->colors = 1;
	}
	t->repaint = 1;
	return t;
}

void
tui_close(struct tui *t)
{
	if (t == NULL)
		return;
	while (t->top != NULL)
		tui_pop(t);
	erase();
	refresh();
	endwin();
	delscreen(t->term);
	if (t->saved_stderr != -1) {
		dup2(t->saved_stderr, STDERR_FILENO);
		close(t->saved_stderr);
	}
	free(t->user);
	free(t->server);
	free(t);
}

static void
tui_set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src != NULL ? strdup(src) : NULL;
}

void
tui_set_user(struct tui *t, const char *who)
{
	tui_set_str(&t->user, who);
}

void
tui_set_server(struct tui *t, const char *addr)
{
	tui_set_str(&t->server, addr);
}

void
tui_set_conn(struct tui *t, enum tui_conn state)
{
	t->conn = state;
}

void
tui_push(struct tui *t, struct tui_screen *s)
{
	s->below = t->top;
	t->top = s;
}

void
tui_pop(struct tui *t)
{
	struct tui_screen *s = t->top;

	if (s == NULL)
		return;
	t->top = s->below;
	s->below = NULL;
	if (s->wipe != NULL)
		s->wipe(s);
	if (s->destroy != NULL)
		s->destroy(s);
}

void
tui_reset(struct tui *t)
{
	while (t->top != NULL && t->top->below != NULL)
		tui_pop(t);
	if (t->top != NULL && t->top->wipe != NULL)
		t->top->wipe(t->top);
	/* Keys typed ahead belong to the person who walked away. */
	flushinp();
	t->touched = 0;
	t->repaint = 1;
}

struct tui_screen *
tui_top(struct tui *t)
{
	return t->top;
}

void
tui_quit(struct tui *t, int status)
{
	t->quit = 1;
	t->status = status;
}

long
tui_idle_ms(const struct tui *t)
{
	return (long)(tui_now_ms() - t->last_key_ms);
}

int
tui_touched(const struct tui *t)
{
	return t->touched;
}

void
tui_body(const struct tui *t, int *top, int *rows, int *cols)
{
	(void)t;
	*top = 1;
	*rows = LINES - 2;
	*cols = COLS;
}

void
tui_cursor(struct tui *t, int y, int x)
{
	t->cur_y = y;
	t->cur_x = x;
}

static attr_t
tui_attr(const struct tui *t, int attr)
{
	attr_t a = A_NORMAL;

	if (attr & TUI_A_BOLD)
		a |= A_BOLD;
	if (attr & TUI_A_REVERSE)
		a |= A_REVERSE;
	if (attr & TUI_A_UNDERLINE)
		a |= A_UNDERLINE;
	if (attr & TUI_A_ERROR)
		a |= A_BOLD | (t->colors ? COLOR_PAIR(TUI_PAIR_ERROR) : 0);
	return a;
}

int
tui_put(struct tui *t, int y, int x, int cols, int attr, const char *s)
{
	size_t n;
	int used;
	attr_t a;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || cols <= 0)
		return 0;
	if (cols > COLS - x)
		cols = COLS - x;
	n = tui_text_fit(s, cols, &used);
	a = tui_attr(t, attr);
	attron(a);
	mvaddnstr(y, x, s, (int)n);
	attroff(a);
	return used;
}

int
tui_putf(struct tui *t, int y, int x, int cols, int attr, const char *fmt,
    ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return tui_put(t, y, x, cols, attr, buf);
}

int
tui_wrap(struct tui *t, int y, int x, int cols, int rows, int attr,
    const char *s)
{
	size_t n, next;
	int row = 0;

	if (cols <= 0)
		return 0;
	while (*s != '\0' && row < rows) {
		n = tui_text_wrap(s, cols, &next);
		if (n > 0) {
			char line[1024];

			if (n >= sizeof line)
				n = sizeof line - 1;
			memcpy(line, s, n);
			line[n] = '\0';
			tui_put(t, y + row, x, cols, attr, line);
		}
		s += next;
		row++;
	}
	return row;
}

void
tui_box(struct tui *t, int y, int x, int rows, int cols)
{
	(void)t;
	if (rows < 2 || cols < 2)
		return;
	for (int r = 0; r < rows; r++)
		mvhline(y + r, x, ' ', cols);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, cols - 2);
	mvaddch(y, x + cols - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, rows - 2);
	mvvline(y + 1, x + cols - 1, ACS_VLINE, rows - 2);
	mvaddch(y + rows - 1, x, ACS_LLCORNER);
	mvhline(y + rows - 1, x + 1, ACS_HLINE, cols - 2);
	mvaddch(y + rows - 1, x + cols - 1, ACS_LRCORNER);
}

/*
 * The header: program and who on the left, server and link state on the
 * right.  When they do not all fit, the address loses its label, then goes;
 * the link state stays.
 */
static void
tui_draw_header(struct tui *t)
{
	char left[256], right[3][256];
	const char *conn;
	int lw, rw, attr, i;

	switch (t->conn) {
	case TUI_CONN_UP:
		conn = _("connected");
		break;
	case TUI_CONN_DOWN:
		conn = _("no connection");
		break;
	default:
		conn = _("connecting…");
		break;
	}
	snprintf(left, sizeof left, " %s | %s", _(t->program),
	    t->user != NULL ? t->user : _("not logged in"));
	snprintf(right[2], sizeof right[2], "%s ", conn);
	if (t->server != NULL) {
		char label[200];

		snprintf(label, sizeof label, _("server %s"), t->server);
		snprintf(right[0], sizeof right[0], "%s | %s ", label, conn);
		snprintf(right[1], sizeof right[1], "%s | %s ", t->server, conn);
	} else {
		snprintf(right[0], sizeof right[0], "%s", right[2]);
		snprintf(right[1], sizeof right[1], "%s", right[2]);
	}
	lw = tui_text_width(left);
	for (i = 0; i < 2; i++)
		if (lw + 1 + tui_text_width(right[i]) <= COLS)
			break;

	attr = TUI_A_REVERSE | (t->conn == TUI_CONN_DOWN ? TUI_A_BOLD : 0);
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	attroff(A_REVERSE);
	rw = tui_text_width(right[i]);
	tui_put(t, 0, 0, COLS - rw - 1, TUI_A_REVERSE | TUI_A_BOLD, left);
	tui_put(t, 0, COLS - rw, rw, attr, right[i]);
}

/* The footer on the last row: the keys of the screen on top. */
static void
tui_draw_footer(struct tui *t)
{
	const struct tui_hint *h;
	int y = LINES - 1, x = 1;

	if (t->top == NULL || t->top->hints == NULL)
		return;
	for (h = t->top->hints; h->key != NULL && x < COLS; h++) {
		x += tui_put(t, y, x, COLS - x, TUI_A_REVERSE, h->key);
		x += tui_put(t, y, x, COLS - x, TUI_A_NORMAL, " ");
		x += tui_put(t, y, x, COLS - x, TUI_A_NORMAL, _(h->what));
		x += tui_put(t, y, x, COLS - x, TUI_A_NORMAL, "   ");
	}
}

/* Draws s, after the screens below it when it is a dialog. */
static void
tui_draw_screen(struct tui *t, struct tui_screen *s)
{
	if (s->overlay && s->below != NULL)
		tui_draw_screen(t, s->below);
	/* Only the top screen says where the cursor goes. */
	t->cur_y = -1;
	s->draw(t, s);
}

static void
tui_draw(struct tui *t)
{
	erase();
	t->cur_y = -1;
	if (LINES < TUI_MIN_ROWS || COLS < TUI_MIN_COLS) {
		tui_wrap(t, 0, 0, COLS, LINES, TUI_A_NORMAL,
		    _("The terminal is too small. Make the window larger."));
	} else {
		tui_draw_header(t);
		if (t->top != NULL)
			tui_draw_screen(t, t->top);
		tui_draw_footer(t);
	}
	if (t->cur_y >= 0) {
		move(t->cur_y, t->cur_x);
		curs_set(1);
	} else {
		/* Nothing has the focus: rest where reading starts. */
		move(LINES > 2 ? 1 : 0, 0);
		curs_set(0);
	}
	if (t->repaint) {
		clearok(curscr, TRUE);
		t->repaint = 0;
	}
	refresh();
}

void
tui_redraw(struct tui *t)
{
	tui_draw(t);
}

int
tui_run(struct tui *t, void (*tick)(struct tui *t, void *arg), void *arg)
{
	struct tui_key k;
	long long started;
	wint_t ch;
	int r, fast = 0;

	t->quit = 0;
	t->status = 0;
	while (!t->quit) {
		if (tui_signal != 0) {
			t->status = 128 + tui_signal;
			break;
		}
		if (tick != NULL)
			tick(t, arg);
		if (t->top != NULL && t->top->tick != NULL)
			t->top->tick(t, t->top);
		if (t->quit)
			break;
		tui_draw(t);

		started = tui_now_ms();
		r = wget_wch(stdscr, &ch);
		if (r == ERR) {
			if (tui_now_ms() - started < TUI_DEAD_TTY_MS) {
				if (++fast >= TUI_DEAD_TTY_TRIES) {
					t->status = 128 + SIGHUP;
					break;
				}
			} else {
				fast = 0;
			}
			continue;
		}
		fast = 0;
		k.fn = r == KEY_CODE_YES;
		k.c = ch;
		if (k.fn && k.c == KEY_RESIZE) {
			/* ncurses has resized stdscr; draw it all anew. */
			t->repaint = 1;
			continue;
		}
		t->last_key_ms = tui_now_ms();
		t->touched = 1;
		if (t->top != NULL && t->top->key != NULL)
			t->top->key(t, t->top, k);
	}
	return t->status;
}
