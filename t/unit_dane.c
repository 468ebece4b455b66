/* unit_dane - TLSA usability and the DANE decision table */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dane_verdict.h"
#include "decide.h"
#include "tap.h"
#include "tlsa.h"

/* tlsa_cases - RFC 7672 3.1 usability */
static void tlsa_cases(void)
{
    unsigned char d32[32] = {1}, d64[64] = {2}, d20[20] = {3};
    unsigned char der[512];
    unsigned char *p = der;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(0, 0, "EC", "P-256");
    int     len = i2d_PUBKEY(key, &p);

    tap_is_int(tlsa_usable(3, 1, 1, d32, 32), TLSA_USABLE, "3 1 1 sha256");
    tap_is_int(tlsa_usable(2, 0, 2, d64, 64), TLSA_USABLE, "2 0 2 sha512");
    tap_is_int(tlsa_usable(1, 1, 1, d32, 32), TLSA_BAD_USAGE, "PKIX-EE unusable");
    tap_is_int(tlsa_usable(0, 0, 1, d32, 32), TLSA_BAD_USAGE, "PKIX-TA unusable");
    tap_is_int(tlsa_usable(4, 1, 1, d32, 32), TLSA_BAD_USAGE, "usage 4 unusable");
    tap_is_int(tlsa_usable(3, 2, 1, d32, 32), TLSA_BAD_SELECTOR, "selector 2");
    tap_is_int(tlsa_usable(3, 1, 1, d20, 20), TLSA_BAD_LENGTH, "sha256 with 20 bytes");
    tap_is_int(tlsa_usable(3, 1, 2, d32, 32), TLSA_BAD_LENGTH, "sha512 with 32 bytes");
    tap_is_int(tlsa_usable(3, 1, 7, d32, 32), TLSA_BAD_MTYPE, "matching type 7");
    tap_ok(len > 0, "made a DER SubjectPublicKeyInfo");
    tap_is_int(tlsa_usable(3, 1, 0, der, (size_t) len), TLSA_USABLE, "3 1 0 with real SPKI");
    tap_is_int(tlsa_usable(3, 1, 0, der, (size_t) len - 1), TLSA_BAD_DER, "truncated SPKI");
    der[len] = 0;
    tap_is_int(tlsa_usable(3, 1, 0, der, (size_t) len + 1), TLSA_BAD_DER, "SPKI with trailing byte");
    tap_is_int(tlsa_usable(3, 0, 0, der, (size_t) len), TLSA_BAD_DER, "SPKI is no certificate");
    tap_is_int(tlsa_usable(3, 1, 0, d32, 32), TLSA_BAD_DER, "junk as SPKI");
    tap_is_int(tlsa_usable(3, 1, 0, d32, 0), TLSA_BAD_DER, "empty data");
    EVP_PKEY_free(key);
}

typedef struct {
    const char *name;
    DV_FACTS f;
    DV_VERDICT want;
    int     cacheable;
} DV_CASE;

/* name, addr, addr_secure, alias, tlsa, tlsa_secure, total, usable */
#define H_OK(n)		{n, DV_ST_OK, 1, 0, DV_ST_OK, 1, 1, 1}
#define H_NOTLSA(n)	{n, DV_ST_OK, 1, 0, DV_ST_NODATA, 1, 0, 0}
#define H_UNUSABLE(n)	{n, DV_ST_OK, 1, 0, DV_ST_OK, 1, 2, 0}
#define H_MIXED(n)	{n, DV_ST_OK, 1, 0, DV_ST_OK, 1, 3, 1}
#define H_INSEC_ADDR(n)	{n, DV_ST_OK, 0, 0, DV_ST_OK, 1, 1, 1}
#define H_INSEC_TLSA(n)	{n, DV_ST_OK, 1, 0, DV_ST_OK, 0, 1, 1}
#define H_ADDR_FAIL(n)	{n, DV_ST_FAIL, 0, 0, DV_ST_FAIL, 0, 0, 0}
#define H_ADDR_FAIL_NOTLSA(n) {n, DV_ST_FAIL, 0, 0, DV_ST_NODATA, 1, 0, 0}
#define H_ADDR_FAIL_TLSA(n) {n, DV_ST_FAIL, 0, 0, DV_ST_OK, 1, 1, 1}
#define H_TLSA_FAIL(n)	{n, DV_ST_OK, 1, 0, DV_ST_FAIL, 0, 0, 0}
#define H_INSEC_FAIL(n)	{n, DV_ST_OK, 0, 0, DV_ST_FAIL, 0, 0, 0}
#define H_INSEC_SKIP(n)	{n, DV_ST_OK, 0, 0, DV_ST_SKIPPED, 0, 0, 0}
#define H_NOADDR(n)	{n, DV_ST_NXDOMAIN, 1, 0, DV_ST_NODATA, 1, 0, 0}
#define H_ALIAS_INSEC(n) {n, DV_ST_OK, 0, 1, DV_ST_OK, 1, 1, 1}
#define H_ALIAS_INSEC_NOTLSA(n) {n, DV_ST_OK, 0, 1, DV_ST_NODATA, 1, 0, 0}

