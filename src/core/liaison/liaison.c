/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * liaison: what the use cases of core/liaison share (liaison_internal.h):
 * subjects and roles, messages, ledger entries, topics.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/liaison/bundle.h"
#include "core/liaison/liaison_internal.h"

#include "lib/banned.h"

const char *liaison_strerror(enum liaison_result r)
{
	switch (r) {
	case LIAISON_OK:
		return "ok";
	case LIAISON_NOT_FOUND:
		return "not found";
	case LIAISON_BAD_INPUT:
		return "bad input";
	case LIAISON_FORBIDDEN:
		return "forbidden";
	case LIAISON_EXISTS:
		return "already exists";
	case LIAISON_REFUSED:
		return "refused";
	case LIAISON_CANNOT_OPEN:
		return "this session holds no key to open it";
	case LIAISON_FAILED:
		return "failed";
	}
	return "unknown";
}

void li_say(struct liaison_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
}

enum liaison_result li_subject(struct registry *r, const struct officer_key *as, uint32_t roles,
                               struct access_subject *subj, struct liaison_error *err)
{
	if (as == NULL)
		return LIAISON_FORBIDDEN;
	enum registry_result rc = registry_subject(r, officer_key_id(as), subj);
	if (rc == REGISTRY_FAILED)
		return LIAISON_FAILED;
	if (rc != REGISTRY_OK) {
		li_say(err, "no such officer");
		return LIAISON_FORBIDDEN;
	}
	if ((subj->roles & roles) == 0) {
		li_say(err, "this needs the %s role",
		       roles == ACCESS_ROLE_RELEASING ? "releasing"
		       : roles == ACCESS_ROLE_ANALYST ? "analyst"
		       : roles == ACCESS_ROLE_ADMIN   ? "admin"
		                                      : "admin or releasing");
		return LIAISON_FORBIDDEN;
	}
	return LIAISON_OK;
}

int li_actor(const struct officer_key *as, char actor[static LEDGER_TOKEN_MAX + 1])
{
	return officer_key_actor(as, actor, LEDGER_TOKEN_MAX + 1);
}

enum store_result li_log_in(struct store *s, enum ledger_action action, const char *actor,
                            const char *kind, int64_t id, const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1] = "";
	if (id > 0) {
		int n = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
		if (n < 0 || (size_t)n >= sizeof obj)
			return STORE_TOO_LARGE;
	}
	return ledger_record_in(s, action, actor, obj, marking, detail);
}

struct log_tx {
	enum ledger_action action;
	const char *actor, *kind, *marking, *detail;
	int64_t id;
};

static enum store_result log_tx(struct store *s, void *arg)
{
	struct log_tx *a = arg;
	return li_log_in(s, a->action, a->actor, a->kind, a->id, a->marking, a->detail);
}

enum store_result li_log(struct store *s, enum ledger_action action, const char *actor,
                         const char *kind, int64_t id, const char *marking, const char *detail)
{
	struct log_tx a = {.action = action,
	                   .actor = actor,
	                   .kind = kind,
	                   .id = id,
	                   .marking = marking,
	                   .detail = detail};
	return store_write(s, NULL, 0, log_tx, &a);
}

/* The next topic of a stored form at *p: its start and length; false at the end. */
static bool topic_next(const char **p, const char **t, size_t *n)
{
	if (**p == '\0')
		return false;
	*t = *p;
	const char *c = strchr(*p, ',');
	*n = c ? (size_t)(c - *p) : strlen(*p);
	*p = c ? c + 1 : *p + *n;
	return true;
}

void li_topics_common(const char *a, const char *b, char out[static STORE_TOPICS_MAX + 1])
{
	size_t k = 0;
	const char *pa = a, *ta, *tb;
	size_t na, nb;
	out[0] = '\0';
	while (topic_next(&pa, &ta, &na)) {
		const char *pb = b;
		while (topic_next(&pb, &tb, &nb)) {
			if (na == nb && memcmp(ta, tb, na) == 0 && k + na + 1 <= STORE_TOPICS_MAX) {
				if (k)
					out[k++] = ',';
				memcpy(out + k, ta, na);
				k += na;
				out[k] = '\0';
				break;
			}
		}
	}
}

static int topic_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

