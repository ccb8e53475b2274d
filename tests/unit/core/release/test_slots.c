/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_slots: core/release/slots — every entry of the equivalence table found
 * from each side it may be found from, with its class and both variants; case
 * kept; numbers and serial commas only where they read well; marked slots
 * exclusive of automatic ones; no overlaps; markup errors with their offsets;
 * the highlighted rendering; engine 1 frozen (a copy made with it must still
 * trace) and engine 2's rules: "that" after reporting verbs, a restrictive
 * "which"/"that", the introductory comma, and where each must not apply;
 * engine 3's contractions, day ordinals and unordered lists, and their errors.
 */
#include <string.h>

#include "core/release/equiv.h"
#include "core/release/slots.h"
#include "t.h"

#include "lib/banned.h"

static int find(const char *text, struct slots *s)
{
	struct slots_error err;
	return slots_find(text, strlen(text), s, &err) == SLOTS_OK;
}

static void table_entries(void)
{
	size_t n = equiv_size(), bad = 0;
	T_OK(n > 300, "the table has %zu entries", n);
	for (size_t i = 0; i < n; i++) {
		const struct equiv *e = equiv_at(i);
		for (int side = 0; side < 2; side++) {
			if ((side == 1 && e->from0only == 1) || (side == 0 && e->from0only == 2))
				continue;
			char text[200];
			snprintf(text, sizeof text, "They saw %s items here.", e->v[side]);
			struct slots s;
			int ok = find(text, &s) && s.n == 1 && s.s[0].cls == e->cls &&
			         strcmp(s.s[0].alt[side], e->v[side]) == 0 &&
			         strcmp(s.s[0].alt[!side], e->v[!side]) == 0;
			if (!ok && bad++ < 5)
				T_OK(0, "entry %s|%s side %d found (%zu slots)", e->v[0], e->v[1],
				     side, s.n);
			slots_free(&s);
		}
	}
	T_OK(bad == 0, "every table entry is found from its sides, %zu failures", bad);
	/* from0only: the plain side is not a slot */
	struct slots s;
	T_CHECK(find("They talked about items.", &s) && s.n == 0);
	slots_free(&s);
}

static void case_kept(void)
{
	struct slots s;
	T_CHECK(find("Whilst here. WHILST THERE. whilst", &s) && s.n == 3);
	T_CHECK(strcmp(s.s[0].alt[0], "Whilst") == 0 && strcmp(s.s[0].alt[1], "While") == 0);
	T_CHECK(strcmp(s.s[1].alt[0], "WHILST") == 0 && strcmp(s.s[1].alt[1], "WHILE") == 0);
	T_CHECK(strcmp(s.s[2].alt[0], "whilst") == 0 && strcmp(s.s[2].alt[1], "while") == 0);
	T_CHECK(strcmp(s.lit, " here.  THERE. ") == 0);
	slots_free(&s);
	T_CHECK(find("Prior to dawn, the Organisation met.", &s) && s.n == 2);
	T_CHECK(strcmp(s.s[0].alt[1], "Before") == 0 && strcmp(s.s[1].alt[1], "Organization") == 0);
	slots_free(&s);
}

static void numbers_and_commas(void)
{
	struct slots s;
	T_CHECK(find("We saw three officers and 4 cars.", &s) && s.n == 2 &&
	        s.s[0].cls == SLOT_NUMBER && strcmp(s.s[1].alt[0], "four") == 0);
	slots_free(&s);
	T_OK(find("Three officers came. See section 3 of it. It cost 3.5 million.", &s) && s.n == 0,
	     "no number slot at a sentence's start, after 'section', in 3.5");
	slots_free(&s);
	T_CHECK(find("We want sanctions, talks and a pause.", &s) && s.n == 1 &&
	        s.s[0].cls == SLOT_SERIAL && s.s[0].len[0] == 0 && strcmp(s.s[0].alt[1], ",") == 0);
	slots_free(&s);
	T_OK(find("We want sanctions, talks, and a pause.", &s) && s.n == 1 &&
	             strcmp(s.lit, "We want sanctions, talks and a pause.") == 0,
	     "an existing serial comma is the slot");
	slots_free(&s);
	T_OK(find("He left and she stayed.", &s) && s.n == 0, "no serial comma without a list");
	slots_free(&s);
}

