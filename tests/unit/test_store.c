/* Unit tests of the storage: migrations, persistence, constraints, journal,
 * and request snapshots on two connections. */
#include <sqlite3.h>

#include "store.h"
#include "test.h"

TEST_IMPL(store_migrates_and_keeps_rows)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    ASSERT(store_schema_version(s) >= 1);
    cJSON *org =
        cJSON_Parse("{\"name\":\"Coopérative ' ; DROP TABLE users; --\",\"city\":\"Lyon\"}");
    long long id;
    ASSERT_EQ(store_org_add(s, org, &id, &e), ERR_OK);
    cJSON_Delete(org);
    store_close(s);
    /* Reopening runs no migration twice and loses nothing. */
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    cJSON *got;
    ASSERT_EQ(store_org_get(s, id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(got, "name")),
                  "Coopérative ' ; DROP TABLE users; --");
    cJSON_Delete(got);
    store_close(s);
    /* A database from a newer labelcoop is refused, not damaged. */
    ASSERT_EQ(fixture_sql(fixture_db(dir), "PRAGMA user_version = 999"), SQLITE_OK);
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_UNAVAILABLE);
    ASSERT_CONTAINS(err_msg(&e), "newer than this labelcoop");
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

TEST_IMPL(store_answer_status_check)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    long long id;
    ASSERT_EQ(fixture_self_assessment(s, &id), ERR_OK);
    static const char *const ok[] = {"met", "partial", "not_met", "not_applicable"};
    char criterion[8];
    for (int i = 0; i < 4; i++) {
        snprintf(criterion, sizeof criterion, "C-%d", i);
        ASSERT_EQ(
            store_answer_put(s, id, criterion, ok[i], "", "[]", 0, "2026-01-01T00:00:00Z", &e),
            ERR_OK);
    }
    ASSERT_EQ(store_answer_put(s, id, "C-0", "met ", "", "[]", 0, "2026-01-01T00:00:00Z", &e),
              ERR_INPUT);
    ASSERT_CONTAINS(err_msg(&e), "CHECK");
    err_clear(&e);
    store_close(s);
    /* Migration 4 rebuilds the table: run again over the rows (the later
     * migrations undone first), it keeps them. */
    char undo[2048] = "DROP TABLE settings_generation;";
    static const char *const counted[] = {"users", "sessions", "activations", "plugin_state"};
    static const char *const events[] = {"insert", "update", "delete"};
    for (int t = 0; t < 4; t++)
        for (int v = 0; v < 3; v++)
            snprintf(undo + strlen(undo), sizeof undo - strlen(undo),
                     " DROP TRIGGER %s_%s_settings;", counted[t], events[v]);
    snprintf(undo + strlen(undo), sizeof undo - strlen(undo),
             " DROP TABLE notifications; DROP TABLE notification_optouts;"
             " DROP TABLE notify_secret;"
             " DROP TABLE account_tokens;"
             " DROP TABLE roles; ALTER TABLE sessions DROP COLUMN role_id;"
             " DROP TABLE mail; DROP TABLE document_versions; DROP TABLE documents;"
             " ALTER TABLE users DROP COLUMN acting_role; ALTER TABLE users DROP COLUMN disabled;"
             " ALTER TABLE decisions DROP COLUMN points;"
             " PRAGMA user_version = 3");
    ASSERT_EQ(fixture_sql(fixture_db(dir), undo), SQLITE_OK);
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    for (int i = 0; i < 4; i++) {
        char *text;
        snprintf(criterion, sizeof criterion, "C-%d", i);
        ASSERT_EQ(store_answer_text(s, id, criterion, &text, &e), ERR_OK);
        cJSON *got = cJSON_Parse(text);
        free(text);
        ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(got, "status")), ok[i]);
        cJSON_Delete(got);
    }
    ASSERT_EQ(store_answer_put(s, id, "C-0", "bogus", "", "[]", 0, "2026-01-01T00:00:00Z", &e),
              ERR_INPUT);
    err_clear(&e);
    /* The answer's JSON text, as journaled: its columns in order, the
     * evidence a list; none for a criterion not answered. */
    char *text;
    ASSERT_EQ(store_answer_put(s, id, "C-9", "met", "Vu \"ça\"\n", "[\"Statuts\"]", 0,
                               "2026-01-02T03:04:05Z", &e),
              ERR_OK);
    ASSERT_EQ(store_answer_text(s, id, "C-9", &text, &e), ERR_OK);
    ASSERT_STR_EQ(text,
                  "{\"criterion\":\"C-9\",\"status\":\"met\",\"comment\":\"Vu \\\"ça\\\"\\n\","
                  "\"evidence\":[\"Statuts\"],\"updated_at\":\"2026-01-02T03:04:05Z\"}");
    free(text);
    ASSERT_EQ(store_answer_text(s, id, "C-10", &text, &e), ERR_OK);
    ASSERT(text == NULL);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

