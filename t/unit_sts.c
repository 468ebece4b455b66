/* unit_sts - MTA-STS policy text and TXT record parsers */
#include <string.h>

#include "sts_fetch.h"
#include "sts_policy.h"
#include "sts_txt.h"
#include "tap.h"

typedef struct {
    const char *body;
    int     ok;
    const char *reply;			/* sts_policy_reply() when ok */
    const char *why;			/* substring when not ok */
} POL_CASE;

static const POL_CASE policy_cases[] = {
    {"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n",
    1, "secure match=mx1.example.com:.example.net servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmx: MX1.Example.COM\nmax_age: 604800\n",
    1, "secure match=mx1.example.com servername=hostname", 0},
    {"version:STSv1\nmode:enforce\nmx:a.example\nmx:a.example\nmx: b.example\nmax_age:1",
    1, "secure match=a.example:b.example servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 10\nfoo: bar\n",
    1, "secure match=a.example servername=hostname", 0},
    {"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 10\n", 1,
    "secure match=a.example servername=hostname", 0},
    {"version: STSv1\nmode: none\nmax_age: 10\n", 1, "secure match= servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999\n", 0, 0, "bad max_age"},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -5\n", 0, 0, "bad max_age"},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: \n", 0, 0, "bad max_age"},
    {"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 5\n", 0, 0, "unsupported version"},
    {"mode: enforce\nmx: a.example\nmax_age: 5\n", 0, 0, "no version"},
    {"version: STSv1\nmx: a.example\nmax_age: 5\n", 0, 0, "no mode"},
    {"version: STSv1\nmode: enforce\nmx: a.example\n", 0, 0, "no max_age"},
    {"version: STSv1\nmode: enforce\nmax_age: 5\n", 0, 0, "without any mx"},
    {"version: STSv1\nmode: strict\nmx: a.example\nmax_age: 5\n", 0, 0, "bad mode"},
    {"version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: [192.0.2.1]\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.example servername=evil\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.example\tprotocols=x\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: match=a.example\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.example:25\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.ex\001ample\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: *\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: *.com.\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 5\n", 0, 0, "without any mx: bad mx pattern"},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 5\ngarbage line\n", 0, 0, "line without"},
    /* one bad mx line is ignored, the rest of the policy kept */
    {"version: STSv1\nmode: enforce\nmx: mx.example.\nmx: mx2.example\nmax_age: 5\n", 1,
    "secure match=mx2.example servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmx: *.example.net\nmax_age: 5\n", 1,
    "secure match=.example.net servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmx: a.example\nmx: b\xc3\xbc" "cher.example\nmax_age: 5\n", 1,
    "secure match=a.example servername=hostname", 0},
    {"version: STSv1\nmode: testing\nmx: a.example servername=evil\nmx: b.example\nmax_age: 5\n", 1,
    "secure match=b.example servername=hostname", 0},
    {"version: STSv1\nmode: enforce\nmx: mx.example.\nmx: [192.0.2.1]\nmax_age: 5\n", 0, 0,
    "mode enforce without any mx: bad mx pattern \"mx.example.\" ignored; bad mx pattern \"[192.0.2.1]\""},
    {"version: STSv1\nmode: testing\nmx: 192.0.2.1\nmax_age: 5\n", 0, 0, "mode testing without any mx"},
    {"version: STSv1\nmode: none\nmx: 192.0.2.1\nmax_age: 5\n", 1, "secure match= servername=hostname", 0},
    {"", 0, 0, "no version"},
};

