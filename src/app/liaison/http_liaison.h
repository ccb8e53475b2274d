/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * http_liaison: the liaison door, the third process of `cutout serve`, where
 * partner instances push bundles and ask this instance to witness their
 * ledger (issue 14, docs/liaison.md, docs/api.md):
 *
 *   POST /v1/bundle       a partner's bundle (the body, at most max_bundle
 *                         bytes): liaison_import as the door's officer; 200
 *                         with the signed receipt, else a one-line reason
 *                         (400 malformed, 403 not a partner's signature,
 *                         409 a replay, gap or fork, 413 too large)
 *   POST /add-checkpoint  C2SP tlog-witness: witness_add_checkpoint; 409 of
 *                         the old size as text/x.tlog.size
 *
 * It parses, calls the one core function and answers; it logs nothing of a
 * client. One core call at a time (the store's writer is one). Refused
 * requests draw from a global bucket: past it, 429 without any work; and
 * those of a partner from its own bucket too: past it, 429 with Retry-After
 * for that partner alone.
 */
#ifndef CUTOUT_APP_HTTP_LIAISON_H
#define CUTOUT_APP_HTTP_LIAISON_H

#include <stddef.h>
#include <stdint.h>

#include "app/web/door.h"

struct store;
struct registry;
struct officer_key;
struct liaison_self;

struct liaison_door_config {
	const char *host;
	uint16_t port;
	struct web_door_limits web;
	size_t max_bundle; /* bytes of a POSTed bundle (<= LIAISON_BUNDLE_MAX) */
	struct store *store;
	/* the witness key (/add-checkpoint); NULL: that route answers 404 */
	const char *witness_name;
	const uint8_t *witness_sk;
	/* the importing officer and the instance (/v1/bundle); reg NULL: 503 */
	struct registry *reg;
	const struct officer_key *as;
	const struct liaison_self *self;
	double refusals_per_second; /* refused requests answered in full; past: 429 */
	/*
	 * Per partner (the key name a bundle, a pull's signature or a receipt
	 * names, a partner's): its refused requests (4xx) draw from its own
	 * bucket (burst, refilled per minute); once it is empty every request
	 * of that partner is answered 429 with Retry-After, without any work,
	 * while the other partners are served.
	 */
	double partner_refusals_per_minute;
	double partner_refusals_burst;
};

/* Partners the door keeps a refusal bucket for (past them: the global bucket only). */
#define LIAISON_DOOR_PARTNERS_MAX 64

struct liaison_door;

void liaison_door_defaults(struct liaison_door_config *c);
__attribute__((warn_unused_result)) int liaison_door_start(const struct liaison_door_config *cfg,
                                                           struct liaison_door **out);
uint16_t liaison_door_port(const struct liaison_door *d);
/*
 * Once a second from the door's process: at most once a minute, the requests
 * refused since the last summary become one `liaison.refusals` entry
 * (now_anyway: now, as the door stops).
 */
void liaison_door_tick(struct liaison_door *d, int now_anyway);
/* Requests refused (4xx) since the start. */
uint64_t liaison_door_refused(struct liaison_door *d);
void liaison_door_stop(struct liaison_door **d);

#endif
