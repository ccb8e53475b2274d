/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cmd_serve: `cutout serve DIR` starts every door of an instance, each in its
 * own process (the intake, the desk and, when liaison_port is set, the
 * liaison door: cmd_liaison_door.c); `cutout intake DIR` and
 * `cutout desk DIR` run one door alone; `cutout demo [DIR]` makes a
 * throwaway instance with a demo officer and serves it.
 *
 * The intake process opens the store and the intake label's PUBLIC key only:
 * no private key of the organisation is ever loaded into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/door_sandbox.h"
#include "app/cli/serve_internal.h"
#include "app/desk/http_desk.h"
#include "app/intake/http_intake.h"
#include "app/cli/officer_cli.h"
#include "core/instance/instance.h"
#include "core/intake/intake.h"
#include "core/officer/officer.h"
#include "core/safeview/safeview.h"
#include "lib/codename.h"
#include "lib/totp.h"
#include "lib/conf.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/utf8.h"
#include "lib/web/i18n.h"

#include "lib/banned.h"

const char serve_help[] =
        "usage: cutout serve DIR [--intake-listen HOST:PORT] [--desk-listen HOST:PORT]\n"
        "                        [--desk-idle-seconds N]\n"
        "\n"
        "Serves the instance in DIR: starts each door in a process of its own\n"
        "(the intake, the open door for sources, and the desk, the officers' door;\n"
        "and the liaison door on 127.0.0.1:liaison_port when liaison_port is set,\n"
        "a witness for partners: cutout liaison serve --help) and stops them all\n"
        "on SIGINT or SIGTERM. Prints each door's URL on standard output\n"
        "(\"intake: URL\", \"desk: URL\", \"liaison: URL\"). A door that dies is\n"
        "restarted on the same port after a backoff (1 s, doubling up to 60 s),\n"
        "logged on standard error, while the other serves on; a door that cannot\n"
        "start at all stops both. Each door serves only a store that passes the\n"
        "quick check (cutout check --quick). At start and once a day it runs\n"
        "cutout retention when retention_days is set in cutout.conf.\n"
        "\n"
        "  --intake-listen HOST:PORT  override intake_listen from cutout.conf\n"
        "  --desk-listen HOST:PORT    override desk_listen from cutout.conf\n"
        "                             (port 0 picks a free port)\n"
        "  --desk-idle-seconds N      end idle officer sessions after N seconds\n"
        "                             (default: session_idle_seconds)\n";

const char intake_help[] =
        "usage: cutout intake DIR [--listen HOST:PORT]\n"
        "\n"
        "Runs only the intake door of the instance in DIR: the web pages and JSON\n"
        "API through which anonymous sources create a codename, send messages and\n"
        "files (sealed on arrival to the intake label's public key) and read\n"
        "replies. It holds no private key of the organisation. Put it behind a Tor\n"
        "onion service (docs/onion-service.md). Stops on SIGINT or SIGTERM.\n"
        "\n"
        "  --listen HOST:PORT  override intake_listen from cutout.conf (port 0: any)\n";

const char desk_help[] =
        "usage: cutout desk DIR [--listen HOST:PORT] [--idle-seconds N]\n"
        "\n"
        "Runs only the desk of the instance in DIR: the officers' web door, on its\n"
        "own listener (desk_listen, never the intake's). Officers log in with their\n"
        "name, password and a TOTP code (the first login enrols the authenticator\n"
        "app with a QR code), read the inbox of sources and their submissions,\n"
        "download files, reply to sources, star, label and delete sources; admins\n"
        "add, disable, reset officers and change their roles. An officer's keys\n"
        "are unlocked at login and held in memory for the session only. Keep the\n"
        "desk off the internet (docs/desk.md). Stops on SIGINT or SIGTERM.\n"
        "\n"
        "  --listen HOST:PORT  override desk_listen from cutout.conf (port 0: any)\n"
        "  --idle-seconds N    end idle sessions after N seconds (default:\n"
        "                      session_idle_seconds from cutout.conf)\n";

static volatile sig_atomic_t stop_signal;

/*
 * Under `cutout serve`: the pipe on which a door child tells its parent the
 * port it listens on, once it does (so a restart takes the same port, even
 * when the first start picked a free one). -1 elsewhere.
 */
static int ready_fd = -1;

