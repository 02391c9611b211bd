/* api_notifications: a person's notifications (the page's list, read or
 * unread), their choice of what is mailed, and the one-click unsubscribe
 * links of the e-mails (no login: the link's token says who). Each handler
 * calls one service_notify function. */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int api_my_notifications(call *c, cJSON **out, err *e)
{
    return service_notify_preferences(&c->svc, out, e);
}

int api_my_notifications_put(call *c, cJSON **out, err *e)
{
    return service_notify_preferences_put(&c->svc, c->body, out, e);
}

int api_notifications(call *c, cJSON **out, err *e)
{
    return service_notifications(&c->svc, out, e);
}

int api_notifications_unread(call *c, cJSON **out, err *e)
{
    return service_notifications_unread(&c->svc, out, e);
}

int api_notification_read(call *c, cJSON **out, err *e)
{
    return service_notification_read(&c->svc, c->ids[0], out, e);
}

int api_notifications_read_all(call *c, cJSON **out, err *e)
{
    return service_notifications_read_all(&c->svc, out, e);
}

/* text, HTML-escaped, appended to buf at *at. */
static void put_escaped(char *buf, size_t size, size_t *at, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p && *at + 8 < size; p++) {
        const char *entity = text_html_entity(*p);
        if (entity)
            *at += (size_t)snprintf(buf + *at, size - *at, "%s", entity);
        else
            buf[(*at)++] = (char)*p, buf[*at] = '\0';
    }
}

/* The French page of an unsubscribe link: a button that POSTs to it, or
 * what the POST did. */
static int unsubscribe_html(call *c, const cJSON *r, bool done)
{
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(r, "title"));
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(r, "email"));
    size_t size = 4096, at = 0;
    char *html = malloc(size);
    if (!html)
        return ERR_FAIL;
    at += (size_t)snprintf(html, size,
                           "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width\">"
                           "<title>Désabonnement</title></head><body><main><h1>");
    put_escaped(html, size, &at, done ? "Désabonnement enregistré" : "Se désabonner");
    at += (size_t)snprintf(html + at, size - at, "</h1><p>");
    put_escaped(html, size, &at,
                done ? "Vous ne recevrez plus par e-mail les notifications « "
                     : "Ne plus recevoir par e-mail les notifications « ");
    put_escaped(html, size, &at, title ? title : "");
    put_escaped(html, size, &at, " » à l'adresse ");
    put_escaped(html, size, &at, email ? email : "");
    put_escaped(html, size, &at,
                done ? ". Elles restent dans la liste de vos notifications sur la plateforme; "
                       "vous pouvez les rétablir depuis « Mon compte »."
                     : " ?");
    at += (size_t)snprintf(html + at, size - at, "</p>");
    if (!done)
        at += (size_t)snprintf(html + at, size - at,
                               "<form method=\"post\"><input type=\"hidden\" "
                               "name=\"List-Unsubscribe\" value=\"One-Click\">"
                               "<button type=\"submit\">Me désabonner</button></form>");
    at += (size_t)snprintf(html + at, size - at, "</main></body></html>\n");
    c->raw = html;
    c->raw_len = at;
    c->raw_type = "text/html; charset=utf-8";
    return ERR_OK;
}

/* An unsubscribe link's page, after turning its kind off when apply. */
static int unsubscribe(call *c, bool apply, cJSON **out, err *e)
{
    cJSON *r = NULL;
    int rc = service_unsubscribe(&c->svc, c->strs[0], c->strs[1], apply, &r, e);
    if (rc == ERR_OK && unsubscribe_html(c, r, apply) != ERR_OK)
        rc = err_set(e, ERR_FAIL, "out of memory");
    cJSON_Delete(r);
    *out = NULL;
    return rc;
}

/* GET: changes nothing (mail scanners follow links), it asks. */
int api_unsubscribe_page(call *c, cJSON **out, err *e)
{
    return unsubscribe(c, false, out, e);
}

/* POST (the page's button, or a mail client's RFC 8058 one-click). */
int api_unsubscribe(call *c, cJSON **out, err *e)
{
    return unsubscribe(c, true, out, e);
}
