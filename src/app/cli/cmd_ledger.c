/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_ledger: `cutout ledger ...`, the ledger seen from the shell: its head,
 * entries, proofs, full verification, signed checkpoints, and the check an
 * outsider runs with nothing but the public key (verify-checkpoint).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/outfile.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/merkle.h"
#include "lib/num.h"

#include "lib/banned.h"

const char ledger_help[] =
        "usage: cutout ledger COMMAND [-d DIR] [ARGS]\n"
        "\n"
        "The instance's ledger: every event as an entry of an append-only Merkle\n"
        "log (RFC 9162) with signed checkpoints (C2SP tlog-checkpoint). See\n"
        "docs/ledger.md.\n"
        "\n"
        "Commands:\n"
        "  head                        size, root hash, origin, verifier key and the\n"
        "                              latest signed checkpoint\n"
        "  show FROM [TO]              print entries FROM..TO (inclusive)\n"
        "  prove-inclusion INDEX [--size N]\n"
        "                              a proof file that entry INDEX is in the tree of N\n"
        "                              entries (default: the latest checkpoint's size if\n"
        "                              it covers INDEX, else the current size)\n"
        "  prove-consistency OLD NEW   a proof file that the tree of NEW entries extends\n"
        "                              the tree of OLD entries\n"
        "  verify                      recompute everything and check every checkpoint;\n"
        "                              on tampering, name the first bad entry, exit 1\n"
        "  checkpoint [-i IDENTITY]    sign a checkpoint of the current size now, store\n"
        "                              and print it (opens signing.key.age with the admin\n"
        "                              identity, default DIR/admin-identity.txt)\n"
        "  checkpoint --latest         print the latest stored checkpoint\n"
        "  verify-checkpoint FILE --key KEY [--old FILE] [PROOF...]\n"
        "                              check a checkpoint's signature with nothing but\n"
        "                              the public key, then each proof file against it\n"
        "                              (a consistency proof needs the older checkpoint,\n"
        "                              --old). KEY: the base64 Ed25519 key (signing.pub),\n"
        "                              a verifier key NAME+ID+KEY, or a file holding one.\n"
        "                              Needs no instance. With -d DIR, --witness or\n"
        "                              --quorum: also count the valid cosignatures of\n"
        "                              the witnesses (DIR's witness_keys, each --witness\n"
        "                              KEY) against the quorum (DIR's witness_quorum, or\n"
        "                              --quorum N): exit 1 below it\n"
        "  cosign [-i IDENTITY] [--via-cli WDIR]... [-o FILE]\n"
        "                              ask the witnesses (witness_urls, else the\n"
        "                              partners' liaison URLs; or the instances WDIR\n"
        "                              through their CLI) to cosign the latest\n"
        "                              checkpoint; keep the cosignatures of witness_keys\n"
        "                              with it and print the cosigned checkpoint\n"
        "                              (checkpoint --latest prints it too)"
        "\n"
        "Options:\n"
        "  -d, --dir DIR               the instance directory (or $CUTOUT_INSTANCE)\n"
        "  -i, --admin-identity FILE   the admin identity (checkpoint)\n"
        "  -o, --output FILE           write a proof or checkpoint to FILE\n";

struct opts {
	const char *dir;
	const char *identity;
	const char *output;
	const char *key;
	const char *old;
	const char *size;
	int latest;
	int dir_given;
	long quorum; /* -1: not given */
	char *via[32];
	int nvia;
	char *witness[32];
	int nwitness;
};

/* Writes text to o->output (0644: proofs and checkpoints are public) or stdout. */
static int emit(const struct opts *o, const struct buf *b)
{
	if (o->output == NULL || strcmp(o->output, "-") == 0) {
		if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
			return cli_fail("ledger", "could not write the output");
		return CLI_EXIT_OK;
	}
	struct outfile f;
	int rc = outfile_open(&f, "ledger", o->output, 0644);
	if (rc != 0)
		return rc;
	if (io_write_all(f.fd, b->data, b->len) != 0) {
		outfile_abort(&f);
		return cli_fail("ledger", "%s: %s", o->output, strerror(errno));
	}
	return outfile_commit(&f, 0);
}

