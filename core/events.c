/* events: payloads and the scheduler's tick. A mark per (event, subject,
 * lead time or date) keeps a time-based event from being sent twice, across
 * restarts and across servers sharing the database. */
#include "events.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

int events_emit(store *db, const char *type, long long org, long long assessment, const cJSON *data,
                err *e)
{
    cJSON *d = data ? cJSON_Duplicate(data, 1) : cJSON_CreateObject();
    if (org > 0) {
        cJSON *o = NULL;
        if (store_org_get(db, org, &o, e)) {
            cJSON_Delete(d);
            return e->code;
        }
        cJSON_AddNumberToObject(d, "organisation_id", (double)org);
        cJSON_AddItemToObject(d, "organisation", cJSON_DetachItemFromObject(o, "name"));
        cJSON_Delete(o);
    }
    if (assessment > 0)
        cJSON_AddNumberToObject(d, "assessment_id", (double)assessment);
    int rc = store_event_add(db, type, d, NULL, e);
    cJSON_Delete(d);
    return rc;
}

/* Emits type for subject once, keyed by key. */
static int once(store *db, const char *key, const char *type, long long org, long long assessment,
                const cJSON *data, int *emitted, err *e)
{
    bool fresh;
    if (store_mark(db, key, &fresh, e))
        return e->code;
    if (!fresh)
        return ERR_OK;
    (*emitted)++;
    return events_emit(db, type, org, assessment, data, e);
}

/* Tells c's notifier of an event just emitted. */
static int tell(store *db, const events_config *c, const char *type, long long org,
                long long assessment, const cJSON *data, err *e)
{
    if (!c->notify || !c->notify->event)
        return ERR_OK;
    return c->notify->event(c->notify->ud, db, type, org, assessment, data, e);
}

/* Whether lead is the nearest lead time days left have passed. */
static bool nearest_lead(const events_config *c, int lead, long days)
{
    for (int i = 0; i < c->n_leads; i++)
        if (c->leads[i] < lead && days <= c->leads[i])
            return false;
    return true;
}

static int labels(store *db, const events_config *c, const char *today, int *emitted, err *e)
{
    cJSON *list;
    if (store_expiring(db, &list, e))
        return e->code;
    int rc = ERR_OK;
    const cJSON *l;
    cJSON_ArrayForEach(l, list)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(l, "id"));
        long long org = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(l, "organisation_id"));
        long long assessment =
            (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(l, "assessment_id"));
        const char *until = cJSON_GetStringValue(cJSON_GetObjectItem(l, "valid_until"));
        if (!until || !date_valid(until))
            continue;
        long days = date_diff_days(today, until);
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "valid_until", until);
        cJSON_AddStringToObject(data, "outcome", "awarded");
        char key[96];
        if (days < 0) {
            snprintf(key, sizeof key, "label.expired:%lld", id);
            int before = *emitted;
            rc = once(db, key, "label.expired", org, assessment, data, emitted, e);
            if (rc == ERR_OK && *emitted > before)
                rc = tell(db, c, "label.expired", org, assessment, data, e);
        } else {
            /* Every lead time passed is sent once, the farthest first: one
             * missed while the server was down still reaches its readers. */
            cJSON_AddNumberToObject(data, "days_left", (double)days);
            cJSON_AddNumberToObject(data, "lead_days", 0);
            for (int i = 0; rc == ERR_OK && i < c->n_leads; i++) {
                if (days > c->leads[i])
                    continue;
                snprintf(key, sizeof key, "label.expiring:%lld:%d", id, c->leads[i]);
                cJSON_SetNumberValue(cJSON_GetObjectItem(data, "lead_days"), c->leads[i]);
                int before = *emitted;
                rc = once(db, key, "label.expiring", org, assessment, data, emitted, e);
                if (rc == ERR_OK && *emitted > before && nearest_lead(c, c->leads[i], days))
                    rc = tell(db, c, "label.expiring", org, assessment, data, e);
            }
        }
        cJSON_Delete(data);
        if (rc != ERR_OK)
            break;
    }
    cJSON_Delete(list);
    return rc;
}

