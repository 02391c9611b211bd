/* api_internal: what the API's files share (private to core/api*.c): each
 * worker thread's own connection, caches and plugins. */
#ifndef LABELCOOP_API_INTERNAL_H
#define LABELCOOP_API_INTERNAL_H

#include "api.h"
#include "auth.h"
#include "doccache.h"
#include "http.h"
#include "plugin.h"
#include "ruleset.h"
#include "service.h"
#include "store.h"

#define COOKIE "labelcoop_session"
#define MAX_SEGMENTS 8

typedef struct worker {
    store *db;
    ruleset_cache *rulesets;
    plugin_set *plugins;
    doccache *docs;
    auth_memo sessions;
    store_version plugins_read; /* see service.plugins_read */
    /* What the last request read: the version at its start and the active
     * rule set then (NULL when it could not tell), for the answer PUTs made
     * with no read of their own (handle_known). */
    store_version known;
    rules *known_rules;
    long reloads; /* api_reload calls seen */
    struct worker *next;
} worker;

/* One request as its handler sees it (api.c's dispatch fills it). */
typedef struct call {
    const api_config *config;
    const http_request *req;
    http_response *res;
    service svc;
    auth_actor who;
    const char *token; /* as presented */
    long long ids[MAX_SEGMENTS];
    const char *strs[MAX_SEGMENTS];
    int n_ids, n_strs;
    auth_memo *sessions; /* this thread's */
    cJSON *body;
    int status; /* of success */
    char *raw;  /* a non-JSON body to send instead (owned), e.g. a PDF */
    size_t raw_len;
    const char *raw_type;
    char *raw_type_owned;
    int fd; /* a file to send instead (owned), when has_fd: a document's bytes */
    size_t fd_size;
    bool has_fd;
    bool deferred; /* answered later, from another thread (http_defer) */
    bool known;    /* made with what the thread knows, no read (handle_known) */
} call;

typedef int (*handler)(call *c, cJSON **out, err *e);

/* This thread's worker, opened on its first request; NULL with e set when
 * the database cannot be opened (tried again at the next request). */
worker *api_worker(const api_config *c, err *e);
/* GET /api/v1/health's answer, into res (api_watch.c). */
void api_health(const api_config *c, http_response *res);
/* GET /api/v1/openapi.json's answer, into res (api_openapi.c): 304 when
 * If-None-Match names the document's tag. */
void api_openapi(const http_request *req, http_response *res);

/* The answer that opens a browser session (a login, an accepted
 * invitation): {"token", "csrf_token", "user"} (user taken), the session
 * cookie, 201; id is the user's, for the log. */
cJSON *api_session_answer(call *c, const char *token, cJSON *user, long long id);

/* The handlers of api_people.c: a person's roles, the role a session acts
 * in, a CAE's team. */
int api_me(call *c, cJSON **out, err *e);
int api_session_role(call *c, cJSON **out, err *e);
int api_role_add(call *c, cJSON **out, err *e);
int api_role_update(call *c, cJSON **out, err *e);
int api_role_remove(call *c, cJSON **out, err *e);
int api_team(call *c, cJSON **out, err *e);
int api_team_update(call *c, cJSON **out, err *e);
int api_team_remove(call *c, cJSON **out, err *e);

/* Invitations and forgotten passwords (api_tokens.c). */
int api_invitation_add(call *c, cJSON **out, err *e);
int api_invitations(call *c, cJSON **out, err *e);
int api_invitation_revoke(call *c, cJSON **out, err *e);
int api_invitation_accept(call *c, cJSON **out, err *e);
int api_reset_request(call *c, cJSON **out, err *e);
int api_reset(call *c, cJSON **out, err *e);

/* GET and PUT /me/notifications, GET /notifications, /notifications/unread,
 * POST /notifications/:id/read and /notifications/read, GET and POST
 * /unsubscribe/:key/:key (api_notifications.c). */
int api_my_notifications(call *c, cJSON **out, err *e);
int api_my_notifications_put(call *c, cJSON **out, err *e);
int api_notifications(call *c, cJSON **out, err *e);
int api_notifications_unread(call *c, cJSON **out, err *e);
int api_notification_read(call *c, cJSON **out, err *e);
int api_notifications_read_all(call *c, cJSON **out, err *e);
int api_unsubscribe_page(call *c, cJSON **out, err *e);
int api_unsubscribe(call *c, cJSON **out, err *e);

/* The routes of api_documents.c: evidence documents, PDFs, reports. */
int api_report_pdf(call *c, cJSON **out, err *e);
int api_certificate_pdf(call *c, cJSON **out, err *e);
int api_verify_code(call *c, cJSON **out, err *e);
int api_reports(call *c, cJSON **out, err *e);
int api_report(call *c, cJSON **out, err *e);
int api_document_add(call *c, cJSON **out, err *e);
int api_document_version(call *c, cJSON **out, err *e);
int api_documents(call *c, cJSON **out, err *e);
int api_document(call *c, cJSON **out, err *e);
int api_document_delete(call *c, cJSON **out, err *e);
int api_document_content(call *c, cJSON **out, err *e);
/* The sink of an upload's file part (http_upload's open, write, close). */
void *api_upload_open(void *app, const char *field, const char *filename, int *status, char *why,
                      size_t size);
int api_upload_write(void *sink, const char *data, size_t n, char *why, size_t size);
void api_upload_close(void *sink);

#endif
