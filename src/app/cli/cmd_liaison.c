/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_liaison: the exchange with partner services from the command line
 * (`cutout partner`, `cutout liaison`), issue 14. Thin: each command parses,
 * calls one use case of core/liaison/liaison.h, and renders its result. The
 * liaison key (liaison_keys.h: DIR/liaison-key.txt; on an instance without
 * one, the instance key and the admin identity, -i) signs bundles, receipts
 * and cards and opens the bundles sealed to it; opened for the one command,
 * and wiped.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/liaison_keys.h"
#include "app/cli/officer_cli.h"
#include "app/cli/outfile.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/liaison/bundle.h"
#include "core/liaison/liaison.h"
#include "lib/buf.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/banned.h"

#define LOGIN_HELP                                                                    \
	"As an officer: --as NAME (or $CUTOUT_OFFICER), with the password and TOTP\n" \
	"code asked on the terminal, or taken from $CUTOUT_PASSWORD and $CUTOUT_TOTP.\n"

const char partner_help[] =
        "usage: cutout partner COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Partner services this instance exchanges reports with, and the agreement\n"
        "with each: the topics, the highest marking, whether it may re-release.\n"
        "Partners swap signed partner cards (`card`) and add each other (`add`).\n" LOGIN_HELP
        "Needs the admin or the releasing role (not `card`).\n"
        "\n"
        "Commands:\n"
        "  card -o FILE [--url URL] [-i IDENTITY]\n"
        "                        this instance's partner card (organisation, country,\n"
        "                        verifier key, age recipient, URL), signed with the\n"
        "                        instance key; no officer needed\n"
        "  add NAME --card FILE --topics T --marking M [--rerelease]\n"
        "  add NAME --country CCC --key VKEY --age-recipient age1... [--url URL]\n"
        "          --topics T --marking M [--rerelease]\n"
        "                        a partner: from its card (its signature checked),\n"
        "                        or typed. T: comma-separated topics of the\n"
        "                        configuration's liaison_topics; M: the highest\n"
        "                        marking it may receive\n"
        "  list                  every partner (tab-separated)\n"
        "  show NAME             one partner, and the bundles sent and received\n"
        "  disable NAME          nothing more is sent to it or taken from it\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n"
        "  -i, --admin-identity FILE  the admin identity (card)\n";

const char liaison_help[] =
        "usage: cutout liaison COMMAND -d DIR [--as NAME] [ARGS]\n"
        "\n"
        "Bundles of reports exchanged with a partner, by file or over HTTP (push,\n"
        "pull, serve). A bundle is sealed to\n"
        "the partner's age recipient, signed with the liaison key, numbered, and\n"
        "chained to the previous one by its hash. It carries every report on an\n"
        "agreed topic the access decision lets the partner receive (the report, or\n"
        "its tearline at the agreement's highest marking; never ORCON or NOFORN)\n"
        "and the list of what was withheld and why, without its content. Every item\n"
        "sent, withheld, received or refused is a ledger entry with its reason.\n" LOGIN_HELP "\n"
        "Commands:\n"
        "  export PARTNER -o FILE [--since N] [-i IDENTITY]\n"
        "                        the next bundle for PARTNER: the reports after id N\n"
        "                        (default: after the last looked at). Prints each\n"
        "                        item. (releasing)\n"
        "  import FILE [-r RECEIPT] [-i IDENTITY]\n"
        "                        a partner's bundle: the signature, the sequence (no\n"
        "                        gap, no replay) and the hash chain are checked, then\n"
        "                        each report is stored as a report under its\n"
        "                        originator's marking (ORCON kept). Prints each item.\n"
        "                        -r: writes the receipt for the sender, signed with\n"
        "                        the instance key, naming the bundle and each item\n"
        "                        accepted and refused with its reason. (analyst)\n"
        "  receipt RECEIPT       a partner's receipt of a bundle sent to it: its\n"
        "                        signature, the bundle (sent, same hash, not receipted\n"
        "                        before) and its count checked, then recorded.\n"
        "                        (releasing)\n"
        "  status PARTNER        bundles and items sent, receipted, outstanding and\n"
        "                        received; says when the partner has stopped\n"
        "                        receipting (a bundle waiting more than\n"
        "                        liaison_receipt_days). (releasing)\n"
        "  push PARTNER [-i IDENTITY]\n"
        "                        the next bundle for PARTNER, POSTed to its liaison\n"
        "                        door (its URL + /v1/bundle, through liaison_socks\n"
        "                        when set); the signed receipt it answers is\n"
        "                        recorded. (releasing)\n"
        "  pull PARTNER [-i IDENTITY]\n"
        "                        fetches the next bundle from PARTNER's door (a GET\n"
        "                        signed with the instance key), imports it, and\n"
        "                        POSTs the receipt back. (analyst)\n"
        "  keygen [--rotate]     makes the instance's liaison key (cutout liaison\n"
        "                        keygen --help). (admin)\n"
        "  serve [--listen HOST:PORT] [--as NAME]\n"
        "                        the liaison door: partners push bundles and ask for\n"
        "                        cosignatures over HTTP (cutout liaison serve --help)\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR         the instance directory (or $CUTOUT_INSTANCE)\n"
        "      --as NAME         the officer\n"
        "  -r, --receipt FILE    import: where the signed receipt goes\n"
        "  -i, --admin-identity FILE  the admin identity (default DIR/admin-identity.txt):\n"
        "                        on an instance without a liaison key (DIR/liaison-key.txt)\n"
        "                        it opens the signing key and bundles; with one, import\n"
        "                        also tries it (bundles sealed to a v1 card of ours)\n";

