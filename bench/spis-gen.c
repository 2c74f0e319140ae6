/*
 * spis-gen: a synthetic national registry, deterministic by seed, loaded
 * through the daemon's own store functions (store_person_add,
 * store_household_create/add, store_app_submit, store_app_move,
 * store_app_decide, store_bank_set), so that the data has the schema,
 * history rows, search keys and audit rows the daemon writes.
 *
 *   spis-gen --db FILE [--people N] [--seed S] [--applications N]
 *            [--benefits N] [--csv FILE] [--refs FILE] [--batch N]
 *
 * N people (default 1000; 3000000 for Lithuania) live in households of the
 * sizes the census counts (about 2.3 people each) across the 60
 * municipalities, weighted by population.  Every person has a valid
 * Lithuanian personal code agreeing with their birth date and sex, names
 * with Lithuanian diacritics in the gendered forms a family shares (Jonas
 * Kazlauskas, Ona Kazlauskienė, Eglė Kazlauskaitė), an address, and an
 * employment and disability status that fits their age.  A third of them
 * (or --applications N) have applied for a programme that fits their
 * household.  Codes use serials 000-899 only; RegisterPerson in the
 * benchmark takes 900-999, so its new people never collide.
 *
 * Then applications are decided in the order they were made, as a
 * caseworker decides them: each goes to in_review, the programme's rules
 * run on the applicant's facts, and the store records the decision with
 * its inputs and clause results (the rule snapshot), the transitions and,
 * for an approval, the benefit with the computed amount.  Those the rules
 * refuse are rejected; the eligible are approved until a fifth of the
 * people (or --benefits N) hold a benefit, and the rest stay submitted.
 * Every beneficiary gets a valid Lithuanian IBAN.  Decisions are dated
 * over the first half of 2025, so benefits of auto-renew programmes are
 * due for renewal by 2026-06-30 and payable from 2025-07.
 *
 * Four phases, each timed: people, households, applications, decisions.
 * Each commits every --batch changes (store_batch_begin/commit), with
 * durability relaxed only inside a batch.  --csv writes the people rows
 * loaded (for the sqlite3 shell's .import baseline), --refs the
 * applications' references with the applicant's birth date and ID.
 * Prints key=value lines: counts and seconds per phase (benefits and
 * rejected for the decisions).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc.h>
#include <sodium.h>

#include "auditfile.h"
#include "log.h"
#include "municipality.h"
#include "natid.h"
#include "reference.h"
#include "rpcd.h"
#include "store.h"
#include "iban.h"
#include "rule.h"
#include "store_application.h"
#include "store_benefit.h"
#include "store_household.h"
#include "store_person.h"
#include "store_programme.h"

#define GEN_ACTOR "spis-gen"
#define GEN_REF_DAYS 45656	/* 2025-01-01 in days from 1900-01-01 */
#define GEN_SERIALS 900		/* 000-899; the benchmark uses 900-999 */
#define GEN_MEMBERS_FROM "2020-01-01"
#define GEN_DECIDED_FROM 45658	/* 2025-01-03: the first decision day */
#define GEN_DECISION_DAYS 179	/* to 2025-06-30 */

/* splitmix64: small, fast and good enough; one stream per household so
 * that a household is the same whatever N is. */
struct gen_rng {
	uint64_t s;
};

