/*++
 * NAME
 *	tlspolicyd 8
 * SUMMARY
 *	Postfix TLS policy helper (DANE and MTA-STS)
 * SYNOPSIS
 *	tlspolicyd [-c file] [-o name=value]... [-v]
 *	tlspolicyd [-c file] [-o name=value]... [-v] -q domain
 *	tlspolicyd [-c file] [-o name=value]... -p
 *	tlspolicyd [-c file] [-o name=value]... -R domain
 *	tlspolicyd [-c file] [-o name=value]... -F domain|all
 *	tlspolicyd [-c file] [-o name=value]... -t
 *	tlspolicyd -V | --version
 *	tlspolicyd -h | --help
 * DESCRIPTION
 *	Without -q, tlspolicyd serves one connection on standard input
 *	and output, as a spawn(8) service of Postfix's master(8): many
 *	lookups per connection, tcp_table(5) or socketmap protocol, until
 *	the client closes the connection or idle_timeout expires.
 *
 *	With -q, it looks up one domain and prints the policy exactly as
 *	Postfix would receive it; exit status 0 found, 1 not found, 75
 *	temporary failure. -v adds the explanation on stderr: each step,
 *	a temporary failure's cause, and the domain's recorded protection
 *	history and deferral (history_explain()).
 *
 *	With -p, it prints the effective configuration.
 *
 *	With -F, it forgets the cached results for a domain, or for all
 *	domains. With -t, it checks the configuration, the resolver (it
 *	must set the AD bit), the cache and the CA file, one line each.
 *	Run as root, -q, -t and -F first switch to the helper's user.
 *
 *	With -V, it prints its version and those of c-ares, SQLite and
 *	libcurl (loaded for the report only), and exits 0.
 *
 *	Options come in any order; the domain of -q, -R and -F is the one
 *	operand, or attached to its option. A usage error exits 2 with its
 *	reason on stderr, or in the log in service mode when stdin is a
 *	socket. Service mode on a terminal is refused (exit 2).
 *
 *	-R domain is how a helper refreshes a cache entry near expiry
 *	after it has answered: it runs itself again with -R in a new
 *	process, which takes the domain's lease, looks it up and stores
 *	the result. Administrators do not need it.
 * SECURITY
 *	Service mode refuses to run with user or group ID 0. Standard
 *	error is the client socket under spawn(8): it is redirected to
 *	/dev/null before anything else happens.
 * DIAGNOSTICS
 *	Service mode logs to syslog (facility mail) or to log_file; with
 *	no syslog daemon listening on /dev/log, to LOG_FALLBACK_FILE
 *	(log(3)), so a configuration error read before log_file is still
 *	logged somewhere. A
 *	configuration error does not kill the service: every lookup then
 *	gets a temporary failure, so mail defers with a clear reason
 *	instead of Postfix stalling on a helper that died.
 *--*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "check.h"
#include "forget.h"
#include "history.h"
#include "log.h"
#include "mastercf.h"
#include "mem.h"
#include "ovr.h"
#include "policy.h"
#include "priv.h"
#include "refresh.h"
#include "runas.h"
#include "server.h"
#include "version.h"

#define EXIT_FOUND	0
#define EXIT_NOTFOUND	1
#define EXIT_USAGE	2
#define EXIT_TEMP	75

typedef struct OPTS {
    const char *config;			/* -c */
    int     config_given;
    char  **overrides;			/* -o */
    int     noverrides;
    const char *query;			/* -q */
    const char *refresh;		/* -R */
    const char *forget;			/* -F */
    int     test;			/* -t */
    char  **argv;			/* for -R, from a helper */
    int     verbose;			/* -v */
    int     print;			/* -p */
    int     version;			/* -V */
} OPTS;

#define USAGE_TEXT \
	"usage: tlspolicyd [-c file] [-o name=value]... [-v]\n" \
	"       tlspolicyd [-c file] [-o name=value]... [-v] -q domain\n" \
	"       tlspolicyd [-c file] [-o name=value]... -p\n" \
	"       tlspolicyd [-c file] [-o name=value]... -F domain|all\n" \
	"       tlspolicyd [-c file] [-o name=value]... -t\n" \
	"       tlspolicyd -V | --version\n" \
	"       tlspolicyd -h | --help\n" \
	"Without -q, -p, -F, -t or -V it serves one Postfix connection on\n" \
	"standard input (master.cf runs it as a spawn(8) service).\n"