struct opts {
	const char *dir, *as, *card, *country, *key, *age, *url, *topics, *marking, *output;
	const char *identity, *since, *receipt;
	bool rerelease;
};

static int getopts(const char *cmd, const char *help, int argc, char **argv, struct opts *o)
{
	enum {
		O_AS = 256,
		O_CARD,
		O_COUNTRY,
		O_KEY,
		O_AGE,
		O_URL,
		O_TOPICS,
		O_MARKING,
		O_RE,
		O_SINCE
	};
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"as", required_argument, NULL, O_AS},
	                                      {"card", required_argument, NULL, O_CARD},
	                                      {"country", required_argument, NULL, O_COUNTRY},
	                                      {"key", required_argument, NULL, O_KEY},
	                                      {"age-recipient", required_argument, NULL, O_AGE},
	                                      {"url", required_argument, NULL, O_URL},
	                                      {"topics", required_argument, NULL, O_TOPICS},
	                                      {"marking", required_argument, NULL, O_MARKING},
	                                      {"rerelease", no_argument, NULL, O_RE},
	                                      {"since", required_argument, NULL, O_SINCE},
	                                      {"output", required_argument, NULL, 'o'},
	                                      {"admin-identity", required_argument, NULL, 'i'},
	                                      {"receipt", required_argument, NULL, 'r'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	int c;
	memset(o, 0, sizeof *o);
	o->dir = getenv("CUTOUT_INSTANCE");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:o:i:r:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'i':
			o->identity = optarg;
			break;
		case 'r':
			o->receipt = optarg;
			break;
		case O_AS:
			o->as = optarg;
			break;
		case O_CARD:
			o->card = optarg;
			break;
		case O_COUNTRY:
			o->country = optarg;
			break;
		case O_KEY:
			o->key = optarg;
			break;
		case O_AGE:
			o->age = optarg;
			break;
		case O_URL:
			o->url = optarg;
			break;
		case O_TOPICS:
			o->topics = optarg;
			break;
		case O_MARKING:
			o->marking = optarg;
			break;
		case O_RE:
			o->rerelease = true;
			break;
		case O_SINCE:
			o->since = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		case ':':
			return cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(cmd, "unknown option '%s' (see 'cutout help %s')",
			                 argv[optind - 1], cmd);
		}
	}
	return CLI_EXIT_OK;
}

