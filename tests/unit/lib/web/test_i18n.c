/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include <string.h>

#include <sodium.h>

#include "lib/buf.h"
#include "lib/web/i18n.h"
#include "t.h"

/* Whether the placeholders of a and b are the same multiset-free set. */
static int same_placeholders(const char *a, const char *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? a : b, *o = pass == 0 ? b : a;
		for (const char *p = strchr(s, '{'); p != NULL; p = strchr(p + 1, '{')) {
			const char *e = strchr(p, '}');
			if (e == NULL)
				return 0;
			char name[64];
			size_t n = (size_t)(e - p + 1);
			if (n >= sizeof(name))
				return 0;
			memcpy(name, p, n);
			name[n] = '\0';
			if (strstr(o, name) == NULL)
				return 0;
		}
	}
	return 1;
}

static void test_catalogues(void)
{
	size_t nl, ne;
	const struct i18n_language *langs = i18n_languages(&nl);
	const struct i18n_entry *e = i18n_entries(&ne);
	T_CHECK(nl >= 2 && strcmp(langs[0].tag, "en") == 0);
	T_CHECK(i18n_is_supported("ru") && i18n_is_supported("RU") && i18n_is_supported("en"));
	T_CHECK(!i18n_is_supported("xx") && !i18n_is_supported("") && !i18n_is_supported(NULL) &&
	        !i18n_is_supported("ru-RU"));
	T_CHECK(strcmp(i18n_canonical("EN"), "en") == 0);
	T_CHECK(strcmp(langs[1].name, "Русский") == 0 || nl > 2);

	/* Sorted, so the binary search finds everything. */
	int sorted = 1;
	for (size_t i = 1; i < ne; i++) {
		int c = strcmp(e[i - 1].lang, e[i].lang);
		if (c > 0 || (c == 0 && strcmp(e[i - 1].key, e[i].key) >= 0))
			sorted = 0;
	}
	T_CHECK(sorted);

	/* Every key of every catalogue exists in English, with the same placeholders. */
	int all_in_en = 1, placeholders_ok = 1, found = 1;
	size_t n_en = 0, n_ru = 0;
	for (size_t i = 0; i < ne; i++) {
		const char *en = NULL;
		for (size_t j = 0; j < ne && en == NULL; j++)
			if (strcmp(e[j].lang, "en") == 0 && strcmp(e[j].key, e[i].key) == 0)
				en = e[j].text;
		if (en == NULL) {
			printf("# %s: %s is not in English\n", e[i].lang, e[i].key);
			all_in_en = 0;
			continue;
		}
		if (!same_placeholders(en, e[i].text)) {
			printf("# %s: %s: placeholders differ\n", e[i].lang, e[i].key);
			placeholders_ok = 0;
		}
		if (i18n_get(e[i].lang, e[i].key) != e[i].text)
			found = 0;
		n_en += strcmp(e[i].lang, "en") == 0;
		n_ru += strcmp(e[i].lang, "ru") == 0;
	}
	T_CHECK(all_in_en);
	T_CHECK(placeholders_ok);
	T_CHECK(found);
	/* English and Russian are complete: same key set (each ru key is in en, and as many). */
	T_OK(n_en == n_ru && n_en > 50, "en and ru have the same keys (%zu, %zu)", n_en, n_ru);
	int ru_complete = 1;
	for (size_t i = 0; i < ne; i++) {
		if (strcmp(e[i].lang, "en") != 0)
			continue;
		int has = 0; /* (identical texts may share one pointer: look for the entry) */
		for (size_t j = 0; j < ne && !has; j++)
			has = strcmp(e[j].lang, "ru") == 0 && strcmp(e[j].key, e[i].key) == 0;
		if (!has) {
			printf("# ru lacks %s\n", e[i].key);
			ru_complete = 0;
		}
	}
	T_CHECK(ru_complete);
	/* Every language has its native name. */
	int named = 1;
	for (size_t i = 0; i < nl; i++)
		named = named &&
		        strcmp(i18n_get(langs[i].tag, "language.name"), langs[i].name) == 0;
	T_CHECK(named);
	/* The texts the intake is required to show. */
	T_CHECK(strncmp(i18n_get("en", "login.error"), "That codename was not recognised.", 33) ==
	        0);
	T_CHECK(strncmp(i18n_get("en", "submitted.text"),
	                "Your submission was received and sealed.", 40) == 0);
	static const char *required[] = {
	        "landing.title",    "landing.safety.1", "landing.safety.2", "codename.intro",
	        "codename.warning", "login.label",      "submit.limits",    "replies.none",
	        "replies.delete",   "delete.text",      "error.400",        "error.403",
	        "error.404",        "error.413",        "error.429",        "error.500",
	        "error.503",        "error.507",        "nav.logout",       "lang.label",
	        "footer",
	};
	int have = 1;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		have = have && i18n_get("ru", required[i]) != NULL &&
		       i18n_get("ru", required[i]) != i18n_get("en", required[i]);
	T_CHECK(have);
}

