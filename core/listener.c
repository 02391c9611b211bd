/* listener: parsing --listen and binding. The server makes its socket
 * itself and hands it to libmicrohttpd, whatever its family, so that IPv4,
 * IPv6 and Unix sockets take one path. */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKLOG 1024

static const char usage[] = "expected ADDRESS:PORT, [IPv6]:PORT or unix:PATH, e.g. 127.0.0.1:8080";

static int bound(listener *out, int fd, const struct sockaddr *sa, socklen_t len, const char *what,
                 err *e)
{
    if (bind(fd, sa, len) != 0 || listen(fd, BACKLOG) != 0) {
        int saved = errno;
        close(fd);
        return err_set(e, ERR_UNAVAILABLE, "cannot listen on %s: %s", what, strerror(saved));
    }
    out->fd = fd;
    return ERR_OK;
}

static int open_unix(const char *listen, listener *out, err *e)
{
    const char *path = listen + 5;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path[0] || strlen(path) >= sizeof sa.sun_path)
        return err_set(e, ERR_INPUT, "--listen %s: a socket's path has 1 to %zu characters",
                       listen, sizeof sa.sun_path - 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return err_set(e, ERR_INPUT, "--listen %s: %s is there and is no socket", listen,
                           path);
        unlink(path); /* a socket left by a server that stopped without removing it */
    }
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_set(e, ERR_UNAVAILABLE, "cannot listen on %s: %s", listen, strerror(errno));
    if (bound(out, fd, (struct sockaddr *)&sa, sizeof sa, listen, e) != ERR_OK)
        return e->code;
    /* Read-write for the server's group: a proxy that is a member (nginx's
     * www-data, added to the labelcoop group) may connect; others may not. */
    chmod(path, 0660);
    out->local = true;
    snprintf(out->path, sizeof out->path, "%s", path);
    snprintf(out->where, sizeof out->where, "unix:%s", path);
    return ERR_OK;
}

/* "host:port" or "[host]:port" into host and port. */
static int split(const char *listen, char *host, size_t size, long *port, err *e)
{
    const char *colon = strrchr(listen, ':'), *start = listen, *stop = colon;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return err_set(e, ERR_INPUT, "--listen %s: %s", listen, usage);
        start = listen + 1, stop = close, colon = close + 1;
    }
    char *end;
    if (!colon || stop <= start || (size_t)(stop - start) >= size)
        return err_set(e, ERR_INPUT, "--listen %s: %s", listen, usage);
    snprintf(host, size, "%.*s", (int)(stop - start), start);
    *port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || *port < 0 || *port > 65535)
        return err_set(e, ERR_INPUT, "--listen %s: the port is a number from 0 to 65535", listen);
    return ERR_OK;
}

/* "host:port" or "[host]:port" as a socket address in ss, host in host. */
static int parse_ip(const char *listen, struct sockaddr_storage *ss, char *host, size_t size,
                    err *e)
{
    long port = 0;
    if (split(listen, host, size, &port, e) != ERR_OK)
        return ERR_INPUT;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    bool six = listen[0] == '[';
    if (!six && inet_pton(AF_INET, host, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET, v4->sin_port = htons((uint16_t)port);
    else if (six && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6, v6->sin6_port = htons((uint16_t)port);
    else
        return err_set(e, ERR_INPUT, "--listen %s: %s is not an %s", listen, host,
                       six ? "IPv6 address" : "IPv4 address (an IPv6 one goes in brackets)");
    return ERR_OK;
}

int listener_check(const char *listen, err *e)
{
    struct sockaddr_storage ss;
    char host[64];
    if (strncmp(listen, "unix:", 5) == 0)
        return listen[5] && strlen(listen + 5) < sizeof((struct sockaddr_un *)0)->sun_path
                   ? ERR_OK
                   : err_set(e, ERR_INPUT, "--listen %s: a socket's path has 1 to %zu characters",
                             listen, sizeof((struct sockaddr_un *)0)->sun_path - 1);
    return parse_ip(listen, &ss, host, sizeof host, e);
}

static int open_ip(const char *listen, listener *out, err *e)
{
    char host[64];
    struct sockaddr_storage ss;
    if (parse_ip(listen, &ss, host, sizeof host, e) != ERR_OK)
        return ERR_INPUT;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    bool six = ss.ss_family == AF_INET6;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0)
        return err_set(e, ERR_UNAVAILABLE, "cannot listen on %s: %s", listen, strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (six) /* [::] means IPv6 only: IPv4 clients need an address of their own */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    socklen_t len = six ? sizeof *v6 : sizeof *v4;
    if (bound(out, fd, (struct sockaddr *)&ss, len, listen, e) != ERR_OK)
        return e->code;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    out->port = ntohs(six ? v6->sin6_port : v4->sin_port);
    snprintf(out->where, sizeof out->where, six ? "http://[%s]:%d" : "http://%s:%d", host,
             out->port);
    return ERR_OK;
}

int listener_open(const char *listen, listener *out, err *e)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    return strncmp(listen, "unix:", 5) == 0 ? open_unix(listen, out, e) : open_ip(listen, out, e);
}

void listener_close(listener *l)
{
    if (l->fd >= 0)
        close(l->fd);
    if (l->path[0])
        unlink(l->path);
    l->fd = -1;
    l->path[0] = '\0';
}
