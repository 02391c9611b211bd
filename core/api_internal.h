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
#include "store.h"

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

/* This thread's worker, opened on its first request; NULL with e set when
 * the database cannot be opened (tried again at the next request). */
worker *api_worker(const api_config *c, err *e);
/* GET /api/v1/health's answer, into res (api_watch.c). */
void api_health(const api_config *c, http_response *res);
/* GET /api/v1/openapi.json's answer, into res (api_openapi.c): 304 when
 * If-None-Match names the document's tag. */
void api_openapi(const http_request *req, http_response *res);

#endif
