/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * check: the parts of `cutout check` that read the store (core/instance's
 * side; the command and its report are app/cli/cmd_check.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/instance/instance.h"
#include "core/store/store.h"
#include "lib/age/age.h"

#include "lib/banned.h"

int instance_check_store(struct instance *inst, bool quick, char *msg, size_t cap)
{
	enum store_result r = store_check(instance_store(inst), quick, msg, cap);
	if (r == STORE_OK)
		return 0;
	if (msg[0] == '\0')
		snprintf(msg, cap, "%s", store_strerror(r));
	return -1;
}

static int discard(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return 0;
}

struct blob_pass {
	struct age_shape *shape;
	struct age_decryptor *dec; /* NULL: no identity, or none opened this blob */
	enum age_err shape_err, dec_err;
	uint64_t bytes;
};

static int feed(void *ctx, const uint8_t *p, size_t n)
{
	struct blob_pass *b = ctx;
	b->bytes += n;
	if (b->shape_err == AGE_OK)
		b->shape_err = age_shape_update(b->shape, p, n);
	if (b->dec != NULL && b->dec_err == AGE_OK)
		b->dec_err = age_decrypt_update(b->dec, p, n);
	return 0;
}

/* One blob: what is wrong in what (empty: sound); *opened if a key checked its MACs. */
static enum store_result check_blob(struct store *s, store_id id,
                                    const struct age_identity *const *ids, size_t nids, char *what,
                                    size_t cap, bool *opened)
{
	struct blob_pass b = {0};
	uint64_t size = 0;
	what[0] = '\0';
	*opened = false;
	enum store_result r = store_blob_size(s, id, &size);
	if (r != STORE_OK)
		goto out;
	if ((b.shape_err = age_shape_begin(&b.shape)) != AGE_OK)
		return STORE_NOMEM;
	if (nids > 0 && (b.dec_err = age_decrypt_begin(ids, nids, discard, NULL, &b.dec)) != AGE_OK)
		goto out;
	r = store_blob_read(s, id, feed, &b);
	if (r == STORE_CORRUPT) {
		snprintf(what, cap, "its bytes are missing or cut (%llu of %llu read)",
		         (unsigned long long)b.bytes, (unsigned long long)size);
		r = STORE_OK;
		goto out;
	}
	if (r != STORE_OK)
		goto out;
	if (b.shape_err == AGE_OK)
		b.shape_err = age_shape_finish(b.shape);
	if (b.dec != NULL && b.dec_err == AGE_OK)
		b.dec_err = age_decrypt_finish(b.dec);
	if (b.bytes != size)
		snprintf(what, cap, "%llu bytes read, %llu recorded", (unsigned long long)b.bytes,
		         (unsigned long long)size);
	else if (b.shape_err != AGE_OK)
		snprintf(what, cap, "not a sound age file: %s", age_strerror(b.shape_err));
	else if (b.dec != NULL && b.dec_err != AGE_OK && b.dec_err != AGE_ERR_NO_MATCH)
		snprintf(what, cap, "fails its key: %s", age_strerror(b.dec_err));
	else
		*opened = b.dec != NULL && b.dec_err == AGE_OK;
out:
	age_decryptor_free(&b.dec);
	age_shape_free(&b.shape);
	return r;
}

enum store_result instance_check_blobs(struct instance *inst, const struct age_identity *const *ids,
                                       size_t nids, instance_bad_blob_fn bad, void *ctx,
                                       struct instance_blob_count *count)
{
	struct store *s = instance_store(inst);
	store_id page[256], after = 0;
	size_t n = 0;
	enum store_result r;
	memset(count, 0, sizeof *count);
	do {
		if ((r = store_blob_list(s, after, page, sizeof page / sizeof page[0], &n)) !=
		    STORE_OK)
			return r;
		for (size_t i = 0; i < n; i++) {
			char what[160];
			bool opened;
			r = check_blob(s, page[i], ids, nids, what, sizeof what, &opened);
			if (r == STORE_NOT_FOUND) /* deleted since the page was read */
				continue;
			if (r != STORE_OK)
				return r;
			count->blobs++;
			count->opened += opened;
			if (what[0] != '\0') {
				count->bad++;
				bad(ctx, page[i], what);
			}
		}
		if (n > 0)
			after = page[n - 1];
	} while (n == sizeof page / sizeof page[0]);
	return STORE_OK;
}
