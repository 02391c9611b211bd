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

/* A French page, status, into c: a heading, a paragraph and, when form,
 * the button that POSTs to the same address. */
static int unsubscribe_html(call *c, int status, const char *heading, const char *text, bool form)
{
    size_t size = 4096, at = 0;
    char *html = malloc(size);
    if (!html)
        return ERR_FAIL;
    at += (size_t)snprintf(html, size,
                           "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width\">"
                           "<title>Désabonnement</title></head><body><main><h1>");
    put_escaped(html, size, &at, heading);
    at += (size_t)snprintf(html + at, size - at, "</h1><p>");
    put_escaped(html, size, &at, text);
    at += (size_t)snprintf(html + at, size - at, "</p>");
    if (form)
        at += (size_t)snprintf(html + at, size - at,
                               "<form method=\"post\"><input type=\"hidden\" "
                               "name=\"List-Unsubscribe\" value=\"One-Click\">"
                               "<button type=\"submit\">Me désabonner</button></form>");
    at += (size_t)snprintf(html + at, size - at, "</main></body></html>\n");
    c->status = status;
    c->raw = html;
    c->raw_len = at;
    c->raw_type = "text/html; charset=utf-8";
    return ERR_OK;
}

/* An unsubscribe link's page, after turning its kind off when apply. A
 * wrong link is a 404 (nothing changed): a page for a browser, which
 * accepts text/html, the API's JSON error for others. */
static int unsubscribe(call *c, bool apply, cJSON **out, err *e)
{
    cJSON *r = NULL;
    char text[1024];
    *out = NULL;
    int rc = service_unsubscribe(&c->svc, c->strs[0], c->strs[1], apply, &r, e);
    const char *accept = http_header(c->req, "Accept");
    if (rc == ERR_NOT_FOUND && accept && strstr(accept, "text/html")) { /* a person's browser */
        err_clear(e);
        rc = unsubscribe_html(c, 404, "Lien de désabonnement inconnu",
                              "Ce lien ne correspond à aucun abonnement : vérifiez qu'il est "
                              "complet, ou choisissez vos notifications sur « Mon compte ».",
                              false);
        return rc == ERR_OK ? ERR_OK : err_set(e, ERR_FAIL, "out of memory");
    }
    if (rc != ERR_OK)
        return rc;
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(r, "title"));
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(r, "email"));
    if (apply)
        snprintf(text, sizeof text,
                 "Vous ne recevrez plus par e-mail les notifications « %s » à l'adresse %s. "
                 "Elles restent dans la liste de vos notifications sur la plateforme ; vous "
                 "pouvez les rétablir depuis « Mon compte ».",
                 title ? title : "", email ? email : "");
    else
        snprintf(text, sizeof text,
                 "Ne plus recevoir par e-mail les notifications « %s » à l'adresse %s ?",
                 title ? title : "", email ? email : "");
    rc = unsubscribe_html(c, 200, apply ? "Désabonnement enregistré" : "Se désabonner", text,
                          !apply);
    cJSON_Delete(r);
    return rc == ERR_OK ? ERR_OK : err_set(e, ERR_FAIL, "out of memory");
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
