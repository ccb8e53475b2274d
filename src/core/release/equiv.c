/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * equiv: the table of automatic slots.
 *
 * How it was chosen: pairs that a careful editor of a formal British or
 * American report would accept either way, so that no copy reads as wrong or
 * changes meaning: (1) spelling pairs from the usual British/American lists
 * (-ise/-ize on verbs that take both, -our/-or, -yse/-yze and a few single
 * words); (2) the numbers two..ten against digits ("one" is left out: "no
 * one", "one of"); (3) "per cent"; (4) common compounds written with or
 * without a hyphen; (5) formal synonyms from plain-English guides (the
 * formal word and its plain equivalent), found only from the formal side when
 * the plain word has other senses ("about", "before", "further", "enough").
 * Verbs that end in -ise in both spellings (advise, revise, comprise,
 * supervise, exercise, compromise, surprise...) are not in the stem list.
 *
 * Engine 2 (slots.h) adds, with the same care: numbers to ninety-nine,
 * fractions ("a third of"), seasons ("in the autumn"), more compounds and
 * formal synonyms, and "that" after reporting verbs (one-way). Each entry
 * names the engine that added it; a copy made by an older engine is traced
 * with that engine's entries only. Engine 3 adds negative contractions.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/release/equiv.h"
#include "core/release/slots.h"

#include "lib/banned.h"

/* Stems taking -ise/-ize, -ised/-ized, -ises/-izes, -ising/-izing and the -isation nouns. */
static const char *const ise_stems[] = {
        "organ",    "recogn",   "real",    "author",        "character", "emphas",   "priorit",
        "summar",   "util",     "minim",   "maxim",         "central",   "normal",   "stabil",
        "mobil",    "special",  "capital", "legal",         "final",     "apolog",   "critic",
        "categor",  "harmon",   "modern",  "optim",         "standard",  "neutral",  "visual",
        "jeopard",  "memor",    "symbol",  "subsid",        "sympath",   "general",  "militar",
        "radical",  "polar",    "legitim", "destabil",      "rational",  "familiar", "global",
        "local",    "monet",    "privat",  "national",      "democrat",  "computer", "digit",
        "personal", "custom",   "initial", "mechan",        "agon",      "scrutin",  "terror",
        "hospital", "crystall", "formal",  "institutional", "internal",  "revital",  "hypothes",
        "theor",    "synchron", "regular", "secular",       "sanit",     "penal",    "fertil",
        "colon",    "patron",   "satir",   "fratern",
};
static const char *const ise_suffix[][2] = {
        {"ise", "ize"},         {"ised", "ized"},         {"ises", "izes"}, {"ising", "izing"},
        {"isation", "ization"}, {"isations", "izations"}, {"iser", "izer"}, {"isers", "izers"},
};
/* Bases taking -our/-or (with -s, -ed, -ing, -able, -ite where the word exists). */
static const char *const our_words[][2] = {
        {"behaviour", "behavior"},
        {"behaviours", "behaviors"},
        {"behavioural", "behavioral"},
        {"favour", "favor"},
        {"favours", "favors"},
        {"favoured", "favored"},
        {"favourable", "favorable"},
        {"favourably", "favorably"},
        {"favourite", "favorite"},
        {"honour", "honor"},
        {"honours", "honors"},
        {"honoured", "honored"},
        {"labour", "labor"},
        {"labours", "labors"},
        {"neighbour", "neighbor"},
        {"neighbours", "neighbors"},
        {"neighbouring", "neighboring"},
        {"colour", "color"},
        {"colours", "colors"},
        {"rumour", "rumor"},
        {"rumours", "rumors"},
        {"endeavour", "endeavor"},
        {"endeavours", "endeavors"},
        {"harbour", "harbor"},
        {"harbours", "harbors"},
        {"harboured", "harbored"},
        {"vigour", "vigor"},
        {"humour", "humor"},
        {"armour", "armor"},
        {"armoured", "armored"},
        {"valour", "valor"},
        {"savour", "savor"},
        {"fervour", "fervor"},
};
static const char *const yse_words[][2] = {
        {"analyse", "analyze"},     {"analysed", "analyzed"},   {"analyses", "analyzes"},
        {"analysing", "analyzing"}, {"paralyse", "paralyze"},   {"paralysed", "paralyzed"},
        {"catalyse", "catalyze"},   {"catalysed", "catalyzed"},
};
static const char *const british_words[][2] = {
        {"whilst", "while"},
        {"amongst", "among"},
        {"towards", "toward"},
        {"centre", "center"},
        {"centres", "centers"},
        {"centred", "centered"},
        {"defence", "defense"},
        {"offence", "offense"},
        {"offences", "offenses"},
        {"programme", "program"},
        {"programmes", "programs"},
        {"travelled", "traveled"},
        {"travelling", "traveling"},
        {"cancelled", "canceled"},
        {"cancelling", "canceling"},
        {"judgement", "judgment"},
        {"judgements", "judgments"},
        {"learnt", "learned"},
        {"spelt", "spelled"},
        {"catalogue", "catalog"},
        {"dialogue", "dialog"},
        {"grey", "gray"},
        {"manoeuvre", "maneuver"},
        {"manoeuvres", "maneuvers"},
        {"enrol", "enroll"},
        {"fulfil", "fulfill"},
        {"modelling", "modeling"},
        {"labelled", "labeled"},
        {"signalled", "signaled"},
        {"fuelled", "fueled"},
        {"counselling", "counseling"},
        {"sceptical", "skeptical"},
        {"theatre", "theater"},
        {"metre", "meter"},
        {"metres", "meters"},
        {"kilometres", "kilometers"},
        {"litre", "liter"},
        {"ageing", "aging"},
        {"acknowledgement", "acknowledgment"},
        {"cheque", "check"},
        {"storey", "story"},
        {"practise", "practice"},
};
static const char *const number_words[][2] = {
        {"two", "2"},   {"three", "3"}, {"four", "4"}, {"five", "5"}, {"six", "6"},
        {"seven", "7"}, {"eight", "8"}, {"nine", "9"}, {"ten", "10"},
};
static const char *const hyphen_words[][2] = {
        {"decision-making", "decision making"},
        {"long-term", "long term"},
        {"short-term", "short term"},
        {"well-known", "well known"},
        {"high-level", "high level"},
        {"low-level", "low level"},
        {"co-operation", "cooperation"},
        {"co-ordinate", "coordinate"},
        {"co-ordinated", "coordinated"},
        {"co-ordination", "coordination"},
        {"e-mail", "email"},
        {"e-mails", "emails"},
        {"follow-up", "follow up"},
        {"cross-border", "cross border"},
        {"counter-terrorism", "counterterrorism"},
        {"non-governmental", "nongovernmental"},
        {"policy-making", "policy making"},
        {"peace-keeping", "peacekeeping"},
        {"under-secretary", "undersecretary"},
        {"co-operate", "cooperate"},
        {"re-election", "reelection"},
        {"mid-year", "midyear"},
        {"year-end", "year end"},
        {"hard-line", "hardline"},
        {"hard-liners", "hardliners"},
        {"open-source", "open source"},
        {"on-going", "ongoing"},
        {"counter-intelligence", "counterintelligence"},
        {"middle-ranking", "middle ranking"},
        {"senior-level", "senior level"},
};
/* Formal word first; found from both sides unless marked one-way (the plain word has other senses).
 */
static const struct {
	const char *a, *b;
	int oneway;
} synonyms[] = {
        {"stated that", "stated", 1},
        {"said that", "said", 1},
        {"told us that", "told us", 1},
        {"believe that", "believe", 1},
        {"assess that", "assess", 1},
        {"indicate that", "indicate", 1},
        {"noted that", "noted", 1},
        {"judge that", "judge", 1},
        {"whereas", "while", 1},
        {"particularly", "especially", 0},
        {"prepared to", "ready to", 1},
        {"so far", "thus far", 0},
        {"in public", "publicly", 0},
        {"in private", "privately", 0},
        {"told us", "informed us", 0},
        {"assess", "judge", 1},
        {"indicate", "suggest", 1},
        {"believes", "thinks", 1},
        {"however", "nevertheless", 1},
        {"essential", "vital", 0},
        {"expects", "anticipates", 0},
        {"decisive", "critical", 1},
        {"prior to", "before", 1},
        {"approximately", "about", 1},
        {"additional", "further", 1},
        {"sufficient", "enough", 1},
        {"numerous", "many", 1},
        {"regarding", "concerning", 1},
        {"obtain", "acquire", 0},
        {"obtained", "acquired", 0},
        {"obtaining", "acquiring", 0},
        {"commence", "begin", 1},
        {"commences", "begins", 1},
        {"assist", "help", 1},
        {"assisted", "helped", 1},
        {"assisting", "helping", 1},
        {"in order to", "to", 1},
        {"demonstrate", "show", 1},
        {"demonstrates", "shows", 1},
        {"therefore", "thus", 1},
        {"moreover", "furthermore", 0},
        {"a number of", "several", 1},
        {"due to", "owing to", 0},
        {"at present", "currently", 0},
        {"seems", "appears", 1},
        {"seem", "appear", 1},
        {"although", "though", 1},
        {"upon", "on", 1},
        {"ensure", "make sure", 1},
        {"subsequently", "later", 1},
        {"purchased", "bought", 1},

        {"indicated", "suggested", 0},
        {"indicates", "suggests", 0},
        {"individuals", "persons", 0},
        {"whether or not", "whether", 1},
        {"in addition", "additionally", 0},
        {"nevertheless", "nonetheless", 0},
        {"significant", "considerable", 0},
        {"frequently", "often", 1},
        {"rapidly", "quickly", 0},
        {"remains", "continues to be", 1},
        {"possess", "have", 1},
        {"inform", "tell", 1},

        {"stated", "said", 1},
        {"observed", "noted", 0},
        {"terminate", "end", 1},
        {"terminated", "ended", 1},
        {"facilitate", "ease", 1},
        {"in the event that", "if", 1},
        {"on a daily basis", "daily", 1},
        {"at this time", "now", 1},
        {"a majority of", "most", 1},
        {"with regard to", "about", 1},
};

/*
 * Engine 2 (docs/release.md, "Slot density"): entries that engine 1 did not
 * have. Engine 1's table above is frozen: a copy made with it must still
 * trace, so nothing above may change; new entries go here.
 */
static const char *const number_words2[][2] = {
        {"eleven", "11"},   {"twelve", "12"},  {"thirteen", "13"},  {"fourteen", "14"},
        {"fifteen", "15"},  {"sixteen", "16"}, {"seventeen", "17"}, {"eighteen", "18"},
        {"nineteen", "19"}, {"twenty", "20"},  {"thirty", "30"},    {"forty", "40"},
        {"fifty", "50"},    {"sixty", "60"},   {"seventy", "70"},   {"eighty", "80"},
        {"ninety", "90"},
};
static const char *const tens[] = {"twenty", "thirty",  "forty",  "fifty",
                                   "sixty",  "seventy", "eighty", "ninety"};
static const char *const units[] = {"one", "two",   "three", "four", "five",
                                    "six", "seven", "eight", "nine"};
static const char *const fractions[][2] = {
        {"a half of", "one half of"},       {"a third of", "one third of"},
        {"a quarter of", "one quarter of"}, {"a fifth of", "one fifth of"},
        {"a tenth of", "one tenth of"},     {"in the spring", "in spring"},
        {"in the summer", "in summer"},     {"in the autumn", "in autumn"},
        {"in the winter", "in winter"},
};
static const char *const hyphen_words2[][2] = {
        {"multi-party", "multiparty"},
        {"cross-party", "cross party"},
        {"vice-president", "vice president"},
        {"cease-fire", "ceasefire"},
        {"nation-wide", "nationwide"},
        {"world-wide", "worldwide"},
        {"socio-economic", "socioeconomic"},
        {"macro-economic", "macroeconomic"},
        {"decision-makers", "decision makers"},
        {"policy-makers", "policymakers"},
        {"policy-maker", "policymaker"},
        {"day-to-day", "day to day"},
        {"re-elected", "reelected"},
        {"re-establish", "reestablish"},
        {"re-open", "reopen"},
        {"re-opened", "reopened"},
        {"pre-empt", "preempt"},
        {"high-ranking", "high ranking"},
        {"far-reaching", "far reaching"},
        {"long-standing", "longstanding"},
        {"wide-ranging", "wide ranging"},
        {"inter-agency", "interagency"},
        {"inter-governmental", "intergovernmental"},
        {"counter-productive", "counterproductive"},
        {"pre-condition", "precondition"},
        {"pre-conditions", "preconditions"},
        {"co-ordinating", "coordinating"},
        {"co-operating", "cooperating"},
        {"mid-term", "midterm"},
        {"non-aligned", "nonaligned"},
        {"pre-election", "preelection"},
        {"post-election", "postelection"},
        {"post-war", "postwar"},
        {"anti-government", "antigovernment"},
        {"three-party", "three party"},
        {"two-party", "two party"},
        {"like-minded", "like minded"},
        {"well-informed", "well informed"},
        {"hard-pressed", "hard pressed"},
        {"ill-health", "ill health"},
        {"by-election", "by election"},
        {"by-elections", "by elections"},
};
/* "that" after a reporting verb may be left out (always from the side with "that"); not after
 * verbs whose object would change the sense: "We recommend the Department:" (before a list),
 * "agreed the budget" (approved it). */
static const char *const that_verbs[] = {
        "assessed",   "assesses",  "believed",     "believes",    "claimed",   "claims",
        "confirmed",  "confirms",  "considers",    "expect",      "expects",   "expected",
        "fear",       "fears",     "feared",       "hope",        "hopes",     "hoped",
        "insisted",   "insists",   "judged",       "judges",      "know",      "knows",
        "knew",       "reported",  "say",          "says",        "suggested", "suggests",
        "suspect",    "suspects",  "think",        "thinks",      "thought",   "understand",
        "understood", "warned",    "added",        "argued",      "argues",    "estimate",
        "estimates",  "estimated", "acknowledged", "conceded",    "explained", "told him",
        "told them",  "told me",   "assured us",   "informed us",
};
static const struct {
	const char *a, *b;
	int oneway;
} synonyms2[] = {
        {"despite", "in spite of", 0},
        {"in the course of", "during", 1},
        {"with respect to", "regarding", 1},
        {"in respect of", "regarding", 1},
        {"in relation to", "regarding", 1},
        {"nearly", "almost", 0},
        {"perhaps", "possibly", 0},
        {"mainly", "chiefly", 0},
        {"principally", "mainly", 1},
        {"largely", "mostly", 0},
        {"entirely", "wholly", 0},
        {"meanwhile", "in the meantime", 0},
        {"afterwards", "later", 1},
        {"attempted to", "tried to", 0},
        {"attempting to", "trying to", 0},
        {"intends to", "plans to", 0},
        {"intend to", "plan to", 1},
        {"intended to", "planned to", 0},
        {"is able to", "can", 1},
        {"are able to", "can", 1},
        {"was unable to", "could not", 1},
        {"were unable to", "could not", 1},
        {"a large number of", "many", 1},
        {"a great deal of", "much", 1},
        {"in the near future", "soon", 1},
        {"at the moment", "at present", 1},
        {"because of", "owing to", 1},
        {"in favour of", "in support of", 0},
        {"likewise", "similarly", 0},
        {"consequently", "as a result", 1},
        {"obliged to", "required to", 0},
        {"retain", "keep", 1},
        {"retained", "kept", 1},
        {"require", "need", 1},
        {"requires", "needs", 1},
        {"declined to", "refused to", 0},
        {"shortly", "soon", 1},
        {"the majority of", "most", 1},
        {"contemplate", "consider", 1},
        {"remain", "continue to be", 1},
        {"is likely to", "will probably", 1},
        {"are likely to", "will probably", 1},
        {"is unlikely to", "will probably not", 1},
        {"a further", "another", 1},
};

/*
 * Engine 3: negative contractions. A formal report rarely has them, but a
 * reader does not notice either form, and a retyped excerpt keeps them. Not
 * "had not" ("Had not the minister..." inverts) nor "may not"/"mayn't".
 */
static const char *const contractions[][2] = {
        {"do not", "don't"},         {"does not", "doesn't"},   {"did not", "didn't"},
        {"is not", "isn't"},         {"are not", "aren't"},     {"was not", "wasn't"},
        {"were not", "weren't"},     {"has not", "hasn't"},     {"have not", "haven't"},
        {"cannot", "can't"},         {"could not", "couldn't"}, {"would not", "wouldn't"},
        {"should not", "shouldn't"}, {"will not", "won't"},     {"must not", "mustn't"},
};

#define TABLE_MAX 2048
static struct equiv table[TABLE_MAX];
static size_t table_n;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static uint8_t words_of(const char *s)
{
	uint8_t n = 1;
	for (; *s; s++)
		n = (uint8_t)(n + (*s == ' '));
	return n;
}

static void add(const char *a, size_t al, const char *b, size_t bl, enum slot_class cls, int oneway,
                unsigned since)
{
	if (table_n >= TABLE_MAX || al > EQUIV_TEXT_MAX || bl > EQUIV_TEXT_MAX)
		return; /* checked by test_slots: every entry is in the table */
	struct equiv *e = &table[table_n++];
	memcpy(e->v[0], a, al);
	e->v[0][al] = 0;
	memcpy(e->v[1], b, bl);
	e->v[1][bl] = 0;
	e->words[0] = words_of(e->v[0]);
	e->words[1] = words_of(e->v[1]);
	e->cls = (uint8_t)cls;
	e->from0only = (uint8_t)oneway;
	e->since = (uint8_t)since;
}

static void add_pairs(const char *const (*p)[2], size_t n, enum slot_class cls, unsigned since)
{
	for (size_t i = 0; i < n; i++)
		add(p[i][0], strlen(p[i][0]), p[i][1], strlen(p[i][1]), cls, 0, since);
}

static void build(void)
{
	for (size_t i = 0; i < sizeof ise_stems / sizeof *ise_stems; i++) {
		size_t sl = strlen(ise_stems[i]);
		for (size_t k = 0; k < sizeof ise_suffix / sizeof *ise_suffix; k++) {
			char a[EQUIV_TEXT_MAX + 1], b[EQUIV_TEXT_MAX + 1];
			size_t al = strlen(ise_suffix[k][0]), bl = strlen(ise_suffix[k][1]);
			if (sl + al > EQUIV_TEXT_MAX || sl + bl > EQUIV_TEXT_MAX)
				continue;
			memcpy(a, ise_stems[i], sl);
			memcpy(a + sl, ise_suffix[k][0], al);
			memcpy(b, ise_stems[i], sl);
			memcpy(b + sl, ise_suffix[k][1], bl);
			int dup = 0;
			for (size_t j = 0; j < table_n && !dup; j++)
				dup = strlen(table[j].v[0]) == sl + al &&
				      memcmp(table[j].v[0], a, sl + al) == 0;
			if (!dup)
				add(a, sl + al, b, sl + bl, SLOT_ISE, 0, 1);
		}
	}
	add_pairs(our_words, sizeof our_words / sizeof *our_words, SLOT_OUR, 1);
	add_pairs(yse_words, sizeof yse_words / sizeof *yse_words, SLOT_YSE, 1);
	add_pairs(british_words, sizeof british_words / sizeof *british_words, SLOT_BRITISH, 1);
	add_pairs(number_words, sizeof number_words / sizeof *number_words, SLOT_NUMBER, 1);
	add("per cent", 8, "percent", 7, SLOT_PERCENT, 0, 1);
	add_pairs(hyphen_words, sizeof hyphen_words / sizeof *hyphen_words, SLOT_HYPHEN, 1);
	for (size_t i = 0; i < sizeof synonyms / sizeof *synonyms; i++)
		add(synonyms[i].a, strlen(synonyms[i].a), synonyms[i].b, strlen(synonyms[i].b),
		    SLOT_SYNONYM, synonyms[i].oneway, 1);
	add_pairs(number_words2, sizeof number_words2 / sizeof *number_words2, SLOT_NUMBER, 2);
	for (size_t t = 0; t < sizeof tens / sizeof *tens; t++)
		for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
			char a[EQUIV_TEXT_MAX + 1], b[4];
			int al = snprintf(a, sizeof a, "%s-%s", tens[t], units[u]);
			int bl = snprintf(b, sizeof b, "%zu", 20 + 10 * t + u + 1);
			if (al > 0 && (size_t)al < sizeof a && bl > 0 && (size_t)bl < sizeof b)
				add(a, (size_t)al, b, (size_t)bl, SLOT_NUMBER, 0, 2);
		}
	add_pairs(fractions, sizeof fractions / sizeof *fractions, SLOT_SYNONYM, 2);
	add_pairs(hyphen_words2, sizeof hyphen_words2 / sizeof *hyphen_words2, SLOT_HYPHEN, 2);
	for (size_t i = 0; i < sizeof that_verbs / sizeof *that_verbs; i++) {
		char a[EQUIV_TEXT_MAX + 1];
		size_t vl = strlen(that_verbs[i]);
		if (vl + 5 > EQUIV_TEXT_MAX)
			continue; /* checked by test_slots */
		memcpy(a, that_verbs[i], vl);
		memcpy(a + vl, " that", 5);
		add(a, vl + 5, that_verbs[i], vl, SLOT_THAT, 1, 2);
	}
	for (size_t i = 0; i < sizeof synonyms2 / sizeof *synonyms2; i++)
		add(synonyms2[i].a, strlen(synonyms2[i].a), synonyms2[i].b, strlen(synonyms2[i].b),
		    SLOT_SYNONYM, synonyms2[i].oneway, 2);
	/* each with the typewriter's apostrophe, then the typographic one (U+2019), found
	 * only from the contraction: "do not" becomes the typewriter's */
	add_pairs(contractions, sizeof contractions / sizeof *contractions, SLOT_CONTRACTION, 3);
	for (size_t i = 0; i < sizeof contractions / sizeof *contractions; i++) {
		char b[EQUIV_TEXT_MAX + 1];
		const char *q = strchr(contractions[i][1], '\'');
		int bl = snprintf(b, sizeof b, "%.*s\xe2\x80\x99%s", (int)(q - contractions[i][1]),
		                  contractions[i][1], q + 1);
		if (bl > 0 && (size_t)bl < sizeof b)
			add(contractions[i][0], strlen(contractions[i][0]), b, (size_t)bl,
			    SLOT_CONTRACTION, 2, 3);
	}
}

