/*++
 * NAME
 *	replay 1
 * SUMMARY
 *	run a fuzz target over saved inputs, without libFuzzer
 * SYNOPSIS
 *	fuzz_TARGET_replay file-or-directory...
 * DESCRIPTION
 *	Each argument is a file, or a directory whose regular files are
 *	read, and every input is passed once to LLVMFuzzerTestOneInput().
 *	This lets the test suite replay the seed corpora with gcc (and
 *	under valgrind or the sanitizers) where libFuzzer is not available.
 *	Prints a TAP line per argument and exits 0; a crash is a crash.
 *--*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX	((size_t) 4 * 1024 * 1024)

/* replay_file - one input; returns 1 when it ran */
static int replay_file(const char *path)
{
    FILE   *fp = fopen(path, "rb");
    unsigned char *buf;
    size_t  len;

    if (fp == 0)
	return 0;
    buf = malloc(REPLAY_MAX);
    if (buf == 0) {
	fclose(fp);
	return 0;
    }
    len = fread(buf, 1, REPLAY_MAX, fp);
    fclose(fp);
    (void) LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 1;
}

/* replay_dir - every regular file in a directory */
static int replay_dir(const char *dir)
{
    DIR    *dp = opendir(dir);
    struct dirent *de;
    char    path[4096];
    struct stat st;
    int     n = 0;

    if (dp == 0)
	return 0;
    while ((de = readdir(dp)) != 0) {
	snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
	    n += replay_file(path);
    }
    closedir(dp);
    return n;
}

int     main(int argc, char **argv)
{
    struct stat st;
    int     i;
    int     n;

    for (i = 1; i < argc; i++) {
	if (stat(argv[i], &st) < 0) {
	    printf("not ok %d - %s: missing\n", i, argv[i]);
	    continue;
	}
	n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
	printf("%sok %d - %s: %d input(s) replayed\n", n > 0 ? "" : "not ",
	       i, argv[i], n);
    }
    printf("1..%d\n", argc - 1);
    return 0;
}
