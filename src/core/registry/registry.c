/* SPDX-License-Identifier: AGPL-3.0-or-later */
#include "core/registry/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/inbox/inbox.h"
#include "core/keys/label.h"
#include "core/ledger/ledger.h"
#include "core/keys/seal.h"
#include "core/store/store_officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include "lib/banned.h"

#define BODY_MAGIC "cutout-report-v1\n"
#define LNAME_MAX (sizeof REGISTRY_LABEL_PREFIX + MARKING_TEXT_MAX + 1)
#define OFFICERS_MAX 1000000
#define MARKINGS_MAX 1000000
#define WITHHELD "[title withheld]"

struct registry {
	struct store *s;
	struct marking_scheme scheme;
};

const char *registry_strerror(enum registry_result r)
{
	switch (r) {
	case REGISTRY_OK:
		return "ok";
	case REGISTRY_NOT_FOUND:
		return "no such object";
	case REGISTRY_BAD_INPUT:
		return "bad input";
	case REGISTRY_ABOVE_CLEARANCE:
		return "the marking is above your clearance";
	case REGISTRY_WRITE_DOWN:
		return "refused: no write down";
	case REGISTRY_NEEDS_REASON:
		return "lowering a marking is a downgrade: give a written reason";
	case REGISTRY_FORBIDDEN:
		return "not allowed for this officer";
	case REGISTRY_EXISTS:
		return "it exists already";
	case REGISTRY_CANNOT_OPEN:
		return "your session holds no key for this object (log in again)";
	case REGISTRY_FAILED:
		return "internal failure (store, crypto or memory)";
	}
	return "unknown result";
}

__attribute__((format(printf, 2, 3))) static void say(struct registry_error *err, const char *fmt,
                                                      ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0'; /* a truncated message is still a message */
}

enum registry_result registry_new(struct store *s, const struct marking_scheme *scheme,
                                  struct registry **out)
{
	*out = NULL;
	if (s == NULL || scheme == NULL || s->be->registry == NULL || s->be->officer == NULL)
		return REGISTRY_FAILED;
	struct registry *r = calloc(1, sizeof *r);
	if (r == NULL)
		return REGISTRY_FAILED;
	r->s = s;
	r->scheme = *scheme;
	*out = r;
	return REGISTRY_OK;
}

void registry_free(struct registry **r)
{
	if (r == NULL || *r == NULL)
		return;
	free(*r);
	*r = NULL;
}

const struct marking_scheme *registry_scheme(const struct registry *r)
{
	return &r->scheme;
}

struct store *registry_store(const struct registry *r)
{
	return r->s;
}

/* ---- subjects ---- */

static void subject_of(const struct registry *r, const struct store_officer *o,
                       struct access_subject *out)
{
	memset(out, 0, sizeof *out);
	out->nationality = marking_country_find(o->nationality, strnlen(o->nationality, 3));
	out->roles = o->roles;
	/* an unparsable clearance, or a disabled officer: id 0, which access_decide denies */
	if (o->disabled || marking_parse(&r->scheme, o->clearance, strlen(o->clearance),
	                                 &out->clearance, NULL) != MARKING_OK)
		return;
	out->id = o->id;
}

enum registry_result registry_subject(struct registry *r, store_id officer,
                                      struct access_subject *out)
{
	struct store_officer row;
	enum store_result sr = r->s->be->officer->get(r->s, officer, &row);
	memset(out, 0, sizeof *out);
	if (sr == STORE_NOT_FOUND)
		return REGISTRY_NOT_FOUND;
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	if (row.disabled)
		return REGISTRY_NOT_FOUND;
	subject_of(r, &row, out);
	sodium_memzero(&row, sizeof row);
	return REGISTRY_OK;
}

/* ---- every officer, for label wrapping ---- */

struct off {
	store_id id;
	char name[STORE_OFFICER_NAME_MAX + 1];
	uint8_t pk[32];
	bool usable; /* enabled, with keys */
	struct access_subject subj;
};

struct offs {
	const struct registry *r;
	struct off *v;
	size_t n, cap;
	int failed;
};

static int offs_push(void *ctx, const struct store_officer *o)
{
	struct offs *a = ctx;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		if (cap > OFFICERS_MAX)
			goto fail;
		struct off *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		a->v = v;
		a->cap = cap;
	}
	struct off *f = &a->v[a->n++];
	memset(f, 0, sizeof *f);
	f->id = o->id;
	memcpy(f->name, o->name, sizeof f->name);
	memcpy(f->pk, o->pk, 32);
	f->usable = !o->disabled && o->wrapped_sk_len > 0;
	subject_of(a->r, o, &f->subj);
	return 0;
fail:
	a->failed = 1;
	return 1;
}