size_t equiv_size(void)
{
	pthread_once(&table_once, build);
	return table_n;
}

const struct equiv *equiv_at(size_t i)
{
	pthread_once(&table_once, build);
	return i < table_n ? &table[i] : NULL;
}

/* Does the side s (words separated by single spaces) equal w[0..k)? */
static int side_is(const char *s, const char *const *w, const size_t *wl, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		if (strncmp(s, w[i], wl[i]) != 0)
			return 0;
		s += wl[i];
		if (i + 1 < k) {
			if (*s != ' ')
				return 0;
			s++;
		}
	}
	return *s == 0;
}

const struct equiv *equiv_match(const char *const *w, const size_t *wl, size_t nw, unsigned engine,
                                int *side)
{
	pthread_once(&table_once, build);
	const struct equiv *best = NULL;
	size_t best_k = 0;
	for (size_t i = 0; i < table_n; i++) {
		const struct equiv *e = &table[i];
		if (e->since > engine)
			continue;
		for (int sd = 0; sd < 2; sd++) {
			size_t k = e->words[sd];
			if ((sd == 1 && e->from0only == 1) || (sd == 0 && e->from0only == 2))
				continue;
			if (k > nw || k <= best_k || e->v[sd][0] != w[0][0])
				continue;
			if (side_is(e->v[sd], w, wl, k)) {
				best = e;
				best_k = k;
				*side = sd;
			}
		}
	}
	return best;
}
