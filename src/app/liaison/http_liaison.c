/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* http_liaison: the liaison door (app/liaison/http_liaison.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/liaison/http_liaison.h"
#include "app/web/http.h"
#include "app/web/ratelimit.h"
#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "core/witness/witness.h"
#include "lib/buf.h"

#include "lib/banned.h"

/*
 * The per-partner refusal buckets: one slot per partner key name a refused
 * request named (a key of a partner: refusals the core answers "no partner
 * has that key" draw from none), at most LIAISON_DOOR_PARTNERS_MAX, kept
 * until the door stops (partners are few: past the table, the global
 * bucket alone). Under the door's plock.
 */
struct partner_slot {
	char key[LEDGER_ORIGIN_MAX + 1];
	double tokens;
	struct timespec last;
};

struct liaison_door {
	struct liaison_door_config cfg;
	pthread_mutex_t plock;
	size_t nslots;
	struct partner_slot slots[LIAISON_DOOR_PARTNERS_MAX];
	struct web_door *web;
	pthread_mutex_t core; /* one core call at a time */
	struct bucket refusals;
	atomic_uint_fast64_t refused;
	uint64_t reported;     /* refusals in a summary entry already */
	struct timespec since; /* of the last summary (CLOCK_MONOTONIC) */
};

enum route { R_NONE, R_BUNDLE, R_PULL, R_RECEIPT, R_CHECKPOINT };

struct req {
	enum route route;
	unsigned status; /* set: refused before the body is read (the body is dropped) */
	const char *why;
	int responded;
	size_t cap;
	struct buf body;
};

/* A one-line plain-text answer (the reason, a newline). Counts a refusal. */
static enum MHD_Result say(struct liaison_door *d, struct MHD_Connection *c, unsigned status,
                           const char *type, const void *text, size_t len)
{
	if (status >= 400)
		atomic_fetch_add(&d->refused, 1);
	return http_send(c, status, type, text, len, NULL, NULL);
}

static enum MHD_Result say_line(struct liaison_door *d, struct MHD_Connection *c, unsigned status,
                                const char *line)
{
	char b[LIAISON_MSG_MAX + 2];
	int n = snprintf(b, sizeof b, "%s\n", line);
	if (n < 0)
		return MHD_NO;
	if ((size_t)n >= sizeof b)
		n = (int)sizeof b - 1;
	return say(d, c, status, "text/plain; charset=utf-8", b, (size_t)n);
}

/* The slot of key (under plock), its tokens brought up to now; NULL if none (add: made). */
static struct partner_slot *slot_of(struct liaison_door *d, const char *key, int add)
{
	struct timespec now;
	struct partner_slot *sl = NULL;
	double burst = d->cfg.partner_refusals_burst;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < d->nslots && sl == NULL; i++)
		if (strcmp(d->slots[i].key, key) == 0)
			sl = &d->slots[i];
	if (sl == NULL) {
		if (!add || d->nslots == LIAISON_DOOR_PARTNERS_MAX || key[0] == '\0' ||
		    strlen(key) > LEDGER_ORIGIN_MAX)
			return NULL;
		sl = &d->slots[d->nslots++];
		snprintf(sl->key, sizeof sl->key, "%s", key);
		sl->tokens = burst;
		sl->last = now;
		return sl;
	}
	double secs = (double)(now.tv_sec - sl->last.tv_sec) +
	              (double)(now.tv_nsec - sl->last.tv_nsec) / 1e9;
	sl->tokens += secs * d->cfg.partner_refusals_per_minute / 60.0;
	if (sl->tokens > burst)
		sl->tokens = burst;
	sl->last = now;
	return sl;
}

/*
 * 0 when the partner of key may be served; else the seconds until it may
 * again (its bucket of refusals is empty: answer 429 without any work).
 */
static unsigned partner_wait(struct liaison_door *d, const char *key)
{
	unsigned wait = 0;
	pthread_mutex_lock(&d->plock);
	struct partner_slot *sl = slot_of(d, key, 0);
	if (sl != NULL && sl->tokens < 1.0) {
		double rate = d->cfg.partner_refusals_per_minute / 60.0;
		double w = rate > 0 ? (1.0 - sl->tokens) / rate : 3600;
		wait = w > 3600 ? 3600 : (unsigned)w + 1;
	}
	pthread_mutex_unlock(&d->plock);
	return wait;
}

/* A request of the partner of key refused (a 4xx): one token taken from its bucket. */
static void partner_charge(struct liaison_door *d, const char *key, unsigned status,
                           const char *msg)
{
	if (status < 400 || status >= 500 || strstr(msg, "no partner has that key") != NULL)
		return;
	pthread_mutex_lock(&d->plock);
	struct partner_slot *sl = slot_of(d, key, 1);
	if (sl != NULL)
		sl->tokens = sl->tokens >= 1.0 ? sl->tokens - 1.0 : 0.0;
	pthread_mutex_unlock(&d->plock);
}

