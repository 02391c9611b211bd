/* service_actions: an assessment's path to the label as action items, the
 * action plan of a CAE, the labels' registry and the good practices shared
 * across the network. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

int service_path_actions(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    cJSON *evaluation = NULL;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &a, e) ||
        svc_allow(s, POLICY_ACTIONS_EDIT, a.org_id, NULL, e))
        return e->code;
    int rc = strcmp(a.status, "draft") == 0
                 ? service_evaluation(s, id, &evaluation, e)
                 : store_assessment_evaluation(s->db, id, &evaluation, e);
    if (rc != ERR_OK)
        return rc;
    rules *r;
    if ((rc = svc_rules_of(s, &a, &r, e)) != ERR_OK || (rc = store_begin(s->db, e)) != ERR_OK) {
        cJSON_Delete(evaluation);
        return rc;
    }
    cJSON *items = cJSON_CreateArray();
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItem(evaluation, "path_to_label"))
    {
        const char *crit = cJSON_GetStringValue(cJSON_GetObjectItem(step, "criterion"));
        const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(step, "to"));
        int k = crit ? rules_find(r, crit) : -1;
        if (rc != ERR_OK || k < 0)
            continue;
        char action[1200];
        snprintf(action, sizeof action, "%s — viser « %s » : %s", crit,
                 strcmp(to ? to : "", "met") == 0 ? "satisfait" : "partiellement satisfait",
                 rules_criterion_at(r, k)->statement);
        cJSON *fields = cJSON_CreateObject(), *item = NULL;
        cJSON_AddStringToObject(fields, "criterion", crit);
        cJSON_AddStringToObject(fields, "action", action);
        long long item_id;
        rc = store_action_add(s->db, a.org_id, fields, &item_id, e);
        if (rc == ERR_OK)
            rc = store_action_get(s->db, item_id, &item, e);
        if (rc == ERR_OK)
            rc = svc_journal(s, "action_item.create", "action_item", item_id, NULL, item, e);
        if (item)
            cJSON_AddItemToArray(items, item);
        cJSON_Delete(fields);
    }
    cJSON_Delete(evaluation);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

/* ---- registry, good practices, action plan ------------------------------------- */

int service_labels(service *s, bool public_only, cJSON **out, err *e)
{
    *out = NULL;
    char today[DATE_LEN + 1];
    date_today(today);
    return store_labels(s->db, today, public_only, out, e);
}

int service_good_practices(service *s, const char *criterion, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_NETWORK_READ, 0, NULL, e))
        return e->code;
    return store_good_practice_list(s->db, criterion, out, e);
}

int service_org_practices(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ACTIONS_READ, org, NULL, e))
        return e->code;
    return store_good_practices_of(s->db, org, out, e);
}

int service_practice_share(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"shared", NULL};
    if (svc_need_object(body, keys, e))
        return e->code;
    const cJSON *shared = cJSON_GetObjectItemCaseSensitive(body, "shared");
    if (!cJSON_IsBool(shared))
        return bad(e, "shared", "must be true or false");
    if (store_begin(s->db, e))
        return e->code;
    cJSON *before = NULL;
    int rc = store_good_practice_get(s->db, id, &before, e);
    if (rc == ERR_OK) /* read only once found: a missing practice has no organisation */
        rc = svc_allow(
            s, POLICY_ACTIONS_EDIT,
            (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(before, "organisation_id")), NULL,
            e);
    if (rc == ERR_OK)
        rc = store_good_practice_share(s->db, id, cJSON_IsTrue(shared), e);
    if (rc == ERR_OK)
        rc = store_good_practice_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "good_practice.share", "good_practice", id, before, *out, e);
    cJSON_Delete(before);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_actions_list(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *o = NULL;
    if (svc_allow(s, POLICY_ACTIONS_READ, org, NULL, e) || store_org_get(s->db, org, &o, e))
        return e->code;
    cJSON_Delete(o);
    return store_action_list(s->db, org, out, e);
}

static int check_action(service *s, const cJSON *body, bool create, err *e)
{
    static const char *const keys[] = {"criterion", "action", "owner", "due", "status", NULL};
    const char *crit, *v, *status;
    if (svc_need_object(body, keys, e) || svc_text_field(body, "criterion", false, 32, &crit, e) ||
        svc_text_field(body, "action", create, MAX_TEXT, &v, e) ||
        svc_text_field(body, "owner", false, MAX_NAME, &v, e) ||
        svc_date_field(body, "due", false, &v, e) ||
        svc_text_field(body, "status", false, 16, &status, e))
        return e->code;
    /* A real date can still be a typo (0202, 2925): a due date far outside
     * reason would sit first or last in every list, and the overdue event
     * would fire for a date nobody meant. */
    if (v && (strcmp(v, "2000-01-01") < 0 || strcmp(v, "2100-12-31") > 0))
        return bad(e, "due", "%s is outside 2000-01-01 .. 2100-12-31", v);
    if (!create && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(body, "action")))
        return bad(e, "action", "must not be empty");
    if (crit && rules_find(s->rules, crit) < 0)
        return bad(e, "criterion", "names no criterion of the référentiel");
    if (status && strcmp(status, "todo") && strcmp(status, "doing") && strcmp(status, "done"))
        return bad(e, "status", "must be \"todo\", \"doing\" or \"done\"");
    return ERR_OK;
}

int service_action_add(service *s, long long org, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *o = NULL;
    if (svc_allow(s, POLICY_ACTIONS_EDIT, org, NULL, e) || check_action(s, body, true, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    long long id;
    int rc = store_org_get(s->db, org, &o, e);
    cJSON_Delete(o);
    if (rc == ERR_OK)
        rc = store_action_add(s->db, org, body, &id, e);
    if (rc == ERR_OK)
        rc = store_action_get(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "action_item.create", "action_item", id, NULL, *out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_action_update(service *s, long long org, long long item, const cJSON *body, cJSON **out,
                          err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ACTIONS_EDIT, org, NULL, e) || check_action(s, body, false, e))
        return e->code;
    if (store_begin(s->db, e))
        return e->code;
    cJSON *before = NULL;
    int rc = store_action_get(s->db, item, &before, e);
    if (rc == ERR_OK &&
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(before, "organisation_id")) != org)
        rc =
            err_set(e, ERR_NOT_FOUND, "action item %lld not found in organisation %lld", item, org);
    if (rc == ERR_OK)
        rc = store_action_update(s->db, item, body, e);
    if (rc == ERR_OK)
        rc = store_action_get(s->db, item, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "action_item.update", "action_item", item, before, *out, e);
    cJSON_Delete(before);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}
