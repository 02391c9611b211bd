/* reqlog: per-thread buffers of whole lines, on a list the ticking thread
 * walks. Uses pthreads and date (its clock). */
#include "reqlog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "text.h"

#define BUFFER 8192
#define DELAY_US 200000LL

typedef struct buffer {
    pthread_mutex_t mu; /* its thread's and the ticking thread's */
    size_t len;
    long long since_us; /* when its first line came */
    struct buffer *next;
    char data[BUFFER];
} buffer;

struct reqlog {
    int fd;
    pthread_key_t key; /* each thread's buffer */
    pthread_mutex_t mu;
    buffer *all;
};

static void write_out(int fd, const char *text, size_t len)
{
    if (len && write(fd, text, len) < 0)
        return; /* nowhere to say it */
}

/* With b->mu held. */
static void flush(reqlog *l, buffer *b)
{
    write_out(l->fd, b->data, b->len);
    b->len = 0;
}

reqlog *reqlog_new(int fd)
{
    reqlog *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    if (pthread_key_create(&l->key, NULL) != 0) {
        free(l);
        return NULL;
    }
    l->fd = fd;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

/* This thread's buffer, made on its first line; NULL when out of memory. */
static buffer *own(reqlog *l)
{
    buffer *b = pthread_getspecific(l->key);
    if (b || !(b = calloc(1, sizeof *b)))
        return b;
    pthread_mutex_init(&b->mu, NULL);
    pthread_mutex_lock(&l->mu);
    b->next = l->all;
    l->all = b;
    pthread_mutex_unlock(&l->mu);
    pthread_setspecific(l->key, b);
    return b;
}

void reqlog_line(reqlog *l, const char *line, size_t len, bool urgent)
{
    buffer *b = l ? own(l) : NULL;
    if (!b) {
        write_out(l ? l->fd : STDERR_FILENO, line, len);
        return;
    }
    pthread_mutex_lock(&b->mu);
    if (b->len + len > sizeof b->data)
        flush(l, b);
    if (len > sizeof b->data) {
        write_out(l->fd, line, len);
    } else {
        long long now = date_clock_us();
        if (!b->len)
            b->since_us = now;
        memcpy(b->data + b->len, line, len);
        b->len += len;
        if (urgent || now - b->since_us >= DELAY_US)
            flush(l, b);
    }
    pthread_mutex_unlock(&b->mu);
}

/* Whether byte i of s is written as it is: in a field, printable ASCII but
 * the space, '"' and '\\'; in a message, anything but control characters
 * (U+0080 to U+009F included, as C2 80 to C2 9F) and '\\'. */
static bool plain(const unsigned char *s, size_t i, bool message)
{
    unsigned char c = s[i];
    if (!message)
        return c > ' ' && c < 0x7f && c != '"' && c != '\\';
    bool c1 = (c == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) ||
              (c >= 0x80 && c <= 0x9f && i > 0 && s[i - 1] == 0xc2);
    return c >= ' ' && c != 0x7f && c != '\\' && !c1;
}

static size_t escape(char *out, size_t size, const char *text, size_t max, bool message)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < max && text[i]; i++) {
        const unsigned char *p = (const unsigned char *)text + i;
        bool as_is = plain((const unsigned char *)text, i, message);
        if (n + (as_is ? 1 : 4) >= size)
            break;
        if (as_is) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    if (size)
        out[n] = '\0';
    return n;
}

size_t reqlog_escape(char *out, size_t size, const char *text, size_t max)
{
    return escape(out, size, text, max, false);
}

size_t reqlog_escape_message(char *out, size_t size, const char *text)
{
    return escape(out, size, text, (size_t)-1, true);
}

static bool json_lines;

void reqlog_set_json(bool json)
{
    json_lines = json;
}

bool reqlog_json(void)
{
    return json_lines;
}

void reqlog_stderr(const char *fmt, ...)
{
    char text[2048], line[4 * sizeof text], stamp[DATE_STAMP_LEN + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t n = reqlog_escape_message(line, sizeof line, text);
    date_stamp(stamp);
    /* JSON is UTF-8: a message whose bytes are not (a client's, a script's)
     * is written with every byte outside printable ASCII escaped instead. */
    if (json_lines && !text_utf8_valid(line, n))
        reqlog_escape(line, sizeof line, text, sizeof text);
    if (!json_lines) {
        fprintf(stderr, "%s %s\n", stamp, line);
        return;
    }
    /* The escaped text is ASCII but for UTF-8 text, which JSON keeps. */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", stamp);
    cJSON_AddStringToObject(o, "message", line);
    char *printed = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (printed)
        fprintf(stderr, "%s\n", printed);
    free(printed);
}

void reqlog_tick(reqlog *l)
{
    if (!l)
        return;
    long long now = date_clock_us();
    pthread_mutex_lock(&l->mu);
    buffer *first = l->all; /* buffers are only ever added in front */
    pthread_mutex_unlock(&l->mu);
    for (buffer *b = first; b; b = b->next) {
        pthread_mutex_lock(&b->mu);
        if (b->len && now - b->since_us >= DELAY_US)
            flush(l, b);
        pthread_mutex_unlock(&b->mu);
    }
}

void reqlog_free(reqlog *l)
{
    if (!l)
        return;
    for (buffer *b = l->all, *next; b; b = next) {
        next = b->next;
        flush(l, b);
        pthread_mutex_destroy(&b->mu);
        free(b);
    }
    pthread_key_delete(l->key);
    pthread_mutex_destroy(&l->mu);
    free(l);
}