static int overdue(store *db, const char *today, int *emitted, err *e)
{
    cJSON *list;
    if (store_overdue(db, today, &list, e))
        return e->code;
    int rc = ERR_OK;
    const cJSON *i;
    cJSON_ArrayForEach(i, list)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(i, "id"));
        long long org = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(i, "organisation_id"));
        const char *due = cJSON_GetStringValue(cJSON_GetObjectItem(i, "due"));
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "action_item_id", (double)id);
        cJSON_AddItemToObject(data, "criterion",
                              cJSON_Duplicate(cJSON_GetObjectItem(i, "criterion"), 1));
        cJSON_AddItemToObject(data, "action", cJSON_Duplicate(cJSON_GetObjectItem(i, "action"), 1));
        cJSON_AddStringToObject(data, "due", due ? due : "");
        char key[96];
        snprintf(key, sizeof key, "action_item.overdue:%lld:%s", id, due ? due : "");
        rc = once(db, key, "action_item.overdue", org, 0, data, emitted, e);
        cJSON_Delete(data);
        if (rc != ERR_OK)
            break;
    }
    cJSON_Delete(list);
    return rc;
}

cJSON *events_assessment_data(const char *kind, const char *ruleset, long long auditor)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "kind", kind);
    cJSON_AddStringToObject(data, "ruleset", ruleset);
    if (auditor > 0)
        cJSON_AddNumberToObject(data, "auditor_id", (double)auditor);
    return data;
}

static long long number_of(const cJSON *row, const char *key)
{
    return (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(row, key));
}

int events_auditor_unavailable(store *db, const cJSON *audit, const char *certified_until,
                               const char *reason, int *emitted, err *e)
{
    long long id = number_of(audit, "id"), org = number_of(audit, "organisation_id"),
              auditor = number_of(audit, "auditor_id");
    const char *ruleset = cJSON_GetStringValue(cJSON_GetObjectItem(audit, "ruleset"));
    cJSON *data = events_assessment_data("audit", ruleset ? ruleset : "", auditor);
    cJSON_AddStringToObject(data, "reason", reason);
    if (certified_until[0])
        cJSON_AddStringToObject(data, "certified_until", certified_until);
    else
        cJSON_AddNullToObject(data, "certified_until");
    int rc;
    if (strcmp(reason, "disabled") == 0) {
        (*emitted)++;
        rc = events_emit(db, "audit.auditor_unavailable", org, id, data, e);
    } else {
        char key[128];
        snprintf(key, sizeof key, "audit.auditor_unavailable:%lld:%lld:%s", id, auditor,
                 certified_until);
        rc = once(db, key, "audit.auditor_unavailable", org, id, data, emitted, e);
    }
    cJSON_Delete(data);
    return rc;
}

/* Draft audits whose auditor's certification ran out since they were given. */
static int uncertified(store *db, const char *today, int *emitted, err *e)
{
    cJSON *list;
    if (store_audits_uncertified(db, today, &list, e))
        return e->code;
    int rc = ERR_OK;
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *until = cJSON_GetStringValue(cJSON_GetObjectItem(a, "certified_until"));
        rc = events_auditor_unavailable(db, a, until ? until : "", "certification_expired", emitted,
                                        e);
        if (rc != ERR_OK)
            break;
    }
    cJSON_Delete(list);
    return rc;
}

int events_tick(store *db, const events_config *c, const char *today, int *emitted, err *e)
{
    *emitted = 0;
    if (store_begin(db, e))
        return e->code;
    int rc = labels(db, c, today, emitted, e);
    if (rc == ERR_OK)
        rc = overdue(db, today, emitted, e);
    if (rc == ERR_OK)
        rc = uncertified(db, today, emitted, e);
    if (rc == ERR_OK && c->notify && c->notify->tick)
        rc = c->notify->tick(c->notify->ud, db, today, e);
    if (rc == ERR_OK)
        return store_commit(db, e);
    store_rollback(db);
    return rc;
}