static void test_numbers(void)
{
	char s[64];
#define NUM(lang, v, want)                                                                      \
	T_OK(i18n_number(lang, v, s, sizeof s) == 0 && strcmp(s, want) == 0, "%s %s: %s", lang, \
	     #v, s)
#define SIZE(lang, v, want)                                                                        \
	T_OK(i18n_size(lang, v, s, sizeof s) == 0 && strcmp(s, want) == 0, "%s size %s: %s", lang, \
	     #v, s)
	NUM("en", 0, "0");
	NUM("en", 999, "999");
	NUM("en", 1000, "1,000");
	NUM("en", 100000, "100,000");
	NUM("en", 1234567, "1,234,567");
	NUM("ru", 100000, "100\u00a0000");
	NUM("ru", 20, "20");
	NUM("en", UINT64_MAX, "18,446,744,073,709,551,615");
	SIZE("en", 2ull << 30, "2\u00a0GiB");
	SIZE("ru", 2ull << 30, "2\u00a0ГБ");
	SIZE("en", 1u << 20, "1\u00a0MiB");
	SIZE("ru", 3u << 19, "1,5\u00a0МБ");
	SIZE("en", 3u << 19, "1.5\u00a0MiB");
	SIZE("en", (1u << 20) - 1, "1,023.9\u00a0KiB");
	SIZE("en", 512, "512\u00a0B");
	SIZE("ru", 1536ull << 30, "1\u00a0536\u00a0ГБ");
	T_OK(i18n_number("en", 100000, s, 7) == -1, "a buffer too small fails");
	T_OK(i18n_size("en", 2ull << 30, s, 5) == -1, "a size too long fails");
#undef NUM
#undef SIZE
}

static void test_accept_language(void)
{
#define AL(h, want) T_OK(strcmp(i18n_lang_from_accept_language(h), want) == 0, "%s -> %s", #h, want)
	AL("ru-RU,ru;q=0.9,en;q=0.8", "ru");
	AL("de, fr;q=0.5", "en");
	AL("de, ru;q=0.5", "ru");
	AL("en;q=0.5, ru;q=0.6", "ru");
	AL("en, ru", "en");
	AL("ru;q=0, en;q=0.1", "en");
	AL("ru;q=0", "en");
	AL("ru;q=0.000", "en");
	AL("RU", "ru");
	AL("de;q=1, ru;q=0.001", "ru");
	AL("*;q=0.5, ru;q=0.4", "en");
	AL("ru;q=1.5", "en");
	AL("ru;q=0.1234", "en");
	AL("ru;q=abc", "en");
	AL("ru;level=1", "en");
	AL("ru ;q=0.7 ", "ru");
	AL("rus", "en");
	AL("r", "en");
	AL("", "en");
	AL(";;;,,,===", "en");
	AL("\xff\xfe garbage", "en");
	T_CHECK(strcmp(i18n_lang_from_accept_language(NULL), "en") == 0);
	/* A long header is bounded, not a crash. */
	static char longh[20000];
	for (size_t i = 0; i + 3 < sizeof(longh); i += 3)
		memcpy(longh + i, "de,", 3);
	T_CHECK(strcmp(i18n_lang_from_accept_language(longh), "en") == 0);
}

static void test_lookup_and_format(void)
{
	T_CHECK(strcmp(i18n_get("ru", "nav.replies"), "Ответы") == 0);
	T_CHECK(strcmp(i18n_get("xx", "nav.replies"), "Replies") == 0);
	T_CHECK(strcmp(i18n_get(NULL, "nav.replies"), "Replies") == 0);
	T_CHECK(i18n_get("en", "no.such.key") == NULL);

	struct buf b;
	buf_init(&b, 4096);
	const char *names[] = {"max_size", "max_files", "max_chars"};
	const char *values[] = {"500&nbsp;MB", "10", "100"};
	T_CHECK(i18n_format(&b, "en", "submit.limits", 3, names, values) == I18N_OK);
	T_CHECK(strcmp(buf_str(&b),
	               "Up to 10 files, 500&nbsp;MB in all; messages up to 100 characters.") == 0);
	buf_reset(&b);
	T_CHECK(i18n_format(&b, "ru", "submit.limits", 3, names, values) == I18N_OK &&
	        strstr(buf_str(&b), "10") != NULL && strstr(buf_str(&b), "500&nbsp;MB") != NULL &&
	        strchr(buf_str(&b), '{') == NULL);
	/* The catalogue text is escaped: the apostrophe of "I'm new". */
	buf_reset(&b);
	T_CHECK(i18n_format(&b, "en", "landing.new", 0, NULL, NULL) == I18N_OK &&
	        strstr(buf_str(&b), "I&#39;m new") != NULL);
	buf_reset(&b);
	T_CHECK(i18n_format(&b, "en", "submit.limits", 2, names, values) == I18N_MISSING_ARG);
	buf_reset(&b);
	T_CHECK(i18n_format(&b, "en", "no.such.key", 0, NULL, NULL) == I18N_UNKNOWN_KEY);
	buf_release(&b);
	struct buf tiny;
	buf_init(&tiny, 10);
	T_CHECK(i18n_format(&tiny, "en", "login.error", 0, NULL, NULL) == I18N_TOO_LARGE);
	buf_release(&tiny);
	T_CHECK(strcmp(i18n_result_str(I18N_MISSING_ARG), "unknown error") != 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_catalogues();
	test_numbers();
	test_accept_language();
	test_lookup_and_format();
	return t_done();
}