/* 429 with Retry-After: the partner's refusals are spent. */
static enum MHD_Result say_slow_down(struct liaison_door *d, struct MHD_Connection *c,
                                     unsigned wait)
{
	static const char line[] = "too many refused requests from this partner: slow down\n";
	char ra[16];
	atomic_fetch_add(&d->refused, 1);
	snprintf(ra, sizeof ra, "%u", wait);
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof line - 1, (void *)line,
	                                                         MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	int ok = MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8") ==
	                 MHD_YES &&
	         http_add_security_headers(r) == 0 &&
	         MHD_add_response_header(r, "Retry-After", ra) == MHD_YES;
	enum MHD_Result res = ok ? MHD_queue_response(c, 429, r) : MHD_NO;
	MHD_destroy_response(r);
	return res;
}

/* The status of a bundle refused whole, from the core's reason. */
static unsigned refusal_status(const char *msg)
{
	if (strncmp(msg, "replay:", 7) == 0 || strncmp(msg, "gap:", 4) == 0 ||
	    strncmp(msg, "fork:", 5) == 0)
		return 409;
	if (strstr(msg, "no partner has that key") != NULL ||
	    strstr(msg, "signature does not verify") != NULL ||
	    strstr(msg, "is addressed to") != NULL || strstr(msg, "partner is disabled") != NULL)
		return 403;
	return 400;
}

static enum MHD_Result do_bundle(struct liaison_door *d, struct MHD_Connection *c, struct req *r)
{
	if (d->cfg.reg == NULL)
		return say_line(d, c, 503,
		                "this door takes no bundle (started without an officer)");
	/* junk never reaches the ledger: a body that is no bundle is answered here */
	struct bundle_envelope e;
	char msg[128];
	if (bundle_envelope_parse(r->body.data, r->body.len, &e, msg) != 0) {
		char line[200];
		snprintf(line, sizeof line, "not a bundle: %s", msg);
		return say_line(d, c, 400, line);
	}
	unsigned wait = partner_wait(d, e.head.from);
	if (wait > 0)
		return say_slow_down(d, c, wait);
	struct liaison_summary sum;
	struct liaison_error err = {{0}};
	struct buf rcp;
	buf_init(&rcp, BUNDLE_RECEIPT_MAX);
	pthread_mutex_lock(&d->core);
	enum liaison_result lr = liaison_import(d->cfg.reg, d->cfg.as, d->cfg.self, r->body.data,
	                                        r->body.len, &sum, NULL, NULL, &rcp, &err);
	pthread_mutex_unlock(&d->core);
	enum MHD_Result m;
	if (lr == LIAISON_OK)
		m = say(d, c, 200, "text/plain; charset=utf-8", rcp.data, rcp.len);
	else if (lr == LIAISON_REFUSED) {
		partner_charge(d, e.head.from, refusal_status(err.msg), err.msg);
		m = say_line(d, c, refusal_status(err.msg), err.msg);
	} else if (lr == LIAISON_FAILED)
		m = say_line(d, c, 503, "the store failed: try again later");
	else {
		partner_charge(d, e.head.from, 400, err.msg);
		m = say_line(d, c, 400, err.msg[0] ? err.msg : liaison_strerror(lr));
	}
	buf_release(&rcp);
	return m;
}

/* GET /v1/bundle?since=N: a partner's signed pull, answered with its next bundle. */
static enum MHD_Result do_pull(struct liaison_door *d, struct MHD_Connection *c)
{
	if (d->cfg.reg == NULL)
		return say_line(d, c, 503,
		                "this door gives no bundle (started without an officer)");
	const char *q = http_query(c, "since");
	uint64_t v = 0;
	if (q != NULL && (http_parse_u64(q, &v) != 0 || v > INT64_MAX))
		return say_line(d, c, 400, "since: a report id");
	const char *h = http_header(c, "Cutout-Signature");
	char key[LEDGER_ORIGIN_MAX + 1] = "";
	int32_t day;
	uint8_t sig[64];
	if (h != NULL && liaison_pull_auth_parse(h, strlen(h), key, &day, sig) != 0)
		key[0] = '\0';
	sodium_memzero(sig, sizeof sig);
	unsigned wait = key[0] ? partner_wait(d, key) : 0;
	if (wait > 0)
		return say_slow_down(d, c, wait);
	struct liaison_summary sum;
	struct liaison_error err = {{0}};
	struct buf b;
	buf_init(&b, LIAISON_BUNDLE_MAX);
	pthread_mutex_lock(&d->core);
	enum liaison_result lr = liaison_pull(d->cfg.reg, d->cfg.as, d->cfg.self, h, 0,
	                                      q != NULL ? (int64_t)v : -1, &b, &sum, &err);
	pthread_mutex_unlock(&d->core);
	enum MHD_Result m;
	if (lr == LIAISON_OK && sum.seq == 0) /* nothing new: no bundle made */
		m = say(d, c, 204, NULL, "", 0);
	else if (lr == LIAISON_OK)
		m = say(d, c, 200, "application/octet-stream", b.data, b.len);
	else if (lr == LIAISON_BAD_INPUT)
		m = say_line(d, c, 400, err.msg);
	else if (lr == LIAISON_REFUSED || lr == LIAISON_NOT_FOUND) {
		if (key[0])
			partner_charge(d, key, 403, err.msg);
		m = say_line(d, c, 403, err.msg[0] ? err.msg : "refused");
	} else
		m = say_line(d, c, 503, err.msg[0] ? err.msg : liaison_strerror(lr));
	buf_release(&b);
	return m;
}

