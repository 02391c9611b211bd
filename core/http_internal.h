/* http_internal: what the HTTP layer's files share (private to
 * core/http*.c): the server's and a request's records, and the calls that
 * queue an answer. http.c runs the request cycle, http_upload.c parses
 * multipart uploads, http_static.c serves the web folder. */
#ifndef LABELCOOP_HTTP_INTERNAL_H
#define LABELCOOP_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "http.h"
#include "listener.h"
#include "reqlog.h"

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
    void (*route_info)(void *app, const char *method, const char *path, http_route_info *out);
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

/* Queues mr as the answer with status (http.c): the request id, the
 * draining server's Connection: close, the log line. */
enum MHD_Result http_queue(struct MHD_Connection *c, http_request *r, int status,
                           struct MHD_Response *mr);
/* Queues res (its body, file, cookie and headers, all let go). */
enum MHD_Result http_send_response(struct MHD_Connection *c, http_request *r, http_response *res);
/* Queues the error {"error": {"code","message","path"}} with status. */
enum MHD_Result http_send_error(struct MHD_Connection *c, http_request *r, int status,
                                const char *code, const char *message);

/* Uploads (http_upload.c). How long r's body may take from its headers. */
long long http_body_deadline_us(const http_request *r);
/* The error code of a status refusing an upload ("payload_too_large"). */
const char *http_refusal_code(int status);
/* The upload's headers: refused at once (answer queued) when Content-Length
 * is over limit or the body is no form; else its parser set up. */
enum MHD_Result http_upload_begin(struct MHD_Connection *c, http_request *r, size_t limit,
                                  const char *length);
/* The next n bytes of the body, parsed as they come. */
void http_upload_chunk(http_request *r, const char *data, size_t n);
/* The body's end: the parser's last word (r->refused set when it refuses). */
void http_upload_end(http_request *r);
/* What the upload held, let go as its request ends. */
void http_upload_free(http_request *r);

/* A file of the web folder, for GET and HEAD (http_static.c). */
enum MHD_Result http_send_file(http_server *s, struct MHD_Connection *c, http_request *r);

#endif
