/* service: the platform's domain operations, each one transaction that
 * checks the caller's rights (policy), the state, and the input (with JSON
 * paths in errors), writes, and journals the change. Results are cJSON the
 * edges render as they are. Uses store, rules, evaluation, policy, auth. */
#ifndef LABELCOOP_SERVICE_H
#define LABELCOOP_SERVICE_H

#include <cjson/cJSON.h>

#include "auth.h"
#include "commit.h"
#include "doccache.h"
#include "err.h"
#include "events.h"
#include "filestore.h"
#include "rules.h"
#include "ruleset.h"
#include "store.h"

/* The documents folder and its limits (the library of evidence documents). */
typedef struct service_library_config {
    const char *dir;    /* the documents folder */
    long long max_file; /* bytes of one file */
    long long max_org;  /* bytes of one organisation's documents, each file once */
    const char *clamd;  /* "unix:PATH": each upload scanned by clamd there; NULL: none */
} service_library_config;

/* Where e-mail templates are and what links point to. */
typedef struct service_mail_config {
    const char *templates_dir; /* the mail/ folder */
    const char *public_url;    /* "https://label.example.org"; NULL: http://localhost */
} service_mail_config;

typedef struct service {
    store *db;
    rules *rules;                 /* the active rule set; borrowed */
    ruleset_cache *rulesets;      /* the others, by hash, for older assessments */
    struct plugin_set *plugins;   /* this thread's plugins; may be NULL */
    doccache *docs;               /* this thread's rendered assessments; may be NULL */
    docstore *pdfs;               /* the PDFs kept for every thread; may be NULL */
    commit_group *commits;        /* the server's group commit, or NULL: own transactions */
    const store_version *version; /* the database's at the start of the request, or NULL */
    /* This thread's: the version the plugins' states were last read at, so
     * that they are read again only when the settings moved; NULL reads
     * them at every use. */
    store_version *plugins_read;
    const auth_actor *who; /* the caller; NULL for the trusted command line */
    const char *query_org; /* ?organisation_id= of a listing, or NULL */
    /* A write's If-Match: the entity tag the caller last read (text_etag);
     * the write is refused (ERR_PRECONDITION) when what it would change is
     * no longer that. NULL: no condition. */
    const char *if_match;
    /* A write's If-None-Match: "*" refuses it (ERR_PRECONDITION) when what it
     * would create is there already (an answer another tab gave meanwhile). */
    const char *if_none_match;
    /* A report's progress, and a flag that interrupts it (the command line's). */
    void (*progress)(void *ud, double done, double total);
    void *progress_ud;
    atomic_int *interrupt;
    const sandbox_limits *limits; /* a report's limits when set (else its defaults) */
    /* The server's rules folder: its spec/ runs on an activation that
     * brings no specs of its own (POST /rulesets); may be NULL. */
    const char *rules_dir;
    /* The documents folder and limits; NULL: no documents here. */
    const service_library_config *library;
    /* E-mail templates and links; NULL: changes enqueue no e-mail. */
    const service_mail_config *mail;
    /* The login throttle's limits (NULL: the defaults) and the caller's
     * address (NULL: unknown): wrong current passwords and password reset
     * requests are counted as failed logins are. */
    const auth_config *auth;
    const char *client;
} service;

/* Every function below returns ERR_OK and sets *out (caller deletes), or an
 * error: ERR_INPUT (with "$.path: " in front), ERR_NOT_FOUND, ERR_FORBIDDEN,
 * ERR_CONFLICT, ERR_UNAVAILABLE... Nothing is written when one is returned. */

int service_org_add(service *s, const cJSON *body, cJSON **out, err *e);
int service_org_list(service *s, cJSON **out, err *e);
int service_org_get(service *s, long long id, cJSON **out, err *e);

/* body: {"email","name","role","organisation_id","certified_until","password"} */
int service_user_add(service *s, const cJSON *body, cJSON **out, err *e);
int service_user_list(service *s, cJSON **out, err *e);
/* body: any of service_user_add's keys, and "disabled" (true: no login, and
 * every session and API token of the user revoked); null clears
 * organisation_id and certified_until. A new password ends the user's browser
 * sessions. The last enabled administrator stays one (ERR_CONFLICT). */
