/* ruletest: a trusted Lua state running busted, with a "labelcoop" module
 * whose rule sets are real rules objects: loading, evaluating and listing go
 * through the same C code as the command line and the server.
 * Uses rules, evaluation and ljson; busted comes from Debian's lua-busted. */
#include "ruletest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lualib.h>

#include "evaluation.h"
#include "ljson.h"
#include "rules.h"

#define RULES_MT "labelcoop.rules"
#define JSON_MT "labelcoop.json"
#define ANSWERS_MT "labelcoop.answers"

static const char KEY_LIMITS[] = "labelcoop.limits";

/* A cJSON tree owned by a userdata, so an error raised while it is alive
 * cannot leak it (the mpv way). */
static cJSON **json_box(lua_State *L)
{
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, JSON_MT);
    return box;
}

static int json_gc(lua_State *L)
{
    cJSON **box = luaL_checkudata(L, 1, JSON_MT);
    cJSON_Delete(*box);
    *box = NULL;
    return 0;
}

static rules *check_rules(lua_State *L)
{
    rules **r = luaL_checkudata(L, 1, RULES_MT);
    if (!*r)
        luaL_error(L, "this rule set is closed");
    return *r;
}

/* answers table for every criterion of r, all with the same status */
static void push_all(lua_State *L, rules *r, const char *status)
{
    int n = rules_criterion_count(r);
    lua_createtable(L, 0, n);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, status);
        lua_setfield(L, -2, rules_criterion_at(r, i)->id);
    }
    luaL_setmetatable(L, ANSWERS_MT);
}

/* answers:with{ ["JF-01"] = "not_met" }: a copy with some answers changed
 * (a status, or nil through answers:with{ ["JF-01"] = false } to remove it). */
static int answers_with(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_newtable(L);
    for (int src = 1; src <= 2; src++) {
        lua_pushnil(L);
        while (lua_next(L, src)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            if (lua_toboolean(L, -1))
                lua_settable(L, 3);
            else {
                lua_pop(L, 1);
                lua_pushnil(L);
                lua_settable(L, 3);
            }
        }
    }
    luaL_setmetatable(L, ANSWERS_MT);
    return 1;
}

static int l_all(lua_State *L)
{
    rules **r = lua_touserdata(L, lua_upvalueindex(1));
    push_all(L, *r, luaL_optstring(L, 1, "met"));
    return 1;
}

/* answers.with{...}: every criterion met, except those listed. */
static int l_with(lua_State *L)
{
    rules **r = lua_touserdata(L, lua_upvalueindex(1));
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_all(L, *r, "met");
    lua_insert(L, 1); /* answers_with(all, overrides) */
    return answers_with(L);
}

static int l_evaluate(lua_State *L)
{
    rules *r = check_rules(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    cJSON **input = json_box(L);
    ljson_to(L, 2, "input", NULL, input);
    cJSON *ans = cJSON_GetObjectItemCaseSensitive(*input, "answers");
    if (cJSON_IsArray(ans) && !ans->child) /* an empty Lua table reads as a list */
        cJSON_ReplaceItemInObjectCaseSensitive(*input, "answers", cJSON_CreateObject());
    unsigned char *answers = lua_newuserdatauv(L, (size_t)rules_criterion_count(r) + 1, 0);
    rules_input in;
    err e = ERR_INIT;
    cJSON **result = json_box(L);
    if (evaluation_from_json(r, *input, &in, answers, &e) != ERR_OK ||
        rules_evaluate(r, &in, result, &e) != ERR_OK) {
        lua_pushstring(L, err_msg(&e));
        err_clear(&e);
        return lua_error(L);
    }
    ljson_push(L, *result);
    return 1;
}

static int l_referential(lua_State *L)
{
    rules *r = check_rules(L);
    cJSON **box = json_box(L);
    *box = rules_to_json(r);
    ljson_push(L, *box);
    return 1;
}

static int rules_index(lua_State *L)
{
    rules *r = check_rules(L);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "ruleset") == 0) {
        lua_pushstring(L, rules_hash(r));
    } else if (strcmp(k, "answers") == 0) {
        lua_createtable(L, 0, 2);
        static const luaL_Reg fns[] = {{"all", l_all}, {"with", l_with}, {NULL, NULL}};
        lua_pushvalue(L, 1);
        luaL_setfuncs(L, fns, 1);
    } else {
        luaL_getmetatable(L, RULES_MT);
        lua_getfield(L, -1, k);
    }
    return 1;
}

