/* store_ledger: what must stay provable: the journal and its hash chain,
 * stored rule sets and their activations, decision records.
 * Its statements' text first, then their wrappers; helpers in store_internal.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

/* The text of this area's statements, by id (the others' are NULL): the
 * statement cache in store.c prepares each once per connection. */
/* NOLINTBEGIN(bugprone-suspicious-missing-comma): each entry is designated ([Q_X] =),
 * so a missing comma would not compile; long statements are split literals. */
const char *const store_sql_ledger[Q_COUNT] = {
    [Q_JOURNAL_ADD] = "INSERT INTO journal (at, user_id, action, entity, entity_id, before, after,"
                      " hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_JOURNAL_LAST] = "SELECT hash FROM journal ORDER BY id DESC LIMIT 1",
    [Q_JOURNAL_ALL] = "SELECT id, at, user_id, action, entity, entity_id, before, after, hash,"
                      " prev_hash FROM journal ORDER BY id",
    [Q_RULESET_ADD] = "INSERT OR IGNORE INTO rulesets (hash, created_at) VALUES (?, ?)",
    [Q_RULESET_FILE_ADD] = "INSERT OR IGNORE INTO ruleset_files (hash, path, content)"
                           " VALUES (?, ?, ?)",
    [Q_RULESET_FILES] = "SELECT path, content FROM ruleset_files WHERE hash = ? ORDER BY path",
    [Q_ACTIVATION_ADD] = "INSERT INTO activations (hash, label, note, activated_by, activated_at)"
                         " VALUES (?, ?, ?, ?, ?)",
    [Q_ACTIVE] = "SELECT hash, id FROM activations ORDER BY id DESC LIMIT 1",
    [Q_HISTORY] = "SELECT a.id, a.hash AS ruleset, a.label, a.note, a.activated_by,"
                  " u.email AS activated_by_email, a.activated_at FROM activations a"
                  " LEFT JOIN users u ON u.id = a.activated_by ORDER BY a.id",
    [Q_DECISION_LAST] = "SELECT record_hash FROM decisions WHERE record_hash IS NOT NULL"
                        " ORDER BY id DESC LIMIT 1",
    [Q_DECISION_RECORDS] = "SELECT id, assessment_id, outcome, decided_on, valid_until, record,"
                           " record_hash, prev_hash FROM decisions ORDER BY id",
    [Q_ASSESSMENT_MIGRATE] = "UPDATE assessments SET ruleset = ?2"
                             " WHERE id = ?1 AND status = 'draft'",
    [Q_JOURNAL_COUNT] = "SELECT count(*) FROM journal",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

/* ---- journal -------------------------------------------------------------- */

/* Optional text of the statement's single-row, single-column result into out. */
static int one_text(store *s, sqlite3_stmt *st, char *out, size_t size, err *e)
{
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        copy_col(st, 0, out, size);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "read");
}

/* "LEN:" in decimal into out (24 bytes); its length. What snprintf would
 * write, without its cost: this runs seven times for each journal row,
 * inside the writes' turn. */
static int length_prefix(size_t len, char *out)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + len % 10);
        len /= 10;
    } while (len);
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = ':';
    return n + 1;
}

