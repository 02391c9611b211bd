/* Unit tests of ljson: Lua values to JSON and back. */
#include <math.h>
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

TEST_IMPL(ljson_ids)
{
    /* The fuzzer of request bodies found {"organisation_id": 1888...8}
     * cast to an integer out of range: undefined behaviour. */
    static const char *const good[] = {"1", "42", "9007199254740992", "1e3", NULL};
    static const char *const bad[] = {
        "0", "-1", "1.5", "1e300", "-1e300", "\"1\"", "true", "null", "9007199254740994", NULL};
    long long id;
    for (int i = 0; good[i]; i++) {
        cJSON *v = cJSON_Parse(good[i]);
        ASSERT(ljson_id(v, &id));
        ASSERT_EQ(id, (long long)strtod(good[i], NULL));
        cJSON_Delete(v);
    }
    for (int i = 0; bad[i]; i++) {
        cJSON *v = cJSON_Parse(bad[i]);
        if (ljson_id(v, &id))
            FAIL_AT("ljson_id took %s", bad[i]);
        ASSERT_EQ(id, 0);
        cJSON_Delete(v);
    }
    cJSON *nan = cJSON_CreateNumber(NAN);
    ASSERT(!ljson_id(nan, &id));
    cJSON_Delete(nan);
    return 0;
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

/* The message ljson_parse gives text, or "" when it takes it. */
static const char *parse_msg(const char *text, char *msg, size_t n)
{
    cJSON *doc;
    err e = ERR_INIT;
    int rc = ljson_parse(text, strlen(text), &doc, &e);
    snprintf(msg, n, "%s", rc == ERR_OK ? "" : err_msg(&e));
    cJSON_Delete(doc);
    err_clear(&e);
    return msg;
}

TEST_IMPL(ljson_refuses_duplicate_keys)
{
    char msg[256];
    ASSERT_STR_EQ(parse_msg("{\"files\":{\"award.lua\":\"A\",\"x.lua\":\"\",\"award.lua\":\"B\"}}",
                            msg, sizeof msg),
                  "$.files.award.lua: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("{\"a\":1,\"a\":1}", msg, sizeof msg),
                  "$.a: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("[{\"k\":1},{\"x\":{\"y\":[0,{\"k\":1,\"k\":2}]}}]", msg, sizeof msg),
                  "$[1].x.y[1].k: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse_msg("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"k\":[]}", msg, sizeof msg), "");
    ASSERT_STR_EQ(parse_msg("{\"A\":1,\"a\":1}", msg, sizeof msg), ""); /* keys are case-sensitive */
    return 0;
}
