/*++
 * NAME
 *	logcap 3
 * SUMMARY
 *	bounds on what one client can make a helper log
 * SYNOPSIS
 *	#include "logcap.h"
 *
 *	void	logcap_begin(void)
 *	void	logcap_warn(const char *fmt, ...)
 *	int	logcap_repeat(uint64_t hash)
 *	void	logcap_end(void)
 *	void	logcap_set_clock(LOGCAP_CLOCK now)
 * DESCRIPTION
 *	A helper serves one connection (spawn(8)), so the state kept here
 *	is that connection's; logcap_begin() starts it anew and
 *	logcap_end() closes it. What one client can make the helper write
 *	is bounded per connection (issue 20 "Log flood"):
 *
 *	logcap_warn() is log_warn() for a warning that a client's request
 *	causes (a malformed request, an unknown socketmap name, a reply
 *	that does not fit, a lookup answered during a configuration
 *	error): the first LOGCAP_BURST of each LOGCAP_INTERVAL seconds are
 *	logged, the others only counted.
 *
 *	logcap_repeat() is asked before a lookup line is logged: it
 *	returns 1 when a line with the same hash (the caller hashes the
 *	domain and the answer) was logged on this connection less than
 *	LOGCAP_INTERVAL seconds ago - the caller then does not log it, and
 *	it is counted - else 0, and the hash is remembered (the last
 *	LOGCAP_SLOTS of them).
 *
 *	What was not logged is told in one line, with the first warning or
 *	lookup line after the interval and by logcap_end(): "this client:
 *	N warnings and M repeated lookup lines not logged in the last Ss".
 *	A connection therefore writes at most LOGCAP_BURST warnings and
 *	one summary a minute through these functions.
 *
 *	logcap_set_clock() replaces the monotonic clock (seconds), for
 *	tests; NULL restores it.
 *--*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "logcap.h"

typedef struct LOGCAP {
    long long start;			/* this interval began (s) */
    int     warned;			/* warnings logged in it */
    unsigned long warn_held;		/* not logged since the last summary */
    unsigned long repeat_held;
    uint64_t seen[LOGCAP_SLOTS];	/* hashes of lines logged */
    long long seen_at[LOGCAP_SLOTS];	/* when */
    int     next;			/* the slot to reuse */
} LOGCAP;

static LOGCAP logcap;
static LOGCAP_CLOCK logcap_clock;

/* logcap_now - monotonic seconds, or the test's clock */
static long long logcap_now(void)
{
    struct timespec ts;

    if (logcap_clock)
	return logcap_clock();
    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec;
}

/* logcap_set_clock - a clock for tests (NULL: the monotonic clock) */
void    logcap_set_clock(LOGCAP_CLOCK now)
{
    logcap_clock = now;
}

/* logcap_begin - a new connection: nothing logged, nothing held */
void    logcap_begin(void)
{
    int     i;

    logcap.start = logcap_now();
    logcap.warned = 0;
    logcap.warn_held = logcap.repeat_held = 0;
    for (i = 0; i < LOGCAP_SLOTS; i++) {
	logcap.seen[i] = 0;
	logcap.seen_at[i] = LLONG_MIN / 2;	/* long ago */
    }
    logcap.next = 0;
}

/* logcap_summary - one line for what was not logged since the last one */
static void logcap_summary(long long now)
{
    char    repeats[80] = "";

    if (logcap.repeat_held)
	(void) snprintf(repeats, sizeof(repeats), "%s%lu repeated lookup lines",
			logcap.warn_held ? " and " : "", logcap.repeat_held);
    if (logcap.warn_held)
	log_warn("this client: %lu warnings%s not logged in the last %llds"
		 " (at most %d warnings per %ds per connection)",
		 logcap.warn_held, repeats, now - logcap.start, LOGCAP_BURST,
		 LOGCAP_INTERVAL);
    else if (logcap.repeat_held)
	log_info("this client: %s not logged in the last %llds (the same"
		 " domain and answer within %ds)", repeats, now - logcap.start,
		 LOGCAP_INTERVAL);
    logcap.warn_held = logcap.repeat_held = 0;
}

/* logcap_tick - a new interval: tell what the last one held back */
static long long logcap_tick(void)
{
    long long now = logcap_now();

    if (now - logcap.start >= LOGCAP_INTERVAL) {
	logcap_summary(now);
	logcap.start = now;
	logcap.warned = 0;
    }
    return now;
}

/* logcap_warn - a warning a client's request caused: limited */
void    logcap_warn(const char *fmt,...)
{
    char    text[LOG_TEXT_MAX];
    va_list ap;

    (void) logcap_tick();
    if (logcap.warned >= LOGCAP_BURST) {
	logcap.warn_held++;
	return;
    }
    logcap.warned++;
    va_start(ap, fmt);
    (void) vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    log_warn("%s", text);
}

/* logcap_repeat - 1: this line was logged within the interval (counted) */
int     logcap_repeat(uint64_t hash)
{
    long long now = logcap_tick();
    int     i;

    for (i = 0; i < LOGCAP_SLOTS; i++) {
	if (logcap.seen[i] == hash && now - logcap.seen_at[i] < LOGCAP_INTERVAL) {
	    logcap.repeat_held++;
	    return 1;
	}
    }
    logcap.seen[logcap.next] = hash;
    logcap.seen_at[logcap.next] = now;
    logcap.next = (logcap.next + 1) % LOGCAP_SLOTS;
    return 0;
}

/* logcap_end - the connection ends: what was held back */
void    logcap_end(void)
{
    logcap_summary(logcap_now());
}
