/* unit_key - table-driven tests of the lookup key gates */
#include <string.h>

#include "key.h"
#include "tap.h"

typedef struct {
    const char *raw;
    size_t  len;			/* 0: strlen(raw) */
    KEY_GATE want;
    const char *norm;			/* for KEY_OK */
    int     port;			/* for KEY_OK */
} KEY_CASE;

static const KEY_CASE cases[] = {
    {"example.com", 0, KEY_OK, "example.com", 0},
    {"Mixed.CASE.example", 0, KEY_OK, "mixed.case.example", 0},
    {"example.com.", 0, KEY_OK, "example.com", 0},
    {"example.com..", 0, KEY_NOT_LDH, 0, 0},
    {"localhost", 0, KEY_OK, "localhost", 0},
    {"xn--bcher-kva.example", 0, KEY_OK, "xn--bcher-kva.example", 0},
    {"", 0, KEY_EMPTY, 0, 0},
    {".example.com", 0, KEY_PARENT_WALK, 0, 0},
    {".com", 0, KEY_PARENT_WALK, 0, 0},
    {".", 0, KEY_PARENT_WALK, 0, 0},
    {"[mx.example.com]", 0, KEY_BRACKETED, 0, 0},
    {"[mx.example.com]:587", 0, KEY_BRACKETED, 0, 0},
    {"[192.0.2.1]", 0, KEY_BRACKETED, 0, 0},
    {"192.0.2.1", 0, KEY_IP_LITERAL, 0, 0},
    {"2001:db8::1", 0, KEY_IP_LITERAL, 0, 0},
    {"::ffff:192.0.2.1", 0, KEY_IP_LITERAL, 0, 0},
    {"1.2.3.999", 0, KEY_NOT_LDH, 0, 0},
    {"example.123", 0, KEY_NOT_LDH, 0, 0},
    {"123.example", 0, KEY_OK, "123.example", 0},
    {"a_b.example", 0, KEY_NOT_LDH, 0, 0},
    {"-a.example", 0, KEY_NOT_LDH, 0, 0},
    {"a-.example", 0, KEY_NOT_LDH, 0, 0},
    {"a..example", 0, KEY_NOT_LDH, 0, 0},
    {"mx.example.com:25", 0, KEY_OK, "mx.example.com", 25},
    {"Enc.Example:2525", 0, KEY_OK, "enc.example", 2525},
    {"enc.example.:2525", 0, KEY_OK, "enc.example", 2525},
    {"enc.example:0", 0, KEY_NOT_LDH, 0, 0},
    {"enc.example:65536", 0, KEY_NOT_LDH, 0, 0},
    {"enc.example:000025", 0, KEY_NOT_LDH, 0, 0},
    {"enc.example:", 0, KEY_NOT_LDH, 0, 0},
    {"enc.example:25:25", 0, KEY_NOT_LDH, 0, 0},
    {"enc.example:smtp", 0, KEY_NOT_LDH, 0, 0},
    {":25", 0, KEY_NOT_LDH, 0, 0},
    {"user@example.com", 0, KEY_NOT_LDH, 0, 0},
    {"exa mple.com", 0, KEY_BINARY, 0, 0},
    {"exa\tmple.com", 0, KEY_BINARY, 0, 0},
    {"exa\x01mple.com", 0, KEY_BINARY, 0, 0},
    /* UTF-8 keys (Postfix with smtputf8_enable): A-labels, UTS #46 non-transitional */
    {"exa\xc3\xa9mple.com", 0, KEY_OK, "xn--example-dya.com", 0},
    {"b\xc3\xbc" "cher.example", 0, KEY_OK, "xn--bcher-kva.example", 0},
    {"B\xc3\x9c" "CHER.Example.", 0, KEY_OK, "xn--bcher-kva.example", 0},
    {"fa\xc3\x9f.de", 0, KEY_OK, "xn--fa-hia.de", 0},	/* not "fass.de" */
    {"b\xc3\xbc" "cher.example:2525", 0, KEY_OK, "xn--bcher-kva.example", 2525},
    {"\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", 0, KEY_OK,
    "xn--r8jz45g.xn--zckzah", 0},
    {".b\xc3\xbc" "cher.example", 0, KEY_PARENT_WALK, 0, 0},
    {"[b\xc3\xbc" "cher.example]", 0, KEY_BRACKETED, 0, 0},
    {"\xff\xfe\xfd.example", 0, KEY_BAD_IDN, 0, 0},
    {"b\xc3(cher.example", 0, KEY_BAD_IDN, 0, 0},
    {"b\xc3\xbc_cher.example", 0, KEY_NOT_LDH, 0, 0},	/* never "bücher" */
    {"b\xc3\xbc" "cher.example:smtp\xc3\xbc", 0, KEY_NOT_LDH, 0, 0},
    {"b\xc3\xbc" "cher .example", 0, KEY_BINARY, 0, 0},
    {"\xe2\x80\xae" "moc.example", 0, KEY_BAD_IDN, 0, 0},
    {"\xc2\xad", 0, KEY_BAD_IDN, 0, 0},	/* soft hyphen maps to "" (fuzz_key) */
    {"\xc2\xad.", 0, KEY_NOT_LDH, 0, 0},
    {"\xc2\xad:25", 0, KEY_NOT_LDH, 0, 0},
    {"nul\0inside.com", 14, KEY_BINARY, 0, 0},
    {"\x7f", 0, KEY_BINARY, 0, 0},
    {"a=b.example", 0, KEY_NOT_LDH, 0, 0},
};

