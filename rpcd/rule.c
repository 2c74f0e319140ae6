/*
 * rule.c: the rule language of rule.h.  A one-token-lookahead lexer feeds a
 * recursive-descent parser that builds the tree in a node array inside the
 * rule itself (one allocation), checking types as each node is made.  The
 * evaluator walks the array; every comparison, in-test, and/or/not, if and
 * yes/no fact becomes a clause with a sentence a citizen can read.
 *
 * Nothing here recurses without a bound: the parser counts nesting against
 * RULE_MAX_DEPTH before every step down, and the tree it builds has at most
 * RULE_MAX_NODES nodes, which bounds the evaluator.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "rule.h"

#define RULE_MAX_TEXT 100 /* bytes in one text literal */
#define RULE_MAX_LIST 100 /* items in one in-list */
#define RULE_SHOW 40	  /* bytes of a token quoted in a message */

enum rule_tok {
	TOK_END,
	TOK_ERR, /* the lexer failed; the error is already set */
	TOK_NAME,
	TOK_INT,
	TOK_MONEY,
	TOK_TEXT,
	TOK_AND,
	TOK_OR,
	TOK_NOT,
	TOK_IN,
	TOK_TRUE,
	TOK_FALSE,
	TOK_IF,
	TOK_MIN,
	TOK_MAX,
	TOK_PLUS,
	TOK_MINUS,
	TOK_STAR,
	TOK_SLASH,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_COMMA,
	TOK_EQ,
	TOK_NE,
	TOK_LT,
	TOK_LE,
	TOK_GT,
	TOK_GE
};

enum rule_op {
	OP_LIT,
	OP_FACT,
	OP_NEG,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IN,
	OP_AND,
	OP_OR,
	OP_NOT,
	OP_MIN,
	OP_MAX,
	OP_IF
};

struct rule_token {
	enum rule_tok t;
	int off; /* byte offset in the source */
	int len;
	int line;
	int col;
	int64_t i; /* TOK_INT and TOK_MONEY */
	int str;   /* TOK_TEXT: offset of the decoded text in strs */
};

/*
 * Children are a chain: kid is the first child, next the following
 * sibling.  A clause's text is the source between start and end; line and
 * col are where its operator stands, for evaluation errors.
 */
struct rule_node {
	unsigned char op;
	unsigned char type;
	int kid;
	int next;
	int fact; /* OP_FACT: index in defs */
	int start;
	int end;
	int line;
	int col;
	int str; /* OP_LIT text: offset in strs */
	int64_t i; /* OP_LIT bool, int or money */
};

struct rule {
	const struct rule_fact_def *defs;
	size_t ndefs;
	int root;
	int nnodes;
	int nclauses;
	char src[RULE_MAX_SOURCE + 1];
	char strs[RULE_MAX_SOURCE + 1]; /* decoded text literals */
	int nstrs;
	struct rule_node nodes[]; /* nnodes of them */
};

struct rule_parser {
	struct rule *r;
	const char *src;
	int pos; /* the lexer's position */
	int line;
	int col;
	struct rule_token tok; /* the token looked at */
	int prev_end;	       /* end of the token consumed last */
	int depth;
	int failed;
	struct rule_error *err;
};

static int rule_parse_expr(struct rule_parser *);

const char *
rule_type_name(enum rule_type t)
{
	switch (t) {
	case RULE_BOOL:
		return "bool";
	case RULE_INT:
		return "int";
	case RULE_MONEY:
		return "money";
	case RULE_TEXT:
		return "text";
	}
	return "?";
}

/* The type with its article, for sentences: "a bool", "an int", "money". */
static const char *
rule_type_phrase(enum rule_type t)
{
	switch (t) {
	case RULE_BOOL:
		return "a bool";
	case RULE_INT:
		return "an int";
	case RULE_MONEY:
		return "money";
	case RULE_TEXT:
		return "text";
	}
	return "?";
}

static void
rule_verr(struct rule_error *err, int line, int col, const char *fmt,
    va_list ap)
{
	int n;

	err->line = line;
	err->col = col;
	n = snprintf(err->msg, sizeof err->msg, "line %d, column %d: ", line,
	    col);
	if (n < 0 || (size_t)n >= sizeof err->msg)
		return;
	vsnprintf(err->msg + n, sizeof err->msg - n, fmt, ap);
}

static void __attribute__((format(printf, 4, 5)))
rule_seterr(struct rule_error *err, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rule_verr(err, line, col, fmt, ap);
	va_end(ap);
}

