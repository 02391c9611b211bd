/* api: the JSON API under /api/v1. Resolves the caller (bearer token or
 * session cookie, with a CSRF check for cookies), routes to one service
 * function, and renders its result or error as JSON. Each server thread has
 * its own SQLite connection and Lua rule state. Uses http, service, auth. */
#ifndef LABELCOOP_API_H
#define LABELCOOP_API_H

#include "auth.h"
#include "err.h"
#include "sandbox.h"
#include "http.h"
#include "service.h"

struct commit_group;
struct webhook_engine;

typedef struct api_config {
    const char *db_path;
    const char *rules_dir;
    sandbox_limits limits;
    auth_config auth;
    struct webhook_engine *hooks; /* woken after each change; may be NULL */
    const char *plugins_dir;   /* may be NULL: no plugins */
    const char *plugin_settings;
    const char *scripts_dir;      /* report scripts */
    struct commit_group *commits; /* the group commit of answer writes; may be NULL */
    /* "https://label.example.org": the one origin a cookie's state change
     * may come from, and https gives cookies the Secure flag. NULL: the
     * Host header's, with the scheme a trusted proxy says. */
    const char *public_origin;
    /* The documents folder and its limits (dir NULL: no documents). */
    service_library_config library;
    /* E-mail templates and links (templates_dir NULL: no e-mail enqueued). */
    service_mail_config mail;
} api_config;

/* The uploads of the documents' routes (http_config.upload, named by
 * api_route_info): streamed to the documents folder as they come; app is
 * the api_config. */
extern const http_upload api_uploads;

/* Checks that the database opens (migrating it) and the rules load. */
int api_init(const api_config *c, err *e);
/* The http_handler; app is the api_config given to api_init. */
void api_handle(void *app, const http_request *req, http_response *res);
/* GET /metrics's text (http_config.metrics): the counters, and what the
 * database says now. The caller frees it. */
char *api_metrics(void *app);
/* Closes every thread's connection and rule state (after http_stop). */
void api_shutdown(void);
/* Makes every worker read the active rule set from the database again
 * before its next request, dropping what it loaded (SIGHUP). */
void api_reload(void);
/* Routes method on path as api_handle does: 0 with the route's pattern in
 * *pattern ("assessments/:id/answers/:key"), else the status refusing it:
 * 404 (no such path) or 405 (the path takes other methods). */
int api_route(const char *method, const char *path, const char **pattern);
/* The i-th route of the table (from 0): its method and pattern; false
 * past the last. For the check that the OpenAPI document names them all. */
bool api_route_at(size_t i, const char **method, const char **pattern);
/* The http_config's route_info: whether method on path streams its body
 * (the documents' uploads), and the route's pattern when the path holds a
 * single-use token ("invitations/:key/accept"), whatever the method. */
void api_route_info(void *app, const char *method, const char *path, http_route_info *out);

#endif
