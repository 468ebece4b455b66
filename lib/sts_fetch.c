/*++
 * NAME
 *	sts_fetch 3
 * SUMMARY
 *	fetch https://mta-sts.DOMAIN/.well-known/mta-sts.txt
 * SYNOPSIS
 *	#include "sts_fetch.h"
 *
 *	int	sts_fetch_fetch(const STSF_REQ *req, VSTR *body, VSTR *why)
 *
 *	void	sts_fetch_pin(VSTR *pin, const char *domain, const char *addrs)
 *
 *	void	sts_fetch_curl_why(VSTR *why, const char *text)
 * DESCRIPTION
 *	sts_fetch_fetch() retrieves the policy with libcurl: the host name
 *	mta-sts.DOMAIN is pinned to the addresses that our own resolver
 *	found (CURLOPT_RESOLVE; Debian's libcurl would otherwise use
 *	getaddrinfo() and bypass dns_resolver); only HTTPS; TLS 1.2 or
 *	newer; the certificate must be valid for mta-sts.DOMAIN against
 *	ca_file or the system CAs: ca_file replaces them (CURLOPT_CAINFO,
 *	and no CURLOPT_CAPATH directory: libcurl would otherwise still trust
 *	every CA in its built-in directory, /etc/ssl/certs on Debian, which
 *	an administrator pinning a private CA does not expect); no
 *	redirects; no proxy, whatever the
 *	environment says; status 200 only; Content-Type text/plain (with
 *	parameters such as charset); at most 64 KiB of body, also when the
 *	server sends more than it declared; the whole transfer within
 *	timeout_ms milliseconds (the caller passes what is left of the
 *	lookup's overall limit when that is less than mtasts_fetch_timeout).
 *
 *	libcurl is loaded with dlopen() on the first fetch: a helper that
 *	answers from the cache never maps it (it costs ~10 ms per spawned
 *	process).
 *
 *	sts_fetch_pin() writes the whole CURLOPT_RESOLVE entry for domain and
 *	the comma-separated address list, however long (it is never cut).
 *	sts_fetch_curl_why() appends libcurl's error text to why after
 *	log_safe(): it can quote a peer's certificate names, and why is
 *	logged and stored in the cache.
 * DIAGNOSTICS
 *	sts_fetch_fetch() returns 0 with the body, or -1 with a reason.
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
} sts_fetch_curl;

typedef struct STSF_SINK {
    VSTR   *body;
    int     overflow;
} STSF_SINK;

/* sts_fetch_sym - one symbol */
static void *sts_fetch_sym(void *lib, const char *name, int *missing)
{
    void   *sym = dlsym(lib, name);

    if (sym == 0)
	*missing = 1;
    return sym;
}

/* sts_fetch_load - dlopen libcurl once */
static int sts_fetch_load(VSTR *why)
{
    void   *lib;
    int     missing = 0;

    if (sts_fetch_curl.tried) {
	if (!sts_fetch_curl.ok)
	    vstr_printf(why, "libcurl is not available");
	return sts_fetch_curl.ok ? 0 : -1;
    }
    sts_fetch_curl.tried = 1;
    if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == 0) {
	vstr_printf(why, "cannot load libcurl: %s", dlerror());
	log_warn("%s", vstr_str(why));
	return -1;
    }
    *(void **) &sts_fetch_curl.init = sts_fetch_sym(lib, "curl_easy_init", &missing);
    *(void **) &sts_fetch_curl.setopt = sts_fetch_sym(lib, "curl_easy_setopt", &missing);
    *(void **) &sts_fetch_curl.perform = sts_fetch_sym(lib, "curl_easy_perform", &missing);
    *(void **) &sts_fetch_curl.getinfo = sts_fetch_sym(lib, "curl_easy_getinfo", &missing);
    *(void **) &sts_fetch_curl.cleanup = sts_fetch_sym(lib, "curl_easy_cleanup", &missing);
    *(void **) &sts_fetch_curl.slist_append = sts_fetch_sym(lib, "curl_slist_append", &missing);
    *(void **) &sts_fetch_curl.slist_free = sts_fetch_sym(lib, "curl_slist_free_all", &missing);
    *(void **) &sts_fetch_curl.strerror = sts_fetch_sym(lib, "curl_easy_strerror", &missing);
    *(void **) &sts_fetch_curl.global_init = sts_fetch_sym(lib, "curl_global_init", &missing);
    if (missing || sts_fetch_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
	vstr_printf(why, "libcurl cannot be initialized");
	log_warn("%s", vstr_str(why));
	return -1;
    }
    sts_fetch_curl.ok = 1;
    return 0;
}

/* sts_fetch_write - body callback, bounded */
static size_t sts_fetch_write(char *data, size_t size, size_t nmemb, void *ctx)
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