/* Records the first error only (later ones follow from it); returns -1. */
static int __attribute__((format(printf, 4, 5)))
rule_perr(struct rule_parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	va_start(ap, fmt);
	rule_verr(p->err, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static int
rule_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
rule_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    rule_is_digit(c) || c == '_' || c == '.';
}

/*
 * Source bytes between off and off+len, cut to RULE_SHOW bytes on a
 * character boundary, for quoting in a message.  buf holds at least
 * RULE_SHOW + 4 bytes.
 */
static const char *
rule_show(const char *src, int off, int len, char *buf)
{
	int n = len;

	if (n > RULE_SHOW) {
		n = RULE_SHOW;
		while (n > 0 && ((unsigned char)src[off + n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, src + off, n);
	strcpy(buf + n, n < len ? "..." : "");
	return buf;
}

/* Names the token for a message: "name \"x\"", "')'", "the end". */
static const char *
rule_tok_desc(struct rule_parser *p, const struct rule_token *t, char *buf,
    size_t size)
{
	char show[RULE_SHOW + 4];

	rule_show(p->src, t->off, t->len, show);
	switch (t->t) {
	case TOK_END:
	case TOK_ERR:
		snprintf(buf, size, "the end of the rule");
		break;
	case TOK_NAME:
		snprintf(buf, size, "name \"%s\"", show);
		break;
	case TOK_INT:
		snprintf(buf, size, "number %s", show);
		break;
	case TOK_MONEY:
		snprintf(buf, size, "amount %s", show);
		break;
	case TOK_TEXT:
		snprintf(buf, size, "text %s", show);
		break;
	default:
		snprintf(buf, size, "'%s'", show);
		break;
	}
	return buf;
}

/* Moves the lexer n bytes on, keeping line and column (in characters). */
static void
rule_lex_skip(struct rule_parser *p, int n)
{
	unsigned char c;

	while (n-- > 0) {
		c = p->src[p->pos++];
		if (c == '\n') {
			p->line++;
			p->col = 1;
		} else if ((c & 0xc0) != 0x80)
			p->col++;
	}
}

static void
rule_lex_fail(struct rule_parser *p)
{
	p->tok.t = TOK_ERR;
}

/* A number: digits, or digits, a point and exactly two digits (money). */
static void
rule_lex_number(struct rule_parser *p)
{
	struct rule_token *t = &p->tok;
	const char *s = p->src;
	int i = p->pos, dot = -1;
	int64_t v = 0, cents;
	char show[RULE_SHOW + 4];

	while (rule_is_digit(s[i]))
		i++;
	if (s[i] == '.' && rule_is_digit(s[i + 1])) {
		dot = i++;
		while (rule_is_digit(s[i]))
			i++;
	}
	if (rule_is_word(s[i])) {
		while (rule_is_word(s[i]))
			i++;
		rule_perr(p, t->line, t->col, "malformed number %s",
		    rule_show(s, p->pos, i - p->pos, show));
		rule_lex_fail(p);
		return;
	}
	rule_show(s, p->pos, i - p->pos, show);
	if (dot != -1 && i - dot - 1 != 2) {
		rule_perr(p, t->line, t->col,
		    "amount %s needs exactly two decimals, like 102.00", show);
		rule_lex_fail(p);
		return;
	}
	for (int j = p->pos; j < (dot != -1 ? dot : i); j++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, s[j] - '0', &v)) {
			rule_perr(p, t->line, t->col, "%s %s is too large",
			    dot != -1 ? "amount" : "number", show);
			rule_lex_fail(p);
			return;
		}
	}
	if (dot != -1) {
		cents = (s[dot + 1] - '0') * 10 + (s[dot + 2] - '0');
		if (__builtin_mul_overflow(v, 100, &v) ||
		    __builtin_add_overflow(v, cents, &v)) {
			rule_perr(p, t->line, t->col, "amount %s is too large",
			    show);
			rule_lex_fail(p);
			return;
		}
	}
	t->t = dot != -1 ? TOK_MONEY : TOK_INT;
	t->i = v;
	rule_lex_skip(p, i - p->pos);
}

/* Whether s[0..len) is a dotted lowercase name. */
static int
rule_name_ok(const char *s, int len)
{
	int start = 1;

	for (int i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return 0;
			start = 1;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_') {
			start = 0;
		} else if (rule_is_digit(s[i]) && !start) {
			continue;
		} else
			return 0;
	}
	return !start;
}

static void
rule_lex_word(struct rule_parser *p)
{
	static const struct {
		const char *word;
		enum rule_tok t;
	} keywords[] = {
		{"and", TOK_AND},
		{"or", TOK_OR},
		{"not", TOK_NOT},
		{"in", TOK_IN},
		{"true", TOK_TRUE},
		{"false", TOK_FALSE},
		{"if", TOK_IF},
		{"min", TOK_MIN},
		{"max", TOK_MAX},
	};
	struct rule_token *t = &p->tok;
	const char *s = p->src + p->pos;
	int len = 0;
	char show[RULE_SHOW + 4];

	while (rule_is_word(s[len]))
		len++;
	if (!rule_name_ok(s, len)) {
		rule_perr(p, t->line, t->col,
		    "\"%s\" is not a name: names are lowercase letters, digits "
		    "and _, in parts joined by dots",
		    rule_show(p->src, p->pos, len, show));
		rule_lex_fail(p);
		return;
	}
	t->t = TOK_NAME;
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		if (strlen(keywords[k].word) == (size_t)len &&
		    memcmp(keywords[k].word, s, len) == 0)
			t->t = keywords[k].t;
	}
	rule_lex_skip(p, len);
}

/* A text literal in double quotes; \" and \\ are the only escapes. */
static void
rule_lex_text(struct rule_parser *p)
{
	struct rule_token *t = &p->tok;
	struct rule *r = p->r;
	const char *s = p->src;
	char buf[RULE_MAX_TEXT + 1];
	int i = p->pos + 1, n = 0;
	char c;

	for (;;) {
		c = s[i];
		if (c == '\0' || c == '\n') {
			rule_perr(p, t->line, t->col,
			    "this text is never closed with '\"'");
			rule_lex_fail(p);
			return;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			if (s[i + 1] != '"' && s[i + 1] != '\\') {
				rule_lex_skip(p, i - p->pos);
				rule_perr(p, p->line, p->col,
				    "unknown escape in text: only \\\" and "
				    "\\\\ are allowed");
				rule_lex_fail(p);
				return;
			}
			c = s[++i];
		}
		if (n == RULE_MAX_TEXT) {
			rule_perr(p, t->line, t->col,
			    "text longer than %d bytes", RULE_MAX_TEXT);
			rule_lex_fail(p);
			return;
		}
		buf[n++] = c;
		i++;
	}
	buf[n] = '\0';
	if (!check_utf8_text(buf)) {
		rule_perr(p, t->line, t->col,
		    "text must be UTF-8 without control characters");
		rule_lex_fail(p);
		return;
	}
	/* Decoded texts are never longer than their quoted source. */
	t->t = TOK_TEXT;
	t->str = r->nstrs;
	memcpy(r->strs + r->nstrs, buf, n + 1);
	r->nstrs += n + 1;
	rule_lex_skip(p, i + 1 - p->pos);
}

