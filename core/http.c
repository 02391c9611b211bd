/* http: libmicrohttpd glue. Each request gets a small record that gathers
 * its body; the handler runs once the body is complete. Static files are sent
 * from file descriptors with their content type; paths with dot segments
 * never reach the file system. Every request is logged to stderr (see
 * reqlog.h), without bodies, tokens or cookies. Uses libmicrohttpd, cJSON
 * and reqlog. */
#include "http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cidr.h"
#include "date.h"
#include "listener.h"
#include "metrics.h"
#include "reqlog.h"

/* How long a stop waits for the requests under way (http_stop), and then
 * for those whose scripts it interrupted to be answered. */
enum { DRAIN_MS = 5000, CANCEL_MS = 1000 };

/* Each connection's pool, which holds a request's headers (a cookie twice:
 * libmicrohttpd copies it to parse it) and which libmicrohttpd zeroes at
 * every request. 24 KiB reads a header line of about 11 KB (nginx's default
 * is 8 KiB), 431 beyond; the default 32 KiB cost 6 % more CPU per PUT. */
enum { POOL_BYTES = 24 * 1024 };

/* A connection's clock for the deadline on a request's headers, which
 * libmicrohttpd does not have (its timeout is for silence only, so a header
 * trickled a byte at a time would hold the connection for ever). */
typedef struct watch {
    int fd;
    atomic_llong since_us; /* opened, or last answered; 0 while a request is handled */
    bool cut;              /* shut down by the watchdog already */
    struct watch *prev, *next;
} watch;

/* One kind of libmicrohttpd message (its format): when it was last written,
 * and how many left out since. */
typedef struct mhd_kind {
    const char *fmt;
    long long second;
    long long left_out;
} mhd_kind;

enum { MHD_KINDS = 16 };

struct http_server {
    struct MHD_Daemon *d;
    http_handler handler;
    void *app;
    char *web_root;
    size_t max_body;
    long long request_timeout_us; /* to the end of a request's headers, and then of its body */
    int port;
    /* The watchdog: every connection waiting for a request's headers. */
    pthread_mutex_t watch_mu;
    pthread_cond_t watch_stop;
    watch *watched;
    bool stopping; /* the watchdog's */
    pthread_t watchdog;
    /* Requests whose connection waits, suspended, for an answer from
     * another thread (http_defer); http_stop waits for them. */
    pthread_mutex_t defer_mu;
    pthread_cond_t defer_done;
    int deferred;
    bool deferral_over; /* http_stop began: later requests are answered at once */
    reqlog *log;        /* the requests' lines (the watchdog writes its own at once) */
    /* Requests begun (headers read) and not yet completed: a stop lets them
     * finish, answers later ones 503, and closes each connection it answers
     * from then on. */
    atomic_int begun;
    atomic_bool draining;
    atomic_int *cancel; /* http_config's */
    char trusted[HTTP_TRUSTED_MAX + 1]; /* http_config's trusted_proxies, "" for none */
    listener listen;                    /* its socket is libmicrohttpd's once started */
    char *(*metrics)(void *app);
    char metrics_allow[HTTP_TRUSTED_MAX + 1];
    http_upload upload;
    /* libmicrohttpd's own messages (mhd_log): at most one a second of each kind. */
    pthread_mutex_t mhd_log_mu;
    mhd_kind mhd_kinds[MHD_KINDS];
};

/* One field of an upload's form. */
typedef struct form_field {
    char *name, *value; /* owned, NUL-terminated */
    size_t len;
} form_field;

enum { FORM_FIELDS = 16 };

struct http_request {
    http_server *server;
    struct MHD_Connection *conn;
    bool parked; /* suspended by the handler of this call (read once the handler returns) */
    bool ready;  /* the answer came */
    bool again;  /* no answer came: the handler is to be called again (http_resume_again) */
    bool redone; /* the handler was called again (http_again) */
    bool queued; /* a response is queued: the rest of the body is read and let go, unhandled */
    http_response answer;
    const char *method, *url;
    char *body;
    size_t len, cap;
    int too_large;
    char client[64]; /* the client: the peer, or whom a trusted proxy names */
    char peer[64];   /* the address the connection comes from */
    bool https;           /* as a trusted proxy says */
    const char *route;    /* what answered it, for the metrics: a route's pattern, "static" */
    bool hide_path;       /* the log shows the route instead of the path (a secret in it) */
    long long user;       /* the caller, for the log; 0: none */
    char id[HTTP_ID_MAX + 1]; /* the request's id: X-Request-Id, in the log */
    long long started_us; /* date_clock_us */
    /* An upload (see http_upload): its limit (0: the body is gathered), the
     * post processor parsing it, the file part's sink and what it took. */
    size_t upload_limit, received;
    struct MHD_PostProcessor *pp;
    void *sink;
    size_t sunk;
    char *filename;
    form_field form[FORM_FIELDS];
    int n_form;
    size_t form_bytes;
    int refused;   /* the status refusing the upload, answered at the body's end; 0: none */
    char why[200]; /* and its reason */
};