static enum registry_result offs_load(struct registry *r, struct offs *a)
{
	memset(a, 0, sizeof *a);
	a->r = r;
	if (r->s->be->officer->list(r->s, offs_push, a) != STORE_OK || a->failed) {
		free(a->v);
		a->v = NULL;
		return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

static const struct off *offs_by_name(const struct offs *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

static const char *offs_name(const struct offs *a, store_id id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].id == id)
			return a->v[i].name;
	return "?";
}

static bool covers(const struct off *f, const struct marking *m)
{
	return f->usable && access_clearance_covers(&f->subj, m, NULL) == ACCESS_ALLOW;
}

/* ---- marking labels ---- */

int registry_label_name(const struct registry *r, const struct marking *m, char *out, size_t cap)
{
	char text[MARKING_TEXT_MAX + 3];
	if (marking_format(&r->scheme, m, false, text, sizeof text) < 0)
		return -1;
	int n = snprintf(out, cap, "%s%s", REGISTRY_LABEL_PREFIX, text);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/*
 * The ledger entry of a registry event, by `as` (NULL: the instance's admin
 * identity). The action is reported done only once the entry is durable.
 * object: "kind:id" or NULL; marking: canonical text or NULL.
 */
static enum registry_result reg_log(struct registry *r, enum ledger_action action,
                                    const struct officer_key *as, const char *object,
                                    const char *marking, const char *detail)
{
	char actor[LEDGER_TOKEN_MAX + 1];
	if (officer_key_actor(as, actor, sizeof actor) != 0)
		return REGISTRY_FAILED;
	return ledger_record(r->s, action, actor, object, marking, detail) == LEDGER_OK
	               ? REGISTRY_OK
	               : REGISTRY_FAILED;
}

/* reg_log about "kind:id". */
static enum registry_result reg_log_id(struct registry *r, enum ledger_action action,
                                       const struct officer_key *as, const char *kind, int64_t id,
                                       const char *marking, const char *detail)
{
	char obj[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "%s:%lld", kind, (long long)id);
	if (n < 0 || (size_t)n >= sizeof obj)
		return REGISTRY_FAILED;
	return reg_log(r, action, as, obj, marking, detail);
}

/* A new version of m's label wrapped to every officer covering m (version 0: next). */
static enum registry_result label_rotate(struct registry *r, const struct offs *a,
                                         const char *lname, const struct marking *m,
                                         uint32_t version, uint32_t *out_version,
                                         uint8_t out_pk[32])
{
	enum registry_result rc = REGISTRY_FAILED;
	store_id *ids = calloc(a->n ? a->n : 1, sizeof *ids);
	uint8_t(*pks)[32] = calloc(a->n ? a->n : 1, sizeof *pks);
	size_t n = 0;
	if (ids == NULL || pks == NULL)
		goto out;
	for (size_t i = 0; i < a->n; i++)
		if (covers(&a->v[i], m)) {
			ids[n] = a->v[i].id;
			memcpy(pks[n], a->v[i].pk, 32);
			n++;
		}
	uint32_t made = 0;
	enum label_result lr = label_add_version(r->s, lname, version, NULL, ids,
	                                         (const uint8_t(*)[32])pks, n, &made, out_pk);
	rc = lr == LABEL_OK ? REGISTRY_OK : lr == LABEL_EXISTS ? REGISTRY_EXISTS : REGISTRY_FAILED;
	if (out_version != NULL)
		*out_version = made;
	if (rc == REGISTRY_OK) {
		/* a marking label's new version (version 1 is its creation) */
		char detail[64], text[MARKING_TEXT_MAX + 1];
		int k = snprintf(detail, sizeof detail, "version %u wrapped to %zu officers",
		                 (unsigned)made, n);
		if (k < 0 || (size_t)k >= sizeof detail ||
		    marking_format(&r->scheme, m, false, text, sizeof text) < 0)
			rc = REGISTRY_FAILED;
		else
			rc = reg_log(r, LEDGER_LABEL_ROTATE, NULL, "label:marking", text, detail);
	}
out:
	free(ids);
	free(pks);
	return rc;
}

enum registry_result registry_label(struct registry *r, const struct marking *m, uint32_t *version,
                                    uint8_t pk[static 32])
{
	char lname[LNAME_MAX];
	if (registry_label_name(r, m, lname, sizeof lname) != 0)
		return REGISTRY_BAD_INPUT;
	store_id mid = 0;
	if (r->s->be->registry->marking_id(r->s, lname + strlen(REGISTRY_LABEL_PREFIX), &mid) !=
	    STORE_OK)
		return REGISTRY_FAILED;
	enum label_result lr = label_current(r->s, lname, version, pk);
	if (lr == LABEL_OK)
		return REGISTRY_OK;
	if (lr != LABEL_NOT_FOUND)
		return REGISTRY_FAILED;
	struct offs a;
	if (offs_load(r, &a) != REGISTRY_OK)
		return REGISTRY_FAILED;
	enum registry_result rc = label_rotate(r, &a, lname, m, 1, version, pk);
	free(a.v);
	if (rc == REGISTRY_EXISTS) /* made meanwhile by another writer */
		rc = label_current(r->s, lname, version, pk) == LABEL_OK ? REGISTRY_OK
		                                                         : REGISTRY_FAILED;
	return rc;
}

struct held {
	char (*names)[LNAME_MAX];
	uint32_t *versions;
	size_t n, cap;
	int failed;
};

static int held_push(void *ctx, const char *name, uint32_t version, const uint8_t *w, size_t n)
{
	(void)w;
	(void)n;
	struct held *h = ctx;
	if (strncmp(name, REGISTRY_LABEL_PREFIX, strlen(REGISTRY_LABEL_PREFIX)) != 0 ||
	    strlen(name) >= LNAME_MAX)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		if (cap > MARKINGS_MAX)
			goto fail;
		char(*nm)[LNAME_MAX] = realloc(h->names, cap * sizeof *nm);
		if (nm == NULL)
			goto fail;
		h->names = nm;
		uint32_t *v = realloc(h->versions, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		h->versions = v;
		h->cap = cap;
	}
	memcpy(h->names[h->n], name, strlen(name) + 1);
	h->versions[h->n] = version;
	h->n++;
	return 0;
fail:
	h->failed = 1;
	return 1;
}

/* Whether h holds name (at version, or any version when version is 0). */
static bool held_has(const struct held *h, const char *name, uint32_t version)
{
	for (size_t i = 0; i < h->n; i++)
		if ((version == 0 || h->versions[i] == version) && strcmp(h->names[i], name) == 0)
			return true;
	return false;
}

struct texts {
	char (*v)[STORE_MARKING_MAX];
	size_t n, cap;
	int failed;
};

static int texts_push(void *ctx, store_id id, const char *text)
{
	(void)id;
	struct texts *t = ctx;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		if (cap > MARKINGS_MAX)
			goto fail;
		char(*v)[STORE_MARKING_MAX] = realloc(t->v, cap * sizeof *v);
		if (v == NULL)
			goto fail;
		t->v = v;
		t->cap = cap;
	}
	size_t n = strnlen(text, STORE_MARKING_MAX - 1);
	memcpy(t->v[t->n], text, n);
	t->v[t->n][n] = '\0';
	t->n++;
	return 0;
fail:
	t->failed = 1;
	return 1;
}

/* The officer's wrap of one label version, found in the store (label_wraps). */
struct fresh_wrap {
	const char *name;
	uint32_t version;
	uint8_t *wrap;
	size_t len;
	struct age_identity *opened;
};

static int find_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct fresh_wrap *fw = ctx;
	if (fw->wrap != NULL || version != fw->version || strcmp(name, fw->name) != 0 || n == 0)
		return 0;
	fw->wrap = malloc(n);
	if (fw->wrap == NULL)
		return 1;
	memcpy(fw->wrap, wrap, n);
	fw->len = n;
	return 1;
}

/*
 * The identity of label lname, version v, for `as`: from the session, else —
 * wrapped to them since their login (a new marking, a rotation) — their wrap
 * in the store opened with their own key (*owned: the caller frees it).
 * NULL if they hold neither.
 */
static const struct age_identity *label_identity(const struct registry *r,
                                                 const struct officer_key *as, const char *lname,
                                                 uint32_t v, struct age_identity **owned)
{
	*owned = NULL;
	const struct age_identity *id = officer_key_label(as, lname, v);
	if (id != NULL)
		return id;
	struct fresh_wrap fw = {.name = lname, .version = v};
	const struct age_identity *const *own = NULL;
	if (officer_key_identities(as, &own) > 0 &&
	    label_wraps(r->s, officer_key_id(as), find_wrap, &fw) == LABEL_OK && fw.wrap != NULL &&
	    label_open(own[0], fw.wrap, fw.len, &fw.opened) == LABEL_OK)
		*owned = fw.opened;
	free(fw.wrap);
	return *owned;
}

/* clearance.grant / clearance.revoke: officer `target` gained or lost marking's label. */
static enum registry_result reg_log_officer(struct registry *r, enum ledger_action action,
                                            const struct officer_key *as, const struct off *target,
                                            const char *marking)
{
	char obj[LEDGER_TOKEN_MAX + 1];
	int n = snprintf(obj, sizeof obj, "officer:%s", target->name);
	if (n < 0 || (size_t)n >= sizeof obj)
		return REGISTRY_FAILED;
	return reg_log(r, action, as, obj, marking, "label key");
}

enum registry_result registry_officer_changed(struct registry *r, const struct officer_key *as,
                                              const char *name)
{
	enum registry_result rc = REGISTRY_FAILED;
	struct offs a = {0};
	struct held h = {0};
	struct texts t = {0};

	if (offs_load(r, &a) != REGISTRY_OK)
		goto out;
	const struct off *target = name ? offs_by_name(&a, name) : NULL;
	if (target == NULL) {
		rc = REGISTRY_NOT_FOUND;
		goto out;
	}
	if (label_wraps(r->s, target->id, held_push, &h) != LABEL_OK || h.failed)
		goto out;
	if (r->s->be->registry->markings(r->s, texts_push, &t) != STORE_OK || t.failed)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct marking m;
		char lname[LNAME_MAX];
		uint32_t cur = 0;
		uint8_t pk[32];
		if (marking_parse(&r->scheme, t.v[i], strlen(t.v[i]), &m, NULL) != MARKING_OK ||
		    registry_label_name(r, &m, lname, sizeof lname) != 0)
			continue; /* a marking of another scheme: nobody covers it */
		enum label_result lr = label_current(r->s, lname, &cur, pk);
		if (lr == LABEL_NOT_FOUND && covers(target, &m)) {
			/* a marking in use (the default of submissions) with no label
			   yet: made now that someone can hold it, wrapped to all who do */
			enum registry_result mr = label_rotate(r, &a, lname, &m, 1, NULL, NULL);
			if (mr != REGISTRY_OK && mr != REGISTRY_EXISTS)
				goto out;
			if (reg_log_officer(r, LEDGER_CLEARANCE_GRANT, as, target, t.v[i]) !=
			    REGISTRY_OK)
				goto out;
			continue;
		}
		if (lr == LABEL_NOT_FOUND)
			continue;
		if (lr != LABEL_OK)
			goto out;
		if (covers(target, &m)) {
			/* every version they lack that `as` holds (older ones too: objects
			 * sealed before a reset open again), then the current one */
			bool has_current = held_has(&h, lname, cur), granted = false;
			bool got_current = has_current;
			for (uint32_t v = 1; v <= cur; v++) {
				if (held_has(&h, lname, v))
					continue;
				struct age_identity *owned = NULL;
				const struct age_identity *id =
				        label_identity(r, as, lname, v, &owned);
				if (id == NULL)
					continue;
				enum label_result gr =
				        label_grant(r->s, lname, v, target->id, id, target->pk);
				age_identity_free(&owned);
				if (gr != LABEL_OK)
					goto out;
				granted = true;
				got_current = got_current || v == cur;
			}
			if (has_current && !granted)
				continue;
			if (reg_log_officer(r, LEDGER_CLEARANCE_GRANT, as, target, t.v[i]) !=
			    REGISTRY_OK)
				goto out;
			if (!got_current &&
			    label_rotate(r, &a, lname, &m, 0, NULL, NULL) != REGISTRY_OK)
				goto out;
		} else if (held_has(&h, lname, 0)) {
			/* rotate first: a crash after it leaves the officer without the new key */
			if (label_rotate(r, &a, lname, &m, 0, NULL, NULL) != REGISTRY_OK ||
			    label_revoke(r->s, lname, target->id) != LABEL_OK ||
			    reg_log_officer(r, LEDGER_CLEARANCE_REVOKE, as, target, t.v[i]) !=
			            REGISTRY_OK)
				goto out;
		}
	}
	rc = REGISTRY_OK;
