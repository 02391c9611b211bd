/* store: SQLite access for labelcoop: the connection, the statement cache
 * (each statement prepared once for the connection's life), transactions,
 * read snapshots and the helpers the store_* files share. Rows become cJSON
 * objects: a column named "x_json" holds JSON text and becomes key "x".
 * All SQL is in the store_* files: the schema in store_schema.c; each
 * statement's text beside its wrapper, by area, in store_accounts.c,
 * store_workflow.c, store_ledger.c and store_outbox.c (here those of
 * transactions and versions). Uses SQLite 3 and cJSON. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

static const char *const sql_core[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT part",
    [Q_RELEASE] = "RELEASE part",
    [Q_ROLLBACK_TO] = "ROLLBACK TO part",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_SETTINGS] = "SELECT n FROM settings_generation",
    [Q_WHATIF_TARGETS] = "SELECT a.id, a.organisation_id, o.name AS organisation, a.kind, a.status,"
                         " a.evaluation AS evaluation_json,"
                         " (SELECT max(d.valid_until) FROM decisions d WHERE d.assessment_id = a.id"
                         "   AND d.outcome = 'awarded') AS label_until FROM assessments a"
                         " JOIN organisations o ON o.id = a.organisation_id"
                         " WHERE (a.kind = 'audit' AND a.id = (SELECT max(b.id) FROM assessments b"
                         "   WHERE b.organisation_id = a.organisation_id AND b.kind = 'audit'"
                         "   AND b.status <> 'draft'))"
                         " OR (a.kind = 'self_assessment' AND a.status = 'draft') ORDER BY a.id",
};

/* Where the text of a statement is: here for transactions and versions, in
 * the store_* file of its area for the others. */
static const char *const *const sql_areas[] = {sql_core,         store_sql_accounts,
                                               store_sql_workflow, store_sql_ledger,
                                               store_sql_outbox, store_sql_library,
                                               store_sql_mail,   store_sql_people,
                                               store_sql_tokens, store_sql_notify};

/* The text of statement q. */
static const char *sql_text(int q)
{
    for (size_t i = 0; i < sizeof sql_areas / sizeof *sql_areas; i++)
        if (sql_areas[i][q])
            return sql_areas[i][q];
    return NULL;
}

/* Writers of this process queue here rather than in SQLite's busy handler,
 * which polls with sleeps of a millisecond and more: under concurrent writes
 * the lock then passes at once from one thread to the next. Other processes
 * still meet the busy handler. A thread may hold it for several stores. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_depth;

static void write_acquire(store *s)
{
    if (write_depth++ == 0)
        pthread_mutex_lock(&write_lock);
    s->writing = true;
    s->chain_known = false;
}

static void write_release(store *s)
{
    s->chain_known = false;
    if (!s->writing)
        return;
    s->writing = false;
    if (--write_depth == 0)
        pthread_mutex_unlock(&write_lock);
}

/* The error of the last failed call, mapped to what the edges report. */
int db_fail(store *s, err *e, const char *what)
{
    int sys = errno; /* first: nothing below may change it */
    int rc = sqlite3_extended_errcode(s->db);
    int code = ERR_FAIL;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = ERR_CONFLICT;
    else if ((rc & 0xff) == SQLITE_CONSTRAINT)
        code = ERR_INPUT;
    else if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_READONLY ||
             (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_IOERR ||
             (rc & 0xff) == SQLITE_CANTOPEN)
        code = ERR_UNAVAILABLE;
    /* SQLite says "disk I/O error" for a write refused past a file size limit
     * (EFBIG) as for a failing disk (EIO): errno, still the write's, says which. */
    if (sys &&
        (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE))
        return err_set(e, code, "%s: %s (%s)", what, sqlite3_errmsg(s->db), strerror(sys));
    return err_set(e, code, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* The cached statement q, reset and cleared; NULL (with e set) on failure. */
sqlite3_stmt *stmt(store *s, int q, err *e)
{
    sqlite3_stmt *st = s->stmts[q];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, sql_text(q), -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            db_fail(s, e, "prepare");
            return NULL;
        }
        s->stmts[q] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    /* A write inside the snapshot would turn it into a write transaction
     * that started from old data, and keep the write lock till its end. */
    if (s->snapshot && !sqlite3_stmt_readonly(st))
        store_snapshot_end(s);
    return st;
}

void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void bind_id(sqlite3_stmt *st, int i, long long v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no row. */
int exec_stmt(store *s, sqlite3_stmt *st, const char *what, err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, e, what);
    return ERR_OK;
}

/* The current row as an object; "x_json" columns are parsed into key "x". */
static cJSON *row_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        size_t len = strlen(name);
        cJSON *v;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            v = cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            v = cJSON_CreateNumber(sqlite3_column_double(st, i));
            break;
        case SQLITE_TEXT: {
            const char *text = (const char *)sqlite3_column_text(st, i);
            if (len > 5 && strcmp(name + len - 5, "_json") == 0) {
                v = cJSON_Parse(text);
                if (!v)
                    v = cJSON_CreateNull();
            } else {
                v = cJSON_CreateString(text);
            }
            break;
        }
        default:
            v = cJSON_CreateNull();
        }
        if (len > 5 && len < 64 && strcmp(name + len - 5, "_json") == 0) {
            char key[64];
            memcpy(key, name, len - 5);
            key[len - 5] = '\0';
            cJSON_AddItemToObject(o, key, v);
        } else {
            cJSON_AddItemToObject(o, name, v);
        }
    }
    return o;
}

