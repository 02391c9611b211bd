/* store_internal: what the store_* files share and nobody else sees: the
 * statement ids, the connection, the statement cache and the bind, step
 * and error helpers. Callers of the store include store.h only. */
#ifndef LABELCOOP_STORE_INTERNAL_H
#define LABELCOOP_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "store.h"

/* The statements, one id each: a new one gets an id here and its text in
 * its area's store_sql_* table. */
enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_ORG_ADD,
    Q_ORG_GET,
    Q_ORG_LIST,
    Q_USER_ADD,
    Q_USER_GET,
    Q_USER_BY_EMAIL,
    Q_USER_LIST,
    Q_USER_SET_PASSWORD,
    Q_SESSION_ADD,
    Q_SESSION_GET,
    Q_SESSION_TOUCH,
    Q_SESSION_DELETE,
    Q_SESSION_DELETE_OTHERS,
    Q_USER_UPDATE,
    Q_ADMIN_COUNT,
    Q_USER_CONFIRM_ROLE,
    Q_SESSION_DELETE_USER,
    Q_TOKEN_LIST,
    Q_TOKEN_DELETE,
    Q_ASSESSMENT_ADD,
    Q_ASSESSMENT_GET,
    Q_ASSESSMENT_JSON,
    Q_ASSESSMENT_LIST,
    Q_ANSWERS,
    Q_ANSWERS_JSON,
    Q_ANSWER_PUT,
    Q_ANSWER_JSON,
    Q_STAKEHOLDERS_JSON,
    Q_STAKEHOLDERS_CLEAR,
    Q_STAKEHOLDER_ADD,
    Q_STAKEHOLDER_COUNT,
    Q_ASSESSMENT_SUBMIT,
    Q_ASSESSMENT_AUDITOR,
    Q_ASSESSMENT_EVALUATION,
    Q_DECISION_ADD,
    Q_DECISION_JSON,
    Q_DECISIONS_OF,
    Q_GOOD_PRACTICE_ADD,
    Q_GOOD_PRACTICES_OF,
    Q_GOOD_PRACTICE_LIST,
    Q_GOOD_PRACTICES_ORG,
    Q_GOOD_PRACTICE_GET,
    Q_GOOD_PRACTICE_SHARE,
    Q_LABELS,
    Q_ACTION_LIST,
    Q_ACTION_GET,
    Q_ACTION_ADD,
    Q_ACTION_UPDATE,
    Q_JOURNAL_ADD,
    Q_JOURNAL_COUNT,
    Q_JOURNAL_LAST,
    Q_JOURNAL_ALL,
    Q_RULESET_ADD,
    Q_RULESET_FILE_ADD,
    Q_RULESET_FILES,
    Q_ACTIVATION_ADD,
    Q_ACTIVE,
    Q_HISTORY,
    Q_DECISION_LAST,
    Q_DECISION_RECORDS,
    Q_ASSESSMENT_MIGRATE,
    Q_BEGIN_READ,
    Q_DATA_VERSION,
    Q_SETTINGS,
    Q_WHATIF_TARGETS,
    Q_EVENT_ADD,
    Q_EVENT_FANOUT,
    Q_MARK,
    Q_WEBHOOK_ADD,
    Q_WEBHOOK_GET,
    Q_WEBHOOK_LIST,
    Q_WEBHOOK_UPDATE,
    Q_WEBHOOK_SECRET,
    Q_WEBHOOK_DELETE,
    Q_WEBHOOK_CANCEL,
    Q_DUE,
    Q_LEASE,
    Q_UNLEASE,
    Q_DELIVERED,
    Q_RETRY,
    Q_GIVE_UP,
    Q_ATTEMPT_ADD,
    Q_WEBHOOK_FAILING,
    Q_WEBHOOK_OK,
    Q_WEBHOOK_DISABLE,
    Q_DELIVERY_LOG,
    Q_REPLAY_EVENT,
    Q_REPLAY_SINCE,
    Q_EXPIRING,
    Q_OVERDUE,
    Q_AUDITS_UNCERTIFIED,
    Q_EVENTS_AFTER,
    Q_AUDITING_ORG,
    Q_VERIFY_CODE,
    Q_DECISION_LIST,
    Q_LATEST_ANSWERS,
    Q_CURSOR_GET,
    Q_CURSOR_SET,
    Q_PLUGIN_STATES,
    Q_PLUGIN_STATE_SET,
    Q_ASSESSMENT_SUBMITTED_ON,
    Q_ASSESSMENT_DECIDED,
    Q_DOCUMENT_ADD,
    Q_DOCUMENT_GET,
    Q_DOCUMENT_LIST,
    Q_DOCUMENT_DELETE,
    Q_DOCUMENT_NEXT_VERSION,
    Q_DOCUMENT_VERSION_ADD,
    Q_DOCUMENT_VERSIONS,
    Q_DOCUMENT_VERSION_GET,
    Q_DOCUMENT_ORG_BYTES,
    Q_DOCUMENT_SHA256_USED,
    Q_DOCUMENT_FROZEN_IN,
    Q_DOCUMENT_UNLINK_DRAFTS,
    Q_ANSWER_EVIDENCE_SET,
    Q_DOCUMENT_AUDITORS,
    Q_AUDITING_DRAFT,
    Q_DOCUMENT_LINKS,
    Q_MAIL_ADD,
    Q_MAIL_ID,
    Q_MAIL_DUE,
    Q_MAIL_LEASE,
    Q_MAIL_UNLEASE,
    Q_MAIL_SENT,
    Q_MAIL_RETRY,
    Q_MAIL_FAILED,
    Q_MAIL_LOG,
    Q_ROLE_ADD,
    Q_ROLE_UPDATE,
    Q_ROLE_DELETE,
    Q_ROLE_RESPONSIBLE,
    Q_ROLES_OF,
    Q_TEAM_LIST,
    Q_PERSON_IN_ORG,
    Q_PERSON_STRANDED,
    Q_SESSION_SET_ROLE,
    Q_ACCOUNT_TOKEN_ADD,
    Q_ACCOUNT_TOKEN_GET,
    Q_ACCOUNT_TOKEN_USE,
    Q_ACCOUNT_TOKEN_DROP,
    Q_INVITATION_LIST,
    Q_INVITATION_GET,
    Q_INVITATION_DELETE,
    Q_NOTIFY_MEMBERS,
    Q_NOTIFY_COMMITTEE,
    Q_NOTIFY_ADMINS,
    Q_NOTIFY_USER,
    Q_NOTIFICATION_ADD,
    Q_NOTIFICATION_LIST,
    Q_NOTIFICATION_READ,
    Q_NOTIFICATION_READ_ALL,
    Q_NOTIFICATION_UNREAD,
    Q_OPTOUT_LIST,
    Q_OPTOUT_ADD,
    Q_OPTOUT_DELETE,
    Q_OPTOUT_HAS,
    Q_NOTIFY_SECRET,
    Q_COUNT
};

