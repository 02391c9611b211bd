/* filewriter: see filewriter.h. The blocks are a ring: the caller copies
 * the bytes into block head % BLOCKS, while the writer writes blocks tail
 * to head - 1 and the hasher hashes blocks hashed to head - 1, each at its
 * own pace; a block is filled again once both are past it. The caller
 * waits only when the ring is full, each of the others only when it has
 * caught up. A 10 MiB upload spent a third of its time hashing and writing
 * on the thread that received it, a sixth waiting for the final fsync
 * (which now finds most of the file written back already) and a tenth
 * reading its type after it (now read by the writer, from the first bytes
 * as they land). Hashing on the receiving thread left it the slowest of
 * the three; on a thread of its own, the upload took a fifth less time. */
#define _GNU_SOURCE /* sync_file_range, Linux's: starting writeback without waiting */
#include "filewriter.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

enum {
    BLOCK = 256 * 1024,
    BLOCKS = 8,
    WRITEBACK = 1024 * 1024, /* writeback is started a MiB at a time */
    MAX_WRITERS = 16,        /* files on threads (two, and BLOCKS blocks each) at once */
    HASH_FAILED = -1,        /* an error that is no errno */
};

typedef enum { UNDECIDED, THREADED, INLINE } writer_mode;

struct filewriter {
    int fd;
    char *name;
    EVP_MD_CTX *hash;
    char *block[BLOCKS];
    size_t fill[BLOCKS]; /* the bytes of each block handed over */
    size_t filling;      /* the bytes in block head % BLOCKS, being filled */
    unsigned head, tail, hashed; /* blocks handed over, written, hashed */
    off_t written, written_back;
    size_t prefix_bytes;
    filewriter_prefix_fn on_prefix; /* NULL once called */
    void *ud;
    writer_mode mode;
    bool ending, abandoned, drained, hash_done, flushed, joined;
    int error, flush_error; /* the first failure's errno (or HASH_FAILED); 0: none */
    int told; /* the failure the caller was told of, the caller's own copy */
    unsigned char digest[FILEWRITER_DIGEST_LEN];
    pthread_t thread, hasher;
    pthread_mutex_t lock;
    /* Two conditions, so that nobody is woken for what is not theirs: more
     * (a block handed over, the end, or the file given up) for the writer
     * and the hasher; freed (a block done with, drained, hashed, flushed)
     * for the caller. One for all woke each consumer at the other's every
     * block, to find nothing to do. */
    pthread_cond_t more, freed;
};

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static int writers_running;

/* Blocks let go, kept for the next files (under writers_lock): a fresh
 * block costs 64 page faults on first touch, and the eight of a 10 MiB
 * upload's ring were nearly half its page faults (1,130 then 635), most
 * of a millisecond of its time. */
enum { SPARE_BLOCKS = 2 * BLOCKS };
static char *spare_blocks[SPARE_BLOCKS];
static int n_spare_blocks;

static char *block_take(void)
{
    char *b = NULL;
    pthread_mutex_lock(&writers_lock);
    if (n_spare_blocks > 0)
        b = spare_blocks[--n_spare_blocks];
    pthread_mutex_unlock(&writers_lock);
    return b ? b : malloc(BLOCK);
}

static void block_give_back(char *b)
{
    pthread_mutex_lock(&writers_lock);
    if (b && n_spare_blocks < SPARE_BLOCKS)
        spare_blocks[n_spare_blocks++] = b, b = NULL;
    pthread_mutex_unlock(&writers_lock);
    free(b);
}

static int fail(filewriter *w, int error, err *e)
{
    w->told = error;
    if (error == HASH_FAILED)
        return err_set(e, ERR_FAIL, "%s: SHA-256 failed", w->name);
    return err_set(e, ERR_FAIL, "%s: %s", w->name, strerror(error));
}

int filewriter_open(int fd, const char *name, size_t prefix_bytes, filewriter_prefix_fn on_prefix,
                    void *ud, filewriter **out, err *e)
{
    *out = NULL;
    filewriter *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_FAIL, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->more, NULL);
    pthread_cond_init(&w->freed, NULL);
    w->fd = fd, w->name = strdup(name), w->hash = EVP_MD_CTX_new();
    w->prefix_bytes = prefix_bytes, w->on_prefix = on_prefix, w->ud = ud;
    if (!w->name || !w->hash || EVP_DigestInit_ex(w->hash, EVP_sha256(), NULL) != 1) {
        filewriter_free(w);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    *out = w;
    return ERR_OK;
}

/* Writes n bytes at p, and starts writing back each MiB done: 0, or the
 * errno of the failure. */
static int put_block(filewriter *w, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        p += k, n -= (size_t)k, w->written += k;
    }
    if (w->written - w->written_back >= WRITEBACK) {
        /* Only a hint: the final fsync is what makes the bytes durable. */
        (void)sync_file_range(w->fd, w->written_back, w->written - w->written_back,
                              SYNC_FILE_RANGE_WRITE);
        w->written_back = w->written;
    }
    return 0;
}