static const DV_CASE cases[] = {
    {"all hosts usable", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_OK("b")}}, DV_DANE_ONLY, 1},
    {"implicit MX usable", {DV_ST_NODATA, 1, 0, 0, 1, {H_OK("d")}}, DV_DANE_ONLY, 1},
    {"MX lookup failed", {DV_ST_FAIL, 0, 0, 0, 0, {H_OK("a")}}, DV_TEMP, 0},
    {"NXDOMAIN", {DV_ST_NXDOMAIN, 1, 0, 0, 0, {H_OK("a")}}, DV_NONE, 1},
    {"null MX", {DV_ST_OK, 1, 1, 0, 0, {H_OK("a")}}, DV_NOPOLICY, 1},
    {"insecure null MX is no proof", {DV_ST_OK, 0, 1, 0, 0, {H_OK("a")}}, DV_NONE, 1},
    {"no TLSA anywhere", {DV_ST_OK, 1, 0, 0, 2, {H_NOTLSA("a"), H_NOTLSA("b")}}, DV_NONE, 1},
    {"insecure MX, usable TLSA (issue 10 case 3)", {DV_ST_OK, 0, 0, 0, 1, {H_OK("a")}}, DV_DANE_INSECURE_MX, 1},
    {"insecure MX, no TLSA", {DV_ST_OK, 0, 0, 0, 1, {H_NOTLSA("a")}}, DV_NONE, 1},
    {"insecure MX, TLSA failed", {DV_ST_OK, 0, 0, 0, 1, {H_TLSA_FAIL("a")}}, DV_DANE_INSECURE_MX, 0},
    {"mixed hosts", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_NOTLSA("b")}}, DV_DANE_SOME, 1},
    {"unusable only (issue 10 case 4)", {DV_ST_OK, 1, 0, 0, 1, {H_UNUSABLE("a")}}, DV_DANE_UNUSABLE, 1},
    {"usable + unusable records", {DV_ST_OK, 1, 0, 0, 1, {H_MIXED("a")}}, DV_DANE_ONLY, 1},
    {"usable host + unusable host", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_UNUSABLE("b")}}, DV_DANE_SOME, 1},
    {"insecure address: host does not count", {DV_ST_OK, 1, 0, 0, 1, {H_INSEC_ADDR("a")}}, DV_NONE, 1},
    {"insecure address + usable host", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_INSEC_ADDR("b")}}, DV_DANE_SOME, 1},
    {"insecure TLSA answer", {DV_ST_OK, 1, 0, 0, 1, {H_INSEC_TLSA("a")}}, DV_NONE, 1},
    {"address and TLSA failed, usable host (issue 10 case 1)", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_ADDR_FAIL("b")}}, DV_DANE_SOME, 0},
    {"address and TLSA failed, no TLSA elsewhere", {DV_ST_OK, 1, 0, 0, 2, {H_NOTLSA("a"), H_ADDR_FAIL("b")}}, DV_HOST_FAIL, 0},
    {"address failed, TLSA proven absent", {DV_ST_OK, 1, 0, 0, 2, {H_NOTLSA("a"), H_ADDR_FAIL_NOTLSA("b")}}, DV_NONE, 1},
    {"address failed, usable TLSA", {DV_ST_OK, 1, 0, 0, 1, {H_ADDR_FAIL_TLSA("b")}}, DV_DANE_ONLY, 1},
    {"TLSA lookup failed", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_TLSA_FAIL("b")}}, DV_DANE_SOME, 0},
    {"TLSA failed, only host", {DV_ST_OK, 1, 0, 0, 1, {H_TLSA_FAIL("a")}}, DV_HOST_FAIL, 0},
    {"TLSA failed on insecure host: ignored", {DV_ST_OK, 1, 0, 0, 1, {H_INSEC_FAIL("a")}}, DV_NONE, 1},
    {"TLSA not waited for on insecure host (issue 10 case 10)", {DV_ST_OK, 1, 0, 0, 1, {H_INSEC_SKIP("a")}}, DV_NONE, 1},
    {"host without address", {DV_ST_OK, 1, 0, 0, 2, {H_OK("a"), H_NOADDR("b")}}, DV_DANE_SOME, 1},
    {"no hosts at all", {DV_ST_OK, 1, 0, 0, 0, {H_OK("a")}}, DV_NONE, 1},
    {"secure CNAME into unsigned zone, TLSA at the original (issue 10 case 6)", {DV_ST_OK, 1, 0, 0, 1, {H_ALIAS_INSEC("a")}}, DV_DANE_ONLY, 1},
    {"insecure alias without TLSA", {DV_ST_OK, 1, 0, 0, 1, {H_ALIAS_INSEC_NOTLSA("a")}}, DV_NONE, 1},
    {"more hosts than examined: never dane-only", {DV_ST_OK, 1, 0, 1, 1, {H_OK("a")}}, DV_DANE_SOME, 1},
};

/* decide_cases - the combined answer: every verdict, with and without
 * an enforce policy (DESIGN.md section 6) */