static uint64_t
gen_next(struct gen_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int
gen_below(struct gen_rng *r, int n)
{
	return (int)(gen_next(r) % (uint64_t)n);
}

static int
gen_range(struct gen_rng *r, int lo, int hi)
{
	return lo + gen_below(r, hi - lo + 1);
}

/* Percent chance. */
static int
gen_chance(struct gen_rng *r, int pct)
{
	return gen_below(r, 100) < pct;
}

/* Surnames in the three forms a family uses: a man's, a married woman's,
 * an unmarried woman's. */
static const char *const gen_surnames[][3] = {
	{"Kazlauskas", "Kazlauskienė", "Kazlauskaitė"},
	{"Jankauskas", "Jankauskienė", "Jankauskaitė"},
	{"Petrauskas", "Petrauskienė", "Petrauskaitė"},
	{"Stankevičius", "Stankevičienė", "Stankevičiūtė"},
	{"Vasiliauskas", "Vasiliauskienė", "Vasiliauskaitė"},
	{"Žukauskas", "Žukauskienė", "Žukauskaitė"},
	{"Butkus", "Butkienė", "Butkutė"},
	{"Paulauskas", "Paulauskienė", "Paulauskaitė"},
	{"Urbonas", "Urbonienė", "Urbonaitė"},
	{"Kavaliauskas", "Kavaliauskienė", "Kavaliauskaitė"},
	{"Baranauskas", "Baranauskienė", "Baranauskaitė"},
	{"Pocius", "Pocienė", "Pociūtė"},
	{"Sakalauskas", "Sakalauskienė", "Sakalauskaitė"},
	{"Navickas", "Navickienė", "Navickaitė"},
	{"Rimkus", "Rimkienė", "Rimkutė"},
	{"Žilinskas", "Žilinskienė", "Žilinskaitė"},
	{"Šimkus", "Šimkienė", "Šimkutė"},
	{"Vaitkus", "Vaitkienė", "Vaitkutė"},
	{"Mockus", "Mockienė", "Mockutė"},
	{"Kairys", "Kairienė", "Kairytė"},
	{"Šukys", "Šukienė", "Šukytė"},
	{"Ramanauskas", "Ramanauskienė", "Ramanauskaitė"},
	{"Savickas", "Savickienė", "Savickaitė"},
	{"Gudelis", "Gudelienė", "Gudelytė"},
	{"Čepulis", "Čepulienė", "Čepulytė"},
	{"Lukoševičius", "Lukoševičienė", "Lukoševičiūtė"},
	{"Mažeika", "Mažeikienė", "Mažeikaitė"},
	{"Grigas", "Grigienė", "Grigaitė"},
	{"Bagdonas", "Bagdonienė", "Bagdonaitė"},
	{"Jonaitis", "Jonaitienė", "Jonaitytė"},
	{"Dambrauskas", "Dambrauskienė", "Dambrauskaitė"},
	{"Ališauskas", "Ališauskienė", "Ališauskaitė"},
	{"Valančius", "Valančienė", "Valančiūtė"},
	{"Šalkauskas", "Šalkauskienė", "Šalkauskaitė"},
	{"Ąžuolas", "Ąžuolienė", "Ąžuolaitė"},
	{"Juška", "Juškienė", "Juškaitė"},
	{"Kriščiūnas", "Kriščiūnienė", "Kriščiūnaitė"},
	{"Adomaitis", "Adomaitienė", "Adomaitytė"},
	{"Bružas", "Bružienė", "Bružaitė"},
	{"Daukantas", "Daukantienė", "Daukantaitė"},
	{"Erlickas", "Erlickienė", "Erlickaitė"},
	{"Gylys", "Gylienė", "Gylytė"},
	{"Ivanauskas", "Ivanauskienė", "Ivanauskaitė"},
	{"Karosas", "Karosienė", "Karosaitė"},
	{"Lekavičius", "Lekavičienė", "Lekavičiūtė"},
	{"Mikalauskas", "Mikalauskienė", "Mikalauskaitė"},
	{"Norkus", "Norkienė", "Norkutė"},
	{"Ožalas", "Ožalienė", "Ožalaitė"},
	{"Ūsas", "Ūsienė", "Ūsaitė"},
	{"Zabiela", "Zabielienė", "Zabielaitė"},
};
#define GEN_NSURNAMES (sizeof gen_surnames / sizeof gen_surnames[0])

static const char *const gen_male[] = {
	"Jonas", "Petras", "Antanas", "Tomas", "Mindaugas", "Žygimantas",
	"Kęstutis", "Vytautas", "Algirdas", "Darius", "Gintaras", "Šarūnas",
	"Ąžuolas", "Lukas", "Matas", "Dominykas", "Rokas", "Jokūbas",
	"Nojus", "Kajus", "Gediminas", "Rimantas", "Audrius", "Arūnas",
	"Saulius", "Linas", "Juozas", "Kazimieras", "Povilas", "Vaidotas",
	"Egidijus", "Ričardas", "Žilvinas", "Mantas", "Paulius", "Vilius",
};
#define GEN_NMALE (sizeof gen_male / sizeof gen_male[0])

static const char *const gen_female[] = {
	"Ona", "Marija", "Janina", "Rūta", "Eglė", "Gintarė", "Aušra",
	"Živilė", "Dalia", "Jūratė", "Kotryna", "Gabija", "Austėja", "Ugnė",
	"Emilija", "Urtė", "Goda", "Laura", "Agnė", "Irena", "Birutė",
	"Danutė", "Vida", "Aldona", "Kristina", "Rasa", "Jolanta", "Loreta",
	"Inga", "Giedrė", "Skaistė", "Miglė", "Liepa", "Saulė", "Viltė",
	"Gražina",
};
#define GEN_NFEMALE (sizeof gen_female / sizeof gen_female[0])

static const char *const gen_streets[] = {
	"Gedimino", "Vytauto", "Laisvės", "Žalgirio", "Šviesos", "Ąžuolų",
	"Liepų", "Beržų", "Kęstučio", "Mindaugo", "Savanorių", "Taikos",
	"Vilniaus", "Kauno", "Sodų", "Pušų", "Žemaitės", "Maironio",
	"Čiurlionio", "Basanavičiaus", "Ūdrijos", "Jaunystės", "Dariaus ir "
	"Girėno", "Naujoji",
};
#define GEN_NSTREETS (sizeof gen_streets / sizeof gen_streets[0])

/* Residents per municipality in thousands, rounded (Statistics
 * Lithuania, early 2020s): the weights people are spread by. */
static const struct {
	const char *code;
	int weight;
} gen_munis[] = {
	{"11", 50}, {"12", 4}, {"13", 600}, {"15", 20}, {"18", 55},
	{"19", 305}, {"21", 160}, {"23", 3}, {"25", 18}, {"27", 87},
	{"29", 110}, {"30", 18}, {"32", 18}, {"33", 25}, {"34", 22},
	{"36", 22}, {"38", 19}, {"39", 36}, {"41", 110}, {"42", 24},
	{"43", 15}, {"45", 14}, {"46", 42}, {"47", 20}, {"48", 10},
	{"49", 30}, {"52", 100}, {"53", 48}, {"54", 27}, {"55", 60},
	{"56", 38}, {"57", 16}, {"58", 12}, {"59", 18}, {"61", 52},
	{"62", 18}, {"63", 7}, {"65", 19}, {"66", 36}, {"67", 22},
	{"68", 33}, {"69", 25}, {"71", 35}, {"72", 30}, {"73", 28},
	{"74", 7}, {"75", 16}, {"77", 38}, {"78", 40}, {"79", 34},
	{"81", 35}, {"82", 38}, {"84", 27}, {"85", 30}, {"86", 24},
	{"87", 22}, {"88", 38}, {"89", 15}, {"91", 43}, {"94", 26},
};
#define GEN_NMUNIS (sizeof gen_munis / sizeof gen_munis[0])

enum gen_rel { REL_HEAD, REL_SPOUSE, REL_PARTNER, REL_CHILD, REL_PARENT };
static const char *const gen_rel_names[] = {"head", "spouse", "partner",
    "child", "parent"};

/* What later phases need of a person: 20 bytes, so that 3 million fit in
 * 60 MB. */
struct gen_person {
	char id[12];
	uint16_t birth;		/* days from 1900-01-01 */
	uint8_t rel;
	uint8_t disabled;
	uint32_t household;
};

struct gen_household {
	uint32_t first;		/* index of its head in the people array */
	uint8_t n;
	uint8_t muni;
	int64_t id;		/* in the store, once phase 2 made it */
	int64_t income;		/* monthly, cents */
	int64_t assets;		/* cents */
};

/* An application made in phase 3, for phase 4 to decide. */
struct gen_app {
	char reference[REFERENCE_LEN];
	uint32_t person;
};

struct gen {
	struct store *st;
	struct rpcd d;
	uint64_t seed;
	long people, applications, benefits, batch;
	long approved, rejected;
	struct gen_app *apps;
	struct gen_person *pp;
	long npp;
	struct gen_household *hh;
	long nhh;
	uint16_t (*serials)[2];	/* next serial per birth day and sex */
	int muni_total;
	long pending;		/* changes in the open batch */
	int flat;		/* the phase batches flat (store_batch_begin_flat) */
	double store_seconds;
	FILE *csv, *refs;
};

static double
gen_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Days from 1900-01-01 to Y-M-D and back (the proleptic Gregorian
 * calendar, after H. Hinnant's days_from_civil). */
static long
gen_days(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 + 25567;
}

static void
gen_date(long days, char out[11])
{
	long z = days - 25567 + 719468, era, doe, yoe, y, doy, mp, d, m;
	char buf[64];

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
	memcpy(out, buf, 11);
}

/* Commits the open batch when it is full and opens the next. */
static void
gen_tick(struct gen *g)
{
	if (++g->pending < g->batch)
		return;
	if (store_batch_commit(g->st) != 0 || (g->flat ?
	    store_batch_begin_flat(g->st) : store_batch_begin(g->st)) != 0)
		fatalx("cannot commit a batch");
	g->pending = 0;
}

/*
 * A personal code for someone born on day birth of sex 'M' or 'F': the
 * next free serial of that day, and the check digit natid accepts.  A day
 * whose serials are used up moves the birth a day earlier.
 */
static void
gen_code(struct gen *g, uint16_t *birth, char sex, char out[12])
{
	char date[11], why[128];
	int s = sex == 'F', serial;

	while (g->serials[*birth][s] >= GEN_SERIALS)
		(*birth)--;
	serial = g->serials[*birth][s]++;
	gen_date(*birth, date);
	for (int k = 0; k <= 9; k++) {
		snprintf(out, 12, "%c%.2s%.2s%.2s%03d%d",
		    (date[0] == '1' ? '3' : '5') + s, date + 2, date + 5,
		    date + 8, serial, k);
		if (natid_check_person("LT", out, date, sex == 'F' ? "F" :
		    "M", why, sizeof why) == 0)
			return;
	}
	fatalx("no check digit for %s", out);
}

/* A birth day for someone age years old on the reference day. */
static uint16_t
gen_birth(struct gen_rng *r, int age)
{
	long d = GEN_REF_DAYS - (long)age * 36525 / 100 - gen_range(r, 1, 364);

	return (uint16_t)(d < 0 ? 0 : d);
}

static void
gen_csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\n") != NULL) {
		fputc('"', f);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

/* national_id, then the fields RegisterPerson sets, in the store's
 * order. */
static void
gen_csv(FILE *f, const struct store_person *p)
{
	gen_csv_field(f, p->national_id, 0);
	for (int i = 0; store_person_fields[i] != NULL; i++)
		gen_csv_field(f, store_person_field(p, store_person_fields[i]),
		    store_person_fields[i + 1] == NULL);
}

/* A member of household h being made: their facts, then their record. */
struct gen_member {
	int age;
	char sex;
	enum gen_rel rel;
};

/* Lays out a household: its size by the census shares, and who is in it. */
static int
gen_shape(struct gen_rng *r, struct gen_member *m)
{
	int u = gen_below(r, 100), n, head;

	n = u < 37 ? 1 : u < 66 ? 2 : u < 84 ? 3 : u < 95 ? 4 : u < 99 ? 5 : 6;
	m[0].rel = REL_HEAD;
	m[0].sex = gen_chance(r, 50) ? 'F' : 'M';
	if (n == 1) {
		m[0].age = gen_chance(r, 40) ? gen_range(r, 65, 95) :
		    gen_range(r, 18, 64);
		return 1;
	}
	if (n == 2 && gen_chance(r, 30)) {
		/* A single parent and a child. */
		m[0].age = gen_range(r, 22, 60);
		m[1] = (struct gen_member){gen_range(r, 0,
		    m[0].age - 18 < 25 ? m[0].age - 18 : 25),
		    gen_chance(r, 50) ? 'F' : 'M', REL_CHILD};
		return 2;
	}
	head = n == 2 ? gen_range(r, 20, 90) : gen_range(r, 24, 60);
	m[0].age = head;
	m[1] = (struct gen_member){head + gen_range(r, -5, 5),
	    m[0].sex == 'F' ? 'M' : 'F', gen_chance(r, 80) ? REL_SPOUSE :
	    REL_PARTNER};
	if (m[1].age < 18)
		m[1].age = 18;
	for (int i = 2; i < n; i++) {
		if (i == n - 1 && n >= 4 && gen_chance(r, 10) && head <= 65)
			m[i] = (struct gen_member){head + gen_range(r, 22, 30),
			    'F', REL_PARENT};
		else
			m[i] = (struct gen_member){gen_range(r, 0, head - 18 <
			    25 ? head - 18 : 25), gen_chance(r, 50) ? 'F' :
			    'M', REL_CHILD};
	}
	return n;
}

static const char *
gen_employment(struct gen_rng *r, int age)
{
	if (age < 7)
		return "";
	if (age < 19)
		return "student";
	if (age >= 65)
		return "retired";
	if (age < 24 && gen_chance(r, 50))
		return "student";
	return gen_chance(r, 78) ? "employed" : gen_chance(r, 60) ?
	    "unemployed" : "other";
}

/* Phase 1: one household's people, and the household's facts. */
static void
gen_household_people(struct gen *g, long h, struct store_person *p)
{
	struct gen_rng r = {g->seed ^ (UINT64_C(0x5851f42d4c957f2d) *
	    (uint64_t)(h + 1))};
	struct gen_member m[6];
	struct gen_household *hh = &g->hh[h];
	struct store_audit a = {.actor = GEN_ACTOR, .role = "", .terminal = "",
	    .method = "spis-gen person", .purpose = "", .outcome = "OK",
	    .detail = "synthetic registry", .municipality = ""};
	int n = gen_shape(&r, m), u, street, house, flat, sn;
	const char *const *names;
	size_t nnames;
	const struct municipality *mu;
	double t0;

	if (n > g->people - g->npp)
		n = (int)(g->people - g->npp);
	for (u = gen_below(&r, g->muni_total), hh->muni = 0;
	    u >= gen_munis[hh->muni].weight; hh->muni++)
		u -= gen_munis[hh->muni].weight;
	mu = municipality_find(gen_munis[hh->muni].code);
	hh->first = (uint32_t)g->npp;
	hh->n = (uint8_t)n;
	hh->income = 0;
	hh->assets = (int64_t)gen_range(&r, 0, 100) *
	    gen_range(&r, 0, 500) * 100;
	sn = gen_below(&r, GEN_NSURNAMES);
	street = gen_below(&r, GEN_NSTREETS);
	house = gen_range(&r, 1, 180);
	flat = gen_range(&r, 0, 60);
	for (int i = 0; i < n; i++) {
		struct gen_person *gp = &g->pp[g->npp++];
		const char *emp = gen_employment(&r, m[i].age);
		int married = m[i].rel == REL_SPOUSE ||
		    (m[i].rel == REL_HEAD && n > 1 && m[1].rel == REL_SPOUSE) ||
		    m[i].rel == REL_PARENT || (m[i].rel == REL_HEAD &&
		    m[i].age > 30 && gen_chance(&r, 50));

		memset(p, 0, sizeof *p);
		gp->birth = gen_birth(&r, m[i].age);
		gen_code(g, &gp->birth, m[i].sex, gp->id);
		gp->rel = (uint8_t)m[i].rel;
		gp->household = (uint32_t)h;
		snprintf(p->national_id, sizeof p->national_id, "%s", gp->id);
		gen_date(gp->birth, p->birth_date);
		p->sex[0] = m[i].sex;
		/* One in twenty has two given names. */
		names = m[i].sex == 'M' ? gen_male : gen_female;
		nnames = m[i].sex == 'M' ? GEN_NMALE : GEN_NFEMALE;
		if (gen_chance(&r, 5))
			snprintf(p->given_names, sizeof p->given_names,
			    "%s %s", names[gen_below(&r, (int)nnames)],
			    names[gen_below(&r, (int)nnames)]);
		else
			snprintf(p->given_names, sizeof p->given_names, "%s",
			    names[gen_below(&r, (int)nnames)]);
		/* A parent living in keeps a surname of their own. */
		snprintf(p->surname, sizeof p->surname, "%s",
		    gen_surnames[m[i].rel == REL_PARENT ?
		    (size_t)gen_below(&r, GEN_NSURNAMES) : (size_t)sn]
		    [m[i].sex == 'M' ? 0 : married ? 1 : 2]);
		if (flat > 0)
			snprintf(p->address, sizeof p->address,
			    "%s g. %d-%d, %s", gen_streets[street], house,
			    flat, mu->name);
		else
			snprintf(p->address, sizeof p->address, "%s g. %d, %s",
			    gen_streets[street], house, mu->name);
		snprintf(p->municipality, sizeof p->municipality, "%s",
		    mu->code);
		if (m[i].age >= 14 && gen_chance(&r, 60))
			snprintf(p->phone, sizeof p->phone, "+3706%07d",
			    gen_below(&r, 10000000));
		u = gen_below(&r, 1000);
		gp->disabled = u < 20 ? 2 : u < 80 ? 1 : 0;
		snprintf(p->disability, sizeof p->disability, "%s",
		    gp->disabled == 2 ? "severe" : gp->disabled ? "moderate" :
		    "none");
		snprintf(p->employment, sizeof p->employment, "%s", emp);
		snprintf(p->language, sizeof p->language, "lt");
		if (strcmp(emp, "employed") == 0)
			hh->income += gen_range(&r, 800, 2800) * 100;
		else if (strcmp(emp, "retired") == 0)
			hh->income += gen_range(&r, 350, 750) * 100;
		else if (strcmp(emp, "unemployed") == 0 ||
		    strcmp(emp, "other") == 0)
			hh->income += gen_range(&r, 0, 250) * 100;
		/* A fifth of households are poor enough for the social
		 * benefit: their declared income is cut. */
		a.subject = p->national_id;
		t0 = gen_clock();
		if (store_person_add(g->st, p, GEN_ACTOR, "synthetic registry",
		    &a, NULL, NULL) != STORE_OK)
			fatalx("cannot register %s", p->national_id);
		gen_tick(g);
		g->store_seconds += gen_clock() - t0;
		if (g->csv != NULL)
			gen_csv(g->csv, p);
	}
	if (gen_chance(&r, 20))
		hh->income /= 5;
}

/* Phase 2: the household and its memberships. */
static void
gen_household_make(struct gen *g, long h)
{
	struct gen_household *hh = &g->hh[h];
	const struct gen_person *head = &g->pp[hh->first];
	const struct municipality *mu = municipality_find(
	    gen_munis[hh->muni].code);
	struct store_audit a = {.actor = GEN_ACTOR, .role = "", .terminal = "",
	    .method = "spis-gen household", .purpose = "", .outcome = "OK",
	    .detail = "synthetic registry", .municipality = ""};
	struct store_hh_change c = {.reason = "synthetic registry",
	    .actor = GEN_ACTOR, .successor = "", .audit = &a};
	struct store_hh_why why;
	char from[11];
	int64_t id;

	c.national_id = head->id;
	c.relationship = "head";
	c.date = GEN_MEMBERS_FROM;
	c.address = mu->name;
	c.municipality = mu->code;
	a.subject = head->id;
	if (store_household_create(g->st, &c, &id, &why) != HH_OK)
		fatalx("cannot create the household of %s (%d)", head->id,
		    why.problem);
	hh->id = id;
	gen_tick(g);
	for (int i = 1; i < hh->n; i++) {
		const struct gen_person *m = &g->pp[hh->first + (uint32_t)i];

		c.household_id = id;
		c.national_id = m->id;
		c.relationship = gen_rel_names[m->rel];
		gen_date(m->birth, from);
		c.date = strcmp(from, GEN_MEMBERS_FROM) > 0 ? from :
		    GEN_MEMBERS_FROM;
		a.subject = m->id;
		if (store_household_add(g->st, &c, &why) != HH_OK)
			fatalx("cannot add %s to household %" PRId64 " (%d)",
			    m->id, id, why.problem);
		gen_tick(g);
	}
}

/* An application reference from the stream, made as the daemon makes
 * them (lib/reference.h). */
static void
gen_reference(struct gen_rng *r, char out[REFERENCE_LEN])
{
	int v[8];

	for (int i = 0; i < 8; i++)
		v[i] = gen_below(r, 32);
	reference_format(v, out);
}

/*
 * The programme a person would apply for, given their household.  People
 * mostly apply for what they may get: the means-tested programmes are
 * asked for by households below their income lines, and only one in three
 * of the others tries anyway (and is refused); the rest do not apply.
 * Home help (a service, paid nothing) is asked for by two in five of the
 * old who ask for nothing else.
 */
static const char *
gen_programme(struct gen_rng *r, const struct gen *g,
    const struct gen_person *p)
{
	const struct gen_household *hh = &g->hh[p->household];
	int age = (GEN_REF_DAYS - p->birth) * 100 / 36525, children = 0;
	int64_t pm = hh->income / (hh->n > 0 ? hh->n : 1);	/* cents */
	int vilnius = strcmp(gen_munis[hh->muni].code, "13") == 0;
	int tries = gen_chance(r, 35);

	for (int i = 0; i < hh->n; i++)
		if ((GEN_REF_DAYS - g->pp[hh->first + (uint32_t)i].birth) <
		    18 * 365)
			children++;
	if (age < 18)
		return NULL;
	if (p->disabled)
		return p->disabled == 2 && gen_chance(r, 50) ? "CARE" :
		    "DISABILITY";
	if (children > 0 && p->rel == REL_HEAD)
		return gen_chance(r, 60) || (pm >= 15300 && !tries) ?
		    "CHILD" : gen_chance(r, 50) ? "SCHOOL-MEALS" :
		    "SCHOOL-KIT";
	if (age >= 65) {
		if (vilnius && (pm < 30600 || tries) && gen_chance(r, 30))
			return "VLN-WINTER";
		if ((pm < 20400 || tries) && gen_chance(r, 50))
			return "HEAT";
		return gen_chance(r, 40) ? "HOME-HELP" : NULL;
	}
	if (pm < 10200 && hh->assets <= 500000 * (int64_t)hh->n)
		return gen_chance(r, 70) ? "SOC-BEN" : "RENT";
	if (pm < 20400 || tries)
		return gen_chance(r, 20) ? "SOC-BEN" : gen_chance(r, 60) ?
		    "RENT" : "HOT-WATER";
	return NULL;
}

/* Phase 3: applications by adults, one each at most, spread over the
 * registry. */
static void
gen_applications(struct gen *g)
{
	struct gen_rng r = {g->seed ^ UINT64_C(0x2545f4914f6cdd1d)};
	struct store_app_actor who = {GEN_ACTOR, "clerk",
	    "synthetic registry"};
	struct store_audit a = {.actor = GEN_ACTOR, .role = "clerk",
	    .terminal = "", .method = "spis-gen application", .purpose =
	    "intake", .outcome = "OK", .detail = "synthetic registry",
	    .municipality = ""};
	struct store_application app;
	long made = 0, want = g->applications;
	char other[16], birth[11];
	enum store_rc rc;

	for (long i = 0; i < g->npp && made < want; i++) {
		const struct gen_person *p = &g->pp[i];
		const struct gen_household *hh = &g->hh[p->household];
		const char *prog;

		/* Take people at the rate that spreads what is still wanted
		 * over the rest, two and a half times over for the children
		 * and those who ask for nothing (about three in five). */
		if ((uint64_t)gen_below(&r, (int)(g->npp - i)) * 2 >=
		    (uint64_t)(want - made) * 5)
			continue;
		if ((prog = gen_programme(&r, g, p)) == NULL)
			continue;
		memset(&app, 0, sizeof app);
		snprintf(app.programme, sizeof app.programme, "%s", prog);
		snprintf(app.national_id, sizeof app.national_id, "%s", p->id);
		app.household_id = hh->id;
		snprintf(app.channel, sizeof app.channel, "%s",
		    gen_chance(&r, 70) ? "office" : "kiosk");
		snprintf(app.municipality, sizeof app.municipality, "%s",
		    gen_munis[hh->muni].code);
		app.monthly_income = hh->income;
		app.assets = hh->assets;
		a.subject = p->id;
		do {
			gen_reference(&r, app.reference);
			rc = store_app_submit(g->st, &app, &who, &a, other,
			    sizeof other);
		} while (rc == STORE_CONFLICT);
		if (rc == STORE_EXISTS)
			continue;
		if (rc != STORE_OK)
			fatalx("cannot submit an application for %s", p->id);
		gen_tick(g);
		snprintf(g->apps[made].reference,
		    sizeof g->apps[made].reference, "%s", app.reference);
		g->apps[made].person = (uint32_t)i;
		made++;
		if (g->refs != NULL) {
			gen_date(p->birth, birth);
			fprintf(g->refs, "%s\t%s\t%s\t%s\n", app.reference,
			    birth, p->id, prog);
		}
	}
	g->applications = made;
}

/*
 * An LT IBAN for a beneficiary: a bank's code, an 11-digit account number
 * from the stream, and the check digits of ISO 7064 mod 97-10 (the
 * country's letters as 21 29, then 00, moved behind the account).
 */
static void
gen_iban(struct gen_rng *r, char out[21])
{
	static const char *const banks[] = {"73000", "70440", "40100",
	    "72900", "71800"};
	char bban[17], why[128], checked[40];
	unsigned mod = 0;
	const char *p;

	snprintf(bban, sizeof bban, "%s%05d%06d", banks[gen_below(r, 5)],
	    gen_below(r, 100000), gen_below(r, 1000000));
	for (p = bban; *p != '\0'; p++)
		mod = (mod * 10 + (unsigned)(*p - '0')) % 97;
	for (p = "212900"; *p != '\0'; p++)
		mod = (mod * 10 + (unsigned)(*p - '0')) % 97;
	snprintf(out, 21, "LT%02u%s", 98 - mod, bban);
	if (iban_check(out, checked, sizeof checked, why, sizeof why) != 0)
		fatalx("made a bad IBAN %s: %s", out, why);
}

/* The programmes, read once from the store the seed catalogue went into. */
struct gen_progs {
	struct store_programme *p[32];
	int n;
};

static const struct store_programme *
gen_prog(struct gen *g, struct gen_progs *ps, const char *code)
{
	for (int i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i]->code, code) == 0)
			return ps->p[i];
	if (ps->n == (int)(sizeof ps->p / sizeof ps->p[0]) ||
	    (ps->p[ps->n] = malloc(sizeof *ps->p[0])) == NULL ||
	    store_programme_get(g->st, code, ps->p[ps->n]) != STORE_OK)
		fatalx("cannot read programme %s", code);
	return ps->p[ps->n++];
}