/* The journal's chain hash is part of every database already written: its
 * form is pinned here (SHA-256 of prev with its NUL, then "LEN:field" for
 * each field, a missing one empty), as computed apart with Python's hashlib. */
TEST_IMPL(store_chain_hash_form)
{
    char after[1300], hex[65];
    snprintf(after, sizeof after, "{\"a\":\"%01234d\"}", 0);
    memset(after + 6, 'x', 1234);
    const char *fields[] = {
        "2026-01-01T00:00:00Z", "7", "answer.put", "assessment", "12", NULL, after};
    store_chain_hash("abc", fields, 7, hex);
    ASSERT_STR_EQ(hex, "0b12ebe74f9a137acf9a30f4fbbdd14b2a5af11742fc792285f18e54f3b2ce3b");
    store_chain_hash(NULL, fields, 0, hex);
    ASSERT_STR_EQ(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    return 0;
}

TEST_IMPL(store_constraints_and_journal)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    store_user u = {0};
    snprintf(u.email, sizeof u.email, "Someone@Example.org");
    snprintf(u.name, sizeof u.name, "Someone");
    snprintf(u.role, sizeof u.role, "committee");
    long long id;
    ASSERT_EQ(store_user_add(s, &u, "hash", &id, &e), ERR_OK);
    snprintf(u.email, sizeof u.email, "someone@example.ORG"); /* emails ignore case */
    ASSERT_EQ(store_user_add(s, &u, "hash", &id, &e), ERR_CONFLICT);
    snprintf(u.email, sizeof u.email, "cae@example.org");
    snprintf(u.role, sizeof u.role, "cae"); /* a CAE member needs an organisation */
    ASSERT_EQ(store_user_add(s, &u, "hash", &id, &e), ERR_INPUT);
    ASSERT_EQ(store_journal(s, 0, "test", "x", 1, NULL, NULL, &e), ERR_OK);
    sqlite3 *raw;
    ASSERT_EQ(sqlite3_open(fixture_db(dir), &raw), SQLITE_OK);
    char *msg = NULL;
    ASSERT(sqlite3_exec(raw, "DELETE FROM journal", NULL, NULL, &msg) != SQLITE_OK);
    ASSERT_CONTAINS(msg, "the journal is append-only");
    sqlite3_free(msg);
    sqlite3_close(raw);
    /* Rollback leaves nothing behind. */
    long long before, after;
    ASSERT_EQ(store_journal_count(s, &before, &e), ERR_OK);
    ASSERT_EQ(store_begin(s, &e), ERR_OK);
    ASSERT_EQ(store_journal(s, 0, "test", "x", 2, NULL, NULL, &e), ERR_OK);
    store_rollback(s);
    ASSERT_EQ(store_journal_count(s, &after, &e), ERR_OK);
    ASSERT_EQ(after, before);
    char backup[4300];
    snprintf(backup, sizeof backup, "%s/backup.db", dir);
    ASSERT_EQ(store_backup(s, backup, &e), ERR_OK);
    store_close(s);
    ASSERT_EQ(store_open(backup, &s, &e), ERR_OK);
    ASSERT_EQ(store_journal_count(s, &after, &e), ERR_OK);
    ASSERT_EQ(after, before);
    store_close(s);
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

/* A role waiting for confirmation: the account acts with the role it had
 * ("none" when new), the admin count sees that one, and the confirmation
 * puts in effect only the role still waiting, once. */
TEST_IMPL(store_pending_role)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    store_user u = {
        .email = "new@x.test", .name = "N", .role = "none", .pending_role = "committee"};
    store_user got;
    ASSERT_EQ(store_user_add(s, &u, "hash", &u.id, &e), ERR_OK);
    ASSERT_EQ(store_user_get(s, u.id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.role, "none");
    ASSERT_STR_EQ(got.pending_role, "committee");
    store_user a = {.email = "a@x.test", .name = "A", .role = "admin", .pending_role = "committee"};
    ASSERT_EQ(store_user_add(s, &a, "hash", &a.id, &e), ERR_OK);
    long long admins;
    ASSERT_EQ(store_admin_count(s, false, &admins, &e), ERR_OK);
    ASSERT_EQ(admins, 1);
    ASSERT_EQ(store_admin_count(s, true, &admins, &e), ERR_OK);
    ASSERT_EQ(admins, 0); /* the committee role awaited replaces it */
    ASSERT_EQ(store_user_confirm_role(s, got.role_id, "auditor", &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_user_confirm_role(s, got.role_id, "committee", &e), ERR_OK);
    ASSERT_EQ(store_user_confirm_role(s, got.role_id, "committee", &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_user_get(s, u.id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.role, "committee");
    ASSERT_STR_EQ(got.pending_role, "");
    /* a change naming another role clears the waiting one */
    ASSERT_EQ(store_user_get(s, a.id, &got, &e), ERR_OK);
    a.role_id = got.role_id;
    a.pending_role[0] = '\0';
    ASSERT_EQ(store_user_update(s, &a, &e), ERR_OK);
    ASSERT_EQ(store_user_get(s, a.id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.role, "admin");
    ASSERT_STR_EQ(got.pending_role, "");
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

TEST_IMPL(store_snapshot_reads_then_writes_fresh)
{
    char *dir = fixture_tmpdir();
    store *a, *b;
    err e = ERR_INIT;
    ASSERT_EQ(fixture_open_two(dir, &a, &b), ERR_OK);
    long long n0, n;
    ASSERT_EQ(store_snapshot(a, &e), ERR_OK);
    ASSERT_EQ(store_journal_count(a, &n0, &e), ERR_OK);
    ASSERT_EQ(store_journal(b, 0, "test", "x", 1, NULL, NULL, &e), ERR_OK);
    ASSERT_EQ(store_journal_count(a, &n, &e), ERR_OK);
    ASSERT_EQ(n, n0); /* inside the snapshot: the other write is not seen */
    store_snapshot_end(a);
    ASSERT_EQ(store_journal_count(a, &n, &e), ERR_OK);
    ASSERT_EQ(n, n0 + 1);
    /* A single write statement inside a snapshot older than another
     * connection's commit: it ends the snapshot first, so SQLite does not
     * refuse it as a write from stale data. */
    ASSERT_EQ(store_snapshot(a, &e), ERR_OK);
    ASSERT_EQ(store_journal_count(a, &n, &e), ERR_OK);
    ASSERT_EQ(store_journal(b, 0, "test", "x", 2, NULL, NULL, &e), ERR_OK);
    long long id;
    ASSERT_EQ(fixture_org_add(a, &id), ERR_OK);
    /* So does a write transaction: it starts from the latest data. */
    ASSERT_EQ(store_snapshot(a, &e), ERR_OK);
    ASSERT_EQ(store_journal(b, 0, "test", "x", 3, NULL, NULL, &e), ERR_OK);
    ASSERT_EQ(store_begin(a, &e), ERR_OK);
    ASSERT_EQ(store_journal(a, 0, "test", "x", 4, NULL, NULL, &e), ERR_OK);
    ASSERT_EQ(store_commit(a, &e), ERR_OK);
    ASSERT_EQ(store_journal_count(b, &n, &e), ERR_OK);
    ASSERT_EQ(n, n0 + 4);
    long long rows, bad;
    ASSERT_EQ(store_journal_verify(b, &rows, &bad, &e), ERR_OK);
    ASSERT_EQ(bad, 0);
    store_close(a);
    store_close(b);
    fixture_rmtree(dir);
    return 0;
}

/* Whether the settings a reads (as a request does) moved since *since;
 * *since becomes the version read. */
static bool settings_moved(store *a, store_version *since)
{
    store_version now;
    fixture_version_now(a, &now);
    bool moved = !store_settings_same(since, &now);
    *since = now;
    return moved;
}

TEST_IMPL(store_settings_move_with_what_servers_keep)
{
    char *dir = fixture_tmpdir();
    store *a, *b;
    err e = ERR_INIT;
    ASSERT_EQ(fixture_open_two(dir, &a, &b), ERR_OK);
    long long id, user;
    ASSERT_EQ(fixture_self_assessment(b, &id), ERR_OK);
    store_version v0, v;
    fixture_version_now(a, &v0);
    /* Answers and the journal, written all day long: the data moves, the
     * settings stay. */
    ASSERT_EQ(store_answer_put(b, id, "C-1", "met", "", "[]", 0, "2026-01-01T00:00:00Z", &e),
              ERR_OK);
    ASSERT_EQ(store_journal(b, 0, "answer.put", "assessment", id, NULL, NULL, &e), ERR_OK);
    fixture_version_now(a, &v);
    ASSERT(!store_version_same(&v0, &v));
    ASSERT(store_settings_same(&v0, &v));
    /* An account, a session, its end, a plugin's state: each moves them,
     * written by another connection as by the command line. */
    store_user u = {.email = "a@b.test", .name = "A", .role = "admin"};
    ASSERT_EQ(store_user_add(b, &u, "x", &user, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    ASSERT_EQ(store_session_add(b, "h", user, 0, "session", NULL, 1, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    /* a role given or taken: a session's rights change with it */
    store_user more = {.role = "auditor", .certified_until = "2030-01-01"};
    long long role;
    ASSERT_EQ(store_role_add(b, user, &more, &role, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    ASSERT_EQ(store_role_add(b, user, &more, &role, &e), ERR_CONFLICT); /* one row a role */
    err_clear(&e);
    ASSERT_EQ(store_role_delete(b, role, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    ASSERT_EQ(store_session_delete(b, "h", &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    ASSERT_EQ(store_plugin_state_set(b, "p", false, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    /* A's own change too, seen by a's next request. */
    ASSERT_EQ(store_user_get(a, user, &u, &e), ERR_OK);
    u.disabled = true;
    ASSERT_EQ(store_user_update(a, &u, &e), ERR_OK);
    ASSERT(settings_moved(a, &v0));
    store_close(a);
    store_close(b);
    fixture_rmtree(dir);
    return 0;
}

/* A single-use token: stored by hash, used once (a second use changes no
 * row), a reset names its account, a new one drops the unused ones. */
TEST_IMPL(store_account_token_once)
{
    char *dir = fixture_tmpdir();
    store *s;
    err e = ERR_INIT;
    ASSERT_EQ(store_open(fixture_db(dir), &s, &e), ERR_OK);
    char hash[65], other[65];
    memset(hash, 'a', 64), hash[64] = '\0';
    memset(other, 'b', 64), other[64] = '\0';
    store_account_token t = {.kind = "invitation", .email = "i@x.test", .name = "I",
                             .role = "auditor", .created_at = "2026-01-01T00:00:00Z",
                             .expires_at = "2026-01-08T00:00:00Z"};
    long long id;
    ASSERT_EQ(store_account_token_add(s, hash, &t, &id, &e), ERR_OK);
    store_account_token got = {0};
    ASSERT_EQ(store_account_token_get(s, hash, "password_reset", &got, &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_account_token_get(s, hash, "invitation", &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.email, "i@x.test");
    ASSERT_STR_EQ(got.used_at, "");
    ASSERT_EQ(store_account_token_use(s, id, "2026-01-02T00:00:00Z", &e), ERR_OK);
    ASSERT_EQ(store_account_token_use(s, id, "2026-01-03T00:00:00Z", &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_account_token_get(s, hash, "invitation", &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.used_at, "2026-01-02T00:00:00Z");
    /* used, it is no longer listed, revoked nor dropped */
    cJSON *list;
    ASSERT_EQ(store_invitation_list(s, "2026-01-02T00:00:00Z", &list, &e), ERR_OK);
    ASSERT_EQ(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
    ASSERT_EQ(store_invitation_delete(s, id, &e), ERR_NOT_FOUND);
    err_clear(&e);
    /* a reset names its account; the same hash is never stored twice */
    store_account_token r = {.kind = "password_reset", .email = "i@x.test",
                             .created_at = "2026-01-01T00:00:00Z",
                             .expires_at = "2026-01-01T01:00:00Z"};
    ASSERT(store_account_token_add(s, other, &r, &id, &e) != ERR_OK);
    err_clear(&e);
    ASSERT(store_account_token_add(s, hash, &t, &id, &e) != ERR_OK);
    err_clear(&e);
    ASSERT_EQ(store_account_token_add(s, other, &t, &id, &e), ERR_OK);
    ASSERT_EQ(store_invitation_list(s, "2026-01-09T00:00:00Z", &list, &e), ERR_OK);
    ASSERT_EQ(cJSON_GetArraySize(list), 1);
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(list->child, "status")), "expired");
    cJSON_Delete(list);
    ASSERT_EQ(store_account_tokens_drop(s, "invitation", "I@X.TEST", &e), ERR_OK);
    ASSERT_EQ(store_account_token_get(s, other, "invitation", &got, &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_account_token_get(s, hash, "invitation", &got, &e), ERR_OK);
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}