static void tell_port(uint16_t port)
{
	if (ready_fd < 0)
		return;
	char b[8];
	int n = snprintf(b, sizeof b, "%u\n", (unsigned)port);
	if (n > 0 && write(ready_fd, b, (size_t)n) != n) {
		/* the parent is gone: PR_SET_PDEATHSIG stops this door */
	}
	close(ready_fd);
	ready_fd = -1;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGINT and SIGTERM set stop_signal. */
static void on_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_listen(const char *cmd, const char *s, char *host, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s || (size_t)(colon - s) >= cap)
		return cli_usage(cmd, "expected HOST:PORT, got '%s'", s);
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != 0 || colon[1] == 0 || p < 0 || p > 65535)
		return cli_usage(cmd, "bad port in '%s'", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	*port = (uint16_t)p;
	return 0;
}

/* The intake module of an instance, with its configured limits. 0, or -1 (said). */
static int intake_of(const char *cmd, struct instance *inst, struct intake **in)
{
	const struct conf *cf = instance_conf(inst);
	struct intake_kdf kdf = {.opslimit = (uint64_t)cf->argon2_opslimit,
	                         .memlimit = (size_t)cf->argon2_memlimit};
	struct intake_limits lim = {
	        .max_upload_bytes = cf->max_upload_bytes,
	        .max_message_bytes = (size_t)cf->max_message_chars,
	        .max_files = (int)cf->max_files_per_submission,
	        .submissions_per_day = cf->submissions_per_source_per_day,
	};
	uint8_t label_pk[32], salt[INSTANCE_SALT_LEN];
	instance_intake_label_pk(inst, label_pk);
	instance_codename_salt(inst, salt);
	if (intake_new(instance_store(inst), label_pk, salt, &kdf, &lim, cf->default_marking, in) !=
	    INTAKE_OK) {
		cli_fail(cmd, "could not set up the intake");
		return -1;
	}
	return 0;
}

/* The connection limits of cutout.conf, over a door's defaults. */
static void web_limits_of(const struct conf *cf, struct web_door_limits *l)
{
	l->max_connections = (unsigned)cf->http_max_connections;
	l->header_seconds = (unsigned)cf->http_header_seconds;
	l->threads = (unsigned)cf->http_threads;
	l->connection_memory = (size_t)cf->http_connection_memory;
}

/* A door serves only a store that passes the quick check (cutout check --quick). */
static int store_sound(const char *cmd, struct instance *inst, const char *dir)
{
	if (check_instance(cmd, inst, true) == CLI_EXIT_OK)
		return 0;
	cli_fail(cmd, "the store failed its check: not serving it (see: cutout check -d %s)", dir);
	return -1;
}

/* Runs the intake door until a signal. */
#define ACK_TEXT_MAX 4096 /* bytes of an acknowledgement text */

/*
 * The acknowledgement texts the operator wrote, DIR/acknowledgement/LANG.txt
 * for each language of the source pages, read before the door is confined; a
 * language without one gets the catalogue's. 0, or -1 (said) for a text that
 * is there but empty, too long or not UTF-8.
 */
static int ack_texts(const char *cmd, const char *dir, struct intake_door_config *dc)
{
	static struct buf texts[INTAKE_ACK_LANGS];
	size_t nl, k = 0;
	const struct i18n_language *langs = i18n_languages(&nl);
	for (size_t i = 0; i < nl && k < INTAKE_ACK_LANGS; i++) {
		char path[PATH_MAX];
		struct stat st;
		int n = snprintf(path, sizeof path, "%s/acknowledgement/%s.txt", dir, langs[i].tag);
		if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0)
			continue;
		buf_init(&texts[k], ACK_TEXT_MAX + 1);
		if (io_read_file(path, &texts[k]) != 0 || texts[k].len == 0 ||
		    texts[k].len > ACK_TEXT_MAX || utf8_count(texts[k].data, texts[k].len) < 0) {
			cli_fail(cmd, "%s: not an acknowledgement text (1..%d bytes of UTF-8)",
			         path, ACK_TEXT_MAX);
			return -1;
		}
		dc->ack_lang[k] = langs[i].tag;
		dc->ack_text[k] = buf_str(&texts[k]);
		k++;
	}
	return 0;
}

