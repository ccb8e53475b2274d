/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store: picks the backend from the location and keeps the helpers every backend shares. */
#include <string.h>
#include <time.h>

#include "core/store/store.h"
#include "lib/merkle_cache.h"

#include "lib/banned.h"

const char *store_strerror(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "ok";
	case STORE_NOT_FOUND:
		return "not found";
	case STORE_EXISTS:
		return "already exists";
	case STORE_TOO_LARGE:
		return "too large";
	case STORE_BUSY:
		return "store busy, try again";
	case STORE_CORRUPT:
		return "store corrupt or schema newer than this program";
	case STORE_IO:
		return "store I/O error";
	case STORE_NOMEM:
		return "out of memory";
	case STORE_STOP:
		return "stopped";
	case STORE_UNSUPPORTED:
		return "this store backend is not built into this program";
	case STORE_REFUSED:
		return "refused";
	case STORE_FULL:
		return "no space left for the store";
	}
	return "unknown store error";
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum store_result store_open(const char *location, struct store **out)
{
	*out = NULL;
	if (location == NULL || location[0] == '\0')
		return STORE_NOT_FOUND;
	if (has_prefix(location, "sqlite:"))
		location += strlen("sqlite:");
	else if (has_prefix(location, "postgres:") || has_prefix(location, "postgresql:"))
#ifdef CUTOUT_HAVE_PG
		return store_backend_pg.open(location, out); /* libpq takes the URI whole */
#else
		return STORE_UNSUPPORTED; /* built without libpq */
#endif
	if (location[0] == '\0')
		return STORE_NOT_FOUND;
	return store_backend_sqlite.open(location, out);
}

void store_close(struct store **s)
{
	if (s == NULL || *s == NULL)
		return;
	struct merkle_cache *nodes = (*s)->ledger_nodes;
	(*s)->be->close(*s);
	merkle_cache_free(nodes);
	*s = NULL;
}

enum store_result store_files(struct store *s, enum store_role role, store_file_fn fn, void *ctx)
{
	if (s == NULL || fn == NULL || (role != STORE_ROLE_DESK && role != STORE_ROLE_INTAKE))
		return STORE_NOT_FOUND;
	return s->be->files != NULL ? s->be->files(s, role, fn, ctx) : STORE_OK;
}

enum store_result store_write(struct store *s, const store_id *claim, size_t nclaim, store_tx_fn fn,
                              void *arg)
{
	if (nclaim > 0 && claim == NULL)
		return STORE_NOT_FOUND;
	return s->be->write(s, claim, nclaim, fn, arg);
}

bool store_in_write(struct store *s)
{
	return s->be->in_write(s);
}

uint16_t store_net_port(struct store *s)
{
	return s->be->net_port != NULL ? s->be->net_port(s) : 0;
}

enum store_result store_check(struct store *s, bool quick, char *msg, size_t cap)
{
	if (msg == NULL || cap == 0)
		return STORE_TOO_LARGE;
	msg[0] = '\0';
	if (s->be->check == NULL)
		return STORE_OK; /* nothing of its own to check */
	enum store_result r = s->be->check(s, quick, msg, cap);
	msg[cap - 1] = '\0';
	return r;
}

bool store_has_domains(const struct store *s)
{
	return s != NULL && s->be->ledger != NULL && s->be->officer != NULL &&
	       s->be->desk != NULL && s->be->registry != NULL;
}

enum store_result store_listed(enum store_result r, bool stopped)
{
	if (stopped)
		return r == STORE_OK || r == STORE_STOP ? STORE_STOP : r;
	return r == STORE_STOP ? STORE_CORRUPT : r; /* rows dropped with no callback asking */
}

int32_t store_today(void)
{
	time_t now = time(NULL);
	if (now < 0)
		return 0;
	return (int32_t)(now / 86400);
}

/* A meta key: not NULL, at most STORE_META_KEY_MAX bytes. */
static enum store_result meta_key_ok(const char *key)
{
	if (key == NULL)
		return STORE_NOT_FOUND;
	return strnlen(key, STORE_META_KEY_MAX + 1) > STORE_META_KEY_MAX ? STORE_TOO_LARGE
	                                                                 : STORE_OK;
}

enum store_result store_meta_get(struct store *s, const char *key, uint8_t *val, size_t cap,
                                 size_t *len)
{
	enum store_result r;
	if (len == NULL)
		return STORE_NOT_FOUND;
	*len = 0;
	if ((r = meta_key_ok(key)) != STORE_OK)
		return r;
	if (val == NULL && cap > 0)
		return STORE_NOT_FOUND;
	return s->be->meta_get(s, key, val, cap, len);
}

enum store_result store_meta_set(struct store *s, const char *key, const uint8_t *val, size_t len)
{
	enum store_result r;
	if ((r = meta_key_ok(key)) != STORE_OK)
		return r;
	if (len > STORE_META_MAX)
		return STORE_TOO_LARGE;
	if (val == NULL && len > 0)
		return STORE_NOT_FOUND;
	return s->be->meta_set(s, key, val, len);
}
