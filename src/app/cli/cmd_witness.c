/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_witness: `cutout witness ...` (this instance as a witness of partners'
 * ledgers, core/witness) and, for `cutout ledger`, the collection of
 * cosignatures for our latest checkpoint (`ledger cosign`: over HTTP with
 * libcurl, or through `cutout witness add-checkpoint` of another instance
 * directory, --via-cli) and the quorum check of verify-checkpoint.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/http_client.h"
#include "app/cli/outfile.h"
#include "core/instance/instance.h"
#include "core/ledger/ledger.h"
#include "core/witness/witness.h"
#include "lib/buf.h"
#include "lib/day.h"
#include "lib/io.h"
#include "lib/num.h"

#include "lib/banned.h"

const char witness_help[] =
        "usage: cutout witness COMMAND -d DIR [ARGS]\n"
        "\n"
        "This instance as a witness of partners' ledgers (C2SP tlog-witness): it\n"
        "cosigns a partner's checkpoint only if it extends the one it cosigned\n"
        "before, and records a split view (two histories) as a conflict. See\n"
        "docs/ledger.md, \"Witnessing\".\n"
        "\n"
        "Commands:\n"
        "  init                  derive the witness key (from the signing key: needs\n"
        "                        the admin identity), write DIR/witness.pub, print it\n"
        "  key                   print the witness's verifier key (for partners'\n"
        "                        witness_keys)\n"
        "  add VKEY              witness the log of this verifier key (the partner's\n"
        "                        `cutout ledger head` verifier key, or a file with it)\n"
        "  list                  the logs witnessed: origin, size cosigned, day, root\n"
        "  add-checkpoint        answer one add-checkpoint request read on stdin: the\n"
        "                        answer's body on stdout (the cosignature on success);\n"
        "                        exit 0 for 200, 1 otherwise with the status on stderr\n"
        "  conflicts             the split views caught, with both checkpoints\n"
        "\n"
        "Options:\n"
        "  -d, --dir DIR               the instance directory (or $CUTOUT_INSTANCE)\n"
        "  -i, --admin-identity FILE   the admin identity (default DIR/admin-identity.txt)\n"
        "      --status                add-checkpoint: first print \"status N\" on a line\n";

#define W "witness"
#define MAX_WITNESSES CONF_QUORUM_MAX

/* The admin identity: FILE, or DIR/admin-identity.txt. */
static const char *identity_path(const char *dir, const char *ident, char path[PATH_MAX])
{
	if (ident != NULL)
		return ident;
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	return n > 0 && n < PATH_MAX ? path : NULL;
}

/* The witness key (sodium_malloc'd sk of 64 bytes) and name; 0 or a CLI exit code. */
static int open_witness_key(struct instance *inst, const char *dir, const char *ident, uint8_t *sk,
                            char name[LEDGER_ORIGIN_MAX + 1])
{
	char path[PATH_MAX];
	struct instance_error err;
	const char *id = identity_path(dir, ident, path);
	if (id == NULL)
		return cli_fail(W, "path too long");
	uint8_t *ssk = sodium_malloc(64);
	if (ssk == NULL)
		return cli_fail(W, "out of memory");
	int rc = 0;
	if (instance_signing_key(inst, id, ssk, &err) != INSTANCE_OK)
		rc = cli_fail(W, "%s", err.msg);
	else if (witness_key_derive(ssk, sk) != 0)
		rc = cli_fail(W, "could not derive the witness key");
	sodium_free(ssk);
	witness_name(instance_conf(inst)->organisation, name);
	return rc;
}