static int run_intake(const char *cmd, const char *dir, const char *host, int have_port,
                      uint16_t port)
{
	struct instance *inst = NULL;
	struct intake *in = NULL;
	struct intake_door *door = NULL;
	int rc = CLI_EXIT_FAIL;
	struct instance_error err;

	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail(cmd, "%s", err.msg);
	const struct conf *cf = instance_conf(inst);
	if (store_sound(cmd, inst, dir) != 0 || intake_of(cmd, inst, &in) != 0)
		goto out;
	struct intake_door_config dc;
	intake_door_defaults(&dc);
	dc.host = host != NULL ? host : cf->intake_listen.host;
	dc.port = have_port ? port : cf->intake_listen.port;
	dc.org = cf->organisation;
	dc.store_name = dir;
	dc.store = instance_store(inst);
	_Static_assert(sizeof dc.session_salt == INSTANCE_SALT_LEN, "the codename salt");
	instance_codename_salt(inst, dc.session_salt);
	dc.idle_seconds = (unsigned)cf->intake_idle_seconds;
	dc.max_sessions = (size_t)cf->intake_max_sessions;
	web_limits_of(cf, &dc.web);
	/*
	 * Attempts per session (refused ones count too): ten times what a source
	 * may commit in a day, so a session cannot hammer the door with uploads
	 * that are refused late.
	 */
	dc.submissions_per_session = (int)(cf->submissions_per_source_per_day * 10);
	dc.acknowledge = strcmp(cf->acknowledgement, "yes") == 0;
	if (dc.acknowledge && ack_texts(cmd, dir, &dc) != 0)
		goto out;

	on_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* confined before its threads start, the rest once it listens (docs/privsep.md) */
	struct door_sandbox sb = {.kind = DOOR_INTAKE, .dir = dir, .inst = inst, .port = dc.port};
	if (door_sandbox_files(&sb) != 0)
		goto out;
	if (intake_door_start(&dc, in, &door) != 0) {
		cli_fail(cmd,
		         "could not listen on %s:%u (in use, or not an address of this machine)",
		         dc.host, (unsigned)dc.port);
		goto out;
	}
	printf("intake: http://%s:%u/\n", dc.host, (unsigned)intake_door_port(door));
	fflush(stdout);
	tell_port(intake_door_port(door));
	if (door_sandbox_calls(&sb) != 0)
		goto out;
	while (!stop_signal)
		pause();
	rc = CLI_EXIT_OK;
out:
	intake_door_stop(&door);
	intake_free(&in);
	instance_close(&inst);
	return rc;
}