enum liaison_result liaison_topics_parse(const char *vocabulary, const char *in,
                                         char out[static STORE_TOPICS_MAX + 1],
                                         struct liaison_error *err)
{
	char copy[STORE_TOPICS_MAX + 1];
	const char *names[STORE_TOPICS_MAX / 2 + 1];
	size_t n = 0;
	out[0] = '\0';
	if (in == NULL || strcmp(in, "none") == 0 || in[0] == '\0')
		return LIAISON_OK;
	if (strnlen(in, sizeof copy) >= sizeof copy) {
		li_say(err, "too many topics (at most %d bytes)", STORE_TOPICS_MAX);
		return LIAISON_BAD_INPUT;
	}
	memcpy(copy, in, strlen(in) + 1);
	for (char *p = copy; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		char *t = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		/* one of the vocabulary's */
		const char *v = vocabulary ? vocabulary : "", *tv;
		size_t nv;
		bool known = false;
		while (topic_next(&v, &tv, &nv))
			if (nv == strlen(t) && memcmp(tv, t, nv) == 0)
				known = true;
		if (!known) {
			li_say(err, "unknown topic '%.64s' (the topics: %.300s)", t,
			       vocabulary ? vocabulary : "");
			return LIAISON_BAD_INPUT;
		}
		names[n++] = t;
	}
	qsort(names, n, sizeof names[0], topic_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		size_t len = strlen(names[i]);
		if (k + len + 1 > STORE_TOPICS_MAX) {
			li_say(err, "too many topics");
			return LIAISON_BAD_INPUT;
		}
		if (k)
			out[k++] = ',';
		memcpy(out + k, names[i], len);
		k += len;
		out[k] = '\0';
	}
	if (!store_topics_ok(out)) {
		li_say(err, "a topic is 1 to %d of a-z, 0-9 and '-'", STORE_TOPIC_MAX);
		out[0] = '\0';
		return LIAISON_BAD_INPUT;
	}
	return LIAISON_OK;
}

struct by_key {
	const char *name;
	struct store_partner *out;
	uint8_t *pk;
	bool found;
};

static int by_key(void *ctx, const struct store_partner *p)
{
	struct by_key *k = ctx;
	char name[LEDGER_ORIGIN_MAX + 1];
	uint8_t pk[32];
	if (ledger_vkey_parse(p->vkey, strlen(p->vkey), name, pk) != 0 ||
	    strcmp(name, k->name) != 0)
		return 0;
	*k->out = *p;
	memcpy(k->pk, pk, 32);
	k->found = true;
	return 1;
}

enum liaison_result li_partner_by_key(struct store *s, const char *name, struct store_partner *out,
                                      uint8_t pk[static 32])
{
	struct by_key k = {.name = name, .out = out, .pk = pk};
	enum store_result sr = store_partners(s, by_key, &k);
	if (sr != STORE_OK && sr != STORE_STOP)
		return LIAISON_FAILED;
	return k.found ? LIAISON_OK : LIAISON_NOT_FOUND;
}

/* s[0..n) without the spaces around it. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

int liaison_marking_map(const char *map, const char *marking, char *out, size_t cap)
{
	size_t ml = strlen(marking);
	const char *p = map;
	if (cap)
		out[0] = '\0';
	if (map == NULL || strcmp(map, "none") == 0)
		return 0;
	while (*p) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		const char *k = p, *v = eq ? eq + 1 : NULL;
		size_t kl = eq ? (size_t)(eq - p) : len, vl = eq ? len - kl - 1 : 0;
		trim(&k, &kl);
		if (kl == 0 && eq == NULL) { /* nothing between two ';' */
			p = end ? end + 1 : p + len;
			continue;
		}
		if (eq == NULL || memchr(v, '=', vl) != NULL)
			return -1;
		trim(&v, &vl);
		if (kl == 0 || vl == 0)
			return -1;
		if (kl == ml && memcmp(k, marking, ml) == 0) {
			if (vl >= cap)
				return -1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 1;
		}
		p = end ? end + 1 : p + len;
	}
	return 0;
}

enum liaison_result li_refuse(struct registry *r, const char *actor, store_id partner,
                              struct liaison_error *err)
{
	char reason[LEDGER_DETAIL_MAX + 1];
	bundle_reason_fit(err->msg, reason, LEDGER_DETAIL_MAX);
	if (li_log(registry_store(r), LEDGER_LIAISON_REFUSE, actor, "partner", partner, NULL,
	           reason) != STORE_OK)
		return LIAISON_FAILED;
	return LIAISON_REFUSED;
}
