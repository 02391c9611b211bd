/* doccache: rendered documents kept by one thread, each tagged with the
 * database version it was rendered at (store_version); a lookup at another
 * version misses, so a document is never served after a change. Not thread
 * safe: one cache per worker thread. */
#ifndef LABELCOOP_DOCCACHE_H
#define LABELCOOP_DOCCACHE_H

#include <stdbool.h>
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

/* docstore: documents kept for every thread (thread safe), under a key that
 * names what they show (a hash of their data), so a copy can never be stale:
 * the PDFs of frozen assessments, drawn once. It also counts the documents
 * being drawn, so that drawing never takes every request worker. */
typedef struct docstore docstore;

/* A store of at most max_bytes, drawing at most max_drawing documents at
 * once; NULL when out of memory. */
docstore *docstore_new(size_t max_bytes, int max_drawing);
void docstore_free(docstore *d);
/* A copy of the bytes kept under key in *out (caller frees), or false. */
bool docstore_get(docstore *d, const char *key, char **out, size_t *len);
/* Keeps a copy of bytes under key (the least recently used go first),
 * unless one is kept already: two requests that drew the same document at
 * once (its bytes differ by the time cairo writes in) leave the first. A
 * document over a quarter of the budget is not kept. */
void docstore_put(docstore *d, const char *key, const char *bytes, size_t len);
/* Takes one of the drawing places, waiting wait_ms at most for one to be
 * given back (a user who clicks twice waits rather than being refused);
 * false when none was. One request waits at a time (a waiting request holds
 * its worker): the others are refused at once. A place taken is given back
 * with docstore_drawn. */
bool docstore_drawing(docstore *d, int wait_ms);
void docstore_drawn(docstore *d);

#endif
