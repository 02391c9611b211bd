/* plugin: loading and calling plugins. Each plugin's declaration stays in
 * its own state's registry; a hook is called through sandbox_run, so the
 * plugin's limits apply and its errors come back as "file:line: message",
 * which is logged with the plugin's name. */
#include "plugin.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "files.h"
#include "json.h"
#include "ljson.h"
#include "reqlog.h"

static const char KEY_DECL[] = "labelcoop.plugin";

enum { PLUGIN_HOOK_ON_EVENT = 1, PLUGIN_HOOK_WEBHOOK_PAYLOAD = 2, PLUGIN_HOOK_REPORT_FORMAT = 4, PLUGIN_HOOK_VALIDATE = 8 };
static const struct {
    const char *name;
    int bit;
} hook_names[] = {
    {"on_event", PLUGIN_HOOK_ON_EVENT},
    {"webhook_payload", PLUGIN_HOOK_WEBHOOK_PAYLOAD},
    {"report_format", PLUGIN_HOOK_REPORT_FORMAT},
    {"validate_answer", PLUGIN_HOOK_VALIDATE},
};

typedef struct plugin {
    char *name, *version, *description;
    int priority, hooks;
    bool enabled;
    files_tree tree;
    sandbox *h;
    cJSON *settings;
    struct plugin_set *set;
} plugin;

struct plugin_set {
    plugin **list; /* each allocated alone: its Lua closures hold its address */
    int n;
    const plugin_api *api; /* during plugin_on_event only */
};

/* ---- the declaration ---------------------------------------------------------------- */

static void unknown_key(lua_State *L, void *ud, const char *key)
{
    (void)ud;
    luaL_error(L, "plugin: unknown key '%s'", key ? key : "?");
}

static int l_plugin(lua_State *L)
{
    plugin *p = lua_touserdata(L, lua_upvalueindex(1));
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    if (!lua_isnil(L, -1))
        return luaL_error(L, "plugin{} declared twice");
    lua_pop(L, 1);
    static const char *const keys[] = {"name",     "version", "description", "priority",
                                       "settings", "hooks",   NULL};
    sandbox_only_keys(L, 1, keys, unknown_key, NULL);
    lua_getfield(L, 1, "name");
    const char *name = lua_tostring(L, -1);
    if (!name || strcmp(name, p->name) != 0)
        return luaL_error(L, "plugin: 'name' must be \"%s\", the plugin's folder", p->name);
    lua_getfield(L, 1, "version");
    if (!lua_isstring(L, -1))
        return luaL_error(L, "plugin: 'version' must be a string such as \"1.0.0\"");
    p->version = strdup(lua_tostring(L, -1));
    lua_getfield(L, 1, "description");
    p->description = strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_getfield(L, 1, "priority");
    p->priority = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 100;
    lua_getfield(L, 1, "hooks");
    if (!lua_istable(L, -1))
        return luaL_error(L, "plugin: 'hooks' must be a table of functions");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        size_t i = 0;
        while (i < sizeof hook_names / sizeof *hook_names && strcmp(hook_names[i].name, k) != 0)
            i++;
        if (i == sizeof hook_names / sizeof *hook_names)
            return luaL_error(L,
                              "plugin: unknown hook '%s' (on_event, webhook_payload, "
                              "report_format, validate_answer)",
                              k);
        if (!lua_isfunction(L, -1))
            return luaL_error(L, "plugin: hook '%s' must be a function", k);
        p->hooks |= hook_names[i].bit;
        lua_pop(L, 1);
    }
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    return 0;
}

/* Settings: each declared one's default, overridden by the settings file. */
static int read_defaults(lua_State *L)
{
    plugin *p = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    lua_getfield(L, -1, "settings");
    lua_newtable(L);
    if (lua_istable(L, -2)) {
        lua_pushnil(L);
        while (lua_next(L, -3)) {
            if (lua_istable(L, -1)) {
                lua_getfield(L, -1, "default");
                lua_pushvalue(L, -3);
                lua_insert(L, -2);
                lua_settable(L, -5);
            }
            lua_pop(L, 1);
        }
    }
    ljson_to(L, -1, "settings", NULL, &p->settings);
    return 0;
}

