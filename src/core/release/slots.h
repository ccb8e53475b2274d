/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * slots: where copies of a report differ (docs/release.md).
 *
 * A report's text (UTF-8) may mark alternatives `{towards|toward}`: exactly
 * two, no nesting, no line break inside, `\{ \} \| \\` for the literal
 * characters. Outside the marked slots the curated equivalence table
 * (equiv.h) adds automatic slots: spelling pairs, numbers, "per cent", the
 * serial comma, hyphenation and formal synonyms, case preserved; engine 2
 * adds more numbers, pairs and synonyms, "that" after reporting verbs, a
 * restrictive "which"/"that", the comma after a short introductory phrase and
 * the comma before a "but" that joins two clauses. Engine 3 adds negative
 * contractions, the ordinal of a day before a month ("14th March") and
 * unordered lists the author marks `[[France; Germany; Italy]]` (written
 * "France, Germany and Italy"; neighbours 1-2, 3-4, ... swap), with `\[ \]
 * \;` for the literal characters.
 * Slots never overlap. The result is a template: the literal text with every slot's two
 * variants inserted at a byte offset; variant 0 and 1 are fixed by the table
 * (British first), not by what the author wrote.
 */
#ifndef CUTOUT_CORE_RELEASE_SLOTS_H
#define CUTOUT_CORE_RELEASE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define SLOTS_TEXT_MAX (1u << 20) /* bytes of a report */
#define SLOTS_ALT_MAX 200         /* bytes of one marked alternative */
#define SLOTS_MAX 65536           /* slots of a report */

/*
 * The slot engine: which table and rules find the automatic slots. A copy's
 * stored choices name the engine they were made with (copy.h), so a copy made
 * by an older engine still renders and traces. 1: the first table (issue 13);
 * 2: the denser one (docs/release.md, "Slot density"); 3: contractions, day
 * ordinals and the author's unordered lists `[[a; b; c]]`.
 */
#define SLOTS_ENGINE_FIRST 1
#define SLOTS_ENGINE 3

enum slots_result {
	SLOTS_OK = 0,
	SLOTS_NOMEM,
	SLOTS_TOO_LARGE,
	SLOTS_BAD_MARKUP,
};

/* What a slot is; automatic kinds come from the table. */
enum slot_class {
	SLOT_MARKED = 0, /* by the author */
	SLOT_ISE,        /* -ise/-ize, -isation/-ization */
	SLOT_OUR,        /* -our/-or */
	SLOT_YSE,        /* -yse/-yze */
	SLOT_BRITISH,    /* other British/American pairs: whilst, amongst, towards, centre... */
	SLOT_NUMBER,     /* two..ten / 2..10 */
	SLOT_PERCENT,    /* per cent / percent */
	SLOT_SERIAL,     /* the serial comma */
	SLOT_HYPHEN,     /* decision-making / decision making */
	SLOT_SYNONYM,    /* formal synonyms: prior to / before */
	SLOT_THAT,       /* engine 2: "said that" / "said", restrictive "which" / "that" */
	SLOT_COMMA, /* engine 2: "On land reform, the" / "On land reform the"; ", but" / " but" */
	SLOT_CONTRACTION, /* engine 3: "do not" / "don't" */
	SLOT_DATE,        /* engine 3: "14 March" / "14th March" */
	SLOT_ORDER,       /* engine 3: two neighbours of a list the author marks unordered */
	SLOT_CLASSES
};

struct slot {
	uint32_t at;    /* byte offset in the literal text where the variant goes */
	uint32_t src;   /* byte offset of the slot in the author's text */
	uint8_t cls;    /* enum slot_class */
	uint8_t len[2]; /* bytes of each variant */
	char *alt[2];   /* NUL-terminated variants (one may be empty) */
};

struct slots {
	char *lit; /* the text without the slots, NUL-terminated */
	size_t lit_len;
	struct slot *s; /* in text order, at non-decreasing */
	size_t n;
	size_t words;    /* words of the text (variant 0) */
	unsigned engine; /* the engine that found them */
};

struct slots_error {
	size_t pos; /* byte offset in the author's text */
	char msg[96];
};

/*
 * Parses the text and finds the slots with the current engine. On
 * SLOTS_BAD_MARKUP err says where and why ("at 12: ..."); on any failure *out
 * is empty.
 */
__attribute__((warn_unused_result)) enum slots_result
slots_find(const char *text, size_t len, struct slots *out, struct slots_error *err);
/* The same with the engine `engine` (SLOTS_ENGINE_FIRST..SLOTS_ENGINE; else SLOTS_BAD_MARKUP). */
__attribute__((warn_unused_result)) enum slots_result slots_find_engine(const char *text,
                                                                        size_t len, unsigned engine,
                                                                        struct slots *out,
                                                                        struct slots_error *err);
void slots_free(struct slots *s);

/* Slots per 100 words of the text. */
double slots_density(const struct slots *s);
/* The number of slots of each class (counts[SLOT_CLASSES]). */
void slots_count(const struct slots *s, size_t counts[static SLOT_CLASSES]);
const char *slots_class_name(enum slot_class c);

/*
 * The text with every slot highlighted as ⟦variant 0|variant 1⟧, for the
 * author's review before approval.
 */
__attribute__((warn_unused_result)) enum slots_result slots_highlight(const struct slots *s,
                                                                      struct buf *out);

#endif