int service_user_update(service *s, long long id, const cJSON *body, cJSON **out, err *e);
/* A committee role given through the API (user_add, user_update) waits in
 * "pending_role", the account keeping the role it had ("none" for a new
 * one), until another enabled committee member confirms it here; the user
 * then as confirm made them. ERR_FORBIDDEN for the holder themselves,
 * ERR_CONFLICT when no role awaits (never asked, since changed back, or
 * already confirmed). The command line's user_add gives the role at once. */
int service_user_confirm_role(service *s, long long id, cJSON **out, err *e);
/* An API token acting as the caller: {"token","name"}, shown once. */
int service_token_add(service *s, const cJSON *body, cJSON **out, err *e);
/* Every API token, as store_token_list; revoking one by its id. */
int service_token_list(service *s, cJSON **out, err *e);
int service_token_revoke(service *s, const char *id, err *e);

/* People (service_people.c). The caller in the role their session acts
 * in, with "role_id" and "roles": every role of theirs. */
int service_me(service *s, cJSON **out, err *e);
/* {"role"}: the role the caller's browser session acts in from now on
 * (one they hold, not awaiting confirmation); service_me's answer. An API
 * token keeps the role it was made in (ERR_FORBIDDEN). */
int service_session_role(service *s, const cJSON *body, cJSON **out, err *e);
/* An administrator's: a role added to person id ({"role","organisation_id",
 * "certified_until","responsible"}; ERR_CONFLICT when held already; the
 * committee's waits for confirmation as in user_add), changed (any of the
 * same keys but "role"), removed (the last one disables the account). Each
 * answers the person as svc_person_json. */
int service_role_add(service *s, long long id, const cJSON *body, cJSON **out, err *e);
/* service_role_add for the person of that email (ERR_NOT_FOUND when none). */
int service_role_add_email(service *s, const char *email, const cJSON *body, cJSON **out,
                           err *e);
int service_role_update(service *s, long long id, const char *role, const cJSON *body,
                        cJSON **out, err *e);
int service_role_remove(service *s, long long id, const char *role, cJSON **out, err *e);
/* A CAE's team (POLICY_TEAM_MANAGE): its members (store_team_list), one
 * disabled or enabled ({"disabled"}: only one who holds no other role) or
 * made responsible ({"responsible"}), or removed from it (their CAE role
 * goes). Never the caller's own membership, unless an administrator. */
int service_team_list(service *s, long long org, cJSON **out, err *e);
int service_team_update(service *s, long long org, long long id, const cJSON *body, cJSON **out,
                        err *e);
int service_team_remove(service *s, long long org, long long id, cJSON **out, err *e);

int service_assessment_add(service *s, long long org, const cJSON *body, cJSON **out, err *e);
/* {"auditor_id"}: a draft audit given to another certified auditor
 * (committee, admin); emits audit.assigned again. */
int service_assessment_update(service *s, long long id, const cJSON *body, cJSON **out, err *e);
int service_assessment_list(service *s, cJSON **out, err *e);
/* The assessment with its answers, stakeholders, decisions and frozen
 * evaluation, as JSON text (*text is the caller's), from this thread's docs
 * while the database has not changed since it was rendered; its entity tag
 * into etag[TEXT_ETAG_SIZE] (may be NULL). Each answer in it has its own
 * "etag", the one a PUT of it answers with and checks If-Match against. */
int service_assessment_text(service *s, long long id, char **text, size_t *len, char *etag,
                            err *e);
/* The answer PUT's write handed to the group commit (s->commits): returns
 * ERR_OK once checked and queued, and done(ud, rc, out, e) follows on the
 * group's thread (out: the answer as stored, JSON text, the callee's to
 * free); or an error now, and no done. body is taken, whatever the outcome. */
typedef void (*service_done)(void *ud, int rc, char *out, err *e);
int service_answer_submit(service *s, long long id, const char *criterion, cJSON *body,
                          service_done done, void *ud, err *e);
/* service_answer_submit with no read of the database on this thread, for
 * when service_answer_fast_possible(s): s->version is what this thread last read of
 * it, s->who and s->rules (the active rule set) what it found at that
 * version. The group's thread checks in the write that the settings are
 * still those and that the assessment runs under s->rules, and reports the
 * answer's own faults after the assessment's, as the usual way does. When
 * they are not, done gets ERR_AGAIN: the PUT is to be made again the usual
 * way, with service_answer_submit. */