/* ---- calls into the plugin's state --------------------------------------------- */

typedef struct hook_call {
    plugin *p;
    const char *hook;
    const cJSON *args[3];
    int nargs;
    cJSON *result;
} hook_call;

static int call_hook(lua_State *L)
{
    hook_call *c = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    lua_getfield(L, -1, "hooks");
    lua_getfield(L, -1, c->hook);
    for (int i = 0; i < c->nargs; i++)
        ljson_push(L, c->args[i]);
    ljson_push(L, c->p->settings);
    lua_call(L, c->nargs + 1, 1);
    if (!lua_isnil(L, -1))
        ljson_to(L, -1, c->hook, NULL, &c->result);
    return 0;
}

/* Runs one hook; NULL result when it returned nil or failed (logged). */
static cJSON *run_hook(plugin *p, const char *hook, const cJSON *a, const cJSON *b, const cJSON *c3)
{
    hook_call c = {p, hook, {a, b, c3}, c3 ? 3 : b ? 2 : a ? 1 : 0, NULL};
    err e = ERR_INIT;
    if (sandbox_run(p->h, call_hook, &c, &e) != ERR_OK) {
        reqlog_stderr("plugin %s: %s: %s", p->name, hook, err_msg(&e));
        cJSON_Delete(c.result);
        c.result = NULL;
    }
    err_clear(&e);
    return c.result;
}

/* The API on_event sees: add_action_item(org, fields), emit(type, data). */
static int api_call(lua_State *L, bool action)
{
    plugin *p = lua_touserdata(L, lua_upvalueindex(1));
    const plugin_api *api = p->set->api;
    if (!api)
        return luaL_error(L, "%s is only available inside on_event",
                          action ? "add_action_item" : "emit");
    long long org = action ? (long long)luaL_checkinteger(L, 1) : 0;
    const char *type = action ? NULL : luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    ljson_to(L, 2, action ? "fields" : "data", NULL, box);
    err e = ERR_INIT;
    int rc =
        action ? api->add_action_item(api->ud, org, *box, &e) : api->emit(api->ud, type, *box, &e);
    cJSON_Delete(*box);
    *box = NULL;
    if (rc != ERR_OK) {
        lua_pushfstring(L, "%s", err_msg(&e));
        err_clear(&e);
        return lua_error(L);
    }
    return 0;
}

static int l_add_action_item(lua_State *L)
{
    return api_call(L, true);
}

static int l_emit(lua_State *L)
{
    char type[160];
    snprintf(type, sizeof type, "%s", luaL_checkstring(L, 1));
    /* Follow-up events are namespaced, so no plugin can fake a core event. */
    plugin *p = lua_touserdata(L, lua_upvalueindex(1));
    lua_pushfstring(L, "plugin.%s.%s", p->name, type);
    lua_replace(L, 1);
    return api_call(L, false);
}

static const luaL_Reg plugin_fns[] = {
    {"plugin", l_plugin},
    {"add_action_item", l_add_action_item},
    {"emit", l_emit},
    {NULL, NULL},
};

static int run_file(lua_State *L)
{
    sandbox_load(L, lua_touserdata(L, 1));
    lua_call(L, 0, 0);
    return 0;
}

/* ---- the set ------------------------------------------------------------------------- */

static void plugin_clear(plugin *p)
{
    sandbox_free(p->h);
    files_tree_free(&p->tree);
    free(p->name);
    free(p->version);
    free(p->description);
    cJSON_Delete(p->settings);
}

static int by_priority(const void *a, const void *b)
{
    const plugin *x = *(plugin *const *)a, *y = *(plugin *const *)b;
    return x->priority != y->priority ? (x->priority > y->priority) - (x->priority < y->priority)
                                      : strcmp(x->name, y->name);
}