static void b64(const uint8_t *p, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
}

static int fail_ledger(const char *what, enum ledger_result r)
{
	return cli_fail("ledger", "%s: %s", what, ledger_strerror(r));
}

/* ---- head ---- */

static int cmd_head(struct instance *inst)
{
	struct store *s = instance_store(inst);
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN], pk[32];
	char r64[64], origin[LEDGER_ORIGIN_MAX + 1];
	struct buf vkey, cp;
	enum ledger_result r;
	int rc = CLI_EXIT_FAIL;
	buf_init(&vkey, 512);
	buf_init(&cp, LEDGER_NOTE_MAX);
	if ((r = ledger_size(s, &size)) != LEDGER_OK ||
	    (r = ledger_root(s, size, root)) != LEDGER_OK) {
		rc = fail_ledger("head", r);
		goto out;
	}
	ledger_origin(instance_conf(inst)->organisation, origin);
	instance_signing_pk(inst, pk);
	if (ledger_vkey(origin, pk, &vkey) != 0) {
		rc = cli_fail("ledger", "out of memory");
		goto out;
	}
	b64(root, sizeof root, r64, sizeof r64);
	printf("size %llu\nroot %s\norigin %s\nkey %s\n", (unsigned long long)size, r64, origin,
	       buf_str(&vkey));
	r = ledger_checkpoint_latest(s, &cp);
	if (r == LEDGER_OK)
		printf("\nlatest checkpoint:\n%s", buf_str(&cp));
	else if (r == LEDGER_NOT_FOUND)
		printf("\nno checkpoint yet (cutout ledger checkpoint)\n");
	else {
		rc = fail_ledger("checkpoint", r);
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	buf_release(&vkey);
	buf_release(&cp);
	return rc;
}

/* ---- show ---- */

struct show_ctx {
	int bad;
};

static int show_one(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
	struct show_ctx *sc = ctx;
	struct ledger_entry e;
	if (ledger_entry_parse(entry, len, &e) != LEDGER_OK || e.index != index) {
		/* never print unchecked bytes to a terminal */
		printf("# entry %llu is damaged (run: cutout ledger verify)\n\n",
		       (unsigned long long)index);
		sc->bad = 1;
		return 0;
	}
	if (fwrite(entry, 1, len, stdout) != len || fputc('\n', stdout) == EOF)
		return 1;
	return 0;
}