/* Gives on_prefix the file's first bytes once they are all written (or
 * the whole file, at its end: last), read back from the page cache. */
static int give_prefix(filewriter *w, bool last)
{
    if (!w->on_prefix || (!last && (size_t)w->written < w->prefix_bytes))
        return 0;
    size_t n = (size_t)w->written < w->prefix_bytes ? (size_t)w->written : w->prefix_bytes;
    char *data = malloc(n ? n : 1);
    if (!data)
        return ENOMEM;
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(w->fd, data + got, n - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int error = k < 0 ? errno : EIO;
            free(data);
            return error;
        }
        got += (size_t)k;
    }
    w->on_prefix(w->ud, data, n);
    w->on_prefix = NULL;
    free(data);
    return 0;
}

/* On the caller's thread (a file written inline): the digest, then the disk. */
static int hash_and_put(filewriter *w, const char *p, size_t n)
{
    if (EVP_DigestUpdate(w->hash, p, n) != 1)
        return HASH_FAILED;
    return put_block(w, p, n);
}

static int digest_final(filewriter *w)
{
    unsigned int len = 0;
    return EVP_DigestFinal_ex(w->hash, w->digest, &len) == 1 && len == FILEWRITER_DIGEST_LEN
               ? 0
               : HASH_FAILED;
}

/* Called with the lock held: the oldest block still in use, which both the
 * writer and the hasher must be past before it is filled again. */
static unsigned oldest_in_use(const filewriter *w)
{
    return w->tail < w->hashed ? w->tail : w->hashed;
}

/* Called with the lock held: waits for a block past *tail (a consumer's:
 * the writer's or the hasher's), or for the end. Whether there is one. */
static bool next_block(filewriter *w, const unsigned *tail)
{
    while (*tail == w->head && !w->ending && !w->abandoned)
        pthread_cond_wait(&w->more, &w->lock);
    return *tail != w->head && !w->abandoned;
}

/* Called with the lock held: act on each block past *tail as it comes
 * (with the lock let go; skipped after any failure), until the end. */
static void consume(filewriter *w, unsigned *tail, int (*act)(filewriter *w, unsigned i))
{
    while (next_block(w, tail)) {
        unsigned i = *tail % BLOCKS;
        bool failed = w->error != 0;
        pthread_mutex_unlock(&w->lock);
        int error = failed ? 0 : act(w, i);
        pthread_mutex_lock(&w->lock);
        if (error && !w->error)
            w->error = error;
        /* The caller waits for the slower of the two to free a block. */
        bool frees = *tail == oldest_in_use(w);
        (*tail)++;
        if (frees)
            pthread_cond_broadcast(&w->freed);
    }
}

static int hash_block(filewriter *w, unsigned i)
{
    return EVP_DigestUpdate(w->hash, w->block[i], w->fill[i]) == 1 ? 0 : HASH_FAILED;
}

static int write_block(filewriter *w, unsigned i)
{
    int error = put_block(w, w->block[i], w->fill[i]);
    return error ? error : give_prefix(w, false);
}

