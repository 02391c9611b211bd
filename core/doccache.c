/* doccache: a small direct-mapped table (a key has one slot; a newer
 * document for another key in the same slot replaces it), bounded in bytes:
 * a document larger than an eighth of the budget is not kept. */
#include "doccache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 64

typedef struct slot {
    long long key;
    store_version v;
    char *text; /* the text, then the meta bytes */
    size_t len, meta_len;
} slot;

struct doccache {
    size_t max_bytes, bytes;
    slot slots[SLOTS];
};

doccache *doccache_new(size_t max_bytes)
{
    doccache *c = calloc(1, sizeof *c);
    if (c)
        c->max_bytes = max_bytes;
    return c;
}

void doccache_free(doccache *c)
{
    if (!c)
        return;
    for (int i = 0; i < SLOTS; i++)
        free(c->slots[i].text);
    free(c);
}

static slot *slot_of(doccache *c, long long key)
{
    return &c->slots[(unsigned long long)key % SLOTS];
}

const char *doccache_get(doccache *c, long long key, const store_version *v, size_t *len,
                         const void **meta)
{
    slot *s = slot_of(c, key);
    if (!s->text || s->key != key || !store_version_same(&s->v, v))
        return NULL;
    *len = s->len;
    if (meta)
        *meta = s->meta_len ? s->text + s->len : NULL;
    return s->text;
}

void doccache_put(doccache *c, long long key, const store_version *v, const char *text, size_t len,
                  const void *meta, size_t meta_len)
{
    slot *s = slot_of(c, key);
    c->bytes -= s->len + s->meta_len;
    free(s->text);
    *s = (slot){0};
    size_t all = len + meta_len;
    if (all > c->max_bytes / 8 || c->bytes + all > c->max_bytes || !(s->text = malloc(all)))
        return;
    memcpy(s->text, text, len);
    if (meta_len)
        memcpy(s->text + len, meta, meta_len);
    s->key = key;
    s->v = *v;
    s->len = len;
    s->meta_len = meta_len;
    c->bytes += all;
}

/* ---- docstore: a few documents for every thread, least recently used out -- */

#define SHELF 16
#define KEY_LEN 96

typedef struct shelf {
    char key[KEY_LEN];
    char *bytes;
    size_t len;
    unsigned long long used; /* the store's clock at the last get or put */
} shelf;

struct docstore {
    pthread_mutex_t mu;
    pthread_cond_t freed; /* a drawing place was given back */
    size_t max_bytes, bytes;
    int max_drawing, drawing;
    int waiting; /* requests waiting for a drawing place: one at most */
    unsigned long long clock;
    shelf shelves[SHELF];
};

docstore *docstore_new(size_t max_bytes, int max_drawing)
{
    docstore *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    pthread_mutex_init(&d->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->freed, &ca);
    pthread_condattr_destroy(&ca);
    d->max_bytes = max_bytes;
    d->max_drawing = max_drawing;
    return d;
}

void docstore_free(docstore *d)
{
    if (!d)
        return;
    for (int i = 0; i < SHELF; i++)
        free(d->shelves[i].bytes);
    pthread_cond_destroy(&d->freed);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

static shelf *find(docstore *d, const char *key)
{
    for (int i = 0; i < SHELF; i++)
        if (d->shelves[i].bytes && strcmp(d->shelves[i].key, key) == 0)
            return &d->shelves[i];
    return NULL;
}

static void empty(docstore *d, shelf *s)
{
    d->bytes -= s->len;
    free(s->bytes);
    *s = (shelf){0};
}

bool docstore_get(docstore *d, const char *key, char **out, size_t *len)
{
    *out = NULL;
    pthread_mutex_lock(&d->mu);
    shelf *s = find(d, key);
    if (s && (*out = malloc(s->len ? s->len : 1))) {
        memcpy(*out, s->bytes, s->len);
        *len = s->len;
        s->used = ++d->clock;
    }
    pthread_mutex_unlock(&d->mu);
    return *out != NULL;
}

/* The least recently used shelf holding a document, or NULL. */
static shelf *least_used(docstore *d)
{
    shelf *o = NULL;
    for (int i = 0; i < SHELF; i++)
        if (d->shelves[i].bytes && (!o || d->shelves[i].used < o->used))
            o = &d->shelves[i];
    return o;
}

/* An empty shelf, the least recently used one emptied when none is. */
static shelf *empty_shelf(docstore *d)
{
    for (int i = 0; i < SHELF; i++)
        if (!d->shelves[i].bytes)
            return &d->shelves[i];
    shelf *s = least_used(d);
    empty(d, s);
    return s;
}

void docstore_put(docstore *d, const char *key, const char *bytes, size_t len)
{
    if (len > d->max_bytes / 4 || strlen(key) >= KEY_LEN)
        return;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, bytes, len);
    pthread_mutex_lock(&d->mu);
    shelf *s = find(d, key);
    if (s) { /* drawn meanwhile by another request: the first copy stays */
        s->used = ++d->clock;
        pthread_mutex_unlock(&d->mu);
        free(copy);
        return;
    }
    while (d->bytes + len > d->max_bytes && (s = least_used(d)))
        empty(d, s);
    s = empty_shelf(d);
    snprintf(s->key, sizeof s->key, "%s", key);
    s->bytes = copy;
    s->len = len;
    s->used = ++d->clock;
    d->bytes += len;
    pthread_mutex_unlock(&d->mu);
}

bool docstore_drawing(docstore *d, int wait_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->mu);
    /* A request waiting holds its worker: one waits, the others are refused
     * at once, so that PDFs never take every worker. */
    if (d->drawing >= d->max_drawing && !d->waiting) {
        d->waiting++;
        int rc = 0;
        while (d->drawing >= d->max_drawing && rc == 0) /* until a place, or the time, is up */
            rc = pthread_cond_timedwait(&d->freed, &d->mu, &until);
        d->waiting--;
    }
    bool ok = d->drawing < d->max_drawing;
    if (ok)
        d->drawing++;
    pthread_mutex_unlock(&d->mu);
    return ok;
}

void docstore_drawn(docstore *d)
{
    pthread_mutex_lock(&d->mu);
    d->drawing--;
    pthread_cond_signal(&d->freed);
    pthread_mutex_unlock(&d->mu);
}
