/* store: the SQLite database: schema and numbered migrations, transactions,
 * and every SQL statement of labelcoop, with bound parameters only.
 * Reads come back as cJSON (the shape the API serves). Knows nothing of Lua
 * or HTTP. One store per thread: a connection is never shared. */
#ifndef LABELCOOP_STORE_H
#define LABELCOOP_STORE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "files.h"

typedef struct store store;

/* Opens (creating it and its folder's file) and migrates the database at path. */
int store_open(const char *path, store **out, err *e);
void store_close(store *s);
/* The schema version after migration (PRAGMA user_version). */
int store_schema_version(store *s);

/* One domain operation = one transaction. begin takes the write lock at once
 * (BEGIN IMMEDIATE) so that a busy database waits at the start, not halfway. */
int store_begin(store *s, err *e);
/* A read transaction: every read until the commit sees one snapshot. */
int store_begin_read(store *s, err *e);
/* A snapshot for the reads that follow, until store_snapshot_end: one read
 * transaction instead of one per statement. A write ends it first (by
 * store_begin, or a statement that writes), so writes always start from the
 * latest data; store_begin_read takes it over, and its commit ends it. */
int store_snapshot(store *s, err *e);
void store_snapshot_end(store *s);
int store_commit(store *s, err *e);
void store_rollback(store *s);
/* Checkpoints (copying the WAL back into the database file, with its
 * fsyncs). SQLite runs one inside the commit that takes the WAL past 1,000
 * pages, which stalls every writer for as long as the fsyncs take; a server
 * moves them to a thread of its own (see commit.c). store_wal_watch calls
 * fn(arg, pages) after each commit on s with the WAL's size, and stops s
 * checkpointing on its own. store_checkpoint copies what it can without
 * waiting for anyone (SQLITE_CHECKPOINT_PASSIVE). Once the whole WAL is
 * copied, the next write starts it over. */
void store_wal_watch(store *s, void (*fn)(void *arg, int pages), void *arg);
int store_checkpoint(store *s, err *e);
/* A part of the open write transaction that can be undone alone: the group
 * commit's one write (see commit.h). release keeps the part. */
int store_savepoint(store *s, err *e);
int store_release(store *s, err *e);
/* Undoes the part and ends it. false when the whole transaction is gone:
 * SQLite rolls it back itself after a disk-full or I/O error. */
bool store_rollback_to(store *s);
/* ---- whole-database copies (store_backup.c) ---- */
/* Copies the live database to file with SQLite's online backup, written
 * under file.part then renamed: a file of that name is always whole. */
int store_backup(store *s, const char *file, err *e);
/* The same from the database file at src, opened read-only, never migrated. */
int store_copy_file(const char *src, const char *dest, err *e);
/* Calls each for every version of the documents not deleted in the database
 * file at path (opened read-only, never migrated): the stored files a copy
 * of it needs. Stops at each's first error. A database from before the
 * documents' tables names none. */
typedef int (*store_file_each)(void *ud, const char *sha256, long long document,
                               long long version, err *e);
int store_file_documents(const char *path, store_file_each each, void *ud, err *e);
/* The schema version of the file at path, read without migrating it; 0 when
 * there is no such file. ERR_INPUT when it is not a database. */
int store_file_version(const char *path, int *version, err *e);
/* The schema version this program migrates every database to. */
int store_latest_version(void);
/* PRAGMA integrity_check on the file at path: ERR_INPUT naming the first
 * problem, or what keeps it from being read. */
int store_check_file(const char *path, err *e);
/* Copies the file's WAL back into it and removes the WAL, so that the file
 * alone holds the database (before it is moved). */
int store_settle_file(const char *path, err *e);

/* ---- what /metrics shows (store_gauges.c) ---- */
typedef struct store_gauges {
    long long outbox_pending; /* deliveries waiting to be sent */
    long long sessions_open;  /* browser sessions seen since idle_since, made since created_since */
} store_gauges;
/* The gauges, and *failed: [{"webhook", "failed"}] the deliveries given up,
 * by endpoint (the caller's). */
int store_gauges_read(store *s, long long idle_since, long long created_since, store_gauges *g,
                      cJSON **failed, err *e);

