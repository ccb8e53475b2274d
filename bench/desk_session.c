/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_desk_session: what keeping the desk's sessions in the store (issue 15 §2) costs a
 * request: desk_sessions_acquire + release of a logged-in session, timed one by one,
 * p50 / p99 in microseconds: the in-memory table alone (the reference, as before), the
 * store's table holding the session (every request reads its row), and another node's
 * table (the row opened and the officer's keys got again: once per session and node).
 *
 *     bench_desk_session [N]     (SQLite in a temporary directory; CUTOUT_STORE=postgresql://
 *                                 an empty database, e.g. through tests/store/pg-run)
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/desk/desk_session.h"
#include "core/instance/instance.h"
#include "core/officer/officer.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"

#define PW "the bench officer's long password"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, size_t n, double ref99)
{
	qsort(t, n, sizeof *t, cmp);
	double p50 = t[n / 2], p99 = t[n * 99 / 100];
	printf("  %-46s p50 %8.1f us  p99 %8.1f us", what, p50, p99);
	if (ref99 > 0)
		printf("  (p99 %.1fx the reference)", p99 / ref99);
	else
		printf("  (reference)");
	printf("\n");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

static struct officer_key *login(struct officers *o, const char *b32, uint64_t *t)
{
	char c[16];
	struct officer_key *k = NULL;
	*t += 30;
	code_at(b32, *t, c);
	if (officer_login(o, "bench", PW, c, *t, &k, NULL) != OFFICER_OK)
		return NULL;
	return k;
}

static int timed(struct desk_sessions *s, const char *tok, double *t)
{
	struct desk_session_view v;
	double t0 = now_us();
	struct desk_session *d = desk_sessions_acquire(s, tok, &v);
	desk_sessions_release(s, &d);
	*t = now_us() - t0;
	return v.key != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	if (sodium_init() < 0 || n < 100 || n > 10000000)
		return 2;
	char base[] = "/tmp/cutout-bench-desk-session-XXXXXX", dir[256], idpath[320];
	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	const char *ext = getenv("CUTOUT_STORE");
	struct instance_options opt = {.store = ext != NULL && ext[0] ? ext : NULL};
	struct instance_error err;
	struct instance *inst = NULL;
	struct age_identity *admin_id = NULL, *intake_id = NULL;
	struct officers *o = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	struct officer_kdf kdf = {1, 8192};
	if (instance_init(dir, &opt, NULL, &err) != INSTANCE_OK ||
	    instance_open(dir, &inst, &err) != INSTANCE_OK || io_read_file(idpath, &idtext) != 0 ||
	    age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) != AGE_OK ||
	    instance_intake_identity(inst, idpath, &intake_id, &err) != INSTANCE_OK ||
	    officers_new(instance_store(inst), &kdf, &o) != OFFICER_OK ||
	    officer_bootstrap(o, admin_id, intake_id, "bench", ROLE_ADMIN | ROLE_INTAKE, "SECRET",
	                      "GBR", PW, NULL) != OFFICER_OK) {
		fprintf(stderr, "bench_desk_session: could not make the instance\n");
		return 1;
	}
	buf_wipe_release(&idtext);
	uint64_t t = (uint64_t)time(NULL);
	char b32[TOTP_B32_MAX], uri[TOTP_URI_MAX], c[16];
	if (officer_enrol_begin(o, "bench", PW, t, b32, uri, sizeof uri) != OFFICER_OK)
		return 1;
	code_at(b32, t, c);
	if (officer_enrol_finish(o, "bench", PW, b32, c, t) != OFFICER_OK)
		return 1;

	uint8_t salt[16];
	randombytes_buf(salt, sizeof salt);
	struct desk_sessions *mem = NULL, *a = NULL, *b = NULL;
	size_t cold = n / 20 < 1000 ? n / 20 : 1000;
	if (desk_sessions_new(16, 3600, &mem) != 0 || desk_sessions_new(16, 3600, &a) != 0 ||
	    desk_sessions_new(16, 3600, &b) != 0 ||
	    desk_sessions_use_store(a, instance_store(inst), o, salt, sizeof salt) != 0 ||
	    desk_sessions_use_store(b, instance_store(inst), o, salt, sizeof salt) != 0)
		return 1;
	double *ts = calloc(n, sizeof *ts);
	char tm[DESK_TOKEN_LEN + 1], tok[DESK_TOKEN_LEN + 1];
	struct officer_key *k1 = login(o, b32, &t), *k2 = login(o, b32, &t);
	if (ts == NULL || k1 == NULL || k2 == NULL || desk_sessions_login(mem, &k1, tm) != 0 ||
	    desk_sessions_login(a, &k2, tok) != 0)
		return 1;
	printf("bench_desk_session: %zu acquires of a logged-in session (%s store)\n", n,
	       opt.store != NULL ? "PostgreSQL" : "SQLite");
	for (size_t i = 0; i < n; i++)
		if (timed(mem, tm, &ts[i]) != 0)
			return 1;
	qsort(ts, n, sizeof *ts, cmp);
	double ref99 = ts[n * 99 / 100];
	report("in memory only (before)", ts, n, 0);
	for (size_t i = 0; i < n; i++)
		if (timed(a, tok, &ts[i]) != 0)
			return 1;
	report("in the store, this node holds it (a row read)", ts, n, ref99);
	for (size_t i = 0; i < cold; i++) {
		desk_sessions_free(&b); /* a node that never saw the session */
		if (desk_sessions_new(16, 3600, &b) != 0 ||
		    desk_sessions_use_store(b, instance_store(inst), o, salt, sizeof salt) != 0 ||
		    timed(b, tok, &ts[i]) != 0)
			return 1;
	}
	report("in the store, opened on another node", ts, cold, ref99);

	free(ts);
	desk_sessions_free(&mem);
	desk_sessions_free(&a);
	desk_sessions_free(&b);
	officers_free(&o);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