bool service_answer_fast_possible(const service *s);
int service_answer_submit_fast(service *s, long long id, const char *criterion, cJSON *body,
                               service_done done, void *ud, err *e);
int service_answer_put(service *s, long long id, const char *criterion, const cJSON *body,
                       cJSON **out, err *e);
int service_stakeholders_put(service *s, long long id, const cJSON *body, cJSON **out, err *e);
int service_evaluation(service *s, long long id, cJSON **out, err *e);
int service_submit(service *s, long long id, cJSON **out, err *e);
/* body: {"outcome","date","recommendations","good_practices","points"}: one
 * decision per submission of an audit (ERR_CONFLICT for the others), dated
 * between its submission and today. A deferral names points for the
 * auditor and gives the audit back to them as a draft, to submit again. */
int service_decide(service *s, long long id, const cJSON *body, cJSON **out, err *e);

/* Moves the drafts (of one organisation when org > 0) to the stored rule set
 * to; journals each move. Submitted and decided assessments keep their rules
 * and their frozen evaluation. *out: {"ruleset", "migrated":
 * [{"assessment_id","from","to","orphans":[ids]}], "kept":
 * [{"assessment_id","status","ruleset"}]}. */
int service_migrate(service *s, const char *to, long long org, cJSON **out, err *e);
/* The criteria of the active rules, or of the stored rule set hash (the
 * rules an older draft still runs under): public, like the rules. */
int service_referential(service *s, const char *hash, cJSON **out, err *e);
/* One draft against the active rules (its CAE for a self-assessment, or the
 * committee): what moving would change (whatif_assessment's report with
 * "assessment_id","from","to"), and the move itself, to the active rule set
 * only ({"to": HASH}, 409 otherwise; *out as one "migrated" item). */
int service_draft_whatif(service *s, long long id, cJSON **out, err *e);
int service_draft_migrate(service *s, long long id, const cJSON *body, cJSON **out, err *e);

/* Rule sets: the activation history; one stored rule set's files; a
 * candidate ({"files": {path: text}} or {"ruleset": HASH}) weighed against the
 * active rules; activation of uploaded files {"files", "note", "label"}; the
 * difference between two stored rule sets. */
int service_ruleset_history(service *s, cJSON **out, err *e);
int service_ruleset_files(service *s, const char *hash, cJSON **out, err *e);
int service_whatif(service *s, const cJSON *body, cJSON **out, err *e);
int service_ruleset_activate(service *s, const cJSON *body, cJSON **out, err *e);
int service_ruleset_diff(service *s, const char *from, const char *to, cJSON **out, err *e);
/* The activation itself, of rules already loaded (and weighed by the
 * caller): their files stored under their hash, checked to hash to it
 * (ERR_CONFLICT otherwise), the activation recorded, journaled and told
 * (ruleset.activated), all in one transaction; *id is the activation's. */
int service_ruleset_activate_loaded(service *s, const rules *r, const char *label, const char *note,
                                    long long *id, err *e);
/* The rule set of the latest activation before the active one with another
 * rule set, into hash[65] (what a rollback activates); ERR_NOT_FOUND when
 * there is none. */
int service_ruleset_previous(service *s, char *hash, err *e);
/* Activates the rules of dir when the database has never had any (a new
 * platform starts with the shipped rules); *activated tells whether it did. */
int service_ruleset_bootstrap(service *s, const char *dir, const sandbox_limits *lim,
                              bool *activated, err *e);

/* Turns an assessment's path to the label into action items of its CAE. */
int service_path_actions(service *s, long long id, cJSON **out, err *e);

/* Webhook endpoints (admin). add: {"url","events":["*"|type...],"secret"?} ->
 * the endpoint with its secret, shown this once; update: {"url","events",
 * "enabled","rotate_secret":true} (a rotation shows the new secret; the old
 * one signs too for 24 hours); replay: {"event_id"} or {"since"}. */
