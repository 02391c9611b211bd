/* reqlog: per-thread buffers of whole lines, on a list the ticking thread
 * walks. Uses pthreads and date (its clock). */
#include "reqlog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"

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

size_t reqlog_escape(char *out, size_t size, const char *text, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; text[i] && i < max; i++) {
        unsigned char c = (unsigned char)text[i];
        bool plain = c > ' ' && c < 0x7f && c != '"' && c != '\\';
        if (n + (plain ? 1 : 4) >= size)
            break;
        if (plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    if (size)
        out[n] = '\0';
    return n;
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
