/* backup: the administrator's copies of the database: the day's copy with
 * rotation (the delivery thread's tick), a copy before a migration to a
 * newer schema, and a restore that checks the copy whole before it
 * replaces anything. A running server holds the database (a shared flock
 * on its file), which a restore must be alone to take. Uses store, verify,
 * ruleset, filestore. */
#ifndef LABELCOOP_BACKUP_H
#define LABELCOOP_BACKUP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "sandbox.h"
#include "store.h"

#define BACKUP_NAME_MAX 4200

/* Before the database at db_path is migrated to a newer schema: a copy of it
 * as it is, beside it (db_path.schema-<version>.bak, a number added when
 * taken). made gets its name, "" when no migration is due (no file yet, an
 * empty one, or one at this schema). ERR_INPUT for a file that is no
 * database; ERR_FAIL when the copy cannot be written (then nothing may be
 * migrated). */
int backup_before_migration(const char *db_path, char *made, size_t size, err *e);

/* A copy of the database s to file, with the files in the documents folder
 * that its documents name copied to the folder file.documents (named by
 * their SHA-256, each checked against it on the way): the database copied
 * first, then the files it names. Written under temporary names
 * (file.snapshot, file.documents.part) and renamed, a file.documents there
 * before replaced. ERR_FAIL naming the document whose file is missing or
 * altered (then nothing is written). */
int backup_take(store *s, const char *documents, const char *file, err *e);

/* The day's copy (backup_take): dir/labelcoop-<today>.db, unless it is
 * there already; then only the keep newest labelcoop-YYYY-MM-DD.db files of
 * dir stay, each with its .documents folder (other files are never
 * touched). made gets the new copy's name, or "". */
int backup_daily(store *s, const char *documents, const char *dir, int keep, const char *today,
                 char *made, size_t size, err *e);

/* Replaces the database at db_path with the copy at file, in this order:
 * the database held alone (ERR_CONFLICT while a server holds it); the copy
 * checked (integrity_check), copied beside the database, migrated to this
 * schema and verified (every decision replayed, both hash chains: ERR_FAIL
 * naming the first problem); the files its documents name checked in
 * file.documents against their SHA-256 (ERR_FAIL naming the first missing
 * or altered) and put into the documents folder, whose files stay; the
 * database moved aside (its name in aside, "" when there was none) and the
 * checked copy put in its place. Nothing is replaced when a step fails.
 * *report is verify's report of the copy (the caller's), also on ERR_FAIL. */
int backup_restore(const char *file, const char *db_path, const char *documents,
                   const sandbox_limits *lim, char *aside, size_t size, cJSON **report, err *e);

/* A server's hold on the database file at db_path (a shared flock), kept
 * until backup_release; ERR_CONFLICT while a restore has it. *fd is -1 when
 * there is nothing to hold. */
int backup_hold(const char *db_path, int *fd, err *e);
void backup_release(int fd);

#endif
