/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_desk_report: the desk's writing page builds the typed input of
 * core/registry from its form (desk_report_write.c), and the CLI's path (a
 * file of text, registry_report_parse) gives the same stored report for the
 * same content: the same portions, texts and overall marking, opened back.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app/desk/desk_registry.h"
#include "core/liaison/liaison.h"
#include "core/instance/instance.h"
#include "lib/age/age.h"
#include "lib/io.h"
#include "lib/totp.h"
#include "t.h"

#include "lib/banned.h"

static char base[] = "/tmp/cutout-test-desk-report-XXXXXX";

static const char *no_query(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static void code_at(const char *b32, uint64_t t, char out[16])
{
	uint8_t k[TOTP_KEY_MAX];
	int n = totp_base32_decode(b32, k, sizeof k);
	snprintf(out, 16, "%06d", n > 0 ? totp_code(k, (size_t)n, t, 6) : 0);
}

/* The desk's POST /report/new with these fields; the new report's id, or 0. */
static store_id desk_write(struct desk_reg_in *in, struct form_field *fields, size_t n,
                           unsigned *status)
{
	struct form f = {.fields = fields, .count = n};
	struct buf body;
	buf_init(&body, 1 << 20);
	struct desk_reg_out out = {.body = &body};
	in->form = &f;
	desk_registry_handle(DR_REPORT_WRITE, in, &out);
	buf_release(&body);
	*status = out.location[0] ? 303 : out.status;
	long long id = 0;
	if (sscanf(out.location, "/report?id=%lld", &id) != 1)
		return 0;
	return (store_id)id;
}

/* The query of GET /report?id=...: "id" only. */
static const char *id_query(void *ctx, const char *name)
{
	return strcmp(name, "id") == 0 ? ctx : NULL;
}

/* A routed request's status (303 when it redirects) and its page in body. */
static unsigned desk_call(struct desk_reg_in *in, enum desk_reg_route rt, struct form *f,
                          struct buf *body)
{
	buf_reset(body);
	struct desk_reg_out out = {.body = body};
	in->form = f;
	desk_registry_handle(rt, in, &out);
	return out.location[0] ? 303 : out.status;
}

#define F(n, v)                                                                            \
	{                                                                                  \
		.name = n, .value = v, .name_len = sizeof n - 1, .value_len = sizeof v - 1 \
	}

int main(void)
{
	if (sodium_init() < 0 || mkdtemp(base) == NULL)
		return 1;
	char dir[256], idpath[512];
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
	T_CHECK(marking_scheme_init(&sch, MARKING_UK, "HUMINT", "GBR", &merr) == MARKING_OK);
	struct registry *reg = NULL;
	T_CHECK(registry_new(s, &sch, &reg) == REGISTRY_OK);
	struct officers *o = NULL;
	struct officer_kdf kdf = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
	T_CHECK(officers_new(s, &kdf, &o) == OFFICER_OK);
	const char *pw = "root password is long enough";
	T_CHECK(officer_bootstrap(o, admin_id, intake_id, "root", ROLE_ADMIN | ROLE_ANALYST,
	                          "TOP SECRET//HUMINT", "GBR", pw, NULL) == OFFICER_OK);
	char b32[TOTP_B32_MAX], uri[TOTP_URI_MAX], c[16];
	uint64_t now = 1700000000;
	T_CHECK(officer_enrol_begin(o, "root", pw, now, b32, uri, sizeof uri) == OFFICER_OK);
	code_at(b32, now, c);
	T_CHECK(officer_enrol_finish(o, "root", pw, b32, c, now) == OFFICER_OK);
	now += 30;
	code_at(b32, now, c);
	struct officer_key *k = NULL;
	T_CHECK(officer_login(o, "root", pw, c, now, &k, NULL) == OFFICER_OK);

	struct desk_reg_in in = {.reg = reg,
	                         .officers = o,
	                         .key = k,
	                         .officer = "root",
	                         .roles = ROLE_ADMIN | ROLE_ANALYST,
	                         .csrf = "x",
	                         .lang = "en",
	                         .org = "test",
	                         .url = "/report/new",
	                         .query = no_query};

	/* The same content: as the desk's form (a textarea's CRLF, a blank line and an unused
	 * slot) and as the CLI's file. */
	struct form_field fields[] = {
	        F("tm", "S"),
	        F("title", "Harbour report"),
	        F("pm", "O"),
	        F("pt", "Open background.\r\n\r\nstill the same"),
	        F("pm", ""),
	        F("pt", ""),
	        F("pm", "(S//HUMINT)"),
	        F("pt", "  Three vessels\r\nleft at night.\r\n"),
	        F("cite", ""),
	        F("action", "write"),
	        F("declared", "SECRET//HUMINT"),
	};
	const char *file = "(S) Harbour report\n\n(O) Open background.\nstill the same\n\n"
	                   "(S//HUMINT) Three vessels\nleft at night.\n";
	unsigned st = 0;
	store_id a = desk_write(&in, fields, sizeof fields / sizeof *fields, &st);
	T_OK(st == 303 && a > 0, "the desk's form writes a report (%u)", st);

	struct registry_input_para paras[REGISTRY_PARAS_MAX];
	struct registry_report_input input;
	struct registry_error err;
	struct registry_written w = {0};
	T_CHECK(registry_report_parse(file, strlen(file), paras, REGISTRY_PARAS_MAX, &input,
	                              &err) == REGISTRY_OK);
	input.declared = "SECRET//HUMINT";
	T_OK(registry_report_write(reg, k, &input, &w, &err) == REGISTRY_OK && w.id > a &&
	             strcmp(w.marking, "SECRET//HUMINT") == 0,
	     "the CLI's file writes a report (%s)", err.msg);

	struct registry_report *ra = NULL, *rb = NULL;
	T_CHECK(registry_report_open(reg, k, a, &ra) == REGISTRY_OK);
	T_CHECK(registry_report_open(reg, k, w.id, &rb) == REGISTRY_OK);
	bool same = ra != NULL && rb != NULL && ra->nparas == 3 && rb->nparas == ra->nparas &&
	            strcmp(ra->marking_text, rb->marking_text) == 0;
	for (size_t i = 0; same && i < ra->nparas; i++)
		same = marking_equal(&ra->paras[i].portion, &rb->paras[i].portion) &&
		       ra->paras[i].len == rb->paras[i].len &&
		       memcmp(ra->paras[i].text, rb->paras[i].text, ra->paras[i].len) == 0;
	T_OK(same, "the form and the file give the same stored report");
	struct buf ta, tb;
	buf_init(&ta, REGISTRY_TEXT_MAX * 2);
	buf_init(&tb, REGISTRY_TEXT_MAX * 2);
	T_OK(registry_report_format(reg, ra, &ta) == REGISTRY_OK &&
	             registry_report_format(reg, rb, &tb) == REGISTRY_OK && ta.len == tb.len &&
	             ta.len == strlen(file) && memcmp(ta.data, file, ta.len) == 0 &&
	             memcmp(tb.data, file, tb.len) == 0,
	     "both format back to the file's text");
	buf_release(&ta);
	buf_release(&tb);
	registry_report_free(&ra);
	registry_report_free(&rb);

	/* The form refused as core refuses it: a bad portion, the wrong declared marking. */
	struct form_field bad[] = {F("tm", "S"), F("title", "T"),      F("pm", "S//NOPE"),
	                           F("pt", "x"), F("action", "write"), F("declared", "SECRET")};
	T_CHECK(desk_write(&in, bad, sizeof bad / sizeof *bad, &st) == 0 && st == 400);
	struct form_field low[] = {F("tm", "S"), F("title", "T"),      F("pm", "S//HUMINT"),
	                           F("pt", "x"), F("action", "write"), F("declared", "SECRET")};
	T_CHECK(desk_write(&in, low, sizeof low / sizeof *low, &st) == 0 && st == 400);

	/* Topics on the report's page (desk_liaison.c): the vocabulary ticked, core decides. */
	in.topics = "terrorism,crime,money-laundering";
	char ida[24];
	snprintf(ida, sizeof ida, "%lld", (long long)a);
	struct form_field tf[] = {
	        {.name = "id", .value = ida, .name_len = 2, .value_len = strlen(ida)},
	        F("topic", "terrorism"),
	        F("topic", "crime")};
	struct form tform = {.fields = tf, .count = 3};
	struct buf page;
	buf_init(&page, 1 << 20);
	unsigned ts = desk_call(&in, DR_REPORT_TOPICS, &tform, &page);
	T_OK(ts == 303, "topics set from the form (%u %s)", ts, buf_str(&page));
	char got[STORE_TOPICS_MAX + 1];
	T_OK(liaison_report_topics_get(reg, k, a, got) == LIAISON_OK &&
	             strcmp(got, "crime,terrorism") == 0,
	     "stored as core's form (%s)", got);
	in.query = id_query;
	in.qctx = ida;
	T_OK(desk_call(&in, DR_REPORT, NULL, &page) == 200 &&
	             strstr(buf_str(&page), "<span id=\"topics\">crime, terrorism</span>") &&
	             strstr(buf_str(&page), "value=\"terrorism\" checked>") &&
	             strstr(buf_str(&page), "value=\"money-laundering\">") &&
	             !strstr(buf_str(&page), "id=\"origin\""),
	     "the page shows them, ticked, and no origin for a report written here");
	tf[1] = (struct form_field)F("topic", "arms");
	tform.count = 2;
	T_OK(desk_call(&in, DR_REPORT_TOPICS, &tform, &page) == 400 &&
	             strstr(buf_str(&page), "arms") != NULL,
	     "a topic not in the vocabulary: 400 naming it");
	T_OK(liaison_report_topics_get(reg, k, a, got) == LIAISON_OK &&
	             strcmp(got, "crime,terrorism") == 0,
	     "and nothing changed");
	tform.count = 1;
	T_OK(desk_call(&in, DR_REPORT_TOPICS, &tform, &page) == 303 &&
	             liaison_report_topics_get(reg, k, a, got) == LIAISON_OK && got[0] == 0,
	     "none ticked: no topic");
	tf[0] = (struct form_field)F("id", "999999");
	T_OK(desk_call(&in, DR_REPORT_TOPICS, &tform, &page) == 404, "a missing report: 404");
	buf_release(&page);

	officer_key_free(&k);
	officers_free(&o);
	registry_free(&reg);
	age_identity_free(&admin_id);
	age_identity_free(&intake_id);
	instance_close(&inst);
	char cmd[PATH_MAX + 16];
	if (snprintf(cmd, sizeof cmd, "rm -rf '%s'", base) < (int)sizeof cmd)
		(void)!system(cmd);
	return t_done();
}
