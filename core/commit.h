/* commit: group commit. Writes of many threads share one transaction on one
 * writer connection, each in a savepoint of its own, so one commit (its
 * locks and its WAL frames) serves them all. A caller returns once its write
 * is committed, or with its own error and nothing of its write kept. */
#ifndef LABELCOOP_COMMIT_H
#define LABELCOOP_COMMIT_H

#include "err.h"
#include "store.h"

typedef struct commit_group commit_group;

/* One write: runs on whichever caller's thread leads the batch, with the
 * writer connection db inside a transaction, while its own caller waits; so
 * it must not rely on thread-local state, and the events it emits are
 * counted on the writer connection, not the caller's (store_events_taken).
 * Returns ERR_OK or an error in e, after which its part is undone. */
typedef int (*commit_work)(store *db, void *ctx, err *e);

/* Opens the writer connection to the database at path, and a checkpointer
 * (a second connection and a thread) that copies the WAL back into the
 * database beside the writes rather than inside one of their commits. */
int commit_open(const char *path, commit_group **out, err *e);
void commit_close(commit_group *g);

/* Runs fn(db, ctx, e) in the next batch; returns its status once the batch
 * committed (or the batch's own failure, such as a full disk). Not from
 * inside a write transaction: the batch would wait for it. */
int commit_run(commit_group *g, commit_work fn, void *ctx, err *e);

#endif
