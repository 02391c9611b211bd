/* http: the HTTP server. libmicrohttpd with a small thread pool on a
 * loopback address by default; request bodies gathered up to a limit; static
 * files from the web folder; everything under /api/ handed to one handler.
 * Knows nothing of the domain, SQLite or Lua. */
#ifndef LABELCOOP_HTTP_H
#define LABELCOOP_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

typedef struct http_server http_server;
typedef struct http_request http_request; /* opaque: read with the functions below */
struct http_response;

/* Uploads: the bodies of the requests the app names are streamed as they
 * come instead of gathered, as multipart/form-data (libmicrohttpd's post
 * processor parses it): a file part's bytes go to a sink the app opens, the
 * form's other fields are gathered (HTTP_FORM_MAX bytes in all). A refusal
 * is an HTTP status and its reason: the request is answered with it, at
 * once when Content-Length is over the limit, else once the rest of the
 * body has been read and let go; the sink is closed at once then. */
typedef struct http_upload {
    /* Whether the request may send its body, asked once its headers came
     * (who calls, may they write there): false with res set to the answer,
     * sent at once, the body never read. NULL: every one may. */
    bool (*admit)(void *app, const http_request *r, struct http_response *res);
    /* A file part named field begins (filename as the client gave it, or
     * NULL): its sink, or NULL with *status (4xx, 5xx) and why set. */
    void *(*open)(void *app, const char *field, const char *filename, int *status, char *why,
                  size_t size);
    /* The part's next n bytes: 0, or an HTTP status with why set. */
    int (*write)(void *sink, const char *data, size_t n, char *why, size_t size);
    /* Lets the sink go, whatever became of it, as the request ends. */
    void (*close)(void *sink);
} http_upload;

/* The form fields of an upload, names and values, in bytes at most. */
#define HTTP_FORM_MAX (16 * 1024)

/* What route_info fills, zeroed before. */
typedef struct http_route_info {
    /* Not 0: the body is an upload (http_upload) of this many bytes at
     * most; 0: it is gathered, up to max_body, as any other. */
    size_t upload_limit;
    /* The route's pattern when the path holds a secret (a single-use
     * token): the log then shows /api/v1/PATTERN for any answer, those
     * given before the route is known too (405, 408, 413, 503, a body cut
     * short). NULL: the path is logged. */
    const char *secret;
} http_route_info;

typedef struct http_config {
    const char *listen;          /* "127.0.0.1:8080", "[::1]:8080", "unix:PATH"; port 0 picks */
    const char *web_root;        /* static files; NULL serves none */
    unsigned threads;            /* worker threads */
    size_t max_body;             /* larger bodies get 413 */
    unsigned connection_timeout; /* seconds a connection may stay silent; 0: 30 */
    unsigned request_timeout;    /* seconds for a request's headers (from the connection's
                                  * opening or its last answer), then for its body (from its
                                  * headers), else the connection is closed; 0: 60 */
    unsigned per_client;         /* connections open at once from one address (more are
                                  * closed as they come); 0: no limit but the server's */
    /* Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
     * believed ("10.0.0.0/8,::1"; NULL: none, the headers are ignored). */
    const char *trusted_proxies;
    /* GET /metrics: its text (the caller frees it), for clients listed in
     * metrics_allow ("127.0.0.0/8,::1"); others get 404. NULL: none. */
    char *(*metrics)(void *app);
    const char *metrics_allow;
    /* Set by http_stop once the requests under way had their drain time:
     * the scripts still running then are interrupted (may be NULL). */
    atomic_int *cancel;
    /* What the app says of each request as it begins (route_info, once
     * its headers came; NULL: nothing), and how the bodies it streams are
     * taken. */
    void (*route_info)(void *app, const char *method, const char *path, http_route_info *out);
    http_upload upload;
} http_config;

/* Connections open at once, from all addresses. */
#define HTTP_MAX_CONNECTIONS 1000
/* The longest list of trusted proxies, in characters. */
#define HTTP_TRUSTED_MAX 1023

#define HTTP_EXTRA_HEADERS 6
/* The longest request id a trusted proxy's X-Request-Id may give. */
#define HTTP_ID_MAX 64

