/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * app/intake_pages: every source page rendered in every language (issue 17
 * §3). Fails on a catalogue that lacks a key of the source pages, on a text
 * left as the English one, and on a page that shows English in another
 * language (a key it uses that the catalogue lacks). Right-to-left languages
 * are marked dir="rtl"; every language's numbers are its own.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/intake/intake_pages.h"
#include "lib/buf.h"
#include "lib/web/html.h"
#include "lib/web/i18n.h"
#include "t.h"

/* Texts that may equal the English one in another language. */
static int may_equal_english(const char *key)
{
	static const char *const same[] = {"language.dir", "number.format", "size.kib", "size.mib",
	                                   "size.gib"};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++)
		if (strcmp(key, same[i]) == 0)
			return 1;
	return 0;
}

static int is_source_key(const char *key)
{
	return strncmp(key, "desk.", 5) != 0;
}

static int has_entry(const char *lang, const char *key)
{
	size_t ne;
	const struct i18n_entry *e = i18n_entries(&ne);
	for (size_t i = 0; i < ne; i++)
		if (strcmp(e[i].lang, lang) == 0 && strcmp(e[i].key, key) == 0)
			return 1;
	return 0;
}

static int render(struct buf *all, enum page_id id, const struct page *p)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	int rc = page_render(&b, id, p);
	if (rc == 0)
		rc = buf_append(all, b.data, b.len) == BUF_OK ? 0 : -1;
	buf_release(&b);
	return rc;
}

/* Every page, in every state worth showing, appended to all. 0, or -1. */
static int render_all(const char *lang, struct buf *all)
{
	static const struct page_reply replies[] = {{7, 20000, "a reply", 7}};
	static const struct page_sent sent[] = {{20000, 2, 1}, {20001, 1, 0}};
	static const unsigned statuses[] = {400, 403, 404, 405, 409, 413, 415, 429, 500, 503, 507};
	static const char *const files[] = {"n", "4", "max", "3", NULL};
	static const char *const big[] = {"name", "big.bin", "max_size", "1 MiB", NULL};
	static const char *const size[] = {"max_size", "1 MiB", NULL};
	static const char *const chars[] = {"max_chars", "100000", NULL};
	static const char *const minutes[] = {"minutes", "60", NULL};
	static const struct {
		const char *key;
		const char *const *vars;
	} errors[] = {
	        {"submit.error.too_many_files", files},
	        {"submit.error.file_too_large", big},
	        {"submit.error.files_too_large", size},
	        {"submit.error.message_too_large", chars},
	        {"submit.error.empty", NULL},
	        {"submit.error.name_too_long", NULL},
	        {"submit.relogged", NULL},
	};
	struct page p = {.lang = lang,
	                 .org = "Test Org",
	                 .csrf = "token",
	                 .prefix = "/x",
	                 .path = "/",
	                 .max_upload_bytes = 2ull << 30,
	                 .max_message_chars = 100000,
	                 .max_files = 20,
	                 .idle_minutes = 60};
	int rc = 0;
	for (int in = 0; in < 2; in++) {
		p.logged_in = in;
		rc |= render(all, PAGE_LANDING, &p);
	}
	rc |= render(all, PAGE_NEW, &p);
	p.logged_in = 1;
	p.codename = "one two three four five six seven";
	p.lang_query = "?k=x";
	rc |= render(all, PAGE_CODENAME, &p);
	p.codename = NULL;
	p.lang_query = NULL;
	rc |= render(all, PAGE_CODENAME, &p);
	p.logged_in = 0;
	rc |= render(all, PAGE_LOGIN, &p);
	p.notice = "login.error";
	rc |= render(all, PAGE_LOGIN, &p);
	p.notice = "login.expired";
	p.notice_vars = minutes;
	p.message = "kept text";
	p.message_len = 9;
	p.message_cut = 9;
	rc |= render(all, PAGE_LOGIN, &p);
	p.notice = NULL;
	p.notice_vars = NULL;
	p.message = NULL;
	p.message_cut = 0;
	p.logged_in = 1;
	p.once = "once";
	rc |= render(all, PAGE_SUBMIT, &p);
	p.conversation = 1;
	rc |= render(all, PAGE_SUBMIT, &p); /* no reply, nothing sent */
	p.replies = replies;
	p.nreplies = 1;
	p.sent = sent;
	p.nsent = 2;
	rc |= render(all, PAGE_SUBMIT, &p);
	p.conversation = 0;
	p.message = "kept text";
	p.message_len = 9;
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
		p.notice = errors[i].key;
		p.notice_vars = errors[i].vars;
		rc |= render(all, PAGE_SUBMIT, &p);
	}
	p.notice = "error.503";
	p.notice_vars = NULL;
	p.notice2 = "submit.error.other";
	rc |= render(all, PAGE_SUBMIT, &p);
	p.notice = p.notice2 = NULL;
	p.message = NULL;
	rc |= render(all, PAGE_SUBMITTED, &p);
	rc |= render(all, PAGE_REPLIES, &p);
	p.nreplies = 0;
	rc |= render(all, PAGE_REPLIES, &p);
	rc |= render(all, PAGE_DELETE, &p);
	p.logged_in = 0;
	rc |= render(all, PAGE_DELETED, &p);
	rc |= render(all, PAGE_LOGGED_OUT, &p);
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		p.status = statuses[i];
		rc |= render(all, PAGE_ERROR, &p);
	}
	return rc == 0 ? 0 : -1;
}

