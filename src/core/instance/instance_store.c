/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * instance_store: the instance's store copied to another location
 * (instance_store_copy, over core/store/store_copy.h), and its `store` line
 * in cutout.conf changed in place (instance_set_store), every other line
 * (the operator's edits and comments) kept.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/instance/instance.h"
#include "core/store/store_copy.h"
#include "lib/buf.h"
#include "lib/io.h"

#include "lib/banned.h"

__attribute__((format(printf, 3, 4))) static enum instance_result
fail(struct instance_error *err, enum instance_result rc, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Whether line (n bytes) sets the key `store`: blanks, "store", blanks, '='. */
static int is_store_line(const char *line, size_t n)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < 5 || memcmp(line + i, "store", 5) != 0)
		return 0;
	i += 5;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < n && line[i] == '=';
}

enum instance_result instance_set_store(const char *dir, const char *location,
                                        struct instance_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct buf in, out;
	struct conf c;
	struct conf_error cerr;
	enum instance_result rc = INSTANCE_OK;
	if (conf_check_store(location, &cerr) != CONF_OK)
		return fail(err, INSTANCE_ERR_ARG, "%s", cerr.msg);
	int k = snprintf(path, sizeof path, "%s/%s", dir, INSTANCE_CONF);
	int t = snprintf(tmp, sizeof tmp, "%s/%s.new", dir, INSTANCE_CONF);
	if (k < 0 || (size_t)k >= sizeof path || t < 0 || (size_t)t >= sizeof tmp)
		return fail(err, INSTANCE_ERR_ARG, "%s: path too long", dir);
	buf_init(&in, CONF_FILE_MAX);
	buf_init(&out, CONF_FILE_MAX);
	if (io_read_file(path, &in) != 0) {
		rc = fail(err, INSTANCE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	const char *p = (const char *)in.data, *end = p + in.len;
	int put = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (is_store_line(p, n)) {
			if (!put && buf_printf(&out, "store = %s\n", location) != BUF_OK)
				goto nomem;
			put = 1;
		} else if (buf_printf(&out, "%.*s\n", (int)n, p) != BUF_OK) {
			goto nomem;
		}
		p += n + (nl != NULL ? 1 : 0);
	}
	if (!put && buf_printf(&out, "store = %s\n", location) != BUF_OK)
		goto nomem;
	/* the file as it will be must load: nothing else changed */
	if (conf_parse((const char *)out.data, out.len, &c, &cerr) != CONF_OK ||
	    strcmp(c.store, location) != 0) {
		rc = fail(err, INSTANCE_ERR_CONF, "%s: %s", path, cerr.msg);
		goto out;
	}
	(void)unlink(tmp);
	if (io_write_new_file(tmp, out.data, out.len, 0600) != 0 || rename(tmp, path) != 0 ||
	    io_fsync_dir_of(path) != 0) {
		rc = fail(err, INSTANCE_ERR_IO, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
	}
	goto out;
nomem:
	rc = fail(err, INSTANCE_ERR_NOMEM, "out of memory");
out:
	buf_release(&in);
	buf_release(&out);
	return rc;
}

enum instance_result instance_store_copy(struct instance *inst, const char *location,
                                         struct store **to, struct instance_copy_report *rep,
                                         struct instance_error *err)
{
	struct conf_error cerr;
	struct store_copy_report r = {0};
	*to = NULL;
	memset(rep, 0, sizeof *rep);
	if (conf_check_store(location, &cerr) != CONF_OK || strcmp(location, CONF_STORE_FILE) == 0)
		return fail(err, INSTANCE_ERR_ARG, "%s",
		            strcmp(location, CONF_STORE_FILE) == 0 ? "want a postgresql:// location"
		                                                   : cerr.msg);
	if (strcmp(instance_conf(inst)->store, CONF_STORE_FILE) != 0)
		return fail(err, INSTANCE_ERR_ARG,
		            "the store of %s is not store.db (SQLite): nothing to move",
		            instance_dir(inst));
	enum store_result sr = store_open(location, to);
	if (sr != STORE_OK)
		return fail(err, INSTANCE_ERR_STORE, "the new store: %s", store_strerror(sr));
	if ((sr = store_copy(instance_store(inst), *to, &r)) != STORE_OK) {
		store_close(to);
		return fail(err, INSTANCE_ERR_STORE, "nothing was moved: %s%s", store_strerror(sr),
		            sr == STORE_EXISTS ? " (the database is not empty)" : "");
	}
	rep->rows = r.rows;
	rep->blobs = r.blobs;
	rep->bytes = r.bytes;
	return INSTANCE_OK;
}