out:
	free(a.v);
	free(h.names);
	free(h.versions);
	free(t.v);
	return rc;
}

/* ---- submissions under the decision ---- */

bool registry_submission_readable(const struct registry *r, const struct access_subject *subj,
                                  const struct store_submission *sub)
{
	struct access_object obj;
	memset(&obj, 0, sizeof obj);
	if (marking_parse(&r->scheme, sub->marking, strnlen(sub->marking, sizeof sub->marking),
	                  &obj.marking, NULL) != MARKING_OK)
		return false;
	/*
	 * A submission's distribution is the holders of the intake role. As a
	 * report listing does, the decision gets the reader's own entry of it.
	 */
	int64_t me = subj->id;
	obj.dist_unrestricted = false;
	obj.dist = &me;
	obj.ndist = (subj->roles & ACCESS_ROLE_INTAKE) ? 1 : 0;
	return access_decide(subj, &obj, NULL) == ACCESS_ALLOW;
}

/* The name of the label a submission's outer layer is sealed to. 0 or -1. */
static int submission_label(const struct registry *r, const struct store_submission *sub,
                            char lname[static LNAME_MAX])
{
	struct marking m;
	if (marking_parse(&r->scheme, sub->marking, strnlen(sub->marking, sizeof sub->marking), &m,
	                  NULL) != MARKING_OK)
		return -1;
	return registry_label_name(r, &m, lname, LNAME_MAX);
}

#define FRESH_MAX 64 /* intake label versions wrapped since one login */

/* The officer's wraps of intake label versions their session lacks, opened. */
struct fresh {
	const struct officer_key *as;
	const struct age_identity *self;
	struct age_identity **got;
	size_t n;
};

static int fresh_wrap(void *ctx, const char *name, uint32_t version, const uint8_t *wrap, size_t n)
{
	struct fresh *f = ctx;
	struct age_identity *id = NULL;
	if (f->n == FRESH_MAX || strcmp(name, LABEL_INTAKE) != 0 ||
	    officer_key_label(f->as, name, version) != NULL)
		return 0;
	if (label_open(f->self, wrap, n, &id) == LABEL_OK)
		f->got[f->n++] = id;
	return 0;
}

void registry_submission_keys(const struct registry *r, const struct officer_key *as,
                              const struct store_submission *sub, struct inbox_keys *k)
{
	memset(k, 0, sizeof *k);
	k->n = officer_key_identities(as, &k->ids);
	k->layered = sub->seal_version != 0;
	char lname[LNAME_MAX];
	if (k->layered && submission_label(r, sub, lname) == 0)
		k->outer = label_identity(r, as, lname, sub->seal_version, &k->owned);
	/*
	 * The intake label rotated since the login (an intake officer removed):
	 * its new versions, wrapped to this officer in the store, open with their
	 * own key, so a live session reads what is sealed after the rotation.
	 */
	struct fresh f = {.as = as, .got = calloc(FRESH_MAX, sizeof *f.got)};
	f.self = k->n > 0 ? k->ids[0] : NULL;
	if (f.got == NULL || f.self == NULL ||
	    label_wraps(r->s, officer_key_id(as), fresh_wrap, &f) != LABEL_OK || f.n == 0)
		goto none;
	k->all = calloc(k->n + f.n, sizeof *k->all);
	if (k->all == NULL)
		goto none;
	for (size_t i = 0; i < k->n; i++)
		k->all[i] = k->ids[i];
	for (size_t i = 0; i < f.n; i++)
		k->all[k->n + i] = f.got[i];
	k->ids = k->all;
	k->n += f.n;
	k->fresh = f.got;
	k->nfresh = f.n;
	return;
none:
	for (size_t i = 0; i < f.n; i++)
		age_identity_free(&f.got[i]);
	free(f.got);
}

/* ---- reports: the body ---- */

void registry_report_free(struct registry_report **rep)
{
	if (rep == NULL || *rep == NULL)
		return;
	struct registry_report *p = *rep;
	for (size_t i = 0; i < p->nparas; i++) {
		if (p->paras[i].text) {
			sodium_memzero(p->paras[i].text, p->paras[i].len);
			free(p->paras[i].text);
		}
	}
	free(p->paras);
	free(p);
	*rep = NULL;
}

static struct registry_report *report_new(void)
{
	return calloc(1, sizeof(struct registry_report));
}

static int para_add(struct registry_report *rep, const struct marking *m, const char *text,
                    size_t len)
{
	if (rep->nparas >= REGISTRY_PARAS_MAX + 1)
		return -1;
	struct registry_para *p = realloc(rep->paras, (rep->nparas + 1) * sizeof *p);
	if (p == NULL)
		return -1;
	rep->paras = p;
	char *t = malloc(len + 1);
	if (t == NULL)
		return -1;
	if (len)
		memcpy(t, text, len);
	t[len] = '\0';
	rep->paras[rep->nparas++] = (struct registry_para){.portion = *m, .text = t, .len = len};
	return 0;
}

/* The overall marking: combine of every portion. */
static enum registry_result overall(const struct registry *r, struct registry_report *rep,
                                    struct registry_error *err)
{
	if (rep->nparas == 0) {
		say(err, "a report needs a title");
		return REGISTRY_BAD_INPUT;
	}
	struct marking m = rep->paras[0].portion;
	for (size_t i = 1; i < rep->nparas; i++) {
		enum marking_result mr =
		        marking_combine(&r->scheme, &m, &rep->paras[i].portion, &m);
		if (mr == MARKING_ERR_NO_RELEASE) {
			say(err,
			    "paragraph %zu: the release lists of the portions have no nation in "
			    "common, nobody could read the report",
			    i);
			return REGISTRY_BAD_INPUT;
		}
		if (mr != MARKING_OK) {
			say(err,
			    "paragraph %zu: the combined marking is too long or of another scheme",
			    i);
			return REGISTRY_BAD_INPUT;
		}
	}
	rep->marking = m;
	if (marking_format(&r->scheme, &m, false, rep->marking_text, sizeof rep->marking_text) < 0)
		return REGISTRY_FAILED;
	return REGISTRY_OK;
}

static bool text_ok(const char *p, size_t n, bool multiline)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0 || c == 0x7f || (c < 0x20 && !(multiline && c == '\n') && c != '\t'))
			return false;
	}
	return true;
}

