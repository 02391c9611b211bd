/* api_watch: what a monitor reads: GET /api/v1/health and GET /metrics's
 * text, from the worker's own connection, read-only. */
#include "api.h"
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "metrics.h"
#include "rules.h"
#include "version.h"

/* The size of path + suffix in bytes; 0 when there is no such file. */
static long long file_size(const char *path, const char *suffix)
{
    char name[4200];
    struct stat st;
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return stat(name, &st) == 0 ? (long long)st.st_size : 0;
}

/* GET /health, for a load balancer or a monitor: no login, nothing secret.
 * 200 when the database answers and a rule set is active and loads; 503
 * naming the part that fails otherwise. */
void api_health(const api_config *config, http_response *res)
{
    err e = ERR_INIT;
    rules *active = NULL;
    const char *db_problem = NULL, *rules_problem = NULL;
    store_version v = {.settings = -1};
    worker *w = api_worker(config, &e);
    if (!w || store_snapshot(w->db, &e) != ERR_OK || store_version_get(w->db, &v, &e) != ERR_OK)
        db_problem = err_msg(&e);
    else if (ruleset_active(w->rulesets, w->db, &v, &active, &e) != ERR_OK)
        rules_problem = err_msg(&e);
    bool ok = !db_problem && !rules_problem;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", ok ? "ok" : "unavailable");
    cJSON_AddStringToObject(doc, "version", version_number);
    cJSON_AddStringToObject(doc, "commit", version_commit);
    if (active)
        cJSON_AddStringToObject(doc, "ruleset", rules_hash(active));
    else
        cJSON_AddNullToObject(doc, "ruleset");
    cJSON_AddStringToObject(doc, "database", db_problem ? db_problem : "ok");
    /* Whether uploads are scanned: "off" says they are taken unscanned. */
    cJSON_AddStringToObject(doc, "scanning", config->library.clamd ? "clamd" : "off");
    if (rules_problem)
        cJSON_AddStringToObject(doc, "rules", rules_problem);
    if (w)
        store_snapshot_end(w->db);
    http_json(res, ok ? 200 : 503, doc);
    err_clear(&e);
}

char *api_metrics(void *app)
{
    const api_config *config = app;
    err e = ERR_INIT;
    worker *w = api_worker(config, &e);
    metrics_gauges g = {0};
    store_gauges sg = {0};
    cJSON *failed = NULL;
    rules *active = NULL;
    long long now = store_now_ms() / 1000;
    if (w && store_snapshot(w->db, &e) == ERR_OK &&
        store_gauges_read(w->db, now - config->auth.idle_seconds,
                          now - config->auth.lifetime_seconds, &sg, &failed, &e) == ERR_OK &&
        ruleset_active(w->rulesets, w->db, NULL, &active, &e) == ERR_OK)
        g.ruleset = rules_hash(active);
    if (w)
        store_snapshot_end(w->db);
    err_clear(&e);
    g.outbox_pending = sg.outbox_pending;
    g.sessions_open = sg.sessions_open;
    size_t n = (size_t)cJSON_GetArraySize(failed);
    metrics_endpoint *endpoints = calloc(n ? n : 1, sizeof *endpoints);
    for (size_t i = 0; endpoints && i < n; i++) {
        const cJSON *row = cJSON_GetArrayItem(failed, (int)i);
        endpoints[i].webhook = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(row, "webhook"));
        endpoints[i].failed = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(row, "failed"));
    }
    g.failed = endpoints;
    g.n_failed = endpoints ? n : 0;
    g.database_bytes = file_size(config->db_path, "");
    g.wal_bytes = file_size(config->db_path, "-wal");
    char *text = metrics_text(&g);
    free(endpoints);
    cJSON_Delete(failed);
    return text;
}
