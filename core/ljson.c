/* ljson: Lua <-> cJSON. Building happens inside protected calls, so every
 * node is attached to its parent before the next call that may raise. */
#include "ljson.h"

#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "json.h"
#include "text.h"

#define MAX_DEPTH 64

void ljson_push(lua_State *L, const cJSON *v)
{
    luaL_checkstack(L, 3, "JSON nested too deeply");
    if (cJSON_IsObject(v)) {
        lua_createtable(L, 0, cJSON_GetArraySize(v));
        for (const cJSON *c = v->child; c; c = c->next) {
            ljson_push(L, c);
            lua_setfield(L, -2, c->string);
        }
    } else if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        lua_Integer i = 1;
        for (const cJSON *c = v->child; c; c = c->next, i++) {
            ljson_push(L, c);
            lua_rawseti(L, -2, i);
        }
    } else if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else {
        lua_pushnil(L);
    }
}

/* 1 for a sequence 1..n (or empty), 0 for string keys only, -1 otherwise. */
static int table_shape(lua_State *L, int t, lua_Integer *n)
{
    *n = (lua_Integer)lua_rawlen(L, t);
    lua_Integer count = 0;
    int strings = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        count++;
        if (lua_type(L, -1) == LUA_TSTRING)
            strings++;
    }
    if (strings == count && count > 0)
        return 0;
    return count == *n ? 1 : -1;
}

static int in_order(const char *key, const char *const *order)
{
    for (; order && *order; order++)
        if (strcmp(key, *order) == 0)
            return 1;
    return 0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void to_json(lua_State *L, int idx, json_path *p, const char *const *order, int depth,
                    cJSON *parent, const char *key);

static void attach(lua_State *L, json_path *p, cJSON *parent, const char *key, cJSON *node)
{
    if (!node)
        luaL_error(L, "%s: out of memory", p->buf);
    if (cJSON_IsArray(parent))
        cJSON_AddItemToArray(parent, node);
    else
        cJSON_AddItemToObject(parent, key, node);
}

static void object_to_json(lua_State *L, int t, json_path *p, const char *const *order, int depth,
                           cJSON *obj)
{
    size_t saved = p->len;
    for (const char *const *o = order; o && *o; o++) {
        lua_getfield(L, t, *o);
        if (!lua_isnil(L, -1)) {
            json_path_key(p, *o);
            to_json(L, lua_gettop(L), p, order, depth + 1, obj, *o);
            p->len = saved;
            p->buf[saved] = '\0';
        }
        lua_pop(L, 1);
    }
    /* The other keys, sorted: pointers into strings the table keeps alive. */
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        n++;
    }
    const char **keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keys, 0);
    size_t k = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        const char *s = lua_tostring(L, -1);
        if (!in_order(s, order))
            keys[k++] = s;
    }
    qsort(keys, k, sizeof *keys, cmp_keys);
    for (size_t i = 0; i < k; i++) {
        lua_getfield(L, t, keys[i]);
        json_path_key(p, keys[i]);
        to_json(L, lua_gettop(L), p, order, depth + 1, obj, keys[i]);
        p->len = saved;
        p->buf[saved] = '\0';
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static void to_json(lua_State *L, int idx, json_path *p, const char *const *order, int depth,
                    cJSON *parent, const char *key)
{
    luaL_checkstack(L, 6, "value nested too deeply");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        attach(L, p, parent, key, cJSON_CreateNull());
        return;
    case LUA_TBOOLEAN:
        attach(L, p, parent, key, cJSON_CreateBool(lua_toboolean(L, idx)));
        return;
    case LUA_TNUMBER: {
        double d = lua_isinteger(L, idx) ? (double)lua_tointeger(L, idx) : lua_tonumber(L, idx);
        if (!isfinite(d))
            luaL_error(L, "%s: %s is not a JSON number", p->buf, d != d ? "NaN" : "infinity");
        attach(L, p, parent, key, cJSON_CreateNumber(d));
        return;
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (!text_utf8_valid(s, len))
            luaL_error(L, "%s: string is not valid UTF-8 text", p->buf);
        attach(L, p, parent, key, cJSON_CreateString(s));
        return;
    }
    case LUA_TTABLE:
        break;
    default:
        luaL_error(L, "%s: a %s cannot be represented in JSON", p->buf, luaL_typename(L, idx));
    }
    if (depth > MAX_DEPTH) {
        p->buf[40] = '\0'; /* the path of a cycle is as long as the limit */
        luaL_error(L, "%s...: nested too deeply (a table that contains itself?)", p->buf);
    }
    lua_Integer n;
    int shape = table_shape(L, idx, &n);
    if (shape < 0)
        luaL_error(L, "%s: table mixes list items and named keys", p->buf);
    cJSON *node = shape ? cJSON_CreateArray() : cJSON_CreateObject();
    attach(L, p, parent, key, node);
    if (!shape) {
        object_to_json(L, idx, p, order, depth, node);
        return;
    }
    size_t saved = p->len;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        json_path_index(p, i);
        to_json(L, lua_gettop(L), p, order, depth + 1, node, NULL);
        p->len = saved;
        p->buf[saved] = '\0';
        lua_pop(L, 1);
    }
}

void ljson_to(lua_State *L, int idx, const char *name, const char *const *order, cJSON **slot)
{
    idx = lua_absindex(L, idx);
    json_path p;
    p.len = 0;
    p.buf[0] = '\0';
    json_path_text(&p, name);
    /* A holder array owns the root while it is built. */
    cJSON *holder = cJSON_CreateArray();
    if (!holder)
        luaL_error(L, "%s: out of memory", name);
    *slot = holder;
    to_json(L, idx, &p, order, 0, holder, NULL);
    cJSON *root = cJSON_DetachItemFromArray(holder, 0);
    cJSON_Delete(holder);
    *slot = root;
}