void store_chain_hash(const char *prev, const char *const *fields, int n, char *hex)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)(prev ? prev : ""),
                              strlen(prev ? prev : "") + 1);
    for (int i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        /* Length-prefixed, so no two field lists hash alike. */
        char len[24];
        int k = length_prefix(strlen(f), len);
        crypto_hash_sha256_update(&st, (const unsigned char *)len, (unsigned long long)k);
        crypto_hash_sha256_update(&st, (const unsigned char *)f, strlen(f));
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

int store_journal(store *s, long long user, const char *action, const char *entity,
                  long long entity_id, const cJSON *before, const cJSON *after, err *e)
{
    char *b = before ? cJSON_PrintUnformatted(before) : NULL;
    char *a = after ? cJSON_PrintUnformatted(after) : NULL;
    int rc = (before && !b) || (after && !a)
                 ? err_set(e, ERR_FAIL, "out of memory")
                 : store_journal_text(s, NULL, user, action, entity, entity_id, b, a, e);
    free(b);
    free(a);
    return rc;
}

int store_journal_text(store *s, const char *at, long long user, const char *action,
                       const char *entity, long long entity_id, const char *b, const char *a,
                       err *e)
{
    char prev[65], hash[65], now[DATE_TIME_LEN + 1], user_text[24], id_text[24];
    /* Within one write transaction (which holds the write lock, so no one
     * else appends), the last row is the one written last here. */
    bool chained = s->writing && !sqlite3_get_autocommit(s->db);
    sqlite3_stmt *st;
    if (chained && s->chain_known)
        memcpy(prev, s->chain, sizeof prev);
    else if (!(st = stmt(s, Q_JOURNAL_LAST, e)) || one_text(s, st, prev, sizeof prev, e))
        return e->code;
    if (!(st = stmt(s, Q_JOURNAL_ADD, e)))
        return e->code;
    if (at)
        snprintf(now, sizeof now, "%s", at);
    else
        date_now(now);
    snprintf(user_text, sizeof user_text, "%lld", user);
    snprintf(id_text, sizeof id_text, "%lld", entity_id);
    const char *fields[] = {now, user_text, action, entity, id_text, b, a};
    store_chain_hash(prev, fields, 7, hash);
    bind_text(st, 1, now);
    bind_id(st, 2, user);
    bind_text(st, 3, action);
    bind_text(st, 4, entity);
    bind_id(st, 5, entity_id);
    bind_text(st, 6, b);
    bind_text(st, 7, a);
    bind_text(st, 8, hash);
    bind_text(st, 9, prev[0] ? prev : NULL);
    int rc = exec_stmt(s, st, "journal", e);
    if (rc == ERR_OK && chained) {
        memcpy(s->chain, hash, sizeof s->chain);
        s->chain_known = true;
    }
    return rc;
}

int store_journal_verify(store *s, long long *rows, long long *bad_id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_JOURNAL_ALL, e);
    if (!st)
        return e->code;
    char prev[65] = "";
    int rc;
    *rows = 0;
    *bad_id = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col[10];
        for (int i = 0; i < 10; i++)
            col[i] = (const char *)sqlite3_column_text(st, i);
        char user_text[24], id_text[24], hash[65];
        snprintf(user_text, sizeof user_text, "%lld", (long long)sqlite3_column_int64(st, 2));
        snprintf(id_text, sizeof id_text, "%lld", (long long)sqlite3_column_int64(st, 5));
        const char *fields[] = {col[1], user_text, col[3], col[4], id_text, col[6], col[7]};
        store_chain_hash(prev, fields, 7, hash);
        bool prev_ok = prev[0] ? col[9] && strcmp(col[9], prev) == 0 : col[9] == NULL;
        (*rows)++;
        if (!col[8] || strcmp(col[8], hash) != 0 || !prev_ok) {
            *bad_id = sqlite3_column_int64(st, 0);
            break;
        }
        snprintf(prev, sizeof prev, "%s", col[8]);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "journal");
}

/* ---- rule sets ------------------------------------------------------------- */

int store_ruleset_put(store *s, const char *hash, const files_tree *tree, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (query_exec(s, Q_RULESET_ADD, ARGS(A_TEXT(hash), A_TEXT(now)), false, "rule set", e))
        return e->code;
    for (size_t i = 0; i < tree->count; i++) {
        sqlite3_stmt *st =
            stmt_bound(s, Q_RULESET_FILE_ADD, ARGS(A_TEXT(hash), A_TEXT(tree->paths[i])), e);
        if (!st)
            return e->code;
        sqlite3_bind_blob(st, 3, tree->data[i], (int)tree->lens[i], SQLITE_TRANSIENT);
        if (exec_stmt(s, st, "rule file", e))
            return e->code;
    }
    return ERR_OK;
}