/* Loads one plugin; a message (caller frees) when it cannot. */
static char *load_one(plugin_set *set, plugin *p, const char *dir, const char *name,
                      const sandbox_limits *lim)
{
    char path[4200], *msg = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(p, 0, sizeof *p);
    p->name = strdup(name);
    p->set = set;
    p->enabled = true;
    err e = ERR_INIT;
    if (files_tree_read(path, ".lua", NULL, &p->tree, &e) != ERR_OK ||
        sandbox_new(&p->tree, lim, plugin_fns, p, &p->h, &e) != ERR_OK ||
        sandbox_run(p->h, run_file, (void *)"plugin.lua", &e) != ERR_OK ||
        sandbox_run(p->h, read_defaults, p, &e) != ERR_OK) {
        size_t n = strlen(name) + strlen(err_msg(&e)) + 16;
        msg = malloc(n);
        if (msg)
            snprintf(msg, n, "%s/%s", name, err_msg(&e));
    } else if (!p->version) {
        size_t n = strlen(name) + 64;
        if ((msg = malloc(n)) != NULL)
            snprintf(msg, n, "%s/plugin.lua: no plugin { ... } declared", name);
    }
    err_clear(&e);
    return msg;
}

/* Applies {"NAME": {"enabled", "settings"}} from the settings file. */
static void apply_settings(plugin_set *set, const char *file)
{
    char *text;
    size_t len;
    err e = ERR_INIT;
    if (!file || files_read(file, &text, &len, &e) != ERR_OK) {
        err_clear(&e);
        return;
    }
    cJSON *doc = NULL; /* json_parse: a key named twice is refused, with its path */
    if (json_parse(text, len, &doc, &e) != ERR_OK)
        reqlog_stderr("plugins: %s: %s; plugin settings ignored", file, err_msg(&e));
    err_clear(&e);
    free(text);
    for (int i = 0; doc && i < set->n; i++) {
        plugin *p = set->list[i];
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(doc, p->name);
        const cJSON *enabled = cJSON_GetObjectItemCaseSensitive(conf, "enabled");
        if (cJSON_IsBool(enabled))
            p->enabled = cJSON_IsTrue(enabled);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(conf, "settings"))
        {
            cJSON_DeleteItemFromObjectCaseSensitive(p->settings, s->string);
            cJSON_AddItemToObject(p->settings, s->string, cJSON_Duplicate(s, 1));
        }
    }
    cJSON_Delete(doc);
}

int plugin_load(const char *plugins_dir, const char *settings_file, const sandbox_limits *lim,
                plugin_set **out, cJSON **problems, err *e)
{
    *out = NULL;
    *problems = cJSON_CreateArray();
    plugin_set *set = calloc(1, sizeof *set);
    if (!set)
        return err_set(e, ERR_FAIL, "out of memory");
    DIR *d = opendir(plugins_dir);
    struct dirent *ent;
    int cap = 0;
    while (d && (ent = readdir(d)) != NULL) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s/plugin.lua", plugins_dir, ent->d_name);
        if (ent->d_name[0] == '.' || stat(path, &st) != 0)
            continue;
        if (set->n == cap) {
            cap = cap ? cap * 2 : 8;
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
            plugin **l = realloc(set->list, (size_t)cap * sizeof *l);
            if (!l)
                break;
            set->list = l;
        }
        plugin *p = malloc(sizeof *p);
        char *msg = p ? load_one(set, p, plugins_dir, ent->d_name, lim) : NULL;
        if (!p || msg) {
            cJSON_AddItemToArray(*problems, cJSON_CreateString(msg ? msg : "out of memory"));
            free(msg);
            if (p)
                plugin_clear(p);
            free(p);
        } else {
            set->list[set->n++] = p;
        }
    }
    if (d)
        closedir(d);
    if (set->n > 1) { /* no plugin leaves list NULL, which qsort may not take */
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        qsort(set->list, (size_t)set->n, sizeof *set->list, by_priority);
    }
    apply_settings(set, settings_file);
    *out = set;
    return ERR_OK;
}

