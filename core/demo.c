/* demo: seeds a database through the same service functions the API uses,
 * so the demo data obeys every rule real data does. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static int add_org(service *s, const char *name, const char *form, const char *city,
                   const char *region, const char *since, long long *id, err *e)
{
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "legal_form", form);
    cJSON_AddStringToObject(body, "city", city);
    cJSON_AddStringToObject(body, "region", region);
    cJSON_AddStringToObject(body, "member_since", since);
    int rc = service_org_add(s, body, &out, e);
    if (rc == ERR_OK)
        *id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id"));
    cJSON_Delete(body);
    cJSON_Delete(out);
    return rc;
}

static int add_user(service *s, cJSON *logins, const char *email, const char *name,
                    const char *role, long long org, const char *certified, long long *id, err *e)
{
    unsigned char raw[12];
    char password[24];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(password, sizeof password, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(body, "email", email);
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "role", role);
    if (org)
        cJSON_AddNumberToObject(body, "organisation_id", (double)org);
    if (certified)
        cJSON_AddStringToObject(body, "certified_until", certified);
    cJSON_AddStringToObject(body, "password", password);
    int rc = service_user_add(s, body, &out, e);
    if (rc == ERR_OK) {
        if (id)
            *id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id"));
        cJSON *login = cJSON_CreateObject();
        cJSON_AddStringToObject(login, "email", email);
        cJSON_AddStringToObject(login, "role", role);
        cJSON_AddStringToObject(login, "password", password);
        cJSON_AddItemToArray(logins, login);
    }
    cJSON_Delete(body);
    cJSON_Delete(out);
    return rc;
}

/* A plausible self-assessment: mostly met, a few gaps, as a CAE would start. */
static int self_assessment(service *s, long long org, err *e)
{
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(body, "kind", "self_assessment");
    int rc = service_assessment_add(s, org, body, &out, e);
    cJSON_Delete(body);
    if (rc != ERR_OK)
        return rc;
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id"));
    cJSON_Delete(out);
    int n = rules_criterion_count(s->rules);
    for (int i = 0; rc == ERR_OK && i < n; i++) {
        const rules_criterion *c = rules_criterion_at(s->rules, i);
        const char *status = i % 9 == 4 ? "partial" : i % 13 == 7 ? "not_met" : "met";
        body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "status", status);
        if (strcmp(status, "met") != 0)
            cJSON_AddStringToObject(body, "comment", "À renforcer d'ici l'audit.");
        rc = service_answer_put(s, id, c->id, body, &out, e);
        cJSON_Delete(body);
        cJSON_Delete(out);
    }
    if (rc == ERR_OK) {
        rc = service_submit(s, id, &out, e);
        cJSON_Delete(out);
    }
    return rc;
}

int demo_seed(service *s, cJSON **logins, err *e)
{
    cJSON *users = NULL;
    *logins = NULL;
    if (service_user_list(s, &users, e) != ERR_OK)
        return e->code;
    int existing = cJSON_GetArraySize(users);
    cJSON_Delete(users);
    if (existing)
        return err_set(e, ERR_CONFLICT, "the database already has users: no demo data added");
    char until[DATE_LEN + 1], today[DATE_LEN + 1];
    date_today(today);
    date_add_years(today, 2, until);
    long long alpha = 0, beta = 0;
    cJSON *list = cJSON_CreateArray();
    int rc = add_org(s, "Coopérative Alpha", "SCOP SA", "Lyon", "Auvergne-Rhône-Alpes",
                     "2012-05-01", &alpha, e);
    if (rc == ERR_OK)
        rc = add_org(s, "Coopérative Beta", "SCIC SAS", "Nantes", "Pays de la Loire", "2016-09-15",
                     &beta, e);
    if (rc == ERR_OK)
        rc = add_user(s, list, "admin@labelcoop.test", "Administration du réseau", "admin", 0, NULL,
                      NULL, e);
    if (rc == ERR_OK)
        rc = add_user(s, list, "comite@labelcoop.test", "Comité de labellisation", "committee", 0,
                      NULL, NULL, e);
    if (rc == ERR_OK)
        rc = add_user(s, list, "auditeur@labelcoop.test", "Camille Auditrice", "auditor", 0, until,
                      NULL, e);
    if (rc == ERR_OK)
        rc = add_user(s, list, "alpha@labelcoop.test", "Alex Alpha", "cae", alpha, NULL, NULL, e);
    if (rc == ERR_OK)
        rc = add_user(s, list, "beta@labelcoop.test", "Bea Beta", "cae", beta, NULL, NULL, e);
    if (rc == ERR_OK)
        rc = self_assessment(s, alpha, e);
    if (rc != ERR_OK) {
        cJSON_Delete(list);
        return rc;
    }
    *logins = list;
    return ERR_OK;
}
