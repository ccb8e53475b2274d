/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* age_idfile: the identity file format of age-keygen: '#' comments, blank lines, one key a line. */
#include <string.h>

#include <sodium.h>

#include "lib/age/age.h"
#include "lib/secmem.h"

#include "lib/banned.h"

enum age_err age_identity_from_text(const char *text, size_t n, struct age_identity **out)
{
	*out = NULL;
	char *line = secmem_alloc(AGE_IDENTITY_STRLEN + 2);
	if (line == NULL)
		return AGE_ERR_NOMEM;
	enum age_err rc = AGE_ERR_ARG;
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && text[i] != '\n')
			i++;
		size_t len = i - start;
		if (i < n)
			i++;
		if (len > 0 && text[start + len - 1] == '\r')
			len--;
		if (len == 0 || text[start] == '#')
			continue;
		if (*out != NULL || len != AGE_IDENTITY_STRLEN) {
			rc = AGE_ERR_ARG; /* a second key, or a line that is not one */
			age_identity_free(out);
			break;
		}
		memcpy(line, text + start, len);
		line[len] = 0;
		rc = age_identity_parse(line, out);
		if (rc != AGE_OK)
			break;
	}
	if (*out == NULL && rc == AGE_OK)
		rc = AGE_ERR_ARG;
	if (*out == NULL && rc != AGE_ERR_NOMEM)
		rc = AGE_ERR_ARG;
	secmem_free(line);
	return rc;
}