/* Collects the rows of st into a list (one: the single row, ERR_NOT_FOUND if none). */
int rows_json(store *s, sqlite3_stmt *st, bool one, const char *what, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *list = one ? NULL : cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = row_json(st);
        if (one) {
            *out = row;
            sqlite3_reset(st);
            return ERR_OK;
        }
        cJSON_AddItemToArray(list, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(list);
        return db_fail(s, e, what);
    }
    if (one)
        return err_set(e, ERR_NOT_FOUND, "%s not found", what);
    *out = list;
    return ERR_OK;
}

/* Runs st and reports ERR_NOT_FOUND when it changed no row. */
int exec_one(store *s, sqlite3_stmt *st, const char *what, err *e)
{
    if (exec_stmt(s, st, what, e))
        return e->code;
    return sqlite3_changes(s->db) ? ERR_OK : err_set(e, ERR_NOT_FOUND, "%s not found", what);
}

int count_rows(store *s, sqlite3_stmt *st, long long *n, err *e)
{
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ERR_OK : db_fail(s, e, "count");
}

/* The cached statement q with args bound to ?1, ?2... in order; NULL (with
 * e set) on failure. */
sqlite3_stmt *stmt_bound(store *s, int q, const store_arg *args, err *e)
{
    sqlite3_stmt *st = stmt(s, q, e);
    for (int i = 0; st && args && args[i].kind != ARG_END; i++) {
        if (args[i].kind == ARG_TEXT)
            bind_text(st, i + 1, args[i].text);
        else if (args[i].kind == ARG_ID)
            bind_id(st, i + 1, args[i].n);
        else
            sqlite3_bind_int64(st, i + 1, args[i].n);
    }
    return st;
}

/* Runs q on args and collects its rows as rows_json does. */
int query_json(store *s, int q, const store_arg *args, bool one, const char *what, cJSON **out,
               err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    return st ? rows_json(s, st, one, what, out, e) : e->code;
}

/* Runs q on args, a statement that returns no row; with one, a statement
 * that changed no row is ERR_NOT_FOUND. */
int query_exec(store *s, int q, const store_arg *args, bool one, const char *what, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    if (!st)
        return e->code;
    return one ? exec_one(s, st, what, e) : exec_stmt(s, st, what, e);
}

/* The outcome of a single-row read whose step returned rc (st reset since):
 * ERR_OK for a row, ERR_NOT_FOUND saying missing for none, else the failure. */
int row_found(store *s, int rc, const char *missing, const char *what, err *e)
{
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "%s", missing) : db_fail(s, e, what);
}

/* Runs q on args, an insert, and gives the new row's id. */
int query_insert(store *s, int q, const store_arg *args, const char *what, long long *id, err *e)
{
    if (query_exec(s, q, args, false, what, e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

/* Runs q on args and reads the integer of its first row into n. */
int query_count(store *s, int q, const store_arg *args, long long *n, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    return st ? count_rows(s, st, n, e) : e->code;
}

const char *field_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    snprintf(dst, size, "%s", v ? v : "");
}

/* ---- opening and migrating ---------------------------------------------- */

int exec_sql(store *s, const char *text, err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, text, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, ERR_FAIL, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return ERR_FAIL;
    }
    return ERR_OK;
}


/* SQLite keeps allocation statistics under one global mutex, taken on every
 * allocation of every connection: worker threads would queue on it. */
static void configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, store **out, err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_FAIL, "out of memory");
    s->seen.settings = -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        err_set(e, ERR_UNAVAILABLE, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        store_close(s);
        return ERR_UNAVAILABLE;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    /* temp_store = MEMORY: an upsert into a WITHOUT ROWID table goes through
     * an ephemeral table, which would otherwise get a temporary file and a
     * page cache of its own at every statement. */
    if (exec_sql(s,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
                 e) != ERR_OK ||
        store_schema_migrate(s, e) != ERR_OK) {
        err_set(e, ERR_UNAVAILABLE, "%s: %s", path, err_msg(e));
        store_close(s);
        return ERR_UNAVAILABLE;
    }
    *out = s;
    return ERR_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    write_release(s);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

int store_begin(store *s, err *e)
{
    store_snapshot_end(s);
    sqlite3_stmt *st = stmt(s, Q_BEGIN, e);
    if (!st)
        return e->code;
    write_acquire(s);
    int rc = exec_stmt(s, st, "begin", e);
    if (rc != ERR_OK)
        write_release(s);
    return rc;
}

int store_version_get(store *s, store_version *v, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DATA_VERSION, e);
    if (!st)
        return e->code;
    if (count_rows(s, st, &v->data, e))
        return e->code;
    v->own = (long long)sqlite3_total_changes64(s->db);
    /* Nothing committed since the last read: the settings did not move
     * either, and a request that only reads pays for one statement. */
    if (s->seen.settings >= 0 && store_version_same(v, &s->seen)) {
        v->settings = s->seen.settings;
        return ERR_OK;
    }
    if (store_settings_get(s, &v->settings, e))
        return e->code;
    s->seen = *v;
    return ERR_OK;
}

