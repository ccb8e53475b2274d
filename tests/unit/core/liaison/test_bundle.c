/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_bundle: the liaison bundle's format (core/liaison/bundle.h): what the
 * writers write parses back the same, and the parsers refuse everything
 * else (most cases are failures): a changed magic, a bad seq or prev, a
 * payload cut short, bytes after the signature, an item's text cut short, a
 * count that does not match, topics out of order, a reason with a newline;
 * the receipt likewise.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/ledger/ledger.h"
#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "lib/day.h"
#include "lib/buf.h"
#include "t.h"

struct got {
	int items, withheld;
	int64_t first;
	char topics[STORE_TOPICS_MAX + 1], marking[STORE_MARKING_MAX], text[64], reason[256];
};

static int on_item(void *ctx, const struct bundle_item *it)
{
	struct got *g = ctx;
	if (g->items++ == 0) {
		g->first = it->id;
		snprintf(g->topics, sizeof g->topics, "%s", it->topics);
		snprintf(g->marking, sizeof g->marking, "%s", it->marking);
		snprintf(g->text, sizeof g->text, "%.*s", (int)it->len, (const char *)it->text);
	}
	return 0;
}

static int on_withheld(void *ctx, int64_t id, const char *reason)
{
	struct got *g = ctx;
	g->withheld++;
	(void)id;
	snprintf(g->reason, sizeof g->reason, "%s", reason);
	return 0;
}

struct rgot {
	int64_t accepted, refused;
	char reason[256];
};

static int on_rcp(void *ctx, int64_t id, const char *reason)
{
	struct rgot *g = ctx;
	if (reason == NULL) {
		g->accepted = id;
	} else {
		g->refused = id;
		snprintf(g->reason, sizeof g->reason, "%s", reason);
	}
	return 0;
}

struct consents {
	struct got g; /* first: the item and withheld callbacks take it as a struct got */
	int n;
	int64_t first;
	char last_country[4];
};

static int on_consent(void *ctx, int64_t id, const char *country)
{
	struct consents *c = ctx;
	if (c->n++ == 0)
		c->first = id;
	snprintf(c->last_country, sizeof c->last_country, "%s", country);
	return 0;
}