/* ---- organisations ---- */
/* fields: {"name", "legal_form", "city", "region", "member_since"} (name required). */
int store_org_add(store *s, const cJSON *fields, long long *id, err *e);
int store_org_get(store *s, long long id, cJSON **out, err *e);
/* All organisations (only is 0), or only the one with id only. */
int store_org_list(store *s, long long only, cJSON **out, err *e);

/* ---- users ---- */
typedef struct store_user {
    long long id;
    char email[256];
    char name[256];
    char role[16];         /* in effect: "none" for a new account awaiting one */
    char pending_role[16]; /* "committee" while it awaits confirmation, else "" */
    long long org_id;      /* 0 when none */
    char certified_until[11];
    bool disabled; /* by an administrator: no login, no session, no token */
    /* A person holds roles (store_people.c): the fields above from role to
     * certified_until are those of one of them, role_id (0 when they hold
     * none: role "none"). responsible: a CAE role's, managing its team. */
    long long role_id;
    bool responsible;
} store_user;

int store_user_add(store *s, const store_user *u, const char *password_hash, long long *id, err *e);
/* The person id in their first role (the first given, one awaiting
 * confirmation last). ERR_NOT_FOUND when there is no such person. */
int store_user_get(store *s, long long id, store_user *u, err *e);
/* The person id in the role row role_id, or else (role_id 0) in the role
 * named (held, or else awaited). ERR_NOT_FOUND when they hold no such role. */
int store_user_in_role(store *s, long long id, long long role_id, const char *role, store_user *u,
                       err *e);
/* The person, in the role named (their first when NULL), and their password
 * hash (hash_size bytes at most). ERR_NOT_FOUND if no such person; a role
 * they do not hold leaves u->role_id 0. */
int store_user_by_email(store *s, const char *email, const char *role, store_user *u, char *hash,
                        size_t hash_size, err *e);
int store_user_list(store *s, cJSON **out, err *e);
int store_user_set_password(store *s, long long id, const char *password_hash, err *e);
/* Writes u's email, name and disabled flag, and its role u->role_id (a new
 * role row when u held none); ERR_NOT_FOUND when there is no user u->id. */
int store_user_update(store *s, const store_user *u, err *e);
/* Puts in effect the role the row role_id awaits, if it is still role:
 * ERR_NOT_FOUND when none (or another) awaits. */
int store_user_confirm_role(store *s, long long role_id, const char *role, err *e);
/* The enabled people acting as administrators; granted: only those whose
 * admin role awaits no change (a committee role awaited replaces it). */
int store_admin_count(store *s, bool granted, long long *n, err *e);
cJSON *store_user_json(const store_user *u);

/* ---- roles (store_people.c): a person's roles, a CAE's team ---- */
/* A new role of person user: r's role, pending_role, org_id,
 * certified_until and responsible; its row id into id. ERR_CONFLICT when
 * they hold (or await) it already. */
int store_role_add(store *s, long long user, const store_user *r, long long *id, err *e);
/* Removes the role row id (its sessions and API tokens end with it). */
int store_role_delete(store *s, long long id, err *e);
int store_role_set_responsible(store *s, long long id, bool on, err *e);
/* The roles of person user: [{"id","role","pending_role","organisation_id",
 * "certified_until","responsible"}], first role first. */
int store_roles_of(store *s, long long user, cJSON **out, err *e);
/* The CAE role holders of org: [{"id","email","name","role_id","responsible",
 * "disabled","other_roles"}] by name. */
int store_team_list(store *s, long long org, cJSON **out, err *e);
/* Whether any role of person user names organisation org. */
int store_person_in_org(store *s, long long user, long long org, bool *in, err *e);
/* The draft audits of person user they may no longer do, by id: they hold
 * (or await) no auditor role, or one of their roles names the audited CAE.
 * [{"id","organisation_id"}]. */
int store_person_stranded(store *s, long long user, cJSON **out, err *e);
/* The role a session (or API token) acts in. */
int store_session_set_role(store *s, const char *token_hash, long long role_id, err *e);

/* ---- sessions and API tokens (only a hash of each token is stored) ---- */
/* A session (or API token) of user acting in the role row role_id (0: the
 * person's first role, whichever it is at each request). */
int store_session_add(store *s, const char *token_hash, long long user, long long role_id,
                      const char *kind, const char *name, long long now, err *e);
