/* store_backup: whole-database copies. SQLite's online backup, in small
 * steps so that writers get the lock between them; every copy is written
 * under a temporary name and renamed, so that a copy named as one is whole.
 * Files read here are opened read-only and never migrated. */
#include "store.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_db(sqlite3 *src, const char *dest, err *e)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.part", dest) >= sizeof tmp)
        return err_set(e, ERR_INPUT, "%s: path too long", dest);
    unlink(tmp);
    sqlite3 *dst;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err_set(e, ERR_INPUT, "%s: %s", dest, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return ERR_INPUT;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
               rc == SQLITE_LOCKED)
            sqlite3_sleep(rc == SQLITE_OK ? 0 : 10);
        sqlite3_backup_finish(b);
    }
    /* A copy is one self-contained file: opening it (even read-only) then
     * makes no -wal and -shm beside it. A server opening it sets WAL again. */
    if (rc == SQLITE_DONE &&
        sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        rc = SQLITE_ERROR;
    int status = rc == SQLITE_DONE
                     ? ERR_OK
                     : err_set(e, ERR_FAIL, "backup to %s: %s", dest, sqlite3_errmsg(dst));
    if (sqlite3_close(dst) != SQLITE_OK && status == ERR_OK)
        status = err_set(e, ERR_FAIL, "backup to %s: cannot close it", dest);
    if (status == ERR_OK && rename(tmp, dest) != 0)
        status = err_set(e, ERR_INPUT, "%s: %s", dest, strerror(errno));
    if (status != ERR_OK)
        unlink(tmp);
    return status;
}

int store_backup(store *s, const char *file, err *e)
{
    return copy_db(s->db, file, e);
}

/* A read-only connection to an existing file: ERR_INPUT naming it otherwise. */
static int open_file(const char *path, sqlite3 **db, err *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return err_set(e, ERR_INPUT, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(e, ERR_INPUT, "%s: not a file", path);
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        err_set(e, ERR_INPUT, "%s: %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        return ERR_INPUT;
    }
    sqlite3_busy_timeout(*db, 5000);
    return ERR_OK;
}

/* The first row's first column of sql as text into out. */
static int pragma_text(sqlite3 *db, const char *path, const char *sql, char *out, size_t size,
                       err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, size, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return err_set(e, ERR_INPUT, "%s: not a labelcoop database (%s)", path,
                       sqlite3_errmsg(db));
    return ERR_OK;
}

/* One pragma's first value, read from the file at path as text. */
static int file_pragma(const char *path, const char *sql, char *out, size_t size, err *e)
{
    sqlite3 *db = NULL;
    if (open_file(path, &db, e) != ERR_OK)
        return ERR_INPUT;
    int rc = pragma_text(db, path, sql, out, size, e);
    sqlite3_close(db);
    return rc;
}

int store_file_version(const char *path, int *version, err *e)
{
    char text[32] = "0";
    *version = 0;
    if (access(path, F_OK) != 0)
        return ERR_OK;
    int rc = file_pragma(path, "PRAGMA user_version", text, sizeof text, e);
    *version = atoi(text);
    return rc;
}

int store_latest_version(void)
{
    return store_schema_count();
}

int store_copy_file(const char *src, const char *dest, err *e)
{
    sqlite3 *db = NULL;
    if (open_file(src, &db, e) != ERR_OK)
        return ERR_INPUT;
    int rc = copy_db(db, dest, e);
    sqlite3_close(db);
    return rc;
}

/* Whether the database db has a table of that name. */
static bool has_table(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

int store_file_documents(const char *path, store_file_each each, void *ud, err *e)
{
    sqlite3 *db = NULL;
    if (open_file(path, &db, e) != ERR_OK)
        return ERR_INPUT;
    sqlite3_stmt *st = NULL;
    int rc = ERR_OK;
    if (has_table(db, "document_versions") &&
        sqlite3_prepare_v2(db,
                           "SELECT v.sha256, v.document_id, v.version FROM document_versions v"
                           " JOIN documents d ON d.id = v.document_id WHERE d.deleted_at IS NULL"
                           " ORDER BY v.document_id, v.version",
                           -1, &st, NULL) != SQLITE_OK)
        rc = err_set(e, ERR_INPUT, "%s: %s", path, sqlite3_errmsg(db));
    int step = SQLITE_DONE;
    while (rc == ERR_OK && st && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = each(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  sqlite3_column_int64(st, 2), e);
    if (rc == ERR_OK && step != SQLITE_DONE)
        rc = err_set(e, ERR_INPUT, "%s: %s", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int store_check_file(const char *path, err *e)
{
    char text[512];
    int rc = file_pragma(path, "PRAGMA integrity_check(1)", text, sizeof text, e);
    if (rc == ERR_OK && strcmp(text, "ok") != 0)
        return err_set(e, ERR_INPUT, "%s: damaged: %s", path, text);
    return rc;
}

int store_settle_file(const char *path, err *e)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        err_set(e, ERR_INPUT, "%s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return ERR_INPUT;
    }
    sqlite3_busy_timeout(db, 5000);
    char text[64];
    int rc = pragma_text(db, path, "PRAGMA wal_checkpoint(TRUNCATE)", text, sizeof text, e);
    /* The last connection's close removes the WAL and the shared memory. */
    if (sqlite3_close(db) != SQLITE_OK && rc == ERR_OK)
        rc = err_set(e, ERR_FAIL, "%s: cannot close it", path);
    return rc;
}