const char *http_method(const http_request *r)
{
    return r->method;
}

const char *http_path(const http_request *r)
{
    return r->url;
}

const char *http_body(const http_request *r, size_t *len)
{
    if (len)
        *len = r->len;
    return r->body ? r->body : "";
}

const char *http_header(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    cJSON_DeleteItemFromObjectCaseSensitive(cls, key);
    cJSON_AddStringToObject(cls, key, value ? value : "");
    return MHD_YES;
}

cJSON *http_query_all(const http_request *r)
{
    cJSON *args = cJSON_CreateObject();
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, args);
    return args;
}

int http_query_count(const http_request *r)
{
    return MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
}

const char *http_client(const http_request *r)
{
    return r->client;
}

void http_note_user(const http_request *req, long long user)
{
    ((http_request *)req)->user = user; /* the handler's own request, never shared */
}

bool http_https(const http_request *r)
{
    return r->https;
}

void *http_upload_sink(const http_request *r)
{
    return r->sink;
}

const char *http_upload_filename(const http_request *r)
{
    return r->filename;
}

const char *http_form(const http_request *r, const char *name)
{
    for (int i = 0; i < r->n_form; i++)
        if (strcmp(r->form[i].name, name) == 0)
            return r->form[i].value;
    return NULL;
}

const char *http_form_name(const http_request *r, int i)
{
    return i >= 0 && i < r->n_form ? r->form[i].name : NULL;
}

void http_send_fd(http_response *res, int status, int fd, size_t size, const char *type)
{
    free(res->body);
    res->body = NULL;
    res->len = 0;
    res->status = status;
    res->has_fd = true;
    res->fd = fd;
    res->fd_size = size;
    res->content_type = type;
}

void http_json(http_response *res, int status, cJSON *doc)
{
    http_json_text(res, status, doc ? cJSON_PrintUnformatted(doc) : NULL);
    cJSON_Delete(doc);
}

void http_json_text(http_response *res, int status, char *text)
{
    res->status = status;
    res->content_type = "application/json; charset=utf-8";
    free(res->body);
    res->body = text;
    res->len = text ? strlen(text) : 0;
}

/* Microseconds since the request's headers arrived. */
static long long elapsed_us(const http_request *r)
{
    return date_clock_us() - r->started_us;
}

/* A request's line as JSON, into line; its length. */
static int json_line(const http_request *r, const char *stamp, const char *method, const char *url,
                     int status, long long us, char *line, size_t size)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", stamp);
    cJSON_AddStringToObject(o, "request_id", r->id);
    cJSON_AddStringToObject(o, "client", r->client);
    if (r->user)
        cJSON_AddNumberToObject(o, "user", (double)r->user);
    else
        cJSON_AddNullToObject(o, "user");
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", url);
    cJSON_AddStringToObject(o, "route", r->route ? r->route : "none");
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "ms", (double)(us / 100) / 10);
    char *printed = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int n = printed ? snprintf(line, size, "%s\n", printed) : -1;
    free(printed);
    return n;
}

/* A request's line, gathered (see reqlog.h); an error's is written at once:
 * "TIME req=ID client=ADDR user=ID|- route=PATTERN METHOD PATH STATUS TIMEms",
 * or the same as one JSON object (--log-format json). What the client sent
 * (method, path) is escaped; no header, body or query string is written. */
static void log_request(const http_request *r, int status)
{
    long long us = elapsed_us(r);
    char method[64], url[1024], line[1600], stamp[DATE_STAMP_LEN + 1], user[24] = "-";
    reqlog_escape(method, sizeof method, r->method, 32);
    reqlog_escape(url, sizeof url, r->url, 400);
    if (r->hide_path && r->route) /* a single-use token in it: never written */
        snprintf(url, sizeof url, "/api/v1/%s", r->route);
    date_stamp(stamp);
    if (r->user)
        snprintf(user, sizeof user, "%lld", r->user);
    int n = reqlog_json()
                ? json_line(r, stamp, method, url, status, us, line, sizeof line)
                : snprintf(line, sizeof line, "%s req=%s client=%s user=%s route=%s %s %s %d %lld.%lldms\n",
                           stamp, r->id, r->client, user, r->route ? r->route : "none", method, url,
                           status, us / 1000, us % 1000 / 100);
    metrics_request(r->route ? r->route : "none", r->method, status, us);
    if (n > 0)
        reqlog_line(r->server->log, line, (size_t)n < sizeof line ? (size_t)n : sizeof line,
                    status >= 400);
}

/* Queues mr (and lets go of it). While the server stops, the connection
 * is closed after it: a keep-alive client goes elsewhere instead of
 * holding the stop with request after request. */