/* The session's user, kind ("session" | "api"), creation and last use times. */
int store_session_get(store *s, const char *token_hash, store_user *u, char kind[8],
                      long long *created, long long *last_seen, err *e);
int store_session_touch(store *s, const char *token_hash, long long now, err *e);
int store_session_delete(store *s, const char *token_hash, err *e);
/* Revokes every browser session of user but keep (API tokens stay; keep may
 * be NULL: every session goes). */
int store_session_delete_others(store *s, long long user, const char *keep, err *e);
/* Revokes every session and API token of user. */
int store_session_delete_user(store *s, long long user, err *e);
/* Every API token: [{"id","name","user_id","user_name","created_at",
 * "last_used_at"}], id being the first 16 hex digits of the token's hash. */
int store_token_list(store *s, cJSON **out, err *e);
/* Revokes the API token of that id; ERR_NOT_FOUND when there is none. */
int store_token_delete(store *s, const char *id, err *e);

/* ---- assessments ---- */
typedef struct store_assessment {
    long long id, org_id, auditor_id, created_by;
    char kind[16];
    char status[16];
    char ruleset[65];
} store_assessment;

/* What the database holds, as far as this connection can tell: data changes
 * with every commit of another connection, own with every row this one
 * changes, settings with every change, by anyone, to the sessions, the
 * accounts, the rule set activations or the plugins' states. Equal versions
 * mean nothing changed in between; equal settings, that none of those did
 * (what a server keeps in memory across requests depends on nothing else). */
typedef struct store_version {
    long long data, own, settings;
} store_version;
int store_version_get(store *s, store_version *v, err *e);
bool store_version_same(const store_version *a, const store_version *b);
bool store_settings_same(const store_version *a, const store_version *b);
/* The settings alone, read now (in a write, the latest committed). */
int store_settings_get(store *s, long long *settings, err *e);

int store_assessment_add(store *s, const store_assessment *a, long long *id, err *e);
int store_assessment_get(store *s, long long id, store_assessment *a, err *e);
/* The assessment with its answers and stakeholders. */
int store_assessment_json(store *s, long long id, cJSON **out, err *e);
/* Assessments of one organisation (org > 0), of one auditor (auditor > 0), or all. */
int store_assessment_list(store *s, long long org, long long auditor, cJSON **out, err *e);
/* Calls fn for every answer of the assessment. */
int store_answers_each(store *s, long long id,
                       void (*fn)(void *ud, const char *criterion, const char *status), void *ud,
                       err *e);
/* Counts the stakeholders recorded for an audit. */
int store_stakeholder_count(store *s, long long id, int *n, err *e);
/* Writes an answer, dated now (date_now's form, from the caller, which
 * returns the same date). */
int store_answer_put(store *s, long long id, const char *criterion, const char *status,
                     const char *comment, const char *evidence_json, long long user,
                     const char *now, err *e);
/* The answer as JSON text {"criterion","status","comment","evidence","updated_at"}
 * (caller frees), made by SQLite; NULL when there is none. */
int store_answer_text(store *s, long long id, const char *criterion, char **out, err *e);
/* Replaces the stakeholders: list is [{"name","role"}]. */
int store_stakeholders_put(store *s, long long id, const cJSON *list, err *e);
int store_assessment_submit(store *s, long long id, const char *evaluation_json, err *e);
/* The day audit id was submitted into day[DATE_LEN + 1]; ERR_CONFLICT when
 * it is not submitted. */
int store_assessment_submitted_on(store *s, long long id, char *day, err *e);
/* Ends the submission of audit id under a decision: decided, or back to a
 * draft for its auditor (reopen: a deferral). ERR_CONFLICT when it is no
 * longer submitted: one submission takes one decision. */
int store_assessment_decided(store *s, long long id, bool reopen, err *e);
/* Another auditor for a draft audit; ERR_CONFLICT for anything else. */
int store_assessment_set_auditor(store *s, long long id, long long auditor, err *e);
/* The frozen evaluation of a submitted assessment (caller deletes), or NULL. */
int store_assessment_evaluation(store *s, long long id, cJSON **out, err *e);

