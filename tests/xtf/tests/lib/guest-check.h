/*
 * A check that counts and reports, for guests that run many: CHECK(cond,
 * fmt, ...) counts every check in nr_checks and each failure in nr_fail,
 * reporting it with the current section's name.  One test = one
 * translation unit: the counters live here.
 */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <xtf.h>

static unsigned int nr_checks, nr_fail;
static const char *section = "";

#define CHECK(cond, fmt, ...)                                   \
    do {                                                        \
        nr_checks++;                                            \
        if ( !(cond) )                                          \
        {                                                       \
            nr_fail++;                                          \
            xtf_failure("Fail: %s: " fmt "\n", section, ##__VA_ARGS__); \
        }                                                       \
    } while ( 0 )

#endif /* GUEST_CHECK_H */