/* policies - table of bodies */
static void policies(void)
{
    VSTR   *out = vstr_new(64);
    VSTR   *why = vstr_new(64);
    size_t  i;
    char    name[64];

    for (i = 0; i < sizeof(policy_cases) / sizeof(policy_cases[0]); i++) {
	const POL_CASE *c = policy_cases + i;
	STSP    pol;
	int     got;

	sts_policy_init(&pol);
	vstr_reset(why);
	got = sts_policy_parse(c->body, strlen(c->body), &pol, why);
	snprintf(name, sizeof(name), "policy case %zu %s", i, c->ok ? "parses" : "rejected");
	if (!tap_is_int(got == 0, c->ok, name))
	    printf("#   why: %s\n", vstr_str(why));
	if (c->ok && got == 0) {
	    sts_policy_reply(&pol, out);
	    tap_is_str(vstr_str(out), c->reply, "reply text");
	} else if (!c->ok) {
	    if (!tap_ok(strstr(vstr_str(why), c->why) != 0, c->why))
		printf("#   why: %s\n", vstr_str(why));
	}
	sts_policy_free(&pol);
    }
    vstr_free(out);
    vstr_free(why);
}

/* details - clamping, TLSRPT attributes, size limit */
static void details(void)
{
    static const char body[] = "version: STSv1\nmode: enforce\nmx: mx.example.com\n"
	"mx: *.example.net\nmax_age: 31557601\n";
    VSTR   *out = vstr_new(64);
    VSTR   *why = vstr_new(64);
    static char big[STSP_MAX_BODY + 2];
    static const char bad_mx[] = "version: STSv1\nmode: enforce\nmx: mx1.example.com.\n"
	"mx: mx2.example.com\nmx: b\xc3\xbc" "cher.example\nmax_age: 86400\n";
    STSP    pol;

    sts_policy_init(&pol);
    tap_is_int(sts_policy_parse(body, strlen(body), &pol, why), 0, "max_age above limit parses");
    tap_is_int(pol.max_age, STSP_MAX_AGE, "max_age clamped to 31557600");
    tap_is_int(pol.clamped, 1, "clamping noted");
    tap_is_int(pol.mode, STSP_ENFORCE, "mode");
    sts_policy_reply(&pol, out);
    sts_policy_tlsrpt(&pol, "example.com", out);
    tap_is_str(vstr_str(out), "secure match=mx.example.com:.example.net servername=hostname"
	       " policy_type=sts policy_domain=example.com"
	       " mx_host_pattern=mx.example.com mx_host_pattern=*.example.net"
	       " { policy_string = version: STSv1 } { policy_string = mode: enforce }"
	       " { policy_string = mx: mx.example.com } { policy_string = mx: *.example.net }"
	       " { policy_string = max_age: 31557601 }", "TLSRPT attributes");
    sts_policy_free(&pol);
    memset(big, '\n', sizeof(big) - 1);
    sts_policy_init(&pol);
    tap_is_int(sts_policy_parse(big, STSP_MAX_BODY + 1, &pol, why), -1, "65537-byte body rejected");
    sts_policy_free(&pol);
    sts_policy_init(&pol);
    tap_is_int(sts_policy_parse("version: STSv1\0", 15, &pol, why), -1, "NUL rejected");
    sts_policy_free(&pol);
    sts_policy_init(&pol);
    tap_is_int(sts_policy_parse(bad_mx, strlen(bad_mx), &pol, why), 0, "policy with bad mx lines parses");
    tap_is_int(pol.nbad, 2, "two mx values ignored");
    tap_is_str(vstr_str(pol.ignored), "bad mx pattern \"mx1.example.com.\" ignored;"
	       " bad mx pattern \"b\\xc3\\xbccher.example\" ignored", "ignored values, printable");
    vstr_reset(out);
    sts_policy_tlsrpt(&pol, "example.com", out);
    tap_ok(strstr(vstr_str(out), "mx1.example.com.") == 0 && strstr(vstr_str(out), "cher") == 0,
	   "ignored mx values stay out of the TLSRPT policy_string");
    sts_policy_free(&pol);
    vstr_free(out);
    vstr_free(why);
}

typedef struct {
    const char *recs[4];
    STSTXT_STATUS want;
    const char *id;
} TXT_CASE;