/* Runs the desk door until a signal. idle: 0 for session_idle_seconds. */
static int run_desk(const char *cmd, const char *dir, const char *host, int have_port,
                    uint16_t port, unsigned idle)
{
	struct instance *inst = NULL;
	struct intake *in = NULL;
	struct officers *off = NULL;
	struct desk_door *door = NULL;
	struct render_service *render = NULL;
	int rc = CLI_EXIT_FAIL;
	struct instance_error err;

	if (instance_open(dir, &inst, &err) != INSTANCE_OK)
		return cli_fail(cmd, "%s", err.msg);
	const struct conf *cf = instance_conf(inst);
	/* The desk seals replies with the intake module (public keys only). */
	if (store_sound(cmd, inst, dir) != 0 || intake_of(cmd, inst, &in) != 0)
		goto out;
	struct officer_kdf okdf = {.opslimit = (uint64_t)cf->officer_argon2_opslimit,
	                           .memlimit = (size_t)cf->officer_argon2_memlimit};
	if (officers_new(instance_store(inst), &okdf, &off) != OFFICER_OK ||
	    officers_set_instance_dir(off, dir) != OFFICER_OK ||
	    officers_set_issuer(off, cf->organisation) != OFFICER_OK) {
		cli_fail(cmd, "could not set up the officers");
		goto out;
	}
	struct desk_door_config dc;
	desk_door_defaults(&dc);
	dc.host = host != NULL ? host : cf->desk_listen.host;
	dc.port = have_port ? port : cf->desk_listen.port;
	dc.hosts = cf->desk_hosts;
	dc.store_name = dir;
	dc.org = cf->organisation;
	dc.default_clearance = cf->default_marking;
	dc.topics = cf->liaison_topics;
	dc.idle_seconds = idle > 0 ? idle : (unsigned)cf->session_idle_seconds;
	/* several nodes: an officer's session works on whichever node a request reaches */
	dc.shared_sessions = 1;
	_Static_assert(sizeof dc.session_salt == INSTANCE_SALT_LEN, "the codename salt");
	instance_codename_salt(inst, dc.session_salt);
	web_limits_of(cf, &dc.web);
	/* the ledger view decides with the instance's scheme; without one, no marked entry */
	int kind = marking_scheme_kind_parse(cf->scheme);
	struct marking_error merr;
	dc.scheme_set =
	        kind >= 0 &&
	        marking_scheme_init(&dc.scheme, (enum marking_scheme_kind)kind,
	                            cf->compartments[0] ? cf->compartments : NULL,
	                            cf->country[0] ? cf->country : NULL, &merr) == MARKING_OK;
	if (!dc.scheme_set)
		fprintf(stderr,
		        "cutout %s: the marking scheme of cutout.conf is not usable: the desk's "
		        "ledger view shows no marked entry\n",
		        cmd);

	on_stop_signals();
	signal(SIGPIPE, SIG_IGN); /* a download's reader gone: the decrypting thread gets EPIPE */

	/* safe viewing: the converter service, before the door may no longer fork */
	char helper[4096];
	safeview_limits(cf, &dc.render_limits);
	if (render_helper_path(helper, sizeof helper) != 0 ||
	    render_service_start(helper, &dc.render_limits, &render) != 0)
		fprintf(stderr, "cutout %s: no safe-viewing converter: nothing converts\n", cmd);
	dc.render = render;
	dc.on_arrival = strcmp(cf->safeview_on_arrival, "yes") == 0;

	struct door_sandbox sb = {.kind = DOOR_DESK, .dir = dir, .inst = inst, .port = dc.port};
	if (door_sandbox_files(&sb) != 0)
		goto out;
	if (desk_door_start(&dc, instance_store(inst), off, in, &door) != 0) {
		cli_fail(cmd,
		         "could not listen on %s:%u (in use, or not an address of this machine)",
		         dc.host, (unsigned)dc.port);
		goto out;
	}
	printf("desk: http://%s:%u/\n", dc.host, (unsigned)desk_door_port(door));
	fflush(stdout);
	tell_port(desk_door_port(door));
	if (door_sandbox_calls(&sb) != 0)
		goto out;
	/* Idle sessions are ended (their keys wiped) within a second of their timeout. */
	while (!stop_signal) {
		sleep(1);
		desk_door_tick(door);
	}
	rc = CLI_EXIT_OK;
out:
	desk_door_stop(&door); /* wipes every session's keys */
	render_service_stop(&render);
	officers_free(&off);
	intake_free(&in);
	instance_close(&inst);
	return rc;
}

/* What the door commands take. */

enum { OPT_INTAKE = 1, OPT_DESK = 2, OPT_IDLE = 4 };

/*
 * Parses DIR and the options named in `which`; for `cutout intake` and
 * `cutout desk` the listen option is spelt --listen (and --idle-seconds).
 * Returns -1 when the command should go on, else the exit code.
 */
static int door_args(const char *cmd, const char *help, int which, int argc, char **argv,
                     struct door_opts *o)
{
	int single = which == OPT_INTAKE || which == (OPT_DESK | OPT_IDLE);
	struct option opts[5];
	size_t k = 0;
	if (which & OPT_INTAKE)
		opts[k++] = (struct option){single ? "listen" : "intake-listen", required_argument,
		                            NULL, 'i'};
	if (which & OPT_DESK)
		opts[k++] = (struct option){single ? "listen" : "desk-listen", required_argument,
		                            NULL, 'd'};
	if (which & OPT_IDLE)
		opts[k++] = (struct option){single ? "idle-seconds" : "desk-idle-seconds",
		                            required_argument, NULL, 't'};
	opts[k++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[k] = (struct option){NULL, 0, NULL, 0};
	memset(o, 0, sizeof *o);
	int c;
	char *end;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return CLI_EXIT_OK;
		case 'i':
			if (parse_listen(cmd, optarg, o->intake_host, sizeof o->intake_host,
			                 &o->intake_port) != 0)
				return CLI_EXIT_USAGE;
			o->have_intake = 1;
			break;
		case 'd':
			if (parse_listen(cmd, optarg, o->desk_host, sizeof o->desk_host,
			                 &o->desk_port) != 0)
				return CLI_EXIT_USAGE;
			o->have_desk = 1;
			break;
		case 't': {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != 0 || optarg[0] == 0 || v < 1 || v > 86400)
				return cli_usage(cmd, "bad idle seconds '%s' (1..86400)", optarg);
			o->desk_idle = (unsigned)v;
			break;
		}
		default:
			return cli_usage(cmd, "unknown option '%s' (see 'cutout help %s')",
			                 argv[optind - 1], cmd);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "expected one instance directory (see 'cutout help %s')",
		                 cmd);
	o->dir = argv[optind];
	return -1;
}