/* Reads the next token into p->tok; the one there is consumed. */
static void
rule_lex(struct rule_parser *p)
{
	static const struct {
		const char *op;
		enum rule_tok t;
	} ops[] = {
		{"==", TOK_EQ},
		{"!=", TOK_NE},
		{"<=", TOK_LE},
		{">=", TOK_GE},
		{"<", TOK_LT},
		{">", TOK_GT},
		{"+", TOK_PLUS},
		{"-", TOK_MINUS},
		{"*", TOK_STAR},
		{"/", TOK_SLASH},
		{"(", TOK_LPAREN},
		{")", TOK_RPAREN},
		{"[", TOK_LBRACK},
		{"]", TOK_RBRACK},
		{",", TOK_COMMA},
	};
	struct rule_token *t = &p->tok;
	const char *s = p->src;
	unsigned char c;
	size_t len;

	if (t->t == TOK_ERR)
		return;
	p->prev_end = t->off + t->len;
	for (;;) {
		c = s[p->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			rule_lex_skip(p, 1);
		else if (c == '#') {
			while (s[p->pos] != '\0' && s[p->pos] != '\n')
				rule_lex_skip(p, 1);
		} else
			break;
	}
	memset(t, 0, sizeof *t);
	t->off = p->pos;
	t->line = p->line;
	t->col = p->col;
	if (c == '\0')
		t->t = TOK_END;
	else if (rule_is_digit(c))
		rule_lex_number(p);
	else if (rule_is_word(c) && c != '.')
		rule_lex_word(p);
	else if (c == '"')
		rule_lex_text(p);
	else {
		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
			len = strlen(ops[k].op);
			if (strncmp(s + p->pos, ops[k].op, len) == 0) {
				t->t = ops[k].t;
				rule_lex_skip(p, len);
				t->len = p->pos - t->off;
				return;
			}
		}
		if (c == '=')
			rule_perr(p, t->line, t->col,
			    "unexpected '=': compare with ==");
		else if (c == '!')
			rule_perr(p, t->line, t->col,
			    "unexpected '!': write not, or != to compare");
		else if (c == '&')
			rule_perr(p, t->line, t->col,
			    "unexpected '&': write and");
		else if (c == '|')
			rule_perr(p, t->line, t->col, "unexpected '|': write or");
		else if (c > ' ' && c < 0x7f)
			rule_perr(p, t->line, t->col,
			    "unexpected character '%c'", c);
		else if (c >= 0x80)
			rule_perr(p, t->line, t->col,
			    "unexpected non-ASCII character outside quotes");
		else
			rule_perr(p, t->line, t->col,
			    "unexpected control character 0x%02x", c);
		rule_lex_fail(p);
	}
	t->len = p->pos - t->off;
}

/* A new node for op whose operator is the token at; -1 past the limit. */
static int
rule_node_new(struct rule_parser *p, enum rule_op op,
    const struct rule_token *at)
{
	struct rule *r = p->r;
	struct rule_node *n;

	if (p->failed)
		return -1;
	if (r->nnodes == RULE_MAX_NODES)
		return rule_perr(p, at->line, at->col,
		    "the rule has more than %d parts", RULE_MAX_NODES);
	n = &r->nodes[r->nnodes];
	memset(n, 0, sizeof *n);
	n->op = op;
	n->kid = n->next = n->fact = -1;
	n->start = at->off;
	n->end = at->off + at->len;
	n->line = at->line;
	n->col = at->col;
	return r->nnodes++;
}

/* One more level of nesting at the token looked at; -1 past the limit. */
static int
rule_nest(struct rule_parser *p)
{
	if (++p->depth > RULE_MAX_DEPTH)
		return rule_perr(p, p->tok.line, p->tok.col,
		    "the rule nests more than %d levels deep", RULE_MAX_DEPTH);
	return 0;
}

static int
rule_type_of(struct rule_parser *p, int n)
{
	return p->r->nodes[n].type;
}

/* A literal in an in-list: a number or amount (maybe negative), a text,
 * true or false. */
static int
rule_parse_item(struct rule_parser *p)
{
	struct rule_token at = p->tok;
	struct rule_node *n;
	char desc[RULE_SHOW + 32];
	int neg = 0, i;

	if (p->tok.t == TOK_MINUS) {
		neg = 1;
		rule_lex(p);
	}
	switch (p->tok.t) {
	case TOK_INT:
	case TOK_MONEY:
	case TOK_TEXT:
	case TOK_TRUE:
	case TOK_FALSE:
		if (neg && (p->tok.t == TOK_TEXT || p->tok.t == TOK_TRUE ||
		    p->tok.t == TOK_FALSE))
			break;
		if ((i = rule_node_new(p, OP_LIT, &p->tok)) == -1)
			return -1;
		n = &p->r->nodes[i];
		n->start = at.off;
		n->i = neg ? -p->tok.i : p->tok.i;
		n->str = p->tok.str;
		if (p->tok.t == TOK_INT)
			n->type = RULE_INT;
		else if (p->tok.t == TOK_MONEY)
			n->type = RULE_MONEY;
		else if (p->tok.t == TOK_TEXT)
			n->type = RULE_TEXT;
		else {
			n->type = RULE_BOOL;
			n->i = p->tok.t == TOK_TRUE;
		}
		rule_lex(p);
		return i;
	default:
		break;
	}
	return rule_perr(p, p->tok.line, p->tok.col,
	    "list items are numbers, amounts, texts, true or false, not %s",
	    rule_tok_desc(p, &p->tok, desc, sizeof desc));
}

/* Arguments of if, min or max: "(" expr {"," expr} ")"; returns how many,
 * chained from *first, or -1. */
static int
rule_parse_args(struct rule_parser *p, const struct rule_token *fn,
    int *first)
{
	struct rule_token open = p->tok;
	char desc[RULE_SHOW + 32];
	int k, last = -1, nargs = 0;
	char name[8];

	snprintf(name, sizeof name, "%.*s", fn->len, p->src + fn->off);
	if (p->tok.t != TOK_LPAREN)
		return rule_perr(p, p->tok.line, p->tok.col,
		    "expected '(' after %s, not %s", name,
		    rule_tok_desc(p, &p->tok, desc, sizeof desc));
	rule_lex(p);
	for (;;) {
		if ((k = rule_parse_expr(p)) == -1)
			return -1;
		if (last == -1)
			*first = k;
		else
			p->r->nodes[last].next = k;
		last = k;
		nargs++;
		if (p->tok.t == TOK_RPAREN)
			break;
		if (p->tok.t == TOK_COMMA) {
			rule_lex(p);
			continue;
		}
		if (p->tok.t == TOK_END)
			return rule_perr(p, open.line, open.col,
			    "this '(' is never closed");
		return rule_perr(p, p->tok.line, p->tok.col,
		    "expected ',' or ')' in %s(...), not %s", name,
		    rule_tok_desc(p, &p->tok, desc, sizeof desc));
	}
	rule_lex(p);
	return nargs;
}

