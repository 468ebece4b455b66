/* unit_dane - TLSA usability and the DANE decision table */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dane_verdict.h"
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

#define H_OK(n)		{n, DV_ST_OK, 1, DV_ST_OK, 1, 1, 1}
#define H_NOTLSA(n)	{n, DV_ST_OK, 1, DV_ST_NODATA, 1, 0, 0}
#define H_UNUSABLE(n)	{n, DV_ST_OK, 1, DV_ST_OK, 1, 2, 0}
#define H_MIXED(n)	{n, DV_ST_OK, 1, DV_ST_OK, 1, 3, 1}
#define H_INSEC_ADDR(n)	{n, DV_ST_OK, 0, DV_ST_OK, 1, 1, 1}
#define H_INSEC_TLSA(n)	{n, DV_ST_OK, 1, DV_ST_OK, 0, 1, 1}
#define H_ADDR_FAIL(n)	{n, DV_ST_FAIL, 0, DV_ST_NODATA, 0, 0, 0}
#define H_TLSA_FAIL(n)	{n, DV_ST_OK, 1, DV_ST_FAIL, 0, 0, 0}
#define H_INSEC_FAIL(n)	{n, DV_ST_OK, 0, DV_ST_FAIL, 0, 0, 0}
#define H_NOADDR(n)	{n, DV_ST_NXDOMAIN, 1, DV_ST_NODATA, 1, 0, 0}

static const DV_CASE cases[] = {
    {"all hosts usable", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_OK("b")}}, DV_DANE_ONLY, 1},
    {"implicit MX usable", {DV_ST_NODATA, 1, 0, 1, {H_OK("d")}}, DV_DANE_ONLY, 1},
    {"MX lookup failed", {DV_ST_FAIL, 0, 0, 0, {H_OK("a")}}, DV_TEMP, 0},
    {"NXDOMAIN", {DV_ST_NXDOMAIN, 1, 0, 0, {H_OK("a")}}, DV_NONE, 1},
    {"null MX", {DV_ST_OK, 1, 1, 0, {H_OK("a")}}, DV_NOPOLICY, 1},
    {"no TLSA anywhere", {DV_ST_OK, 1, 0, 2, {H_NOTLSA("a"), H_NOTLSA("b")}}, DV_NONE, 1},
    {"insecure MX, usable TLSA", {DV_ST_OK, 0, 0, 1, {H_OK("a")}}, DV_DANE, 1},
    {"insecure MX, no TLSA", {DV_ST_OK, 0, 0, 1, {H_NOTLSA("a")}}, DV_NONE, 1},
    {"mixed hosts", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_NOTLSA("b")}}, DV_DANE, 1},
    {"unusable only", {DV_ST_OK, 1, 0, 1, {H_UNUSABLE("a")}}, DV_DANE, 1},
    {"usable + unusable records", {DV_ST_OK, 1, 0, 1, {H_MIXED("a")}}, DV_DANE_ONLY, 1},
    {"usable host + unusable host", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_UNUSABLE("b")}}, DV_DANE, 1},
    {"insecure address: host does not count", {DV_ST_OK, 1, 0, 1, {H_INSEC_ADDR("a")}}, DV_NONE, 1},
    {"insecure address + usable host", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_INSEC_ADDR("b")}}, DV_DANE, 1},
    {"insecure TLSA answer", {DV_ST_OK, 1, 0, 1, {H_INSEC_TLSA("a")}}, DV_NONE, 1},
    {"address lookup failed", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_ADDR_FAIL("b")}}, DV_DANE, 0},
    {"TLSA lookup failed", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_TLSA_FAIL("b")}}, DV_DANE, 0},
    {"TLSA failed, only host", {DV_ST_OK, 1, 0, 1, {H_TLSA_FAIL("a")}}, DV_DANE, 0},
    {"TLSA failed on insecure host: ignored", {DV_ST_OK, 1, 0, 1, {H_INSEC_FAIL("a")}}, DV_NONE, 1},
    {"host without address", {DV_ST_OK, 1, 0, 2, {H_OK("a"), H_NOADDR("b")}}, DV_DANE, 1},
    {"no hosts at all", {DV_ST_OK, 1, 0, 0, {H_OK("a")}}, DV_NONE, 1},
};

int     main(void)
{
    VSTR   *why = vstr_new(64);
    DV_VERDICT v;
    size_t  i;
    int     cacheable;

    tlsa_cases();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	DV_VERDICT got = dv_decide(&cases[i].f, why, &cacheable);

	if (!tap_is_str(dv_verdict_name(got), dv_verdict_name(cases[i].want), cases[i].name))
	    printf("#   why: %s\n", vstr_str(why));
	tap_is_int(cacheable, cases[i].cacheable, "cacheable");
    }
    tap_ok(dv_verdict_from_name("dane-only", &v) == 0 && v == DV_DANE_ONLY, "name round trip");
    tap_is_int(dv_verdict_from_name("bogus", &v), -1, "unknown name");
    vstr_free(why);
    return tap_done();
}