typedef struct http_response {
    int status;
    char *body; /* owned: freed after sending */
    size_t len;
    const char *content_type;
    char *content_type_owned; /* owned, used instead of content_type when set */
    char *set_cookie;         /* owned, or NULL */
    const char *route;        /* the route's pattern, for the metrics (static text) */
    bool hide_path;           /* the path holds a secret: the log shows /api/v1/ and the route */
    struct {
        const char *name; /* static text */
        char *value;      /* owned */
    } extra[HTTP_EXTRA_HEADERS];
    int n_extra;
    /* A file sent instead of body (http_send_fd): its descriptor, owned
     * (closed once sent), and its length. */
    bool has_fd;
    int fd;
    size_t fd_size;
} http_response;

/* Answers with status and the size bytes of the open file fd (taken: closed
 * once sent, or at once if it cannot be), of the given content type
 * (static text). */
void http_send_fd(http_response *res, int status, int fd, size_t size, const char *type);

/* Adds a header to the answer (Location, Allow, Retry-After, ETag); value
 * is copied. Past HTTP_EXTRA_HEADERS, or out of memory, it is left out. */
void http_set_header(http_response *res, const char *name, const char *value);

/* Handles one /api/ request; fills res. Runs on a pool thread. */
typedef void (*http_handler)(void *app, const http_request *req, http_response *res);

int http_start(const http_config *c, http_handler handler, void *app, http_server **out, err *e);
/* The port actually bound. */
int http_port(const http_server *s);
/* Where it listens: "http://127.0.0.1:8080", "http://[::1]:8080" or
 * "unix:/run/labelcoop/http.sock". */
const char *http_where(const http_server *s);
/* Stops taking connections, lets the requests under way finish and answers
 * them (5 s at most; a request begun meanwhile gets a 503 "stopping"), sets
 * the config's cancel flag, then closes every connection and frees the
 * server. */
void http_stop(http_server *s);

const char *http_method(const http_request *r);
/* The path without the query string. */
const char *http_path(const http_request *r);
/* The body (NUL-terminated) and its length; "" when none. */
const char *http_body(const http_request *r, size_t *len);
const char *http_header(const http_request *r, const char *name);
const char *http_query(const http_request *r, const char *name);
const char *http_cookie(const http_request *r, const char *name);
/* Every query argument as {"name": "value"}; caller deletes. */
cJSON *http_query_all(const http_request *r);
/* How many query arguments there are (no allocation: the hot paths have none). */
int http_query_count(const http_request *r);
/* The client's address, for throttling and logs: the peer's, or behind a
 * trusted proxy the last address of X-Forwarded-For that is no trusted
 * proxy. */
const char *http_client(const http_request *r);
/* Who made the request, once known, for its log line. */
void http_note_user(const http_request *r, long long user);
/* Whether the client connected over TLS, as a trusted proxy says
 * (X-Forwarded-Proto: https); this server speaks plain HTTP itself. */
bool http_https(const http_request *r);
/* Whether a path may name a static file: it starts with '/', and has no empty
 * segment but the last, no segment starting with '.' (so no "..", no hidden
 * file) and no backslash. */
bool http_path_safe(const char *path);

/* An upload's sink (borrowed: closed as the request ends; NULL when no
 * file part came, or it was empty), and the file name its part gave (NULL:
 * none). */
void *http_upload_sink(const http_request *r);
const char *http_upload_filename(const http_request *r);
/* An upload's form field (not a file) by name, or NULL; the i-th field's
 * name, NULL past the last. */
const char *http_form(const http_request *r, const char *name);
const char *http_form_name(const http_request *r, int i);

/* An answer another thread gives later: the handler calls http_defer (and
 * leaves res alone) before handing the request on, and that thread calls
 * http_resume once with the answer (moved). NULL when the server is stopping:
 * answer at once then. */
typedef struct http_deferred http_deferred;
http_deferred *http_defer(const http_request *r);
void http_resume(http_deferred *d, http_response *res);
/* Resumes d without an answer: the handler is called again with the same
 * request, and http_again then tells it so. */
void http_resume_again(http_deferred *d);
bool http_again(const http_request *r);

/* Sets res to an error: {"error": {"code", "message", "path"}}; path NULL:
 * the JSON path or query parameter message starts with ("$.title: ..."),
 * else null. */
void http_error(http_response *res, int status, const char *code, const char *message,
                const char *path);
/* Sets res to status and doc printed (doc is deleted; NULL sends no body). */
void http_json(http_response *res, int status, cJSON *doc);
/* The same with doc printed already (text is res's now). */
void http_json_text(http_response *res, int status, char *text);

#endif