/* ---- decisions, labels, good practices ---- */
typedef struct store_decision {
    long long assessment_id, org_id, decided_by;
    const char *outcome, *decided_on, *valid_until; /* valid_until may be NULL */
    const char *recommendations_json, *evaluation_json, *ruleset;
    const char *record_json, *record_hash, *prev_hash; /* the replayable record */
    const char *points_json; /* a deferral's points for the auditor; NULL: none */
} store_decision;

/* A decision's stored record, for verification; strings borrowed for the call. */
typedef struct store_record {
    long long id, assessment_id;
    const char *outcome, *date, *valid_until, *record, *record_hash, *prev_hash;
} store_record;

/* The hash of the last decision record ("" when none) into hash[65]. */
int store_decision_last_hash(store *s, char *hash, err *e);
/* Calls fn on every decision in order until it returns non-zero. */
int store_decision_each(store *s, int (*fn)(void *ud, const store_record *rec), void *ud, err *e);

int store_decision_add(store *s, const store_decision *d, long long *id, err *e);
int store_decision_json(store *s, long long id, cJSON **out, err *e);
int store_good_practice_add(store *s, long long decision, long long org, const char *criterion,
                            const char *text, err *e);
/* Shared good practices, of one criterion or (criterion NULL) all. */
int store_good_practice_list(store *s, const char *criterion, cJSON **out, err *e);
/* Every good practice recorded for org, shared or not. */
int store_good_practices_of(store *s, long long org, cJSON **out, err *e);
int store_good_practice_get(store *s, long long id, cJSON **out, err *e);
/* The CAE's consent: a shared practice joins the network's catalogue. */
int store_good_practice_share(store *s, long long id, bool shared, err *e);
/* The registry: every organisation's label status on today's date; public
 * lists only labelled ones. */
int store_labels(store *s, const char *today, bool public_only, cJSON **out, err *e);

/* ---- action plan ---- */
int store_action_list(store *s, long long org, cJSON **out, err *e);
int store_action_get(store *s, long long id, cJSON **out, err *e);
/* fields: {"criterion","action","owner","due","status"}; on update only those given change. */
int store_action_add(store *s, long long org, const cJSON *fields, long long *id, err *e);
int store_action_update(store *s, long long id, const cJSON *fields, err *e);

/* What a what-if re-evaluates: each CAE's latest submitted audit and every
 * self-assessment in progress, with their status, their frozen evaluation if
 * any, and the end of the label awarded on it ("label_until") if any. */
int store_whatif_targets(store *s, cJSON **out, err *e);

/* ---- rule sets (stored whole on activation, never changed) ---- */
int store_ruleset_put(store *s, const char *hash, const files_tree *tree, err *e);
/* The files of a stored rule set; ERR_NOT_FOUND if unknown. out is the caller's. */
int store_ruleset_files(store *s, const char *hash, files_tree *out, err *e);
int store_activation_add(store *s, const char *hash, const char *label, const char *note,
                         long long user, long long *id, err *e);
/* The active rule set's hash (hash[65]) and its activation id, which grows
 * with every activation. ERR_NOT_FOUND before the first. */
int store_active_ruleset(store *s, char *hash, long long *generation, err *e);
int store_ruleset_history(store *s, cJSON **out, err *e);
/* Moves a draft to another rule set; ERR_CONFLICT when it is no longer a
 * draft (a submitted or decided assessment keeps its rules). */
int store_assessment_migrate(store *s, long long id, const char *ruleset, err *e);

/* ---- journal (append-only, each row chained to the one before) ---- */
/* SHA-256 over prev and length-prefixed fields, hex into hex[65]. */
void store_chain_hash(const char *prev, const char *const *fields, int n, char *hex);
/* Checks every row's hash and link; *bad_id is the first row that fails (0: none). */
int store_journal_verify(store *s, long long *rows, long long *bad_id, err *e);
int store_journal(store *s, long long user, const char *action, const char *entity,
                  long long entity_id, const cJSON *before, const cJSON *after, err *e);
/* The same with the images as JSON text already (either may be NULL), dated
 * at (date_now's form; NULL: now), so that a row can carry the date of the
 * write it records. */
int store_journal_text(store *s, const char *at, long long user, const char *action,
                       const char *entity, long long entity_id, const char *before,
                       const char *after, err *e);
int store_journal_count(store *s, long long *n, err *e);

/* ---- events (the outbox) and webhooks ---- */
/* Milliseconds since the epoch, UTC: what delivery times are kept in. */
long long store_now_ms(void);
/* Records an event and, in the same transaction, a due delivery for every
 * enabled webhook whose filter takes its type. */