int service_webhook_add(service *s, const cJSON *body, cJSON **out, err *e);
int service_webhook_list(service *s, cJSON **out, err *e);
int service_webhook_get(service *s, long long id, cJSON **out, err *e);
int service_webhook_update(service *s, long long id, const cJSON *body, cJSON **out, err *e);
int service_webhook_delete(service *s, long long id, err *e);
int service_webhook_log(service *s, long long id, cJSON **out, err *e);
int service_webhook_replay(service *s, long long id, const cJSON *body, cJSON **out, err *e);

/* Plugins (admin): the list, with the state enabled through the API over the
 * settings file; {"enabled": bool} for one. */
int service_plugins(service *s, cJSON **out, err *e);
int service_plugin_enable(service *s, const char *name, const cJSON *body, cJSON **out, err *e);

/* Writes the audit report ("audit-report") or the label certificate
 * ("certificate", for an awarded audit) of assessment id as a PDF at path. */
int service_document(service *s, long long id, const char *kind, const char *path, err *e);
/* The same PDF in memory, *pdf (caller frees). With s->pdfs, a frozen
 * assessment's document is drawn once and kept, and no more documents are
 * drawn at once than s->pdfs allows: ERR_UNAVAILABLE beyond. */
int service_document_pdf(service *s, long long id, const char *kind, char **pdf, size_t *len,
                         err *e);

/* Public check of a certificate's verification code: {"valid", ...}. */
int service_verify_code(service *s, const char *code, cJSON **out, err *e);

/* Reports: the list the caller may run; one report rendered in format.
 * params: {"name": "text"}; *out (caller frees) and *type describe the body. */
int service_reports(service *s, const char *scripts_dir, cJSON **out, err *e);
int service_report(service *s, const char *scripts_dir, const char *name, const cJSON *params,
                   const char *format, char separator, char **out, size_t *len, char **type,
                   err *e);

int service_labels(service *s, bool public_only, cJSON **out, err *e);
/* The network's catalogue: practices their CAE agreed to share. */
int service_good_practices(service *s, const char *criterion, cJSON **out, err *e);
/* One CAE's practices, shared or not, for it to choose. */
int service_org_practices(service *s, long long org, cJSON **out, err *e);
/* body: {"shared": true|false}, by the CAE the practice belongs to. */
int service_practice_share(service *s, long long id, const cJSON *body, cJSON **out, err *e);

/* body: {"current", "new"}; revokes the caller's other sessions. A wrong
 * current password counts as a failed login (ERR_TOO_MANY past the limit). */
int service_password_change(service *s, const cJSON *body, err *e);

int service_actions_list(service *s, long long org, cJSON **out, err *e);
int service_action_add(service *s, long long org, const cJSON *body, cJSON **out, err *e);
int service_action_update(service *s, long long org, long long item, const cJSON *body, cJSON **out,
                          err *e);

/* A CAE's library of evidence documents (service_library.c). An upload's
 * bytes come as u (streamed to the documents folder already, not finished:
 * the caller frees u whatever the outcome); filename is the name the client
 * gave (NULL: "document"). *out: {"id", "organisation_id", "title",
 * "version", "sha256", "size", "type", "filename", "created_at"}.
 * ERR_MEDIA_TYPE for a type not allowed, ERR_TOO_LARGE past the
 * organisation's total. Emits document.uploaded; journaled. */
int service_library_add(service *s, long long org, const char *title, const char *filename,
                        filestore_upload *u, cJSON **out, err *e);
/* Whether the caller may upload into org's library (document 0), or a new
 * version of document: asked before the bytes are read, so that nobody
 * else makes the server write them; the upload checks it again. */
int service_library_may_upload(service *s, long long org, long long document, err *e);
/* A new version of document id; the older ones are kept. */
int service_library_version(service *s, long long id, const char *filename, filestore_upload *u,
                            cJSON **out, err *e);
/* The organisation's documents, each with its latest version's columns
 * (store_document_get's). */
int service_library_list(service *s, long long org, cJSON **out, err *e);
/* One document and "versions": every version, oldest first. */
int service_library_get(service *s, long long id, cJSON **out, err *e);
/* The bytes of a version (0: the latest): *fd the caller's to close, *out
 * the version's row ({"version", "sha256", "size", "type", "filename", ...}). */
int service_library_open(service *s, long long id, long long version, int *fd, cJSON **out,
                         err *e);
