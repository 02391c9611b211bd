/* clamd: INSTREAM over a Unix socket, in 64 KiB chunks read with pread (the
 * file's offset is left as it is). Sends use MSG_NOSIGNAL: clamd closing
 * the socket early (a stream past its limit) is an error answered, never a
 * SIGPIPE. */
#include "clamd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

enum { CHUNK = 64 * 1024, ANSWER_MAX = 512 };

int clamd_parse(const char *spec, char *path, size_t size, err *e)
{
    struct sockaddr_un un;
    if (strncmp(spec, "unix:", 5) != 0 || spec[5] != '/')
        return err_set(e, ERR_INPUT, "clamd = %.200s: expected unix:/path/of/clamd.socket", spec);
    if (strlen(spec + 5) >= sizeof un.sun_path || strlen(spec + 5) >= size)
        return err_set(e, ERR_INPUT, "clamd = %.200s: the socket's path is too long", spec);
    snprintf(path, size, "%s", spec + 5);
    return ERR_OK;
}

/* Sends all n bytes of data on s. */
static int send_all(int s, const void *data, size_t n)
{
    for (const char *p = data; n;) {
        ssize_t w = send(s, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

/* A connected socket to the clamd at path, its sends and receives bounded
 * in time; -1 with errno set otherwise. */
static int connect_to(const char *path)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (n >= sizeof un.sun_path) { /* clamd_parse refused it already */
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(un.sun_path, path, n + 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = CLAMD_TIMEOUT_SECONDS};
    if (s >= 0 && (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
                   setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
                   connect(s, (struct sockaddr *)&un, sizeof un) != 0)) {
        int saved = errno;
        close(s);
        errno = saved;
        return -1;
    }
    return s;
}

/* Sends the command and fd's bytes as chunks, then the empty chunk. 1 when
 * clamd stopped taking them (its answer then says why), -1 when fd cannot
 * be read. */
static int send_stream(int s, int fd)
{
    static const char command[] = "zINSTREAM"; /* sent with its NUL */
    if (send_all(s, command, sizeof command) != 0)
        return 1;
    char buf[4 + CHUNK];
    for (off_t off = 0;;) {
        ssize_t r = pread(fd, buf + 4, CHUNK, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        uint32_t length = htonl((uint32_t)r);
        memcpy(buf, &length, 4);
        if (send_all(s, buf, 4 + (size_t)r) != 0)
            return 1;
        if (r == 0)
            return 0;
        off += r;
    }
}

/* Reads clamd's answer, up to its NUL or the end, into out. */
static int read_answer(int s, char *out, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = recv(s, out + n, size - 1 - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (memchr(out + n - (size_t)r, '\0', (size_t)r))
            break;
    }
    out[n] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return n ? 0 : -1;
}

/* The outcome of the answer text: clean, a signature, or an error. */
static int read_outcome(const char *path, const char *answer, char *found, size_t size, err *e)
{
    const char *what = strncmp(answer, "stream: ", 8) == 0 ? answer + 8 : answer;
    size_t n = strlen(what);
    if (strcmp(what, "OK") == 0)
        return ERR_OK;
    if (n > 6 && strcmp(what + n - 6, " FOUND") == 0) {
        snprintf(found, size, "%.*s", (int)(n - 6), what);
        return ERR_OK;
    }
    return err_set(e, ERR_UNAVAILABLE,
                   "the virus scanner (clamd at %s) could not scan the file: %s", path, answer);
}

int clamd_scan_fd(const char *spec, int fd, char *found, size_t size, err *e)
{
    char path[128], answer[ANSWER_MAX];
    found[0] = '\0';
    if (clamd_parse(spec, path, sizeof path, e) != ERR_OK)
        return ERR_INPUT;
    int s = connect_to(path);
    if (s < 0)
        return err_set(e, ERR_UNAVAILABLE, "the virus scanner (clamd at %s) is unreachable: %s",
                       path, strerror(errno));
    int sent = send_stream(s, fd);
    int rc;
    errno = 0;
    if (sent < 0)
        rc = err_set(e, ERR_FAIL, "cannot read the file to scan: %s", strerror(errno));
    else if (read_answer(s, answer, sizeof answer) != 0)
        rc = err_set(e, ERR_UNAVAILABLE, "the virus scanner (clamd at %s) did not answer: %s", path,
                     errno ? strerror(errno) : "connection closed");
    else
        rc = read_outcome(path, answer, found, size, e);
    close(s);
    return rc;
}