static int rules_gc(lua_State *L)
{
    rules **r = luaL_checkudata(L, 1, RULES_MT);
    rules_free(*r);
    *r = NULL;
    return 0;
}

/* labelcoop.load(dir) -> rules, or raises with every problem found */
static int l_load(lua_State *L)
{
    const char *dir = luaL_checkstring(L, 1);
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
    rules **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, RULES_MT);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_LIMITS);
    const host_limits *lim = lua_touserdata(L, -1);
    lua_pop(L, 1);
    err e = ERR_INIT;
    if (rules_load(dir, lim, box, &e) != ERR_OK) {
        lua_pushstring(L, err_msg(&e));
        err_clear(&e);
        return lua_error(L);
    }
    return 1;
}

int ruletest_open(lua_State *L)
{
    luaL_newmetatable(L, JSON_MT);
    lua_pushcfunction(L, json_gc);
    lua_setfield(L, -2, "__gc");
    luaL_newmetatable(L, ANSWERS_MT);
    lua_newtable(L);
    lua_pushcfunction(L, answers_with);
    lua_setfield(L, -2, "with");
    lua_setfield(L, -2, "__index");
    luaL_newmetatable(L, RULES_MT);
    static const luaL_Reg methods[] = {
        {"evaluate", l_evaluate},
        {"referential", l_referential},
        {"__index", rules_index},
        {"__gc", rules_gc},
        {NULL, NULL},
    };
    luaL_setfuncs(L, methods, 0);
    lua_pop(L, 3);
    static const luaL_Reg fns[] = {{"load", l_load}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* The module as specs see it: labelcoop.load plus labelcoop.rules, the rule
 * set under test, loaded once. */
static int open_with_rules(lua_State *L)
{
    ruletest_open(L);
    lua_getfield(L, -1, "load");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 1, 1);
    lua_setfield(L, -2, "rules");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "rules_dir");
    return 1;
}

static int run_busted(lua_State *L)
{
    const char *dir = lua_touserdata(L, 1);
    int n_extra = (int)lua_tointeger(L, 2);
    char **extra = lua_touserdata(L, 3);
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushstring(L, dir);
    lua_pushcclosure(L, open_with_rules, 1);
    lua_setfield(L, -2, "labelcoop");
    lua_pop(L, 1);

    lua_createtable(L, n_extra + 3, 1);
    lua_pushliteral(L, "labelcoop rules test");
    lua_rawseti(L, -2, 0);
    int i = 1;
    lua_pushliteral(L, "--pattern=_spec");
    lua_rawseti(L, -2, i++);
    for (int k = 0; k < n_extra; k++) {
        lua_pushstring(L, extra[k]);
        lua_rawseti(L, -2, i++);
    }
    lua_pushfstring(L, "%s/spec", dir);
    lua_rawseti(L, -2, i++);
    lua_setglobal(L, "arg");

    lua_getglobal(L, "require");
    lua_pushliteral(L, "busted.runner");
    lua_call(L, 1, 1);
    lua_newtable(L);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "standalone");
    lua_call(L, 1, 0); /* exits the process itself when a spec fails */
    return 0;
}

int ruletest_run(const char *rules_dir, const host_limits *lim, int n_extra, char **extra)
{
    char spec[4096];
    snprintf(spec, sizeof spec, "%s/spec", rules_dir);
    if (access(spec, R_OK) != 0) {
        fprintf(stderr, "labelcoop: %s: no rule specs to run\n", spec);
        return ERR_INPUT;
    }
    lua_State *L = luaL_newstate();
    if (!L)
        return ERR_FAIL;
    lua_pushlightuserdata(L, (void *)lim);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_LIMITS);
    lua_pushcfunction(L, run_busted);
    lua_pushlightuserdata(L, (void *)rules_dir);
    lua_pushinteger(L, n_extra);
    lua_pushlightuserdata(L, extra);
    int rc = lua_pcall(L, 3, 0, 0);
    if (rc != LUA_OK)
        fprintf(stderr, "labelcoop: rules test: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return rc == LUA_OK ? ERR_OK : ERR_FAIL;
}
