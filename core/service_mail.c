/* service_mail: the e-mail a change causes, rendered from its template and
 * written to the outbox in that change's transaction (the delivery thread
 * sends it), and the outbox's log for administrators. Uses mailtpl, store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "mailtpl.h"
#include "service_internal.h"
#include "store.h"

#define MAIL_LOG_LIMIT 500

void svc_mail_link(const service *s, const char *path, char *buf, size_t size)
{
    const char *base = s->mail && s->mail->public_url ? s->mail->public_url : "http://localhost";
    snprintf(buf, size, "%s%s", base, path);
}

/* The host of the public URL, for Message-IDs: "label.example.org". */
static void link_host(const service *s, char *buf, size_t size)
{
    char base[512];
    svc_mail_link(s, "", base, sizeof base);
    const char *h = strstr(base, "://");
    h = h ? h + 3 : base;
    snprintf(buf, size, "%.*s", (int)strcspn(h, ":/"), h);
}

/* One recipient's message: rendered, or stored failed with the reason. */
static int enqueue_one(service *s, const char *kind, const cJSON *to, const cJSON *data,
                       bool notification, err *e)
{
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(to, "email"));
    if (!email || !mail_address_ok(email))
        return ERR_OK; /* an account without a usable address gets none */
    cJSON *view = cJSON_Duplicate(data, true);
    if (!view)
        return err_set(e, ERR_FAIL, "out of memory");
    cJSON_AddItemToObject(view, "recipient", cJSON_Duplicate(to, true));
    char path[200], unsubscribe[700] = "", host[256];
    if (notification) {
        snprintf(path, sizeof path, "/api/v1/unsubscribe/%s", kind);
        svc_mail_link(s, path, unsubscribe, sizeof unsubscribe);
        cJSON_AddStringToObject(view, "unsubscribe", unsubscribe);
    }
    mailtpl_message m;
    err why = ERR_INIT;
    const sandbox_limits *lim = s->limits;
    int bad = mailtpl_render(s->mail->templates_dir, kind, view, lim, &m, &why);
    cJSON_Delete(view);
    store_mail row = {
        .kind = kind,
        .recipient = email,
        .subject = bad ? kind : m.subject,
        .text = bad ? "(not rendered)" : m.text, /* never sent: it is failed */
        .html = bad ? "(not rendered)" : m.html,
        .unsubscribe = unsubscribe[0] ? unsubscribe : NULL,
        .error = bad ? err_msg(&why) : NULL,
    };
    link_host(s, host, sizeof host);
    int rc = store_mail_add(s->db, &row, host[0] ? host : "localhost", NULL, e);
    mailtpl_free(&m);
    err_clear(&why);
    return rc;
}

int svc_mail_enqueue(service *s, const char *kind, const cJSON *recipients, const cJSON *data,
                     bool notification, err *e)
{
    if (!s->mail)
        return ERR_OK;
    const cJSON *to;
    cJSON_ArrayForEach(to, recipients)
    {
        if (enqueue_one(s, kind, to, data, notification, e) != ERR_OK)
            return e->code;
    }
    return ERR_OK;
}

static cJSON *person(const char *name, const char *email, const char *role)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "email", email);
    cJSON_AddStringToObject(p, "role", role);
    return p;
}

/* The CAE's enabled members, as recipients, appended to list. */
static int add_members(service *s, long long org, cJSON *list, err *e)
{
    cJSON *users = NULL;
    if (store_team_list(s->db, org, &users, e) != ERR_OK)
        return e->code;
    const cJSON *u;
    cJSON_ArrayForEach(u, users)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(u, "name"));
        const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(u, "email"));
        if (!cJSON_IsTrue(cJSON_GetObjectItem(u, "disabled")))
            cJSON_AddItemToArray(list, person(name, email, "cae"));
    }
    cJSON_Delete(users);
    return ERR_OK;
}

int svc_mail_audit_assigned(service *s, long long org, long long assessment, long long auditor,
                            err *e)
{
    if (!s->mail)
        return ERR_OK;
    store_user a;
    cJSON *org_json = NULL, *to = cJSON_CreateArray(), *data = cJSON_CreateObject();
    int rc = store_user_get(s->db, auditor, &a, e);
    if (rc == ERR_OK)
        rc = store_org_get(s->db, org, &org_json, e);
    if (rc == ERR_OK) {
        cJSON_AddItemToArray(to, person(a.name, a.email, "auditor"));
        rc = add_members(s, org, to, e);
    }
    if (rc == ERR_OK) {
        char path[64], link[700];
        snprintf(path, sizeof path, "/#/evaluations/%lld", assessment);
        svc_mail_link(s, path, link, sizeof link);
        cJSON_AddNumberToObject(data, "assessment_id", (double)assessment);
        cJSON *o = cJSON_AddObjectToObject(data, "organisation");
        cJSON_AddNumberToObject(o, "id", (double)org);
        cJSON_AddStringToObject(o, "name",
                                cJSON_GetStringValue(cJSON_GetObjectItem(org_json, "name")));
        cJSON *who = cJSON_AddObjectToObject(data, "auditor");
        cJSON_AddStringToObject(who, "name", a.name);
        cJSON_AddStringToObject(who, "email", a.email);
        cJSON_AddStringToObject(data, "link", link);
        rc = svc_mail_enqueue(s, "audit_assigned", to, data, true, e);
    }
    cJSON_Delete(org_json);
    cJSON_Delete(to);
    cJSON_Delete(data);
    return rc;
}

int service_mail_log(service *s, const char *status, cJSON **out, err *e)
{
    *out = NULL;
    if (svc_allow(s, POLICY_ADMINISTER, 0, NULL, e))
        return e->code;
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "sent") != 0 &&
        strcmp(status, "failed") != 0)
        return err_set(e, ERR_INPUT, "status must be pending, sent or failed");
    return store_mail_log(s->db, status, MAIL_LOG_LIMIT, out, e);
}
