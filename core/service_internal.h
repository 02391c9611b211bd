/* service_internal: what the service's area files (service_*.c) share, and
 * nothing else includes: the checks of a request's input, each naming the
 * JSON path at fault; the write transaction, its journal and the caller's
 * rights; the rule set an assessment runs under; the assessment loaders. */
#ifndef LABELCOOP_SERVICE_INTERNAL_H
#define LABELCOOP_SERVICE_INTERNAL_H

#include "policy.h"
#include "service.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits in characters (UTF-8 code points), not bytes: what a person wrote
 * is counted as they see it. */
#define MAX_NAME 200  /* a name: an organisation, a person, a token, a place */
#define MAX_TEXT 5000 /* a long text: a comment, a recommendation, an action */
#define MAX_ITEMS 100 /* a list's entries, unless text_rules says fewer */

/* "$.key: ..." (or "$: ..." without a key): the JSON path, then the problem. */
#define bad(e, key, ...) err_at(e, svc_path_of(key, (char[96]){0}), __VA_ARGS__)

/* The input checks (service.c): each returns ERR_OK or ERR_INPUT with the
 * JSON path at fault, "$.key: ...". */
const char *svc_path_of(const char *key, char *buf);
int svc_text_items(const char *key);
int svc_need_object(const cJSON *body, const char *const *allowed, err *e);
int svc_check_text(const char *s, const char *key, size_t max, err *e);
int svc_text_field(const cJSON *body, const char *key, bool required, size_t max, const char **out,
                   err *e);
int svc_date_field(const cJSON *body, const char *key, bool required, const char **out, err *e);
int svc_id_field(const cJSON *body, const char *key, long long *out, err *e);
int svc_strings_field(const cJSON *body, const char *key, cJSON **out, err *e);

/* The caller's rights, the write transaction and its journal (service.c). */
int svc_allow(service *s, policy_action a, long long org, const store_assessment *as, err *e);
long long svc_actor(service *s);
int svc_finish(service *s, int rc, err *e);
/* E-mail (service_mail.c). Renders template kind for each recipient of
 * recipients (an array of {name, email, role} and, for a person, id), with
 * data and, in it, "recipient" and, for a notification, "unsubscribe" (the
 * person's one-click link for its kind), and adds one outbox message each,
 * in the caller's transaction. A template that fails (an error, a loop)
 * does not fail the write that causes the message: the message is stored
 * failed, its error naming file:line, and `mail log` shows it. Only the
 * database's errors come back. Nothing when s->mail is NULL. */
int svc_mail_enqueue(service *s, const char *kind, const cJSON *recipients, const cJSON *data,
                     bool notification, err *e);
/* One recipient's message (to: {name, email, role}), with unsubscribe (a
 * link, or NULL) in its data: rendered, its subject into subject (size
 * bytes; "" when it could not be), and added to the outbox when send. */
int svc_mail_one(service *s, const char *kind, const cJSON *to, const cJSON *data,
                 const char *unsubscribe, bool send, char *subject, size_t size, err *e);
/* The public URL followed by path ("/#/evaluations/42") into buf. */
void svc_mail_link(const service *s, const char *path, char *buf, size_t size);

/* Notifications (service_notify.c): each told to its recipients, in the
 * transaction of the change, kept for their list in the page and mailed to
 * those who did not turn the kind off. */
/* user's one-click unsubscribe link for kind into buf ("" when the secret
 * cannot be read). */
void svc_notify_unsubscribe_link(service *s, long long user, const char *kind, char *buf,
                                 size_t size);
/* audit_assigned to the auditor and the CAE's members. */
int svc_notify_audit_assigned(service *s, long long org, long long assessment, long long auditor,
                              err *e);
/* audit_submitted to the committee. */
int svc_notify_audit_submitted(service *s, long long org, long long assessment, err *e);
/* decision_recorded to the CAE's members (the certificate's link when
 * awarded); audit_deferred to the auditor with the points to complete. */
int svc_notify_decision(service *s, long long org, long long assessment, long long auditor,
                        const char *outcome, const char *date, const char *valid_until,
                        const char *points_json, err *e);
