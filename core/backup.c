/* backup: copies of the database for the administrator. Names are built in
 * fixed buffers of BACKUP_NAME_MAX; a path that does not fit is refused. */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "filestore.h"
#include "ruleset.h"
#include "verify.h"

static int name(char *out, size_t size, err *e, const char *fmt, const char *a, const char *b)
{
    if ((size_t)snprintf(out, size, fmt, a, b) >= size)
        return err_set(e, ERR_INPUT, "%s: path too long", a);
    return ERR_OK;
}

/* base + suffix, or base + suffix + ".N" for the first N not taken. */
static int free_name(char *out, size_t size, const char *base, const char *suffix, err *e)
{
    if (name(out, size, e, "%s%s", base, suffix) != ERR_OK)
        return ERR_INPUT;
    for (int n = 2; access(out, F_OK) == 0; n++) {
        char number[16];
        snprintf(number, sizeof number, ".%d", n);
        char both[64];
        snprintf(both, sizeof both, "%s%s", suffix, number);
        if (name(out, size, e, "%s%s", base, both) != ERR_OK)
            return ERR_INPUT;
    }
    return ERR_OK;
}

int backup_before_migration(const char *db_path, char *made, size_t size, err *e)
{
    made[0] = '\0';
    int version;
    if (store_file_version(db_path, &version, e) != ERR_OK)
        return ERR_INPUT;
    if (version == 0 || version >= store_latest_version())
        return ERR_OK; /* new, or nothing to migrate (a newer one is refused on open) */
    char suffix[48];
    snprintf(suffix, sizeof suffix, ".schema-%d.bak", version);
    if (free_name(made, size, db_path, suffix, e) != ERR_OK)
        return ERR_INPUT;
    if (store_copy_file(db_path, made, e) != ERR_OK) {
        made[0] = '\0';
        return err_set(e, ERR_FAIL, "no copy before the migration, so none made: %s", err_msg(e));
    }
    return ERR_OK;
}

/* ---- the documents a copy names ------------------------------------------------------- */

/* Removes the folder dir with the files in it (a copy's documents folder
 * holds files only); one not there is fine. */