static int
rule_parse_call(struct rule_parser *p)
{
	struct rule_token at = p->tok;
	struct rule_node *nodes = p->r->nodes;
	enum rule_op op;
	int i, k, first = -1, nargs;
	const char *name;
	enum rule_type t;

	op = at.t == TOK_IF ? OP_IF : at.t == TOK_MIN ? OP_MIN : OP_MAX;
	name = op == OP_IF ? "if" : op == OP_MIN ? "min" : "max";
	rule_lex(p);
	if ((nargs = rule_parse_args(p, &at, &first)) == -1)
		return -1;
	if (op == OP_IF) {
		if (nargs != 3)
			return rule_perr(p, at.line, at.col,
			    "if needs three values: a condition, the value "
			    "when it holds and the value when it does not");
		if (nodes[first].type != RULE_BOOL)
			return rule_perr(p, at.line, at.col,
			    "the condition of if must be a bool, not %s",
			    rule_type_name(nodes[first].type));
		k = nodes[first].next;
		if (nodes[k].type != nodes[nodes[k].next].type)
			return rule_perr(p, at.line, at.col,
			    "the two values of if must have one type, not %s "
			    "and %s", rule_type_name(nodes[k].type),
			    rule_type_name(nodes[nodes[k].next].type));
		t = nodes[k].type;
	} else {
		if (nargs < 2)
			return rule_perr(p, at.line, at.col,
			    "%s needs at least two values", name);
		t = nodes[first].type;
		if (t != RULE_INT && t != RULE_MONEY)
			return rule_perr(p, at.line, at.col,
			    "%s needs int or money, not %s", name,
			    rule_type_name(t));
		for (k = nodes[first].next; k != -1; k = nodes[k].next) {
			if (nodes[k].type != t)
				return rule_perr(p, at.line, at.col,
				    "%s needs values of one type, not %s and "
				    "%s", name, rule_type_name(t),
				    rule_type_name(nodes[k].type));
		}
	}
	if ((i = rule_node_new(p, op, &at)) == -1)
		return -1;
	nodes[i].kid = first;
	nodes[i].type = t;
	nodes[i].end = p->prev_end;
	return i;
}

static int
rule_parse_primary(struct rule_parser *p)
{
	struct rule_token at = p->tok;
	struct rule *r = p->r;
	char desc[RULE_SHOW + 32];
	int i, k;

	switch (at.t) {
	case TOK_INT:
	case TOK_MONEY:
	case TOK_TEXT:
	case TOK_TRUE:
	case TOK_FALSE:
		return rule_parse_item(p);
	case TOK_NAME:
		for (size_t d = 0; d < r->ndefs; d++) {
			if (strlen(r->defs[d].name) != (size_t)at.len ||
			    memcmp(r->defs[d].name, p->src + at.off,
			    at.len) != 0)
				continue;
			if ((i = rule_node_new(p, OP_FACT, &at)) == -1)
				return -1;
			r->nodes[i].fact = d;
			r->nodes[i].type = r->defs[d].type;
			rule_lex(p);
			return i;
		}
		return rule_perr(p, at.line, at.col, "unknown name \"%s\"",
		    rule_show(p->src, at.off, at.len, desc));
	case TOK_IF:
	case TOK_MIN:
	case TOK_MAX:
		return rule_parse_call(p);
	case TOK_LPAREN:
		rule_lex(p);
		if ((k = rule_parse_expr(p)) == -1)
			return -1;
		if (p->tok.t == TOK_END)
			return rule_perr(p, at.line, at.col,
			    "this '(' is never closed");
		if (p->tok.t != TOK_RPAREN)
			return rule_perr(p, p->tok.line, p->tok.col,
			    "expected ')' to close the '(' at line %d, column "
			    "%d, not %s", at.line, at.col,
			    rule_tok_desc(p, &p->tok, desc, sizeof desc));
		rule_lex(p);
		return k;
	case TOK_ERR:
		return -1;
	case TOK_END:
		return rule_perr(p, at.line, at.col,
		    "the rule ends where a value should be");
	default:
		return rule_perr(p, at.line, at.col,
		    "expected a value, not %s",
		    rule_tok_desc(p, &at, desc, sizeof desc));
	}
}

static int
rule_parse_unary(struct rule_parser *p)
{
	struct rule_token at = p->tok;
	struct rule_node *n;
	int i, k, next;

	if (at.t != TOK_MINUS)
		return rule_parse_primary(p);
	if (rule_nest(p) == -1)
		return -1;
	rule_lex(p);
	next = p->tok.off;
	k = rule_parse_unary(p);
	p->depth--;
	if (k == -1)
		return -1;
	n = &p->r->nodes[k];
	if (n->type != RULE_INT && n->type != RULE_MONEY)
		return rule_perr(p, at.line, at.col, "cannot negate %s",
		    rule_type_name(n->type));
	/* A minus right before a literal (not a parenthesis) is part of it. */
	if (n->op == OP_LIT && n->start == next && n->end == p->prev_end) {
		n->i = -n->i;
		n->start = at.off;
		return k;
	}
	if ((i = rule_node_new(p, OP_NEG, &at)) == -1)
		return -1;
	p->r->nodes[i].kid = k;
	p->r->nodes[i].type = p->r->nodes[k].type;
	p->r->nodes[i].end = p->prev_end;
	return i;
}

/* The type of l op r for arithmetic, or -1 when they do not mix. */
static int
rule_arith_type(enum rule_op op, enum rule_type l, enum rule_type r)
{
	if (l == RULE_INT && r == RULE_INT)
		return RULE_INT;
	if (op == OP_ADD || op == OP_SUB)
		return l == RULE_MONEY && r == RULE_MONEY ? RULE_MONEY : -1;
	if (op == OP_MUL && ((l == RULE_MONEY && r == RULE_INT) ||
	    (l == RULE_INT && r == RULE_MONEY)))
		return RULE_MONEY;
	if (op == OP_DIV && l == RULE_MONEY && r == RULE_INT)
		return RULE_MONEY;
	return -1;
}