int store_event_add(store *s, const char *type, const cJSON *data, long long *id, err *e);
/* How many events this connection added since the last call (which resets
 * it): whether the delivery thread needs waking after a request. */
unsigned store_events_taken(store *s);
/* Records key once; *fresh tells whether this call did (time-based events). */
int store_mark(store *s, const char *key, bool *fresh, err *e);

/* plugin (may be NULL) names the plugin that shapes this endpoint's payloads. */
int store_webhook_add(store *s, const char *url, const char *events_json, const char *secret,
                      const char *plugin, long long *id, err *e);
/* Without secrets. */
int store_webhook_get(store *s, long long id, cJSON **out, err *e);
int store_webhook_list(store *s, cJSON **out, err *e);
/* NULL / -1 leave a field as it is; enabling clears the disabled reason. */
int store_webhook_update(store *s, long long id, const char *url, const char *events_json,
                         int enabled, err *e);
/* A new secret; the old one still signs until old_until_ms. */
int store_webhook_rotate(store *s, long long id, const char *secret, long long old_until_ms,
                         err *e);
int store_webhook_delete(store *s, long long id, err *e);

/* One delivery due now; strings borrowed for the callback only. */
typedef struct store_due_row {
    long long delivery, webhook, event;
    int attempts;
    const char *url, *secret, *old_secret, *type, *at, *data, *plugin;
} store_due_row;
typedef void (*store_due_fn)(void *ud, const store_due_row *row);
/* The due deliveries, oldest event first, at most limit. */
int store_due(store *s, long long now_ms, int limit, store_due_fn fn, void *ud, err *e);
/* Keeps a delivery from being taken again until until_ms (it is in flight). */
int store_delivery_lease(store *s, long long delivery, long long until_ms, err *e);
/* Frees every lease: at start-up nothing is in flight any more. */
int store_delivery_unlease(store *s, err *e);

enum { STORE_DELIVERED, STORE_RETRY, STORE_FAILED };
typedef struct store_attempt {
    long long delivery, webhook;
    int status; /* HTTP status, 0 when none */
    long long duration_ms;
    const char *response, *error; /* the first KiB of the response; a transport error */
    int outcome;                  /* STORE_DELIVERED, STORE_RETRY (at next_ms) or STORE_FAILED */
    long long next_ms;
} store_attempt;
int store_delivery_done(store *s, const store_attempt *a, err *e);
/* Notes a failure; *since is when the webhook started failing every attempt. */
int store_webhook_failing(store *s, long long webhook, long long now_ms, long long *since, err *e);
/* Disables a webhook and gives up its pending deliveries. */
int store_webhook_disable(store *s, long long webhook, const char *reason, bool *changed, err *e);
int store_delivery_log(store *s, long long webhook, int limit, cJSON **out, err *e);

/* ---- the e-mail outbox (store_mail.c) ---- */
/* One message to add; strings borrowed. */
typedef struct store_mail {
    const char *kind, *recipient, *subject, *text, *html;
    const char *unsubscribe; /* a List-Unsubscribe URL, or NULL */
    const char *error;       /* non-NULL: added failed (it could not be rendered), saying why */
} store_mail;
/* Adds a message due now inside the caller's transaction; its Message-ID,
 * "<mail-ID-RANDOM@host>", is fixed here once. */
int store_mail_add(store *s, const store_mail *m, const char *host, long long *id, err *e);
/* One message due; strings borrowed for the callback only. */
typedef struct store_mail_row {
    long long id;
    int attempts;
    const char *recipient, *subject, *text, *html, *unsubscribe, *message_id;
} store_mail_row;
typedef void (*store_mail_fn)(void *ud, const store_mail_row *row);
/* The pending messages due at now_ms and not leased, oldest first. */
int store_mail_due(store *s, long long now_ms, int limit, store_mail_fn fn, void *ud, err *e);
/* Keeps a message from being taken again until until_ms (it is being sent). */
int store_mail_lease(store *s, long long id, long long until_ms, err *e);
/* At start: what was being sent at a crash is due again (sent again, with
 * the same Message-ID: at least once). */
