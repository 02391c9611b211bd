/* http: libmicrohttpd glue, the request cycle. Each request gets a small
 * record that gathers its body (or streams an upload's: http_upload.c);
 * the handler runs once the body is complete; other paths are the web
 * folder's files (http_static.c). Every request is logged to stderr (see
 * reqlog.h), without bodies, tokens or cookies. Uses libmicrohttpd, cJSON
 * and reqlog. */
#include "http_internal.h"

#include <arpa/inet.h>
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
    cJSON_AddNumberToObject(o, "ms", (double)(us - us % 100) / 1000); /* tenths, rounded down */
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
enum MHD_Result http_queue(struct MHD_Connection *c, http_request *r, int status,
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

enum MHD_Result http_send_response(struct MHD_Connection *c, http_request *r, http_response *res)
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
    return http_queue(c, r, res->status, mr);
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

enum MHD_Result http_send_error(struct MHD_Connection *c, http_request *r, int status,
                                  const char *code, const char *message)
{
    http_response res = {0};
    http_error(&res, status, code, message, NULL);
    return http_send_response(c, r, &res);
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
    return http_send_error(c, r, 413, "payload_too_large", message);
}

/* GET /metrics in Prometheus's text format. */
static enum MHD_Result send_metrics(http_server *s, struct MHD_Connection *c, http_request *r)
{
    r->route = "metrics";
    if (strcmp(r->method, "GET") != 0)
        return http_send_error(c, r, 405, "method_not_allowed", "the metrics are read with GET");
    http_response res = {.status = 200, .content_type = "text/plain; version=0.0.4; charset=utf-8"};
    if (!(res.body = s->metrics(s->app)))
        return http_send_error(c, r, 503, "unavailable", "the metrics cannot be read now");
    res.len = strlen(res.body);
    return http_send_response(c, r, &res);
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
        http_route_info info = {0};
        if (s->route_info)
            s->route_info(s->app, method, url, &info);
        if (info.secret)
            r->route = info.secret, r->hide_path = true;
        /* After request_new counted it: a stop either waits for it or is
         * seen here (both sides are sequentially consistent). */
        if (atomic_load(&s->draining))
            return http_send_error(c, r, 503, "stopping", "the server is stopping: try again shortly");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (info.upload_limit)
            return http_upload_begin(c, r, info.upload_limit, cl);
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
        if (elapsed_us(r) > http_body_deadline_us(r)) {
            log_request(r, 408);
            return MHD_NO;
        }
        if (r->upload_limit)
            http_upload_chunk(r, upload_data, *upload_size);
        else if (!r->too_large)
            append(r, upload_data, *upload_size, s->max_body);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->ready) { /* resumed: the answer came from another thread */
        r->ready = false;
        return http_send_response(c, r, &r->answer);
    }
    if (r->again) { /* resumed without an answer: handled again, the usual way */
        r->again = false;
        r->redone = true;
    }
    if (r->too_large)
        return too_large(c, r);
    if (r->upload_limit)
        http_upload_end(r);
    if (r->refused)
        return http_send_error(c, r, r->refused, http_refusal_code(r->refused), r->why);
    if (strcmp(url, "/metrics") == 0 && s->metrics && cidr_listed_text(r->client, s->metrics_allow))
        return send_metrics(s, c, r);
    if (strncmp(url, "/api/", 5) != 0)
        return http_send_file(s, c, r);
    http_response res = {0};
    s->handler(s->app, r, &res);
    if (r->parked) { /* the answer may even be there already: resumed, this is called again */
        r->parked = false;
        return MHD_YES;
    }
    return http_send_response(c, r, &res);
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
        http_upload_free(r);
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
    s->route_info = c->route_info;
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