int intake_main(int argc, char **argv)
{
	struct door_opts o;
	int rc;
	if ((rc = door_args("intake", intake_help, OPT_INTAKE, argc, argv, &o)) >= 0)
		return rc;
	return run_intake("intake", o.dir, o.have_intake ? o.intake_host : NULL, o.have_intake,
	                  o.intake_port);
}

int desk_main(int argc, char **argv)
{
	struct door_opts o;
	int rc;
	if ((rc = door_args("desk", desk_help, OPT_DESK | OPT_IDLE, argc, argv, &o)) >= 0)
		return rc;
	return run_desk("desk", o.dir, o.have_desk ? o.desk_host : NULL, o.have_desk, o.desk_port,
	                o.desk_idle);
}

/* A door of `cutout serve`: its child process and its restarts. */
struct door_proc {
	const char *name; /* "intake" or "desk" */
	pid_t pid;        /* -1: not running */
	int ready;        /* the read end of the child's port pipe; -1: none */
	int served;       /* it told its port once: later deaths are restarted */
	int termed;       /* SIGTERM sent (stopping) */
	int have_port;
	uint16_t port;
	int64_t started, restart_at; /* ms of CLOCK_MONOTONIC; restart_at 0: none due */
	unsigned backoff;            /* seconds before the next restart */
};

#define RESTART_MIN 1   /* seconds */
#define RESTART_MAX 60  /* seconds */
#define RESTART_CALM 60 /* a door up this long starts its backoff again */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int start_door(const char *cmd, const struct door_opts *o, int i, struct door_proc *d)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return cli_fail(cmd, "pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t p = fork();
	if (p < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return cli_fail(cmd, "fork: %s", strerror(errno));
	}
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(CLI_EXIT_FAIL); /* the parent died before PDEATHSIG was set */
		close(pfd[0]);
		ready_fd = pfd[1];
		if (i == 0) {
			prctl(PR_SET_NAME, "cutout-intake");
			_exit(run_intake("intake", o->dir, d->have_port ? o->intake_host : NULL,
			                 d->have_port, d->port));
		}
		if (i == 2) {
			prctl(PR_SET_NAME, "cutout-liaison");
			_exit(liaison_door_run(o->dir, NULL, 1, d->port, NULL, NULL, tell_port));
		}
		prctl(PR_SET_NAME, "cutout-desk");
		_exit(run_desk("desk", o->dir, d->have_port ? o->desk_host : NULL, d->have_port,
		               d->port, o->desk_idle));
	}
	close(pfd[1]);
	d->pid = p;
	d->ready = pfd[0];
	d->started = now_ms();
	return 0;
}

/* Reads the port a started door reports (non-blocking); its later restarts take it. */
static void read_port(struct door_proc *d)
{
	if (d->ready < 0)
		return;
	struct pollfd pf = {.fd = d->ready, .events = POLLIN};
	if (poll(&pf, 1, 0) != 1)
		return;
	char b[8] = {0};
	ssize_t n = read(d->ready, b, sizeof b - 1);
	close(d->ready);
	d->ready = -1;
	uint64_t port;
	char *nl = n > 0 ? strchr(b, '\n') : NULL;
	if (nl == NULL)
		return; /* EOF: it died before it listened */
	*nl = '\0';
	if (num_parse_u64(b, &port) == 0 && port > 0 && port <= 65535) {
		d->port = (uint16_t)port;
		d->have_port = 1;
		d->served = 1;
	}
}

/*
 * Starts each door in a child process of its own and waits; a signal stops
 * them all. A door that dies after it served is restarted on the same port,
 * after a backoff (1 s, doubling up to 60 s; again 1 s once it has stayed up
 * a minute), and each death and restart is logged; the other door serves on.
 * A door that fails before it ever listened (a busy port, a bad store) stops
 * them all, as a failed start does. The intake process never loads an
 * officer's or the organisation's private key; the desk process holds
 * officers' keys only inside their sessions.
 */
