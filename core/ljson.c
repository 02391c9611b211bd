/* ljson: Lua <-> cJSON. Building happens inside protected calls, so every
 * node is attached to its parent before the next call that may raise. */
#include "ljson.h"

#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

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

typedef struct path {
    char buf[256];
    size_t len;
} path;

static void path_push(path *p, const char *fmt, const char *s, lua_Integer i)
{
    if (p->len >= sizeof p->buf - 1)
        return;
    int n = s ? snprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, s)
              : snprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, (long long)i);
    if (n > 0)
        p->len += (size_t)n < sizeof p->buf - p->len ? (size_t)n : sizeof p->buf - p->len - 1;
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

static void to_json(lua_State *L, int idx, path *p, const char *const *order, int depth,
                    cJSON *parent, const char *key);

static void attach(lua_State *L, path *p, cJSON *parent, const char *key, cJSON *node)
{
    if (!node)
        luaL_error(L, "%s: out of memory", p->buf);
    if (cJSON_IsArray(parent))
        cJSON_AddItemToArray(parent, node);
    else
        cJSON_AddItemToObject(parent, key, node);
}

static void object_to_json(lua_State *L, int t, path *p, const char *const *order, int depth,
                           cJSON *obj)
{
    size_t saved = p->len;
    for (const char *const *o = order; o && *o; o++) {
        lua_getfield(L, t, *o);
        if (!lua_isnil(L, -1)) {
            path_push(p, ".%s", *o, 0);
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
        path_push(p, ".%s", keys[i], 0);
        to_json(L, lua_gettop(L), p, order, depth + 1, obj, keys[i]);
        p->len = saved;
        p->buf[saved] = '\0';
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static void to_json(lua_State *L, int idx, path *p, const char *const *order, int depth,
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
        path_push(p, "[%lld]", NULL, i);
        to_json(L, lua_gettop(L), p, order, depth + 1, node, NULL);
        p->len = saved;
        p->buf[saved] = '\0';
        lua_pop(L, 1);
    }
}

void ljson_to(lua_State *L, int idx, const char *name, const char *const *order, cJSON **slot)
{
    idx = lua_absindex(L, idx);
    path p;
    p.len = 0;
    p.buf[0] = '\0';
    path_push(&p, "%s", name, 0);
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

/* cJSON keeps strings NUL-terminated: an escaped NUL would cut a text short
 * without a word, so a document that holds one is refused instead. */
static bool has_escaped_nul(const char *text, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++)
        if (text[i] == '\\' && text[i + 1] == 'u' && text[i + 2] == '0' && text[i + 3] == '0' &&
            text[i + 4] == '0' && text[i + 5] == '0')
            return true;
    return false;
}

bool ljson_id(const cJSON *v, long long *out)
{
    *out = 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 9007199254740992.0))
        return false; /* NaN fails both comparisons */
    long long id = (long long)v->valuedouble;
    if ((double)id != v->valuedouble)
        return false;
    *out = id;
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Refuses an object that names a key twice, in v and everything inside it:
 * cJSON keeps both and lookups see the first, while code that walks the
 * members sees both (a rule set was stored with one file and hashed with
 * two). Sorting the members finds it in n log n, whatever their number.
 * p is v's path ("$.files"), as the other errors write it. */
static int no_duplicates(const cJSON *v, path *p, err *e)
{
    int n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(v) && n > 1) {
        const cJSON **m = malloc((size_t)n * sizeof *m);
        if (!m)
            return err_set(e, ERR_FAIL, "out of memory");
        int k = 0;
        for (const cJSON *c = v->child; c; c = c->next)
            m[k++] = c;
        qsort(m, (size_t)n, sizeof *m, cmp_names);
        const char *dup = NULL;
        for (int i = 1; i < n && !dup; i++)
            if (strcmp(m[i - 1]->string, m[i]->string) == 0)
                dup = m[i]->string;
        free(m);
        if (dup) {
            path_push(p, ".%s", dup, 0);
            return err_at(e, p->buf, "duplicate key: an object names each key once");
        }
    }
    size_t saved = p->len;
    lua_Integer i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        if (cJSON_IsObject(v))
            path_push(p, ".%s", c->string, 0);
        else
            path_push(p, "[%lld]", NULL, i);
        if (no_duplicates(c, p, e))
            return e->code;
        p->len = saved;
        p->buf[saved] = '\0';
    }
    return ERR_OK;
}

int ljson_parse(const char *text, size_t len, cJSON **out, err *e)
{
    const char *end = NULL;
    *out = NULL;
    if (has_escaped_nul(text, len))
        return err_set(e, ERR_INPUT, "$: text with a NUL character (\\u0000) is refused");
    /* JSON allows no raw control character; cJSON would take some. */
    int at_line = 1, at_col = 1;
    for (size_t i = 0; i < len; i++, at_col++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            at_line++, at_col = 0;
        else if (c < 0x20 && c != '\t' && c != '\r')
            return err_set(e, ERR_INPUT,
                           "$: malformed JSON at line %d, column %d (a raw control "
                           "character)",
                           at_line, at_col);
    }
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!*out) {
        int line = 1, col = 1;
        const char *at = end ? end : cJSON_GetErrorPtr();
        for (const char *p = text; at && p < at && p < text + len; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        return err_set(e, ERR_INPUT, "$: malformed JSON at line %d, column %d", line, col);
    }
    while (end && end < text + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end && end < text + len) {
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(e, ERR_INPUT, "$: unexpected data after the JSON document");
    }
    path at = {"$", 1};
    if (no_duplicates(*out, &at, e) != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    return ERR_OK;
}

int ljson_tree(const cJSON *files, const char *where, files_tree *t, err *e)
{
    memset(t, 0, sizeof *t);
    int n = cJSON_GetArraySize(files);
    if (!cJSON_IsObject(files) || n == 0)
        return err_set(e, ERR_INPUT, "%s: must be an object {\"path\": \"content\"}", where);
    t->paths = calloc((size_t)n, sizeof *t->paths);
    t->data = calloc((size_t)n, sizeof *t->data);
    t->lens = calloc((size_t)n, sizeof *t->lens);
    if (!t->paths || !t->data || !t->lens) {
        files_tree_free(t);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        if (!cJSON_IsString(f)) {
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: must be the file's text", where, f->string);
        }
        if (!text_utf8_valid(f->valuestring, strlen(f->valuestring))) {
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: is not valid UTF-8 text", where, f->string);
        }
        /* Insertion in order: exports are written sorted, but trust nothing. */
        size_t k = t->count;
        while (k > 0 && strcmp(t->paths[k - 1], f->string) > 0) {
            t->paths[k] = t->paths[k - 1];
            t->data[k] = t->data[k - 1];
            t->lens[k] = t->lens[k - 1];
            k--;
        }
        if (k > 0 && strcmp(t->paths[k - 1], f->string) == 0) { /* one file, one text */
            for (; k < t->count; k++) { /* closes the gap, so the tree frees whole */
                t->paths[k] = t->paths[k + 1];
                t->data[k] = t->data[k + 1];
                t->lens[k] = t->lens[k + 1];
            }
            files_tree_free(t);
            return err_set(e, ERR_INPUT, "%s.%s: duplicate key: a file is given once", where,
                           f->string);
        }
        t->paths[k] = strdup(f->string);
        t->data[k] = strdup(f->valuestring);
        t->lens[k] = strlen(f->valuestring);
        t->count++;
    }
    return ERR_OK;
}
