/* commit: group commit. Writes of many threads share one transaction on one
 * writer connection, each in a savepoint of its own, so one commit (its
 * locks and its WAL frames) serves them all. A caller learns, once its write
 * is committed, that it is, or its own error with nothing of its write kept:
 * by waiting (commit_run) or by a call from the group's thread
 * (commit_submit). */
#ifndef LABELCOOP_COMMIT_H
#define LABELCOOP_COMMIT_H

#include "err.h"
#include "store.h"

typedef struct commit_group commit_group;

/* One write: runs on the group's thread, with the writer connection db
 * inside a transaction; so it must not rely on its caller's thread-local
 * state or on anything its caller frees meanwhile, and the events it emits are
 * counted on the writer connection, not the caller's (store_events_taken).
 * Returns ERR_OK or an error in e, after which its part is undone. */
typedef int (*commit_work)(store *db, void *ctx, err *e);

/* Opens the writer connection to the database at path, the thread that
 * applies the batches, and a checkpointer (a second connection and a thread)
 * that copies the WAL back into the database beside the writes rather than
 * inside one of their commits. commit_close applies what is queued first. */
int commit_open(const char *path, commit_group **out, err *e);
void commit_close(commit_group *g);

/* Runs fn(db, ctx, e) in the next batch; returns its status once the batch
 * committed (or the batch's own failure, such as a full disk). Not from
 * inside a write transaction: the batch would wait for it. */
int commit_run(commit_group *g, commit_work fn, void *ctx, err *e);

/* Called on the group's thread once a submitted write's batch is over (and
 * outside the group's lock): rc and e (borrowed) are the write's status. */
typedef void (*commit_done)(void *ctx, int rc, err *e);
/* Queues fn(db, ctx, e) for the next batch and returns at once; done(ctx,
 * rc, e) follows, exactly once. ERR_UNAVAILABLE (and no done) once the group
 * is closing; ERR_FAIL when out of memory. */
int commit_submit(commit_group *g, commit_work fn, commit_done done, void *ctx, err *e);

#endif
