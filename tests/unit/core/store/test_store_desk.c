/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* test_store_desk: the desk's store domain (inbox order, keyset pages, stars, labels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store/store.h"
#include "core/store/store_desk.h"
#include "t.h"

#include "lib/banned.h"

static store_id submit(struct store *s, store_id src)
{
	store_id blob, id;
	const uint8_t x[] = "sealed";
	if (store_blob_put(s, x, sizeof x, &blob) != STORE_OK ||
	    store_submission_commit(s, src, 100, "OFFICIAL", 0, blob, NULL, 0, &id) != STORE_OK)
		return 0;
	return id;
}

struct page {
	store_id ids[16];
	store_id newest[16];
	int n;
};

static int collect(void *ctx, const struct store_desk_source *d)
{
	struct page *p = ctx;
	p->ids[p->n] = d->src.id;
	p->newest[p->n++] = d->newest;
	return p->n >= 16;
}

static int collect_sub(void *ctx, const struct store_submission *sub)
{
	struct page *p = ctx;
	p->ids[p->n++] = sub->id;
	return p->n >= 16;
}

int main(void)
{
	char dir[] = "/tmp/cutout-test-desk-XXXXXX";
	char path[128];
	if (mkdtemp(dir) == NULL)
		return 1;
	int n = snprintf(path, sizeof path, "%s/store.db", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return 1;
	struct store *s = NULL;
	T_CHECK(store_open(path, &s) == STORE_OK);
	if (s == NULL)
		return t_done();

	uint8_t lookup[32] = {0}, pk[32] = {0};
	store_id src[3];
	for (int i = 0; i < 3; i++) {
		lookup[0] = (uint8_t)i;
		T_CHECK(store_source_create(s, lookup, pk, 100, &src[i]) == STORE_OK);
	}
	struct page p = {0};
	T_CHECK(store_desk_inbox(s, 0, 10, false, collect, &p) == STORE_OK);
	T_OK(p.n == 0, "a source without submissions is not in the inbox");

	store_id a1 = submit(s, src[0]);
	store_id b1 = submit(s, src[1]);
	store_id c1 = submit(s, src[2]);
	store_id a2 = submit(s, src[0]);
	T_CHECK(a1 && b1 && c1 && a2);

	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_inbox(s, 0, 10, false, collect, &p) == STORE_OK);
	T_OK(p.n == 3 && p.ids[0] == src[0] && p.ids[1] == src[2] && p.ids[2] == src[1],
	     "newest submission first: a new submission moves its source to the top");
	T_OK(p.newest[0] == a2, "the cursor is the newest submission id");

	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_inbox(s, 0, 2, false, collect, &p) == STORE_OK);
	T_OK(p.n == 2, "limit honoured");
	store_id cur = p.newest[1];
	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_inbox(s, cur, 2, false, collect, &p) == STORE_OK);
	T_OK(p.n == 1 && p.ids[0] == src[1], "the next page starts after the cursor");

	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_submissions(s, src[0], 0, 10, collect_sub, &p) == STORE_OK);
	T_OK(p.n == 2 && p.ids[0] == a2 && p.ids[1] == a1, "a source's submissions newest first");
	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_submissions(s, src[0], a2, 10, collect_sub, &p) == STORE_OK);
	T_OK(p.n == 1 && p.ids[0] == a1, "submissions keyset cursor");

	T_CHECK(store_desk_set_star(s, src[2], true) == STORE_OK);
	T_CHECK(store_desk_set_label(s, src[2], "follow up <b>") == STORE_OK);
	T_OK(store_desk_set_label(s, src[2], "bad\x01") != STORE_OK, "a control byte is refused");
	char big[STORE_DESK_LABEL_MAX + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	T_OK(store_desk_set_label(s, src[2], big) == STORE_TOO_LARGE, "a long label is refused");
	T_OK(store_desk_set_star(s, 999999, true) == STORE_NOT_FOUND, "star on no such source");
	struct store_desk_source d;
	T_CHECK(store_desk_source(s, src[2], &d) == STORE_OK);
	T_OK(d.starred && strcmp(d.label, "follow up <b>") == 0, "star and label read back");
	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_inbox(s, 0, 10, true, collect, &p) == STORE_OK);
	T_OK(p.n == 1 && p.ids[0] == src[2], "starred only");

	T_CHECK(store_source_delete(s, src[0]) == STORE_OK);
	memset(&p, 0, sizeof p);
	T_CHECK(store_desk_inbox(s, 0, 10, false, collect, &p) == STORE_OK);
	T_OK(p.n == 2 && p.ids[0] == src[2], "a deleted source leaves the inbox");
	T_OK(store_desk_source(s, src[0], &d) == STORE_NOT_FOUND, "and is not found");

	store_close(&s);
	char cmd[256];
	n = snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return t_done();
}