static enum MHD_Result queue(struct MHD_Connection *c, http_request *r, int status,
                             struct MHD_Response *mr)
{
    r->queued = true;
    MHD_add_response_header(mr, "X-Request-Id", r->id);
    if (atomic_load(&r->server->draining)) {
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
        if (status == 503)
            MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, mr);
    MHD_destroy_response(mr);
    log_request(r, status);
    return ok;
}

static enum MHD_Result send_response(struct MHD_Connection *c, http_request *r, http_response *res)
{
    struct MHD_Response *mr =
        res->has_fd ? MHD_create_response_from_fd((uint64_t)res->fd_size, res->fd)
                    : MHD_create_response_from_buffer(res->len, res->body ? res->body : (char *)"",
                                                      res->body ? MHD_RESPMEM_MUST_FREE
                                                                : MHD_RESPMEM_PERSISTENT);
    if (!mr && res->has_fd)
        close(res->fd);
    res->has_fd = false;
    res->body = NULL;
    if (res->route)
        r->route = res->route;
    r->hide_path = r->hide_path || res->hide_path;
    if (!mr) {
        free(res->set_cookie);
        free(res->content_type_owned);
        for (int i = 0; i < res->n_extra; i++)
            free(res->extra[i].value);
        return MHD_NO;
    }
    const char *type = res->content_type_owned ? res->content_type_owned : res->content_type;
    if (type && (res->len || res->fd_size))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    free(res->content_type_owned);
    if (res->set_cookie)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    free(res->set_cookie);
    for (int i = 0; i < res->n_extra; i++) {
        MHD_add_response_header(mr, res->extra[i].name, res->extra[i].value);
        free(res->extra[i].value);
    }
    res->n_extra = 0;
    return queue(c, r, res->status, mr);
}

void http_set_header(http_response *res, const char *name, const char *value)
{
    if (res->n_extra == HTTP_EXTRA_HEADERS)
        return;
    char *copy = strdup(value);
    if (copy)
        res->extra[res->n_extra].name = name, res->extra[res->n_extra++].value = copy;
}

void http_error(http_response *res, int status, const char *code, const char *message,
                const char *path)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *error = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddStringToObject(error, "code", code);
    cJSON_AddStringToObject(error, "message", message);
    /* No path given: the JSON path or query parameter the message starts
     * with ("$.title: ...", "?limit: ..."), as every refusal writes it. */
    char found[256];
    size_t plen = message[0] == '$' || message[0] == '?' ? strcspn(message, ":") : 0;
    if (!path && plen) {
        snprintf(found, sizeof found, "%.*s", (int)plen, message);
        path = found;
    }
    if (path)
        cJSON_AddStringToObject(error, "path", path);
    else
        cJSON_AddNullToObject(error, "path");
    http_json(res, status, doc);
}

static enum MHD_Result send_error(struct MHD_Connection *c, http_request *r, int status,
                                  const char *code, const char *message)
{
    http_response res = {0};
    http_error(&res, status, code, message, NULL);
    return send_response(c, r, &res);
}

/* ---- static files ---------------------------------------------------------- */

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

bool http_path_safe(const char *url)
{
    return url[0] == '/' && !strstr(url, "//") && !strstr(url, "/.") && !strchr(url, '\\');
}

/* Whether path (resolved) lies inside the folder root (resolved): a symlink in
 * the web folder may point within it, never out of it (to /etc/passwd). */
static bool inside(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (n == 1) /* "/" */
        return true;
    return strncmp(path, root, n) == 0 && path[n] == '/';
}

static enum MHD_Result send_file(http_server *s, struct MHD_Connection *c, http_request *r)
{
    r->route = "static";
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return send_error(c, r, 405, "method_not_allowed", "static files are read with GET");
    const char *url = strcmp(r->url, "/") == 0 ? "/index.html" : r->url;
    if (!s->web_root || !http_path_safe(url) || strlen(url) > 1024)
        return send_error(c, r, 404, "not_found", "no such page");
    char path[2048];
    snprintf(path, sizeof path, "%s%s", s->web_root, url);
    char *real = realpath(path, NULL);
    bool allowed = real && inside(s->web_root, real);
    int fd = allowed ? open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    free(real);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return send_error(c, r, 404, "not_found", "no such page");
    }
    struct MHD_Response *mr = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!mr) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(url));
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    MHD_add_response_header(mr, "Referrer-Policy", "same-origin");
    return queue(c, r, MHD_HTTP_OK, mr);
}

/* ---- the request cycle ------------------------------------------------------- */

/* Whether text may be a request id: 1 to HTTP_ID_MAX letters, digits, '-',
 * '_' or '.' (nothing a log line would need to escape). */
static bool id_valid(const char *text)
{
    size_t n = text ? strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_.")
                    : 0;
    return n && n <= HTTP_ID_MAX && !text[n];
}