int store_mail_unlease(store *s, err *e);
typedef enum { STORE_MAIL_SENT, STORE_MAIL_RETRY, STORE_MAIL_FAILED } store_mail_outcome;
/* Records an attempt: sent, again at next_ms, or failed for good. */
int store_mail_done(store *s, long long id, store_mail_outcome outcome, long long next_ms,
                    const char *error, err *e);
/* The latest messages, newest first (status NULL: all), without bodies. */
int store_mail_log(store *s, const char *status, int limit, cJSON **out, err *e);
/* ---- notifications (store_notify.c) ---- */
/* Recipients, each {"id", "name", "email", "role"}, enabled accounts only
 * (caller deletes *out): the members of CAE org; the committee; the
 * administrators; person user (role NULL: theirs in effect, else role). */
int store_notify_members(store *s, long long org, cJSON **out, err *e);
int store_notify_committee(store *s, cJSON **out, err *e);
int store_notify_admins(store *s, cJSON **out, err *e);
int store_notify_user(store *s, long long user, const char *role, cJSON **out, err *e);
/* A notification for user's list, inside the caller's transaction. */
int store_notification_add(store *s, long long user, const char *kind, const char *title,
                           const char *link, err *e);
/* user's latest limit notifications, newest first: [{"id", "kind", "title",
 * "link", "created_at", "read_at"}]. */
int store_notification_list(store *s, long long user, int limit, cJSON **out, err *e);
/* Marks user's notification id read (ERR_NOT_FOUND: none of theirs), or
 * all of theirs when id is 0. */
int store_notification_read(store *s, long long user, long long id, err *e);
int store_notification_unread(store *s, long long user, long long *n, err *e);
/* The kinds user receives no e-mail for: [{"kind"}]; one turned off or on. */
int store_optout_list(store *s, long long user, cJSON **out, err *e);
int store_optout_set(store *s, long long user, const char *kind, bool off, err *e);
int store_optout_has(store *s, long long user, const char *kind, bool *off, err *e);
/* The secret (64 hex digits) unsubscribe links are signed with. */
int store_notify_secret(store *s, char secret[65], err *e);
/* New deliveries of one event, or of every matching event since a time. */
int store_replay(store *s, long long webhook, long long event, const char *since, int *count,
                 err *e);
/* Each CAE's current label (latest awarded decision) with its validity. */
int store_expiring(store *s, cJSON **out, err *e);
/* Open action items whose due date is before today. */
int store_overdue(store *s, const char *today, cJSON **out, err *e);
/* The draft audits of enabled auditors whose certification ended before
 * today, or was never given: [{"id", "organisation_id", "ruleset",
 * "auditor_id", "certified_until" ("" when none)}]. */
int store_audits_uncertified(store *s, const char *today, cJSON **out, err *e);

/* Decisions of one organisation (org > 0) or all, oldest first. */
int store_decision_list(store *s, long long org, cJSON **out, err *e);
/* Calls fn for every answer of each organisation's latest assessment of
 * kind past draft (of one organisation when org > 0). */
int store_latest_answers(store *s, const char *kind, long long org,
                         void (*fn)(void *ud, long long assessment, long long org,
                                    const char *criterion, const char *status),
                         void *ud, err *e);
/* The decision whose record hash is code (a certificate's verification code). */
int store_decision_by_code(store *s, const char *code, cJSON **out, err *e);
/* Whether auditor has an audit of org (to read its self-assessments). */
int store_auditing_org(store *s, long long auditor, long long org, bool *yes, err *e);
/* Events after an id, oldest first: [{"id","type","at","data"}]. */
int store_events_after(store *s, long long after, int limit, cJSON **out, err *e);
/* A named position (0 when never set), e.g. the last event plugins saw. */
int store_cursor_get(store *s, const char *name, long long *value, err *e);
int store_cursor_set(store *s, const char *name, long long value, err *e);
/* Plugins enabled or disabled through the API (over the settings file). */
int store_plugin_states(store *s, void (*fn)(void *ud, const char *name, bool enabled), void *ud,
                        err *e);
int store_plugin_state_set(store *s, const char *name, bool enabled, err *e);

/* ---- single-use account tokens (store_tokens.c) ---- */

/* An invitation (email, name, role, org_id, invited_by: the account to
 * make) or a password reset (email, user_id). Times "YYYY-MM-DDTHH:MM:SSZ";
 * used_at "" while unused. */