/* The HTML-escaped English text of key up to its first placeholder (at most 40 bytes). */
static void english_fragment(const char *key, char *out, size_t cap)
{
	struct buf b;
	buf_init(&b, 4096);
	const char *t = i18n_get("en", key);
	const char *brace = strchr(t, '{');
	size_t n = brace != NULL ? (size_t)(brace - t) : strlen(t);
	out[0] = 0;
	if (html_escape(&b, t, n) == BUF_OK) {
		size_t m = b.len < cap - 1 ? b.len : cap - 1;
		if (m > 40)
			m = 40;
		memcpy(out, b.data, m);
		out[m] = 0;
	}
	buf_release(&b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	size_t nl, ne;
	const struct i18n_language *langs = i18n_languages(&nl);
	const struct i18n_entry *e = i18n_entries(&ne);
	T_OK(nl >= 6, "six languages at least (%zu)", nl);
	static const char *const wanted[] = {"en", "ru", "uk", "fa", "ar", "zh-Hans"};
	for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
		T_OK(i18n_is_supported(wanted[i]), "%s is supported", wanted[i]);

	for (size_t l = 0; l < nl; l++) {
		const char *lang = langs[l].tag;
		int missing = 0, untranslated = 0, english_shown = 0;
		for (size_t i = 0; i < ne; i++) {
			if (strcmp(e[i].lang, "en") != 0 || !is_source_key(e[i].key))
				continue;
			if (!has_entry(lang, e[i].key)) {
				printf("# %s lacks %s\n", lang, e[i].key);
				missing++;
			} else if (strcmp(lang, "en") != 0 && !may_equal_english(e[i].key) &&
			           strcmp(i18n_get(lang, e[i].key), e[i].text) == 0) {
				printf("# %s: %s is the English text\n", lang, e[i].key);
				untranslated++;
			}
		}
		T_OK(missing == 0, "%s has every key of the source pages", lang);
		T_OK(untranslated == 0, "%s translates every text of the source pages", lang);

		struct buf all;
		buf_init(&all, 64u << 20);
		T_OK(render_all(lang, &all) == 0, "%s: every source page renders", lang);
		T_CHECK(buf_append(&all, "", 1) == BUF_OK);
		const char *html = (const char *)all.data;
		for (size_t i = 0; strcmp(lang, "en") != 0 && i < ne; i++) {
			if (strcmp(e[i].lang, "en") != 0 || !is_source_key(e[i].key) ||
			    strcmp(e[i].key, "language.name") == 0 || may_equal_english(e[i].key))
				continue;
			char frag[64];
			english_fragment(e[i].key, frag, sizeof frag);
			if (strlen(frag) >= 8 && strstr(html, frag) != NULL) {
				printf("# %s shows English: %s (%s)\n", lang, frag, e[i].key);
				english_shown++;
			}
		}
		T_OK(english_shown == 0, "%s: no page shows an English text", lang);
		const char *dir = i18n_get(lang, "language.dir");
		char tag[64];
		snprintf(tag, sizeof tag, "<html lang=\"%s\" dir=\"%s\">", lang, dir);
		T_OK(strstr(html, tag) != NULL, "%s: every page says %s", lang, tag);
		buf_release(&all);
	}
	T_OK(strcmp(i18n_get("fa", "language.dir"), "rtl") == 0 &&
	             strcmp(i18n_get("ar", "language.dir"), "rtl") == 0,
	     "Persian and Arabic are right to left");
	T_OK(strcmp(i18n_get("uk", "language.dir"), "ltr") == 0 &&
	             strcmp(i18n_get("zh-Hans", "language.dir"), "ltr") == 0,
	     "Ukrainian and Chinese left to right");
	return t_done();
}