/* The request's id: a trusted proxy's X-Request-Id (nginx's $request_id),
 * so that both logs name the request alike, or 16 hex digits: 8 drawn at
 * random once per process, then the request's number. Unique, not secret:
 * a random draw a request was a system call each. */
static atomic_uint id_serial;
static unsigned id_prefix;
static pthread_once_t id_once = PTHREAD_ONCE_INIT;

static void draw_prefix(void)
{
    id_prefix = randombytes_random();
}

static void request_id(http_request *r, struct MHD_Connection *c)
{
    const char *given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    bool trusted = r->server->listen.local ||
                   (r->server->trusted[0] && cidr_listed_text(r->peer, r->server->trusted));
    if (trusted && id_valid(given)) {
        snprintf(r->id, sizeof r->id, "%s", given);
        return;
    }
    pthread_once(&id_once, draw_prefix);
    snprintf(r->id, sizeof r->id, "%08x%08x", id_prefix, atomic_fetch_add(&id_serial, 1));
}

/* Behind a trusted proxy: the client is the last address of X-Forwarded-For
 * that is not itself a trusted proxy (what comes before it, the client may
 * have written); an entry that is no address ends the walk, leaving the
 * proxy's address. The scheme is the last X-Forwarded-Proto value. */
static void forwarded(http_request *r, struct MHD_Connection *c)
{
    const char *list = r->server->trusted;
    /* A Unix socket's peers are this machine's: a proxy beside the server. */
    if (!r->server->listen.local && (!list[0] || !cidr_listed_text(r->client, list)))
        return;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    size_t end = xff ? strlen(xff) : 0;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char item[64];
        size_t from = start, to = end;
        while (from < to && (xff[from] == ' ' || xff[from] == '\t'))
            from++;
        while (to > from && (xff[to - 1] == ' ' || xff[to - 1] == '\t'))
            to--;
        if (to - from >= sizeof item)
            break;
        snprintf(item, sizeof item, "%.*s", (int)(to - from), xff + from);
        if (!cidr_address(item))
            break;
        snprintf(r->client, sizeof r->client, "%s", item);
        if (!cidr_listed_text(item, list))
            break;
        end = start ? start - 1 : 0;
    }
    const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    const char *last = proto ? strrchr(proto, ',') : NULL;
    last = last ? last + 1 : proto;
    while (last && *last == ' ')
        last++;
    r->https = last && strncasecmp(last, "https", 5) == 0 && (!last[5] || last[5] == ' ');
}

static http_request *request_new(http_server *s, struct MHD_Connection *c, const char *url,
                                 const char *method)
{
    http_request *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->server = s;
    atomic_fetch_add(&s->begun, 1);
    r->conn = c;
    r->url = url;
    r->method = method;
    r->started_us = date_clock_us();
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->client,
                  sizeof r->client);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->client,
                  sizeof r->client);
    else
        snprintf(r->client, sizeof r->client, "local");
    snprintf(r->peer, sizeof r->peer, "%s", r->client);
    forwarded(r, c);
    request_id(r, c);
    return r;
}

static bool append(http_request *r, const char *data, size_t n, size_t max)
{
    if (r->len + n > max) {
        r->too_large = 1;
        return false;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = (r->len + n + 1) * 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return false;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return true;
}

/* The connection's watch, whose clock a request's headers stop (since = 0)
 * and its end starts again. */
static void watch_set(struct MHD_Connection *c, long long since)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watch *w = ci ? ci->socket_context : NULL;
    if (w)
        atomic_store(&w->since_us, since);
}

/* 413, saying the limit (max-body). */
static enum MHD_Result too_large(struct MHD_Connection *c, http_request *r)
{
    char message[80];
    snprintf(message, sizeof message, "the body is over %zu bytes", r->server->max_body);
    return send_error(c, r, 413, "payload_too_large", message);
}

/* GET /metrics in Prometheus's text format. */
static enum MHD_Result send_metrics(http_server *s, struct MHD_Connection *c, http_request *r)
{
    r->route = "metrics";
    if (strcmp(r->method, "GET") != 0)
        return send_error(c, r, 405, "method_not_allowed", "the metrics are read with GET");
    http_response res = {.status = 200, .content_type = "text/plain; version=0.0.4; charset=utf-8"};
    if (!(res.body = s->metrics(s->app)))
        return send_error(c, r, 503, "unavailable", "the metrics cannot be read now");
    res.len = strlen(res.body);
    return send_response(c, r, &res);
}

/* ---- uploads ------------------------------------------------------------------- */

/* The least rate an upload's body is let come at, in bytes a second. */
enum { UPLOAD_MIN_RATE = 16 * 1024 };

/* How long a request's body may take from its headers: request_timeout,
 * and for an upload as much again as what came so far takes at the least
 * rate, so that a large file on a slow line goes through (a 20 MiB file at
 * 1 Mbit/s takes nearly three minutes) while a trickle is still cut, a
 * body's whole time bounded by its limit. */
