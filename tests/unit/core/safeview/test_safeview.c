/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/safeview (safeview.h): a file converted to its safe copy under the
 * access decision, with its object.convert entry in the same transaction; the
 * copy opens (object.download first) as a PDF of images; converting again
 * makes nothing new; an officer who may not read the submission gets exactly
 * "not found" and nothing is recorded for them; a refusal (not a document)
 * stores nothing and is recorded with its reason; a source's deletion takes
 * the safe copies with it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/inbox/inbox.h"
#include "core/ledger/ledger.h"
#include "core/safeview/safeview.h"
#include "core/store/store_safe.h"
#include "lib/render.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/officer/officer.h"
#include "core/registry/registry.h"
#include "core/store/store.h"
#include "lib/age/age.h"
#include "lib/buf.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

static char base[] = "/tmp/cutout-test-safeview-XXXXXX";
static uint64_t now = 1700000000;

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

static struct officer_key *enrol_login(struct officers *o, const char *name, const char *pw)
{
	char uri[TOTP_URI_MAX], c[16], b32[TOTP_B32_MAX];
	struct officer_key *k = NULL;
	now += 30;
	if (officer_enrol_begin(o, name, pw, now, b32, uri, sizeof uri) != OFFICER_OK)
		return NULL;
	code_at(b32, now, c);
	if (officer_enrol_finish(o, name, pw, b32, c, now) != OFFICER_OK)
		return NULL;
	now += 30;
	code_at(b32, now, c);
	if (officer_login(o, name, pw, c, now, &k, NULL) != OFFICER_OK)
		return NULL;
	return k;
}

static const char DOC[] =
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 5 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R 6 0 R]/Count 2>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>endobj\n"
        "4 0 obj<</Length 20>>stream\n0 0 m 200 100 l S\n\nendstream endobj\n"
        "5 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n"
        "6 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>endobj\n"
        "trailer<</Root 1 0 R>>\n%%EOF\n";

static int to_buf(void *ctx, const uint8_t *p, size_t n)
{
	return buf_append(ctx, p, n) == BUF_OK ? 0 : -1;
}

/* The last entry of the ledger, parsed; 0 or -1. */
static int last_entry(struct store *s, struct ledger_entry *e, uint64_t *size)
{
	uint8_t raw[LEDGER_ENTRY_MAX];
	size_t n;
	if (ledger_size(s, size) != LEDGER_OK || *size == 0 ||
	    ledger_entry(s, *size - 1, raw, &n) != LEDGER_OK)
		return -1;
	return ledger_entry_parse(raw, n, e) == LEDGER_OK ? 0 : -1;
}

static store_id submit(struct intake *in, const char *name, const void *p, size_t n, store_id *src)
{
	char codename[INTAKE_CODENAME_MAX];
	uint8_t sk[32];
	store_id sub = 0;
	struct intake_upload *up = NULL;
	if (intake_source_create(in, codename, sizeof codename, src, sk) != INTAKE_OK ||
	    intake_upload_begin(in, *src, &up) != INTAKE_OK ||
	    intake_upload_file_begin(up, name, "application/octet-stream") != INTAKE_OK ||
	    intake_upload_file_data(up, p, n) != INTAKE_OK ||
	    intake_upload_file_end(up) != INTAKE_OK || intake_upload_commit(up, &sub) != INTAKE_OK)
		sub = 0;
	intake_upload_free(&up);
	return sub;
}

