/* mailtpl: e-mail templates, Lua scripts in the mail/ folder (one a kind,
 * sandboxed like report scripts), rendering {subject, text, html} from an
 * event's data, or from the sample each declares. Uses sandbox, files,
 * ljson; knows nothing of SQLite or SMTP. */
#ifndef LABELCOOP_MAILTPL_H
#define LABELCOOP_MAILTPL_H

#include <cjson/cJSON.h>

#include "err.h"
#include "sandbox.h"

/* A rendered message; the strings owned (mailtpl_free). */
typedef struct mailtpl_message {
    char *subject, *text, *html;
} mailtpl_message;

/* Renders kind (the script dir/KIND.lua) with data, or with the script's
 * sample when data is NULL. A script's error, or a result that is not
 * {subject = one line, text, html} of strings, is ERR_RULES with
 * "KIND.lua:LINE: ..."; an unknown kind ERR_NOT_FOUND. lim may be NULL. */
int mailtpl_render(const char *dir, const char *kind, const cJSON *data,
                   const sandbox_limits *lim, mailtpl_message *out, err *e);
void mailtpl_free(mailtpl_message *m);

#endif
