/* listener: the socket the server listens on, from what --listen says:
 * "127.0.0.1:8080", "[::1]:8080" (IPv6 in brackets) or
 * "unix:/run/labelcoop/http.sock". Port 0 picks a free one. Functions over
 * the sockets API. */
#ifndef LABELCOOP_LISTENER_H
#define LABELCOOP_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct listener {
    int fd;             /* bound and listening; the caller's to close */
    bool local;         /* a Unix socket: its peers are this machine's */
    int port;           /* the port bound; 0 for a Unix socket */
    char where[160];    /* "http://127.0.0.1:8080", "http://[::1]:8080", "unix:/path" */
    char path[108];     /* the Unix socket's file, "" otherwise */
} listener;

/* Opens and binds *out. A Unix socket's file left by a server that is gone
 * is replaced; any other file there is refused. ERR_INPUT for what is not
 * one of the three forms, ERR_UNAVAILABLE when it cannot be bound (in use,
 * not an address of this machine). */
int listener_open(const char *listen, listener *out, err *e);
/* Whether listen is one of the three forms (nothing bound): ERR_INPUT
 * naming the problem otherwise. */
int listener_check(const char *listen, err *e);
/* Closes the socket and removes a Unix socket's file. */
void listener_close(listener *l);

#endif
