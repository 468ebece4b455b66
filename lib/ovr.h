/* ovr.h - local policy override table */
#ifndef TP_OVR_H
#define TP_OVR_H

#include <stddef.h>
#include "vstr.h"

#define OVR_MAX_POLICY	1000		/* policy text, bytes */

typedef struct OVR OVR;

OVR    *ovr_load_file(const char *path, VSTR *err);
OVR    *ovr_load_buf(const char *origin, const char *buf, size_t len,
		             VSTR *err);
const char *ovr_lookup(const OVR *ovr, const char *domain,
			           const char **matched);
size_t  ovr_count(const OVR *ovr);
void    ovr_free(OVR *ovr);
int     ovr_policy_word_ok(const char *word, size_t len);
int     ovr_postfix_ok(const char *text);

#endif
