/* Minimal assertion harness for the core's unit tests.
 * Each failed check prints where and what; main() returns CHECK_DONE(),
 * which prints "N passed, N failed" and exits non-zero on any failure. */
#ifndef MAILWIRE_CHECK_H
#define MAILWIRE_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed_, check_failed_;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed_++;                                                     \
        } else {                                                                 \
            check_failed_++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_EQ_INT(got, want)                                                  \
    do {                                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want);                 \
        if (g_ == w_) {                                                          \
            check_passed_++;                                                     \
        } else {                                                                 \
            check_failed_++;                                                     \
            fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, \
                    #got, g_, w_);                                               \
        }                                                                        \
    } while (0)

/* Compare a (pointer, length) span with a NUL-terminated expected string. */
#define CHECK_SPAN(ptr, len, want)                                               \
    do {                                                                         \
        size_t l_ = (size_t)(len), wl_ = strlen(want);                           \
        if (l_ == wl_ && memcmp((ptr), (want), l_) == 0) {                       \
            check_passed_++;                                                     \
        } else {                                                                 \
            check_failed_++;                                                     \
            fprintf(stderr, "%s:%d: %s: got \"%.*s\", want \"%s\"\n", __FILE__,  \
                    __LINE__, #ptr, (int)l_, (const char *)(ptr), (want));       \
        }                                                                        \
    } while (0)

#define CHECK_DONE()                                                             \
    (printf("%u passed, %u failed\n", check_passed_, check_failed_),             \
     check_failed_ ? 1 : 0)

#endif
