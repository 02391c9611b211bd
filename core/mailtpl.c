/* mailtpl: runs one e-mail template. The script returns a table {sample =
 * {...}, render = function(data) return {subject, text, html} end}; it sees
 * the sandbox's API and html_escape(s), which escapes text for HTML. Each render
 * gets a fresh sandbox: a template cannot keep state between messages. */
#include "mailtpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "files.h"
#include "ljson.h"
#include "text.h"

/* Templates are small: a tenth of a report's budget. */
#define MAILTPL_INSTRUCTIONS 5000000LL
#define MAILTPL_MEMORY ((size_t)16 << 20)
/* A render runs inside the write transaction that causes it: short. */
#define MAILTPL_MILLISECONDS 2000LL

typedef struct render_ctx {
    const char *file;
    const cJSON *data;
    mailtpl_message *out;
} render_ctx;

/* html_escape(s): s with & < > " ' escaped. */
static int l_html(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n; i++) {
        const char *entity = text_html_entity((unsigned char)s[i]);
        if (entity)
            luaL_addstring(&b, entity);
        else
            luaL_addchar(&b, s[i]);
    }
    luaL_pushresult(&b);
    return 1;
}

static const luaL_Reg api[] = {{"html_escape", l_html}, {NULL, NULL}};

/* Copies the string field key of the table at -1 into *slot; raises naming
 * the file when it is missing. */
static void take_field(lua_State *L, const char *file, const char *key, char **slot)
{
    lua_getfield(L, -1, key);
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: render must return a table whose %s is a string", file, key);
    *slot = strdup(lua_tostring(L, -1));
    if (!*slot)
        luaL_error(L, "not enough memory");
    lua_pop(L, 1);
}

static int render(lua_State *L)
{
    render_ctx *c = lua_touserdata(L, 1);
    sandbox_load(L, c->file);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, "%s: must return a table {sample = ..., render = function}", c->file);
    int t = lua_gettop(L);
    lua_getfield(L, t, "render");
    if (!lua_isfunction(L, -1))
        return luaL_error(L, "%s: render must be a function", c->file);
    if (c->data)
        ljson_push(L, c->data);
    else
        lua_getfield(L, t, "sample");
    if (!lua_istable(L, -1))
        return luaL_error(L, "%s: %s must be a table", c->file, c->data ? "data" : "sample");
    lua_call(L, 1, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, "%s: render must return {subject, text, html}", c->file);
    take_field(L, c->file, "subject", &c->out->subject);
    take_field(L, c->file, "text", &c->out->text);
    take_field(L, c->file, "html", &c->out->html);
    if (!c->out->subject[0] || strpbrk(c->out->subject, "\r\n"))
        return luaL_error(L, "%s: the subject must be one line, not empty", c->file);
    return 0;
}

static int known_kind(const char *kind)
{
    if (!kind[0] || strlen(kind) > 64)
        return 0;
    for (const char *p = kind; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

int mailtpl_render(const char *dir, const char *kind, const cJSON *data, const sandbox_limits *lim,
                   mailtpl_message *out, err *e)
{
    memset(out, 0, sizeof *out);
    char file[80];
    if (!known_kind(kind))
        return err_set(e, ERR_NOT_FOUND, "no mail template %s", kind);
    snprintf(file, sizeof file, "%s.lua", kind);
    sandbox_limits l = {MAILTPL_INSTRUCTIONS, MAILTPL_MEMORY, NULL, MAILTPL_MILLISECONDS};
    if (lim)
        l.interrupt = lim->interrupt;
    files_tree tree;
    sandbox *h = NULL;
    int rc = files_tree_read(dir, ".lua", NULL, &tree, e);
    if (rc != ERR_OK)
        return rc;
    if (!files_tree_find(&tree, file, NULL))
        rc = err_set(e, ERR_NOT_FOUND, "no mail template %s in %s", kind, dir);
    if (rc == ERR_OK)
        rc = sandbox_new(&tree, &l, api, NULL, &h, e);
    render_ctx c = {file, data, out};
    if (rc == ERR_OK)
        rc = sandbox_run(h, render, &c, e);
    sandbox_free(h);
    files_tree_free(&tree);
    if (rc != ERR_OK)
        mailtpl_free(out);
    return rc;
}

void mailtpl_free(mailtpl_message *m)
{
    free(m->subject), free(m->text), free(m->html);
    memset(m, 0, sizeof *m);
}