/* long_label - 64-character label is refused, 63 accepted */
static void long_names(void)
{
    char    buf[600];
    char    out[KEY_MAX_DOMAIN + 1];
    int     port;
    size_t  i;
    size_t  j;

    memset(buf, 'a', 63);
    strcpy(buf + 63, ".example");
    tap_is_int(key_normalize(buf, strlen(buf), out, &port), KEY_OK, "63-char label");
    memset(buf, 'a', 64);
    strcpy(buf + 64, ".example");
    tap_is_int(key_normalize(buf, strlen(buf), out, &port), KEY_NOT_LDH, "64-char label");
    /* 253 characters: 63.63.63.61 */
    memset(buf, 'a', 253);
    buf[63] = buf[127] = buf[191] = '.';
    buf[253] = 0;
    tap_is_int(key_normalize(buf, 253, out, &port), KEY_OK, "253-char name");
    buf[253] = '.';
    buf[254] = 0;
    tap_is_int(key_normalize(buf, 254, out, &port), KEY_OK, "253-char name + dot");
    tap_is_int((long long) strlen(out), 253, "trailing dot stripped");
    buf[253] = 'a';
    tap_is_int(key_normalize(buf, 254, out, &port), KEY_TOO_LONG, "254-char name");
    memset(buf, 'a', sizeof(buf) - 1);
    tap_is_int(key_normalize(buf, sizeof(buf) - 1, out, &port), KEY_TOO_LONG, "599 bytes");
    /* one label of 20 three-byte characters */
    for (j = 0; j < 20; j++)
	memcpy(buf + 3 * j, "\xe4\xbe\x8b", 3);
    memcpy(buf + 60, ".example", 9);
    tap_is_int(key_normalize(buf, strlen(buf), out, &port), KEY_OK, "60 bytes of UTF-8, one label");
    for (i = 0; i < 300; i += 3)
	memcpy(buf + i, "\xe4\xbe\x8b", 3);
    memcpy(buf + 300, ".example", 9);
    tap_is_int(key_normalize(buf, strlen(buf), out, &port), KEY_BAD_IDN,
	       "308-byte UTF-8 key: a label too long for an A-label");
}

int     main(void)
{
    size_t  i;
    char    out[KEY_MAX_DOMAIN + 1];
    char    name[300];

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	const KEY_CASE *c = cases + i;
	size_t  len = c->len ? c->len : strlen(c->raw);
	int     port = -1;
	KEY_GATE got = key_normalize(c->raw, len, out, &port);

	snprintf(name, sizeof(name), "gate for case %zu (%s)", i,
		 key_gate_reason(c->want));
	tap_is_int(got, c->want, name);
	if (c->want == KEY_OK) {
	    tap_is_str(out, c->norm, "normalized form");
	    tap_is_int(port, c->port, "port");
	}
    }
    long_names();
    return tap_done();
}