static int fail_li(const char *cmd, enum liaison_result r, const struct liaison_error *e)
{
	if (e && e->msg[0])
		return cli_fail(cmd, "%s: %s", liaison_strerror(r), e->msg);
	return cli_fail(cmd, "%s", liaison_strerror(r));
}

/* Writes b to path (durably, never a partial file) or standard output. */
static int emit(const char *cmd, const char *path, const struct buf *b)
{
	struct outfile f;
	int rc = outfile_open(&f, cmd, path, 0600);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (io_write_all(f.fd, b->data, b->len) != 0) {
		outfile_abort(&f);
		return cli_fail(cmd, "%s: write failed", path ? path : "-");
	}
	return outfile_commit(&f, 0);
}

/* ---- partner ---- */

static int print_partner(void *ctx, const struct store_partner *p)
{
	char day[DAY_STRLEN];
	day_format(p->day, day);
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%llu\t%llu\n", p->name, p->country, p->topics,
	       p->marking, p->may_rerelease ? "rerelease" : "no-rerelease",
	       p->disabled ? "disabled" : "enabled", day, (unsigned long long)p->sent_seq,
	       (unsigned long long)p->received_seq);
	if (ctx != NULL)
		printf("key: %s\nage recipient: %s\nurl: %s\nreports looked at up to: %lld\n",
		       p->vkey, p->age_recipient, p->url[0] ? p->url : "-",
		       (long long)p->sent_through);
	return 0;
}

static int card_main(const struct opts *o)
{
	struct instance *inst = NULL;
	struct instance_error ierr;
	struct liaison_keys keys;
	struct age_recipient *rc_pub = NULL;
	struct liaison_card card;
	struct liaison_error err = {{0}};
	struct buf out, vkey, lvkey;
	uint8_t lpk[32];
	int rc;
	buf_init(&out, LIAISON_CARD_MAX);
	buf_init(&vkey, STORE_PARTNER_KEY_MAX + 1);
	buf_init(&lvkey, STORE_PARTNER_KEY_MAX + 1);
	memset(&card, 0, sizeof card);
	memset(&keys, 0, sizeof keys);
	if (o->dir == NULL) {
		rc = cli_usage("partner", "no instance directory (-d DIR)");
		goto out;
	}
	if (instance_open(o->dir, &inst, &ierr) != INSTANCE_OK) {
		rc = cli_fail("partner", "%s", ierr.msg);
		goto out;
	}
	/* the liaison key (a v2 card), else the admin identity and the signing key (v1) */
	if ((rc = liaison_keys_open("partner", inst, o->dir, o->identity,
	                            LIAISON_KEYS_SIGN | LIAISON_KEYS_OPEN, &keys)) != CLI_EXIT_OK)
		goto out;
	const struct conf *conf = instance_conf(inst);
	instance_signing_pk(inst, lpk);
	if (ledger_vkey(keys.origin, keys.sk + 32, &vkey) != 0 ||
	    ledger_vkey(keys.origin, lpk, &lvkey) != 0 ||
	    age_identity_recipient(keys.id, &rc_pub) != AGE_OK ||
	    age_recipient_format(rc_pub, card.age_recipient, sizeof card.age_recipient) != AGE_OK) {
		rc = cli_fail("partner", "cannot make the card's keys");
		goto out;
	}
	snprintf(card.name, sizeof card.name, "%s", conf->organisation);
	snprintf(card.country, sizeof card.country, "%s", conf->country);
	snprintf(card.vkey, sizeof card.vkey, "%s", buf_str(&vkey));
	snprintf(card.url, sizeof card.url, "%s", o->url ? o->url : "");
	if (keys.dedicated)
		snprintf(card.ledger_vkey, sizeof card.ledger_vkey, "%s", buf_str(&lvkey));
	enum liaison_result r = liaison_card_make(&card, keys.sk, &out, &err);
	if (r != LIAISON_OK) {
		rc = fail_li("partner", r, &err);
		goto out;
	}
	rc = emit("partner", o->output, &out);
out:
	liaison_keys_close(&keys);
	age_recipient_free(&rc_pub);
	buf_release(&out);
	buf_release(&vkey);
	buf_release(&lvkey);
	instance_close(&inst);
	return rc;
}