static int cmd_show(struct instance *inst, uint64_t from, uint64_t to)
{
	struct show_ctx sc = {0};
	if (to < from || to == UINT64_MAX)
		return cli_usage("ledger", "TO must not be below FROM");
	enum ledger_result r = ledger_entries(instance_store(inst), from, to + 1, show_one, &sc);
	if (r == LEDGER_RANGE)
		return cli_fail("ledger", "no entries %llu..%llu (see cutout ledger head)",
		                (unsigned long long)from, (unsigned long long)to);
	if (r != LEDGER_OK)
		return fail_ledger("show", r);
	return sc.bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- proofs ---- */

static int latest_cp_size(struct store *s, uint64_t *size)
{
	struct buf b;
	struct ledger_checkpoint cp;
	buf_init(&b, LEDGER_NOTE_MAX);
	int found = ledger_checkpoint_latest(s, &b) == LEDGER_OK &&
	            ledger_checkpoint_parse(b.data, b.len, &cp) == LEDGER_OK;
	buf_release(&b);
	if (found)
		*size = cp.size;
	return found ? 0 : -1;
}

static int cmd_prove_inclusion(struct instance *inst, const struct opts *o, uint64_t index)
{
	struct store *s = instance_store(inst);
	struct ledger_proof *p = calloc(1, sizeof *p);
	struct buf out;
	uint8_t root[MERKLE_HASH_LEN];
	uint64_t size = 0;
	enum ledger_result r;
	int rc = CLI_EXIT_FAIL;
	buf_init(&out, 64 * 1024);
	if (p == NULL)
		return cli_fail("ledger", "out of memory");
	if (o->size != NULL) {
		if (num_parse_u64(o->size, &size) != 0) {
			rc = cli_usage("ledger", "--size: '%s' is not a number", o->size);
			goto out;
		}
	} else if (latest_cp_size(s, &size) != 0 || index >= size) {
		if ((r = ledger_size(s, &size)) != LEDGER_OK) {
			rc = fail_ledger("size", r);
			goto out;
		}
	}
	p->inclusion = true;
	p->a = index;
	p->b = size;
	if ((r = ledger_prove_entry(s, index, size, p->entry, &p->entry_len, p->hashes, &p->n,
	                            root)) != LEDGER_OK) {
		rc = r == LEDGER_RANGE
		             ? cli_fail("ledger", "entry %llu is not in a tree of %llu",
		                        (unsigned long long)index, (unsigned long long)size)
		             : fail_ledger("prove-inclusion", r);
		goto out;
	}
	if (ledger_proof_format(p, &out) != LEDGER_OK) {
		rc = cli_fail("ledger", "out of memory");
		goto out;
	}
	rc = emit(o, &out);
out:
	free(p);
	buf_release(&out);
	return rc;
}

static int cmd_prove_consistency(struct instance *inst, const struct opts *o, uint64_t a,
                                 uint64_t b)
{
	struct ledger_proof *p = calloc(1, sizeof *p);
	struct buf out;
	uint8_t ra[MERKLE_HASH_LEN], rb[MERKLE_HASH_LEN];
	int rc = CLI_EXIT_FAIL;
	buf_init(&out, 64 * 1024);
	if (p == NULL)
		return cli_fail("ledger", "out of memory");
	p->a = a;
	p->b = b;
	enum ledger_result r =
	        ledger_prove_consistency(instance_store(inst), a, b, p->hashes, &p->n, ra, rb);
	if (r != LEDGER_OK) {
		rc = r == LEDGER_RANGE ? cli_fail("ledger", "need 0 < OLD <= NEW <= the size")
		                       : fail_ledger("prove-consistency", r);
		goto out;
	}
	if (ledger_proof_format(p, &out) != LEDGER_OK) {
		rc = cli_fail("ledger", "out of memory");
		goto out;
	}
	rc = emit(o, &out);
out:
	free(p);
	buf_release(&out);
	return rc;
}

/* ---- verify ---- */

static int cmd_verify(struct instance *inst)
{
	struct ledger_verify_report rep;
	uint8_t pk[32];
	instance_signing_pk(inst, pk);
	enum ledger_result r = ledger_verify(instance_store(inst), pk, &rep);
	if (r == LEDGER_OK) {
		printf("ledger verified: %llu entries, %llu checkpoint%s\n",
		       (unsigned long long)rep.size, (unsigned long long)rep.checkpoints,
		       rep.checkpoints == 1 ? "" : "s");
		return CLI_EXIT_OK;
	}
	if (r != LEDGER_TAMPERED)
		return fail_ledger("verify", r);
	fprintf(stderr, "cutout ledger: VERIFICATION FAILED: %s\n", rep.msg);
	if (rep.bad_entry)
		fprintf(stderr, "cutout ledger: first bad entry: %llu\n",
		        (unsigned long long)rep.bad_index);
	if (rep.bad_checkpoint)
		fprintf(stderr, "cutout ledger: first bad checkpoint: size %llu\n",
		        (unsigned long long)rep.bad_cp_size);
	return CLI_EXIT_FAIL;
}

/* ---- checkpoint ---- */

static int cmd_checkpoint(struct instance *inst, const struct opts *o)
{
	struct store *s = instance_store(inst);
	struct buf note;
	int rc = CLI_EXIT_FAIL;
	buf_init(&note, LEDGER_NOTE_MAX);
	if (o->latest) {
		enum ledger_result r = ledger_checkpoint_latest(s, &note);
		if (r == LEDGER_OK) {
			buf_reset(&note);
			r = ledger_cosigned_latest(s, &note) == 0 ? LEDGER_OK : LEDGER_FAILED;
		}
		if (r == LEDGER_NOT_FOUND)
			rc = cli_fail("ledger", "no checkpoint yet");
		else if (r != LEDGER_OK)
			rc = fail_ledger("checkpoint", r);
		else
			rc = emit(o, &note);
		buf_release(&note);
		return rc;
	}
	char path[PATH_MAX], origin[LEDGER_ORIGIN_MAX + 1], msg[LEDGER_MSG_MAX];
	struct instance_error err;
	const char *ident = o->identity;
	uint8_t *sk = sodium_malloc(64);
	if (sk == NULL) {
		rc = cli_fail("ledger", "out of memory");
		goto out;
	}
	if (ident == NULL) {
		int n = snprintf(path, sizeof path, "%s/%s", o->dir, INSTANCE_ADMIN_IDENTITY);
		if (n < 0 || (size_t)n >= sizeof path) {
			rc = cli_fail("ledger", "path too long");
			goto out;
		}
		ident = path;
	}
	if (instance_signing_key(inst, ident, sk, &err) != INSTANCE_OK) {
		rc = cli_fail("ledger", "%s", err.msg);
		goto out;
	}
	ledger_origin(instance_conf(inst)->organisation, origin);
	enum ledger_result r = ledger_checkpoint_sign(s, origin, sk, &note, msg);
	if (r != LEDGER_OK) {
		rc = r == LEDGER_REFUSED ? cli_fail("ledger", "refusing to sign: %s", msg)
		                         : fail_ledger("checkpoint", r);
		goto out;
	}
	rc = emit(o, &note);
out:
	sodium_free(sk);
	buf_release(&note);
	return rc;
}

/* ---- verify-checkpoint: nothing but the public key ---- */

static int read_small(const char *path, struct buf *b)
{
	if (io_read_file(path, b) != 0)
		return cli_fail("ledger", "%s: %s", path,
		                errno == EFBIG ? "too large" : strerror(errno));
	return 0;
}

/* KEY: base64 of 32 bytes, "name+hexid+base64(0x01||pk)", or a file holding one. */
static int parse_key(const char *arg, uint8_t pk[32], char name[LEDGER_ORIGIN_MAX + 1])
{
	struct buf file;
	char text[512];
	size_t n = strlen(arg), len = 0;
	name[0] = '\0';
	buf_init(&file, 4096);
	if (access(arg, R_OK) == 0 && io_read_file(arg, &file) == 0) {
		n = file.len;
		while (n > 0 && (file.data[n - 1] == '\n' || file.data[n - 1] == '\r'))
			n--;
		if (n >= sizeof text || memchr(file.data, '\n', n) != NULL) {
			buf_release(&file);
			return -1;
		}
		memcpy(text, file.data, n);
	} else {
		if (n >= sizeof text)
			return -1;
		memcpy(text, arg, n);
	}
	buf_release(&file);
	text[n] = '\0';
	if (n == 44 && text[43] == '=') { /* base64 of 32 bytes (which may hold '+') */
		return sodium_base642bin(pk, 32, text, n, NULL, &len, NULL,
		                         sodium_base64_VARIANT_ORIGINAL) == 0 &&
		                       len == 32
		               ? 0
		               : -1;
	}
	/* name+hexid+base64(0x01 || pk) */
	return ledger_vkey_parse(text, n, name, pk);
}

static int open_cp(const char *path, const uint8_t pk[32], const char *name,
                   struct ledger_checkpoint *cp)
{
	struct buf b;
	buf_init(&b, LEDGER_NOTE_MAX);
	if (read_small(path, &b) != 0) {
		buf_release(&b);
		return CLI_EXIT_FAIL;
	}
	enum ledger_result r = ledger_checkpoint_open(b.data, b.len, name[0] ? name : NULL, pk, cp);
	buf_release(&b);
	if (r == LEDGER_BAD_INPUT)
		return cli_fail("ledger", "%s: not a checkpoint note", path);
	if (r != LEDGER_OK)
		return cli_fail("ledger", "%s: NO VALID SIGNATURE by this key", path);
	return 0;
}

static int cmd_verify_checkpoint(const struct opts *o, const char *file, int nproofs, char **proofs)
{
	uint8_t pk[32];
	char name[LEDGER_ORIGIN_MAX + 1], r64[64];
	struct ledger_checkpoint cp, old;
	bool have_old = false;
	if (o->key == NULL)
		return cli_usage("ledger", "verify-checkpoint needs --key KEY");
	if (parse_key(o->key, pk, name) != 0)
		return cli_usage("ledger", "--key: not an Ed25519 public key or verifier key");
	if (open_cp(file, pk, name, &cp) != 0)
		return CLI_EXIT_FAIL;
	b64(cp.root, sizeof cp.root, r64, sizeof r64);
	printf("%s: signature OK (%s), size %llu, root %s\n", file, cp.origin,
	       (unsigned long long)cp.size, r64);
	if (o->old != NULL) {
		if (open_cp(o->old, pk, name, &old) != 0)
			return CLI_EXIT_FAIL;
		if (strcmp(old.origin, cp.origin) != 0)
			return cli_fail("ledger", "%s: another origin", o->old);
		have_old = true;
		printf("%s: signature OK, size %llu\n", o->old, (unsigned long long)old.size);
	}
	int failed = 0;
	struct ledger_proof *p = malloc(sizeof *p);
	struct buf b;
	buf_init(&b, 64 * 1024);
	if (p == NULL)
		return cli_fail("ledger", "out of memory");
	for (int i = 0; i < nproofs; i++) {
		buf_reset(&b);
		if (read_small(proofs[i], &b) != 0) {
			failed = 1;
			continue;
		}
		if (ledger_proof_parse(b.data, b.len, p) != LEDGER_OK) {
			cli_fail("ledger", "%s: not a proof file", proofs[i]);
			failed = 1;
			continue;
		}
		enum merkle_result mr;
		if (p->inclusion) {
			uint8_t leaf[MERKLE_HASH_LEN];
			struct ledger_entry e;
			if (p->b != cp.size) {
				cli_fail("ledger", "%s: proof for size %llu, checkpoint is %llu",
				         proofs[i], (unsigned long long)p->b,
				         (unsigned long long)cp.size);
				failed = 1;
				continue;
			}
			if (ledger_entry_parse(p->entry, p->entry_len, &e) != LEDGER_OK ||
			    e.index != p->a) {
				cli_fail("ledger", "%s: the entry is malformed or not entry %llu",
				         proofs[i], (unsigned long long)p->a);
				failed = 1;
				continue;
			}
			merkle_leaf_hash(p->entry, p->entry_len, leaf);
			mr = merkle_verify_inclusion(leaf, p->a, p->b,
			                             (const uint8_t(*)[MERKLE_HASH_LEN])p->hashes,
			                             p->n, cp.root);
			if (mr == MERKLE_OK) {
				printf("%s: entry %llu is in the checkpoint:\n", proofs[i],
				       (unsigned long long)p->a);
				if (fwrite(p->entry, 1, p->entry_len, stdout) != p->entry_len)
					failed = 1;
				continue;
			}
		} else {
			if (!have_old || p->a != old.size || p->b != cp.size) {
				cli_fail("ledger",
				         "%s: a consistency proof %llu -> %llu needs --old with the"
				         " checkpoint of size %llu",
				         proofs[i], (unsigned long long)p->a,
				         (unsigned long long)p->b, (unsigned long long)p->a);
				failed = 1;
				continue;
			}
			mr = merkle_verify_consistency(p->a, p->b,
			                               (const uint8_t(*)[MERKLE_HASH_LEN])p->hashes,
			                               p->n, old.root, cp.root);
			if (mr == MERKLE_OK) {
				printf("%s: the checkpoint of size %llu extends the one of size "
				       "%llu\n",
				       proofs[i], (unsigned long long)p->b,
				       (unsigned long long)p->a);
				continue;
			}
		}
		cli_fail("ledger", "%s: PROOF FAILED (%s)", proofs[i], merkle_strerror(mr));
		failed = 1;
	}
	free(p);
	buf_reset(&b);
	if (!failed && (o->dir_given || o->nwitness > 0 || o->quorum >= 0)) {
		if (read_small(file, &b) != 0 ||
		    ledger_quorum(b.data, b.len, o->dir_given ? o->dir : NULL, (char **)o->witness,
		                  o->nwitness, o->quorum) != CLI_EXIT_OK)
			failed = 1;
	}
	buf_release(&b);
	return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int ledger_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"admin-identity", required_argument, NULL, 'i'},
	                                      {"output", required_argument, NULL, 'o'},
	                                      {"key", required_argument, NULL, 'k'},
	                                      {"old", required_argument, NULL, 'O'},
	                                      {"size", required_argument, NULL, 's'},
	                                      {"latest", no_argument, NULL, 'L'},
	                                      {"via-cli", required_argument, NULL, 'V'},
	                                      {"witness", required_argument, NULL, 'W'},
	                                      {"quorum", required_argument, NULL, 'Q'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	struct opts o = {.dir = getenv("CUTOUT_INSTANCE"), .quorum = -1};
	uint64_t q;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:i:o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dir = optarg;
			o.dir_given = 1;
			break;
		case 'V':
			if (o.nvia == (int)(sizeof o.via / sizeof o.via[0]))
				return cli_usage("ledger", "too many --via-cli");
			o.via[o.nvia++] = optarg;
			break;
		case 'W':
			if (o.nwitness == (int)(sizeof o.witness / sizeof o.witness[0]))
				return cli_usage("ledger", "too many --witness");
			o.witness[o.nwitness++] = optarg;
			break;
		case 'Q':
			if (num_parse_u64(optarg, &q) != 0 || q > 32)
				return cli_usage("ledger", "--quorum: a number 0..32");
			o.quorum = (long)q;
			break;
		case 'i':
			o.identity = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'O':
			o.old = optarg;
			break;
		case 's':
			o.size = optarg;
			break;
		case 'L':
			o.latest = 1;
			break;
		case 'h':
			fputs(ledger_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage("ledger", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("ledger", "unknown option '%s' (see 'cutout help ledger')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {{"head", 0, 0},
	                                      {"show", 1, 2},
	                                      {"prove-inclusion", 1, 1},
	                                      {"prove-consistency", 2, 2},
	                                      {"verify", 0, 0},
	                                      {"checkpoint", 0, 0},
	                                      {"verify-checkpoint", 1, -1},
	                                      {"cosign", 0, 0}};
	int k = cli_subcommand("ledger", cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	uint64_t a = 0, b = 0;
	if (k >= 1 && k <= 3) {
		if (num_parse_u64(args[1], &a) != 0)
			return cli_usage("ledger", "'%s' is not a number", args[1]);
		b = a;
		if (nargs > 2 && num_parse_u64(args[2], &b) != 0)
			return cli_usage("ledger", "'%s' is not a number", args[2]);
	}
	if (k == 6)
		return cmd_verify_checkpoint(&o, args[1], nargs - 2, args + 2);
	if (o.dir == NULL)
		return cli_usage("ledger", "no instance directory (use -d DIR)");
	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(o.dir, &inst, &err) != INSTANCE_OK)
		return cli_fail("ledger", "%s", err.msg);
	int rc;
	switch (k) {
	case 0:
		rc = cmd_head(inst);
		break;
	case 1:
		rc = cmd_show(inst, a, b);
		break;
	case 2:
		rc = cmd_prove_inclusion(inst, &o, a);
		break;
	case 3:
		rc = cmd_prove_consistency(inst, &o, a, b);
		break;
	case 4:
		rc = cmd_verify(inst);
		break;
	case 7:
		rc = ledger_cosign(inst, o.output, o.via, o.nvia);
		break;
	default:
		rc = cmd_checkpoint(inst, &o);
		break;
	}
	instance_close(&inst);
	return rc;
}
