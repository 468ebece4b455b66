/* unit_cfg - configuration parser */
#include <string.h>

#include "cfg.h"
#include "policy.h"
#include "tap.h"
#include "vstr.h"

typedef struct {
    const char *text;
    int     ok;
    const char *err;			/* substring of the error */
} CFG_CASE;

static const CFG_CASE cases[] = {
    {"", 1, 0},
    {"# comment only\n\n   # indented comment\n", 1, 0},
    {"dns_timeout = 5s\n", 1, 0},
    {"dns_timeout=7", 1, 0},
    {"dns_timeout = 5x\n", 0, "line 1: bad value for dns_timeout"},
    {"dns_timeout = 0\n", 0, "between 1s and 60s"},
    {"dns_timeout = 99999999999999999999\n", 0, "bad value for dns_timeout"},
    {"\n\nbogus = 1\n", 0, "line 3: unknown parameter \"bogus\""},
    {"tlsrpt = maybe\n", 0, "expected yes or no"},
    {"mtasts_testing = sometimes\n", 0, "expected ignore or enforce"},
    {"dns_resolver = 127.0.0.1:53, [::1]:5353\n", 1, 0},
    {"dns_resolver = resolver.example\n", 0, "expected at most 8 IP addresses"},
    {"dns_resolver = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7"
	" 8.8.8.8 9.9.9.9\n", 0, "more than 8 DNS servers"},
    {"dns_resolver = [127.0.0.1]:53\n", 1, 0},
    {"dns_resolver = 127.0.0.1:0\n", 0, "bad value for dns_resolver"},
    {"dns_resolver = 127.0.0.1:65536\n", 0, "bad value"},
    {"dns_resolver = [::1\n", 0, "bad value"},
    {"dns_resolver =\n", 0, "bad value"},
    {"  continued = 1\n", 0, "line 1: continuation line"},
    {"= value\n", 0, "missing parameter name"},
    {"just words\n", 0, "line 1: missing '='"},
    {"idle_timeout = 2h\n", 1, 0},
    {"cache_file = /tmp/x.db\r\n", 1, 0},
};

/* check_values - parsed values and continuation lines */
static void check_values(void)
{
    static const char text[] =
	"# tlspolicyd.cf\n"
	"dns_resolver = 127.0.0.1:5300,\n"
	"    [::1]:53\n"
	"mtasts_testing = enforce\n"
	"tlsrpt = yes\n"
	"idle_timeout = 5m\n"
	"idle_timeout = 10m\n"
	"log_file = /var/log/tlspolicyd.log\n";
    CFG    *cfg = cfg_new();
    VSTR   *err = vstr_new(64);

    tap_is_int(cfg->dns_timeout, 2, "default dns_timeout");
    tap_is_int(cfg->tlsrpt, 0, "default tlsrpt = no");
    tap_is_int(cfg_load_buf(cfg, "test.cf", text, strlen(text), err), 0, "load");
    tap_is_str(cfg->dns_resolver, "127.0.0.1:5300,[::1]:53",
	       "continuation joined, stored in the DNS module's canonical form");
    tap_is_int(cfg->mtasts_testing, MTASTS_TESTING_ENFORCE, "enum value");
    tap_is_int(cfg->tlsrpt, 1, "boolean value");
    tap_is_int(cfg->idle_timeout, 600, "last value wins");
    tap_is_str(cfg->log_file, "/var/log/tlspolicyd.log", "string value");
    tap_is_int(cfg_set_option(cfg, "idle_timeout=30s", err), 0, "-o applies");
    tap_is_int(cfg->idle_timeout, 30, "-o value");
    tap_is_int(cfg_set_option(cfg, "nonsense", err), -1, "-o without =");
    tap_ok(strstr(vstr_str(err), "-o nonsense") != 0, "-o error names the option");
    vstr_reset(err);
    tap_is_int(cfg_set_option(cfg, "colour=blue", err), -1, "-o unknown name");
    tap_ok(strstr(vstr_str(err), "unknown parameter \"colour\"") != 0,
	   "-o unknown name message");
    vstr_reset(err);
    tap_is_int(cfg_load_file(cfg, "/nonexistent/tlspolicyd.cf", 0, err), 0,
	       "missing optional file is fine");
    tap_is_int(cfg_load_file(cfg, "/nonexistent/tlspolicyd.cf", 1, err), -1,
	       "missing -c file is an error");
    tap_ok(strstr(vstr_str(err), "/nonexistent/tlspolicyd.cf") != 0,
	   "error names the file");
    vstr_free(err);
    cfg_free(cfg);
}

/* check_lookup_limit - a lookup ends before Postfix gives up (100 s) */
static void check_lookup_limit(void)
{
    static const struct {
	const char *deadline;
	const char *fetch;
	int     limit;
    } limits[] = {
	{"dns_deadline=10s", "mtasts_fetch_timeout=10s", 20},
	{"dns_deadline=90s", "mtasts_fetch_timeout=1s", 90},
	{"dns_deadline=90s", "mtasts_fetch_timeout=90s", 90},
	{"dns_deadline=1s", "mtasts_fetch_timeout=90s", 90},
    };
    size_t  i;
    char    name[200];

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
	CFG    *cfg = cfg_new();
	VSTR   *err = vstr_new(8);

	(void) cfg_set_option(cfg, limits[i].deadline, err);
	(void) cfg_set_option(cfg, limits[i].fetch, err);
	snprintf(name, sizeof(name), "lookup limit with %s, %s: %ds", limits[i].deadline,
		 limits[i].fetch, limits[i].limit);
	tap_is_int(POL_LOOKUP_LIMIT(cfg), limits[i].limit, name);
	tap_ok(POL_LOOKUP_LIMIT(cfg) < 100 && POL_REFRESH_BUDGET(cfg) < 100,
	       "... below the 100 s Postfix waits, and so is the refresh budget");
	cfg_free(cfg);
	vstr_free(err);
    }
}

int     main(void)
{
    size_t  i;
    char    name[200];

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	CFG    *cfg = cfg_new();
	VSTR   *err = vstr_new(64);
	int     got = cfg_load_buf(cfg, "t.cf", cases[i].text,
				   strlen(cases[i].text), err);

	snprintf(name, sizeof(name), "case %zu %s", i,
		 cases[i].ok ? "accepted" : "rejected");
	tap_is_int(got == 0, cases[i].ok, name);
	if (!cases[i].ok) {
	    if (!tap_ok(strstr(vstr_str(err), cases[i].err) != 0
			&& strncmp(vstr_str(err), "t.cf", 4) == 0,
			"error names file, line and problem"))
		printf("#   error: %s\n", vstr_str(err));
	}
	vstr_free(err);
	cfg_free(cfg);
    }
    {
	CFG    *cfg = cfg_new();
	VSTR   *err = vstr_new(8);

	tap_is_int(cfg_load_buf(cfg, "nul.cf", "a\0b", 3, err), -1, "NUL byte rejected");
	cfg_free(cfg);
	vstr_free(err);
    }
    check_values();
    check_lookup_limit();
    return tap_done();
}