/* A node for the binary operator at, joining l and r. */
static int
rule_binary(struct rule_parser *p, enum rule_op op,
    const struct rule_token *at, int start, int l, int r)
{
	struct rule_node *nodes = p->r->nodes;
	int i;

	if ((i = rule_node_new(p, op, at)) == -1)
		return -1;
	nodes[i].kid = l;
	nodes[l].next = r;
	nodes[i].start = start;
	nodes[i].end = p->prev_end;
	return i;
}

/* Left-associative arithmetic: level 0 is + and -, level 1 is * and /. */
static int
rule_parse_arith(struct rule_parser *p, int level)
{
	int start = p->tok.off, l, r, t;
	struct rule_token at;
	enum rule_op op;
	const char *lt, *rt;

	l = level == 0 ? rule_parse_arith(p, 1) : rule_parse_unary(p);
	while (l != -1) {
		at = p->tok;
		if (level == 0 && at.t == TOK_PLUS)
			op = OP_ADD;
		else if (level == 0 && at.t == TOK_MINUS)
			op = OP_SUB;
		else if (level == 1 && at.t == TOK_STAR)
			op = OP_MUL;
		else if (level == 1 && at.t == TOK_SLASH)
			op = OP_DIV;
		else
			break;
		rule_lex(p);
		r = level == 0 ? rule_parse_arith(p, 1) : rule_parse_unary(p);
		if (r == -1)
			return -1;
		if ((t = rule_arith_type(op, rule_type_of(p, l),
		    rule_type_of(p, r))) == -1) {
			lt = rule_type_name(rule_type_of(p, l));
			rt = rule_type_name(rule_type_of(p, r));
			if (op == OP_ADD)
				return rule_perr(p, at.line, at.col,
				    "cannot add %s and %s", lt, rt);
			if (op == OP_SUB)
				return rule_perr(p, at.line, at.col,
				    "cannot subtract %s from %s", rt, lt);
			return rule_perr(p, at.line, at.col,
			    "cannot %s %s by %s", op == OP_MUL ? "multiply" :
			    "divide", lt, rt);
		}
		if ((l = rule_binary(p, op, &at, start, l, r)) == -1)
			return -1;
		p->r->nodes[l].type = t;
	}
	return l;
}

static int
rule_is_cmp(enum rule_tok t)
{
	return t == TOK_EQ || t == TOK_NE || t == TOK_LT || t == TOK_LE ||
	    t == TOK_GT || t == TOK_GE || t == TOK_IN;
}

/* x in [a, b, ...] */
static int
rule_parse_in(struct rule_parser *p, const struct rule_token *at, int start,
    int l)
{
	struct rule_node *nodes = p->r->nodes;
	struct rule_token open = p->tok;
	char desc[RULE_SHOW + 32];
	int k, last = l, nitems = 0, i;

	if (open.t != TOK_LBRACK)
		return rule_perr(p, open.line, open.col,
		    "expected '[' after in, not %s",
		    rule_tok_desc(p, &open, desc, sizeof desc));
	rule_lex(p);
	if (p->tok.t == TOK_RBRACK)
		return rule_perr(p, open.line, open.col, "the list is empty");
	for (;;) {
		if (nitems == RULE_MAX_LIST)
			return rule_perr(p, p->tok.line, p->tok.col,
			    "the list has more than %d items", RULE_MAX_LIST);
		if ((k = rule_parse_item(p)) == -1)
			return -1;
		if (nodes[k].type != nodes[l].type)
			return rule_perr(p, nodes[k].line, nodes[k].col,
			    "cannot look for %s in a list with %s",
			    rule_type_name(nodes[l].type),
			    rule_type_name(nodes[k].type));
		nodes[last].next = k;
		last = k;
		nitems++;
		if (p->tok.t == TOK_RBRACK)
			break;
		if (p->tok.t == TOK_COMMA) {
			rule_lex(p);
			continue;
		}
		if (p->tok.t == TOK_END)
			return rule_perr(p, open.line, open.col,
			    "this '[' is never closed");
		return rule_perr(p, p->tok.line, p->tok.col,
		    "expected ',' or ']' in the list, not %s",
		    rule_tok_desc(p, &p->tok, desc, sizeof desc));
	}
	rule_lex(p);
	if ((i = rule_node_new(p, OP_IN, at)) == -1)
		return -1;
	nodes[i].kid = l;
	nodes[i].start = start;
	nodes[i].end = p->prev_end;
	nodes[i].type = RULE_BOOL;
	return i;
}

static int
rule_parse_cmp(struct rule_parser *p)
{
	static const enum rule_op ops[] = {[TOK_EQ] = OP_EQ, [TOK_NE] = OP_NE,
	    [TOK_LT] = OP_LT, [TOK_LE] = OP_LE, [TOK_GT] = OP_GT,
	    [TOK_GE] = OP_GE};
	int start = p->tok.off, l, r, i;
	struct rule_token at;
	enum rule_type lt, rt;
	char desc[RULE_SHOW + 32];

	if ((l = rule_parse_arith(p, 0)) == -1)
		return -1;
	at = p->tok;
	if (!rule_is_cmp(at.t))
		return l;
	rule_lex(p);
	if (at.t == TOK_IN)
		i = rule_parse_in(p, &at, start, l);
	else {
		if ((r = rule_parse_arith(p, 0)) == -1)
			return -1;
		lt = rule_type_of(p, l);
		rt = rule_type_of(p, r);
		if (lt != rt)
			return rule_perr(p, at.line, at.col,
			    "cannot compare %s with %s", rule_type_name(lt),
			    rule_type_name(rt));
		if ((lt == RULE_TEXT || lt == RULE_BOOL) && at.t != TOK_EQ &&
		    at.t != TOK_NE)
			return rule_perr(p, at.line, at.col,
			    "%s can only be compared with == or !=",
			    rule_type_name(lt));
		if ((i = rule_binary(p, ops[at.t], &at, start, l, r)) == -1)
			return -1;
		p->r->nodes[i].type = RULE_BOOL;
	}
	if (i != -1 && rule_is_cmp(p->tok.t))
		return rule_perr(p, p->tok.line, p->tok.col,
		    "cannot chain %s after a comparison; join comparisons "
		    "with and", rule_tok_desc(p, &p->tok, desc, sizeof desc));
	return i;
}

