/* http_upload: multipart/form-data bodies parsed as they come with
 * libmicrohttpd's post processor: the file part streamed to the sink the
 * application gives (http_upload), the few text fields gathered, and any
 * refusal answered once the body is read. Uses libmicrohttpd. */
#include "http_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The least rate an upload's body is let come at, in bytes a second. */
enum { UPLOAD_MIN_RATE = 16 * 1024 };

/* How long a request's body may take from its headers: request_timeout,
 * and for an upload as much again as what came so far takes at the least
 * rate, so that a large file on a slow line goes through (a 20 MiB file at
 * 1 Mbit/s takes nearly three minutes) while a trickle is still cut, a
 * body's whole time bounded by its limit. */
long long http_body_deadline_us(const http_request *r)
{
    long long extra = (long long)(r->received / UPLOAD_MIN_RATE) * 1000000;
    return r->server->request_timeout_us + extra;
}

/* The error code of a status refusing an upload. */
const char *http_refusal_code(int status)
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
enum MHD_Result http_upload_begin(struct MHD_Connection *c, http_request *r, size_t limit,
                                    const char *length)
{
    r->upload_limit = limit;
    http_response res = {0};
    if (r->server->upload.admit && !r->server->upload.admit(r->server->app, r, &res))
        return http_send_response(c, r, &res);
    if (length && strtoull(length, NULL, 10) > limit) { /* refused before reading it */
        snprintf(r->why, sizeof r->why, "the body is over %zu bytes", limit);
        return http_send_error(c, r, 413, "payload_too_large", r->why);
    }
    if (!(r->pp = MHD_create_post_processor(c, 16 * 1024, on_part, r)))
        return http_send_error(c, r, 415, "unsupported_media_type",
                          "send the file as multipart/form-data");
    return MHD_YES;
}

/* The next bytes of an upload's body, parsed as they come; once refused,
 * read and let go. */
void http_upload_chunk(http_request *r, const char *data, size_t n)
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
void http_upload_end(http_request *r)
{
    if (r->pp && MHD_destroy_post_processor(r->pp) != MHD_YES && !r->refused)
        refuse(r, 400, "the body is not readable multipart/form-data");
    r->pp = NULL;
}

/* What an upload held, let go as its request ends (a client gone half-way
 * included: its sink's temporary file goes). */
void http_upload_free(http_request *r)
{
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    if (r->sink)
        r->server->upload.close(r->sink);
    free(r->filename);
    for (int i = 0; i < r->n_form; i++)
        free(r->form[i].name), free(r->form[i].value);
}