/* sts_fetch_options - everything RFC 8461 3.3 asks of the transfer */
static void sts_fetch_options(CURL *h, const STSF_REQ *req, const char *url,
			         struct curl_slist *resolve, STSF_SINK *sink,
			         char *errbuf)
{
    sts_fetch_curl.setopt(h, CURLOPT_URL, url);
    sts_fetch_curl.setopt(h, CURLOPT_RESOLVE, resolve);
    sts_fetch_curl.setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    sts_fetch_curl.setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    sts_fetch_curl.setopt(h, CURLOPT_PROXY, "");
    sts_fetch_curl.setopt(h, CURLOPT_NOPROXY, "*");
    sts_fetch_curl.setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
    sts_fetch_curl.setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    sts_fetch_curl.setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file && *req->ca_file) {	/* replaces the system CAs */
	sts_fetch_curl.setopt(h, CURLOPT_CAINFO, req->ca_file);
	sts_fetch_curl.setopt(h, CURLOPT_CAPATH, (char *) 0);
    }
    sts_fetch_curl.setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    sts_fetch_curl.setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
    sts_fetch_curl.setopt(h, CURLOPT_MAXFILESIZE, (long) STSP_MAX_BODY);
    sts_fetch_curl.setopt(h, CURLOPT_NOSIGNAL, 1L);
    sts_fetch_curl.setopt(h, CURLOPT_USERAGENT, "tlspolicyd");
    sts_fetch_curl.setopt(h, CURLOPT_WRITEFUNCTION, sts_fetch_write);
    sts_fetch_curl.setopt(h, CURLOPT_WRITEDATA, sink);
    sts_fetch_curl.setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* sts_fetch_text_plain - "text/plain" with optional parameters */
static int sts_fetch_text_plain(const char *ctype)
{
    size_t  n = strlen("text/plain");

    if (ctype == 0 || strncasecmp(ctype, "text/plain", n) != 0)
	return 0;
    return ctype[n] == 0 || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* sts_fetch_check - status and content type after a transfer */
static int sts_fetch_check(CURL *h, VSTR *why)
{
    long    status = 0;
    char   *ctype = 0;
    char    safe[LOG_SAFE_SIZE];

    sts_fetch_curl.getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    sts_fetch_curl.getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
    if (status != 200) {
	vstr_printf(why, "HTTP status %ld (only 200 is accepted)", status);
	return -1;
    }
    if (!sts_fetch_text_plain(ctype)) {
	vstr_printf(why, "Content-Type \"%s\" is not text/plain",
		    ctype ? log_safe(safe, sizeof(safe), ctype, strlen(ctype)) : "");
	return -1;
    }
    return 0;
}

/* sts_fetch_pin - the CURLOPT_RESOLVE entry "mta-sts.DOMAIN:443:ADDRS", whole */
void    sts_fetch_pin(VSTR *pin, const char *domain, const char *addrs)
{
    vstr_reset(pin);
    vstr_printf(pin, "mta-sts.%s:443:%s", domain, addrs);
}

/* sts_fetch_curl_why - libcurl's error text, made printable and bounded */
void    sts_fetch_curl_why(VSTR *why, const char *text)
{
    char    safe[LOG_SAFE_SIZE];

    vstr_addstr(why, log_safe(safe, sizeof(safe), text, strlen(text)));
}

/* sts_fetch_fetch - one policy */
int     sts_fetch_fetch(const STSF_REQ *req, VSTR *body, VSTR *why)
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
    if (sts_fetch_load(why) < 0)
	return -1;
    errbuf[0] = 0;
    if ((h = sts_fetch_curl.init()) == 0) {
	vstr_printf(why, "curl_easy_init failed");
	return -1;
    }
    url = vstr_new(300);
    vstr_printf(url, "https://mta-sts.%s/.well-known/mta-sts.txt", req->domain);
    pin = vstr_new(300);
    sts_fetch_pin(pin, req->domain, req->addrs);
    resolve = sts_fetch_curl.slist_append(0, vstr_str(pin));
    sts_fetch_options(h, req, vstr_str(url), resolve, &sink, errbuf);
    rc = sts_fetch_curl.perform(h);
    if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
	vstr_printf(why, "policy larger than %d bytes", STSP_MAX_BODY);
    else if (rc != CURLE_OK)
	sts_fetch_curl_why(why, *errbuf ? errbuf : sts_fetch_curl.strerror(rc));
    else
	ret = sts_fetch_check(h, why);
    sts_fetch_curl.slist_free(resolve);
    sts_fetch_curl.cleanup(h);
    vstr_free(pin);
    vstr_free(url);
    if (ret < 0)
	vstr_reset(body);
    return ret;
}