static int
rule_parse_not(struct rule_parser *p)
{
	struct rule_token at = p->tok;
	int i, k;

	if (at.t != TOK_NOT)
		return rule_parse_cmp(p);
	if (rule_nest(p) == -1)
		return -1;
	rule_lex(p);
	k = rule_parse_not(p);
	p->depth--;
	if (k == -1)
		return -1;
	if (rule_type_of(p, k) != RULE_BOOL)
		return rule_perr(p, at.line, at.col,
		    "not needs a bool, not %s",
		    rule_type_name(rule_type_of(p, k)));
	if ((i = rule_node_new(p, OP_NOT, &at)) == -1)
		return -1;
	p->r->nodes[i].kid = k;
	p->r->nodes[i].type = RULE_BOOL;
	p->r->nodes[i].end = p->prev_end;
	return i;
}

/* a and b and c (level 1) or a or b (level 0), one node for the chain. */
static int
rule_parse_logic(struct rule_parser *p, int level)
{
	enum rule_tok want = level == 0 ? TOK_OR : TOK_AND;
	const char *name = level == 0 ? "or" : "and";
	struct rule_node *nodes = p->r->nodes;
	int start = p->tok.off, first, last, k, i;
	struct rule_token at;

	first = level == 0 ? rule_parse_logic(p, 1) : rule_parse_not(p);
	if (first == -1 || p->tok.t != want)
		return first;
	at = p->tok;
	if (nodes[first].type != RULE_BOOL)
		return rule_perr(p, at.line, at.col,
		    "%s needs a bool on each side, not %s", name,
		    rule_type_name(nodes[first].type));
	last = first;
	while (p->tok.t == want) {
		struct rule_token op = p->tok;

		rule_lex(p);
		k = level == 0 ? rule_parse_logic(p, 1) : rule_parse_not(p);
		if (k == -1)
			return -1;
		if (nodes[k].type != RULE_BOOL)
			return rule_perr(p, op.line, op.col,
			    "%s needs a bool on each side, not %s", name,
			    rule_type_name(nodes[k].type));
		nodes[last].next = k;
		last = k;
	}
	if ((i = rule_node_new(p, level == 0 ? OP_OR : OP_AND, &at)) == -1)
		return -1;
	nodes[i].kid = first;
	nodes[i].start = start;
	nodes[i].end = p->prev_end;
	nodes[i].type = RULE_BOOL;
	return i;
}

static int
rule_parse_expr(struct rule_parser *p)
{
	int k;

	if (rule_nest(p) == -1)
		return -1;
	k = rule_parse_logic(p, 0);
	p->depth--;
	return k;
}

static int
rule_is_clause(const struct rule_node *n)
{
	return (n->op >= OP_EQ && n->op <= OP_NOT) || n->op == OP_IF ||
	    (n->op == OP_FACT && n->type == RULE_BOOL);
}

struct rule *
rule_parse(const char *src, const struct rule_fact_def *defs, size_t n,
    enum rule_type want, struct rule_error *err)
{
	struct rule_parser p;
	struct rule_error dummy;
	struct rule *r, *small;
	size_t len;
	int line, col;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (src == NULL)
		src = "";
	if ((len = strnlen(src, RULE_MAX_SOURCE + 1)) > RULE_MAX_SOURCE) {
		rule_seterr(err, 1, 1, "the rule is longer than %d bytes",
		    RULE_MAX_SOURCE);
		return NULL;
	}
	r = calloc(1, sizeof *r + RULE_MAX_NODES * sizeof r->nodes[0]);
	if (r == NULL) {
		rule_seterr(err, 1, 1, "out of memory");
		return NULL;
	}
	r->defs = defs;
	r->ndefs = n;
	memcpy(r->src, src, len + 1);

	memset(&p, 0, sizeof p);
	p.r = r;
	p.src = r->src;
	p.line = p.col = 1;
	p.err = err;
	p.tok.t = TOK_END;
	rule_lex(&p);
	line = p.tok.line;
	col = p.tok.col;
	if (p.tok.t == TOK_END) {
		rule_perr(&p, 1, 1, "the rule is empty");
		goto fail;
	}
	if ((r->root = rule_parse_expr(&p)) == -1)
		goto fail;
	if (p.tok.t == TOK_RPAREN) {
		rule_perr(&p, p.tok.line, p.tok.col,
		    "unexpected ')' with no '(' before it");
		goto fail;
	}
	if (p.tok.t != TOK_END) {
		char desc[RULE_SHOW + 32];

		rule_perr(&p, p.tok.line, p.tok.col,
		    "unexpected %s after the end of the rule",
		    rule_tok_desc(&p, &p.tok, desc, sizeof desc));
		goto fail;
	}
	if (r->nodes[r->root].type != want) {
		rule_perr(&p, line, col, "the rule must give %s, this gives "
		    "%s", rule_type_phrase(want),
		    rule_type_name(r->nodes[r->root].type));
		goto fail;
	}
	for (int i = 0; i < r->nnodes; i++)
		r->nclauses += rule_is_clause(&r->nodes[i]);

	/* Give back the room of the nodes not used. */
	small = realloc(r, sizeof *r + r->nnodes * sizeof r->nodes[0]);
	return small != NULL ? small : r;

fail:
	free(r);
	return NULL;
}

void
rule_free(struct rule *r)
{
	free(r);
}

int
rule_names_fact(const struct rule *r, size_t fact)
{
	for (int i = 0; i < r->nnodes; i++)
		if (r->nodes[i].op == OP_FACT &&
		    (size_t)r->nodes[i].fact == fact)
			return 1;
	return 0;
}

/*
 * Evaluation.
 */

struct rule_eval {
	const struct rule *r;
	const struct rule_value *facts;
	const char *currency;
	struct arena *a;
	struct rule_result *out;
	struct rule_error *err;
	int bare; /* the value only: no clauses, no explanations */
};