static int no_item(void *ctx, int64_t id, const char *reason)
{
	(void)ctx;
	(void)id;
	(void)reason;
	return 0;
}

/* POST /v1/receipt: a partner's receipt of a bundle it pulled, recorded. */
static enum MHD_Result do_receipt(struct liaison_door *d, struct MHD_Connection *c, struct req *r)
{
	if (d->cfg.reg == NULL)
		return say_line(d, c, 503,
		                "this door takes no receipt (started without an officer)");
	struct bundle_receipt br;
	char key[LEDGER_ORIGIN_MAX + 1] = "", pmsg[128];
	if (bundle_receipt_parse(r->body.data, r->body.len, &br, no_item, NULL, pmsg) == 0)
		snprintf(key, sizeof key, "%s", br.head.from);
	unsigned wait = key[0] ? partner_wait(d, key) : 0;
	if (wait > 0)
		return say_slow_down(d, c, wait);
	struct liaison_receipt_summary sum;
	struct liaison_error err = {{0}};
	struct liaison_self self = {.name = d->cfg.self->name};
	pthread_mutex_lock(&d->core);
	enum liaison_result lr = liaison_receipt(d->cfg.reg, d->cfg.as, &self, r->body.data,
	                                         r->body.len, &sum, NULL, NULL, &err);
	pthread_mutex_unlock(&d->core);
	if (lr == LIAISON_OK)
		return say_line(d, c, 200, "recorded");
	if (lr == LIAISON_REFUSED) {
		if (key[0])
			partner_charge(d, key, refusal_status(err.msg), err.msg);
		return say_line(d, c, refusal_status(err.msg), err.msg);
	}
	if (lr == LIAISON_FAILED)
		return say_line(d, c, 503, "the store failed: try again later");
	if (key[0])
		partner_charge(d, key, 400, err.msg);
	return say_line(d, c, 400, err.msg[0] ? err.msg : liaison_strerror(lr));
}

static enum MHD_Result do_checkpoint(struct liaison_door *d, struct MHD_Connection *c,
                                     struct req *r)
{
	if (d->cfg.witness_sk == NULL)
		return say_line(d, c, 404, "this door is no witness");
	struct buf out;
	buf_init(&out, 8192);
	pthread_mutex_lock(&d->core);
	int st = witness_add_checkpoint(d->cfg.store, d->cfg.witness_name, d->cfg.witness_sk,
	                                r->body.data, r->body.len, (uint64_t)time(NULL), &out);
	pthread_mutex_unlock(&d->core);
	/* the 409 of the size held: "N\n" (the spec's text/x.tlog.size) */
	int size_form = st == 409 && out.len > 1 && out.data[out.len - 1] == '\n';
	for (size_t i = 0; size_form && i + 1 < out.len; i++)
		size_form = out.data[i] >= '0' && out.data[i] <= '9';
	enum MHD_Result m = say(d, c, (unsigned)st,
	                        size_form ? "text/x.tlog.size" : "text/plain; charset=utf-8",
	                        out.data, out.len);
	buf_release(&out);
	return m;
}

/* A request refused before any work: 429 once the bucket of refusals is empty. */
static enum MHD_Result refuse(struct liaison_door *d, struct MHD_Connection *c, struct req *r)
{
	r->responded = 1;
	if (!bucket_take(&d->refusals))
		return say_line(d, c, 429, "too many refused requests: slow down");
	return say_line(d, c, r->status, r->why ? r->why : "refused");
}

