/*++
 * NAME
 *	sts_fetch 3
 * SUMMARY
 *	fetch https://mta-sts.DOMAIN/.well-known/mta-sts.txt
 * SYNOPSIS
 *	#include "sts_fetch.h"
 *
 *	int	stsf_fetch(const STSF_REQ *req, VSTR *body, VSTR *why)
 *	int	stsf_loaded(void)
 *
 *	void	stsf_pin(VSTR *pin, const char *domain, const char *addrs)
 *
 *	void	stsf_curl_why(VSTR *why, const char *text)
 * DESCRIPTION
 *	stsf_fetch() retrieves the policy with libcurl: the host name
 *	mta-sts.DOMAIN is pinned to the addresses that our own resolver
 *	found (CURLOPT_RESOLVE; Debian's libcurl would otherwise use
 *	getaddrinfo() and bypass dns_resolver); only HTTPS; TLS 1.2 or
 *	newer; the certificate must be valid for mta-sts.DOMAIN against
 *	ca_file or the system bundle; no redirects; no proxy, whatever the
 *	environment says; status 200 only; Content-Type text/plain (with
 *	parameters such as charset); at most 64 KiB of body, also when the
 *	server sends more than it declared; the whole transfer within
 *	timeout_ms milliseconds (the caller passes what is left of the
 *	lookup's overall limit when that is less than mtasts_fetch_timeout).
 *
 *	libcurl is loaded with dlopen() on the first fetch: a helper that
 *	answers from the cache never maps it (it costs ~10 ms per spawned
 *	process). stsf_loaded() tells whether it has been loaded.
 *
 *	stsf_pin() writes the whole CURLOPT_RESOLVE entry for domain and
 *	the comma-separated address list, however long (it is never cut).
 *	stsf_curl_why() appends libcurl's error text to why after
 *	log_safe(): it can quote a peer's certificate names, and why is
 *	logged and stored in the cache.
 * DIAGNOSTICS
 *	stsf_fetch() returns 0 with the body, or -1 with a reason.
 *--*/
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "log.h"
#include "sts_fetch.h"
#include "sts_policy.h"

typedef CURL *(*STSF_INIT) (void);
typedef CURLcode (*STSF_SETOPT) (CURL *, CURLoption,...);
typedef CURLcode (*STSF_PERFORM) (CURL *);
typedef CURLcode (*STSF_GETINFO) (CURL *, CURLINFO,...);
typedef void (*STSF_CLEANUP) (CURL *);
typedef struct curl_slist *(*STSF_SLIST_APPEND) (struct curl_slist *, const char *);
typedef void (*STSF_SLIST_FREE) (struct curl_slist *);
typedef const char *(*STSF_STRERROR) (CURLcode);
typedef CURLcode (*STSF_GLOBAL_INIT) (long);

static struct {
    int     tried;
    int     ok;
    STSF_INIT init;
    STSF_SETOPT setopt;
    STSF_PERFORM perform;
    STSF_GETINFO getinfo;
    STSF_CLEANUP cleanup;
    STSF_SLIST_APPEND slist_append;
    STSF_SLIST_FREE slist_free;
    STSF_STRERROR strerror;
    STSF_GLOBAL_INIT global_init;
} stsf_curl;

typedef struct STSF_SINK {
    VSTR   *body;
    int     overflow;
} STSF_SINK;

/* stsf_sym - one symbol */
static void *stsf_sym(void *lib, const char *name, int *missing)
{
    void   *sym = dlsym(lib, name);

    if (sym == 0)
	*missing = 1;
    return sym;
}

/* stsf_load - dlopen libcurl once */
static int stsf_load(VSTR *why)
{
    void   *lib;
    int     missing = 0;

    if (stsf_curl.tried) {
	if (!stsf_curl.ok)
	    vstr_printf(why, "libcurl is not available");
	return stsf_curl.ok ? 0 : -1;
    }
    stsf_curl.tried = 1;
    if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == 0) {
	vstr_printf(why, "cannot load libcurl: %s", dlerror());
	log_warn("%s", vstr_str(why));
	return -1;
    }
    *(void **) &stsf_curl.init = stsf_sym(lib, "curl_easy_init", &missing);
    *(void **) &stsf_curl.setopt = stsf_sym(lib, "curl_easy_setopt", &missing);
    *(void **) &stsf_curl.perform = stsf_sym(lib, "curl_easy_perform", &missing);
    *(void **) &stsf_curl.getinfo = stsf_sym(lib, "curl_easy_getinfo", &missing);
    *(void **) &stsf_curl.cleanup = stsf_sym(lib, "curl_easy_cleanup", &missing);
    *(void **) &stsf_curl.slist_append = stsf_sym(lib, "curl_slist_append", &missing);
    *(void **) &stsf_curl.slist_free = stsf_sym(lib, "curl_slist_free_all", &missing);
    *(void **) &stsf_curl.strerror = stsf_sym(lib, "curl_easy_strerror", &missing);
    *(void **) &stsf_curl.global_init = stsf_sym(lib, "curl_global_init", &missing);
    if (missing || stsf_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
	vstr_printf(why, "libcurl cannot be initialized");
	log_warn("%s", vstr_str(why));
	return -1;
    }
    stsf_curl.ok = 1;
    return 0;
}