/* At a server's start: the documents folder's leftovers of a process
 * stopped half-way (filestore_sweep), files set aside by a deletion put
 * back when the rows still name them; *count the files handled. */
int service_library_sweep(service *s, int *count, err *e);
/* Deletes a document (journaled); its files go from the folder when no
 * other document names them. */
int service_library_delete(service *s, long long id, err *e);

/* Invitations and password resets (service_tokens.c): single-use links
 * sent by e-mail, of which only a hash is stored.
 * invitation_add: {"email", "name", "role", "organisation_id"} checked as
 * an account creation (an address with an account: ERR_CONFLICT), by whoever
 * may invite (svc_may_invite); a pending invitation for the address is
 * replaced; mail "invitation" with a link valid 7 days; *out the invitation
 * (never its token). list, revoke: administrators. */
int service_invitation_add(service *s, const cJSON *body, cJSON **out, err *e);
int service_invitation_list(service *s, cJSON **out, err *e);
int service_invitation_revoke(service *s, long long id, err *e);
/* body {"password"}: the account the invitation names, made in the
 * transaction that marks the invitation used, and a session for it
 * (session[AUTH_TOKEN_LEN + 1], *out {"user"}). An unknown link
 * ERR_NOT_FOUND; one used or expired ERR_GONE. */
int service_invitation_accept(service *s, const char *token, const cJSON *body, cJSON **out,
                              char *session, err *e);
/* body {"email"}: the same *out whether or not the address has an account;
 * an enabled account gets mail "password_reset" with a link valid 1 hour
 * (earlier links of the account revoked). Throttled per client address and
 * per email (ERR_TOO_MANY). */
int service_password_reset_request(service *s, const cJSON *body, cJSON **out, err *e);
/* body {"password"}: the account's new password; every session of the
 * account ends (API tokens stay). Errors as service_invitation_accept's. */
int service_password_reset(service *s, const char *token, const cJSON *body, cJSON **out, err *e);

/* The e-mail outbox, newest first: every message, or those of status
 * (pending, sent, failed; ERR_INPUT otherwise). Administrators only. */
int service_mail_log(service *s, const char *status, cJSON **out, err *e);

/* Notifications (service_notify.c). The time-based ones and a webhook's
 * disabling, told inside the transaction that emits their event: type
 * label.expiring, label.expired (org, assessment, the event's data) or
 * webhook.disabled (data: "webhook_id", "reason"); others are ignored. */
int service_notify_event(service *s, const char *type, long long org, long long assessment,
                         const cJSON *data, err *e);
/* Inside the tick's transaction: each CAE with overdue action items gets
 * their digest once in the week of today. */
int service_notify_tick(service *s, const char *today, err *e);
/* What the delivery thread's tick and webhooks tell those through (a
 * service on their connection, with ctx's templates and limits); ctx
 * outlives the notifier. */
typedef struct service_notify_ctx {
    const service_mail_config *mail; /* NULL: kept for the lists, not mailed */
    const sandbox_limits *limits;
} service_notify_ctx;
events_notifier service_notifier(service_notify_ctx *ctx);
/* The caller's notifications, newest first; their unread count
 * {"unread"}; one (ERR_NOT_FOUND unless theirs) or all marked read, the
 * count after it into *out. */
int service_notifications(service *s, cJSON **out, err *e);
int service_notifications_unread(service *s, cJSON **out, err *e);
int service_notification_read(service *s, long long id, cJSON **out, err *e);
int service_notifications_read_all(service *s, cJSON **out, err *e);
/* The caller's choice per kind [{"kind", "title", "email"}]; changed by
 * {"KIND": true|false} (ERR_INPUT at "$.KIND" for an unknown kind). */
int service_notify_preferences(service *s, cJSON **out, err *e);
int service_notify_preferences_put(service *s, const cJSON *body, cJSON **out, err *e);
/* The person an unsubscribe token names and kind: {"kind", "title",
 * "email", "unsubscribed"}, after turning kind off when apply. A wrong
 * token or kind: ERR_NOT_FOUND, nothing changed. No login needed. */
int service_unsubscribe(service *s, const char *token, const char *kind, bool apply, cJSON **out,
                        err *e);

#endif