static long long body_deadline_us(const http_request *r)
{
    long long extra = (long long)(r->received / UPLOAD_MIN_RATE) * 1000000;
    return r->server->request_timeout_us + extra;
}

/* The error code of a status refusing an upload. */
static const char *status_code(int status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 413:
        return "payload_too_large";
    case 415:
        return "unsupported_media_type";
    case 503:
        return "unavailable";
    default:
        return status < 500 ? "refused" : "internal";
    }
}

/* Refuses the upload with status (why set already, or fmt given): the sink
 * goes at once, the rest of the body is read and let go. */
static bool refuse(http_request *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool refuse(http_request *r, int status, const char *fmt, ...)
{
    if (!r->refused) {
        r->refused = status;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->why, sizeof r->why, fmt, ap);
            va_end(ap);
        }
    }
    if (r->sink)
        r->server->upload.close(r->sink);
    r->sink = NULL;
    return false;
}

/* A chunk of the file part: the first opens the sink (an empty file opens
 * none), each is written to it. */
static bool on_file(http_request *r, const char *key, const char *filename, const char *data,
                    uint64_t off, size_t size)
{
    http_server *s = r->server;
    if (off == 0 && r->sunk)
        return refuse(r, 400, "$.file: one file per request");
    if (!size)
        return true;
    if (!r->sink) {
        int status = 500;
        r->sink = s->upload.open(s->app, key, filename, &status, r->why, sizeof r->why);
        if (!r->sink)
            return refuse(r, status, NULL);
        free(r->filename);
        if (!(r->filename = strdup(filename)))
            return refuse(r, 500, "out of memory");
    }
    int status = s->upload.write(r->sink, data, size, r->why, sizeof r->why);
    if (status)
        return refuse(r, status, NULL);
    r->sunk += size;
    return true;
}

/* A chunk of a form field, gathered. */
static bool on_field(http_request *r, const char *key, const char *data, uint64_t off,
                     size_t size)
{
    if (size && memchr(data, '\0', size))
        return refuse(r, 400, "the form field %.64s holds a NUL byte", key);
    r->form_bytes += size + (off == 0 ? strlen(key) : 0);
    if (r->form_bytes > HTTP_FORM_MAX)
        return refuse(r, 413, "the form's fields are over %d bytes", HTTP_FORM_MAX);
    if (off == 0 && r->n_form == FORM_FIELDS)
        return refuse(r, 400, "more than %d form fields", FORM_FIELDS);
    if (off == 0) {
        char *name = strdup(key);
        if (!name)
            return refuse(r, 500, "out of memory");
        r->form[r->n_form++].name = name;
    }
    form_field *f = &r->form[r->n_form - 1];
    char *value = realloc(f->value, f->len + size + 1);
    if (!value)
        return refuse(r, 500, "out of memory");
    memcpy(value + f->len, data, size);
    f->len += size;
    value[f->len] = '\0';
    f->value = value;
    return true;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind, (void)content_type, (void)transfer_encoding;
    http_request *r = cls;
    if (r->refused || !key)
        return MHD_NO;
    bool ok = filename ? on_file(r, key, filename, data, off, size)
                       : on_field(r, key, data, off, size);
    return ok ? MHD_YES : MHD_NO;
}

/* The upload's headers: refused at once when Content-Length is over its
 * limit or the body is no form; else its parser. */
static enum MHD_Result upload_begin(struct MHD_Connection *c, http_request *r, size_t limit,
                                    const char *length)
{
    r->upload_limit = limit;
    http_response res = {0};
    if (r->server->upload.admit && !r->server->upload.admit(r->server->app, r, &res))
        return send_response(c, r, &res);
    if (length && strtoull(length, NULL, 10) > limit) { /* refused before reading it */
        snprintf(r->why, sizeof r->why, "the body is over %zu bytes", limit);
        return send_error(c, r, 413, "payload_too_large", r->why);
    }
    if (!(r->pp = MHD_create_post_processor(c, 16 * 1024, on_part, r)))
        return send_error(c, r, 415, "unsupported_media_type",
                          "send the file as multipart/form-data");
    return MHD_YES;
}

/* The next bytes of an upload's body, parsed as they come; once refused,
 * read and let go. */
static void upload_chunk(http_request *r, const char *data, size_t n)
{
    if (r->refused)
        return;
    r->received += n;
    if (r->received > r->upload_limit) {
        refuse(r, 413, "the body is over %zu bytes", r->upload_limit);
        return;
    }
    if (MHD_post_process(r->pp, data, n) != MHD_YES && !r->refused)
        refuse(r, 400, "the body is not readable multipart/form-data");
}

/* The body's end: the parser's last word. */
static void upload_end(http_request *r)
{
    if (r->pp && MHD_destroy_post_processor(r->pp) != MHD_YES && !r->refused)
        refuse(r, 400, "the body is not readable multipart/form-data");
    r->pp = NULL;
}

