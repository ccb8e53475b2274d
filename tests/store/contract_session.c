/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * contract_session: the store contract (tests/store/README.md) for the
 * doors' sessions (core/store/store_session.h): add, get, a put that names
 * a stale version refused (STORE_EXISTS) and a gone row (STORE_NOT_FOUND),
 * dead rows never given back and deleted, the bound (STORE_FULL), delete
 * and delete_owner, the front's refusals. The store may hold other runs'
 * rows: counts are taken relative to the start.
 */
#include "t.h"

#include "contract.h"
#include "core/store/store_session.h"

#include "lib/banned.h"

static void row(struct store_session *r, int32_t kind, store_id owner, int64_t expires,
                const char *data)
{
	memset(r, 0, sizeof *r);
	randombytes_buf(r->id, sizeof r->id);
	r->kind = kind;
	r->owner = owner;
	r->expires = expires;
	r->len = strlen(data);
	memcpy(r->data, data, r->len);
}

int main(void)
{
	contract_init("contract_session");
	struct store *s = contract_open_fresh();
	if (s == NULL)
		return contract_done();
	int64_t now = 29000000, base = 0, n = 0;
	if (store_session_count(s, STORE_SESSION_INTAKE, now, &base) == STORE_UNSUPPORTED) {
		T_SKIP("this backend has no sessions (STORE_UNSUPPORTED)");
		store_close(&s);
		return contract_done();
	}
	store_id owner = 1000000 + (store_id)randombytes_uniform(1000000);
	struct store_session a, b, c, got;
	row(&a, STORE_SESSION_INTAKE, owner, now + 10, "alpha");
	row(&b, STORE_SESSION_INTAKE, owner, now + 10, "beta");
	row(&c, STORE_SESSION_DESK, owner, now + 10, "gamma");

	T_OK(store_session_add(s, &a, now, base + 1) == STORE_OK, "add a session");
	T_OK(store_session_add(s, &a, now, base + 5) == STORE_EXISTS, "the same id again: EXISTS");
	T_OK(store_session_add(s, &b, now, base + 1) == STORE_FULL,
	     "past max live rows of the kind: FULL");
	T_OK(store_session_add(s, &c, now, 1000000) == STORE_OK, "another kind counts apart");
	T_OK(store_session_add(s, &b, now, base + 2) == STORE_OK, "with room: OK");
	T_CHECK(store_session_count(s, STORE_SESSION_INTAKE, now, &n) == STORE_OK && n == base + 2);

	T_OK(store_session_get(s, STORE_SESSION_INTAKE, a.id, now, &got) == STORE_OK &&
	             got.owner == owner && got.expires == now + 10 && got.version == 1 &&
	             got.len == 5 && memcmp(got.data, "alpha", 5) == 0,
	     "get gives the row back, version 1");
	T_OK(store_session_get(s, STORE_SESSION_DESK, a.id, now, &got) == STORE_NOT_FOUND &&
	             got.len == 0,
	     "the id under another kind: NOT_FOUND, out zeroed");

	struct store_session upd = a;
	upd.version = 1;
	upd.expires = now + 20;
	upd.len = 7;
	memcpy(upd.data, "alpha-2", 7);
	T_OK(store_session_put(s, &upd) == STORE_OK, "put with the version read");
	T_OK(store_session_put(s, &upd) == STORE_EXISTS, "put with a stale version: EXISTS");
	T_OK(store_session_get(s, STORE_SESSION_INTAKE, a.id, now, &got) == STORE_OK &&
	             got.version == 2 && got.expires == now + 20 && got.len == 7 &&
	             memcmp(got.data, "alpha-2", 7) == 0,
	     "the put is seen, version 2");

	/* dead rows */
	T_OK(store_session_get(s, STORE_SESSION_INTAKE, b.id, now + 11, &got) == STORE_NOT_FOUND,
	     "a row past its minute is not given back");
	T_OK(store_session_get(s, STORE_SESSION_INTAKE, b.id, now, &got) == STORE_NOT_FOUND,
	     "and was deleted");
	T_OK(store_session_count(s, STORE_SESSION_INTAKE, now + 11, &n) == STORE_OK,
	     "count deletes the dead rows");
	T_OK(store_session_get(s, STORE_SESSION_INTAKE, a.id, now + 11, &got) == STORE_OK,
	     "a row still live stays");

	/* delete, delete_owner */
	T_OK(store_session_delete(s, STORE_SESSION_INTAKE, a.id) == STORE_OK, "delete");
	T_OK(store_session_get(s, STORE_SESSION_INTAKE, a.id, now, &got) == STORE_NOT_FOUND,
	     "a deleted row is gone");
	T_OK(store_session_delete(s, STORE_SESSION_INTAKE, a.id) == STORE_NOT_FOUND,
	     "deleting it again: NOT_FOUND");
	upd.version = 2;
	T_OK(store_session_put(s, &upd) == STORE_NOT_FOUND, "a put on a gone row: NOT_FOUND");
	row(&a, STORE_SESSION_DESK, owner, now + 10, "delta");
	T_CHECK(store_session_add(s, &a, now, 1000000) == STORE_OK);
	T_OK(store_session_delete_owner(s, STORE_SESSION_DESK, owner, &n) == STORE_OK && n == 2,
	     "delete_owner ends every row of the owner and kind (%lld)", (long long)n);
	T_OK(store_session_get(s, STORE_SESSION_DESK, c.id, now, &got) == STORE_NOT_FOUND,
	     "so they are gone");

	/* the front's refusals */
	struct store_session bad = b;
	bad.kind = 9;
	T_CHECK(store_session_add(s, &bad, now, 10) == STORE_NOT_FOUND);
	bad = b;
	bad.owner = 0;
	T_CHECK(store_session_add(s, &bad, now, 10) == STORE_NOT_FOUND);
	bad = b;
	bad.len = 0;
	T_CHECK(store_session_add(s, &bad, now, 10) == STORE_TOO_LARGE);
	bad.len = STORE_SESSION_DATA_MAX + 1;
	T_CHECK(store_session_put(s, &bad) == STORE_TOO_LARGE);
	T_CHECK(store_session_add(s, &b, now, 0) == STORE_TOO_LARGE);
	T_CHECK(store_session_get(s, 0, b.id, now, &got) == STORE_NOT_FOUND);
	T_CHECK(store_session_delete_owner(s, STORE_SESSION_INTAKE, -1, &n) == STORE_NOT_FOUND);

	store_close(&s);
	return contract_done();
}
