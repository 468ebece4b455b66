/* fuzz_cfg - the configuration file parser */
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CFG    *cfg = cfg_new();
    VSTR   *err = vstr_new(64);
    VSTR   *out = vstr_new(256);

    if (cfg_load_buf(cfg, "fuzz.cf", (const char *) data, size, err) == 0) {
	fuzz_require(cfg->dns_timeout >= 1 && cfg->dns_timeout <= 60);
	fuzz_require(cfg->idle_timeout >= 1);
	cfg_print(cfg, out);
    } else {
	fuzz_require(strncmp(vstr_str(err), "fuzz.cf", 7) == 0);
    }
    cfg_free(cfg);
    vstr_free(err);
    vstr_free(out);
    return 0;
}