/* Appends the clause results of r to cl as rows of rule, as a
 * caseworker's decision keeps them. */
static size_t
gen_clauses(struct arena *ar, const struct rule_result *r, const char *rule,
    const char *currency, struct store_decision_clause *cl)
{
	for (size_t i = 0; i < r->nclauses; i++) {
		cl[i].rule = rule;
		cl[i].depth = r->clauses[i].depth;
		cl[i].text = r->clauses[i].text;
		cl[i].value = rule_value_text(ar, &r->clauses[i].value,
		    currency);
		cl[i].explain = r->clauses[i].explain;
	}
	return r->nclauses;
}

/*
 * Decides application k as a caseworker would (applications.c app_decide):
 * in_review, the programme's rules on the applicant's facts as of the
 * decision day, then store_app_decide with the decision, its inputs and
 * clauses, and the benefit.  Eligible ones are approved while benefits are
 * wanted, the rest rejected.  No notice goes to the outbox: the daemon
 * would deliver hundreds of thousands of them under the benchmark.
 * Returns 1 for an approval.
 */
static int
gen_decide(struct gen *g, struct gen_progs *ps, long k, int approve_ok)
{
	const struct gen_app *ga = &g->apps[k];
	const struct gen_person *gp = &g->pp[ga->person];
	static const char *const from[] = {"submitted", NULL};
	struct store_app_actor who = {GEN_ACTOR, "caseworker",
	    "synthetic registry"};
	struct store_audit a = {.actor = GEN_ACTOR, .role = "caseworker",
	    .terminal = "", .method = "spis-gen decision", .purpose =
	    "case_work", .outcome = "OK", .municipality = "",
	    .subject = gp->id};
	struct store_application app;
	struct store_decision dec;
	struct store_decision_input in[FACT__COUNT];
	struct store_decision_clause *cl;
	struct store_benefit_new b;
	struct store_bank_account acct;
	struct rule_value facts[FACT__COUNT];
	struct programme_eval ev;
	struct rule_error err;
	struct store_person p;
	const struct store_programme *prog;
	struct gen_rng r = {g->seed ^ (UINT64_C(0x9fb21c651e98df25) *
	    (uint64_t)(k + 1))};
	struct arena ar;
	char on[11];
	int approve;
	size_t ncl;

	arena_init(&ar);
	gen_date(GEN_DECIDED_FROM + k % GEN_DECISION_DAYS, on);
	a.detail = arena_printf(&ar, "application %s in review",
	    ga->reference);
	a.method = "spis-gen review";
	if (store_app_move(g->st, ga->reference, from, "in_review", 0, 0,
	    &who, &a, &app) != STORE_OK)
		fatalx("cannot take %s into review", ga->reference);
	gen_tick(g);
	prog = gen_prog(g, ps, app.programme);
	if (applications_facts(&g->d, gp->id, app.monthly_income, app.assets,
	    on, &p, facts) != 0)
		fatalx("cannot read the facts of %s", gp->id);
	if (programme_evaluate(prog->eligibility, prog->amount, facts,
	    prog->currency, 0, &ar, &ev, &err) != 0)
		fatalx("the rules of %s fail: %s", prog->code, err.msg);
	approve = ev.eligible && approve_ok;

	memset(&dec, 0, sizeof dec);
	snprintf(dec.outcome, sizeof dec.outcome, "%s", approve ?
	    "approved" : "rejected");
	dec.engine_eligible = ev.eligible;
	dec.override = 0;
	snprintf(dec.reason, sizeof dec.reason, "%s", approve ?
	    "meets the conditions" : "the conditions are not met");
	snprintf(dec.explanation, sizeof dec.explanation, "%s",
	    ev.explanation);
	snprintf(dec.decided_by, sizeof dec.decided_by, "%s", GEN_ACTOR);
	snprintf(dec.evaluated_on, sizeof dec.evaluated_on, "%s", on);
	dec.rule_version = prog->rule_version;
	dec.amount = approve ? ev.amount : 0;
	snprintf(dec.currency, sizeof dec.currency, "%s", prog->currency);
	for (int i = 0; i < FACT__COUNT; i++) {
		in[i].name = programme_facts[i].name;
		in[i].type = rule_type_name(facts[i].type);
		in[i].ival = facts[i].i;
		in[i].sval = facts[i].s;
	}
	cl = arena_alloc(&ar, sizeof *cl * (ev.elig.nclauses +
	    ev.amount_result.nclauses + 1));
	ncl = gen_clauses(&ar, &ev.elig, "eligibility", dec.currency, cl);
	ncl += gen_clauses(&ar, &ev.amount_result, "amount", dec.currency,
	    cl + ncl);
	b.period = prog->period;
	b.start_date = on;
	b.renew_on = prog->auto_renew ? renewal_year_after(&ar, on) : "";
	a.method = "spis-gen decision";
	a.detail = arena_printf(&ar, "application %s %s", ga->reference,
	    dec.outcome);
	if (store_app_decide(g->st, ga->reference, 0, &who, &dec, in,
	    FACT__COUNT, cl, ncl, &b, NULL, &a, &app) != STORE_OK)
		fatalx("cannot decide %s", ga->reference);
	gen_tick(g);
	if (approve) {
		/* The account the benefit is paid to, as SetBankAccount
		 * records it. */
		memset(&acct, 0, sizeof acct);
		snprintf(acct.national_id, sizeof acct.national_id, "%s",
		    gp->id);
		gen_iban(&r, acct.iban);
		snprintf(acct.holder, sizeof acct.holder, "%.200s %.200s",
		    p.given_names, p.surname);
		snprintf(acct.updated_by, sizeof acct.updated_by, "%s",
		    GEN_ACTOR);
		a.method = "spis-gen bank account";
		a.detail = arena_printf(&ar, "bank account ending %s",
		    acct.iban + strlen(acct.iban) - 4);
		if (store_bank_set(g->st, &acct, &a) != STORE_OK)
			fatalx("cannot set the bank account of %s", gp->id);
		gen_tick(g);
	}
	arena_free(&ar);
	return approve;
}