/* What an upload held, let go as its request ends (a client gone half-way
 * included: its sink's temporary file goes). */
static void upload_free(http_request *r)
{
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    if (r->sink)
        r->server->upload.close(r->sink);
    free(r->filename);
    for (int i = 0; i < r->n_form; i++)
        free(r->form[i].name), free(r->form[i].value);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *s = cls;
    http_request *r = *con_cls;
    if (!r) {
        r = request_new(s, c, url, method);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        watch_set(c, 0);
        /* After request_new counted it: a stop either waits for it or is
         * seen here (both sides are sequentially consistent). */
        if (atomic_load(&s->draining))
            return send_error(c, r, 503, "stopping", "the server is stopping: try again shortly");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        size_t limit = s->upload.limit ? s->upload.limit(s->app, method, url) : 0;
        if (limit)
            return upload_begin(c, r, limit, cl);
        if (cl && strtoull(cl, NULL, 10) > s->max_body) /* refuse before reading it */
            return too_large(c, r);
        return MHD_YES;
    }
    if (r->queued) { /* answered before its body (413, 503): the rest is never handled */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        /* A body trickled in slowly enough never lets the connection go
         * silent: the deadline bounds the whole of it. libmicrohttpd queues
         * a response only before a body or after it, so closing is the one
         * answer to a body that comes too slowly; it is logged as a 408. */
        if (elapsed_us(r) > body_deadline_us(r)) {
            log_request(r, 408);
            return MHD_NO;
        }
        if (r->upload_limit)
            upload_chunk(r, upload_data, *upload_size);
        else if (!r->too_large)
            append(r, upload_data, *upload_size, s->max_body);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->ready) { /* resumed: the answer came from another thread */
        r->ready = false;
        return send_response(c, r, &r->answer);
    }
    if (r->again) { /* resumed without an answer: handled again, the usual way */
        r->again = false;
        r->redone = true;
    }
    if (r->too_large)
        return too_large(c, r);
    if (r->upload_limit)
        upload_end(r);
    if (r->refused)
        return send_error(c, r, r->refused, status_code(r->refused), r->why);
    if (strcmp(url, "/metrics") == 0 && s->metrics && cidr_listed_text(r->client, s->metrics_allow))
        return send_metrics(s, c, r);
    if (strncmp(url, "/api/", 5) != 0)
        return send_file(s, c, r);
    http_response res = {0};
    s->handler(s->app, r, &res);
    if (r->parked) { /* the answer may even be there already: resumed, this is called again */
        r->parked = false;
        return MHD_YES;
    }
    return send_response(c, r, &res);
}

http_deferred *http_defer(const http_request *req)
{
    http_request *r = (http_request *)req;
    http_server *s = r->server;
    pthread_mutex_lock(&s->defer_mu);
    bool ok = !s->deferral_over;
    if (ok)
        s->deferred++;
    pthread_mutex_unlock(&s->defer_mu);
    if (!ok)
        return NULL;
    r->parked = true;
    MHD_suspend_connection(r->conn);
    return (http_deferred *)r;
}

/* Resumes d's connection, its answer or its second turn set. */
static void resume(http_request *r)
{
    http_server *s = r->server;
    MHD_resume_connection(r->conn);
    pthread_mutex_lock(&s->defer_mu);
    if (--s->deferred == 0)
        pthread_cond_broadcast(&s->defer_done);
    pthread_mutex_unlock(&s->defer_mu);
}

void http_resume(http_deferred *d, http_response *res)
{
    http_request *r = (http_request *)d;
    r->answer = *res;
    r->ready = true;
    resume(r);
}

void http_resume_again(http_deferred *d)
{
    http_request *r = (http_request *)d;
    r->again = true;
    resume(r);
}

bool http_again(const http_request *r)
{
    return r->redone;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server *s = cls;
    watch_set(c, date_clock_us());
    http_request *r = *con_cls;
    if (r) {
        upload_free(r);
        free(r->body);
        free(r);
        *con_cls = NULL;
        atomic_fetch_sub(&s->begun, 1);
    }
}

/* Keeps a watch per connection, from its opening to its closing: closing
 * comes before libmicrohttpd closes the socket, so the watchdog never shuts
 * down a descriptor that another connection has since been given. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *s = cls;
    watch *w = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(w = calloc(1, sizeof *w)))
            return; /* unwatched: the silence timeout still applies */
        w->fd = ci->connect_fd;
        atomic_init(&w->since_us, date_clock_us());
        pthread_mutex_lock(&s->watch_mu);
        w->next = s->watched;
        if (s->watched)
            s->watched->prev = w;
        s->watched = w;
        pthread_mutex_unlock(&s->watch_mu);
        *socket_context = w;
    } else if (w) {
        pthread_mutex_lock(&s->watch_mu);
        if (w->prev)
            w->prev->next = w->next;
        else
            s->watched = w->next;
        if (w->next)
            w->next->prev = w->prev;
        pthread_mutex_unlock(&s->watch_mu);
        free(w);
        *socket_context = NULL;
    }
}