static void decide_cases(void)
{
    static const struct {
	DV_VERDICT dane;
	int     sts;
	const char *rule;
	DECIDE_ANSWER answer;
    } t[] = {
	{DV_TEMP, 0, "dane-temp", DECIDE_TEMP},
	{DV_TEMP, 1, "dane-temp", DECIDE_TEMP},
	{DV_NOPOLICY, 0, "null-mx", DECIDE_NOTFOUND},
	{DV_NOPOLICY, 1, "null-mx", DECIDE_NOTFOUND},
	{DV_DANE_ONLY, 0, "dane-only", DECIDE_DANE_ONLY},
	{DV_DANE_ONLY, 1, "dane-only", DECIDE_DANE_ONLY},
	{DV_DANE_SOME, 0, "dane", DECIDE_DANE},
	{DV_DANE_SOME, 1, "sts-dane-some", DECIDE_DANE_ONLY},
	{DV_HOST_FAIL, 0, "dane", DECIDE_DANE},
	{DV_HOST_FAIL, 1, "sts-missing-dane", DECIDE_TEMP},
	{DV_DANE_UNUSABLE, 0, "dane", DECIDE_DANE},
	{DV_DANE_UNUSABLE, 1, "sts-enforce", DECIDE_SECURE},
	{DV_DANE_INSECURE_MX, 0, "dane", DECIDE_DANE},
	{DV_DANE_INSECURE_MX, 1, "sts-enforce", DECIDE_SECURE},
	{DV_NONE, 0, "none", DECIDE_NOTFOUND},
	{DV_NONE, 1, "sts-enforce", DECIDE_SECURE},
	/* an enforce policy cached but unreadable: never weaker than with it */
	{DV_TEMP, 2, "dane-temp", DECIDE_TEMP},
	{DV_NOPOLICY, 2, "null-mx", DECIDE_NOTFOUND},
	{DV_DANE_ONLY, 2, "dane-only", DECIDE_DANE_ONLY},
	{DV_DANE_SOME, 2, "sts-dane-some", DECIDE_DANE_ONLY},
	{DV_HOST_FAIL, 2, "sts-missing-dane", DECIDE_TEMP},
	{DV_DANE_UNUSABLE, 2, "sts-unusable", DECIDE_TEMP},
	{DV_DANE_INSECURE_MX, 2, "sts-unusable", DECIDE_TEMP},
	{DV_NONE, 2, "sts-unusable", DECIDE_TEMP},
    };
    size_t  i;
    int     n;
    int     never_dane_with_sts = 1;
    char    name[128];

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
	const DECIDE_RULE *r = decide_answer(t[i].dane, t[i].sts);

	(void) snprintf(name, sizeof(name), "%s %s enforce policy -> %s",
			dane_verdict_verdict_name(t[i].dane), t[i].sts == 2 ?
			"with an unreadable" : t[i].sts ? "with" : "without",
			decide_answer_name(t[i].answer));
	tap_is_str(r->name, t[i].rule, name);
	tap_is_str(decide_answer_name(r->answer), decide_answer_name(t[i].answer), "answer");
	tap_ok(decide_needs_sts(t[i].dane) || decide_answer(t[i].dane, t[i].sts ? 0 : 1) == r,
	       "no MTA-STS lookup only where it cannot change the answer");
	if (t[i].sts && (r->answer == DECIDE_DANE || r->answer == DECIDE_NOTFOUND)
	    && t[i].dane != DV_NOPOLICY)
	    never_dane_with_sts = 0;
    }
    tap_ok(never_dane_with_sts, "an enforce policy never gives dane or not found");
    tap_ok(decide_rules(&n) != 0 && n == 9, "nine rules");
}

int     main(void)
{
    VSTR   *why = vstr_new(64);
    DV_VERDICT v;
    size_t  i;
    int     cacheable;

    tlsa_cases();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	DV_VERDICT got = dane_verdict_decide(&cases[i].f, why, &cacheable);

	if (!tap_is_str(dane_verdict_verdict_name(got), dane_verdict_verdict_name(cases[i].want), cases[i].name))
	    printf("#   why: %s\n", vstr_str(why));
	tap_is_int(cacheable, cases[i].cacheable, "cacheable");
    }
    decide_cases();
    tap_ok(dane_verdict_verdict_from_name("dane-only", &v) == 0 && v == DV_DANE_ONLY, "name round trip");
    tap_ok(dane_verdict_verdict_from_name("dane-insecure-mx", &v) == 0 && v == DV_DANE_INSECURE_MX,
	   "name round trip: dane-insecure-mx");
    tap_is_int(dane_verdict_verdict_from_name("bogus", &v), -1, "unknown name");
    tap_is_int(dane_verdict_verdict_from_name("temp", &v), -1, "temp is never read back");
    tap_is_int(dane_verdict_verdict_from_name("host-fail", &v), -1, "host-fail is never read back");
    tap_is_int(dane_verdict_verdict_from_name("dane", &v), -1, "an older release's \"dane\" is a miss");
    tap_is_int(dane_verdict_verdict_from_name(0, &v), -1, "NULL name");
    vstr_free(why);
    return tap_done();
}
