/* doccache: a small direct-mapped table (a key has one slot; a newer
 * document for another key in the same slot replaces it), bounded in bytes:
 * a document larger than an eighth of the budget is not kept. */
#include "doccache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