static size_t line_end(const char *t, size_t len, size_t i)
{
	const char *nl = memchr(t + i, '\n', len - i);
	return nl ? (size_t)(nl - t) : len;
}

static bool blank(const char *t, size_t a, size_t b)
{
	for (size_t k = a; k < b; k++)
		if (t[k] != ' ' && t[k] != '\t' && t[k] != '\r')
			return false;
	return true;
}

enum registry_result registry_report_parse(const struct registry *r, const char *text, size_t len,
                                           struct registry_report **out, struct registry_error *err)
{
	enum registry_result rc = REGISTRY_BAD_INPUT;
	struct registry_report *rep = report_new();
	size_t i = 0;

	*out = NULL;
	if (rep == NULL)
		return REGISTRY_FAILED;
	if (len > REGISTRY_TEXT_MAX) {
		say(err, "the report is longer than %d bytes", REGISTRY_TEXT_MAX);
		goto out;
	}
	while (i < len) {
		size_t le = line_end(text, len, i);
		if (blank(text, i, le)) {
			i = le < len ? le + 1 : len;
			continue;
		}
		/* a block: lines up to a blank line */
		size_t start = i, end = le;
		i = le < len ? le + 1 : len;
		while (i < len) {
			size_t ne = line_end(text, len, i);
			if (blank(text, i, ne))
				break;
			end = ne;
			i = ne < len ? ne + 1 : len;
		}
		size_t bl = end - start;
		while (bl > 0 && (text[start + bl - 1] == '\n' || text[start + bl - 1] == '\r' ||
		                  text[start + bl - 1] == ' '))
			bl--;
		const char *b = text + start;
		size_t no = rep->nparas;
		if (bl == 0 || b[0] != '(') {
			say(err, "%s %zu: expected a portion marking such as (S) at its start",
			    no ? "paragraph" : "title", no);
			goto out;
		}
		const char *close = memchr(b, ')', bl);
		if (close == NULL) {
			say(err, "%s %zu: the portion marking has no closing ')'",
			    no ? "paragraph" : "title", no);
			goto out;
		}
		size_t ml = (size_t)(close - b) + 1;
		struct marking m;
		struct marking_error merr;
		if (marking_parse(&r->scheme, b, ml, &m, &merr) != MARKING_OK) {
			say(err, "%s %zu: portion marking %s", no ? "paragraph" : "title", no,
			    merr.msg);
			goto out;
		}
		const char *body = b + ml;
		size_t blen = bl - ml;
		while (blen > 0 && (*body == ' ' || *body == '\t')) {
			body++;
			blen--;
		}
		if (blen == 0) {
			say(err, "%s %zu: empty after its portion marking",
			    no ? "paragraph" : "title", no);
			goto out;
		}
		if (!text_ok(body, blen, no > 0) || (no == 0 && blen > REGISTRY_TITLE_MAX)) {
			say(err,
			    no ? "paragraph %zu: control characters"
			       : "title: one line of printable text, at most 512 bytes (%zu)",
			    no);
			goto out;
		}
		if (no >= REGISTRY_PARAS_MAX + 1) {
			say(err, "more than %d paragraphs", REGISTRY_PARAS_MAX);
			goto out;
		}
		if (para_add(rep, &m, body, blen) != 0) {
			rc = REGISTRY_FAILED;
			goto out;
		}
	}
	if (rep->nparas < 2) {
		say(err, "a report needs a title and at least one paragraph");
		goto out;
	}
	if ((rc = overall(r, rep, err)) != REGISTRY_OK)
		goto out;
	*out = rep;
	rep = NULL;
out:
	registry_report_free(&rep);
	return rc;
}

