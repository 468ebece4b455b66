/* cfg.h - configuration: Postfix main.cf syntax plus -o overrides */
#ifndef TP_CFG_H
#define TP_CFG_H

#include "vstr.h"

#define CFG_DEFAULT_FILE	SYSCONFDIR "/tlspolicyd/tlspolicyd.cf"

typedef enum { MTASTS_TESTING_IGNORE, MTASTS_TESTING_ENFORCE } CFG_TESTING;
typedef enum { CFG_LOG_CHANGES, CFG_LOG_ALL } CFG_LOG_LOOKUPS;

typedef struct CFG {
    char   *dns_resolver;		/* "ip[:port], ..." */
    int     dns_timeout;		/* seconds per query attempt */
    int     dns_deadline;		/* seconds per lookup, hard */
    char   *cache_file;			/* SQLite database */
    int     cache_min_ttl;		/* seconds */
    int     cache_max_ttl;		/* seconds */
    int     cache_busy_timeout;		/* seconds */
    int     cache_max_entries;		/* per table */
    char   *mtasts_ca_file;		/* empty: system bundle */
    int     mtasts_fetch_timeout;	/* seconds per transfer */
    int     mtasts_testing;		/* CFG_TESTING */
    int     tlsrpt;			/* boolean */
    char   *policy_overrides;		/* empty: none */
    char   *log_file;			/* empty: syslog */
    int     log_lookups;		/* CFG_LOG_LOOKUPS */
    int     idle_timeout;		/* seconds */
    int     verbose;			/* boolean */
    char   *user;			/* -q, -t, -F as root become it */
    /* Not parameters: where the values came from, for -p. */
    char   *file;			/* the file cfg_load_file() was given */
    int     file_read;			/* it was read (else: missing, optional) */
} CFG;

CFG    *cfg_new(void);
void    cfg_free(CFG *cfg);
int     cfg_load_file(CFG *cfg, const char *path, int must_exist, VSTR *err);
int     cfg_load_buf(CFG *cfg, const char *origin, const char *buf,
		             size_t len, VSTR *err);
int     cfg_set_option(CFG *cfg, const char *name_eq_value, VSTR *err);
void    cfg_print(const CFG *cfg, VSTR *out);
int     cfg_clamp_ttl(const CFG *cfg, unsigned ttl);
void    cfg_origin(const CFG *cfg, VSTR *out);

#endif