void plugin_free(plugin_set *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        plugin_clear(p->list[i]);
        free(p->list[i]);
    }
    free(p->list);
    free(p);
}

cJSON *plugin_list(const plugin_set *set)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; set && i < set->n; i++) {
        const plugin *p = set->list[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "version", p->version);
        cJSON_AddStringToObject(o, "description", p->description);
        cJSON_AddNumberToObject(o, "priority", p->priority);
        cJSON *hooks = cJSON_AddArrayToObject(o, "hooks");
        for (size_t k = 0; k < sizeof hook_names / sizeof *hook_names; k++)
            if (p->hooks & hook_names[k].bit)
                cJSON_AddItemToArray(hooks, cJSON_CreateString(hook_names[k].name));
        cJSON_AddBoolToObject(o, "enabled", p->enabled);
        cJSON_AddItemToObject(o, "settings", cJSON_Duplicate(p->settings, 1));
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

int plugin_enable(plugin_set *set, const char *name, bool enabled, err *e)
{
    for (int i = 0; set && i < set->n; i++) {
        if (strcmp(set->list[i]->name, name) == 0) {
            set->list[i]->enabled = enabled;
            return ERR_OK;
        }
    }
    return err_set(e, ERR_NOT_FOUND, "no plugin %s", name);
}

bool plugin_validates(const plugin_set *set)
{
    for (int i = 0; set && i < set->n; i++)
        if (set->list[i]->enabled && (set->list[i]->hooks & PLUGIN_HOOK_VALIDATE))
            return true;
    return false;
}

char *plugin_validate_answer(plugin_set *set, const cJSON *criterion, const cJSON *answer)
{
    for (int i = 0; set && i < set->n; i++) {
        plugin *p = set->list[i];
        if (!p->enabled || !(p->hooks & PLUGIN_HOOK_VALIDATE))
            continue;
        cJSON *r = run_hook(p, "validate_answer", criterion, answer, NULL);
        const char *msg = cJSON_GetStringValue(r);
        char *copy = msg && msg[0] ? strdup(msg) : NULL;
        cJSON_Delete(r);
        if (copy)
            return copy;
    }
    return NULL;
}

void plugin_on_event(plugin_set *set, const cJSON *event, const plugin_api *api)
{
    if (!set)
        return;
    set->api = api;
    for (int i = 0; i < set->n; i++) {
        plugin *p = set->list[i];
        if (p->enabled && (p->hooks & PLUGIN_HOOK_ON_EVENT))
            cJSON_Delete(run_hook(p, "on_event", event, NULL, NULL));
    }
    set->api = NULL;
}

cJSON *plugin_webhook_payload(plugin_set *set, const char *plugin_name, const cJSON *endpoint,
                              const cJSON *event)
{
    for (int i = 0; set && plugin_name && i < set->n; i++) {
        plugin *p = set->list[i];
        if (strcmp(p->name, plugin_name) == 0 && p->enabled && (p->hooks & PLUGIN_HOOK_WEBHOOK_PAYLOAD))
            return run_hook(p, "webhook_payload", endpoint, event, NULL);
    }
    return NULL;
}

int plugin_report_format(plugin_set *set, const char *format, const cJSON *doc, char **out,
                         char **content_type)
{
    *out = *content_type = NULL;
    cJSON *name = cJSON_CreateString(format);
    for (int i = 0; set && i < set->n && !*out; i++) {
        plugin *p = set->list[i];
        if (!p->enabled || !(p->hooks & PLUGIN_HOOK_REPORT_FORMAT))
            continue;
        cJSON *r = run_hook(p, "report_format", name, doc, NULL);
        const char *body = cJSON_GetStringValue(cJSON_GetObjectItem(r, "body"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(r, "content_type"));
        if (body) {
            *out = strdup(body);
            *content_type = strdup(type ? type : "text/plain; charset=utf-8");
        }
        cJSON_Delete(r);
    }
    cJSON_Delete(name);
    return *out ? ERR_OK : ERR_NOT_FOUND;
}