/* The hasher: every block handed over, in order, into the digest. */
static void *hasher_run(void *arg)
{
    filewriter *w = arg;
    pthread_mutex_lock(&w->lock);
    consume(w, &w->hashed, hash_block);
    w->hash_done = true;
    pthread_cond_broadcast(&w->freed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* The writer: every block handed over, then the first bytes to on_prefix
 * (drained, once the hasher is done too), then the fsync (flushed). An
 * abandoned file is neither finished nor flushed. */
static void *writer_run(void *arg)
{
    filewriter *w = arg;
    pthread_mutex_lock(&w->lock);
    consume(w, &w->tail, write_block);
    if (w->abandoned) {
        pthread_mutex_unlock(&w->lock);
        return NULL;
    }
    if (!w->error)
        w->error = give_prefix(w, true);
    bool failed = w->error != 0;
    w->drained = true;
    pthread_cond_broadcast(&w->freed);
    pthread_mutex_unlock(&w->lock);
    int error = !failed && fsync(w->fd) != 0 ? errno : 0;
    pthread_mutex_lock(&w->lock);
    w->flush_error = error;
    w->flushed = true;
    pthread_cond_broadcast(&w->freed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Starts the hasher's and the writer's threads, unless MAX_WRITERS files
 * have theirs already or one cannot start: then the file is hashed and
 * written on the caller's thread. */
static void start(filewriter *w)
{
    pthread_mutex_lock(&writers_lock);
    bool room = writers_running < MAX_WRITERS;
    bool hashing = room && pthread_create(&w->hasher, NULL, hasher_run, w) == 0;
    if (hashing && pthread_create(&w->thread, NULL, writer_run, w) == 0) {
        writers_running++;
        w->mode = THREADED;
    } else {
        if (hashing) { /* nothing handed over yet: told, it ends at once */
            pthread_mutex_lock(&w->lock);
            w->abandoned = true;
            pthread_cond_broadcast(&w->more);
            pthread_mutex_unlock(&w->lock);
            pthread_join(w->hasher, NULL);
            w->abandoned = false; /* its thread is gone: nobody else reads it */
            w->hash_done = false;
        }
        w->mode = INLINE;
    }
    pthread_mutex_unlock(&writers_lock);
}

static void stop(filewriter *w)
{
    if (w->mode != THREADED || w->joined)
        return;
    pthread_join(w->thread, NULL);
    pthread_join(w->hasher, NULL);
    w->joined = true;
    pthread_mutex_lock(&writers_lock);
    writers_running--;
    pthread_mutex_unlock(&writers_lock);
}

/* Hands the block being filled to the writer and the hasher (or hashes and
 * writes it at once, inline), and waits for room for the next one. */
static int hand_over(filewriter *w, err *e)
{
    if (w->mode == UNDECIDED)
        start(w);
    if (w->mode == INLINE) {
        int error = hash_and_put(w, w->block[0], w->filling);
        if (!error)
            error = give_prefix(w, false);
        w->filling = 0;
        return error ? fail(w, error, e) : ERR_OK;
    }
    pthread_mutex_lock(&w->lock);
    w->fill[w->head % BLOCKS] = w->filling;
    w->head++;
    w->filling = 0;
    pthread_cond_broadcast(&w->more);
    while (w->head - oldest_in_use(w) == BLOCKS)
        pthread_cond_wait(&w->freed, &w->lock);
    int error = w->error;
    pthread_mutex_unlock(&w->lock);
    return error ? fail(w, error, e) : ERR_OK;
}

/* The block to fill now, allocated on first use (a small file takes one). */
static char *filling_block(filewriter *w, err *e)
{
    unsigned i = w->mode == THREADED ? w->head % BLOCKS : 0;
    if (!w->block[i] && !(w->block[i] = block_take()))
        err_set(e, ERR_FAIL, "out of memory");
    return w->block[i];
}

int filewriter_write(filewriter *w, const void *data, size_t n, err *e)
{
    if (w->told)
        return fail(w, w->told, e);
    for (const char *p = data; n;) {
        char *block = filling_block(w, e);
        if (!block)
            return e->code;
        size_t k = BLOCK - w->filling < n ? BLOCK - w->filling : n;
        memcpy(block + w->filling, p, k);
        w->filling += k, p += k, n -= k;
        if (w->filling == BLOCK && hand_over(w, e))
            return e->code;
    }
    return ERR_OK;
}

static int drain_inline(filewriter *w)
{
    int error = w->filling ? hash_and_put(w, w->block[0], w->filling) : 0;
    if (!error)
        error = give_prefix(w, true);
    w->filling = 0;
    w->drained = true;
    return error;
}

static int drain_threaded(filewriter *w)
{
    pthread_mutex_lock(&w->lock);
    if (w->filling) /* its block is free: the writer is behind head */
        w->fill[w->head % BLOCKS] = w->filling, w->head++, w->filling = 0;
    w->ending = true;
    pthread_cond_broadcast(&w->more);
    while (!w->drained || !w->hash_done)
        pthread_cond_wait(&w->freed, &w->lock);
    int error = w->error;
    pthread_mutex_unlock(&w->lock);
    return error;
}

int filewriter_drain(filewriter *w, unsigned char digest[FILEWRITER_DIGEST_LEN], err *e)
{
    if (w->drained || w->ending)
        return err_set(e, ERR_FAIL, "%s: the file is ended already", w->name);
    if (w->told)
        return fail(w, w->told, e);
    if (w->mode == UNDECIDED)
        w->mode = INLINE; /* never a full block: not worth a thread */
    int error = w->mode == THREADED ? drain_threaded(w) : drain_inline(w);
    if (!error)
        error = digest_final(w);
    if (error)
        return fail(w, error, e);
    memcpy(digest, w->digest, FILEWRITER_DIGEST_LEN);
    return ERR_OK;
}

int filewriter_flush(filewriter *w, err *e)
{
    if (!w->drained)
        return err_set(e, ERR_FAIL, "%s: the file is not ended", w->name);
    int error;
    if (w->mode == THREADED) {
        pthread_mutex_lock(&w->lock);
        while (!w->flushed)
            pthread_cond_wait(&w->freed, &w->lock);
        error = w->flush_error;
        pthread_mutex_unlock(&w->lock);
        stop(w);
    } else {
        error = fsync(w->fd) != 0 ? errno : 0;
    }
    return error ? fail(w, error, e) : ERR_OK;
}

void filewriter_free(filewriter *w)
{
    if (!w)
        return;
    if (w->mode == THREADED && !w->joined) {
        pthread_mutex_lock(&w->lock);
        if (!w->drained)
            w->abandoned = true; /* a file given up half-way: no use finishing it */
        pthread_cond_broadcast(&w->more);
        pthread_mutex_unlock(&w->lock);
        stop(w);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->more);
    pthread_cond_destroy(&w->freed);
    for (int i = 0; i < BLOCKS; i++)
        block_give_back(w->block[i]);
    EVP_MD_CTX_free(w->hash);
    free(w->name);
    free(w);
}