static int __attribute__((format(printf, 3, 4)))
rule_eerr(struct rule_eval *e, const struct rule_node *n, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	rule_verr(e->err, n->line, n->col, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The source of node n as one line: comments dropped, each run of blanks
 * one space.  Allocated from a.
 */
static char *
rule_node_text(struct rule_eval *e, const struct rule_node *n)
{
	const char *s = e->r->src;
	char *out = arena_alloc(e->a, n->end - n->start + 1);
	int o = 0, blank = 0, quoted = 0;

	for (int i = n->start; i < n->end; i++) {
		if (!quoted && s[i] == '#') {
			while (i + 1 < n->end && s[i + 1] != '\n')
				i++;
			blank = 1;
			continue;
		}
		if (!quoted && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    s[i] == '\n')) {
			blank = 1;
			continue;
		}
		if (blank && o > 0)
			out[o++] = ' ';
		blank = 0;
		if (quoted && s[i] == '\\') {
			out[o++] = s[i++];
		} else if (s[i] == '"')
			quoted = !quoted;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

char *
rule_value_text(struct arena *a, const struct rule_value *v,
    const char *currency)
{
	uint64_t u;
	char *out, *o;
	const char *s;

	switch (v->type) {
	case RULE_BOOL:
		return arena_strdup(a, v->i ? "true" : "false");
	case RULE_INT:
		return arena_printf(a, "%" PRId64, v->i);
	case RULE_MONEY:
		u = v->i < 0 ? -(uint64_t)v->i : (uint64_t)v->i;
		return arena_printf(a, "%s%s%s%" PRIu64 ".%02u",
		    currency != NULL ? currency : "",
		    currency != NULL && *currency != '\0' ? " " : "",
		    v->i < 0 ? "-" : "", u / 100, (unsigned)(u % 100));
	case RULE_TEXT:
		s = v->s != NULL ? v->s : "";
		o = out = arena_alloc(a, 2 * strlen(s) + 3);
		*o++ = '"';
		for (; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
		*o = '\0';
		return out;
	}
	return arena_strdup(a, "?");
}

/* What a clause says about a side: "household size 3" for a fact, "3" for
 * a literal, "household.income / 2 EUR 40.00" for anything else. */
static char *
rule_side(struct rule_eval *e, const struct rule_node *n,
    const struct rule_value *v)
{
	const struct rule_fact_def *d;
	char *val = rule_value_text(e->a, v, e->currency);

	if (n->op == OP_LIT)
		return val;
	if (n->op == OP_FACT) {
		d = &e->r->defs[n->fact];
		return arena_printf(e->a, "%s %s",
		    d->label != NULL ? d->label : d->name, val);
	}
	return arena_printf(e->a, "%s %s", rule_node_text(e, n), val);
}

/* The side without its value, for "sex is \"F\"". */
static char *
rule_subject(struct rule_eval *e, const struct rule_node *n,
    const struct rule_value *v)
{
	const struct rule_fact_def *d;

	if (n->op == OP_LIT)
		return rule_value_text(e->a, v, e->currency);
	if (n->op == OP_FACT) {
		d = &e->r->defs[n->fact];
		return arena_strdup(e->a, d->label != NULL ? d->label :
		    d->name);
	}
	return rule_node_text(e, n);
}

static char *
rule_explain_cmp(struct rule_eval *e, const struct rule_node *n,
    const struct rule_value *lv, const struct rule_value *rv, int holds)
{
	const struct rule_node *l = &e->r->nodes[n->kid];
	const struct rule_node *r = &e->r->nodes[l->next];
	char *ls = rule_side(e, l, lv), *rs = rule_side(e, r, rv);
	char *subj = rule_subject(e, l, lv);
	const char *how = NULL;

	switch (n->op) {
	case OP_EQ:
		return holds ? arena_printf(e->a, "%s is %s", subj, rs) :
		    arena_printf(e->a, "%s is not %s", ls, rs);
	case OP_NE:
		return holds ? arena_printf(e->a, "%s is not %s", ls, rs) :
		    arena_printf(e->a, "%s is %s", subj, rs);
	case OP_LT:
		how = holds ? "is below the limit" : "is not below the limit";
		break;
	case OP_LE:
		how = holds ? "is within the limit" : "is above the limit";
		break;
	case OP_GT:
		how = holds ? "is above" : "is not above";
		break;
	case OP_GE:
		how = holds ? "is at least" : "is below the minimum";
		break;
	}
	return arena_printf(e->a, "%s %s %s", ls, how, rs);
}

static int rule_eval_node(struct rule_eval *, int, int, struct rule_value *);

static int
rule_arith(struct rule_eval *e, const struct rule_node *n, int64_t a,
    int64_t b, int64_t *out)
{
	int over = 0;

	switch (n->op) {
	case OP_ADD:
		over = __builtin_add_overflow(a, b, out);
		break;
	case OP_SUB:
		over = __builtin_sub_overflow(a, b, out);
		break;
	case OP_MUL:
		over = __builtin_mul_overflow(a, b, out);
		break;
	case OP_DIV:
		if (b == 0)
			return rule_eerr(e, n, "division by zero");
		if (a == INT64_MIN && b == -1)
			over = 1;
		else
			*out = a / b; /* C truncates toward zero */
		break;
	}
	if (over)
		return rule_eerr(e, n, "the result of '%c' is out of range",
		    "+-*/"[n->op - OP_ADD]);
	return 0;
}

static int
rule_compare(const struct rule_value *a, const struct rule_value *b)
{
	if (a->type == RULE_TEXT)
		return strcmp(a->s, b->s);
	return (a->i > b->i) - (a->i < b->i);
}

/*
 * Evaluates node i into *v.  depth is the clause depth a clause at i gets;
 * a clause takes its slot before its children so that the list is in
 * pre-order.
 */
static int
rule_eval_node(struct rule_eval *e, int i, int depth, struct rule_value *v)
{
	const struct rule *r = e->r;
	const struct rule_node *n = &r->nodes[i];
	const struct rule_fact_def *d;
	struct rule_value a, b;
	struct rule_clause *c = NULL;
	int k, clause = !e->bare && rule_is_clause(n), kdepth = depth, all, any, cmp;
	const char *explain = NULL;

	if (clause) {
		c = &e->out->clauses[e->out->nclauses++];
		c->depth = depth;
		kdepth = depth + 1;
	}
	memset(v, 0, sizeof *v);
	v->type = n->type;
	switch (n->op) {
	case OP_LIT:
		v->i = n->i;
		if (n->type == RULE_TEXT)
			v->s = r->strs + n->str;
		break;
	case OP_FACT:
		d = &r->defs[n->fact];
		*v = e->facts[n->fact];
		if (v->type != d->type || (v->type == RULE_TEXT &&
		    v->s == NULL))
			return rule_eerr(e, n, "the value given for %s is not "
			    "%s", d->name, rule_type_phrase(d->type));
		if (v->type == RULE_BOOL)
			v->i = v->i != 0;
		if (clause) {
			explain = arena_printf(e->a, v->i ? "%s holds" :
			    "%s does not hold", d->label != NULL ? d->label :
			    d->name);
		}
		break;
	case OP_NEG:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1)
			return -1;
		if (a.i == INT64_MIN)
			return rule_eerr(e, n,
			    "the result of '-' is out of range");
		v->i = -a.i;
		break;
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1 ||
		    rule_eval_node(e, r->nodes[n->kid].next, kdepth, &b) == -1)
			return -1;
		if (rule_arith(e, n, a.i, b.i, &v->i) == -1)
			return -1;
		break;
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1 ||
		    rule_eval_node(e, r->nodes[n->kid].next, kdepth, &b) == -1)
			return -1;
		cmp = rule_compare(&a, &b);
		v->i = n->op == OP_EQ ? cmp == 0 : n->op == OP_NE ? cmp != 0 :
		    n->op == OP_LT ? cmp < 0 : n->op == OP_LE ? cmp <= 0 :
		    n->op == OP_GT ? cmp > 0 : cmp >= 0;
		if (clause)
			explain = rule_explain_cmp(e, n, &a, &b, v->i);
		break;
	case OP_IN:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1)
			return -1;
		for (k = r->nodes[n->kid].next; k != -1; k = r->nodes[k].next) {
			if (rule_eval_node(e, k, kdepth, &b) == -1)
				return -1;
			if (rule_compare(&a, &b) == 0)
				v->i = 1;
		}
		if (clause)
			explain = arena_printf(e->a, "%s is %sone of the "
			    "listed", rule_side(e, &r->nodes[n->kid], &a),
			    v->i ? "" : "not ");
		break;
	case OP_AND:
	case OP_OR:
		/* Both sides always, so that every clause has a result. */
		all = 1;
		any = 0;
		for (k = n->kid; k != -1; k = r->nodes[k].next) {
			if (rule_eval_node(e, k, kdepth, &a) == -1)
				return -1;
			all = all && a.i;
			any = any || a.i;
		}
		if (n->op == OP_AND) {
			v->i = all;
			explain = all ? "all of these hold" :
			    "not all of these hold";
		} else {
			v->i = any;
			explain = any ? "at least one holds" : "none holds";
		}
		break;
	case OP_NOT:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1)
			return -1;
		v->i = !a.i;
		explain = v->i ? "the clause below does not hold" :
		    "the clause below holds";
		break;
	case OP_MIN:
	case OP_MAX:
		for (k = n->kid; k != -1; k = r->nodes[k].next) {
			if (rule_eval_node(e, k, kdepth, &a) == -1)
				return -1;
			if (k == n->kid || (n->op == OP_MIN ? a.i < v->i :
			    a.i > v->i))
				v->i = a.i;
		}
		break;
	case OP_IF:
		if (rule_eval_node(e, n->kid, kdepth, &a) == -1)
			return -1;
		k = r->nodes[n->kid].next;
		if (!a.i)
			k = r->nodes[k].next;
		if (rule_eval_node(e, k, kdepth, v) == -1)
			return -1;
		if (clause)
			explain = arena_printf(e->a, "the condition %s, so the "
			    "value is %s", a.i ? "holds" : "does not hold",
			    rule_value_text(e->a, v, e->currency));
		break;
	}
	if (clause) {
		c->text = rule_node_text(e, n);
		c->value = *v;
		if (v->type == RULE_TEXT)
			c->value.s = arena_strdup(e->a, v->s);
		c->explain = explain;
	}
	return 0;
}