static void marked(void)
{
	struct slots s;
	struct slots_error err;
	T_CHECK(find("Go {towards|toward} the {five|5} gates whilst{a|b} here.", &s) && s.n == 3);
	T_CHECK(s.s[0].cls == SLOT_MARKED && strcmp(s.s[0].alt[0], "towards") == 0);
	T_OK(s.s[2].cls == SLOT_MARKED, "a word touching a marked slot is not an automatic slot");
	T_CHECK(strcmp(s.lit, "Go  the  gates whilst here.") == 0);
	slots_free(&s);
	T_CHECK(find("A \\{literal\\} \\| and \\\\ {x\\}|y}", &s) && s.n == 1 &&
	        strcmp(s.lit, "A {literal} | and \\ ") == 0 && strcmp(s.s[0].alt[0], "x}") == 0);
	slots_free(&s);
	T_CHECK(find("optional{,|} comma", &s) && s.n == 1 && s.s[0].len[1] == 0);
	slots_free(&s);
	static const struct {
		const char *text;
		size_t pos;
		const char *why;
	} bad[] = {
	        {"ab {a|{b|c}}", 6, "nested"},    {"ab {a|b", 3, "unclosed"},
	        {"ab a} c", 4, "stray }"},        {"x {a|b|c}", 6, "three alternatives"},
	        {"x {ab}", 5, "one alternative"}, {"x {a|a}", 2, "the same twice"},
	        {"x {a\nb|c}", 2, "line break"},  {"x \x01 y", 2, "control byte"},
	        {"x \xff y", 2, "not UTF-8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		enum slots_result r = slots_find(bad[i].text, strlen(bad[i].text), &s, &err);
		T_OK(r == SLOTS_BAD_MARKUP && err.pos == bad[i].pos && s.n == 0 && s.lit == NULL,
		     "%s: refused at %zu (%s)", bad[i].why, err.pos, err.msg);
	}
	char big[400] = "{";
	memset(big + 1, 'a', 250);
	memcpy(big + 251, "|b}", 4);
	T_CHECK(slots_find(big, strlen(big), &s, &err) == SLOTS_BAD_MARKUP && err.pos == 0);
}

static int highlight_is(const char *text, unsigned engine, const char *want)
{
	struct slots s;
	struct slots_error err;
	struct buf b;
	buf_init(&b, 1 << 16);
	int ok = slots_find_engine(text, strlen(text), engine, &s, &err) == SLOTS_OK &&
	         s.engine == engine && slots_highlight(&s, &b) == SLOTS_OK &&
	         strcmp(buf_str(&b), want) == 0;
	if (!ok)
		fprintf(stderr, "# engine %u gives: %s\n", engine, buf_str(&b));
	buf_release(&b);
	slots_free(&s);
	return ok;
}

static void engines(void)
{
	const char *t = "In order to assist, additional staff, vehicles and funds were obtained "
	                "{towards|toward} approximately 40 per cent of the decision-making units.";
	/* engine 1 is frozen: this is what it found when it was the only one */
	T_OK(highlight_is(
	             t, 1,
	             "⟦In order to|To⟧ ⟦assist|help⟧, ⟦additional|further⟧ staff, vehicles⟦|,⟧ "
	             "and funds were ⟦obtained|acquired⟧ ⟦towards|toward⟧ "
	             "⟦approximately|about⟧ 40 ⟦per cent|percent⟧ of the "
	             "⟦decision-making|decision making⟧ units."),
	     "engine 1 finds what it always found");
	T_OK(highlight_is(
	             t, 2,
	             "⟦In order to|To⟧ ⟦assist|help⟧, ⟦additional|further⟧ staff, vehicles⟦|,⟧ "
	             "and funds were ⟦obtained|acquired⟧ ⟦towards|toward⟧ "
	             "⟦approximately|about⟧ ⟦forty|40⟧ ⟦per cent|percent⟧ of the "
	             "⟦decision-making|decision making⟧ units."),
	     "engine 2 adds 40 and no comma after an infinitive");
	const char *u = "On land reform, the party is firm. The plan which was agreed holds, which "
	                "is why we wrote. Advisers expect that a consortium that had failed will "
	                "return. It is unclear which is worse. After the talks collapsed, the "
	                "minister left. Within the party, and outside it, doubts grew. It is "
	                "closer, but thirty-eight members voted in the autumn with a third of the "
	                "staff.";
	T_OK(highlight_is(u, 1, u), "engine 1 finds none of these");
	T_OK(highlight_is(u, 2,
	                  "On land reform⟦,|⟧ the party is firm. The plan ⟦which|that⟧ was agreed "
	                  "holds, which is why we wrote. Advisers ⟦expect that|expect⟧ a "
	                  "consortium ⟦that|which⟧ had failed will return. It is unclear which is "
	                  "worse. After the talks collapsed, the minister left. Within the party, "
	                  "and outside it, doubts grew. It is closer⟦,|⟧ but "
	                  "⟦thirty-eight|38⟧ members voted ⟦in the autumn|in autumn⟧ with "
	                  "⟦a third of|one third of⟧ the staff."),
	     "engine 2: introductory comma and before 'but', restrictive which/that, that "
	     "after a reporting verb, compound numbers, fractions, seasons; not after a comma, a "
	     "question, a conjunction or before 'and'");
	struct slots s;
	struct slots_error err;
	T_CHECK(slots_find_engine(u, strlen(u), 0, &s, &err) == SLOTS_BAD_MARKUP && s.n == 0);
	T_CHECK(slots_find_engine(u, strlen(u), SLOTS_ENGINE + 1, &s, &err) == SLOTS_BAD_MARKUP);
	T_CHECK(find(u, &s) && s.engine == SLOTS_ENGINE);
	slots_free(&s);
}

static void no_overlap_and_highlight(void)
{
	struct slots s;
	const char *t = "In order to assist, additional staff, vehicles and funds were obtained "
	                "{towards|toward} approximately 40 per cent of the decision-making units.";
	T_CHECK(slots_find_engine(t, strlen(t), 1, &s, &(struct slots_error){0}) == SLOTS_OK);
	int sorted = 1;
	for (size_t i = 1; i < s.n; i++)
		sorted &= s.s[i].at >= s.s[i - 1].at;
	T_OK(sorted && s.n == 9, "9 slots in text order (%zu)", s.n);
	struct buf b;
	buf_init(&b, 1 << 16);
	T_CHECK(slots_highlight(&s, &b) == SLOTS_OK);
	T_CHECK(strcmp(buf_str(&b),
	               "⟦In order to|To⟧ ⟦assist|help⟧, ⟦additional|further⟧ staff, vehicles⟦|,⟧ "
	               "and funds were ⟦obtained|acquired⟧ ⟦towards|toward⟧ ⟦approximately|about⟧ "
	               "40 ⟦per cent|percent⟧ of the ⟦decision-making|decision making⟧ units.") ==
	        0);
	size_t counts[SLOT_CLASSES];
	slots_count(&s, counts);
	T_CHECK(counts[SLOT_SYNONYM] == 5 && counts[SLOT_MARKED] == 1 && counts[SLOT_SERIAL] == 1);
	T_CHECK(slots_density(&s) > 40);
	buf_release(&b);
	slots_free(&s);
}

/* Engine 3: contractions, day ordinals, unordered lists; engine 2 reads none of them. */
static void engine3(void)
{
	struct slots s;
	struct slots_error err;
	const char *t = "We visited [[France; Germany; Italy; Spain; Portugal]] on 14 March.";
	T_CHECK(find(t, &s) && s.engine == 3);
	size_t counts[SLOT_CLASSES];
	slots_count(&s, counts);
	T_OK(counts[SLOT_ORDER] == 2 && counts[SLOT_DATE] == 1, "two pairs of five items, one day");
	T_CHECK(strcmp(s.s[0].alt[0], "France, Germany") == 0 &&
	        strcmp(s.s[0].alt[1], "Germany, France") == 0);
	T_CHECK(strcmp(s.s[1].alt[0], "Italy, Spain") == 0 &&
	        strcmp(s.s[1].alt[1], "Spain, Italy") == 0);
	T_CHECK(strcmp(s.s[2].alt[0], "14") == 0 && strcmp(s.s[2].alt[1], "14th") == 0);
	T_OK(strcmp(s.lit, "We visited ,  and Portugal on  March.") == 0, "literal: %s", s.lit);
	struct buf h;
	buf_init(&h, 1 << 16);
	T_CHECK(slots_highlight(&s, &h) == SLOTS_OK &&
	        strstr(buf_str(&h), "and Portugal on \xe2\x9f\xa6"
	                            "14|14th"));
	buf_release(&h);
	slots_free(&s);
	/* two items: one slot with " and " */
	T_CHECK(find("Both [[the embassy; the consulate]] agreed.", &s) && s.n == 1 &&
	        strcmp(s.s[0].alt[0], "the embassy and the consulate") == 0 &&
	        strcmp(s.s[0].alt[1], "the consulate and the embassy") == 0);
	slots_free(&s);
	/* the same text under engine 2: literal brackets, no day, no contraction */
	t = "They [[a; b]] did not come on 1st May.";
	T_CHECK(slots_find_engine(t, strlen(t), 2, &s, &err) == SLOTS_OK);
	T_OK(s.n == 0 && strstr(s.lit, "[[a; b]]"), "engine 2 frozen (%zu slots)", s.n);
	slots_free(&s);
	T_CHECK(find(t, &s) && s.n == 3 && s.s[0].cls == SLOT_ORDER &&
	        s.s[1].cls == SLOT_CONTRACTION && strcmp(s.s[1].alt[1], "didn't") == 0 &&
	        s.s[2].cls == SLOT_DATE && strcmp(s.s[2].alt[1], "1st") == 0);
	slots_free(&s);
	/* the typographic apostrophe, case kept; days that are not dates */
	T_CHECK(find("Don\xe2\x80\x99t go to 32 March or 2nd May.", &s) && s.n == 2 &&
	        strcmp(s.s[0].alt[0], "Do not") == 0 &&
	        strcmp(s.s[0].alt[1], "Don\xe2\x80\x99t") == 0 &&
	        strcmp(s.s[1].alt[1], "2nd") == 0);
	slots_free(&s);
	T_CHECK(find("on 11th June and 22 June and 3rd July", &s) && s.n == 3 &&
	        strcmp(s.s[0].alt[1], "11th") == 0 && strcmp(s.s[1].alt[1], "22nd") == 0 &&
	        strcmp(s.s[2].alt[0], "3") == 0);
	slots_free(&s);
	T_CHECK(find("the 2th March", &s) && s.n == 0);
	slots_free(&s);
	/* escapes and errors */
	T_CHECK(find("a \\[[literal\\]] and \\; here", &s) && s.n == 0 &&
	        strcmp(s.lit, "a [[literal]] and ; here") == 0);
	slots_free(&s);
	static const struct {
		const char *text;
		size_t pos;
		const char *msg;
	} bad[] = {
	        {"x [[a; b", 2, "not closed"},          {"x [[a]]", 2, "two items"},
	        {"x [[a; ; b]]", 7, "empty list item"}, {"x [[a; {b|c}]]", 7, "inside a list"},
	        {"x [[a;\nb]]", 2, "on its line"},      {"x [[a; a]]", 4, "the same"},
	        {"x ]] y", 2, "no list open"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		enum slots_result r = slots_find(bad[i].text, strlen(bad[i].text), &s, &err);
		T_OK(r == SLOTS_BAD_MARKUP && err.pos == bad[i].pos && strstr(err.msg, bad[i].msg),
		     "bad list %zu: %s", i, err.msg);
	}
	char longer[400] = "[[";
	memset(longer + 2, 'x', 97);
	memcpy(longer + 99, "; y]]", 6);
	T_CHECK(slots_find(longer, strlen(longer), &s, &err) == SLOTS_BAD_MARKUP &&
	        strstr(err.msg, "over 96 bytes"));
	char many[400] = "[[z";
	size_t ml = 3;
	for (int i = 1; i < 33; i++, ml += 3)
		memcpy(many + ml, "; z", 3);
	memcpy(many + ml, "]]", 3);
	T_CHECK(slots_find(many, strlen(many), &s, &err) == SLOTS_BAD_MARKUP &&
	        strstr(err.msg, "more than 32"));
}

int main(void)
{
	table_entries();
	case_kept();
	numbers_and_commas();
	marked();
	no_overlap_and_highlight();
	engines();
	engine3();
	return t_done();
}
