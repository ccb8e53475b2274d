/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_safe: the store contract (tests/store/README.md) for the safe
 * copies of files (core/store/store_safe.h): added only inside store_write
 * with its blob claimed; one per file (STORE_EXISTS); an unknown file is
 * STORE_NOT_FOUND with the blob left pending; the front's refusals; a copy
 * deleted with its blob; all of it gone with its source, and with its
 * submission when retention expires it. A backend without
 * the domain answers STORE_UNSUPPORTED to all of it.
 */
#include "t.h"

#include "contract.h"
#include "core/store/store_safe.h"

#include "lib/banned.h"

struct add_tx {
	struct store_safe_copy c;
};

static enum store_result add_fn(struct store *s, void *arg)
{
	return store_safe_add(s, &((struct add_tx *)arg)->c);
}

static enum store_result expire_fn(struct store *s, void *arg)
{
	struct store_expired out[4];
	return store_expire(s, STORE_EXPIRE_SUBMISSIONS, *(int32_t *)arg, out, 4, &(size_t){0});
}

static int first_file(void *ctx, const struct store_file *f)
{
	*(store_id *)ctx = f->id;
	return 1;
}

int main(void)
{
	contract_init("contract_safe");
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return contract_done();
	struct store_safe_copy got;
	if (store_safe_get(s, 1, &got) == STORE_UNSUPPORTED) {
		T_SKIP("this backend has no safe copies (STORE_UNSUPPORTED)");
		store_close(&s);
		return contract_done();
	}
	uint8_t lookup[STORE_LOOKUP_LEN], pk[STORE_PK_LEN] = {1};
	contract_lookup(lookup);
	store_id src = 0, sub = 0, meta = 0, data = 0, file = 0, pdf = 0, pdf2 = 0;
	T_CHECK(store_source_create(s, lookup, pk, 100, &src) == STORE_OK);
	T_CHECK(store_blob_put(s, (const uint8_t *)"m", 1, &meta) == STORE_OK);
	T_CHECK(store_blob_put(s, (const uint8_t *)"d", 1, &data) == STORE_OK);
	store_id claim[2] = {meta, data};
	struct store_new_file nf = {.meta_blob = meta, .data_blob = data};
	(void)claim;
	T_CHECK(store_submission_commit(s, src, 100, "OFFICIAL", 0, 0, &nf, 1, &sub) == STORE_OK);
	T_CHECK(store_submission_files(s, sub, first_file, &file) == STORE_STOP && file > 0);
	T_OK(store_safe_get(s, file, &got) == STORE_NOT_FOUND,
	     "a file without a safe copy: NOT_FOUND");

	T_CHECK(store_blob_put(s, (const uint8_t *)"%PDF", 4, &pdf) == STORE_OK);
	struct add_tx a = {.c = {.file_id = file,
	                         .blob = pdf,
	                         .pages = 3,
	                         .day = 101,
	                         .marking = "OFFICIAL",
	                         .seal_version = 2}};
	T_OK(store_safe_add(s, &a.c) != STORE_OK, "outside store_write: refused");
	a.c.pages = 0;
	T_OK(store_write(s, &pdf, 1, add_fn, &a) == STORE_TOO_LARGE,
	     "0 pages: refused by the front");
	a.c.pages = STORE_SAFE_PAGES_MAX + 1;
	T_OK(store_write(s, &pdf, 1, add_fn, &a) == STORE_TOO_LARGE, "10,001 pages: refused");
	a.c.pages = 3;
	a.c.marking[0] = '\0';
	T_OK(store_write(s, &pdf, 1, add_fn, &a) == STORE_TOO_LARGE, "an empty marking: refused");
	memcpy(a.c.marking, "OFFICIAL", sizeof "OFFICIAL");
	a.c.file_id = file + 1000;
	T_OK(store_write(s, &pdf, 1, add_fn, &a) == STORE_NOT_FOUND, "an unknown file: NOT_FOUND");
	a.c.file_id = file;
	T_OK(store_write(s, &pdf, 1, add_fn, &a) == STORE_OK,
	     "a safe copy is added, its blob claimed");
	T_OK(store_safe_get(s, file, &got) == STORE_OK && got.file_id == file && got.blob == pdf &&
	             got.pages == 3 && got.day == 101 && strcmp(got.marking, "OFFICIAL") == 0 &&
	             got.seal_version == 2,
	     "it reads back whole");
	T_CHECK(contract_reopen(&s) == 0);
	uint64_t size = 0;
	T_OK(store_blob_size(s, pdf, &size) == STORE_OK && size == 4,
	     "its blob outlives a reopen (claimed, not pending)");
	T_CHECK(store_blob_put(s, (const uint8_t *)"%PDF2", 5, &pdf2) == STORE_OK);
	a.c.blob = pdf2;
	T_OK(store_write(s, &pdf2, 1, add_fn, &a) == STORE_EXISTS, "a second copy: STORE_EXISTS");
	T_OK(store_safe_get(s, file, &got) == STORE_OK && got.blob == pdf, "the first is kept");
	T_OK(store_safe_get(s, 0, &got) == STORE_NOT_FOUND &&
	             store_safe_delete(s, -1) == STORE_NOT_FOUND,
	     "ids of 0 or less: NOT_FOUND");

	T_OK(store_safe_delete(s, file) == STORE_OK &&
	             store_safe_get(s, file, &got) == STORE_NOT_FOUND &&
	             store_blob_size(s, pdf, &size) == STORE_NOT_FOUND,
	     "a deleted copy goes with its blob");
	T_OK(store_safe_delete(s, file) == STORE_NOT_FOUND, "deleting it again: NOT_FOUND");
	a.c.blob = pdf2;
	T_OK(store_write(s, &pdf2, 1, add_fn, &a) == STORE_OK, "a new copy may then be added");
	T_OK(store_source_delete(s, src) == STORE_OK &&
	             store_safe_get(s, file, &got) == STORE_NOT_FOUND &&
	             store_blob_size(s, pdf2, &size) == STORE_NOT_FOUND,
	     "deleting the source deletes its files' safe copies and their blobs");

	/* retention: a submission expired goes with its files' safe copies and their blobs */
	store_id src2 = 0, sub2 = 0, file2 = 0, m2 = 0, d2 = 0, pdf3 = 0;
	contract_lookup(lookup);
	T_CHECK(store_source_create(s, lookup, pk, 100, &src2) == STORE_OK);
	T_CHECK(store_blob_put(s, (const uint8_t *)"m", 1, &m2) == STORE_OK);
	T_CHECK(store_blob_put(s, (const uint8_t *)"d", 1, &d2) == STORE_OK);
	nf = (struct store_new_file){.meta_blob = m2, .data_blob = d2};
	T_CHECK(store_submission_commit(s, src2, 100, "OFFICIAL", 0, 0, &nf, 1, &sub2) == STORE_OK);
	T_CHECK(store_submission_files(s, sub2, first_file, &file2) == STORE_STOP && file2 > 0);
	T_CHECK(store_blob_put(s, (const uint8_t *)"%PDF3", 5, &pdf3) == STORE_OK);
	a.c.file_id = file2;
	a.c.blob = pdf3;
	T_CHECK(store_write(s, &pdf3, 1, add_fn, &a) == STORE_OK);
	int32_t before = 150;
	struct store_submission gone;
	T_OK(store_write(s, NULL, 0, expire_fn, &before) == STORE_OK &&
	             store_submission_get(s, sub2, &gone) == STORE_NOT_FOUND &&
	             store_safe_get(s, file2, &got) == STORE_NOT_FOUND &&
	             store_blob_size(s, pdf3, &size) == STORE_NOT_FOUND,
	     "retention: an expired submission's safe copies and their blobs go with it");
	store_close(&s);
	return contract_done();
}