/*
 * Under AddressSanitizer the converter child cannot run: its memory limit
 * (RLIMIT_AS, lib/render.c) is far below the address space ASan reserves for
 * its shadow, so it dies at start. The sanitizer build checks the parent's
 * parser (here, and fuzz_render_reader); the normal build runs the rest.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

int main(void)
{
#ifdef UNDER_ASAN
	T_SKIP("the converter child under ASan (its memory limit; see above)");
	return t_done();
#endif
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[PATH_MAX], idpath[PATH_MAX + 64];
	snprintf(dir, sizeof dir, "%s/inst", base);
	snprintf(idpath, sizeof idpath, "%s/%s", dir, INSTANCE_ADMIN_IDENTITY);
	struct instance_error ierr;
	struct instance *inst = NULL;
	T_CHECK(instance_init(dir, NULL, NULL, &ierr) == INSTANCE_OK);
	T_CHECK(instance_open(dir, &inst, &ierr) == INSTANCE_OK);
	struct store *s = instance_store(inst);
	struct age_identity *admin_id = NULL, *intake_id = NULL;
	struct buf idtext;
	buf_init(&idtext, 4096);
	T_CHECK(io_read_file(idpath, &idtext) == 0);
	T_CHECK(age_identity_from_text((const char *)idtext.data, idtext.len, &admin_id) == AGE_OK);
	buf_wipe_release(&idtext);
	T_CHECK(instance_intake_identity(inst, idpath, &intake_id, &ierr) == INSTANCE_OK);
	struct marking_scheme sch;
	struct marking_error merr;
	T_CHECK(marking_scheme_init(&sch, MARKING_UK, "HUMINT, SOURCE", "GBR", &merr) ==
	        MARKING_OK);
	struct registry *reg = NULL;
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	const char *root_pw = "root password is long enough", *ivy_pw = "ivy reads official things";
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root",
	                          ROLE_ADMIN | ROLE_INTAKE | ROLE_ANALYST, "TOP SECRET", "GBR",
	                          root_pw, NULL) == OFFICER_OK);
	struct officer_key *kr = enrol_login(o, "root", root_pw);
	T_CHECK(kr != NULL);
	T_CHECK(officer_add(o, kr, "ivy", ROLE_INTAKE | ROLE_ANALYST, "OFFICIAL", "GBR", ivy_pw,
	                    NULL) == OFFICER_OK);
	T_CHECK(registry_officer_changed(reg, kr, "ivy") == REGISTRY_OK);
	struct officer_key *ki = enrol_login(o, "ivy", ivy_pw);
	T_CHECK(ki != NULL);

	uint8_t label_pk[32], salt[INSTANCE_SALT_LEN];
	instance_intake_label_pk(inst, label_pk);
	instance_codename_salt(inst, salt);
	struct intake_kdf ikdf = {1, 8u << 20};
	struct intake_limits ilim = {.max_upload_bytes = 1 << 20,
	                             .max_message_bytes = 1000,
	                             .max_files = 2,
	                             .submissions_per_day = 3};
	struct intake *in = NULL;
	T_CHECK(intake_new(s, label_pk, salt, &ikdf, &ilim, "SECRET", &in) == INTAKE_OK);
	struct inbox *ib = NULL;
	T_CHECK(inbox_new(s, reg, in, &ib) == INBOX_OK);
	struct render_limits lim;
	struct conf conf;
	conf_defaults(&conf);
	safeview_limits(&conf, &lim);
	T_CHECK(lim.dpi == 150 && lim.seconds == 120 && lim.pixel_budget == 200000000);
	lim.dpi = 72;
	struct safeview *sv = NULL;
	T_CHECK(safeview_new(s, reg, ib, CUTOUT_RENDER_HELPER, &lim, NULL, &sv) == SAFEVIEW_OK);

	store_id src = 0, src2 = 0;
	store_id sub = submit(in, "hostile.pdf", DOC, sizeof DOC - 1, &src);
	T_CHECK(sub > 0);
	struct safeview_info info;
	char reason[SAFEVIEW_REASON_MAX];
	struct ledger_entry e;
	uint64_t size0 = 0, size1 = 0;
	uint32_t pages = 0;
	uint64_t bs = 0;

	/* ivy (OFFICIAL) may not read a SECRET submission: as missing, and nothing recorded */
	T_CHECK(last_entry(s, &e, &size0) == 0);
	T_OK(safeview_convert(sv, ki, sub, 1, &info, reason) == SAFEVIEW_NOT_FOUND &&
	             safeview_status(sv, ki, sub, 1, &pages) == SAFEVIEW_NOT_FOUND &&
	             safeview_convert(sv, ki, sub + 1000, 1, &info, reason) == SAFEVIEW_NOT_FOUND,
	     "an officer who may not read it cannot convert it: the answer of a missing "
	     "submission");
	struct buf pdf;
	buf_init(&pdf, 64 << 20);
	T_OK(safeview_open(sv, ki, sub, 1, to_buf, &pdf) == SAFEVIEW_NOT_FOUND && pdf.len == 0,
	     "nor open a safe copy of it");
	T_CHECK(last_entry(s, &e, &size1) == 0);
	T_OK(size1 == size0, "and nothing is recorded for them");

	T_OK(safeview_status(sv, kr, sub, 1, &pages) == SAFEVIEW_NOT_FOUND,
	     "root: no safe copy before a conversion");
	T_OK(safeview_open(sv, kr, sub, 1, to_buf, &pdf) == SAFEVIEW_NOT_FOUND,
	     "none to open either");
	enum safeview_result r = safeview_convert(sv, kr, sub, 1, &info, reason);
	T_OK(r == SAFEVIEW_OK && info.made && info.pages == 2, "root converts it: 2 pages (%s %s)",
	     safeview_strerror(r), reason);
	T_CHECK(last_entry(s, &e, &size1) == 0);
	T_OK(size1 == size0 + 1 && e.action == LEDGER_OBJECT_CONVERT &&
	             strcmp(e.actor, "officer:root") == 0 &&
	             strncmp(e.object, "submission:", 11) == 0 &&
	             strcmp(e.marking, "SECRET") == 0 && strcmp(e.detail, "file 1, 2 pages") == 0,
	     "one object.convert entry: who, which file, pages (%s / %s)", e.actor, e.detail);
	T_OK(safeview_status(sv, kr, sub, 1, &pages) == SAFEVIEW_OK && pages == 2,
	     "the file has its safe copy");
	T_OK(safeview_convert(sv, kr, sub, 1, &info, reason) == SAFEVIEW_OK && !info.made &&
	             info.pages == 2 && last_entry(s, &e, &size0) == 0 && size0 == size1,
	     "asked again: the copy is there, nothing new is made or recorded");
	T_OK(safeview_open(sv, kr, sub, 1, to_buf, &pdf) == SAFEVIEW_OK && pdf.len > 100 &&
	             memcmp(pdf.data, "%PDF-", 5) == 0 &&
	             memmem(pdf.data, pdf.len, "JavaScript", 10) == NULL,
	     "it opens as a clean PDF (%zu bytes)", pdf.len);
	T_OK(last_entry(s, &e, &size0) == 0 && size0 == size1 + 1 &&
	             e.action == LEDGER_OBJECT_DOWNLOAD &&
	             strcmp(e.detail, "safe copy of file 1") == 0,
	     "opening it is recorded: object.download, safe copy of file 1");
	/* the desk's view, through the converter service: pages as images, the view recorded */
	struct render_service *svc = NULL;
	struct safeview *sv2 = NULL;
	T_CHECK(render_service_start(CUTOUT_RENDER_HELPER, &lim, &svc) == 0);
	T_CHECK(safeview_new(s, reg, ib, CUTOUT_RENDER_HELPER, &lim, svc, &sv2) == SAFEVIEW_OK);
	T_OK(safeview_view(sv2, kr, sub, 1, &pages) == SAFEVIEW_OK && pages == 2 &&
	             last_entry(s, &e, &size0) == 0 && e.action == LEDGER_OBJECT_READ &&
	             strcmp(e.detail, "safe view of file 1") == 0,
	     "the view: 2 pages, object.read safe view of file 1");
	struct buf png;
	buf_init(&png, 16 << 20);
	T_OK(safeview_page(sv2, kr, sub, 1, 2, &png) == SAFEVIEW_OK && png.len > 8 &&
	             memcmp(png.data, "\x89PNG", 4) == 0,
	     "page 2 as a PNG, rendered from the clean copy (%zu bytes)", png.len);
	buf_reset(&png);
	T_OK(safeview_page(sv2, kr, sub, 1, 3, &png) == SAFEVIEW_NOT_FOUND &&
	             safeview_page(sv2, ki, sub, 1, 1, &png) == SAFEVIEW_NOT_FOUND &&
	             safeview_view(sv2, ki, sub, 1, &pages) == SAFEVIEW_NOT_FOUND && png.len == 0,
	     "page 3 of 2, or ivy's asking: not found");
	buf_release(&png);
	safeview_free(&sv2);
	render_service_stop(&svc);
	T_OK(safeview_convert(sv, kr, sub, 2, &info, reason) == SAFEVIEW_NOT_FOUND &&
	             safeview_convert(sv, kr, sub, 0, &info, reason) == SAFEVIEW_NOT_FOUND,
	     "file 2 or 0 of a submission of one file: not found");

	/* a marking change seals the file anew: its safe copy (sealed as it was) goes with it */
	struct inbox_file_access fa;
	struct store_safe_copy old;
	struct registry_error rerr;
	T_CHECK(inbox_file_access(ib, kr, sub, 1, &fa) == INBOX_OK);
	T_CHECK(store_safe_get(s, fa.file.id, &old) == STORE_OK);
	store_id old_blob = old.blob;
	T_CHECK(old_blob > 0 && store_blob_size(s, old_blob, &bs) == STORE_OK);
	T_CHECK(registry_submission_mark(reg, kr, sub, "TOP SECRET", NULL, &rerr) == REGISTRY_OK);
	T_OK(store_safe_get(s, fa.file.id, &old) == STORE_NOT_FOUND &&
	             store_blob_size(s, old_blob, &bs) == STORE_NOT_FOUND &&
	             safeview_status(sv, kr, sub, 1, &pages) == SAFEVIEW_NOT_FOUND,
	     "a marking change drops the safe copy and its blob in its transaction");
	inbox_file_access_release(&fa);
	r = safeview_convert(sv, kr, sub, 1, &info, reason);
	T_OK(r == SAFEVIEW_OK && info.made && info.pages == 2,
	     "converted again, sealed under the new marking (%s)", safeview_strerror(r));
	T_CHECK(safeview_open(sv, kr, sub, 1, to_buf, &pdf) == SAFEVIEW_OK);

	/* a non-document: refused with its reason, recorded, nothing stored */
	static const char junk[] = "MZ\x90\0 not a document";
	store_id sub2 = submit(in, "x.exe", junk, sizeof junk - 1, &src2);
	T_CHECK(sub2 > 0);
	r = safeview_convert(sv, kr, sub2, 1, &info, reason);
	T_OK(r == SAFEVIEW_REFUSED && strstr(reason, "not a document") != NULL,
	     "a non-document is refused: %s", reason);
	T_OK(last_entry(s, &e, &size1) == 0 && e.action == LEDGER_OBJECT_CONVERT &&
	             strncmp(e.detail, "file 1 refused: not a document", 30) == 0,
	     "the refusal is recorded: %s", e.detail);
	T_OK(safeview_status(sv, kr, sub2, 1, &pages) == SAFEVIEW_NOT_FOUND,
	     "and nothing is stored");

	/* the safe copy goes with its source */
	struct inbox_file_access a;
	T_CHECK(inbox_file_access(ib, kr, sub, 1, &a) == INBOX_OK);
	store_id file_id = a.file.id;
	inbox_file_access_release(&a);
	struct store_safe_copy c;
	T_CHECK(store_safe_get(s, file_id, &c) == STORE_OK);
	store_id copy_blob = c.blob;
	T_CHECK(copy_blob > 0 && store_blob_size(s, copy_blob, &bs) == STORE_OK);
	T_CHECK(inbox_delete_source(ib, kr, src) == INBOX_OK);
	T_OK(store_safe_get(s, file_id, &c) == STORE_NOT_FOUND &&
	             store_blob_size(s, copy_blob, &bs) == STORE_NOT_FOUND,
	     "deleting the source deletes the safe copy and its blob");

	buf_release(&pdf);
	safeview_free(&sv);
	inbox_free(&ib);
	intake_free(&in);
	officer_key_free(&kr);
	officer_key_free(&ki);
	officers_free(&o);
	registry_free(&reg);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	T_CHECK(system(cmd) == 0);
	return t_done();
}