static const TXT_CASE txt_cases[] = {
    {{"v=STSv1; id=20160831085700Z;", 0}, STSTXT_OK, "20160831085700Z"},
    {{"v=STSv1;id=abc", 0}, STSTXT_OK, "abc"},
    {{"v=spf1 -all", "v=STSv1; id=x1", 0}, STSTXT_OK, "x1"},
    {{"v=STSv1; id=a; ext_1=val", 0}, STSTXT_OK, "a"},
    {{"v=spf1 -all", 0}, STSTXT_NONE, 0},
    {{0}, STSTXT_NONE, 0},
    {{"v=STSv1; id=a", "v=STSv1; id=b", 0}, STSTXT_MULTIPLE, 0},
    {{"v=STSv1;", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=has-dash", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=123456789012345678901234567890123", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=a; id=b", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=a;; x=y", 0}, STSTXT_INVALID, 0},
    {{"v=STSv1; id=a; bad name=x", 0}, STSTXT_INVALID, 0},
    {{"v=STSv10; id=a", 0}, STSTXT_NONE, 0},
    {{"V=STSv1; id=a", 0}, STSTXT_NONE, 0},
    /* RFC 8461 3.1: records not beginning with "v=STSv1;" are discarded */
    {{"v=STSv1 id=abc", 0}, STSTXT_NONE, 0},
    {{"v=STSv1", 0}, STSTXT_NONE, 0},
    {{"v=STSv1\tid=abc;", 0}, STSTXT_NONE, 0},
    {{"v=STSv1 id=a", "v=STSv1; id=b", 0}, STSTXT_OK, "b"},
    {{"v=STSv1 ; id=c", 0}, STSTXT_OK, "c"},
};

/* txt_records - selection and parsing */
static void txt_records(void)
{
    VSTR   *why = vstr_new(64);
    size_t  i;
    char    id[STSTXT_MAX_ID + 1];
    char    name[64];

    for (i = 0; i < sizeof(txt_cases) / sizeof(txt_cases[0]); i++) {
	const TXT_CASE *c = txt_cases + i;
	size_t  lens[4];
	int     n;
	STSTXT_STATUS got;

	for (n = 0; n < 4 && c->recs[n]; n++)
	    lens[n] = strlen(c->recs[n]);
	vstr_reset(why);
	got = sts_txt_select(c->recs, lens, n, id, why);
	snprintf(name, sizeof(name), "TXT case %zu", i);
	if (!tap_is_int(got, c->want, name))
	    printf("#   why: %s\n", vstr_str(why));
	if (c->want == STSTXT_OK)
	    tap_is_str(id, c->id, "id");
    }
    vstr_free(why);
}

/* fetch_text - the pin is never cut; libcurl's words are made safe */
static void fetch_text(void)
{
    VSTR   *pin = vstr_new(16);
    VSTR   *addrs = vstr_new(16);
    VSTR   *why = vstr_new(16);
    size_t  i;
    const char *p;

    for (i = 0; i < 60; i++)
	vstr_printf(addrs, "%s[2001:db8:ffff:ffff:ffff:ffff:ffff:%zx]", i ? "," : "", i);
    sts_fetch_pin(pin, "example.com", vstr_str(addrs));
    tap_ok(vstr_len(addrs) > 600, "address list longer than 600 bytes");
    tap_is_int((long long) vstr_len(pin), (long long) (strlen("mta-sts.example.com:443:")
						       + vstr_len(addrs)),
	       "CURLOPT_RESOLVE pin keeps every address");
    tap_ok(strcmp(vstr_str(pin) + vstr_len(pin) - 4, ":3b]") == 0, "last address intact");
    sts_fetch_curl_why(why, "SSL: no alternative certificate subject name matches"
		  " 'x\nJan  1 00:00:00 host tlspolicyd[1]: forged\r\033[2J'");
    for (p = vstr_str(why); *p; p++)
	if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f)
	    break;
    tap_ok(*p == 0, "libcurl error text: no control bytes reach log or cache");
    tap_ok(strstr(vstr_str(why), "\\x0a") != 0 || strstr(vstr_str(why), "\\n") != 0,
	   "newline shown escaped");
    vstr_free(pin);
    vstr_free(addrs);
    vstr_free(why);
}

int     main(void)
{
    fetch_text();
    policies();
    details();
    txt_records();
    return tap_done();
}
