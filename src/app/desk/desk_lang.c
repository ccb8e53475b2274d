/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The desk's language: chosen with ?lang=, remembered in the officer's session. */
#include "app/desk/desk_internal.h"

#include <string.h>

#include "app/web/http.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

static void set(struct req *r, const char *l)
{
	size_t n = strlen(l);
	if (n >= sizeof r->lang)
		n = 0;
	memcpy(r->lang, l, n);
	r->lang[n] = 0;
}

bool desk_pick_lang(struct req *r, struct MHD_Connection *c)
{
	const char *q = http_query(c, "lang");
	const char *l = q != NULL ? desk_lang_supported(q) : NULL;
	if (l != NULL) {
		set(r, l);
		if (r->sess != NULL)
			desk_sessions_set_lang(r->d->sess, r->sess, l);
		return true;
	}
	if (r->sess != NULL && r->sv.lang[0] != '\0')
		set(r, r->sv.lang);
	else
		set(r, i18n_lang_from_accept_language(http_header(c, "Accept-Language")));
	return false;
}
