/* plugin: Lua plugins that extend the platform without touching C. A plugin
 * is plugins/NAME/plugin.lua declaring plugin { name, version, priority,
 * settings, hooks }; each runs in its own sandbox (own instruction and memory
 * limits), and a failing plugin is logged with file:line and skipped, never
 * stopping the core or another plugin. Hooks run by priority, then name.
 * Uses sandbox, ljson, json and files. */
#ifndef LABELCOOP_PLUGIN_H
#define LABELCOOP_PLUGIN_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "sandbox.h"

typedef struct plugin_set plugin_set;

/* What on_event may ask of the platform; the caller supplies it. */
typedef struct plugin_api {
    /* Adds an action item to org; fields as the API's action items. */
    int (*add_action_item)(void *ud, long long org, const cJSON *fields, err *e);
    /* Emits a follow-up event into the outbox. */
    int (*emit)(void *ud, const char *type, const cJSON *data, err *e);
    void *ud;
} plugin_api;

/* Loads every plugins_dir/NAME/plugin.lua; settings_file (may be missing)
 * is {"NAME": {"enabled": bool, "settings": {...}}}. Plugins that fail to
 * load are reported in *problems (caller deletes) and left out. */
int plugin_load(const char *plugins_dir, const char *settings_file, const sandbox_limits *lim,
                plugin_set **out, cJSON **problems, err *e);
void plugin_free(plugin_set *p);

/* [{"name","version","description","priority","hooks":[...],"enabled","settings"}] */
cJSON *plugin_list(const plugin_set *p);
/* Enables or disables one plugin in this set (ERR_NOT_FOUND if unknown). */
int plugin_enable(plugin_set *p, const char *name, bool enabled, err *e);

/* Whether an enabled plugin has validate_answer: when none has, callers
 * need not build its arguments. */
bool plugin_validates(const plugin_set *p);
/* validate_answer(criterion, answer): NULL when every plugin accepts, else
 * the first refusal's French message (caller frees). */
char *plugin_validate_answer(plugin_set *p, const cJSON *criterion, const cJSON *answer);
/* on_event(event) of every enabled plugin, with api for its requests. */
void plugin_on_event(plugin_set *p, const cJSON *event, const plugin_api *api);
/* webhook_payload(endpoint, event): the body to send instead of the standard
 * one (caller deletes), or NULL. */
cJSON *plugin_webhook_payload(plugin_set *p, const char *plugin_name, const cJSON *endpoint,
                              const cJSON *event);

/* report_format(format, document) of the enabled plugins: the first that
 * returns {"content_type", "body"} renders it; *out (caller frees) is NULL
 * when none does. */
int plugin_report_format(plugin_set *p, const char *format, const cJSON *doc, char **out,
                         char **content_type);

#endif