static void remove_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *x; (x = readdir(d)) != NULL;) {
        char path[BACKUP_NAME_MAX + 256];
        if (strcmp(x->d_name, ".") != 0 && strcmp(x->d_name, "..") != 0 &&
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, x->d_name) < sizeof path)
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Flushes the folder dir, so that the files renamed into it stay there. */
static int sync_folder(const char *dir, err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? ERR_OK
                                        : err_set(e, ERR_FAIL, "%s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* What copy_one copies from and to. */
typedef struct copier {
    const char *from, *to; /* documents folders */
    store *live;           /* a backup's: the database the copy is of; NULL: a restore's */
    bool stale;            /* live deleted since the copy a file the copy names */
} copier;

/* Copies the stored file of sha256 from c->from into c->to, its digest
 * computed on the way: ERR_FAIL naming the document when the file is
 * missing or its bytes no longer hash to its name. Bytes named by several
 * versions are copied once. */
static int copy_one(void *ud, const char *sha256, long long document, long long version, err *e)
{
    copier *c = ud;
    char there[BACKUP_NAME_MAX];
    if (!filestore_hash_valid(sha256))
        return err_set(e, ERR_FAIL, "document %lld version %lld: no SHA-256 (%.80s)", document,
                       version, sha256 ? sha256 : "null");
    if (name(there, sizeof there, e, "%s/%s", c->to, sha256) != ERR_OK)
        return ERR_INPUT;
    if (access(there, F_OK) == 0)
        return ERR_OK;
    int fd;
    size_t size;
    int rc = c->live ? filestore_open_kept(c->from, sha256, &fd, &size, e)
                     : filestore_open(c->from, sha256, &fd, &size, e);
    long long used = 1;
    if (rc == ERR_NOT_FOUND && c->live && store_document_sha256_used(c->live, sha256, &used, e))
        return e->code;
    if (rc == ERR_NOT_FOUND && !used) { /* deleted since the copy: take a newer copy */
        c->stale = true;
        return err_set(e, ERR_CONFLICT, "document %lld deleted while the copy was taken", document);
    }
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_FAIL, "document %lld version %lld: its file %s is missing from %s",
                       document, version, sha256, c->from);
    if (rc != ERR_OK)
        return rc;
    filestore_upload *u = NULL;
    bool created;
    rc = filestore_begin(c->to, SIZE_MAX, &u, e);
    if (rc == ERR_OK && (rc = filestore_write_fd(u, fd, e)) == ERR_OK &&
        (rc = filestore_finish(u, e)) == ERR_OK && strcmp(filestore_sha256(u), sha256) != 0)
        rc = err_set(e, ERR_FAIL,
                     "document %lld version %lld: the file %s/%s no longer hashes to its name "
                     "(its bytes changed)",
                     document, version, c->from, sha256);
    if (rc == ERR_OK)
        rc = filestore_keep(u, &created, e);
    filestore_free(u);
    close(fd);
    return rc;
}

/* A documents folder's name: the copy's file name followed by ".documents". */
static int documents_of(const char *file, char *out, size_t size, err *e)
{
    return name(out, size, e, "%s%s", file, ".documents");
}

/* Moves the files of staging into dir (replacing one of the same digest:
 * the same bytes, checked) and flushes dir. */
static int move_in(const char *staging, const char *dir, err *e)
{
    DIR *d = opendir(staging);
    if (!d)
        return err_set(e, ERR_FAIL, "%s: %s", staging, strerror(errno));
    int rc = ERR_OK;
    for (struct dirent *x; rc == ERR_OK && (x = readdir(d)) != NULL;) {
        char from[BACKUP_NAME_MAX], to[BACKUP_NAME_MAX];
        if (!filestore_hash_valid(x->d_name))
            continue;
        if (name(from, sizeof from, e, "%s/%s", staging, x->d_name) == ERR_OK &&
            name(to, sizeof to, e, "%s/%s", dir, x->d_name) == ERR_OK && rename(from, to) != 0)
            rc = err_set(e, ERR_FAIL, "%s: %s", to, strerror(errno));
        else if (e->code)
            rc = e->code;
    }
    closedir(d);
    return rc == ERR_OK ? sync_folder(dir, e) : rc;
}

int backup_take(store *s, const char *documents, const char *file, err *e)
{
    char snapshot[BACKUP_NAME_MAX], part[BACKUP_NAME_MAX], folder[BACKUP_NAME_MAX];
    if (name(snapshot, sizeof snapshot, e, "%s%s", file, ".snapshot") != ERR_OK ||
        name(part, sizeof part, e, "%s%s", file, ".documents.part") != ERR_OK ||
        documents_of(file, folder, sizeof folder, e) != ERR_OK)
        return ERR_INPUT;
    /* The database first, then the files it names: a file is removed only
     * after the rows naming it are gone, so the copy's files are there,
     * unless a deletion committed since; then a newer copy is taken. */
    copier c = {documents, part, s, true};
    int rc = ERR_OK;
    for (int tries = 0; rc == ERR_OK && c.stale && tries < 5; tries++) {
        c.stale = false;
        remove_folder(part);
        rc = store_backup(s, snapshot, e);
        if (rc == ERR_OK && mkdir(part, 0750) != 0)
            rc = err_set(e, ERR_FAIL, "%s: %s", part, strerror(errno));
        if (rc == ERR_OK)
            rc = store_file_documents(snapshot, copy_one, &c, e);
        if (c.stale)
            err_clear(e), rc = ERR_OK;
    }
    if (rc == ERR_OK && c.stale)
        rc = err_set(e, ERR_FAIL, "documents kept being deleted during the copy; try again");
    if (rc == ERR_OK) {
        remove_folder(folder);
        if (rename(part, folder) != 0)
            rc = err_set(e, ERR_FAIL, "%s: %s", folder, strerror(errno));
    }
    if (rc == ERR_OK && rename(snapshot, file) != 0)
        rc = err_set(e, ERR_INPUT, "%s: %s", file, strerror(errno));
    if (rc != ERR_OK) {
        remove_folder(part);
        unlink(snapshot);
    }
    return rc;
}

/* "labelcoop-YYYY-MM-DD.db": a daily copy's name. */
static bool daily_name(const char *n)
{
    return strlen(n) == 23 && strncmp(n, "labelcoop-", 10) == 0 && strcmp(n + 20, ".db") == 0 &&
           n[14] == '-' && n[17] == '-';
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes all but the keep newest daily copies (their names sort by date). */
static int rotate(const char *dir, int keep, err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, ERR_INPUT, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = ERR_OK;
    for (struct dirent *ent; rc == ERR_OK && (ent = readdir(d));) {
        if (!daily_name(ent->d_name))
            continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (!more) {
                rc = err_set(e, ERR_FAIL, "out of memory");
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(ent->d_name)))
            rc = err_set(e, ERR_FAIL, "out of memory");
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[BACKUP_NAME_MAX];
        char folder[BACKUP_NAME_MAX];
        if (rc == ERR_OK && i + (size_t)keep < n &&
            name(path, sizeof path, e, "%s/%s", dir, names[i]) == ERR_OK) {
            if (unlink(path) != 0)
                rc = err_set(e, ERR_FAIL, "%s: %s", path, strerror(errno));
            else if (documents_of(path, folder, sizeof folder, e) == ERR_OK)
                remove_folder(folder); /* the copy's documents go with it */
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int backup_daily(store *s, const char *documents, const char *dir, int keep, const char *today,
                 char *made, size_t size, err *e)
{
    made[0] = '\0';
    char path[BACKUP_NAME_MAX], file[32];
    snprintf(file, sizeof file, "labelcoop-%.10s.db", today);
    if (name(path, sizeof path, e, "%s/%s", dir, file) != ERR_OK)
        return ERR_INPUT;
    if (access(path, F_OK) == 0)
        return ERR_OK;
    if (backup_take(s, documents, path, e) != ERR_OK)
        return e->code;
    snprintf(made, size, "%s", path);
    return rotate(dir, keep, e);
}

/* ---- the server's hold, and the restore ---------------------------------------------- */

int backup_hold(const char *db_path, int *fd, err *e)
{
    /* Created empty when absent: SQLite takes an empty file for a new database. */
    *fd = open(db_path, O_RDONLY | O_CREAT | O_CLOEXEC, 0640);
    if (*fd < 0)
        return err_set(e, ERR_INPUT, "%s: %s", db_path, strerror(errno));
    if (flock(*fd, LOCK_SH | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return err_set(e, ERR_CONFLICT, "%s: a restore is replacing it", db_path);
    }
    return ERR_OK;
}

void backup_release(int fd)
{
    if (fd >= 0)
        close(fd); /* the flock goes with it */
}

/* The copy at tmp, migrated and verified: ERR_FAIL naming its first problem. */
static int check_copy(const char *tmp, const sandbox_limits *lim, cJSON **report, err *e)
{
    store *db;
    if (store_open(tmp, &db, e) != ERR_OK)
        return ERR_INPUT;
    ruleset_cache *cache = ruleset_cache_new(lim);
    int rc = cache ? verify_database(db, cache, report, e) : err_set(e, ERR_FAIL, "out of memory");
    ruleset_cache_free(cache);
    store_close(db);
    if (rc != ERR_OK || cJSON_IsTrue(cJSON_GetObjectItem(*report, "ok")))
        return rc;
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(*report, "problems"), 0);
    const cJSON *id = cJSON_GetObjectItem(first, "decision");
    return err_set(e, ERR_FAIL, "the copy does not verify: %s %.0f: %s",
                   id ? "decision" : "journal row",
                   cJSON_GetNumberValue(id ? id : cJSON_GetObjectItem(first, "journal")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(first, "problem")));
}

/* Moves the database at db_path aside (settled first, so that its file holds
 * all of it), naming it in aside. */
static int move_aside(const char *db_path, char *aside, size_t size, err *e)
{
    char stamp[DATE_TIME_LEN + 1], suffix[48];
    date_now(stamp);
    snprintf(suffix, sizeof suffix, ".replaced-%s", stamp);
    if (store_settle_file(db_path, e) != ERR_OK || free_name(aside, size, db_path, suffix, e))
        return e->code;
    if (rename(db_path, aside) != 0)
        return err_set(e, ERR_FAIL, "%s: %s", db_path, strerror(errno));
    return ERR_OK;
}

/* Puts into documents the files the checked copy at tmp names, from the
 * folder beside file: each copied and checked against its digest into a
 * folder inside documents first, so that a missing or altered one changes
 * nothing; then moved in beside the files there, none removed (the
 * database replaced, kept aside, names them). */
static int restore_documents(const char *tmp, const char *file, const char *documents, err *e)
{
    char from[BACKUP_NAME_MAX], staging[BACKUP_NAME_MAX];
    if (documents_of(file, from, sizeof from, e) != ERR_OK ||
        name(staging, sizeof staging, e, "%s%s", documents, "/.restoring") != ERR_OK)
        return ERR_INPUT;
    bool made = mkdir(documents, 0750) == 0;
    if (!made && errno != EEXIST)
        return err_set(e, ERR_FAIL, "%s: %s", documents, strerror(errno));
    remove_folder(staging);
    copier c = {from, staging, NULL, false};
    int rc = mkdir(staging, 0750) == 0 ? ERR_OK
                                       : err_set(e, ERR_FAIL, "%s: %s", staging, strerror(errno));
    if (rc == ERR_OK)
        rc = store_file_documents(tmp, copy_one, &c, e);
    if (rc == ERR_OK)
        rc = move_in(staging, documents, e);
    remove_folder(staging);
    if (rc != ERR_OK && made)
        rmdir(documents);
    return rc;
}

int backup_restore(const char *file, const char *db_path, const char *documents,
                   const sandbox_limits *lim, char *aside, size_t size, cJSON **report, err *e)
{
    *report = NULL;
    aside[0] = '\0';
    bool exists = access(db_path, F_OK) == 0;
    int fd = exists ? open(db_path, O_RDONLY | O_CLOEXEC) : -1;
    if (exists && fd < 0)
        return err_set(e, ERR_INPUT, "%s: %s", db_path, strerror(errno));
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return err_set(e, ERR_CONFLICT, "%s: a server is using it; stop it first", db_path);
    }
    char tmp[BACKUP_NAME_MAX];
    int rc = name(tmp, sizeof tmp, e, "%s%s", db_path, ".restoring");
    int version = 0;
    if (rc == ERR_OK && (rc = store_check_file(file, e)) == ERR_OK &&
        (rc = store_file_version(file, &version, e)) == ERR_OK && version > store_latest_version())
        rc = err_set(e, ERR_INPUT, "%s: schema version %d, newer than this labelcoop (%d)", file,
                     version, store_latest_version());
    if (rc == ERR_OK && (rc = store_copy_file(file, tmp, e)) == ERR_OK)
        rc = check_copy(tmp, lim, report, e);
    if (rc == ERR_OK)
        rc = restore_documents(tmp, file, documents, e);
    if (rc == ERR_OK && exists)
        rc = move_aside(db_path, aside, size, e);
    if (rc == ERR_OK && rename(tmp, db_path) != 0)
        rc = err_set(e, ERR_FAIL, "%s: %s (the database is at %s)", db_path, strerror(errno),
                     aside);
    if (rc != ERR_OK)
        unlink(tmp);
    if (fd >= 0)
        close(fd);
    return rc;
}