/* usage_help - -h, --help: the synopsis on stdout, exit 0 */
static void usage_help(void)
{
    fputs(USAGE_TEXT, stdout);
    exit(fflush(stdout) == 0 ? 0 : 1);
}

/* usage_stdin_socket - is stdin a socket (service mode under spawn(8))? */
static int usage_stdin_socket(void)
{
    struct stat st;

    return fstat(0, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* opts_by_hand - a mode an administrator runs (-q, -p, -F, -t, -V), not
 * a helper (service mode, -R) */
static int opts_by_hand(const OPTS *opts)
{
    return opts->query || opts->print || opts->forget || opts->test
	|| opts->version;
}

/* usage - a usage error: the reason on stderr, except in service mode
 * under spawn(8), where stderr is the client socket: the log gets it */
static void usage(const OPTS *opts, const char *why)
{
    if (opts_by_hand(opts) || opts->refresh || !usage_stdin_socket()) {
	fprintf(stderr, "tlspolicyd: %s\n" USAGE_TEXT, why);
    } else {
	log_init("tlspolicyd", LOG_DEST_SYSLOG);
	log_warn("usage error in the command line (master.cf argv=?): %s", why);
    }
    exit(EXIT_USAGE);
}

/* usage_refuse_tty - service mode on a terminal would wait for Postfix
 * requests typed by hand, until idle_timeout */
static void usage_refuse_tty(void)
{
    if (!isatty(0))
	return;
    fprintf(stderr, "tlspolicyd: standard input is a terminal: without -q,"
	    " -p, -F, -t or -V, tlspolicyd serves one Postfix connection on"
	    " standard input (master.cf runs it as a spawn(8) service).\n"
	    "tlspolicyd: try \"tlspolicyd -t\" or \"tlspolicyd -q"
	    " example.org\" (tlspolicyd --help)\n");
    exit(EXIT_USAGE);
}

/* parse_opt - one option into OPTS; -1 for a letter getopt() let through */
static int parse_opt(OPTS *opts, int ch, char *arg)
{
    const struct {
	int     letter;
	const char **arg;		/* set to the option's argument */
	int    *flag;			/* set to 1 */
    }       table[] = {
	{'c', &opts->config, &opts->config_given},
	{'q', &opts->query, 0}, {'R', &opts->refresh, 0}, {'F', &opts->forget, 0},
	{'v', 0, &opts->verbose}, {'p', 0, &opts->print},
	{'V', 0, &opts->version}, {'t', 0, &opts->test},
    };
    size_t  i;

    if (ch == 'o') {
	opts->overrides[opts->noverrides++] = arg;
	return 0;
    }
    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
	if (table[i].letter != ch)
	    continue;
	if (table[i].arg)		/* -q, -R, -F: "" until the operand */
	    *table[i].arg = arg ? arg : "";
	if (table[i].flag)
	    *table[i].flag = 1;
	return 0;
    }
    return -1;
}

/* parse_bad_option - getopt_long() refused argv[optind - 1] */
static void parse_bad_option(char **argv, char *why, size_t size)
{
    const char *word = argv[optind - 1];
    const char *eq;

    if (strncmp(word, "--", 2) == 0 && (eq = strchr(word, '=')) != 0)
	(void) snprintf(why, size, "option %.*s takes no argument",
			(int) (eq - word < 40 ? eq - word : 40), word);
    else if (strncmp(word, "--", 2) == 0)
	(void) snprintf(why, size, "unknown option %.60s", word);
    else if (optopt != 0 && strchr("co", optopt))
	(void) snprintf(why, size, "option -%c needs an argument", optopt);
    else if (optopt != 0)
	(void) snprintf(why, size, "unknown option -%c", optopt);
    else
	(void) snprintf(why, size, "unknown option %s", argv[optind - 1]);
}

/* parse_operand - the domain of -q, -R or -F: attached (-qDOMAIN) or the
 * one operand, wherever it stands (-q -v DOMAIN, -v -q DOMAIN) */
static const char *parse_operand(OPTS *opts, int argc, char **argv)
{
    const char **slot = opts->query ? &opts->query : opts->refresh ?
    &opts->refresh : opts->forget ? &opts->forget : 0;
    int     left = argc - optind;

    if (slot && **slot == 0) {
	if (left == 0)
	    return opts->forget ? "-F needs a domain or \"all\""
		: opts->query ? "-q needs a domain" : "-R needs a domain";
	*slot = argv[optind++];
	left--;
    }
    return left > 0 ? "unexpected argument" : 0;
}

/* parse_args - command line into OPTS; options in any order */
static void parse_args(int argc, char **argv, OPTS *opts)
{
    static const struct option longopts[] = {
	{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'},
	{0, 0, 0, 0},
    };
    char    why[200];
    const char *bad;
    int     ch;
    int     help = 0;

    memset(opts, 0, sizeof(*opts));
    why[0] = 0;
    opts->config = CFG_DEFAULT_FILE;
    opts->overrides = mem_calloc((size_t) argc + 1, sizeof(char *));
    opts->argv = argv;
    opterr = 0;				/* never a byte on stderr unasked */
    while ((ch = getopt_long(argc, argv, "c:o:q::vpR::VF::th", longopts, 0)) != -1) {
	if (ch == 'h')
	    help = 1;
	else if ((ch == '?' || parse_opt(opts, ch, optarg) < 0) && why[0] == 0)
	    parse_bad_option(argv, why, sizeof(why));
    }
    if (help)
	usage_help();
    if (why[0] == 0 && (bad = parse_operand(opts, argc, argv)) != 0)
	(void) snprintf(why, sizeof(why), "%s%s%s%s", bad,
			optind < argc ? " \"" : "", optind < argc ? argv[optind] : "",
			optind < argc ? "\"" : "");
    if (why[0] == 0 && argc > POL_REFRESH_ARGS && !opts_by_hand(opts))
	/* a helper's words are kept for -R */
	(void) snprintf(why, sizeof(why), "more than %d arguments",
			POL_REFRESH_ARGS);
    if (why[0] == 0 && !opts->version && (opts->query != 0) + opts->print
	+ (opts->forget != 0) + (opts->refresh != 0) + opts->test > 1)
	(void) snprintf(why, sizeof(why), "-q, -p, -F and -t exclude each other");
    if (why[0])
	usage(opts, why);
}

/* load_config - file, -o options and the override table */
static int load_config(const OPTS *opts, CFG *cfg, OVR **ovr, VSTR *err)
{
    int     i;

    if (cfg_load_file(cfg, opts->config, opts->config_given, err) < 0)
	return -1;
    for (i = 0; i < opts->noverrides; i++)
	if (cfg_set_option(cfg, opts->overrides[i], err) < 0)
	    return -1;
    if (*cfg->policy_overrides
	&& (*ovr = ovr_load_file(cfg->policy_overrides, err)) == 0)
	return -1;
    return 0;
}

/* detach_stderr - under spawn(8), fd 2 is the client socket */
static void detach_stderr(void)
{
    int     fd;

    if (isatty(2))
	return;
    if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
	if (fd != 2) {
	    (void) dup2(fd, 2);
	    (void) close(fd);
	}
    }
}

/* refuse_root - service mode never runs privileged */
static void refuse_root(void)
{
    priv_refuse_setid();
    if (getuid() == 0 || geteuid() == 0)
	log_fatal("refusing to run with user ID 0: set user= to an"
		  " unprivileged account in master.cf");
    if (getgid() == 0 || getegid() == 0)
	log_fatal("refusing to run with group ID 0: the user= account in"
		  " master.cf must not have group root as its primary group");
}

/* run_explain - -q -v: a deferral's cause, the domain's recorded history */
static void run_explain(POL_CTX *ctx, const POL_ANSWER *ans)
{
    VSTR   *out;
    const char *cp;
    const char *nl;

    if (ans->status == POL_TEMP)
	fprintf(stderr, "tlspolicyd: cause %s: %s\n", defer_name(ans->cause),
		defer_text(ans->cause));
    if (ctx->config_error || ans->domain[0] == 0)
	return;
    if (strcmp(ans->source, "override") == 0 && !ctx->no_cache)
	(void) policy_cache(ctx);	/* its history from before the entry */
    if (!cache_enabled(ctx->cache))
	return;				/* a gate answered, or no cache */
    out = vstr_new(256);
    history_explain(ctx->cache, ans->domain, out);
    for (cp = vstr_str(out); (nl = strchr(cp, '\n')) != 0; cp = nl + 1)
	fprintf(stderr, "tlspolicyd: %.*s\n", (int) (nl - cp), cp);
    vstr_free(out);
}

/* run_query - -q: one lookup, printed as Postfix would see it */
static int run_query(POL_CTX *ctx, const char *domain)
{
    POL_ANSWER ans;
    int     status;

    policy_answer_init(&ans);
    policy_lookup(ctx, domain, strlen(domain), ctx->cfg->tlsrpt, &ans);
    switch (ans.status) {
    case POL_FOUND:
	printf("%s%s\n", vstr_str(ans.text), vstr_str(ans.tlsrpt));
	status = EXIT_FOUND;
	break;
    case POL_TEMP:
	fprintf(stderr, "tlspolicyd: temporary failure: %s\n", vstr_str(ans.text));
	status = EXIT_TEMP;
	break;
    default:
	if (log_verbose())
	    fprintf(stderr, "tlspolicyd: not found: %s\n", vstr_str(ans.text));
	status = EXIT_NOTFOUND;
	break;
    }
    if (log_verbose())
	run_explain(ctx, &ans);
    policy_answer_free(&ans);
    return status;
}

/* run_refresh_child - the -R process: no client descriptors, then exec;
 * it keeps the descriptor of its refresh slot (refresh_claim()) open for
 * its whole life: the slot is free again when it exits */
static void run_refresh_child(char **argv, int slot)
{
    int     fd = open("/dev/null", O_RDWR);

    log_forked();
    if (fd < 0 || fcntl(slot, F_SETFD, 0) < 0)
	_exit(1);
    (void) dup2(fd, 0);			/* the client belongs to the parent */
    (void) dup2(fd, 1);
    (void) dup2(fd, 2);			/* spawn(8) makes stderr the client */
    if (fd > 2)
	(void) close(fd);
    (void) execv("/proc/self/exe", argv);
    log_warn("cannot run %s to refresh: %m", argv[0]);
    _exit(1);
}

/* run_refresh_start - a refresh is pending and the client idle: start
 * "tlspolicyd ... -R DOMAIN" (fork and exec: an SQLite connection must
 * not cross fork()) when refresh_claim() says this helper should */
static void run_refresh_start(POL_CTX *ctx)
{
    char   *argv[POL_REFRESH_ARGS + 3];
    pid_t   pid;
    int     slot;
    int     n;

    if (ctx->refresh_argv == 0 || (slot = refresh_claim(ctx, ctx->refresh)) < 0) {
	log_debug("refresh of %s: running or backing off, or not started"
		  " now", ctx->refresh);
	ctx->refresh[0] = 0;
	return;
    }
    for (n = 0; n < POL_REFRESH_ARGS && ctx->refresh_argv[n]; n++)
	argv[n] = ctx->refresh_argv[n];
    argv[n++] = "-R";
    argv[n++] = ctx->refresh;
    argv[n] = 0;
    (void) signal(SIGCHLD, SIG_IGN);	/* no zombies */
    if ((pid = fork()) < 0)
	log_warn("cannot fork to refresh %s: %m", ctx->refresh);
    else if (pid == 0)
	run_refresh_child(argv, slot);
    (void) close(slot);			/* the child holds the slot now */
    ctx->refresh[0] = 0;
}

/* run_service - spawn(8) mode */
static int run_service(const OPTS *opts, CFG *cfg)
{
    POL_CTX ctx;
    OVR    *ovr = 0;
    VSTR   *err = vstr_new(128);

    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = cfg;
    detach_stderr();
    (void) umask(027);
    log_init("tlspolicyd", LOG_DEST_SYSLOG);
    log_set_also_stderr(isatty(2));
    refuse_root();
    if (load_config(opts, cfg, &ovr, err) < 0) {
	log_warn("%s", vstr_str(err));
	ctx.config_error = vstr_str(err);
    }
    if (*cfg->log_file && log_to_file(cfg->log_file) < 0) {
	int     saved = errno;		/* log_where() may try other files */
	const char *where = log_where();

	log_warn("cannot open log_file %s: %s; logging to %s", cfg->log_file,
		 saved == ELOOP ? "it is a symbolic link (refused)"
		 : strerror(saved), where);
    }
    log_set_verbose(cfg->verbose || opts->verbose);
    if (ctx.config_error && *cfg->log_file)
	log_warn("%s", ctx.config_error);
    ctx.ovr = ovr;
    ctx.refresh_argv = opts->argv;
    if (opts->refresh) {
	int     status = ctx.config_error ? 1 : refresh_run(&ctx, opts->refresh);

	policy_ctx_close(&ctx);
	ovr_free(ovr);
	vstr_free(err);
	return status;
    }
    if (ctx.config_error == 0)
	priv_check_cache_perms(policy_cache_path(&ctx));
    (void) signal(SIGPIPE, SIG_IGN);
    (void) server_serve(&ctx, 0, 1, cfg->idle_timeout, run_refresh_start);
    policy_ctx_close(&ctx);
    ovr_free(ovr);
    vstr_free(err);
    return 0;
}

/* cli_fail_status - exit status of a mode that could not start */
static int cli_fail_status(const OPTS *opts)
{
    return opts->forget || opts->test ? 1 : EXIT_TEMP;
}

/* cli_user - the user parameter from -o or the default: no file read */
static char *cli_user(const OPTS *opts)
{
    CFG    *early = cfg_new();
    VSTR   *ignored = vstr_new(64);
    char   *user;
    int     i;

    /* A bad -o is reported when the configuration is loaded. */
    for (i = 0; i < opts->noverrides; i++)
	(void) cfg_set_option(early, opts->overrides[i], ignored);
    user = mem_strdup(early->user);
    vstr_free(ignored);
    cfg_free(early);
    return user;
}

/* cli_refuse_root - say why root cannot go on, and what to run instead */
static void cli_refuse_root(const OPTS *opts, const char *why)
{
    int     i;

    fprintf(stderr, "tlspolicyd: run as root, this command switches to the"
	    " helper's account (parameter user) before it reads any file,"
	    " but %s.\ntlspolicyd: create the account (README, Installation),"
	    " or name the account of user= in master.cf with -o user=NAME,"
	    " or run the command as that account:\n  su -s /bin/sh NAME -c '",
	    why);
    for (i = 0; opts->argv[i]; i++)
	fprintf(stderr, "%s%s", i ? " " : "", opts->argv[i]);
    fprintf(stderr, "'\n");
}

/* cli_become_user - root becomes the helper's user first; -1: refused */
static int cli_become_user(const OPTS *opts, char **user)
{
    VSTR   *why;
    int     ret = 0;

    *user = 0;
    if (!priv_is_root() || opts->print)
	return 0;
    *user = cli_user(opts);
    why = vstr_new(64);
    if (runas_user(*user, why) < 0) {
	cli_refuse_root(opts, vstr_str(why));
	ret = -1;
    }
    vstr_free(why);
    return ret;
}

/* cli_same_user - the file must not name another user than we became */
static int cli_same_user(const CFG *cfg, const char *user)
{
    if (user == 0 || strcmp(cfg->user, user) == 0)
	return 0;
    fprintf(stderr, "tlspolicyd: %s sets user = %s, but tlspolicyd had"
	    " already switched to user %s (the default, or -o user=) to read"
	    " it; run again with -o user=%s\n", cfg->file, cfg->user, user,
	    cfg->user);
    return -1;
}

/* cli_load_config - load_config, errors on stderr */
static int cli_load_config(const OPTS *opts, CFG *cfg, OVR **ovr,
			           const char *user, VSTR *err)
{
    if (load_config(opts, cfg, ovr, err) == 0)
	return 0;
    if (opts->test)
	printf("FAIL: configuration: %s\n", vstr_str(err));
    else
	fprintf(stderr, "tlspolicyd: %s%s%s%s\n", vstr_str(err),
	    user ? " (read as user " : "", user ? user : "",
	    user ? ", as the helpers read it)" : "");
    return -1;
}

/* cli_forget - -F: the outcome on stdout, a failure on stderr */
static int cli_forget(const CFG *cfg, const char *what)
{
    VSTR   *out = vstr_new(128);
    int     status = forget_run(cfg, what, out);

    fputs(vstr_str(out), status == FORGET_OK ? stdout : stderr);
    vstr_free(out);
    return status;
}

/* cli_test_one - print one check's line at once; 1 if it failed */
static int cli_test_one(int (*check) (const CFG *, VSTR *), const CFG *cfg,
			        VSTR *buf)
{
    int     failed;

    vstr_reset(buf);
    failed = check(cfg, buf) < 0;
    fputs(vstr_str(buf), stdout);
    (void) fflush(stdout);
    return failed;
}

/* cli_test - -t: one line per check, exit 0 when all pass; pc: what
 * postconf said, collected as root */
static int cli_test(const CFG *cfg, const POSTCONF *pc, VSTR *buf)
{
    int     failed = 0;

    vstr_reset(buf);
    cfg_origin(cfg, buf);
    printf("ok: configuration: %s%s%s%s\n", vstr_str(buf),
	   cfg->file_read ? " parses" : "",
	   *cfg->policy_overrides ? "; policy_overrides parses: " : "",
	   cfg->policy_overrides);
    failed += cli_test_one(check_resolver, cfg, buf);
    failed += cli_test_one(check_cache, cfg, buf);
    failed += cli_test_one(check_ca_file, cfg, buf);
    failed += cli_test_one(check_log_file, cfg, buf);
    vstr_reset(buf);
    failed += mastercf_check(pc, cfg, buf) < 0;
    fputs(vstr_str(buf), stdout);
    return failed ? 1 : 0;
}

/* cli_dispatch - the mode, once the configuration is loaded */
static int cli_dispatch(const OPTS *opts, POL_CTX *ctx, const POSTCONF *pc,
			        VSTR *buf)
{
    if (opts->print) {
	cfg_print(ctx->cfg, buf);
	fputs(vstr_str(buf), stdout);
	return 0;
    }
    if (opts->forget)
	return cli_forget(ctx->cfg, opts->forget);
    if (opts->test)
	return cli_test(ctx->cfg, pc, buf);
    /* -c or -o: the shared cache only if it holds these settings */
    ctx->guest = opts->config_given || opts->noverrides > 0;
    ctx->no_history = 1;		/* its alarms would reach no log, no counter */
    return run_query(ctx, opts->query);
}

/* run_cli - -q, -p, -F: errors go to stderr */
static int run_cli(const OPTS *opts, CFG *cfg)
{
    POL_CTX ctx;
    OVR    *ovr = 0;
    VSTR   *err = vstr_new(128);
    char   *user = 0;
    POSTCONF *pc = 0;
    int     status;

    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = cfg;
    (void) umask(027);
    log_init("tlspolicyd", LOG_DEST_STDERR);
    log_set_verbose(opts->verbose);
    priv_refuse_setid();
    if (opts->test)			/* as root, like Postfix's commands */
	pc = postconf_collect();
    if (cli_become_user(opts, &user) < 0
	|| cli_load_config(opts, cfg, &ovr, user, err) < 0
	|| cli_same_user(cfg, user) < 0) {
	status = cli_fail_status(opts);
    } else {
	log_set_verbose(opts->verbose || cfg->verbose);
	log_set_info(log_verbose());
	ctx.ovr = ovr;
	status = cli_dispatch(opts, &ctx, pc, err);
    }
    postconf_free(pc);
    policy_ctx_close(&ctx);
    ovr_free(ovr);
    vstr_free(err);
    mem_free(user);
    return status;
}

/* run_version - -V: versions on stdout, no configuration needed */
static int run_version(void)
{
    VSTR   *out = vstr_new(256);

    version_print(out);
    fputs(vstr_str(out), stdout);
    vstr_free(out);
    return fflush(stdout) == 0 ? 0 : 1;
}

int     main(int argc, char **argv)
{
    OPTS    opts;
    CFG    *cfg;
    int     status;

    parse_args(argc, argv, &opts);
    if (opts.version) {			/* refused first, like every mode */
	log_init("tlspolicyd", LOG_DEST_STDERR);
	priv_refuse_setid();
	mem_free(opts.overrides);
	return run_version();
    }
    cfg = cfg_new();
    if (opts.query || opts.print || opts.forget || opts.test)
	status = run_cli(&opts, cfg);
    else {
	usage_refuse_tty();
	status = run_service(&opts, cfg);
    }
    cfg_free(cfg);
    mem_free(opts.overrides);
    return status;
}
