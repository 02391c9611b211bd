/* commit: leader and followers. A caller queues its write; if no batch is
 * being applied it leads: it takes the whole queue, applies it in one
 * transaction on the writer connection, commits, and wakes the others. The
 * writes queued meanwhile form the next batch, so the batch grows with the
 * load and nobody waits for a timer. Uses store's transactions and
 * savepoints; knows nothing of what the writes are. */
#include "commit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    commit_work fn;
    void *ctx;
    err *e;
    int rc;
    bool done;
    pthread_cond_t wake; /* done, or the next batch is this job's to lead */
    struct job *next;
} job;

struct commit_group {
    pthread_mutex_t mu;
    job *head, **tail;
    bool leading; /* a batch is being applied */
    store *db;    /* used only by the leader */
};

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
    g->tail = &g->head;
    *out = g;
    return ERR_OK;
}

void commit_close(commit_group *g)
{
    if (!g)
        return;
    store_close(g->db);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* The batch's own failure becomes the status of every write that had none. */
static void fail_all(job *batch, const err *why)
{
    for (job *j = batch; j; j = j->next)
        if (j->rc == ERR_OK)
            j->rc = err_set(j->e, why->code, "%s", err_msg(why));
}

/* Applies one write in its savepoint; false when the transaction is lost. */
static bool apply_one(store *db, job *j)
{
    j->rc = store_savepoint(db, j->e);
    if (j->rc == ERR_OK)
        j->rc = j->fn(db, j->ctx, j->e);
    if (j->rc == ERR_OK)
        j->rc = store_release(db, j->e);
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
            err_set(why, j->rc, "%s", err_msg(j->e));
            store_rollback(db);
            fail_all(batch, why);
            return;
        }
    }
    if (store_commit(db, why) != ERR_OK)
        fail_all(batch, why);
}

static void apply(store *db, job *batch)
{
    err why = ERR_INIT;
    apply_batch(db, batch, &why);
    err_clear(&why);
}

int commit_run(commit_group *g, commit_work fn, void *ctx, err *e)
{
    job self = {.fn = fn, .ctx = ctx, .e = e, .rc = ERR_OK};
    pthread_cond_init(&self.wake, NULL);
    pthread_mutex_lock(&g->mu);
    /* The queue holds self only until it is done, and this call waits till then. */
    /* cppcheck-suppress autoVariables */
    *g->tail = &self;
    /* cppcheck-suppress autoVariables */
    g->tail = &self.next;
    /* Each waiter sleeps on its own condition, so a batch wakes only its
     * own writers and the one that leads next. */
    while (g->leading && !self.done)
        pthread_cond_wait(&self.wake, &g->mu);
    if (!self.done) {
        g->leading = true;
        job *batch = g->head;
        g->head = NULL;
        g->tail = &g->head;
        pthread_mutex_unlock(&g->mu);
        apply(g->db, batch);
        pthread_mutex_lock(&g->mu);
        for (job *j = batch, *next; j; j = next) {
            next = j->next; /* j may be gone as soon as it is done */
            j->done = true;
            if (j != &self)
                pthread_cond_signal(&j->wake);
        }
        g->leading = false;
        if (g->head)
            pthread_cond_signal(&g->head->wake);
    }
    pthread_mutex_unlock(&g->mu);
    pthread_cond_destroy(&self.wake);
    return self.rc;
}
