/*++
 * NAME
 *	minimal 1
 * SUMMARY
 *	the limit: a spawn(8) service that answers a constant
 * DESCRIPTION
 *	Reads tcp_table lines or socketmap netstrings on stdin and answers
 *	each with a constant "dane-only", one write() per reply, like
 *	tlspolicyd does, but without config, cache or DNS. The benchmark
 *	runs it under the same Postfix spawn service as tlspolicyd.
 *--*/
#include <string.h>
#include <unistd.h>

int     main(void)
{
    char    buf[8192];
    size_t  have = 0;
    ssize_t n;

    while ((n = read(0, buf + have, sizeof(buf) - have)) > 0) {
	char   *end;

	have += (size_t) n;
	for (;;) {
	    if (have > 0 && buf[0] >= '0' && buf[0] <= '9') {
		if ((end = memchr(buf, ',', have)) == 0)
		    break;
		(void) !write(1, "12:OK dane-only,", 16);
	    } else {
		if ((end = memchr(buf, '\n', have)) == 0)
		    break;
		(void) !write(1, "200 dane-only\n", 14);
	    }
	    have -= (size_t) (end + 1 - buf);
	    memmove(buf, end + 1, have);
	}
	if (have == sizeof(buf))
	    return 1;
    }
    return 0;
}