int partner_main(int argc, char **argv)
{
	struct opts o;
	int rc = getopts("partner", partner_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"card", 0, 0}, {"add", 1, 1}, {"list", 0, 0}, {"show", 1, 1}, {"disable", 1, 1}};
	int k = cli_subcommand("partner", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (k == 0)
		return card_main(&o);
	if (k == 1 && (o.topics == NULL || o.marking == NULL ||
	               (o.card == NULL && (o.country == NULL || o.key == NULL || o.age == NULL))))
		return cli_usage("partner",
		                 "add needs --topics, --marking and --card (or --country, "
		                 "--key and --age-recipient)");
	struct liaison_card card;
	struct liaison_error err = {{0}};
	memset(&card, 0, sizeof card);
	if (k == 1 && o.card != NULL) {
		struct buf b;
		buf_init(&b, LIAISON_CARD_MAX);
		if (io_read_file(o.card, &b) != 0) {
			buf_release(&b);
			return cli_fail("partner", "%s: cannot read it (or over %d bytes)", o.card,
			                LIAISON_CARD_MAX);
		}
		enum liaison_result r = liaison_card_open(b.data, b.len, &card, &err);
		buf_release(&b);
		if (r != LIAISON_OK)
			return fail_li("partner", r, &err);
		printf("card of %s (%s), key %s\n", card.name, card.country, card.vkey);
	}
	struct officer_cli_sess s;
	if ((rc = officer_cli_sess_open("partner", o.dir, o.as, &s)) != CLI_EXIT_OK)
		return rc;
	struct store_partner row;
	enum liaison_result r;
	store_id id = 0;
	switch (k) {
	case 1: {
		struct liaison_partner_input in = {.name = args[1],
		                                   .country = o.card ? card.country : o.country,
		                                   .vkey = o.card ? card.vkey : o.key,
		                                   .age_recipient =
		                                           o.card ? card.age_recipient : o.age,
		                                   .url = o.card ? card.url : o.url,
		                                   .topics = o.topics,
		                                   .marking = o.marking,
		                                   .may_rerelease = o.rerelease};
		r = liaison_partner_add(s.reg, s.key, instance_conf(s.inst)->liaison_topics, &in,
		                        &id, &err);
		if (r == LIAISON_OK)
			printf("partner %s added (id %lld)\n", args[1], (long long)id);
		break;
	}
	case 2:
		printf("#name\tcountry\ttopics\tmarking\tre-"
		       "release\tstate\tadded\tsent\treceived\n");
		r = liaison_partner_list(s.reg, s.key, print_partner, NULL);
		break;
	case 3:
		if ((r = liaison_partner_show(s.reg, s.key, args[1], &row)) == LIAISON_OK)
			print_partner(&row, &row);
		else if (r == LIAISON_NOT_FOUND)
			snprintf(err.msg, sizeof err.msg, "no partner '%s'", args[1]);
		break;
	default:
		if ((r = liaison_partner_disable(s.reg, s.key, args[1], &err)) == LIAISON_OK)
			printf("partner %s disabled\n", args[1]);
		break;
	}
	if (r != LIAISON_OK)
		rc = fail_li("partner", r, &err);
	officer_cli_sess_close(&s);
	return rc;
}

/* ---- liaison ---- */

static int print_item(void *ctx, const struct liaison_item *it)
{
	(void)ctx;
	static const char *const kinds[] = {"",         "sent",    "withheld",
	                                    "received", "refused", "partner-withheld"};
	if (it->kind == LIAISON_ITEM_RECEIVED)
		printf("%s\t%lld\treport %lld\t%s%s%s\n", kinds[it->kind], (long long)it->remote,
		       (long long)it->report, it->marking, it->reason && it->reason[0] ? "\t" : "",
		       it->reason ? it->reason : "");
	else
		printf("%s\t%lld\t%s\t%s\n", kinds[it->kind], (long long)it->remote,
		       it->marking && it->marking[0] ? it->marking : "-",
		       it->reason && it->reason[0] ? it->reason : "-");
	return 0;
}