typedef struct store_account_token {
    long long id;
    char kind[16]; /* "invitation" | "password_reset" */
    char email[256];
    long long user_id;
    char name[256];
    char role[16];
    long long org_id, invited_by;
    char created_at[32], expires_at[32], used_at[32];
} store_account_token;

/* Stores t under hash (of the token, which is never stored). */
int store_account_token_add(store *s, const char *hash, const store_account_token *t,
                            long long *id, err *e);
/* The token of kind whose hash is hash; ERR_NOT_FOUND when none. */
int store_account_token_get(store *s, const char *hash, const char *kind, store_account_token *t,
                            err *e);
/* Marks token id used at now; ERR_NOT_FOUND when it was used already. */
int store_account_token_use(store *s, long long id, const char *now, err *e);
/* Deletes the unused tokens of kind for email. */
int store_account_tokens_drop(store *s, const char *kind, const char *email, err *e);
/* Invitations not accepted yet, {"id", "email", "name", "role",
 * "organisation_id", "invited_by", "created_at", "expires_at", "status":
 * "pending" | "expired" (at now)}; one of them by id (ERR_NOT_FOUND). */
int store_invitation_list(store *s, const char *now, cJSON **out, err *e);
int store_invitation_get(store *s, long long id, const char *now, cJSON **out, err *e);
/* Deletes an invitation not accepted yet; ERR_NOT_FOUND when none. */
int store_invitation_delete(store *s, long long id, err *e);

/* ---- a CAE's evidence documents (store_library.c) ---- */
/* A document's columns: "id", "organisation_id", "title", "created_at",
 * "created_by", and its latest version's "version", "sha256", "size",
 * "type", "filename", "updated_at". Deleted documents are never read. */
int store_document_add(store *s, long long org, const char *title, const char *at, long long user,
                       long long *id, err *e);
int store_document_get(store *s, long long id, cJSON **out, err *e);
/* An organisation's documents, oldest first. */
int store_document_list(store *s, long long org, cJSON **out, err *e);
int store_document_delete(store *s, long long id, const char *at, long long user, err *e);
/* One version's row; user 0: the command line. */
typedef struct store_doc_version {
    long long document, size, user;
    const char *sha256, *type, *filename, *at;
} store_doc_version;
/* Adds the next version of v->document; its number into *version. */
int store_document_version_add(store *s, const store_doc_version *v, long long *version, err *e);
/* Every version, oldest first: [{"version", "sha256", "size", "type",
 * "filename", "created_at", "created_by"}]. */
int store_document_versions(store *s, long long id, cJSON **out, err *e);
/* One version (0: the latest) of a document not deleted, as listed above. */
int store_document_version_get(store *s, long long id, long long version, cJSON **out, err *e);
/* The bytes an organisation's documents hold on disk, each file once,
 * those of sha256 left out (an upload adds its own size once). */
int store_document_org_bytes(store *s, long long org, const char *sha256, long long *bytes, err *e);
/* How many versions of documents not deleted name sha256. */
int store_document_sha256_used(store *s, const char *sha256, long long *n, err *e);
/* An assessment (of org, the document's) that a submission froze document
 * id in, still submitted or decided, or that a decision kept; 0 if none. */
int store_document_frozen_in(store *s, long long id, long long org, long long *assessment,
                             err *e);
/* Drops the evidence entries naming document id from org's drafts. */
int store_document_unlink_drafts(store *s, long long id, long long org, err *e);
/* Whether document id is auditor's to read: linked by an audit assigned to
 * them or by a self-assessment of the CAE such an audit is of, or a version
 * of it uploaded by them. */
int store_document_auditors(store *s, long long id, long long auditor, bool *yes, err *e);
/* Where org's answers link document id: [{"assessment_id", "kind", "status",
 * "criterion", "version" (null: the latest), "pages"}]. */
int store_document_links(store *s, long long org, long long id, cJSON **out, err *e);
/* Whether auditor has a draft audit of org. */
int store_auditing_draft(store *s, long long auditor, long long org, bool *yes, err *e);
/* Sets an answer's evidence (JSON text), nothing else. */
int store_answer_evidence_set(store *s, long long assessment, const char *criterion,
                              const char *evidence_json, err *e);

#endif