int
rule_eval(const struct rule *r, const struct rule_value *facts,
    const char *currency, struct arena *a, struct rule_result *out,
    struct rule_error *err)
{
	struct rule_eval e;
	struct rule_error dummy;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof *err);
	memset(out, 0, sizeof *out);
	e.r = r;
	e.facts = facts;
	e.currency = currency;
	e.a = a;
	e.out = out;
	e.err = err;
	e.bare = 0;
	out->clauses = arena_alloc(a, (r->nclauses > 0 ? r->nclauses : 1) *
	    sizeof *out->clauses);
	if (rule_eval_node(&e, r->root, 0, &out->value) == -1) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	/* Text may point into the rule; the result lives as long as a. */
	if (out->value.type == RULE_TEXT)
		out->value.s = arena_strdup(a, out->value.s);
	return 0;
}

int
rule_eval_value(const struct rule *r, const struct rule_value *facts,
    struct rule_value *out, struct rule_error *err)
{
	struct rule_eval e;
	struct rule_error dummy;

	if (err == NULL)
		err = &dummy;
	e.r = r;
	e.facts = facts;
	e.currency = "";
	e.a = NULL;
	e.out = NULL;
	e.err = err;
	e.bare = 1;
	if (rule_eval_node(&e, r->root, 0, out) == -1) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

int
rule_money_parse(const char *s, int64_t *minor)
{
	int neg = 0, ndec = 0;
	int64_t v = 0;

	if (s == NULL)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!rule_is_digit(*s))
		return -1;
	for (; rule_is_digit(*s); s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *s - '0', &v))
			return -1;
	}
	if (__builtin_mul_overflow(v, 100, &v))
		return -1;
	if (*s == '.') {
		s++;
		if (!rule_is_digit(*s))
			return -1;
		for (; rule_is_digit(*s) && ndec < 2; s++, ndec++) {
			if (__builtin_add_overflow(v, (*s - '0') *
			    (ndec == 0 ? 10 : 1), &v))
				return -1;
		}
	}
	if (*s != '\0')
		return -1;
	*minor = neg ? -v : v;
	return 0;
}