static void print_summary(const char *what, const struct liaison_summary *sum)
{
	char hex[2 * STORE_LIAISON_HASH_LEN + 1];
	sodium_bin2hex(hex, sizeof hex, sum->hash, sizeof sum->hash);
	printf("bundle %llu %s %s: %zu sent, %zu withheld, %zu received, %zu refused, %zu "
	       "withheld by the partner; sha256 %s\n",
	       (unsigned long long)sum->seq, what, sum->partner, sum->sent, sum->withheld,
	       sum->received, sum->refused, sum->partner_withheld, hex);
}

static int print_receipt_item(void *ctx, int64_t id, const char *reason)
{
	(void)ctx;
	printf("%s\t%lld\t%s\n", reason ? "refused" : "accepted", (long long)id,
	       reason ? reason : "-");
	return 0;
}

/* `liaison receipt FILE`: a partner's receipt recorded. */
static int receipt_main(const struct opts *o, const char *file)
{
	struct officer_cli_sess s;
	int rc = officer_cli_sess_open("liaison", o->dir, o->as, &s);
	if (rc != CLI_EXIT_OK)
		return rc;
	struct liaison_error err = {{0}};
	struct liaison_receipt_summary sum;
	struct buf b;
	char origin[LEDGER_ORIGIN_MAX + 1];
	buf_init(&b, BUNDLE_RECEIPT_MAX);
	ledger_origin(instance_conf(s.inst)->organisation, origin);
	if (io_read_file(file, &b) != 0) {
		rc = cli_fail("liaison", "%s: cannot read it (or over %u bytes)", file,
		              BUNDLE_RECEIPT_MAX);
	} else {
		struct liaison_self self = {.name = origin};
		enum liaison_result r = liaison_receipt(s.reg, s.key, &self, b.data, b.len, &sum,
		                                        print_receipt_item, NULL, &err);
		if (r != LIAISON_OK)
			rc = fail_li("liaison", r, &err);
		else
			printf("receipt of bundle %llu from %s recorded: %zu accepted, %zu "
			       "refused\n",
			       (unsigned long long)sum.seq, sum.partner, sum.accepted, sum.refused);
	}
	buf_release(&b);
	officer_cli_sess_close(&s);
	return rc;
}

/* `liaison status PARTNER`. */
static int status_main(const struct opts *o, const char *partner)
{
	struct officer_cli_sess s;
	int rc = officer_cli_sess_open("liaison", o->dir, o->as, &s);
	if (rc != CLI_EXIT_OK)
		return rc;
	struct liaison_error err = {{0}};
	struct liaison_status st;
	int32_t days = (int32_t)instance_conf(s.inst)->liaison_receipt_days;
	enum liaison_result r = liaison_status(s.reg, s.key, partner, days, 0, &st, &err);
	if (r != LIAISON_OK) {
		rc = fail_li("liaison", r, &err);
	} else {
		char day[DAY_STRLEN];
		printf("partner %s (%s)%s\n", st.partner.name, st.partner.country,
		       st.partner.disabled ? ", disabled" : "");
		printf("sent: %llu bundles, %llu items, %llu withheld\n",
		       (unsigned long long)st.sent, (unsigned long long)st.items_sent,
		       (unsigned long long)st.items_withheld);
		printf("receipted: %llu bundles, %llu items accepted, %llu refused\n",
		       (unsigned long long)st.receipted, (unsigned long long)st.items_accepted,
		       (unsigned long long)st.items_refused);
		printf("outstanding: %llu bundles, %llu items\n",
		       (unsigned long long)st.outstanding,
		       (unsigned long long)st.items_unreceipted);
		printf("received: %llu bundles, %llu items\n", (unsigned long long)st.received,
		       (unsigned long long)st.items_received);
		if (st.outstanding) {
			day_format(st.oldest_outstanding, day);
			printf("oldest bundle without a receipt: sent %s\n", day);
		}
		if (st.late_days > 0)
			printf("STOPPED RECEIPTING: a bundle sent %d days ago has no receipt (more "
			       "than"
			       " %d days, liaison_receipt_days)\n",
			       (int)st.late_days, (int)days);
	}
	officer_cli_sess_close(&s);
	return rc;
}