/* stsf_loaded - has libcurl been mapped? */
int     stsf_loaded(void)
{
    return stsf_curl.ok;
}

/* stsf_write - body callback, bounded */
static size_t stsf_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    STSF_SINK *sink = ctx;
    size_t  len = size * nmemb;

    if (vstr_len(sink->body) + len > STSP_MAX_BODY) {
	sink->overflow = 1;
	return 0;			/* makes libcurl abort the transfer */
    }
    vstr_addmem(sink->body, data, len);
    return len;
}

/* stsf_options - everything RFC 8461 3.3 asks of the transfer */
static void stsf_options(CURL *h, const STSF_REQ *req, const char *url,
			         struct curl_slist *resolve, STSF_SINK *sink,
			         char *errbuf)
{
    stsf_curl.setopt(h, CURLOPT_URL, url);
    stsf_curl.setopt(h, CURLOPT_RESOLVE, resolve);
    stsf_curl.setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    stsf_curl.setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    stsf_curl.setopt(h, CURLOPT_PROXY, "");
    stsf_curl.setopt(h, CURLOPT_NOPROXY, "*");
    stsf_curl.setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
    stsf_curl.setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    stsf_curl.setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file && *req->ca_file)
	stsf_curl.setopt(h, CURLOPT_CAINFO, req->ca_file);
    stsf_curl.setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    stsf_curl.setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
    stsf_curl.setopt(h, CURLOPT_MAXFILESIZE, (long) STSP_MAX_BODY);
    stsf_curl.setopt(h, CURLOPT_NOSIGNAL, 1L);
    stsf_curl.setopt(h, CURLOPT_USERAGENT, "tlspolicyd");
    stsf_curl.setopt(h, CURLOPT_WRITEFUNCTION, stsf_write);
    stsf_curl.setopt(h, CURLOPT_WRITEDATA, sink);
    stsf_curl.setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* stsf_text_plain - "text/plain" with optional parameters */
static int stsf_text_plain(const char *ctype)
{
    size_t  n = strlen("text/plain");

    if (ctype == 0 || strncasecmp(ctype, "text/plain", n) != 0)
	return 0;
    return ctype[n] == 0 || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* stsf_check - status and content type after a transfer */
static int stsf_check(CURL *h, VSTR *why)
{
    long    status = 0;
    char   *ctype = 0;
    char    safe[LOG_SAFE_SIZE];

    stsf_curl.getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    stsf_curl.getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
    if (status != 200) {
	vstr_printf(why, "HTTP status %ld (only 200 is accepted)", status);
	return -1;
    }
    if (!stsf_text_plain(ctype)) {
	vstr_printf(why, "Content-Type \"%s\" is not text/plain",
		    ctype ? log_safe(safe, sizeof(safe), ctype, strlen(ctype)) : "");
	return -1;
    }
    return 0;
}

/* stsf_pin - the CURLOPT_RESOLVE entry "mta-sts.DOMAIN:443:ADDRS", whole */
void    stsf_pin(VSTR *pin, const char *domain, const char *addrs)
{
    vstr_reset(pin);
    vstr_printf(pin, "mta-sts.%s:443:%s", domain, addrs);
}

/* stsf_curl_why - libcurl's error text, made printable and bounded */
void    stsf_curl_why(VSTR *why, const char *text)
{
    char    safe[LOG_SAFE_SIZE];

    vstr_addstr(why, log_safe(safe, sizeof(safe), text, strlen(text)));
}

/* stsf_fetch - one policy */
int     stsf_fetch(const STSF_REQ *req, VSTR *body, VSTR *why)
{
    VSTR   *url;
    VSTR   *pin;
    char    errbuf[CURL_ERROR_SIZE];
    struct curl_slist *resolve;
    STSF_SINK sink = {body, 0};
    CURLcode rc;
    CURL   *h;
    int     ret = -1;

    vstr_reset(body);
    if (stsf_load(why) < 0)
	return -1;
    errbuf[0] = 0;
    if ((h = stsf_curl.init()) == 0) {
	vstr_printf(why, "curl_easy_init failed");
	return -1;
    }
    url = vstr_new(300);
    vstr_printf(url, "https://mta-sts.%s/.well-known/mta-sts.txt", req->domain);
    pin = vstr_new(300);
    stsf_pin(pin, req->domain, req->addrs);
    resolve = stsf_curl.slist_append(0, vstr_str(pin));
    stsf_options(h, req, vstr_str(url), resolve, &sink, errbuf);
    rc = stsf_curl.perform(h);
    if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
	vstr_printf(why, "policy larger than %d bytes", STSP_MAX_BODY);
    else if (rc != CURLE_OK)
	stsf_curl_why(why, *errbuf ? errbuf : stsf_curl.strerror(rc));
    else
	ret = stsf_check(h, why);
    stsf_curl.slist_free(resolve);
    stsf_curl.cleanup(h);
    vstr_free(pin);
    vstr_free(url);
    if (ret < 0)
	vstr_reset(body);
    return ret;
}