/* The text of each area's statements, indexed by id (NULL where another
 * area's): defined in store_accounts.c, store_workflow.c, store_ledger.c,
 * store_outbox.c, store_library.c, store_mail.c, store_people.c, store_tokens.c and store_notify.c. */
extern const char *const store_sql_accounts[Q_COUNT];
extern const char *const store_sql_workflow[Q_COUNT];
extern const char *const store_sql_ledger[Q_COUNT];
extern const char *const store_sql_outbox[Q_COUNT];
extern const char *const store_sql_library[Q_COUNT];
extern const char *const store_sql_mail[Q_COUNT];
extern const char *const store_sql_people[Q_COUNT];
extern const char *const store_sql_tokens[Q_COUNT];
extern const char *const store_sql_notify[Q_COUNT];

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q_COUNT];
    bool writing;          /* holds write_lock: a write transaction is open */
    bool snapshot;         /* a read transaction of store_snapshot is open */
    unsigned events_added; /* since store_events_taken */
    void (*wal_fn)(void *arg, int pages);
    void *wal_arg;
    store_version seen; /* the last version read, settings included; settings -1: none */
    /* The hash of the journal row this write transaction wrote last, so that
     * the next row need not read it back; forgotten at the transaction's
     * end and whenever a savepoint is rolled back. */
    char chain[65];
    bool chain_known;
};

