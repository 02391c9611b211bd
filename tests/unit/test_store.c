/* Unit tests of the storage: migrations, persistence, constraints, journal. */
#include <sqlite3.h>

#include "policy.h"
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
    cJSON *org = cJSON_Parse("{\"name\":\"Coop\"}");
    long long org_id, id;
    ASSERT_EQ(store_org_add(s, org, &org_id, &e), ERR_OK);
    cJSON_Delete(org);
    store_assessment a = {.org_id = org_id, .kind = "self_assessment", .ruleset = "r"};
    ASSERT_EQ(store_assessment_add(s, &a, &id, &e), ERR_OK);
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
    ASSERT_EQ(store_admin_count(s, &admins, &e), ERR_OK);
    ASSERT_EQ(admins, 1);
    ASSERT_EQ(store_user_confirm_role(s, u.id, "auditor", &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_user_confirm_role(s, u.id, "committee", &e), ERR_OK);
    ASSERT_EQ(store_user_confirm_role(s, u.id, "committee", &e), ERR_NOT_FOUND);
    err_clear(&e);
    ASSERT_EQ(store_user_get(s, u.id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.role, "committee");
    ASSERT_STR_EQ(got.pending_role, "");
    /* a change naming another role clears the waiting one */
    a.pending_role[0] = '\0';
    ASSERT_EQ(store_user_update(s, &a, &e), ERR_OK);
    ASSERT_EQ(store_user_get(s, a.id, &got, &e), ERR_OK);
    ASSERT_STR_EQ(got.role, "admin");
    ASSERT_STR_EQ(got.pending_role, "");
    store_close(s);
    fixture_rmtree(dir);
    return 0;
}

/* The permission table, role by role. */
TEST_IMPL(policy_matrix)
{
    store_user cae = {.id = 1, .role = "cae", .org_id = 10};
    store_user auditor = {
        .id = 2, .role = "auditor", .org_id = 20, .certified_until = "9999-12-31"};
    /* the same auditor once their certification ended, or was cleared */
    store_user lapsed = {.id = 2, .role = "auditor", .org_id = 20, .certified_until = "2001-01-01"};
    store_user cleared = {.id = 2, .role = "auditor", .org_id = 20};
    store_user gone = {.id = 1, .role = "cae", .org_id = 10, .disabled = true};
    store_user committee = {.id = 3, .role = "committee"};
    store_user admin = {.id = 4, .role = "admin"};
    /* a new account whose committee role awaits confirmation */
    store_user none = {.id = 5, .role = "none", .pending_role = "committee"};
    store_assessment own_self = {.id = 1, .org_id = 10, .kind = "self_assessment"};
    store_assessment audit = {.id = 2, .org_id = 10, .kind = "audit", .auditor_id = 2};
    store_assessment other = {.id = 3, .org_id = 30, .kind = "self_assessment"};
    policy_target t_self = {0, &own_self, false}, t_audit = {0, &audit, false};
    policy_target t_other = {0, &other, false}, org10 = {10, NULL, false};
    policy_target org30 = {30, NULL, false};
    store_assessment audited_self = {
        .id = 4, .org_id = 10, .kind = "self_assessment", .status = "submitted"};
    store_assessment audited_draft = {
        .id = 5, .org_id = 10, .kind = "self_assessment", .status = "draft"};
    policy_target t_draft = {0, &audited_draft, true};
    policy_target t_audited = {0, &audited_self, true};
    struct {
        const store_user *u;
        policy_action a;
        const policy_target *t;
        int expected;
    } cases[] = {
        {&cae, POLICY_SELF_ASSESS, &org10, ERR_OK},
        {&cae, POLICY_SELF_ASSESS, &org30, ERR_FORBIDDEN},
        {&admin, POLICY_SELF_ASSESS, &org10, ERR_FORBIDDEN},
        {&cae, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&cae, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&cae, POLICY_ASSESSMENT_EDIT, &t_self, ERR_OK},
        {&cae, POLICY_ASSESSMENT_READ, &t_other, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_OK},
        {&auditor, POLICY_ASSESSMENT_READ, &t_self, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_READ, &t_audited, ERR_OK},
        {&auditor, POLICY_ASSESSMENT_READ, &t_draft, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_EDIT, &t_audited, ERR_FORBIDDEN},
        {&committee, POLICY_USERS_READ, NULL, ERR_OK},
        {&cae, POLICY_USERS_READ, NULL, ERR_FORBIDDEN},
        {&committee, POLICY_ASSESSMENT_READ, &t_other, ERR_OK},
        {&committee, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&committee, POLICY_DECIDE, NULL, ERR_OK},
        {&admin, POLICY_DECIDE, NULL, ERR_FORBIDDEN},
        {&admin, POLICY_ADMINISTER, NULL, ERR_OK},
        {&committee, POLICY_ADMINISTER, NULL, ERR_FORBIDDEN},
        {&cae, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&committee, POLICY_ACTIONS_READ, &org30, ERR_OK},
        {&committee, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&admin, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&cae, POLICY_ACTIONS_EDIT, &org10, ERR_OK},
        /* A draft moves to the active rules by its CAE or the committee. */
        {&cae, POLICY_DRAFT_MIGRATE, &t_self, ERR_OK},
        {&cae, POLICY_DRAFT_MIGRATE, &t_other, ERR_FORBIDDEN},
        {&cae, POLICY_DRAFT_MIGRATE, &t_audit, ERR_FORBIDDEN},
        {&committee, POLICY_DRAFT_MIGRATE, &t_other, ERR_OK},
        {&committee, POLICY_DRAFT_MIGRATE, &t_audit, ERR_OK},
        {&auditor, POLICY_DRAFT_MIGRATE, &t_audit, ERR_FORBIDDEN},
        {&admin, POLICY_DRAFT_MIGRATE, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_DRAFT_MIGRATE, NULL, ERR_FORBIDDEN},
        /* findings: only their authors write them */
        {&lapsed, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&cleared, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&lapsed, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&admin, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&admin, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&admin, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&gone, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_ROLE_CONFIRM, NULL, ERR_OK},
        {&admin, POLICY_ROLE_CONFIRM, NULL, ERR_FORBIDDEN},
        {&none, POLICY_ROLE_CONFIRM, NULL, ERR_FORBIDDEN},
        {&none, POLICY_DECIDE, NULL, ERR_FORBIDDEN},
        {&none, POLICY_USERS_READ, NULL, ERR_FORBIDDEN},
        {&none, POLICY_ORG_READ, &org10, ERR_FORBIDDEN},
        {&none, POLICY_RULES_MANAGE, NULL, ERR_FORBIDDEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err e = ERR_INIT;
        int got = policy_check(cases[i].u, cases[i].a, cases[i].t, &e);
        if (got != cases[i].expected)
            FAIL_AT("case %zu (%s, action %d): got %d, expected %d", i, cases[i].u->role,
                    cases[i].a, got, cases[i].expected);
        err_clear(&e);
    }
    return 0;
}
