/* tick: what the delivery thread does between two looks at the outbox,
 * besides sending: the scheduler's tick (labels expiring or expired, overdue
 * action items, auditors whose certification ended, each as an event once)
 * and handing newly committed events to plugins' on_event hooks, with the
 * API those hooks may write through. Uses store, events, plugin. */
#include "tick.h"

#include <cjson/cJSON.h>

#include "backup.h"
#include "date.h"
#include "reqlog.h"

/* ---- the scheduler ----------------------------------------------------------------- */

void tick_scheduler(store *db, const events_config *c)
{
    char today[DATE_LEN + 1];
    date_today(today);
    int emitted = 0;
    err e = ERR_INIT;
    if (events_tick(db, c, today, &emitted, &e) != ERR_OK)
        reqlog_stderr("scheduler: %s", err_msg(&e));
    err_clear(&e);
}

void tick_backup(store *db, const char *documents, const char *dir, int keep)
{
    char today[DATE_LEN + 1], made[BACKUP_NAME_MAX];
    date_today(today);
    err e = ERR_INIT;
    if (backup_daily(db, documents, dir, keep, today, made, sizeof made, &e) != ERR_OK)
        reqlog_stderr("backup: %s", err_msg(&e));
    else if (made[0])
        reqlog_stderr("backup: the day's copy is %s", made);
    err_clear(&e);
}

/* ---- plugins' on_event -------------------------------------------------------------- */

static int api_add_action_item(void *ud, long long org, const cJSON *fields, err *e)
{
    store *db = ud;
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(fields, "action"));
    if (!action || !action[0])
        return err_set(e, ERR_INPUT, "add_action_item: 'action' must be a non-empty text");
    long long id;
    cJSON *item = NULL;
    int rc = store_begin(db, e);
    if (rc == ERR_OK)
        rc = store_action_add(db, org, fields, &id, e);
    if (rc == ERR_OK)
        rc = store_action_get(db, id, &item, e);
    if (rc == ERR_OK)
        rc = store_journal(db, 0, "action_item.create", "action_item", id, NULL, item, e);
    cJSON_Delete(item);
    if (rc == ERR_OK)
        return store_commit(db, e);
    store_rollback(db);
    return rc;
}

static int api_emit(void *ud, const char *type, const cJSON *data, err *e)
{
    store *db = ud;
    int rc = store_begin(db, e);
    if (rc == ERR_OK)
        rc = store_event_add(db, type, data, NULL, e);
    if (rc == ERR_OK)
        return store_commit(db, e);
    store_rollback(db);
    return rc;
}

void tick_plugins(store *db, plugin_set *plugins)
{
    static const char cursor[] = "plugins.on_event";
    long long last;
    cJSON *events = NULL;
    err e = ERR_INIT;
    if (store_cursor_get(db, cursor, &last, &e) || store_events_after(db, last, 100, &events, &e)) {
        err_clear(&e);
        return;
    }
    plugin_api api = {api_add_action_item, api_emit, db};
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        cJSON *event = cJSON_CreateObject();
        cJSON_AddItemToObject(event, "id", cJSON_Duplicate(cJSON_GetObjectItem(ev, "id"), 1));
        cJSON_AddItemToObject(event, "type", cJSON_Duplicate(cJSON_GetObjectItem(ev, "type"), 1));
        cJSON_AddItemToObject(event, "timestamp",
                              cJSON_Duplicate(cJSON_GetObjectItem(ev, "at"), 1));
        cJSON *data = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "data")));
        cJSON_AddItemToObject(event, "data", data ? data : cJSON_CreateObject());
        plugin_on_event(plugins, event, &api);
        cJSON_Delete(event);
        last = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "id"));
    }
    if (cJSON_GetArraySize(events) && store_cursor_set(db, cursor, last, &e) != ERR_OK)
        reqlog_stderr("plugins: %s", err_msg(&e));
    err_clear(&e);
    cJSON_Delete(events);
}
