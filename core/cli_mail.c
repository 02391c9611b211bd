/* cli_mail: `labelcoop mail log` (the outbox: sent, pending and failed
 * messages, with their errors) and `mail preview KIND` (a template rendered
 * with its sample). Uses service, mailtpl. */
#include "cli_internal.h"

#include <stdio.h>
#include <string.h>

#include "mailtpl.h"

static const char *text_of(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
    return v ? v : "";
}

int cli_cmd_mail_log(const opts *o)
{
    cli_env env;
    int rc = cli_env_open(o, ENV_DB, &env);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    cJSON *log = NULL;
    rc = service_mail_log(&env.s, o->status, &log, &e);
    cli_env_close(&env);
    if (rc != ERR_OK)
        return cli_fail_err(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return cli_print_json(log);
    const cJSON *m;
    cJSON_ArrayForEach(m, log)
    {
        printf("%.0f  %-7s %2.0f  %s  %-16s %s  %s  %s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(m, "id")), text_of(m, "status"),
               cJSON_GetNumberValue(cJSON_GetObjectItem(m, "attempts")), text_of(m, "created_at"),
               text_of(m, "kind"), text_of(m, "recipient"), text_of(m, "message_id"),
               text_of(m, "subject"));
        if (text_of(m, "error")[0])
            printf("    %s\n", text_of(m, "error"));
    }
    cJSON_Delete(log);
    return ERR_OK;
}

int cli_cmd_mail_preview(const opts *o)
{
    mailtpl_message m;
    err e = ERR_INIT;
    if (mailtpl_render(o->mail_templates, o->args[0], NULL, &o->limits, &m, &e) != ERR_OK)
        return cli_fail_err(&e);
    printf("Subject: %s\n\n%s\n-- text/html --\n%s\n", m.subject, m.text, m.html);
    mailtpl_free(&m);
    return ERR_OK;
}