int store_ruleset_files(store *s, const char *hash, files_tree *out, err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt_bound(s, Q_RULESET_FILES, ARGS(A_TEXT(hash)), e);
    if (!st)
        return e->code;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(out->paths, cap * sizeof *p);
            char **d = p ? realloc(out->data, cap * sizeof *d) : NULL;
            size_t *l = d ? realloc(out->lens, cap * sizeof *l) : NULL;
            if (p)
                out->paths = p;
            if (d)
                out->data = d;
            if (!l) {
                sqlite3_reset(st);
                files_tree_free(out);
                return err_set(e, ERR_FAIL, "out of memory");
            }
            out->lens = l;
        }
        int n = sqlite3_column_bytes(st, 1);
        char *data = malloc((size_t)n + 1);
        char *path = strdup((const char *)sqlite3_column_text(st, 0));
        if (!data || !path) {
            free(data);
            free(path);
            sqlite3_reset(st);
            files_tree_free(out);
            return err_set(e, ERR_FAIL, "out of memory");
        }
        memcpy(data, sqlite3_column_blob(st, 1), (size_t)n);
        data[n] = '\0';
        out->paths[out->count] = path;
        out->data[out->count] = data;
        out->lens[out->count++] = (size_t)n;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        files_tree_free(out);
        return db_fail(s, e, "rule files");
    }
    if (!out->count)
        return err_set(e, ERR_NOT_FOUND, "no rule set %s in this database", hash);
    return ERR_OK;
}

int store_activation_add(store *s, const char *hash, const char *label, const char *note,
                         long long user, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_insert(s, Q_ACTIVATION_ADD,
                        ARGS(A_TEXT(hash), A_TEXT(label), A_TEXT(note), A_ID(user), A_TEXT(now)),
                        "activation", id, e);
}

int store_active_ruleset(store *s, char *hash, long long *generation, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ACTIVE, e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    hash[0] = '\0';
    *generation = 0;
    if (rc == SQLITE_ROW) {
        copy_col(st, 0, hash, 65);
        *generation = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return row_found(s, rc, "no rule set was ever activated", "active rule set", e);
}

int store_ruleset_history(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_HISTORY, NULL, false, "activations", out, e);
}

int store_decision_last_hash(store *s, char *hash, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_LAST, e);
    return st ? one_text(s, st, hash, 65, e) : e->code;
}

int store_decision_each(store *s, int (*fn)(void *ud, const store_record *rec), void *ud, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_RECORDS, e);
    if (!st)
        return e->code;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_record r = {
            .id = sqlite3_column_int64(st, 0),
            .assessment_id = sqlite3_column_int64(st, 1),
            .outcome = (const char *)sqlite3_column_text(st, 2),
            .date = (const char *)sqlite3_column_text(st, 3),
            .valid_until = (const char *)sqlite3_column_text(st, 4),
            .record = (const char *)sqlite3_column_text(st, 5),
            .record_hash = (const char *)sqlite3_column_text(st, 6),
            .prev_hash = (const char *)sqlite3_column_text(st, 7),
        };
        stop = fn(ud, &r);
    }
    sqlite3_reset(st);
    return stop || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "decisions");
}

int store_assessment_migrate(store *s, long long id, const char *ruleset, err *e)
{
    if (query_exec(s, Q_ASSESSMENT_MIGRATE, ARGS(A_INT(id), A_TEXT(ruleset)), false, "migrate", e))
        return e->code;
    return sqlite3_changes(s->db) == 1
               ? ERR_OK
               : err_set(e, ERR_CONFLICT,
                         "assessment %lld is no longer a draft: it keeps its rules", id);
}

int store_journal_count(store *s, long long *n, err *e)
{
    return query_count(s, Q_JOURNAL_COUNT, NULL, n, e);
}
