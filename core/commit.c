/* commit: a committer thread and a queue. Callers queue their writes, and
 * either wait (commit_run) or go on and are told later (commit_submit: the
 * server's request threads, whose connections wait suspended meanwhile).
 * The committer takes the whole queue, applies it in one transaction on the
 * writer connection, commits, and tells each write's caller. The writes
 * queued meanwhile form the next batch, so the batch grows with the load and
 * nobody waits for a timer; and since request threads do not wait, up to
 * every open connection's write can share one commit. Uses store's
 * transactions and savepoints; knows nothing of what the writes are.
 *
 * Checkpoints run on a thread of their own, in two passes: the first beside
 * the writes, copying the bulk of the WAL and paying for its fsyncs; the
 * second in the writes' turn, between two batches, copying the few pages
 * written meanwhile, so that the whole WAL is copied and the next write
 * starts it over. Inline, the fsyncs of a 1,000-page WAL (4 MiB) took 5 to
 * 10 ms, during which no write committed. */
#include "commit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "metrics.h"

typedef struct job {
    commit_work fn;
    commit_done done_fn; /* called once the batch is over */
    void *ctx;
    err e; /* the write's error */
    int rc;
    struct job *next;
} job;

/* The WAL size, in pages, that makes a checkpoint due: SQLite's own. */
enum { CHECKPOINT_PAGES = 1000 };

struct commit_group {
    pthread_mutex_t mu;
    job *head, **tail;
    bool leading;  /* a batch, or the checkpointer's second pass, is running */
    store *db;     /* used only by the committer */
    bool wal_full; /* the last commit took the WAL past CHECKPOINT_PAGES */
    pthread_t committer;
    pthread_cond_t work; /* a job was queued, a turn was given back, or the group closes */
    store *ckpt_db;
    pthread_t ckpt;
    pthread_cond_t ckpt_wake;
    bool ckpt_due, ckpt_next, closing;
};

/* Called by SQLite on the committer thread, after each commit on the writer. */
static void wal_grew(void *arg, int pages)
{
    commit_group *g = arg;
    if (pages >= CHECKPOINT_PAGES)
        g->wal_full = true;
}

/* Gives the turn back: to the checkpointer when it waits, else to the committer. */
static void pass_turn(commit_group *g)
{
    g->leading = false;
    if (g->ckpt_next)
        pthread_cond_signal(&g->ckpt_wake);
    pthread_cond_signal(&g->work);
}

/* The second pass, in the writes' turn; called and returns with mu held. */
static void checkpoint_in_turn(commit_group *g)
{
    g->ckpt_next = true;
    while (g->leading)
        pthread_cond_wait(&g->ckpt_wake, &g->mu);
    g->ckpt_next = false;
    g->leading = true;
    pthread_mutex_unlock(&g->mu);
    err e = ERR_INIT;
    store_checkpoint(g->ckpt_db, &e);
    err_clear(&e);
    pthread_mutex_lock(&g->mu);
    pass_turn(g);
}

static void *committer(void *arg);

static void *checkpointer(void *arg)
{
    commit_group *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->ckpt_due && !g->closing)
            pthread_cond_wait(&g->ckpt_wake, &g->mu);
        if (g->closing)
            break;
        pthread_mutex_unlock(&g->mu);
        /* A checkpoint that fails leaves the WAL as it was, every commit
         * safe in it; the next one tries again, and a failing disk shows
         * in the writes' own errors. */
        err e = ERR_INIT;
        int rc = store_checkpoint(g->ckpt_db, &e);
        err_clear(&e);
        pthread_mutex_lock(&g->mu);
        if (rc == ERR_OK)
            checkpoint_in_turn(g);
        g->ckpt_due = false;
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Moves the checkpoints to a thread of their own; without one (no second
 * connection, no thread), the writer keeps checkpointing inline. */
static void checkpointer_start(commit_group *g, const char *path)
{
    err e = ERR_INIT;
    if (store_open(path, &g->ckpt_db, &e) != ERR_OK) {
        err_clear(&e);
        return;
    }
    pthread_cond_init(&g->ckpt_wake, NULL);
    if (pthread_create(&g->ckpt, NULL, checkpointer, g) != 0) {
        pthread_cond_destroy(&g->ckpt_wake);
        store_close(g->ckpt_db);
        g->ckpt_db = NULL;
        return;
    }
    store_wal_watch(g->db, wal_grew, g);
}

static void checkpointer_stop(commit_group *g)
{
    if (!g->ckpt_db)
        return;
    pthread_mutex_lock(&g->mu);
    g->closing = true;
    pthread_cond_signal(&g->ckpt_wake);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->ckpt, NULL);
    pthread_cond_destroy(&g->ckpt_wake);
    store_close(g->ckpt_db);
}

int commit_open(const char *path, commit_group **out, err *e)
{
    *out = NULL;
    commit_group *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(e, ERR_FAIL, "out of memory");
    if (store_open(path, &g->db, e) != ERR_OK) {
        free(g);
        return e->code;
    }
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->work, NULL);
    g->tail = &g->head;
    if (pthread_create(&g->committer, NULL, committer, g) != 0) {
        pthread_cond_destroy(&g->work);
        pthread_mutex_destroy(&g->mu);
        store_close(g->db);
        free(g);
        return err_set(e, ERR_FAIL, "cannot start a thread");
    }
    checkpointer_start(g, path);
    *out = g;
    return ERR_OK;
}