/* ---- shared by the store_* files (defined in store.c) ---- */

/* The error of the last failed call, mapped to what the edges report. */
int db_fail(store *s, err *e, const char *what);
/* The cached statement q, reset and cleared; NULL (with e set) on failure. */
sqlite3_stmt *stmt(store *s, int q, err *e);
/* Bind v at i, or NULL when v is empty (text) or not positive (id). */
void bind_text(sqlite3_stmt *st, int i, const char *v);
void bind_id(sqlite3_stmt *st, int i, long long v);
/* Runs a statement that returns no row. */
int exec_stmt(store *s, sqlite3_stmt *st, const char *what, err *e);
/* Runs st and reports ERR_NOT_FOUND when it changed no row. */
int exec_one(store *s, sqlite3_stmt *st, const char *what, err *e);
/* Collects the rows of st into a list (one: the single row, ERR_NOT_FOUND if none). */
int rows_json(store *s, sqlite3_stmt *st, bool one, const char *what, cJSON **out, err *e);
/* The single integer of st's first row into n. */
int count_rows(store *s, sqlite3_stmt *st, long long *n, err *e);
/* Runs SQL text outside the statement cache (pragmas, migrations). */
int exec_sql(store *s, const char *text, err *e);
/* A parameter of a statement, for the query_* helpers: A_INT binds a
 * number, A_ID a positive id or NULL, A_TEXT a text or NULL when empty. */
typedef struct {
    enum { ARG_END, ARG_INT, ARG_ID, ARG_TEXT } kind;
    long long n;
    const char *text;
} store_arg;
#define A_INT(v) {.kind = ARG_INT, .n = (v)}
#define A_ID(v) {.kind = ARG_ID, .n = (v)}
#define A_TEXT(v) {.kind = ARG_TEXT, .text = (v)}
/* The parameters ?1, ?2... in order: ARGS(A_INT(id), A_TEXT(name)). */
#define ARGS(...) ((const store_arg[]){__VA_ARGS__, {.kind = ARG_END}})

/* SQL: the id of person P's first role (the first given, one awaiting
 * confirmation last), the role a session acts in unless it chose one. */
#define FIRST_ROLE(P)                                                                              \
    "(SELECT x.id FROM roles x WHERE x.user_id = " P " ORDER BY x.role = 'none', x.id LIMIT 1)"

/* Statement q with args bound; NULL (with e set) on failure. */
sqlite3_stmt *stmt_bound(store *s, int q, const store_arg *args, err *e);
/* Prepare, bind, step: q's rows as rows_json collects them (args may be NULL). */
int query_json(store *s, int q, const store_arg *args, bool one, const char *what, cJSON **out,
               err *e);
/* Prepare, bind, run: q returns no row; with one, no row changed is ERR_NOT_FOUND. */
int query_exec(store *s, int q, const store_arg *args, bool one, const char *what, err *e);
/* Prepare, bind, run: q inserts a row, whose id goes into id. */
int query_insert(store *s, int q, const store_arg *args, const char *what, long long *id, err *e);
/* Prepare, bind, step: the integer of q's first row into n. */
int query_count(store *s, int q, const store_arg *args, long long *n, err *e);
/* After a single-row read stepped rc: ERR_OK for a row, ERR_NOT_FOUND saying
 * missing for none, else the failure of what. */
int row_found(store *s, int rc, const char *missing, const char *what, err *e);
/* A string member of o, or NULL. */
const char *field_str(const cJSON *o, const char *key);
/* Column i as text into dst ("" for NULL). */
void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size);

/* ---- store_schema.c ---- */

/* Applies the migrations the database lacks, each in its own transaction. */
int store_schema_migrate(store *s, err *e);
/* How many migrations there are: the latest schema version. */
int store_schema_count(void);

#endif