static int parse(const char *text, struct got *g)
{
	struct bundle_head h;
	char msg[128];
	memset(g, 0, sizeof *g);
	return bundle_content_parse((const uint8_t *)text, strlen(text), &h, on_item, on_withheld,
	                            g, NULL, msg);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	uint8_t pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	struct bundle_head h = {.from = "a/cutout-ledger", .to = "b/cutout-ledger", .seq = 7};
	memset(h.prev, 0xab, sizeof h.prev);
	struct buf c, e;
	buf_init(&c, 1 << 20);
	buf_init(&e, 1 << 20);
	const char *text = "(S) Title\n\n(S) A paragraph\nwith a newline.";
	T_CHECK(bundle_content_begin(&h, &c) == 0 &&
	        bundle_content_item(12, "crime,terrorism", "SECRET//REL TO FRA, GBR",
	                            (const uint8_t *)text, strlen(text), &c) == 0 &&
	        bundle_content_withheld(13, "nationality FRA\nis not in it", &c) == 0 &&
	        bundle_content_end(1, 1, &c) == 0);
	struct got g;
	struct bundle_head back;
	char msg[128];
	memset(&g, 0, sizeof g);
	int pr = bundle_content_parse(c.data, c.len, &back, on_item, on_withheld, &g, NULL, msg);
	T_OK(pr == 0 && g.items == 1 && g.withheld == 1 && g.first == 12 &&
	             strcmp(g.topics, "crime,terrorism") == 0 &&
	             strcmp(g.marking, "SECRET//REL TO FRA, GBR") == 0 &&
	             strcmp(g.text, text) == 0 &&
	             strcmp(g.reason, "nationality FRA is not in it") == 0 && back.seq == 7 &&
	             strcmp(back.from, "a/cutout-ledger") == 0 &&
	             memcmp(back.prev, h.prev, 32) == 0,
	     "the content round-trips (a reason's newline made a space)");
	T_OK(bundle_content_item(12, "terrorism,crime", "S", (const uint8_t *)"x", 1, &c) != 0 &&
	             bundle_content_item(12, "", "S", (const uint8_t *)"x", 1, &c) != 0 &&
	             bundle_content_item(0, "crime", "S", (const uint8_t *)"x", 1, &c) != 0 &&
	             bundle_content_item(1, "crime", "S\nX", (const uint8_t *)"x", 1, &c) != 0,
	     "the writer refuses topics out of order or none, id 0, a marking of two lines");

	const char *head = "cutout-liaison-content v1\nfrom a/cutout-ledger\nto b/cutout-ledger\n"
	                   "seq 1\nprev "
	                   "0000000000000000000000000000000000000000000000000000000000000000\n";
	char t[1024];
	struct {
		const char *tail, *why;
	} bad[] = {
	        {"", "no end line"},
	        {"end 0 0\nx", "bytes after the end"},
	        {"end 1 0\n", "an end that does not count"},
	        {"item 1 5 crime S\nabc\nend 1 0\n", "a text cut short"},
	        {"item 1 3 crime S\nabcXend 1 0\n", "no newline after the text"},
	        {"item 01 3 crime S\nabc\nend 1 0\n", "a leading zero"},
	        {"item 1 3 crime,crime S\nabc\nend 1 0\n", "topics twice"},
	        {"item 1 3 crime \nabc\nend 1 0\n", "no marking"},
	        {"item -1 3 crime S\nabc\nend 1 0\n", "a negative id"},
	        {"withheld 1 \nend 0 1\n", "no reason"},
	        {"withheld 0 why\nend 0 1\n", "id 0"},
	        {"note hello\nend 0 0\n", "an unknown line"},
	};
	int refused = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(t, sizeof t, "%s%s", head, bad[i].tail);
		if (parse(t, &g) != 0)
			refused++;
		else
			fprintf(stderr, "# accepted: %s\n", bad[i].why);
	}
	T_OK(refused == (int)(sizeof bad / sizeof bad[0]), "content: %d malformed cases refused",
	     refused);
	snprintf(t, sizeof t, "%send 0 0\n", head);
	T_OK(parse(t, &g) == 0, "an empty content parses");
	const char *badhead[] = {
	        "cutout-liaison-content v2\n",
	        "cutout-liaison-content v1\nfrom a b\n",
	        "cutout-liaison-content v1\nfrom a\nto b\nseq 0\n",
	        "cutout-liaison-content v1\nfrom a\nto b\nseq 1\nprev 00\n",
	        "cutout-liaison-content v1\nfrom a+x\nto b\nseq 1\nprev "
	        "0000000000000000000000000000000000000000000000000000000000000000\nend 0 0\n",
	        "cutout-liaison-content v1\nfrom a\nto b\nseq 1\nprev "
	        "000000000000000000000000000000000000000000000000000000000000000G\nend 0 0\n",
	};
	refused = 0;
	for (size_t i = 0; i < sizeof badhead / sizeof badhead[0]; i++)
		refused += parse(badhead[i], &g) != 0;
	T_OK(refused == (int)(sizeof badhead / sizeof badhead[0]),
	     "headers: another version, a bad name, seq 0, a short or non-hex prev (%d)", refused);

	/* a NUL in a name or a topic (found by fuzz_liaison): refused, not cut short */
	static const char nul_name[] =
	        "cutout-liaison-content v1\nfrom a/cutout-ledger\nto b/c\0x\n";
	static const char nul_topic[] = "item 1 1 cri\0me S\nx\nend 1 0\n";
	char nt[512];
	size_t hl = strlen(head);
	memcpy(nt, head, hl);
	memcpy(nt + hl, nul_topic, sizeof nul_topic - 1);
	struct bundle_head nh;
	T_OK(bundle_content_parse((const uint8_t *)nul_name, sizeof nul_name - 1, &nh, on_item,
	                          on_withheld, &g, NULL, msg) != 0 &&
	             bundle_content_parse((const uint8_t *)nt, hl + sizeof nul_topic - 1, &nh,
	                                  on_item, on_withheld, &g, NULL, msg) != 0,
	     "a NUL inside a name or a topic is refused");

	/* the re-release flag and consents (issue 14) */
	{
		struct buf x;
		buf_init(&x, 1 << 20);
		struct consents cs = {0};
		struct bundle_extra ex = {.consent = on_consent};
		T_CHECK(bundle_content_begin(&h, &x) == 0 &&
		        bundle_content_rerelease(true, &x) == 0 &&
		        bundle_content_consent(41, "DEU", &x) == 0 &&
		        bundle_content_consent(42, "USA", &x) == 0 &&
		        bundle_content_withheld(13, "why", &x) == 0 &&
		        bundle_content_end(0, 1, &x) == 0);
		T_OK(bundle_content_consent(0, "DEU", &x) != 0 &&
		             bundle_content_consent(1, "de", &x) != 0 &&
		             bundle_content_consent(1, "DEUX", &x) != 0,
		     "a consent's id > 0 and country of three capitals, else not written");
		int k = bundle_content_parse(x.data, x.len, &nh, on_item, on_withheld, &cs, &ex,
		                             msg);
		T_OK(k == 0 && ex.rerelease && cs.n == 2 && cs.first == 41 &&
		             strcmp(cs.last_country, "USA") == 0,
		     "rerelease yes and two consent lines read back (%s)", msg);
		ex.rerelease = true;
		T_OK(bundle_content_parse(c.data, c.len, &nh, on_item, on_withheld, &g, &ex, msg) ==
		                     0 &&
		             !ex.rerelease,
		     "a content without the flag (made before it): no re-release");
		static const char *const bad_extra[] = {
		        "rerelease maybe\nend 0 0\n",
		        "rerelease yes\nrerelease yes\nend 0 0\n",
		        "rerelease Yes\nend 0 0\n",
		        "consent 0 DEU\nend 0 0\n",
		        "consent 1 deu\nend 0 0\n",
		        "consent 1 DEUX\nend 0 0\n",
		        "consent 01 DEU\nend 0 0\n",
		        "consent 1  DEU\nend 0 0\n",
		        "consent 1\nend 0 0\n",
		        "withheld 1 why\nconsent 1 DEU\nend 0 1\n",
		        "consent 1 DEU\nrerelease no\nend 0 0\n",
		};
		int nbad = 0;
		for (size_t i = 0; i < sizeof bad_extra / sizeof bad_extra[0]; i++) {
			char bt[600];
			snprintf(bt, sizeof bt, "%s%s", head, bad_extra[i]);
			memset(&cs, 0, sizeof cs);
			if (bundle_content_parse((const uint8_t *)bt, strlen(bt), &nh, on_item,
			                         on_withheld, &cs, &ex, msg) != 0)
				nbad++;
		}
		T_OK(nbad == (int)(sizeof bad_extra / sizeof bad_extra[0]),
		     "a bad flag, a second flag, a bad consent, a consent after an item or the "
		     "flag after a consent: refused");
		buf_reset(&x);
		T_CHECK(buf_append_str(&x, head) == BUF_OK);
		int written = 0;
		for (unsigned i = 0; i <= BUNDLE_CONSENTS_MAX; i++)
			written += bundle_content_consent(1 + (int64_t)i, "DEU", &x) == 0;
		T_CHECK(written == BUNDLE_CONSENTS_MAX + 1);
		T_CHECK(bundle_content_end(0, 0, &x) == 0);
		memset(&cs, 0, sizeof cs);
		T_OK(bundle_content_parse(x.data, x.len, &nh, on_item, on_withheld, &cs, &ex,
		                          msg) != 0 &&
		             strstr(msg, "consent lines") != NULL,
		     "over BUNDLE_CONSENTS_MAX consent lines: refused (%s)", msg);
		buf_release(&x);
	}

	/* the envelope */
	const uint8_t payload[] = "age-encryption.org/v1 pretend\n\xff\x00\x01";
	struct bundle_envelope env;
	T_OK(bundle_envelope_write(&h, payload, sizeof payload, sk, &e) == 0 &&
	             bundle_envelope_parse(e.data, e.len, &env, msg) == 0 &&
	             env.payload_len == sizeof payload &&
	             memcmp(env.payload, payload, sizeof payload) == 0 && env.head.seq == 7 &&
	             ledger_note_verify(env.sig_line, env.sig_len, "a/cutout-ledger", pk, e.data,
	                                env.signed_len) == LEDGER_OK,
	     "the envelope round-trips, its signature verifies");
	e.data[env.signed_len - 1] ^= 1;
	T_OK(ledger_note_verify(env.sig_line, env.sig_len, "a/cutout-ledger", pk, e.data,
	                        env.signed_len) == LEDGER_TAMPERED,
	     "a changed payload byte: the signature fails");
	e.data[env.signed_len - 1] ^= 1;
	T_OK(bundle_envelope_parse(e.data, e.len - 1, &env, msg) != 0 &&
	             bundle_envelope_parse(e.data, env.signed_len - 2, &env, msg) != 0,
	     "a signature line or a payload cut short: refused");
	T_CHECK(buf_append(&e, "x\n", 2) == BUF_OK);
	T_OK(bundle_envelope_parse(e.data, e.len, &env, msg) != 0, "a line after the signature");
	T_OK(bundle_envelope_parse((const uint8_t *)"cutout-liaison-bundle v1\n", 25, &env, msg) !=
	             0,
	     "a header alone");
	/* the receipt */
	struct buf r;
	struct bundle_receipt rc;
	struct rgot rg = {0};
	buf_init(&r, 1 << 16);
	T_CHECK(bundle_receipt_begin(&h, &r) == 0 && bundle_receipt_item(12, NULL, &r) == 0 &&
	        bundle_receipt_item(13, "topics gardening\nnot all agreed", &r) == 0 &&
	        bundle_receipt_end("a/cutout-ledger", 1, 1, sk, &r) == 0);
	T_OK(bundle_receipt_parse(r.data, r.len, &rc, on_rcp, &rg, msg) == 0 && rc.head.seq == 7 &&
	             rc.head.prev[0] == 0xab && rc.accepted == 1 && rc.refused == 1 &&
	             rg.accepted == 12 && rg.refused == 13 &&
	             strcmp(rg.reason, "topics gardening not all agreed") == 0 &&
	             ledger_note_verify(rc.sig_line, rc.sig_len, "a/cutout-ledger", pk, r.data,
	                                rc.signed_len) == LEDGER_OK,
	     "the receipt round-trips (a reason made one line), its signature verifies");
	T_OK(bundle_receipt_item(0, NULL, &r) != 0 && bundle_receipt_item(5, "", &r) != 0,
	     "a receipt item: an id above 0, a refusal with a reason");
	static const char *const bad_receipts[] = {
	        "cutout-liaison-receipt v2\n",
	        "cutout-liaison-bundle v1\nfrom a\nto b\nseq 1\nbundle ",
	        "cutout-liaison-receipt v1\nfrom a\nto b\nseq 1\nprev ",
	        "cutout-liaison-receipt v1\nfrom a\nto b\nseq 0\nbundle ",
	        "cutout-liaison-receipt v1\nfrom a\nto b\nseq 1\nbundle AB",
	        "cutout-liaison-receipt v1\nfrom a\nto b\nseq 1\nbundle ",
	};
	static const char *const bad_tails[] = {
	        "",                                    /* only the head */
	        "0\naccepted 1\nend 1 0\n— a sig\n",   /* the hash cut short */
	        "\naccepted 01\nend 1 0\n— a sig\n",   /* a leading zero */
	        "\naccepted 1 \nend 1 0\n— a sig\n",   /* a trailing space */
	        "\nrefused 1\nend 0 1\n— a sig\n",     /* no reason */
	        "\naccepted 1\nend 0 1\n— a sig\n",    /* a count that does not match */
	        "\naccepted 1\nend 1 0\n",             /* no signature line */
	        "\naccepted 1\nend 1 0\n— a sig\nx\n", /* a line after it */
	        "\nwithheld 1 no\nend 0 0\n— a sig\n", /* a bundle's line */
	        "\naccepted 1\nend 1 0\n— a sig",      /* no newline at the end */
	};
	int rrefused = 0, total = 0;
	char hex[65];
	memset(hex, 'a', 64);
	hex[64] = '\0';
	for (size_t i = 0; i < sizeof bad_receipts / sizeof bad_receipts[0]; i++)
		for (size_t j = 0; j < sizeof bad_tails / sizeof bad_tails[0]; j++) {
			char in[512];
			int k = snprintf(in, sizeof in, "%s%s%s", bad_receipts[i],
			                 i == 5 && j != 1 ? hex : "", bad_tails[j]);
			total++;
			rrefused += k > 0 && bundle_receipt_parse((const uint8_t *)in, (size_t)k,
			                                          &rc, on_rcp, &rg, msg) != 0;
		}
	T_OK(rrefused == total, "%d malformed receipts refused (%d of them)", total, rrefused);

	char fit[8];
	bundle_reason_fit("ab\xd0\xb1\xd0\xb2\xd0\xb3", fit, 5);
	T_OK(strcmp(fit, "ab\xd0\xb1") == 0, "a reason is cut on a character");
	/* the pull's Cutout-Signature header: made, parsed back, verified; malformed refused */
	uint8_t ppk[32], psk[64], sig[64];
	char hdr[256], key[LEDGER_ORIGIN_MAX + 1], msg2[128];
	int32_t day = 0, today = 0;
	crypto_sign_keypair(ppk, psk);
	T_CHECK(day_parse("2026-12-05", &today) == 0);
	T_OK(liaison_pull_sign("service-b/cutout-ledger", psk, "GET", "/v1/bundle", today, hdr,
	                       sizeof hdr) == 0 &&
	             liaison_pull_auth_parse(hdr, strlen(hdr), key, &day, sig) == 0 &&
	             strcmp(key, "service-b/cutout-ledger") == 0 && day == today,
	     "a pull header made and parsed back: %s", hdr);
	T_OK(liaison_pull_message("GET", "/v1/bundle", day, msg2, sizeof msg2) == 0 &&
	             strcmp(msg2, "GET /v1/bundle 2026-12-05") == 0 &&
	             crypto_sign_verify_detached(sig, (const uint8_t *)msg2, strlen(msg2), ppk) ==
	                     0,
	     "it signs \"GET /v1/bundle DAY\"");
	const char *b64 = strrchr(hdr, ' ') + 1;
	char hbad[8][256];
	snprintf(hbad[0], 256, "service-b/cutout-ledger  2026-12-05 %s", b64);
	snprintf(hbad[1], 256, "service-b/cutout-ledger 2026-13-05 %s", b64);
	snprintf(hbad[2], 256, "service-b/cutout-ledger 2026-12-05 %.87s", b64);
	snprintf(hbad[3], 256, "service-b/cutout-ledger 2026-12-05 %s ", b64);
	snprintf(hbad[4], 256, " 2026-12-05 %s", b64);
	snprintf(hbad[5], 256, "service-b/cutout-ledger+abcd 2026-12-05 %s", b64);
	snprintf(hbad[6], 256, "service-b/cutout-ledger 2026-12-5 %s", b64);
	snprintf(hbad[7], 256, "service-b/cutout-ledger 2026-12-05 %.86s!=", b64);
	int hrefused = 0;
	for (int i = 0; i < 8; i++)
		hrefused += liaison_pull_auth_parse(hbad[i], strlen(hbad[i]), key, &day, sig) != 0;
	T_OK(hrefused == 8, "malformed pull headers refused (%d of 8)", hrefused);

	buf_release(&c);
	buf_release(&e);
	buf_release(&r);
	return t_done();
}