bool store_version_same(const store_version *a, const store_version *b)
{
    return a->data == b->data && a->own == b->own;
}

bool store_settings_same(const store_version *a, const store_version *b)
{
    return a->settings == b->settings;
}

int store_settings_get(store *s, long long *settings, err *e)
{
    return query_count(s, Q_SETTINGS, NULL, settings, e);
}

int store_begin_read(store *s, err *e)
{
    if (s->snapshot) { /* already in one: the caller's commit ends it */
        s->snapshot = false;
        return ERR_OK;
    }
    return query_exec(s, Q_BEGIN_READ, NULL, false, "begin", e);
}

int store_snapshot(store *s, err *e)
{
    if (!sqlite3_get_autocommit(s->db))
        return ERR_OK; /* a transaction is open: its reads are one snapshot already */
    int rc = store_begin_read(s, e);
    s->snapshot = rc == ERR_OK;
    return rc;
}

void store_snapshot_end(store *s)
{
    if (!s->snapshot)
        return;
    s->snapshot = false;
    if (!sqlite3_get_autocommit(s->db)) {
        err e = ERR_INIT;
        sqlite3_stmt *st = stmt(s, Q_COMMIT, &e);
        if (st) /* a read transaction: ending it cannot lose anything */
            exec_stmt(s, st, "commit", &e);
        err_clear(&e);
    }
}

int store_whatif_targets(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_WHATIF_TARGETS, NULL, false, "assessments", out, e);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db, (void)name;
    store *s = arg;
    s->wal_fn(s->wal_arg, pages);
    return SQLITE_OK;
}

void store_wal_watch(store *s, void (*fn)(void *arg, int pages), void *arg)
{
    s->wal_fn = fn;
    s->wal_arg = arg;
    sqlite3_wal_hook(s->db, wal_hook, s); /* replaces the automatic checkpoint */
}

int store_checkpoint(store *s, err *e)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK ? ERR_OK : db_fail(s, e, "checkpoint");
}

int store_commit(store *s, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_COMMIT, e);
    int rc = st ? exec_stmt(s, st, "commit", e) : e->code;
    if (rc != ERR_OK)
        store_rollback(s);
    else
        write_release(s);
    return rc;
}

void store_rollback(store *s)
{
    s->snapshot = false;
    if (!sqlite3_get_autocommit(s->db)) { /* else SQLite already rolled back */
        err e = ERR_INIT;
        sqlite3_stmt *st = stmt(s, Q_ROLLBACK, &e);
        if (st)
            exec_stmt(s, st, "rollback", &e);
        err_clear(&e);
    }
    write_release(s);
}

int store_savepoint(store *s, err *e)
{
    return query_exec(s, Q_SAVEPOINT, NULL, false, "savepoint", e);
}

int store_release(store *s, err *e)
{
    return query_exec(s, Q_RELEASE, NULL, false, "release", e);
}

bool store_rollback_to(store *s)
{
    s->chain_known = false;            /* the row it names may be undone */
    if (sqlite3_get_autocommit(s->db)) /* SQLite rolled the whole transaction back */
        return false;
    err e = ERR_INIT;
    sqlite3_stmt *st = stmt(s, Q_ROLLBACK_TO, &e);
    bool ok = st && exec_stmt(s, st, "rollback to", &e) == ERR_OK;
    if (ok && (st = stmt(s, Q_RELEASE, &e)) != NULL)
        ok = exec_stmt(s, st, "release", &e) == ERR_OK;
    err_clear(&e);
    return ok && !sqlite3_get_autocommit(s->db);
}