int svc_journal(service *s, const char *action, const char *entity, long long id,
                const cJSON *before, const cJSON *after, err *e);
int svc_transact(service *s, commit_work fn, void *ctx, err *e);

/* The rule set an assessment runs under; the plugins' states (service.c). */
int svc_rules_of(service *s, const store_assessment *a, rules **r, err *e);
int svc_refresh_plugins(service *s, err *e);
void svc_forget_plugin_states(service *s);

/* Accounts (service_accounts.c). */
int svc_org_exists(service *s, long long org, err *e);
bool svc_certified(const store_user *u, const char *today);
/* A new password's check: ERR_INPUT at $.key when too short. */
int svc_password_check(const char *key, const char *password, err *e);
/* The fields of a new account without its password (an invitation's),
 * checked as a creation checks them, onto u. */
int svc_user_fields(const cJSON *body, store_user *u, err *e);
/* The one place an account is made, inside the caller's write: u as
 * checked, its committee role waiting for another member's confirmation
 * unless by_operator (the command line), its organisation there; stored
 * with the password hash, journaled (user.create); *out the account
 * (caller deletes, also on failure). */
int svc_user_create(service *s, store_user *u, const char *hash, bool by_operator, cJSON **out,
                    err *e);

/* People (service_people.c): a person as a whole, read before a change of
 * their roles or account and checked after it in the same transaction. */
typedef struct svc_person {
    store_user auditor; /* their auditor role (role_id 0: none) */
    long long admins;   /* enabled people acting as administrators */
} svc_person;
bool svc_role_name(const char *role);
/* The role, organisation and certification a body names (checked: role
 * NULL when not named) onto u; null clears the last two. */
void svc_role_apply(const cJSON *body, const char *role, long long org, const char *certified,
                    store_user *u);
int svc_person_before(service *s, long long user, svc_person *was, err *e);
/* ERR_CONFLICT when the change left draft audits to nobody (the person
 * holds no auditor role, or one of their roles names the audited CAE) or
 * the platform without an enabled administrator; then tells integrations
 * of the audits of an auditor who can no longer do them. */
int svc_person_check(service *s, long long user, const svc_person *was, err *e);
/* The person in their first role with "roles": every role of theirs. */
int svc_person_json(service *s, long long id, cJSON **out, err *e);

/* Assessments (service_answers.c): one read with the caller's right to act
 * on it; the caller as the database knows them now; a draft or ERR_CONFLICT. */
int svc_load(service *s, long long id, policy_action action, store_assessment *a, err *e);
int svc_caller_now(service *s, auth_actor *now, err *e);
int svc_need_draft(const store_assessment *a, err *e);

/* Evidence entries naming documents (service_links.c). svc_evidence_field:
 * body's "evidence" as stored, texts and links {"document", "version"
 * (null: the latest), "pages"} (caller deletes *out). */
int svc_evidence_field(const cJSON *body, cJSON **out, err *e);
/* Inside an answer's write: each link of evidence names a document of the
 * assessment's organisation, not deleted, and a version it has (ERR_INPUT
 * at "$.evidence[i].document" or ".version"); document.linked is emitted
 * for each link the answer before (its JSON text, may be NULL) lacked. */
typedef struct svc_link_write {
    long long org, assessment;
    const char *criterion;
} svc_link_write;
int svc_links_check(store *db, const svc_link_write *w, const cJSON *evidence, const char *before,
                    err *e);
/* Adds to each link of answer's evidence what a reader lists: "available",
 * "title", "resolved_version", "sha256", "size", "type", "created_at". */
void svc_links_describe(store *db, long long org, cJSON *answer);
/* At submission, inside its write: every link of a's answers pinned to the
 * version it resolves to, and evaluation given "documents": {criterion:
 * [{"document", "version", "sha256", "title", "size", "type", "pages"}]}
 * when any is linked (none: the evaluation as the rules give it). */
int svc_links_freeze(store *db, const store_assessment *a, cJSON *evaluation, err *e);

#endif
