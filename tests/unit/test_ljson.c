/* Unit tests of ljson: Lua values to JSON and back. */
#include <lauxlib.h>
#include <lualib.h>

#include "ljson.h"
#include "test.h"

static const char *const order[] = {"b", "a", NULL};

static int to_json(lua_State *L)
{
    cJSON **slot = lua_touserdata(L, 1);
    luaL_loadstring(L, lua_tostring(L, 2));
    lua_call(L, 0, 1);
    ljson_to(L, -1, "v", order, slot);
    return 0;
}

/* Converts the value a Lua expression returns; *msg gets an error message. */
static char *convert(const char *expr, char *msg, size_t size)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    cJSON *out = NULL;
    lua_pushcfunction(L, to_json);
    lua_pushlightuserdata(L, &out);
    lua_pushstring(L, expr);
    msg[0] = '\0';
    char *text = NULL;
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
        snprintf(msg, size, "%s", lua_tostring(L, -1));
    else
        text = cJSON_PrintUnformatted(out);
    cJSON_Delete(out); /* also after an error: the slot owns what was built */
    lua_close(L);
    return text;
}

TEST_IMPL(ljson_roundtrip_order)
{
    char msg[256];
    char *s = convert("return { z = 1, a = { 1, 2.5, 'é' }, b = true, c = {} }", msg, sizeof msg);
    ASSERT_STR_EQ(s, "{\"b\":true,\"a\":[1,2.5,\"é\"],\"c\":[],\"z\":1}");
    free(s);

    lua_State *L = luaL_newstate();
    cJSON *doc = cJSON_Parse("{\"x\":[1,{\"y\":null}],\"n\":3.5,\"i\":7}");
    ljson_push(L, doc);
    lua_getfield(L, -1, "x");
    lua_rawgeti(L, -1, 2);
    ASSERT(lua_istable(L, -1));
    lua_getfield(L, -3, "i");
    ASSERT(lua_isinteger(L, -1));
    ASSERT_EQ(lua_tointeger(L, -1), 7);
    cJSON_Delete(doc);
    lua_close(L);
    return 0;
}

TEST_IMPL(ljson_refuses)
{
    char msg[256];
    ASSERT(!convert("return { 1, 2, x = 3 }", msg, sizeof msg));
    ASSERT_STR_EQ(msg, "v: table mixes list items and named keys");
    ASSERT(!convert("local t = {} t.self = t return t", msg, sizeof msg));
    ASSERT_CONTAINS(msg, "nested too deeply");
    ASSERT(!convert("return { a = { print } }", msg, sizeof msg));
    ASSERT_STR_EQ(msg, "v.a[1]: a function cannot be represented in JSON");
    ASSERT(!convert("return { n = 0/0 }", msg, sizeof msg));
    ASSERT_STR_EQ(msg, "v.n: NaN is not a JSON number");
    ASSERT(!convert("return { s = '\\xff' }", msg, sizeof msg));
    ASSERT_STR_EQ(msg, "v.s: string is not valid UTF-8 text");
    return 0;
}
