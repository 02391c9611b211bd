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
    char *text;
    size_t len;
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

static bool same(const store_version *a, const store_version *b)
{
    return a->data == b->data && a->own == b->own;
}

const char *doccache_get(doccache *c, long long key, const store_version *v, size_t *len)
{
    slot *s = slot_of(c, key);
    if (!s->text || s->key != key || !same(&s->v, v))
        return NULL;
    *len = s->len;
    return s->text;
}

void doccache_put(doccache *c, long long key, const store_version *v, const char *text, size_t len)
{
    slot *s = slot_of(c, key);
    c->bytes -= s->len;
    free(s->text);
    *s = (slot){0};
    if (len > c->max_bytes / 8 || c->bytes + len > c->max_bytes || !(s->text = malloc(len)))
        return;
    memcpy(s->text, text, len);
    s->key = key;
    s->v = *v;
    s->len = len;
    c->bytes += len;
}