void commit_close(commit_group *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->closing = true; /* the committer ends once the queue is empty */
    pthread_cond_signal(&g->work);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->committer, NULL);
    checkpointer_stop(g);
    pthread_cond_destroy(&g->work);
    store_close(g->db);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* The batch's own failure becomes the status of every write that had none. */
static void fail_all(job *batch, const err *why)
{
    for (job *j = batch; j; j = j->next)
        if (j->rc == ERR_OK)
            j->rc = err_set(&j->e, why->code, "%s", err_msg(why));
}

/* Applies one write in its savepoint; false when the transaction is lost. */
static bool apply_one(store *db, job *j)
{
    j->rc = store_savepoint(db, &j->e);
    if (j->rc == ERR_OK)
        j->rc = j->fn(db, j->ctx, &j->e);
    if (j->rc == ERR_OK)
        j->rc = store_release(db, &j->e);
    return j->rc == ERR_OK || store_rollback_to(db);
}

/* Applies the batch in one transaction; why keeps the batch's own failure. */
static void apply_batch(store *db, job *batch, err *why)
{
    if (store_begin(db, why) != ERR_OK) {
        fail_all(batch, why);
        return;
    }
    for (job *j = batch; j; j = j->next) {
        if (!apply_one(db, j)) {
            /* SQLite rolled the whole transaction back (disk full, I/O):
             * the writes before this one are lost too. */
            err_set(why, j->rc, "%s", err_msg(&j->e));
            store_rollback(db);
            fail_all(batch, why);
            return;
        }
    }
    if (store_commit(db, why) != ERR_OK) {
        fail_all(batch, why);
        return;
    }
    long long written = 0;
    for (job *j = batch; j; j = j->next)
        written += j->rc == ERR_OK;
    metrics_add(METRIC_ANSWERS_COMMITTED, written);
}

static void apply(store *db, job *batch)
{
    err why = ERR_INIT;
    apply_batch(db, batch, &why);
    err_clear(&why);
}

/* Runs the queue, a batch at a time, until the group closes and the queue is empty. */
static void *committer(void *arg)
{
    commit_group *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while ((!g->head || g->ckpt_next || g->leading) && !(g->closing && !g->head))
            pthread_cond_wait(&g->work, &g->mu);
        if (!g->head)
            break;
        job *batch = g->head;
        g->head = NULL;
        g->tail = &g->head;
        g->leading = true;
        pthread_mutex_unlock(&g->mu);
        apply(g->db, batch);
        pthread_mutex_lock(&g->mu);
        if (g->wal_full && g->ckpt_db && !g->ckpt_due) {
            g->ckpt_due = true;
            pthread_cond_signal(&g->ckpt_wake);
        }
        g->wal_full = false;
        pass_turn(g);
        pthread_mutex_unlock(&g->mu);
        for (job *j = batch, *next; j; j = next) {
            next = j->next;
            j->done_fn(j->ctx, j->rc, &j->e);
            err_clear(&j->e);
            free(j);
        }
        pthread_mutex_lock(&g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

static void enqueue(commit_group *g, job *j)
{
    *g->tail = j;
    g->tail = &j->next;
    pthread_cond_signal(&g->work);
}

int commit_submit(commit_group *g, commit_work fn, commit_done done, void *ctx, err *e)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return err_set(e, ERR_FAIL, "out of memory");
    j->fn = fn;
    j->ctx = ctx;
    j->done_fn = done;
    j->e = (err)ERR_INIT;
    pthread_mutex_lock(&g->mu);
    bool closing = g->closing;
    if (!closing)
        enqueue(g, j);
    pthread_mutex_unlock(&g->mu);
    if (closing) {
        free(j);
        return err_set(e, ERR_UNAVAILABLE, "the server is stopping");
    }
    return ERR_OK;
}

/* A caller of commit_run: its write goes through commit_submit like any
 * other, and it sleeps until told. */
typedef struct waiter {
    commit_group *g;
    commit_work fn;
    void *ctx;
    err *e;
    int rc;
    bool done;
    pthread_cond_t wake;
} waiter;

static int run_waited(store *db, void *ctx, err *e)
{
    const waiter *w = ctx;
    return w->fn(db, w->ctx, e);
}

static void wake_waiter(void *ctx, int rc, err *e)
{
    waiter *w = ctx;
    pthread_mutex_lock(&w->g->mu);
    if (rc != ERR_OK)
        err_set(w->e, rc, "%s", err_msg(e));
    w->rc = rc;
    w->done = true;
    pthread_cond_signal(&w->wake); /* w may be gone once the lock is let go */
    pthread_mutex_unlock(&w->g->mu);
}

int commit_run(commit_group *g, commit_work fn, void *ctx, err *e)
{
    waiter w = {.g = g, .fn = fn, .ctx = ctx, .e = e};
    pthread_cond_init(&w.wake, NULL);
    int rc = commit_submit(g, run_waited, wake_waiter, &w, e);
    if (rc == ERR_OK) {
        pthread_mutex_lock(&g->mu);
        while (!w.done)
            pthread_cond_wait(&w.wake, &g->mu);
        pthread_mutex_unlock(&g->mu);
        rc = w.rc;
    }
    pthread_cond_destroy(&w.wake);
    return rc;
}
