/*++
 * NAME
 *	client 1
 * SUMMARY
 *	benchmark client for tcp_table and socketmap services
 * SYNOPSIS
 *	client kept ADDR PORT tcp|socketmap KEY COUNT
 *	client connect ADDR PORT tcp|socketmap KEY COUNT
 *	client load ADDR PORT tcp|socketmap KEY SECONDS CLIENTS
 * DESCRIPTION
 *	kept: COUNT lookups one after another on one connection; prints
 *	"p50_us p99_us lookups_per_s errors".
 *	connect: COUNT times a new connection and one lookup; prints the
 *	same for the time from connect() to the answer.
 *	load: CLIENTS processes, each on its own connection, look KEY up
 *	as fast as they can for SECONDS; prints "lookups_per_s errors".
 *	Every loop is bounded in count and time; only loopback is used.
 *--*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char req[600];
static size_t reqlen;
static int sockmap;

/* now_us - monotonic microseconds */
static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* dial - connect to the service */
static int dial(const char *addr, int port)
{
    struct sockaddr_in sin;
    int     fd = socket(AF_INET, SOCK_STREAM, 0);
    int     one = 1;
    struct timeval tv = {10, 0};

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short) port);
    inet_pton(AF_INET, addr, &sin.sin_addr);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
	close(fd);
	return -1;
    }
    return fd;
}

/* ask - one lookup; 0 when a complete positive answer came back */
static int ask(int fd)
{
    char    buf[8192];
    ssize_t n;
    size_t  got = 0;

    if (write(fd, req, reqlen) != (ssize_t) reqlen)
	return -1;
    while (got < sizeof(buf)) {
	n = read(fd, buf + got, sizeof(buf) - got);
	if (n <= 0)
	    return -1;
	got += (size_t) n;
	if (!sockmap && buf[got - 1] == '\n')
	    return strncmp(buf, "200 ", 4) == 0 ? 0 : -1;
	if (sockmap && buf[got - 1] == ',')
	    return memmem(buf, got, ":OK ", 4) ? 0 : -1;
    }
    return -1;
}

/* cmp - for qsort */
static int cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* report - percentiles and rate */
static void report(double *t, int n, double total_us, int errors)
{
    qsort(t, (size_t) n, sizeof(double), cmp);
    printf("%.1f %.1f %.0f %d\n", t[n / 2], t[(n * 99) / 100], n / (total_us / 1e6), errors);
}

/* kept - many lookups on one connection */
static int kept(const char *addr, int port, int count)
{
    double *t = calloc((size_t) count, sizeof(double));
    double  start, t0;
    int     fd = dial(addr, port);
    int     i, errors = 0;

    if (fd < 0 || t == 0)
	return 1;
    start = now_us();
    for (i = 0; i < count; i++) {
	t0 = now_us();
	errors += ask(fd) != 0;
	t[i] = now_us() - t0;
    }
    report(t, count, now_us() - start, errors);
    close(fd);
    return 0;
}

/* connect_each - a new connection per lookup */
static int connect_each(const char *addr, int port, int count)
{
    double *t = calloc((size_t) count, sizeof(double));
    double  start, t0;
    int     i, fd, errors = 0;

    if (t == 0)
	return 1;
    start = now_us();
    for (i = 0; i < count; i++) {
	t0 = now_us();
	fd = dial(addr, port);
	errors += fd < 0 || ask(fd) != 0;
	t[i] = now_us() - t0;
	if (fd >= 0)
	    close(fd);
    }
    report(t, count, now_us() - start, errors);
    return 0;
}

/* load - CLIENTS processes for SECONDS */
static int load(const char *addr, int port, int secs, int clients)
{
    int     pipes[2];
    int     i;
    long    total = 0, errors = 0, a, b;
    double  start = now_us();
    FILE   *fp;

    if (pipe(pipes) < 0)
	return 1;
    for (i = 0; i < clients; i++) {
	if (fork() == 0) {
	    long    ok = 0, bad = 0;
	    int     fd = dial(addr, port);
	    double  end = now_us() + secs * 1e6;
	    char    line[64];

	    while (fd >= 0 && now_us() < end && ok + bad < 10000000)
		(ask(fd) == 0) ? ok++ : bad++;
	    if (fd < 0)
		bad++;
	    snprintf(line, sizeof(line), "%ld %ld\n", ok, bad);
	    (void) !write(pipes[1], line, strlen(line));
	    _exit(0);
	}
    }
    close(pipes[1]);
    fp = fdopen(pipes[0], "r");
    while (fp && fscanf(fp, "%ld %ld", &a, &b) == 2) {
	total += a;
	errors += b;
    }
    while (wait(0) > 0)
	 /* void */ ;
    printf("%.0f %ld\n", total / ((now_us() - start) / 1e6), errors);
    return 0;
}

int     main(int argc, char **argv)
{
    if (argc < 7) {
	fprintf(stderr, "usage: client kept|connect|load ADDR PORT tcp|socketmap KEY N [CLIENTS]\n");
	return 2;
    }
    sockmap = strcmp(argv[4], "socketmap") == 0;
    if (sockmap)
	reqlen = (size_t) snprintf(req, sizeof(req), "%zu:QUERY %s,", strlen(argv[5]) + 6, argv[5]);
    else
	reqlen = (size_t) snprintf(req, sizeof(req), "get %s\n", argv[5]);
    if (strcmp(argv[1], "kept") == 0)
	return kept(argv[2], atoi(argv[3]), atoi(argv[6]));
    if (strcmp(argv[1], "connect") == 0)
	return connect_each(argv[2], atoi(argv[3]), atoi(argv[6]));
    if (strcmp(argv[1], "load") == 0 && argc > 7)
	return load(argv[2], atoi(argv[3]), atoi(argv[6]), atoi(argv[7]));
    return 2;
}