int liaison_main(int argc, char **argv)
{
	struct opts o;
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return liaison_serve_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "keygen") == 0)
		return liaison_keygen_main(argc - 1, argv + 1);
	int rc = getopts("liaison", liaison_help, argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc != CLI_EXIT_OK)
		return rc;
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {{"export", 1, 1}, {"import", 1, 1}, {"receipt", 1, 1},
	                                      {"status", 1, 1}, {"push", 1, 1},   {"pull", 1, 1}};
	int k = cli_subcommand("liaison", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (o.receipt != NULL && k != 1)
		return cli_usage("liaison", "-r RECEIPT is for import");
	if (k == 4)
		return liaison_push(o.dir, o.as, o.identity, args[1]);
	if (k == 5)
		return liaison_pull_cmd(o.dir, o.as, o.identity, args[1]);
	if (k >= 2)
		return k == 2 ? receipt_main(&o, args[1]) : status_main(&o, args[1]);
	int64_t since = -1;
	if (k == 0 && o.output == NULL)
		return cli_usage("liaison", "export needs -o FILE");
	if (o.since != NULL && (k != 0 || num_parse_id(o.since, &since) != 0))
		return cli_usage("liaison", "--since N is for export, N a report id");
	struct officer_cli_sess s;
	if ((rc = officer_cli_sess_open("liaison", o.dir, o.as, &s)) != CLI_EXIT_OK)
		return rc;
	struct liaison_error err = {{0}};
	struct liaison_summary sum;
	struct liaison_keys keys;
	struct liaison_self self;
	struct buf b;
	enum liaison_result r;
	buf_init(&b, LIAISON_BUNDLE_MAX);
	if ((rc = liaison_keys_open("liaison", s.inst, o.dir, o.identity,
	                            k == 0 ? LIAISON_KEYS_SIGN
	                                   : LIAISON_KEYS_OPEN |
	                                             (o.receipt ? LIAISON_KEYS_SIGN : 0),
	                            &keys)) != CLI_EXIT_OK)
		goto out;
	liaison_keys_self(&keys, instance_conf(s.inst), &self);
	if (k == 0) {
		r = liaison_export(s.reg, s.key, &self, args[1], since, &b, &sum, print_item, NULL,
		                   &err);
		if (r != LIAISON_OK) {
			rc = fail_li("liaison", r, &err);
			goto out;
		}
		print_summary("for", &sum);
		if (sum.more)
			printf("more reports are left for the next bundle: export again\n");
		rc = emit("liaison", o.output, &b);
	} else {
		if (io_read_file(args[1], &b) != 0) {
			rc = cli_fail("liaison", "%s: cannot read it (or over %u bytes)", args[1],
			              LIAISON_BUNDLE_MAX);
			goto out;
		}
		if (o.receipt == NULL)
			self.sk = NULL;
		struct buf rcp;
		buf_init(&rcp, BUNDLE_RECEIPT_MAX);
		r = liaison_import(s.reg, s.key, &self, b.data, b.len, &sum, print_item, NULL,
		                   o.receipt ? &rcp : NULL, &err);
		if (r != LIAISON_OK) {
			buf_release(&rcp);
			rc = fail_li("liaison", r, &err);
			goto out;
		}
		print_summary("from", &sum);
		if (o.receipt != NULL) {
			rc = emit("liaison", o.receipt, &rcp);
			if (rc == CLI_EXIT_OK)
				printf("receipt written to %s\n", o.receipt);
		}
		buf_release(&rcp);
	}
out:
	liaison_keys_close(&keys);
	buf_release(&b);
	officer_cli_sess_close(&s);
	return rc;
}
