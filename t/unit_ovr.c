/* unit_ovr - policy override table */
#include <string.h>

#include "ovr.h"
#include "fuzz/pfsplit.h"
#include "tap.h"
#include "vstr.h"

static const char table[] =
    "# overrides\n"
    "partner.example      encrypt\n"
    "legacy.example       may\n"
    "Strict.Example.      secure match=mx.strict.example:.strict.example\n"
    "    servername=hostname\n"
    ".example.com         dane-only\n"
    "deep.example.com     none\n"
    ".com                 may\n"
    "fp.example           fingerprint match=3D:FA:00 protocols=>=TLSv1.2\n";

typedef struct {
    const char *domain;
    const char *policy;
} LOOKUP_CASE;

static const LOOKUP_CASE lookups[] = {
    {"partner.example", "encrypt"},
    {"legacy.example", "may"},
    {"strict.example", "secure match=mx.strict.example:.strict.example servername=hostname"},
    {"mx.example.com", "dane-only"},
    {"a.b.example.com", "dane-only"},
    {"deep.example.com", "none"},
    {"x.deep.example.com", "dane-only"},
    {"example.com", "may"},
    {"other.com", "may"},
    {"other.example", 0},
    {"sub.partner.example", 0},
    {"fp.example", "fingerprint match=3D:FA:00 protocols=>=TLSv1.2"},
};

typedef struct {
    const char *text;
    const char *err;
} BAD_CASE;

static const BAD_CASE bad[] = {
    {"a.example encrypted\n", "line 1: unknown policy \"encrypted\""},
    {"a.example\n", "line 1: expected \"domain policy"},
    {"\n\nbad_domain.example may\n", "line 3: \"bad_domain.example\" is not a domain"},
    {"192.0.2.1 may\n", "is not a domain"},
    {"a.example may foo=bar\n", "bad attribute \"foo=bar\""},
    {"a.example may match=\n", "bad attribute \"match=\""},
    {"a.example may\nb.example encrypt\na.example none\n",
    "line 3: duplicate entry for a.example (first at line 1)"},
    {"  a.example may\n", "line 1: continuation line"},
    {"partner.example encrypt match=x.example,tafile=/tmp/evil.pem,protocols=TLSv1\n",
    "line 1: \"match=x.example,tafile=/tmp/evil.pem,protocols=TLSv1\": Postfix splits"},
    {"a.example\tencrypt,tafile=/x\n", "line 1: \"encrypt,tafile=/x\": Postfix splits"},
    {"# c\na.example secure {tafile=/x}\n", "line 2: \"{tafile=/x}\": Postfix splits"},
    {"a.example secure match=a{b\n  tafile=/x}\n", "line 1: \"match=a{b\": Postfix splits"},
    {"a.example secure match=}\n", "line 1: \"match=}\": Postfix splits"},
    {"a.example secure { match=x }\n", "line 1: \"{\": Postfix splits"},
};

typedef struct {
    const char *text;
    int     ok;
} SPLIT_CASE;

/* What Postfix would read must be exactly the words the table checked */
static const SPLIT_CASE splits[] = {
    {"encrypt", 1},
    {"secure match=a:b servername=hostname", 1},
    {"encrypt match=x,tafile=/y", 0},
    {"encrypt,tafile=/y", 0},
    {"encrypt  match=x", 0},
    {" encrypt", 0},
    {"encrypt ", 0},
    {"encrypt\tmatch=x", 0},
    {"secure {tafile=/x}", 0},
    {"secure match=a{b tafile=/x}", 0},
    {"secure foo=bar", 0},
    {"bogus", 0},
    {"", 0},
};

/* postfix_split - ovr_postfix_ok() against the test's own Postfix reader */
static void postfix_split(void)
{
    size_t  i;

    for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
	tap_is_int(ovr_postfix_ok(splits[i].text), splits[i].ok, splits[i].text);
	if (splits[i].ok)
	    tap_is_int(pf_split(splits[i].text), pf_words(splits[i].text),
		       "Postfix reads the same attributes");
    }
    tap_is_int(pf_split("encrypt match=x,tafile=/y"), 2,
	       "the test's reader splits at ',' as Postfix does");
    tap_is_int(pf_split("secure { match = a b }"), 1,
	       "the test's reader groups braces as Postfix does");
    tap_is_int(pf_split("secure { policy_string = x }"), -1,
	       "the test's reader flags attributes off the list");
}

int     main(void)
{
    VSTR   *err = vstr_new(64);
    OVR    *ovr = ovr_load_buf("ovr", table, strlen(table), err);
    const char *matched;
    size_t  i;

    if (!tap_ok(ovr != 0, "table loads"))
	printf("#   %s\n", vstr_str(err));
    tap_is_int((long long) ovr_count(ovr), 7, "entry count");
    for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
	const char *pol = ovr_lookup(ovr, lookups[i].domain, &matched);

	tap_is_str(pol, lookups[i].policy, lookups[i].domain);
	if (pol)
	    tap_is_int(pf_split(pol), pf_words(pol),
		       "split as Postfix does: the same allowed attributes");
    }
    ovr_lookup(ovr, "a.b.example.com", &matched);
    tap_is_str(matched, ".example.com", "matched key reported");
    ovr_free(ovr);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	vstr_reset(err);
	ovr = ovr_load_buf("bad.ovr", bad[i].text, strlen(bad[i].text), err);
	tap_ok(ovr == 0, "bad table rejected");
	if (!tap_ok(strstr(vstr_str(err), bad[i].err) != 0
		    && strncmp(vstr_str(err), "bad.ovr", 7) == 0,
		    bad[i].err))
	    printf("#   error: %s\n", vstr_str(err));
	ovr_free(ovr);
    }
    tap_ok(ovr_lookup(0, "x.example", &matched) == 0, "no table: no match");
    vstr_free(err);
    postfix_split();
    return tap_done();
}