/* Phase 4: decisions, in the order the applications came in, until the
 * benefits wanted are made. */
static void
gen_decisions(struct gen *g)
{
	struct gen_progs ps = {.n = 0};

	for (long k = 0; k < g->applications && g->approved < g->benefits;
	    k++) {
		if (gen_decide(g, &ps, k, 1))
			g->approved++;
		else
			g->rejected++;
	}
	for (int i = 0; i < ps.n; i++)
		free(ps.p[i]);
}

/* A phase that stops at any refusal runs flat (store_batch_begin_flat);
 * the applications', where a taken reference is refused and tried again,
 * needs a savepoint per change. */
static void
gen_phase_begin(struct gen *g, double *t, int flat)
{
	g->pending = 0;
	g->store_seconds = 0;
	g->flat = flat;
	if ((flat ? store_batch_begin_flat(g->st) : store_batch_begin(g->st))
	    != 0)
		fatalx("cannot begin a batch");
	*t = gen_clock();
}

/* The phase's wall time; the final commit counts as store time too. */
static double
gen_phase_end(struct gen *g, double t)
{
	double c = gen_clock();

	if (store_batch_commit(g->st) != 0)
		fatalx("cannot commit a batch");
	g->store_seconds += gen_clock() - c;
	return gen_clock() - t;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spis-gen --db FILE [--people N] [--seed S] "
	    "[--applications N] [--benefits N] [--csv FILE] [--refs FILE]\n"
	    "                [--batch N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"people", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"applications", required_argument, NULL, 'a'},
		{"benefits", required_argument, NULL, 'B'},
		{"csv", required_argument, NULL, 'c'},
		{"refs", required_argument, NULL, 'r'},
		{"batch", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	struct gen g = {.seed = 1, .people = 1000, .applications = -1,
	    .benefits = -1, .batch = 2000};
	struct store_person *p;
	const char *db = NULL, *csv = NULL, *refs = NULL;
	char err[256], *keyfile, *headfile;
	double t, t_people, t_hh, t_apps, t_dec, s_people;
	int64_t saved = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': g.people = atol(optarg); break;
		case 's': g.seed = strtoull(optarg, NULL, 10); break;
		case 'a': g.applications = atol(optarg); break;
		case 'B': g.benefits = atol(optarg); break;
		case 'c': csv = optarg; break;
		case 'r': refs = optarg; break;
		case 'b': g.batch = atol(optarg); break;
		default: usage();
		}
	}
	if (db == NULL || optind != argc || g.people < 1 ||
	    g.people > 40000000 || g.batch < 1)
		usage();
	if (g.applications < 0)
		g.applications = g.people / 3;
	if (g.benefits < 0)
		g.benefits = g.people / 5;
	for (size_t i = 0; i < GEN_NMUNIS; i++) {
		if (municipality_find(gen_munis[i].code) == NULL)
			fatalx("unknown municipality %s", gen_munis[i].code);
		g.muni_total += gen_munis[i].weight;
	}
	if (gen_days(2025, 1, 1) != GEN_REF_DAYS)
		fatalx("the calendar is off");
	if (sodium_init() < 0)
		fatalx("libsodium could not be initialised");
	if ((g.st = store_open(db, err, sizeof err)) == NULL)
		fatalx("%s", err);
	/* The chain is keyed as the daemon keys it, with the key file beside
	 * the database, so that the daemon opens the result as its own. */
	keyfile = auditfile_default(db, ".auditkey");
	headfile = auditfile_default(db, ".audithead");
	if (auditfile_setup(g.st, keyfile, 1, GEN_ACTOR, err, sizeof err) != 0)
		fatalx("%s", err);
	g.d.store = g.st;
	if (programmes_seed(&g.d) != 0)
		fatalx("cannot write the seed programme catalogue");
	if ((csv != NULL && (g.csv = fopen(csv, "w")) == NULL) ||
	    (refs != NULL && (g.refs = fopen(refs, "w")) == NULL))
		fatalx("cannot write %s", g.csv == NULL ? csv : refs);
	g.pp = calloc((size_t)g.people, sizeof *g.pp);
	g.hh = calloc((size_t)g.people, sizeof *g.hh);
	g.serials = calloc(GEN_REF_DAYS + 1, sizeof *g.serials);
	g.apps = calloc((size_t)g.applications + 1, sizeof *g.apps);
	p = malloc(sizeof *p);
	if (g.pp == NULL || g.hh == NULL || g.serials == NULL ||
	    g.apps == NULL || p == NULL)
		fatalx("out of memory");

	gen_phase_begin(&g, &t, 1);
	for (g.nhh = 0; g.npp < g.people; g.nhh++)
		gen_household_people(&g, g.nhh, p);
	t_people = gen_phase_end(&g, t);
	s_people = g.store_seconds;
	gen_phase_begin(&g, &t, 1);
	for (long h = 0; h < g.nhh; h++)
		gen_household_make(&g, h);
	t_hh = gen_phase_end(&g, t);
	gen_phase_begin(&g, &t, 0);
	gen_applications(&g);
	t_apps = gen_phase_end(&g, t);
	gen_phase_begin(&g, &t, 1);
	gen_decisions(&g);
	t_dec = gen_phase_end(&g, t);

	auditfile_head_save(g.st, headfile, &saved);
	printf("seed=%" PRIu64 "\npeople=%ld\nhouseholds=%ld\n"
	    "applications=%ld\npeople_seconds=%.3f\npeople_store_seconds=%.3f\n"
	    "households_seconds=%.3f\napplications_seconds=%.3f\n"
	    "benefits=%ld\nrejected=%ld\ndecisions_seconds=%.3f\n", g.seed,
	    g.npp, g.nhh, g.applications, t_people, s_people, t_hh, t_apps,
	    g.approved, g.rejected, t_dec);
	if ((g.csv != NULL && fclose(g.csv) != 0) ||
	    (g.refs != NULL && fclose(g.refs) != 0))
		fatalx("cannot write the output files");
	store_close(g.st);
	free(p);
	free(g.pp);
	free(g.hh);
	free(g.serials);
	free(g.apps);
	free(keyfile);
	free(headfile);
	return 0;
}