enum registry_result registry_report_format(const struct registry *r,
                                            const struct registry_report *rep, struct buf *out)
{
	char pm[MARKING_TEXT_MAX + 3];
	for (size_t i = 0; i < rep->nparas; i++) {
		if (marking_format(&r->scheme, &rep->paras[i].portion, true, pm, sizeof pm) < 0)
			return REGISTRY_FAILED;
		if ((i && buf_append_byte(out, '\n') != BUF_OK) ||
		    buf_printf(out, "%s ", pm) != BUF_OK ||
		    buf_append(out, rep->paras[i].text, rep->paras[i].len) != BUF_OK ||
		    buf_append_byte(out, '\n') != BUF_OK)
			return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

/* The plaintext of the sealed body: magic, then per paragraph "PORTION\nLEN\nTEXT\n". */
static enum registry_result body_encode(const struct registry *r, const struct registry_report *rep,
                                        struct buf *b)
{
	char pm[MARKING_TEXT_MAX + 3];
	if (buf_append_str(b, BODY_MAGIC) != BUF_OK)
		return REGISTRY_FAILED;
	for (size_t i = 0; i < rep->nparas; i++) {
		if (marking_format(&r->scheme, &rep->paras[i].portion, true, pm, sizeof pm) < 0 ||
		    buf_printf(b, "%s\n%zu\n", pm, rep->paras[i].len) != BUF_OK ||
		    buf_append(b, rep->paras[i].text, rep->paras[i].len) != BUF_OK ||
		    buf_append_byte(b, '\n') != BUF_OK)
			return REGISTRY_FAILED;
	}
	return REGISTRY_OK;
}

static enum registry_result body_decode(const struct registry *r, const uint8_t *p, size_t n,
                                        struct registry_report *rep)
{
	size_t ml = strlen(BODY_MAGIC), i = ml;
	if (n < ml || memcmp(p, BODY_MAGIC, ml) != 0)
		return REGISTRY_FAILED;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		if (nl == NULL)
			return REGISTRY_FAILED;
		struct marking m;
		if (marking_parse(&r->scheme, (const char *)p + i, (size_t)(nl - (p + i)), &m,
		                  NULL) != MARKING_OK)
			return REGISTRY_FAILED;
		i = (size_t)(nl - p) + 1;
		size_t len = 0, digits = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 8) {
			len = len * 10 + (size_t)(p[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || i >= n || p[i] != '\n')
			return REGISTRY_FAILED;
		i++;
		if (len > n - i || n - i - len < 1 || p[i + len] != '\n')
			return REGISTRY_FAILED;
		if (para_add(rep, &m, (const char *)p + i, len) != 0)
			return REGISTRY_FAILED;
		i += len + 1;
	}
	return REGISTRY_OK;
}

/* ---- reports: reading a row ---- */

struct row {
	struct store_report meta;
	int64_t *readers;
	uint8_t *body;
	int failed;
};

static int row_copy(void *ctx, const struct store_report *sr)
{
	struct row *w = ctx;
	w->meta = *sr;
	w->meta.readers = NULL;
	w->meta.body = NULL;
	w->readers = malloc((sr->nreaders ? sr->nreaders : 1) * sizeof *w->readers);
	w->body = sr->body_len ? malloc(sr->body_len) : NULL;
	if (w->readers == NULL || (sr->body_len && w->body == NULL)) {
		w->failed = 1;
		return 1;
	}
	if (sr->nreaders)
		memcpy(w->readers, sr->readers, sr->nreaders * sizeof *w->readers);
	if (sr->body_len)
		memcpy(w->body, sr->body, sr->body_len);
	return 0;
}

static void row_free(struct row *w)
{
	free(w->readers);
	free(w->body);
	w->readers = NULL;
	w->body = NULL;
}

/* Loads report id and asks THE decision for subj. NOT_FOUND for missing or denied. */
static enum registry_result report_decided(struct registry *r, const struct access_subject *subj,
                                           store_id id, struct row *w, struct marking *m)
{
	memset(w, 0, sizeof *w);
	enum store_result sr = r->s->be->registry->report_get(r->s, id, row_copy, w);
	if (sr == STORE_NOT_FOUND)
		return REGISTRY_NOT_FOUND;
	if (sr != STORE_OK || w->failed) {
		row_free(w);
		return REGISTRY_FAILED;
	}
	if (marking_parse(&r->scheme, w->meta.marking, strlen(w->meta.marking), m, NULL) !=
	    MARKING_OK) {
		row_free(w);
		return REGISTRY_NOT_FOUND; /* of another scheme: nobody reads it */
	}
	struct access_object obj = {.marking = *m,
	                            .dist_unrestricted = false,
	                            .dist = w->readers,
	                            .ndist = w->meta.nreaders};
	if (access_decide(subj, &obj, NULL) != ACCESS_ALLOW) {
		row_free(w);
		return REGISTRY_NOT_FOUND;
	}
	return REGISTRY_OK;
}

bool registry_report_readable(struct registry *r, const struct access_subject *subj, store_id id)
{
	struct row w;
	struct marking m;
	if (report_decided(r, subj, id, &w, &m) != REGISTRY_OK)
		return false;
	row_free(&w);
	return true;
}

/* ---- reports: writing ---- */

static enum registry_result check_cite(struct registry *r, const struct access_subject *subj,
                                       const struct marking *mine, const struct store_cite *c,
                                       struct registry_error *err)
{
	struct marking m;
	const char *kind = c->kind == STORE_CITE_REPORT ? "report" : "submission";
	if (c->kind == STORE_CITE_REPORT) {
		struct row w;
		enum registry_result rc = report_decided(r, subj, c->id, &w, &m);
		row_free(&w);
		if (rc == REGISTRY_NOT_FOUND)
			say(err, "cited report %lld: no such report", (long long)c->id);
		if (rc != REGISTRY_OK)
			return rc;
	} else if (c->kind == STORE_CITE_SUBMISSION) {
		struct store_submission sub;
		enum store_result sr = r->s->be->submission_get(r->s, c->id, &sub);
		if (sr != STORE_OK && sr != STORE_NOT_FOUND)
			return REGISTRY_FAILED;
		struct access_object obj = {.dist_unrestricted = true};
		if (sr == STORE_NOT_FOUND ||
		    marking_parse(&r->scheme, sub.marking, strnlen(sub.marking, sizeof sub.marking),
		                  &m, NULL) != MARKING_OK ||
		    (obj.marking = m, access_decide(subj, &obj, NULL) != ACCESS_ALLOW)) {
			say(err, "cited submission %lld: no such submission", (long long)c->id);
			return REGISTRY_NOT_FOUND;
		}
	} else {
		say(err, "a citation of an unknown kind");
		return REGISTRY_BAD_INPUT;
	}
	enum marking_dominance d = marking_dominance(mine, &m);
	if (d != MARKING_DOM_YES) {
		char mt[MARKING_TEXT_MAX + 3], ct[MARKING_TEXT_MAX + 3];
		if (marking_format(&r->scheme, mine, false, mt, sizeof mt) < 0 ||
		    marking_format(&r->scheme, &m, false, ct, sizeof ct) < 0)
			return REGISTRY_FAILED;
		say(err,
		    "the report's marking %s does not dominate %s %lld's marking %s "
		    "(%s)",
		    mt, kind, (long long)c->id, ct, marking_dominance_name(d));
		return REGISTRY_WRITE_DOWN;
	}
	return REGISTRY_OK;
}

static enum registry_result seal(const uint8_t pk[static 32], const struct buf *plain,
                                 struct buf *out)
{
	struct age_recipient *rc = NULL;
	if (age_recipient_from_x25519(pk, &rc) != AGE_OK)
		return REGISTRY_FAILED;
	const struct age_recipient *const rs[] = {rc};
	enum age_err e = age_encrypt_buf(rs, 1, plain->data, plain->len, out);
	age_recipient_free(&rc);
	return e == AGE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

enum registry_result registry_report_write(struct registry *r, const struct officer_key *as,
                                           const struct registry_report *draft,
                                           const char *declared, const struct store_cite *cites,
                                           size_t ncites, store_id *id, struct registry_error *err)
{
	enum registry_result rc;
	struct access_subject subj;
	struct registry_report copy;
	struct buf plain, sealed;
	uint32_t version = 0;
	uint8_t pk[32];
	store_id mid = 0;

	buf_init(&plain, REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64);
	buf_init(&sealed, STORE_REPORT_BODY_MAX);
	if (err)
		err->msg[0] = '\0';
	if (as == NULL || draft == NULL || draft->nparas < 2) {
		rc = REGISTRY_BAD_INPUT;
		goto out;
	}
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_NOT_FOUND ? REGISTRY_FORBIDDEN : rc;
		goto out;
	}
	if (!(subj.roles & ROLE_ANALYST)) {
		say(err, "writing reports needs the analyst role");
		rc = REGISTRY_FORBIDDEN;
		goto out;
	}
	copy = *draft;
	for (size_t i = 0; i < copy.nparas; i++)
		if (copy.paras[i].text == NULL || copy.paras[i].len == 0 ||
		    !text_ok(copy.paras[i].text, copy.paras[i].len, i > 0) ||
		    (i == 0 && copy.paras[i].len > REGISTRY_TITLE_MAX) || i > REGISTRY_PARAS_MAX) {
			say(err, "paragraph %zu: empty, too long or with control characters", i);
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
	if ((rc = overall(r, &copy, err)) != REGISTRY_OK)
		goto out;
	if (declared != NULL) {
		struct marking dm;
		struct marking_error merr;
		if (marking_parse(&r->scheme, declared, strlen(declared), &dm, &merr) !=
		    MARKING_OK) {
			say(err, "the declared marking: %s", merr.msg);
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (!marking_equal(&dm, &copy.marking)) {
			say(err,
			    "the declared marking is not the combination of the portions, which is "
			    "%s",
			    copy.marking_text);
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
	}
	if (access_clearance_covers(&subj, &copy.marking, NULL) != ACCESS_ALLOW) {
		say(err, "%s is above your clearance (or not releasable to your nationality)",
		    copy.marking_text);
		rc = REGISTRY_ABOVE_CLEARANCE;
		goto out;
	}
	for (size_t i = 0; i < ncites; i++)
		if ((rc = check_cite(r, &subj, &copy.marking, &cites[i], err)) != REGISTRY_OK)
			goto out;
	if ((rc = registry_label(r, &copy.marking, &version, pk)) != REGISTRY_OK ||
	    (rc = body_encode(r, &copy, &plain)) != REGISTRY_OK ||
	    (rc = seal(pk, &plain, &sealed)) != REGISTRY_OK)
		goto out;
	if (r->s->be->registry->marking_id(r->s, copy.marking_text, &mid) != STORE_OK) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	int64_t author = subj.id;
	if (r->s->be->registry->report_insert(r->s, author, store_today(), mid, version,
	                                      sealed.data, sealed.len, &author, 1, cites, ncites,
	                                      id) != STORE_OK) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	char detail[64];
	int k = snprintf(detail, sizeof detail, "%zu paragraphs, %zu citations", copy.nparas,
	                 ncites);
	rc = k < 0 || (size_t)k >= sizeof detail ? REGISTRY_FAILED
	                                         : reg_log_id(r, LEDGER_REPORT_WRITE, as, "report",
	                                                      *id, copy.marking_text, detail);
out:
	buf_wipe_release(&plain);
	buf_release(&sealed);
	return rc;
}

/* ---- reports: reading ---- */

enum registry_result registry_report_open(struct registry *r, const struct officer_key *as,
                                          store_id id, struct registry_report **out)
{
	enum registry_result rc;
	struct access_subject subj;
	struct row w = {0};
	struct marking m;
	struct registry_report *rep = NULL;
	struct buf plain;
	char lname[LNAME_MAX];

	*out = NULL;
	buf_init(&plain, REGISTRY_TEXT_MAX + 64 * (REGISTRY_PARAS_MAX + 1) + 64);
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
		goto out;
	}
	if ((rc = report_decided(r, &subj, id, &w, &m)) != REGISTRY_OK)
		goto out;
	if (registry_label_name(r, &m, lname, sizeof lname) != 0) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	struct age_identity *owned = NULL;
	const struct age_identity *key = label_identity(r, as, lname, w.meta.label_version, &owned);
	if (key == NULL) {
		rc = REGISTRY_CANNOT_OPEN;
		goto out;
	}
	const struct age_identity *const ids[] = {key};
	enum age_err ae = age_decrypt_buf(ids, 1, w.body, w.meta.body_len, &plain);
	age_identity_free(&owned);
	if (ae != AGE_OK) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	if ((rep = report_new()) == NULL) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	if ((rc = body_decode(r, plain.data, plain.len, rep)) != REGISTRY_OK ||
	    (rc = overall(r, rep, NULL)) != REGISTRY_OK)
		goto out;
	/* checked: the stored marking is the combination of the sealed portions */
	if (!marking_equal(&rep->marking, &m)) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	rep->id = w.meta.id;
	rep->author = w.meta.author;
	rep->day = w.meta.day;
	*out = rep;
	rep = NULL;
	rc = REGISTRY_OK;
out:
	registry_report_free(&rep);
	buf_wipe_release(&plain);
	row_free(&w);
	return rc;
}

struct mk {
	struct marking m;
	char text[STORE_MARKING_MAX];
	bool valid;
};

struct list_ctx {
	const struct registry *r;
	const struct access_subject *subj;
	struct mk *mk; /* indexed by marking id */
	size_t nmk;
	int64_t offset, limit, seen;
	int (*fn)(void *ctx, const struct registry_listing *l);
	void *ctx;
	bool stopped;
};

static int mk_load(void *ctx, store_id id, const char *text)
{
	struct list_ctx *c = ctx;
	if (id <= 0 || (uint64_t)id >= c->nmk)
		return 0;
	struct mk *k = &c->mk[id];
	size_t n = strnlen(text, STORE_MARKING_MAX - 1);
	memcpy(k->text, text, n);
	k->text[n] = '\0';
	k->valid = marking_parse(&c->r->scheme, text, n, &k->m, NULL) == MARKING_OK;
	return 0;
}

static int count_marking(void *ctx, store_id id, const char *text)
{
	(void)text;
	store_id *max = ctx;
	if (id > *max)
		*max = id;
	return 0;
}

static int list_one(void *ctx, const struct store_report *sr)
{
	struct list_ctx *c = ctx;
	if (sr->marking_id <= 0 || (uint64_t)sr->marking_id >= c->nmk ||
	    !c->mk[sr->marking_id].valid)
		return 0;
	/* the distribution as the store gives it for a listing: this reader's own entry */
	struct access_object obj = {.marking = c->mk[sr->marking_id].m,
	                            .dist_unrestricted = false,
	                            .dist = sr->readers,
	                            .ndist = sr->nreaders};
	if (access_decide(c->subj, &obj, NULL) != ACCESS_ALLOW)
		return 0;
	int64_t k = c->seen++;
	if (c->stopped || k < c->offset || (c->limit > 0 && k >= c->offset + c->limit))
		return 0;
	struct registry_listing l = {
	        .id = sr->id, .author = sr->author, .day = sr->day, .marking = sr->marking};
	if (c->fn(c->ctx, &l) != 0)
		c->stopped = true;
	return 0;
}

enum registry_result registry_report_list(struct registry *r, store_id officer, int64_t offset,
                                          int64_t limit,
                                          int (*fn)(void *ctx, const struct registry_listing *l),
                                          void *ctx, int64_t *total)
{
	struct access_subject subj;
	enum registry_result rc = registry_subject(r, officer, &subj);
	struct list_ctx c = {
	        .r = r, .subj = &subj, .offset = offset, .limit = limit, .fn = fn, .ctx = ctx};
	store_id max = 0;

	if (total)
		*total = 0;
	if (rc == REGISTRY_NOT_FOUND)
		return REGISTRY_OK; /* nothing for nobody */
	if (rc != REGISTRY_OK)
		return rc;
	if (offset < 0 || limit < 0)
		return REGISTRY_BAD_INPUT;
	/* the markings in use, parsed once */
	if (r->s->be->registry->markings(r->s, count_marking, &max) != STORE_OK)
		return REGISTRY_FAILED;
	if (max >= MARKINGS_MAX)
		return REGISTRY_FAILED;
	c.nmk = (size_t)max + 1;
	if ((c.mk = calloc(c.nmk, sizeof *c.mk)) == NULL)
		return REGISTRY_FAILED;
	rc = REGISTRY_FAILED;
	if (r->s->be->registry->markings(r->s, mk_load, &c) != STORE_OK)
		goto out;
	if (r->s->be->registry->report_candidates(r->s, officer, list_one, &c) != STORE_OK)
		goto out;
	if (total)
		*total = c.seen;
	rc = REGISTRY_OK;
out:
	free(c.mk);
	return rc;
}

/* ---- circulation ---- */

struct ids {
	int64_t *v;
	size_t n, cap;
	int failed;
};

static int ids_push(void *ctx, store_id x)
{
	struct ids *a = ctx;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		if (cap > STORE_READERS_MAX) {
			a->failed = 1;
			return 1;
		}
		int64_t *v = realloc(a->v, cap * sizeof *v);
		if (v == NULL) {
			a->failed = 1;
			return 1;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

enum registry_result registry_report_circulate(struct registry *r, const struct officer_key *as,
                                               store_id id, const char *const *lists, size_t nlists,
                                               const char *const *officers, size_t nofficers,
                                               struct registry_error *err)
{
	enum registry_result rc;
	struct access_subject subj;
	struct row w = {0};
	struct marking m;
	struct offs a = {0};
	struct ids readers = {0}, lids = {0};

	if (err)
		err->msg[0] = '\0';
	if ((rc = registry_subject(r, officer_key_id(as), &subj)) != REGISTRY_OK) {
		rc = rc == REGISTRY_FAILED ? rc : REGISTRY_NOT_FOUND;
		goto out;
	}
	if ((rc = report_decided(r, &subj, id, &w, &m)) != REGISTRY_OK) {
		say(err, "report %lld: no such report", (long long)id);
		goto out;
	}
	if ((rc = offs_load(r, &a)) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < nofficers; i++) {
		const struct off *f = officers[i] ? offs_by_name(&a, officers[i]) : NULL;
		if (f == NULL) {
			say(err, "no officer '%s'", officers[i] ? officers[i] : "");
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (ids_push(&readers, f->id) != 0) {
			rc = REGISTRY_FAILED;
			goto out;
		}
	}
	for (size_t i = 0; i < nlists; i++) {
		store_id lid = 0;
		enum store_result sr =
		        lists[i] ? r->s->be->registry->dist_find(r->s, lists[i], &lid, NULL)
		                 : STORE_NOT_FOUND;
		if (sr == STORE_NOT_FOUND) {
			say(err, "no distribution list '%s'", lists[i] ? lists[i] : "");
			rc = REGISTRY_BAD_INPUT;
			goto out;
		}
		if (sr != STORE_OK || ids_push(&lids, lid) != 0 ||
		    r->s->be->registry->dist_members(r->s, lid, ids_push, &readers) != STORE_OK ||
		    readers.failed) {
			rc = REGISTRY_FAILED;
			goto out;
		}
	}
	if (r->s->be->registry->report_circulate(r->s, id, readers.v, readers.n, lids.v, lids.n) !=
	    STORE_OK) {
		rc = REGISTRY_FAILED;
		goto out;
	}
	char text[MARKING_TEXT_MAX + 1], detail[96];
	int k = snprintf(detail, sizeof detail, "to %zu officers and %zu lists", readers.n, lids.n);
	rc = k < 0 || (size_t)k >= sizeof detail ||
	                     marking_format(&r->scheme, &m, false, text, sizeof text) < 0
	             ? REGISTRY_FAILED
	             : reg_log_id(r, LEDGER_REPORT_CIRCULATE, as, "report", id, text, detail);
out:
	row_free(&w);
	free(a.v);
	free(readers.v);
	free(lids.v);
	return rc;
}

/* ---- the tearline ---- */

enum registry_result registry_tearline(const struct registry *r, const struct registry_report *rep,
                                       const struct marking *target, struct registry_report **out)
{
	struct registry_report *t = report_new();
	*out = NULL;
	if (t == NULL)
		return REGISTRY_FAILED;
	t->id = rep->id;
	t->author = rep->author;
	t->day = rep->day;
	for (size_t i = 0; i < rep->nparas; i++) {
		const struct registry_para *p = &rep->paras[i];
		int e = 0;
		if (marking_dominates(target, &p->portion)) {
			e = para_add(t, &p->portion, p->text, p->len);
		} else if (i == 0) {
			struct marking low;
			memset(&low, 0, sizeof low);
			low.scheme = target->scheme;
			low.flags = MARKING_REL_ALL;
			e = para_add(t, &low, WITHHELD, strlen(WITHHELD));
		}
		if (e != 0) {
			registry_report_free(&t);
			return REGISTRY_FAILED;
		}
	}
	if (t->nparas <= 1) {
		t->marking = *target;
		if (marking_format(&r->scheme, target, false, t->marking_text,
		                   sizeof t->marking_text) < 0) {
			registry_report_free(&t);
			return REGISTRY_BAD_INPUT;
		}
	} else if (overall(r, t, NULL) != REGISTRY_OK) {
		registry_report_free(&t);
		return REGISTRY_FAILED;
	}
	*out = t;
	return REGISTRY_OK;
}

/* ---- distribution lists ---- */

static bool list_name_valid(const char *name)
{
	return officer_name_valid(name); /* the same alphabet: [a-z0-9._-], 1..64 */
}

enum registry_result registry_dist_create(struct registry *r, const struct officer_key *as,
                                          const char *name, struct registry_error *err)
{
	struct access_subject subj;
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	if (!(subj.roles & (ROLE_ANALYST | ROLE_ADMIN))) {
		say(err, "creating lists needs the analyst or admin role");
		return REGISTRY_FORBIDDEN;
	}
	if (!list_name_valid(name)) {
		say(err, "a list name is 1 to 64 of [a-z0-9._-]");
		return REGISTRY_BAD_INPUT;
	}
	enum store_result sr = r->s->be->registry->dist_create(r->s, name, officer_key_id(as),
	                                                       store_today(), NULL);
	if (sr == STORE_EXISTS) {
		say(err, "a list named '%s' exists", name);
		return REGISTRY_EXISTS;
	}
	return sr == STORE_OK ? REGISTRY_OK : REGISTRY_FAILED;
}

enum registry_result registry_dist_member(struct registry *r, const struct officer_key *as,
                                          const char *list, const char *officer, bool add,
                                          struct registry_error *err)
{
	struct access_subject subj;
	store_id lid = 0, owner = 0;
	struct store_officer row;
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	enum store_result sr = list && list_name_valid(list)
	                               ? r->s->be->registry->dist_find(r->s, list, &lid, &owner)
	                               : STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND) {
		say(err, "no distribution list '%s'", list ? list : "");
		return REGISTRY_BAD_INPUT;
	}
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	if (owner != subj.id && !(subj.roles & ROLE_ADMIN)) {
		say(err, "only the list's owner or an admin changes it");
		return REGISTRY_FORBIDDEN;
	}
	sr = officer && officer_name_valid(officer) ? r->s->be->officer->find(r->s, officer, &row)
	                                            : STORE_NOT_FOUND;
	if (sr == STORE_NOT_FOUND) {
		say(err, "no officer '%s'", officer ? officer : "");
		return REGISTRY_BAD_INPUT;
	}
	if (sr != STORE_OK)
		return REGISTRY_FAILED;
	store_id oid = row.id;
	sodium_memzero(&row, sizeof row);
	return r->s->be->registry->dist_member(r->s, lid, oid, add) == STORE_OK ? REGISTRY_OK
	                                                                        : REGISTRY_FAILED;
}

struct dl {
	store_id *ids, *owners;
	char (*names)[STORE_DIST_NAME_MAX + 1];
	size_t n, cap;
	int failed;
};

static int dl_push(void *ctx, store_id id, const char *name, store_id owner)
{
	struct dl *d = ctx;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		store_id *i = realloc(d->ids, cap * sizeof *i);
		if (i)
			d->ids = i;
		store_id *o = realloc(d->owners, cap * sizeof *o);
		if (o)
			d->owners = o;
		char(*nm)[STORE_DIST_NAME_MAX + 1] = realloc(d->names, cap * sizeof *nm);
		if (nm)
			d->names = nm;
		if (i == NULL || o == NULL || nm == NULL || cap > OFFICERS_MAX) {
			d->failed = 1;
			return 1;
		}
		d->cap = cap;
	}
	d->ids[d->n] = id;
	d->owners[d->n] = owner;
	size_t n = strnlen(name, STORE_DIST_NAME_MAX);
	memcpy(d->names[d->n], name, n);
	d->names[d->n][n] = '\0';
	d->n++;
	return 0;
}

enum registry_result registry_dist_list(struct registry *r,
                                        int (*fn)(void *ctx, const char *name, const char *owner,
                                                  const char *members),
                                        void *ctx)
{
	enum registry_result rc = REGISTRY_FAILED;
	struct dl d = {0};
	struct offs a = {0};
	struct buf b;
	buf_init(&b, (size_t)(STORE_OFFICER_NAME_MAX + 1) * 100000);
	if (r->s->be->registry->dist_lists(r->s, dl_push, &d) != STORE_OK || d.failed ||
	    offs_load(r, &a) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < d.n; i++) {
		struct ids m = {0};
		if (r->s->be->registry->dist_members(r->s, d.ids[i], ids_push, &m) != STORE_OK ||
		    m.failed) {
			free(m.v);
			goto out;
		}
		buf_reset(&b);
		bool bad = false;
		for (size_t k = 0; k < m.n && !bad; k++)
			bad = (k && buf_append_byte(&b, ',') != BUF_OK) ||
			      buf_append_str(&b, offs_name(&a, m.v[k])) != BUF_OK;
		free(m.v);
		if (bad || buf_append_byte(&b, 0) != BUF_OK)
			goto out;
		if (fn(ctx, d.names[i], offs_name(&a, d.owners[i]), (const char *)b.data) != 0)
			break;
	}
	rc = REGISTRY_OK;
out:
	free(d.ids);
	free(d.owners);
	free(d.names);
	free(a.v);
	buf_release(&b);
	return rc;
}

/* ---- markings of submissions ---- */

static bool reason_ok(const char *s)
{
	if (s == NULL)
		return false;
	size_t n = strnlen(s, STORE_REASON_MAX + 1), visible = 0;
	if (n > STORE_REASON_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c != ' ')
			visible++;
	}
	return visible >= 3;
}

/* A new pending blob: blob's inner layer sealed to outer (old opens its present outer layer). */
static enum registry_result rewrap(struct registry *r, store_id blob,
                                   const struct age_identity *old,
                                   const struct age_recipient *outer, store_id *out,
                                   struct registry_error *err)
{
	enum seal_result sr = seal_rewrap(r->s, blob, old, outer, out);
	if (sr == SEAL_OK)
		return REGISTRY_OK;
	if (sr == SEAL_CANNOT_OPEN) {
		say(err, "this submission's sealed layer does not open with your key: nothing "
		         "changed");
		return REGISTRY_CANNOT_OPEN;
	}
	return REGISTRY_FAILED;
}

struct file_rows {
	struct store_file *v;
	size_t n;
};

static int file_row(void *ctx, const struct store_file *f)
{
	struct file_rows *fr = ctx;
	if (fr->n >= (size_t)INT32_MAX)
		return 1;
	struct store_file *v = realloc(fr->v, (fr->n + 1) * sizeof *v);
	if (v == NULL)
		return 1;
	fr->v = v;
	fr->v[fr->n++] = *f;
	return 0;
}

/*
 * Changes sub's marking as ch says, its blobs sealed anew (core/keys/seal.h): the
 * outer layer taken off with `as`'s key of the version it is sealed to (none
 * for a submission of one layer), put back sealed to the current version of
 * nw's label (made if new); the swap and the change in one transaction.
 */
static enum registry_result resealed(struct registry *r, const struct officer_key *as,
                                     const struct store_submission *sub, const struct marking *nw,
                                     const struct store_marking_change *ch,
                                     struct registry_error *err)
{
	struct inbox_keys k;
	struct file_rows old = {0};
	struct store_file *nf = NULL;
	struct age_recipient *outer = NULL;
	store_id msg = 0;
	uint32_t version = 0;
	uint8_t pk[32];
	enum registry_result rc = registry_label(r, nw, &version, pk);
	registry_submission_keys(r, as, sub, &k);
	if (rc != REGISTRY_OK)
		goto out;
	rc = REGISTRY_FAILED;
	if (age_recipient_from_x25519(pk, &outer) != AGE_OK)
		goto out;
	if (k.layered && k.outer == NULL) {
		say(err, "you do not hold the key this submission is sealed to: nothing changed");
		rc = REGISTRY_CANNOT_OPEN;
		goto out;
	}
	enum store_result sr = r->s->be->submission_files(r->s, sub->id, file_row, &old);
	if (sr != STORE_OK || old.n != (size_t)sub->nfiles)
		goto out;
	if ((nf = calloc(old.n ? old.n : 1, sizeof *nf)) == NULL)
		goto out;
	if (sub->message_blob != 0 &&
	    (rc = rewrap(r, sub->message_blob, k.outer, outer, &msg, err)) != REGISTRY_OK)
		goto out;
	for (size_t i = 0; i < old.n; i++) {
		nf[i].id = old.v[i].id;
		if ((rc = rewrap(r, old.v[i].meta_blob, k.outer, outer, &nf[i].meta_blob, err)) !=
		            REGISTRY_OK ||
		    (rc = rewrap(r, old.v[i].data_blob, k.outer, outer, &nf[i].data_blob, err)) !=
		            REGISTRY_OK)
			goto out;
	}
	struct store_reseal rs = {
	        .seal_version = version, .message_blob = msg, .files = nf, .nfiles = old.n};
	sr = r->s->be->registry->submission_mark(r->s, ch, &rs);
	if (sr == STORE_EXISTS) {
		say(err, "the marking changed meanwhile: look again");
		rc = REGISTRY_EXISTS;
	} else {
		rc = sr == STORE_OK ? REGISTRY_OK : REGISTRY_FAILED;
	}
	if (rc == REGISTRY_OK) { /* the new blobs are the submission's now */
		msg = 0;
		old.n = 0;
	}
out:
	/* whatever was sealed anew and not swapped in goes */
	if (msg != 0)
		(void)r->s->be->blob_delete(r->s, msg);
	for (size_t i = 0; nf != NULL && i < old.n; i++) {
		if (nf[i].meta_blob != 0)
			(void)r->s->be->blob_delete(r->s, nf[i].meta_blob);
		if (nf[i].data_blob != 0)
			(void)r->s->be->blob_delete(r->s, nf[i].data_blob);
	}
	inbox_keys_release(&k);
	age_recipient_free(&outer);
	free(old.v);
	free(nf);
	return rc;
}

enum registry_result registry_submission_mark(struct registry *r, const struct officer_key *as,
                                              store_id submission, const char *marking,
                                              const char *reason, struct registry_error *err)
{
	struct access_subject subj;
	struct store_submission sub;
	struct marking old, nw;
	struct marking_error merr;
	char oldt[MARKING_TEXT_MAX + 3], newt[MARKING_TEXT_MAX + 3];

	if (err)
		err->msg[0] = '\0';
	enum registry_result rc = registry_subject(r, officer_key_id(as), &subj);
	if (rc != REGISTRY_OK)
		return rc == REGISTRY_FAILED ? rc : REGISTRY_FORBIDDEN;
	if (!(subj.roles & ROLE_INTAKE)) {
		say(err, "marking submissions needs the intake role");
		return REGISTRY_FORBIDDEN;
	}
	if (marking == NULL ||
	    marking_parse(&r->scheme, marking, strlen(marking), &nw, &merr) != MARKING_OK) {
		say(err, "the new marking: %s", marking ? merr.msg : "missing");
		return REGISTRY_BAD_INPUT;
	}
	enum store_result sr = r->s->be->submission_get(r->s, submission, &sub);
	if (sr != STORE_OK && sr != STORE_NOT_FOUND)
		return REGISTRY_FAILED;
	struct access_object obj = {.dist_unrestricted = true};
	if (sr == STORE_NOT_FOUND ||
	    marking_parse(&r->scheme, sub.marking, strnlen(sub.marking, sizeof sub.marking), &old,
	                  NULL) != MARKING_OK ||
	    (obj.marking = old, access_decide(&subj, &obj, NULL) != ACCESS_ALLOW)) {
		say(err, "submission %lld: no such submission", (long long)submission);
		return REGISTRY_NOT_FOUND;
	}
	if (access_clearance_covers(&subj, &nw, NULL) != ACCESS_ALLOW) {
		say(err, "the new marking is above your clearance");
		return REGISTRY_ABOVE_CLEARANCE;
	}
	if (marking_format(&r->scheme, &old, false, oldt, sizeof oldt) < 0 ||
	    marking_format(&r->scheme, &nw, false, newt, sizeof newt) < 0)
		return REGISTRY_FAILED;
	bool raise = marking_dominates(&nw, &old);
	if (!raise && !reason_ok(reason)) {
		say(err,
		    "%s -> %s is a downgrade: give a written reason (--reason TEXT, printable, "
		    "up to %d bytes)",
		    oldt, newt, STORE_REASON_MAX);
		return REGISTRY_NEEDS_REASON;
	}
	if (reason != NULL && strnlen(reason, STORE_REASON_MAX + 1) > STORE_REASON_MAX) {
		say(err, "the reason is longer than %d bytes", STORE_REASON_MAX);
		return REGISTRY_BAD_INPUT;
	}
	/* the one place a submission's marking changes: the ledger entry belongs here */
	struct store_marking_change ch = {.kind = "submission",
	                                  .object = submission,
	                                  .actor = subj.id,
	                                  .day = store_today(),
	                                  .old_marking = sub.marking,
	                                  .new_marking = newt,
	                                  .reason = reason ? reason : ""};
	if (marking_equal(&old, &nw)) {
		/* a reseal alone, for a submission sealed to the intake label only */
		if (sub.seal_version != 0)
			return REGISTRY_OK;
		if ((rc = resealed(r, as, &sub, &nw, &ch, err)) != REGISTRY_OK)
			return rc;
		return reg_log_id(r, LEDGER_SUBMISSION_RESEAL, as, "submission", submission, newt,
		                  NULL);
	}
	if ((rc = resealed(r, as, &sub, &nw, &ch, err)) != REGISTRY_OK)
		return rc;
	/* marking.change (a raise) or marking.downgrade, with the old marking and the reason */
	char detail[LEDGER_DETAIL_MAX + 1];
	int n = raise ? snprintf(detail, sizeof detail, "from %s", oldt)
	              : snprintf(detail, sizeof detail, "from %s; reason: %s", oldt, reason);
	if (n < 0)
		return REGISTRY_FAILED;
	/* a long reason: the ledger keeps its first bytes, cut at a character, no end space */
	size_t len = utf8_prefix((const uint8_t *)detail, strlen(detail));
	while (len > 0 && detail[len - 1] == ' ')
		len--;
	detail[len] = '\0';
	return reg_log_id(r, raise ? LEDGER_MARKING_CHANGE : LEDGER_MARKING_DOWNGRADE, as,
	                  "submission", submission, newt, detail);
}