static void route(struct liaison_door *d, struct req *r, const char *method, const char *url)
{
	r->cap = WITNESS_REQUEST_MAX;
	if (strcmp(url, "/v1/bundle") == 0 && strcmp(method, "GET") == 0) {
		r->route = R_PULL;
		r->cap = 0;
		return;
	} else if (strcmp(url, "/v1/bundle") == 0) {
		r->route = R_BUNDLE;
		r->cap = d->cfg.max_bundle;
	} else if (strcmp(url, "/v1/receipt") == 0) {
		r->route = R_RECEIPT;
		r->cap = BUNDLE_RECEIPT_MAX;
	} else if (strcmp(url, "/add-checkpoint") == 0) {
		r->route = R_CHECKPOINT;
	} else {
		r->status = 404;
		r->why = "no such route";
		return;
	}
	if (strcmp(method, "POST") != 0) {
		r->status = 405;
		r->why = "POST only";
	}
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
	(void)version;
	struct liaison_door *d = cls;
	struct req *r = *con_cls;
	if (r == NULL) {
		if ((r = calloc(1, sizeof *r)) == NULL)
			return MHD_NO;
		*con_cls = r;
		route(d, r, method, url);
		buf_init(&r->body, r->cap);
		const char *cl = http_header(c, "Content-Length");
		uint64_t len;
		if (r->status == 0 && cl != NULL && http_parse_u64(cl, &len) == 0 && len > r->cap) {
			r->status = 413;
			r->why = "the body is too large";
		}
		if (r->status != 0) /* answered before the body, which is not read */
			return refuse(d, c, r);
		return MHD_YES;
	}
	if (*size > 0) {
		if (r->status == 0 && buf_append(&r->body, data, *size) != BUF_OK) {
			r->status = 413;
			r->why = "the body is too large";
		}
		*size = 0; /* past a refusal, the rest is dropped: the answer comes at its end */
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	if (r->status != 0)
		return refuse(d, c, r);
	if (r->route == R_BUNDLE)
		return do_bundle(d, c, r);
	if (r->route == R_PULL)
		return do_pull(d, c);
	if (r->route == R_RECEIPT)
		return do_receipt(d, c, r);
	return do_checkpoint(d, c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *r = *con_cls;
	if (r == NULL)
		return;
	buf_wipe_release(&r->body);
	free(r);
	*con_cls = NULL;
}

void liaison_door_defaults(struct liaison_door_config *c)
{
	memset(c, 0, sizeof *c);
	c->host = "127.0.0.1";
	c->max_bundle = 16u * 1024 * 1024;
	web_door_limits_default(&c->web);
	c->web.max_connections = 256;
	c->web.threads = 4;
	c->refusals_per_second = 20;
	c->partner_refusals_per_minute = 10;
	c->partner_refusals_burst = 10;
}

int liaison_door_start(const struct liaison_door_config *cfg, struct liaison_door **out)
{
	*out = NULL;
	if (cfg->max_bundle == 0 || cfg->max_bundle > LIAISON_BUNDLE_MAX || cfg->store == NULL)
		return -1;
	struct liaison_door *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	d->cfg = *cfg;
	pthread_mutex_init(&d->core, NULL);
	pthread_mutex_init(&d->plock, NULL);
	bucket_init(&d->refusals, cfg->refusals_per_second, cfg->refusals_per_second * 2);
	atomic_init(&d->refused, 0);
	clock_gettime(CLOCK_MONOTONIC, &d->since);
	if (web_door_start(cfg->host, cfg->port, &cfg->web, handler, d, completed, d, &d->web) !=
	    0) {
		pthread_mutex_destroy(&d->core);
		pthread_mutex_destroy(&d->plock);
		free(d);
		return -1;
	}
	*out = d;
	return 0;
}

uint16_t liaison_door_port(const struct liaison_door *d)
{
	return web_door_port(d->web);
}

void liaison_door_tick(struct liaison_door *d, int now_anyway)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long secs = (long)(now.tv_sec - d->since.tv_sec);
	if (secs < 60 && !now_anyway)
		return;
	uint64_t n = atomic_load(&d->refused);
	if (n != d->reported) {
		pthread_mutex_lock(&d->core);
		enum liaison_result r =
		        liaison_refusals_record(d->cfg.store, n - d->reported, (unsigned)secs);
		pthread_mutex_unlock(&d->core);
		if (r != LIAISON_OK)
			return; /* tried again at the next tick */
		d->reported = n;
	}
	d->since = now;
}

uint64_t liaison_door_refused(struct liaison_door *d)
{
	return atomic_load(&d->refused);
}

void liaison_door_stop(struct liaison_door **pd)
{
	struct liaison_door *d = *pd;
	if (d == NULL)
		return;
	web_door_stop(&d->web);
	pthread_mutex_destroy(&d->core);
	pthread_mutex_destroy(&d->plock);
	free(d);
	*pd = NULL;
}
