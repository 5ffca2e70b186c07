/* LD_PRELOAD shim: real faults at chosen points of the launcher's write of its output.
 *
 * Only calls on files whose name ends in ".tmp" (the launcher's temporary file) and renames
 * of such files are touched; everything else passes straight through. Set by environment:
 *   FAULT_SHORT_WRITES=N  write() writes at most N bytes per call, as a slow disk may
 *   FAULT_KILL_AT=N       the Nth touched call (1-based) SIGKILLs the process instead
 *   FAULT_EIO=write|close that call fails with EIO (close() still releases the descriptor, as
 *                         Linux does when a network file system reports a failed flush)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long calls;

static int is_temporary(int fd) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 4) return 0;
    target[n] = '\0';
    return strcmp(target + n - 4, ".tmp") == 0;
}

static void maybe_die(void) {
    const char *at = getenv("FAULT_KILL_AT");
    if (at && ++calls == atol(at)) raise(SIGKILL);
}

static int fails(const char *call) {
    const char *which = getenv("FAULT_EIO");
    return which && strcmp(which, call) == 0;
}

ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (!is_temporary(fd)) return real(fd, buf, count);
    maybe_die();
    if (fails("write")) { errno = EIO; return -1; }
    const char *most = getenv("FAULT_SHORT_WRITES");
    if (most && count > (size_t)atol(most)) count = (size_t)atol(most);
    return real(fd, buf, count);
}

int close(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "close");
    if (!is_temporary(fd)) return real(fd);
    maybe_die();
    int closed = real(fd);
    if (fails("close")) { errno = EIO; return -1; }
    return closed;
}

int rename(const char *from, const char *to) {
    static int (*real)(const char *, const char *);
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    size_t n = strlen(from);
    if (n >= 4 && strcmp(from + n - 4, ".tmp") == 0) maybe_die();
    return real(from, to);
}