/* Shuts down every connection whose request's headers are not whole
 * request_timeout after its opening or its last answer; libmicrohttpd then
 * reads the end of the stream and closes it. Their log lines go to log, to
 * be written once the watches are let go (a slow stderr holds nobody). */
static size_t watch_cut_late(http_server *s, char *log, size_t size)
{
    long long now = date_clock_us();
    size_t len = 0;
    for (watch *w = s->watched; w; w = w->next) {
        long long since = atomic_load(&w->since_us);
        if (w->cut || !since || now - since <= s->request_timeout_us)
            continue;
        w->cut = true;
        shutdown(w->fd, SHUT_RDWR);
        int n = snprintf(log + len, size - len, "- (headers not whole) 408 %lldms\n",
                         (now - since) / 1000);
        if (n > 0 && (size_t)n < size - len)
            len += (size_t)n; /* else too many at once: the rest go unlogged */
    }
    return len;
}

static void *watchdog(void *arg)
{
    http_server *s = arg;
    char log[2048];
    pthread_mutex_lock(&s->watch_mu);
    while (!s->stopping) {
        /* A deadline is kept to a quarter of a second; the condition
         * variable waits on the wall clock, its default. */
        long long until = date_now_ms() + 250;
        struct timespec t = {(time_t)(until / 1000), (long)(until % 1000) * 1000000L};
        pthread_cond_timedwait(&s->watch_stop, &s->watch_mu, &t);
        size_t len = watch_cut_late(s, log, sizeof log);
        pthread_mutex_unlock(&s->watch_mu);
        if (len) /* at once, as every error's */
            reqlog_line(s->log, log, len, true);
        reqlog_tick(s->log); /* a quiet thread's last lines */
        pthread_mutex_lock(&s->watch_mu);
    }
    pthread_mutex_unlock(&s->watch_mu);
    return NULL;
}

static void watchdog_stop(http_server *s)
{
    pthread_mutex_lock(&s->watch_mu);
    s->stopping = true;
    pthread_cond_signal(&s->watch_stop);
    pthread_mutex_unlock(&s->watch_mu);
    pthread_join(s->watchdog, NULL);
    pthread_cond_destroy(&s->watch_stop);
    pthread_mutex_destroy(&s->watch_mu);
}

/* Its kind's record, under mhd_log_mu; past MHD_KINDS kinds the last record
 * is shared by the rest. */
static mhd_kind *mhd_kind_of(http_server *s, const char *fmt)
{
    int i = 0;
    while (i < MHD_KINDS - 1 && s->mhd_kinds[i].fmt && s->mhd_kinds[i].fmt != fmt)
        i++;
    s->mhd_kinds[i].fmt = fmt;
    return &s->mhd_kinds[i];
}

/* libmicrohttpd's messages, at most one line a second of each kind: one
 * address past its connection cap (--max-connections-per-client) gets a
 * "Server reached connection limit" line per connection refused, and would
 * flood the log. The next line of a kind says how many were left out. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_server *s = cls;
    long long now = date_clock_us() / 1000000;
    long long left_out = 0;
    pthread_mutex_lock(&s->mhd_log_mu);
    mhd_kind *k = mhd_kind_of(s, fmt);
    bool say = !k->second || now > k->second;
    if (say) {
        left_out = k->left_out;
        k->left_out = 0;
        k->second = now;
    } else {
        k->left_out++;
    }
    pthread_mutex_unlock(&s->mhd_log_mu);
    if (!say)
        return;
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (left_out)
        reqlog_stderr("%s (and %lld more like it since the last, not written)", text, left_out);
    else
        reqlog_stderr("%s", text);
}

/* At the stop: the lines left out since the last of their kind. */
static void mhd_log_flush(http_server *s)
{
    for (int i = 0; i < MHD_KINDS && s->mhd_kinds[i].fmt; i++)
        if (s->mhd_kinds[i].left_out)
            reqlog_stderr("%lld more lines like \"%.*s\" since the last, not written",
                          s->mhd_kinds[i].left_out, (int)strcspn(s->mhd_kinds[i].fmt, "\n"),
                          s->mhd_kinds[i].fmt);
}

