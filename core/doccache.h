/* doccache: rendered documents kept by one thread, each tagged with the
 * database version it was rendered at (store_version); a lookup at another
 * version misses, so a document is never served after a change. Not thread
 * safe: one cache per worker thread. */
#ifndef LABELCOOP_DOCCACHE_H
#define LABELCOOP_DOCCACHE_H

#include <stddef.h>

#include "store.h"

typedef struct doccache doccache;

/* A cache of at most max_bytes of text; NULL when out of memory. */
doccache *doccache_new(size_t max_bytes);
void doccache_free(doccache *c);

/* The text kept for key at version v, or NULL; borrowed until the next put.
 * *meta (may be NULL) gets what was kept with it. */
const char *doccache_get(doccache *c, long long key, const store_version *v, size_t *len,
                         const void **meta);
/* Keeps a copy of text for key, rendered at version v (read before rendering:
 * a change in between only makes the entry miss), and of meta_len bytes of
 * meta, what the caller needs besides the text (the record it checked). */
void doccache_put(doccache *c, long long key, const store_version *v, const char *text, size_t len,
                  const void *meta, size_t meta_len);

#endif