int serve_dir(const char *cmd, const struct door_opts *o)
{
	on_stop_signals();
	struct door_proc doors[3] = {
	        {.name = "intake",
	         .pid = -1,
	         .ready = -1,
	         .have_port = o->have_intake,
	         .port = o->intake_port,
	         .backoff = RESTART_MIN},
	        {.name = "desk",
	         .pid = -1,
	         .ready = -1,
	         .have_port = o->have_desk,
	         .port = o->desk_port,
	         .backoff = RESTART_MIN},
	        {.name = "liaison", .pid = -1, .ready = -1, .backoff = RESTART_MIN},
	};
	/* the liaison door only when liaison_port is set (127.0.0.1, that port) */
	int nd = 2;
	struct conf *cf = malloc(sizeof *cf);
	char path[PATH_MAX];
	struct conf_error cerr;
	int pn = snprintf(path, sizeof path, "%s/%s", o->dir, INSTANCE_CONF);
	if (cf != NULL && pn > 0 && (size_t)pn < sizeof path &&
	    conf_load(path, cf, &cerr) == CONF_OK && cf->liaison_port > 0) {
		doors[2].have_port = 1;
		doors[2].port = (uint16_t)cf->liaison_port;
		nd = 3;
	}
	free(cf);
	int rc = CLI_EXIT_OK, stopping = 0;
	pid_t retain = -1; /* the daily retention run (cmd_retention.c) */
	int32_t retain_day = -1;
	for (int i = 0; i < nd; i++)
		if (start_door(cmd, o, i, &doors[i]) != 0) {
			rc = CLI_EXIT_FAIL;
			stopping = 1;
			break;
		}
	for (;;) {
		int alive = 0;
		if (stop_signal && !stopping)
			stopping = 1;
		for (int i = 0; i < nd; i++) {
			struct door_proc *d = &doors[i];
			read_port(d);
			if (d->pid > 0 && stopping && !d->termed) {
				kill(d->pid, SIGTERM);
				d->termed = 1;
			}
			alive += d->pid > 0;
		}
		if (stopping && retain > 0)
			kill(retain, SIGTERM);
		else if (!stopping)
			retention_daily(cmd, o->dir, &retain, &retain_day);
		if (stopping && alive == 0 && retain <= 0)
			break;
		int status = 0;
		pid_t w = waitpid(-1, &status, WNOHANG);
		if (w < 0 && errno != EINTR && errno != ECHILD)
			break;
		if (w > 0 && w == retain)
			retain = -1;
		int64_t now = now_ms();
		for (int i = 0; w > 0 && i < nd; i++) {
			struct door_proc *d = &doors[i];
			if (w != d->pid)
				continue;
			read_port(d); /* a port told just before it died */
			if (d->ready >= 0) {
				close(d->ready);
				d->ready = -1;
			}
			d->pid = -1;
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_FAIL;
			if (stopping)
				continue;
			if (!d->served) {
				/* it never listened: a failed start stops them all */
				if (code == CLI_EXIT_OK)
					code = CLI_EXIT_FAIL;
				rc = code;
				stopping = 1;
				continue;
			}
			if (now - d->started >= RESTART_CALM * 1000)
				d->backoff = RESTART_MIN;
			if (WIFSIGNALED(status))
				fprintf(stderr,
				        "cutout %s: the %s door died (signal %d); restarting it in "
				        "%u s\n",
				        cmd, d->name, WTERMSIG(status), d->backoff);
			else
				fprintf(stderr,
				        "cutout %s: the %s door stopped (exit status %d); "
				        "restarting it in "
				        "%u s\n",
				        cmd, d->name, code, d->backoff);
			d->restart_at = now + (int64_t)d->backoff * 1000;
			d->backoff = d->backoff * 2 > RESTART_MAX ? RESTART_MAX : d->backoff * 2;
		}
		for (int i = 0; !stopping && i < nd; i++) {
			struct door_proc *d = &doors[i];
			if (d->pid > 0 || d->restart_at == 0 || now < d->restart_at)
				continue;
			d->restart_at = 0;
			if (start_door(cmd, o, i, d) != 0) {
				d->restart_at =
				        now + (int64_t)d->backoff * 1000; /* try again later */
				continue;
			}
			fprintf(stderr, "cutout %s: the %s door restarted (pid %ld)\n", cmd,
			        d->name, (long)d->pid);
		}
		if (w <= 0) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL); /* a signal cuts it short */
		}
	}
	for (int i = 0; i < nd; i++)
		if (doors[i].ready >= 0)
			close(doors[i].ready);
	return rc;
}

int serve_main(int argc, char **argv)
{
	struct door_opts o;
	int rc;
	if ((rc = door_args("serve", serve_help, OPT_INTAKE | OPT_DESK | OPT_IDLE, argc, argv,
	                    &o)) >= 0)
		return rc;
	return serve_dir("serve", &o);
}
