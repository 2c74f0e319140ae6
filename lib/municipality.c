/*
 * municipality.c: the 60 Lithuanian municipalities (see municipality.h).
 *
 * The codes are the two-digit municipality codes of the Lithuanian
 * registers and Statistics Lithuania, which Eurostat also publishes as the
 * local administrative units LT11 .. LT94.  The names are the official
 * ones: 43 "rajono" (district) and 7 "miesto" (city) municipalities, and
 * ten plain "savivaldybė".
 */
#include <string.h>

#include "municipality.h"

/* In code order, so that a lookup can stop early and pick lists read in
 * the order the registers print. */
static const struct municipality municipality_table[] = {
	{"11", "Alytaus miesto savivaldybė"},
	{"12", "Birštono savivaldybė"},
	{"13", "Vilniaus miesto savivaldybė"},
	{"15", "Druskininkų savivaldybė"},
	{"18", "Marijampolės savivaldybė"},
	{"19", "Kauno miesto savivaldybė"},
	{"21", "Klaipėdos miesto savivaldybė"},
	{"23", "Neringos savivaldybė"},
	{"25", "Palangos miesto savivaldybė"},
	{"27", "Panevėžio miesto savivaldybė"},
	{"29", "Šiaulių miesto savivaldybė"},
	{"30", "Visagino savivaldybė"},
	{"32", "Akmenės rajono savivaldybė"},
	{"33", "Alytaus rajono savivaldybė"},
	{"34", "Anykščių rajono savivaldybė"},
	{"36", "Biržų rajono savivaldybė"},
	{"38", "Varėnos rajono savivaldybė"},
	{"39", "Vilkaviškio rajono savivaldybė"},
	{"41", "Vilniaus rajono savivaldybė"},
	{"42", "Elektrėnų savivaldybė"},
	{"43", "Zarasų rajono savivaldybė"},
	{"45", "Ignalinos rajono savivaldybė"},
	{"46", "Jonavos rajono savivaldybė"},
	{"47", "Joniškio rajono savivaldybė"},
	{"48", "Kalvarijos savivaldybė"},
	{"49", "Kaišiadorių rajono savivaldybė"},
	{"52", "Kauno rajono savivaldybė"},
	{"53", "Kėdainių rajono savivaldybė"},
	{"54", "Kelmės rajono savivaldybė"},
	{"55", "Klaipėdos rajono savivaldybė"},
	{"56", "Kretingos rajono savivaldybė"},
	{"57", "Kupiškio rajono savivaldybė"},
	{"58", "Kazlų Rūdos savivaldybė"},
	{"59", "Lazdijų rajono savivaldybė"},
	{"61", "Mažeikių rajono savivaldybė"},
	{"62", "Molėtų rajono savivaldybė"},
	{"63", "Pagėgių savivaldybė"},
	{"65", "Pakruojo rajono savivaldybė"},
	{"66", "Panevėžio rajono savivaldybė"},
	{"67", "Pasvalio rajono savivaldybė"},
	{"68", "Plungės rajono savivaldybė"},
	{"69", "Prienų rajono savivaldybė"},
	{"71", "Radviliškio rajono savivaldybė"},
	{"72", "Raseinių rajono savivaldybė"},
	{"73", "Rokiškio rajono savivaldybė"},
	{"74", "Rietavo savivaldybė"},
	{"75", "Skuodo rajono savivaldybė"},
	{"77", "Tauragės rajono savivaldybė"},
	{"78", "Telšių rajono savivaldybė"},
	{"79", "Trakų rajono savivaldybė"},
	{"81", "Ukmergės rajono savivaldybė"},
	{"82", "Utenos rajono savivaldybė"},
	{"84", "Šakių rajono savivaldybė"},
	{"85", "Šalčininkų rajono savivaldybė"},
	{"86", "Švenčionių rajono savivaldybė"},
	{"87", "Šilalės rajono savivaldybė"},
	{"88", "Šilutės rajono savivaldybė"},
	{"89", "Širvintų rajono savivaldybė"},
	{"91", "Šiaulių rajono savivaldybė"},
	{"94", "Jurbarko rajono savivaldybė"},
};

#define MUNICIPALITY_N \
	(sizeof municipality_table / sizeof municipality_table[0])

const struct municipality *
municipality_all(size_t *n)
{
	if (n != NULL)
		*n = MUNICIPALITY_N;
	return municipality_table;
}

const struct municipality *
municipality_find(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < MUNICIPALITY_N; i++) {
		int c = strcmp(municipality_table[i].code, code);

		if (c == 0)
			return &municipality_table[i];
		if (c > 0)
			break;
	}
	return NULL;
}
