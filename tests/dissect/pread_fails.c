/* Preloaded into tshark by tests/dissect/keep_file.py: every positioned read
 * fails with EIO, as a failing disk would, so that reading kept bytes back
 * from the keep file (mail/keep_file.c, the only user of pread in tshark's
 * reading of a capture) fails on revisits. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t pread(int fd, void *buf, size_t n, off_t at);
ssize_t pread64(int fd, void *buf, size_t n, off64_t at);

ssize_t pread(int fd, void *buf, size_t n, off_t at)
{
    (void)fd, (void)buf, (void)n, (void)at;
    errno = EIO;
    return -1;
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t at)
{
    (void)fd, (void)buf, (void)n, (void)at;
    errno = EIO;
    return -1;
}