static int cmd_key(struct instance *inst, const char *dir, const char *ident, int write)
{
	char name[LEDGER_ORIGIN_MAX + 1], path[PATH_MAX];
	struct buf vk, file;
	buf_init(&vk, 512);
	buf_init(&file, 1024);
	int n = snprintf(path, sizeof path, "%s/witness.pub", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return cli_fail(W, "path too long");
	if (!write && io_read_file(path, &file) == 0) {
		int rc = fwrite(file.data, 1, file.len, stdout) == file.len ? CLI_EXIT_OK
		                                                            : CLI_EXIT_FAIL;
		buf_release(&file);
		return rc;
	}
	uint8_t *sk = sodium_malloc(64);
	if (sk == NULL)
		return cli_fail(W, "out of memory");
	int rc = open_witness_key(inst, dir, ident, sk, name);
	if (rc == 0 &&
	    (witness_vkey(name, sk + 32, &vk) != 0 || buf_append(&vk, "\n", 1) != BUF_OK))
		rc = cli_fail(W, "could not format the verifier key");
	sodium_free(sk);
	if (rc == 0 && write) {
		struct outfile f;
		if ((rc = outfile_open(&f, W, path, 0644)) == 0) {
			if (io_write_all(f.fd, vk.data, vk.len) != 0) {
				outfile_abort(&f);
				rc = cli_fail(W, "%s: %s", path, strerror(errno));
			} else {
				rc = outfile_commit(&f, 0);
			}
		}
	}
	if (rc == 0 && fwrite(vk.data, 1, vk.len, stdout) != vk.len)
		rc = CLI_EXIT_FAIL;
	buf_release(&vk);
	buf_release(&file);
	return rc;
}

/* A verifier key given as text or as a file holding it (one line). */
static int key_arg(const char *arg, char *out, size_t cap)
{
	struct buf f;
	buf_init(&f, 4096);
	size_t n = strlen(arg);
	const char *p = arg;
	if (access(arg, R_OK) == 0 && io_read_file(arg, &f) == 0) {
		p = (const char *)f.data;
		n = f.len;
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
	}
	int rc = n > 0 && n < cap && memchr(p, '\n', n) == NULL ? 0 : -1;
	if (rc == 0) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
	buf_release(&f);
	return rc;
}

static int cmd_add(struct instance *inst, const char *arg)
{
	char vkey[STORE_WITNESS_KEY_MAX + 1], msg[WITNESS_MSG_MAX];
	if (key_arg(arg, vkey, sizeof vkey) != 0)
		return cli_usage(W, "not a verifier key: %s", arg);
	enum witness_result r = witness_log_add(instance_store(inst), "admin", vkey, msg);
	if (r != WITNESS_OK)
		return cli_fail(W, "%s", msg);
	printf("witnessing %.*s\n", (int)strcspn(vkey, "+"), vkey);
	return CLI_EXIT_OK;
}

static int print_log(void *ctx, const struct store_witness_log *l)
{
	char day[DAY_STRLEN], root[64] = "-";
	(void)ctx;
	day_format(l->day, day);
	if (l->size > 0)
		sodium_bin2base64(root, sizeof root, l->root, sizeof l->root,
		                  sodium_base64_VARIANT_ORIGINAL);
	printf("%s\tsize %llu\t%s\t%s\n", l->origin, (unsigned long long)l->size, day, root);
	return 0;
}

static int print_conflict(void *ctx, const struct store_witness_conflict *c)
{
	char day[DAY_STRLEN];
	int *n = ctx;
	(*n)++;
	day_format(c->day, day);
	printf("conflict %lld\tlog %lld\tsize %llu\t%s\n--- held (cosigned before):\n%s--- "
	       "offered:\n"
	       "%s\n",
	       (long long)c->id, (long long)c->log, (unsigned long long)c->size, day, c->held,
	       c->offered);
	return 0;
}

static int cmd_add_checkpoint(struct instance *inst, const char *dir, const char *ident,
                              int status_line)
{
	char name[LEDGER_ORIGIN_MAX + 1];
	struct buf in, out;
	buf_init(&in, WITNESS_REQUEST_MAX);
	buf_init(&out, 4096);
	if (io_read_fd(STDIN_FILENO, &in) != 0) {
		buf_release(&in);
		return cli_fail(W, "could not read the request (at most %d bytes)",
		                (int)WITNESS_REQUEST_MAX);
	}
	uint8_t *sk = sodium_malloc(64);
	int rc = sk == NULL ? cli_fail(W, "out of memory")
	                    : open_witness_key(inst, dir, ident, sk, name);
	if (rc == 0) {
		time_t now = time(NULL);
		int st = witness_add_checkpoint(instance_store(inst), name, sk, in.data, in.len,
		                                now > 0 ? (uint64_t)now : 0, &out);
		if (status_line)
			printf("status %d\n", st);
		if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			rc = CLI_EXIT_FAIL;
		else if (st != 200)
			rc = cli_fail(W, "add-checkpoint: status %d", st);
	}
	sodium_free(sk);
	buf_release(&in);
	buf_release(&out);
	return rc;
}

int witness_main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dir", required_argument, NULL, 'd'},
	                                      {"admin-identity", required_argument, NULL, 'i'},
	                                      {"status", no_argument, NULL, 'S'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *dir = getenv("CUTOUT_INSTANCE"), *ident = NULL;
	int c, status_line = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:i:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'i':
			ident = optarg;
			break;
		case 'S':
			status_line = 1;
			break;
		case 'h':
			fputs(witness_help, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(W, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage(W, "unknown option '%s' (see 'cutout help witness')",
			                 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	static const struct cli_sub cmds[] = {
	        {"init", 0, 0},           {"key", 0, 0},      {"add", 1, 1}, {"list", 0, 0},
	        {"add-checkpoint", 0, 0}, {"conflicts", 0, 0}};
	int k = cli_subcommand(W, cmds, sizeof cmds / sizeof cmds[0], nargs, args);
	if (k < 0)
		return CLI_EXIT_USAGE;
	if (dir == NULL)
		return cli_usage(W, "no instance directory (use -d DIR)");
	struct instance *inst = NULL;
	struct instance_error err;
	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail(W, "%s", err.msg);
	int rc = CLI_EXIT_OK, n = 0;
	enum store_result r = STORE_OK;
	switch (k) {
	case 0:
	case 1:
		rc = cmd_key(inst, dir, ident, k == 0);
		break;
	case 2:
		rc = cmd_add(inst, args[1]);
		break;
	case 3:
		r = witness_logs(instance_store(inst), print_log, NULL);
		break;
	case 4:
		rc = cmd_add_checkpoint(inst, dir, ident, status_line);
		break;
	default:
		r = witness_conflicts(instance_store(inst), print_conflict, &n);
		if (r == STORE_OK && n == 0)
			printf("no conflict\n");
		break;
	}
	if (r != STORE_OK)
		rc = cli_fail(W, "the store failed (%d)", (int)r);
	instance_close(&inst);
	return rc;
}

/* ---- ledger cosign: the client side ---- */

/* Splits a space-separated list (at most max items, each NUL-terminated in copy). */
static size_t split(char *copy, char **items, size_t max)
{
	size_t n = 0;
	if (strcmp(copy, "none") == 0)
		return 0;
	for (char *p = copy; *p != '\0' && n < max;) {
		while (*p == ' ' || *p == ',')
			*p++ = '\0';
		if (*p == '\0')
			break;
		items[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != ',')
			p++;
	}
	return n;
}

/* POST req to PREFIX/add-checkpoint (through socks, if any): the status (or -1) and the body. */
static int post_http(const char *prefix, const char *socks, const struct buf *req, struct buf *out)
{
	char url[1024];
	int n = snprintf(url, sizeof url, "%s%sadd-checkpoint", prefix,
	                 prefix[0] != '\0' && prefix[strlen(prefix) - 1] == '/' ? "" : "/");
	if (n < 0 || (size_t)n >= sizeof url)
		return -1;
	struct http_client_req rq = {.url = url,
	                             .method = "POST",
	                             .content_type = "text/plain; charset=utf-8",
	                             .body = req->data,
	                             .len = req->len,
	                             .socks = socks,
	                             .timeout = 30,
	                             .max = 64 * 1024};
	return http_client_do(&rq, out);
}

/* Runs `cutout witness add-checkpoint --status -d DIR` with req on its stdin. */
static int post_cli(const char *dir, const struct buf *req, struct buf *out)
{
	int in[2], outp[2];
	if (pipe(in) != 0)
		return -1;
	if (pipe(outp) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(outp[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		char *const av[] = {"cutout",    "witness", "add-checkpoint", "--status", "-d",
		                    (char *)dir, NULL};
		execv("/proc/self/exe", av);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	int ok = pid > 0 && io_write_all(in[1], req->data, req->len) == 0;
	close(in[1]);
	struct buf raw;
	buf_init(&raw, 8192);
	ok = ok && io_read_fd(outp[0], &raw) == 0;
	close(outp[0]);
	int wst = 0;
	if (pid > 0)
		while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {
		}
	int status = -1;
	const char *s = buf_str(&raw), *nl = strchr(s, '\n');
	uint64_t v = 0;
	if (ok && nl != NULL && strncmp(s, "status ", 7) == 0) {
		char num[8];
		size_t k = (size_t)(nl - s) - 7;
		if (k > 0 && k < sizeof num) {
			memcpy(num, s + 7, k);
			num[k] = '\0';
			if (num_parse_u64(num, &v) == 0 && v >= 100 && v < 600 &&
			    buf_append(out, nl + 1, raw.len - (size_t)(nl + 1 - s)) == BUF_OK)
				status = (int)v;
		}
	}
	buf_release(&raw);
	return status;
}

struct keys {
	char *name[MAX_WITNESSES];
	uint8_t pk[MAX_WITNESSES][32];
	char names[MAX_WITNESSES][LEDGER_ORIGIN_MAX + 1];
	size_t n;
};

/* The witness_keys of the configuration, parsed; -1 (said) for a bad one. */
static int load_keys(const struct conf *cf, struct keys *k, char *copy, size_t cap)
{
	char *items[MAX_WITNESSES];
	if (strlen(cf->witness_keys) >= cap)
		return -1;
	memcpy(copy, cf->witness_keys, strlen(cf->witness_keys) + 1);
	k->n = split(copy, items, MAX_WITNESSES);
	for (size_t i = 0; i < k->n; i++) {
		if (witness_vkey_parse(items[i], strlen(items[i]), k->names[i], k->pk[i]) != 0) {
			cli_fail("ledger", "witness_keys: not a witness verifier key: %s",
			         items[i]);
			return -1;
		}
		k->name[i] = items[i];
	}
	return 0;
}

/* One witness: the request from the size it holds; its cosignature lines stored. */
static int cosign_one(struct store *s, const char *target, int via_cli, const char *socks,
                      const struct buf *note, const struct ledger_checkpoint *cp,
                      const struct keys *keys)
{
	uint64_t old = 0;
	struct buf req, out;
	buf_init(&req, WITNESS_REQUEST_MAX);
	buf_init(&out, 8192);
	int rc = -1;
	for (int attempt = 0; attempt < 3; attempt++) {
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], r1[32], r2[32];
		size_t np = 0;
		if (old > cp->size) {
			cli_fail("ledger", "%s holds size %llu, above our checkpoint's %llu",
			         target, (unsigned long long)old, (unsigned long long)cp->size);
			goto out;
		}
		if (old > 0 && old < cp->size &&
		    ledger_prove_consistency(s, old, cp->size, proof, &np, r1, r2) != LEDGER_OK) {
			cli_fail("ledger", "could not prove %llu -> %llu", (unsigned long long)old,
			         (unsigned long long)cp->size);
			goto out;
		}
		buf_reset(&req);
		buf_reset(&out);
		if (witness_request_format(old, (const uint8_t(*)[MERKLE_HASH_LEN])proof, np,
		                           note->data, note->len, &req) != 0)
			goto out;
		int st = via_cli ? post_cli(target, &req, &out)
		                 : post_http(target, socks, &req, &out);
		uint64_t held;
		char num[24];
		size_t bl = out.len;
		if (st == 409 && bl > 1 && bl < sizeof num && out.data[bl - 1] == '\n') {
			memcpy(num, out.data, bl - 1);
			num[bl - 1] = '\0';
			if (num_parse_u64(num, &held) == 0 && held != old) {
				old = held;
				continue;
			}
		}
		if (st != 200) {
			cli_fail("ledger", "%s: status %d: %.*s", target, st,
			         (int)strcspn(buf_str(&out), "\n"), buf_str(&out));
			goto out;
		}
		/* each line: kept if a configured witness's cosignature verifies */
		const char *p = buf_str(&out);
		int kept = 0;
		while (*p != '\0') {
			size_t ln = strcspn(p, "\n");
			if (p[ln] != '\n')
				break;
			for (size_t i = 0; i < keys->n; i++) {
				enum store_result r = witness_cosig_keep(s, cp, keys->names[i],
				                                         keys->pk[i], p, ln + 1);
				if (r == STORE_REFUSED)
					continue;
				if (r == STORE_OK || r == STORE_EXISTS) {
					kept++;
					fprintf(stderr, "cosigned by %s\n", keys->names[i]);
				}
				break;
			}
			p += ln + 1;
		}
		if (kept == 0)
			cli_fail("ledger", "%s: no cosignature by a witness of witness_keys",
			         target);
		rc = kept > 0 ? 0 : -1;
		goto out;
	}
	cli_fail("ledger", "%s: the witness's size kept moving", target);
out:
	buf_release(&req);
	buf_release(&out);
	return rc;
}

struct targets {
	char *item[MAX_WITNESSES];
	size_t n;
	char urls[MAX_WITNESSES][1024];
};

static int partner_url(void *ctx, const char *url)
{
	struct targets *t = ctx;
	if (t->n < MAX_WITNESSES && strlen(url) < sizeof t->urls[t->n]) {
		memcpy(t->urls[t->n], url, strlen(url) + 1);
		t->item[t->n] = t->urls[t->n];
		t->n++;
	}
	return 0;
}

int ledger_cosigned_latest(struct store *s, struct buf *note)
{
	return witness_cosigned_latest(s, note);
}

int ledger_cosign(struct instance *inst, const char *output, char **via, int nvia)
{
	struct store *s = instance_store(inst);
	const struct conf *cf = instance_conf(inst);
	struct keys *keys = calloc(1, sizeof *keys);
	struct targets *t = calloc(1, sizeof *t);
	char *copy = malloc(2 * (CONF_WITNESS_MAX + 1));
	struct buf note;
	struct ledger_checkpoint cp;
	int rc = CLI_EXIT_FAIL, failed = 0;
	buf_init(&note, LEDGER_NOTE_MAX);
	if (keys == NULL || t == NULL || copy == NULL) {
		cli_fail("ledger", "out of memory");
		goto out;
	}
	if (load_keys(cf, keys, copy, CONF_WITNESS_MAX + 1) != 0)
		goto out;
	if (keys->n == 0) {
		cli_fail("ledger", "no witness_keys in the configuration: whom to trust?");
		goto out;
	}
	if (ledger_checkpoint_latest(s, &note) != LEDGER_OK ||
	    ledger_checkpoint_parse(note.data, note.len, &cp) != LEDGER_OK) {
		cli_fail("ledger", "no checkpoint to cosign (cutout ledger checkpoint first)");
		goto out;
	}
	if (nvia > 0) {
		for (int i = 0; i < nvia && t->n < MAX_WITNESSES; i++)
			t->item[t->n++] = via[i];
	} else {
		char *urls = copy + CONF_WITNESS_MAX + 1;
		memcpy(urls, cf->witness_urls, strlen(cf->witness_urls) + 1);
		t->n = split(urls, t->item, MAX_WITNESSES);
		if (t->n == 0 && witness_partner_urls(s, partner_url, t) != STORE_OK) {
			cli_fail("ledger", "could not read the partners");
			goto out;
		}
	}
	if (t->n == 0) {
		cli_fail("ledger", "no witness to ask (witness_urls, partners' URLs, --via-cli)");
		goto out;
	}
	if (nvia == 0)
		curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < t->n; i++)
		failed |= cosign_one(s, t->item[i], nvia > 0, cf->liaison_socks, &note, &cp,
		                     keys) != 0;
	if (nvia == 0)
		curl_global_cleanup();
	buf_reset(&note);
	if (ledger_cosigned_latest(s, &note) != 0) {
		cli_fail("ledger", "could not read the checkpoint back");
		goto out;
	}
	if (output == NULL || strcmp(output, "-") == 0) {
		rc = fwrite(note.data, 1, note.len, stdout) == note.len ? CLI_EXIT_OK
		                                                        : CLI_EXIT_FAIL;
	} else {
		struct outfile f;
		if ((rc = outfile_open(&f, "ledger", output, 0644)) == 0) {
			if (io_write_all(f.fd, note.data, note.len) != 0) {
				outfile_abort(&f);
				rc = cli_fail("ledger", "%s: %s", output, strerror(errno));
			} else {
				rc = outfile_commit(&f, 0);
			}
		}
	}
	if (rc == CLI_EXIT_OK && failed)
		rc = CLI_EXIT_FAIL;
out:
	buf_release(&note);
	free(keys);
	free(t);
	free(copy);
	return rc;
}

int ledger_quorum(const uint8_t *note, size_t n, const char *dir, char **wkeys, int nwkeys,
                  long quorum)
{
	struct conf *cf = NULL;
	const char *list[MAX_WITNESSES];
	size_t nk = 0;
	char *copy = NULL;
	int rc = CLI_EXIT_FAIL;
	if (dir != NULL) {
		char path[PATH_MAX];
		struct conf_error err;
		int k = snprintf(path, sizeof path, "%s/%s", dir, INSTANCE_CONF);
		cf = malloc(sizeof *cf);
		copy = malloc(CONF_WITNESS_MAX + 1);
		if (k < 0 || (size_t)k >= sizeof path || cf == NULL || copy == NULL) {
			cli_fail("ledger", "out of memory or path too long");
			goto out;
		}
		if (conf_load(path, cf, &err) != CONF_OK) {
			cli_fail("ledger", "%s: %s", path, err.msg);
			goto out;
		}
		memcpy(copy, cf->witness_keys, strlen(cf->witness_keys) + 1);
		char *items[MAX_WITNESSES];
		nk = split(copy, items, MAX_WITNESSES);
		for (size_t i = 0; i < nk; i++)
			list[i] = items[i];
		if (quorum < 0)
			quorum = cf->witness_quorum;
	}
	for (int i = 0; i < nwkeys && nk < MAX_WITNESSES; i++)
		list[nk++] = wkeys[i];
	if (quorum < 0)
		quorum = 0;
	size_t valid = 0;
	if (witness_count(note, n, list, nk, &valid) != 0) {
		cli_fail("ledger", "a malformed witness key or checkpoint");
		goto out;
	}
	if ((long)valid >= quorum) {
		printf("cosignatures: %zu of %zu witnesses, quorum %ld: OK\n", valid, nk, quorum);
		rc = CLI_EXIT_OK;
	} else {
		cli_fail("ledger", "cosignatures: %zu of %zu witnesses, quorum %ld: QUORUM NOT MET",
		         valid, nk, quorum);
	}
out:
	free(cf);
	free(copy);
	return rc;
}
