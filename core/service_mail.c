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

int svc_mail_one(service *s, const char *kind, const cJSON *to, const cJSON *data,
                 const char *unsubscribe, bool send, char *subject, size_t size, err *e)
{
    if (subject && size)
        subject[0] = '\0';
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(to, "email"));
    if (!s->mail || !email || !mail_address_ok(email))
        return ERR_OK; /* an account without a usable address gets none */
    cJSON *view = cJSON_Duplicate(data, true);
    if (!view)
        return err_set(e, ERR_FAIL, "out of memory");
    cJSON_AddItemToObject(view, "recipient", cJSON_Duplicate(to, true));
    if (unsubscribe)
        cJSON_AddStringToObject(view, "unsubscribe", unsubscribe);
    mailtpl_message m;
    err why = ERR_INIT;
    const sandbox_limits *lim = s->limits;
    int bad = mailtpl_render(s->mail->templates_dir, kind, view, lim, &m, &why);
    cJSON_Delete(view);
    if (!bad && subject)
        snprintf(subject, size, "%s", m.subject);
    store_mail row = {
        .kind = kind,
        .recipient = email,
        .subject = bad ? kind : m.subject,
        .text = bad ? "(not rendered)" : m.text, /* never sent: it is failed */
        .html = bad ? "(not rendered)" : m.html,
        .unsubscribe = unsubscribe,
        .error = bad ? err_msg(&why) : NULL,
    };
    char host[256];
    link_host(s, host, sizeof host);
    int rc = send ? store_mail_add(s->db, &row, host[0] ? host : "localhost", NULL, e) : ERR_OK;
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
        char unsubscribe[700] = "";
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(to, "id"));
        if (notification && id > 0)
            svc_notify_unsubscribe_link(s, id, kind, unsubscribe, sizeof unsubscribe);
        if (svc_mail_one(s, kind, to, data, unsubscribe[0] ? unsubscribe : NULL, true, NULL, 0,
                         e) != ERR_OK)
            return e->code;
    }
    return ERR_OK;
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