int http_start(const http_config *c, http_handler handler, void *app, http_server **out, err *e)
{
    if ((c->trusted_proxies && strlen(c->trusted_proxies) > HTTP_TRUSTED_MAX) ||
        (c->metrics_allow && strlen(c->metrics_allow) > HTTP_TRUSTED_MAX))
        return err_set(e, ERR_INPUT, "trusted-proxy, metrics-allow: %d characters at most",
                       HTTP_TRUSTED_MAX);
    http_server *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_FAIL, "out of memory");
    if (listener_open(c->listen, &s->listen, e) != ERR_OK) {
        free(s);
        return e->code;
    }
    s->handler = handler;
    s->app = app;
    s->max_body = c->max_body;
    s->cancel = c->cancel;
    snprintf(s->trusted, sizeof s->trusted, "%s", c->trusted_proxies ? c->trusted_proxies : "");
    s->metrics = c->metrics;
    s->upload = c->upload;
    snprintf(s->metrics_allow, sizeof s->metrics_allow, "%s",
             c->metrics_allow ? c->metrics_allow : "127.0.0.0/8,::1");
    s->request_timeout_us = (long long)(c->request_timeout ? c->request_timeout : 60) * 1000000;
    /* Resolved once: a file is served when its own resolved path lies in it
     * (a missing folder serves nothing). */
    s->web_root = c->web_root ? realpath(c->web_root, NULL) : NULL;
    pthread_mutex_init(&s->defer_mu, NULL);
    pthread_cond_init(&s->defer_done, NULL);
    pthread_mutex_init(&s->watch_mu, NULL);
    pthread_cond_init(&s->watch_stop, NULL);
    pthread_mutex_init(&s->mhd_log_mu, NULL);
    s->log = reqlog_new(STDERR_FILENO); /* NULL: each line written at once */
    if (pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
        pthread_cond_destroy(&s->watch_stop);
        pthread_mutex_destroy(&s->watch_mu);
        pthread_mutex_destroy(&s->mhd_log_mu);
        reqlog_free(s->log);
        listener_close(&s->listen);
        free(s->web_root);
        free(s);
        return err_set(e, ERR_FAIL, "cannot start a thread");
    }
    /* A connection silent that long is closed: slow and half-open clients
     * cannot hold connections (HTTP_MAX_CONNECTIONS at most) forever. And
     * one address cannot hold them all: past per_client of its own, its new
     * connections are closed at once, and other clients still get in. */
    unsigned silent = c->connection_timeout ? c->connection_timeout : 30;
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, /* first */
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen.fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(c->threads ? c->threads : 4), MHD_OPTION_CONNECTION_TIMEOUT, silent,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->per_client, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)POOL_BYTES, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->d) {
        watchdog_stop(s);
        pthread_mutex_destroy(&s->mhd_log_mu);
        reqlog_free(s->log);
        listener_close(&s->listen);
        free(s->web_root);
        free(s);
        return err_set(e, ERR_UNAVAILABLE, "cannot serve on %s", c->listen);
    }
    s->port = s->listen.port;
    *out = s;
    return ERR_OK;
}

int http_port(const http_server *s)
{
    return s->port;
}

const char *http_where(const http_server *s)
{
    return s->listen.where;
}

/* Waits, ms at most, until no request is begun and not completed: the
 * requests a stop finds under way get their answers. New connections are
 * no longer taken (quiesced), a request begun from now on gets a 503
 * without being handled, and each answer closes its connection. A request
 * still under way after that is cut. */
static void drain(http_server *s, int ms)
{
    atomic_store(&s->draining, true);
    const struct timespec step = {0, 10 * 1000000L};
    for (int waited = 0; atomic_load(&s->begun) > 0 && waited < ms; waited += 10)
        nanosleep(&step, NULL);
}

void http_stop(http_server *s)
{
    if (!s)
        return;
    /* Closed only after MHD_stop_daemon: the pool's threads may still use it. */
    MHD_socket listening = MHD_quiesce_daemon(s->d);
    drain(s, DRAIN_MS);
    /* What still runs past the drain is a script slow to end (a report, a
     * what-if): interrupted, its request answered with the error, so that a
     * stop never waits for a script's own limits. */
    if (s->cancel && atomic_load(&s->begun) > 0) {
        atomic_store(s->cancel, 1);
        drain(s, CANCEL_MS);
    }
    /* The answers still being written come first: their connections are
     * suspended, and the threads that write them resume them. */
    pthread_mutex_lock(&s->defer_mu);
    s->deferral_over = true;
    while (s->deferred > 0)
        pthread_cond_wait(&s->defer_done, &s->defer_mu);
    pthread_mutex_unlock(&s->defer_mu);
    MHD_stop_daemon(s->d); /* closes every connection: no watch is left */
    if (listening != MHD_INVALID_SOCKET)
        close(listening);
    s->listen.fd = -1; /* closed above */
    listener_close(&s->listen); /* a Unix socket's file goes */
    watchdog_stop(s);
    reqlog_free(s->log);
    pthread_cond_destroy(&s->defer_done);
    pthread_mutex_destroy(&s->defer_mu);
    mhd_log_flush(s);
    pthread_mutex_destroy(&s->mhd_log_mu);
    free(s->web_root);
    free(s);
}
