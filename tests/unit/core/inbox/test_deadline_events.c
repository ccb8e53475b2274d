/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * core/inbox/deadline_events: the events behind the deadlines are read once
 * and then only what the ledger gained since: a second update reads nothing
 * new, a third reads only the appended entries, and the events stay sorted
 * by source then ledger order, with replies placed and kinds told, deletions
 * kept, and other actions ignored.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/inbox/deadline_events.h"
#include "core/inbox/inbox.h"
#include "t.h"

static struct store *st;

static void add(enum ledger_action a, const char *actor, const char *object, const char *marking,
                const char *detail)
{
	struct ledger_event ev = {.day = 20000,
	                          .action = a,
	                          .actor = actor,
	                          .object = object,
	                          .marking = marking,
	                          .detail = detail};
	uint64_t idx;
	T_CHECK(ledger_append(st, &ev, &idx) == LEDGER_OK);
}

static int rm_one(const char *path, const struct stat *s, int flag, struct FTW *ftw)
{
	(void)s;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	char dir[] = "/tmp/cutout-dl-XXXXXX", loc[96];
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	snprintf(loc, sizeof loc, "sqlite:%s/store.db", dir);
	if (!T_OK(store_open(loc, &st) == STORE_OK, "a store opens"))
		return t_done();
	add(LEDGER_SUBMISSION_SEAL, "source:7", "submission:1", "SECRET", "1 file");
	add(LEDGER_OFFICER_LOGIN, "officer:ann", "officer:ann", "", "");
	add(LEDGER_SUBMISSION_SEAL, "source:3", "submission:2", "OFFICIAL", "");
	add(LEDGER_REPLY_SEAL, "officer:ann", "reply:1", "", "to source:7");
	struct dl_events e;
	memset(&e, 0, sizeof e);
	T_OK(dl_events_update(&e, st) == 0 && e.cursor == 4 && e.nsubs == 2 && e.nreplies == 1,
	     "the first update reads every entry: 2 submissions, 1 reply, the login ignored");
	T_OK(e.subs[0].source == 3 && e.subs[1].source == 7 && e.subs[1].id == 1 &&
	             strcmp(e.markings[e.subs[1].marking], "SECRET") == 0,
	     "the submissions sorted by source, each with its entry's marking");
	T_OK(dl_events_update(&e, st) == 0 && e.cursor == 4 && e.nsubs == 2,
	     "a second update with nothing new reads nothing");
	add(LEDGER_REPLY_SEAL, "officer:ann", "reply:2", "", "to source:3, feedback");
	add(LEDGER_SUBMISSION_SEAL, "source:5", "submission:3", "SECRET", "");
	add(LEDGER_SOURCE_DELETE, "officer:ann", "source:7", "", "");
	add(LEDGER_REPLY_SEAL, "officer:ann", "reply:3", "", "somewhere");
	T_OK(dl_events_update(&e, st) == 0 && e.cursor == 8 && e.nsubs == 3 && e.nreplies == 2 &&
	             e.ndeleted == 1 && e.deleted[0] == 7 && e.unplaced == 1,
	     "a third reads only what was appended: a submission, a reply, a deletion, and a reply "
	     "that names no source counted apart");
	T_OK(e.subs[1].source == 5 && e.replies[0].source == 3 &&
	             e.replies[0].kind == INTAKE_REPLY_FEEDBACK && e.nmarkings == 2,
	     "still sorted by source; the feedback told; each marking kept once");
	dl_events_free(&e);
	store_close(&st);
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return t_done();
}
