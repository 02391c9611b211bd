/* service_integrations: webhook endpoints (their events, secrets, log and
 * replays) and the plugins' states enabled through the API. Uses hook and
 * plugin. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "webhook.h"
#include "plugin.h"

/* ---- webhooks ----------------------------------------------------------------------- */

/* One per line, as the README lists them. */
/* clang-format off */
static const char *const event_types[] = {
    "assessment.created",
    "assessment.submitted",
    "audit.assigned",
    "audit.submitted",
    "decision.recorded",
    "label.awarded",
    "label.refused",
    "label.expiring",
    "label.expired",
    "ruleset.activated",
    "action_item.overdue",
    "audit.auditor_unavailable",
    "webhook.disabled",
    "document.uploaded",
    "document.linked",
    NULL,
};
/* clang-format on */

/* The event filter: ["*"] or known types; *text is its JSON (caller frees). */
static int events_field(const cJSON *body, bool required, char **text, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "events");
    *text = NULL;
    if (!v)
        return required ? (*text = strdup("[\"*\"]"), ERR_OK) : ERR_OK;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "*") == 0) {
        *text = strdup("[\"*\"]");
        return ERR_OK;
    }
    if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v))
        return bad(e, "events", "must be \"*\" or a non-empty list of event types");
    int i = 0;
    for (const cJSON *x = v->child; x; x = x->next, i++) {
        const char *t = cJSON_GetStringValue(x);
        const char *const *k = event_types;
        while (t && *k && strcmp(*k, t) != 0)
            k++;
        if (!t || (!*k && strcmp(t, "*") != 0)) {
            char at[32];
            snprintf(at, sizeof at, "events[%d]", i);
            return bad(e, at, "is not an event type (see the README's list)");
        }
    }
    *text = cJSON_PrintUnformatted(v);
    return ERR_OK;
}

int service_webhook_add(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"url", "events", "secret", "plugin", NULL};
    const char *url, *given, *plugin_name;
    char *events = NULL, secret[64];
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_text_field(body, "url", true, 2000, &url, e) || webhook_check_url(url, e) ||
        svc_text_field(body, "secret", false, 200, &given, e) ||
        svc_text_field(body, "plugin", false, 64, &plugin_name, e) ||
        events_field(body, true, &events, e))
        return e->code;
    if (given && webhook_check_secret(given, e) != ERR_OK) {
        free(events);
        return e->code;
    }
    if (!given)
        webhook_new_secret(secret);
    long long id;
    int rc = store_begin(s->db, e);
    if (rc == ERR_OK)
        rc = store_webhook_add(s->db, url, events, given ? given : secret, plugin_name, &id, e);
    if (rc == ERR_OK)
        rc = store_webhook_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "webhook.create", "webhook", id, NULL, *out, e);
    free(events);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    cJSON_AddStringToObject(*out, "secret", given ? given : secret); /* shown once */
    sodium_memzero(secret, sizeof secret);
    return ERR_OK;
}

int service_webhook_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    return store_webhook_list(s->db, out, e);
}

int service_webhook_get(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    return store_webhook_get(s->db, id, out, e);
}

int service_webhook_update(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"url", "events", "enabled", "rotate_secret", NULL};
    const char *url;
    char *events = NULL, secret[64] = "";
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_text_field(body, "url", false, 2000, &url, e) || (url && webhook_check_url(url, e)) ||
        events_field(body, false, &events, e))
        return e->code;
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(body, "enabled");
    const cJSON *rotate = cJSON_GetObjectItemCaseSensitive(body, "rotate_secret");
    int rc = ERR_OK;
    if (enabled && !cJSON_IsBool(enabled))
        rc = bad(e, "enabled", "must be true or false");
    else if (rotate && !cJSON_IsBool(rotate))
        rc = bad(e, "rotate_secret", "must be true or false");
    if (rc == ERR_OK)
        rc = store_begin(s->db, e);
    if (rc == ERR_OK) {
        rc = store_webhook_update(s->db, id, url, events, enabled ? cJSON_IsTrue(enabled) : -1, e);
        if (rc == ERR_OK && cJSON_IsTrue(rotate)) {
            webhook_new_secret(secret);
            rc = store_webhook_rotate(s->db, id, secret, store_now_ms() + 24LL * 3600 * 1000, e);
        }
        if (rc == ERR_OK)
            rc = store_webhook_get(s->db, id, out, e);
        if (rc == ERR_OK)
            rc = svc_journal(s, "webhook.update", "webhook", id, NULL, *out, e);
        rc = svc_finish(s, rc, e);
    }
    free(events);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    if (secret[0])
        cJSON_AddStringToObject(*out, "secret", secret);
    sodium_memzero(secret, sizeof secret);
    return ERR_OK;
}

int service_webhook_delete(service *s, long long id, err *e)
{
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || store_begin(s->db, e))
        return e->code;
    int rc = store_webhook_delete(s->db, id, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "webhook.delete", "webhook", id, NULL, NULL, e);
    return svc_finish(s, rc, e);
}

int service_webhook_log(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *w = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || store_webhook_get(s->db, id, &w, e))
        return e->code;
    cJSON_Delete(w);
    return store_delivery_log(s->db, id, 500, out, e);
}

int service_webhook_replay(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"event_id", "since", NULL};
    long long event;
    const char *since;
    cJSON *w = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e) ||
        svc_id_field(body, "event_id", &event, e) ||
        svc_text_field(body, "since", false, 32, &since, e))
        return e->code;
    if (!event == !since)
        return bad(e, NULL, "give either {\"event_id\"} or {\"since\": TIMESTAMP}");
    if (store_begin(s->db, e))
        return e->code;
    int count = 0;
    int rc = store_webhook_get(s->db, id, &w, e); /* not deleted meanwhile */
    cJSON_Delete(w);
    if (rc == ERR_OK)
        rc = store_replay(s->db, id, event, since, &count, e);
    if (rc == ERR_OK && event && !count)
        rc = err_set(e, ERR_NOT_FOUND, "no event %lld", event);
    if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddNumberToObject(*out, "queued", count);
        rc = svc_journal(s, "webhook.replay", "webhook", id, body, *out, e);
    }
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- plugins ----------------------------------------------------------------------- */

int service_plugins(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_refresh_plugins(s, e))
        return e->code;
    *out = plugin_list(s->plugins);
    return ERR_OK;
}

int service_plugin_enable(service *s, const char *name, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"enabled", NULL};
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e) || svc_need_object(body, keys, e))
        return e->code;
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(body, "enabled");
    if (!cJSON_IsBool(enabled))
        return bad(e, "enabled", "must be true or false");
    if (plugin_enable(s->plugins, name, cJSON_IsTrue(enabled), e))
        return e->code;
    int rc = store_begin(s->db, e);
    if (rc == ERR_OK) {
        rc = store_plugin_state_set(s->db, name, cJSON_IsTrue(enabled), e);
        if (rc == ERR_OK)
            rc = svc_journal(s, "plugin.enable", "plugin", 0, NULL, body, e);
        rc = svc_finish(s, rc, e);
    }
    if (rc == ERR_OK)
        return service_plugins(s, out, e);
    svc_forget_plugin_states(s);
    return rc;
}
