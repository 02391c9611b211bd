/* rules_decl: the committee's declarations (field{}, criterion{},
 * weights{}, award{}), each checked as it is read: every problem is kept
 * with its file:line, so that one load reports them all. */
#include "rules.h"
#include "rules_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ljson.h"
#include "text.h"



void rules_problem(decl *d, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_append(&d->r->problems, ERR_RULES, "%s%s", d->pos, msg);
}

/* Length of "file:line" in a "file:line: ..." position. */
static int pos_len(const char *pos)
{
    size_t n = strcspn(pos, " ");
    return (int)(n > 0 && pos[n - 1] == ':' ? n - 1 : n);
}

/* The rule set a declaration function belongs to (its upvalue). */
static rules *rules_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* Starts reading a declaration; false when there is no table to read. */
static bool decl_begin(decl *d, lua_State *L, const char *what)
{
    d->L = L;
    d->r = rules_of(L);
    if (!d->r->loading)
        luaL_error(L, "%s{} can only be declared while the rules load", what);
    sandbox_where(L, 1, d->pos, sizeof d->pos);
    if (lua_gettop(L) != 1 || !lua_istable(L, 1)) {
        rules_problem(d, "%s expects one table: %s { ... }", what, what);
        return false;
    }
    return true;
}

/* Appends "what id: " to the position once the id is known. */
static void decl_name(decl *d, const char *what, const char *id)
{
    size_t n = strlen(d->pos);
    snprintf(d->pos + n, sizeof d->pos - n, "%s %s: ", what, id ? id : "(without id)");
}

static void unknown_key(lua_State *L, void *d, const char *key)
{
    rules_problem(d, "unknown key '%s'", key ? key : luaL_typename(L, -1));
}

/* Every key of the declaration that is not allowed is a problem. */
static void check_keys(decl *d, const char *const *allowed)
{
    sandbox_only_keys(d->L, 1, allowed, unknown_key, d);
}

static bool blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* The string at idx checked for type, emptiness and UTF-8, copied; NULL when bad. */
static char *check_text(decl *d, int idx, const char *name)
{
    lua_State *L = d->L;
    if (lua_type(L, idx) != LUA_TSTRING) {
        rules_problem(d, "'%s' must be a string, not a %s", name, luaL_typename(L, idx));
        return NULL;
    }
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (blank(s)) {
        rules_problem(d, "'%s' is empty", name);
        return NULL;
    }
    /* Any character: a rule set stored with one must still load. */
    char buf[96];
    const char *why = text_check(s, len, TEXT_ANY, 0, buf, sizeof buf);
    if (why) {
        rules_problem(d, "'%s' %s", name, why);
        return NULL;
    }
    return strdup(s);
}

/* A string field of the declaration; NULL when absent (a problem if required) or bad. */
static char *get_string(decl *d, int t, const char *key, bool required)
{
    lua_getfield(d->L, t, key);
    char *out = NULL;
    if (!lua_isnil(d->L, -1))
        out = check_text(d, -1, key);
    else if (required)
        rules_problem(d, "'%s' is missing", key);
    lua_pop(d->L, 1);
    return out;
}

/* A list of non-empty strings; *n gets its length. */
static char **get_strings(decl *d, const char *key, int *n)
{
    lua_State *L = d->L;
    *n = 0;
    lua_getfield(L, 1, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1)) {
        rules_problem(d, "'%s' must be a list of strings { \"...\" }", key);
        lua_pop(L, 1);
        return NULL;
    }
    int len = (int)lua_rawlen(L, -1);
    char **list = calloc((size_t)len + 1, sizeof *list);
    for (int i = 1; list && i <= len; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%d]", key, i);
        lua_rawgeti(L, -1, i);
        char *s = check_text(d, -1, name);
        lua_pop(L, 1);
        if (s)
            list[(*n)++] = s;
    }
    lua_pop(L, 1);
    return list;
}

static bool valid_id(const char *s)
{
    if (!*s || strlen(s) > 32)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

static char *get_id(decl *d, const char *what)
{
    char *id = get_string(d, 1, "id", true);
    if (id && !valid_id(id)) {
        rules_problem(d, "%s id '%s' must be 1 to 32 letters, digits, '-', '_' or '.'", what, id);
        free(id);
        id = NULL;
    }
    return id;
}

static void *grow(void *p, int *cap, size_t size)
{
    int n = *cap ? *cap * 2 : 16;
    void *q = realloc(p, (size_t)n * size);
    if (q)
        *cap = n;
    return q;
}

void rules_free_strings(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static int l_field(lua_State *L)
{
    decl d;
    if (!decl_begin(&d, L, "field"))
        return 0;
    static const char *const keys[] = {"id", "name", "themes", NULL};
    rules *r = d.r;
    char *id = get_id(&d, "field");
    char pos[POS_LEN];
    memcpy(pos, d.pos, sizeof pos);
    decl_name(&d, "field", id);
    check_keys(&d, keys);
    rules_field f = {0};
    f.id = id;
    f.name = get_string(&d, 1, "name", true);
    f.themes = get_strings(&d, "themes", &f.n_themes);
    lua_getfield(L, 1, "themes");
    bool declared = !lua_isnil(L, -1);
    lua_pop(L, 1);
    for (int i = 0; id && i < r->n_fields; i++) {
        if (strcmp(r->fields[i].id, id) == 0) {
            rules_problem(&d, "duplicate field id (first declared at %.*s)", pos_len(r->field_pos[i]),
                    r->field_pos[i]);
            free(id);
            f.id = id = NULL;
        }
    }
    if (!id) {
        free(f.name);
        rules_free_strings(f.themes, f.n_themes);
        return 0;
    }
    if (r->n_fields == r->cap_fields) {
        int cap = r->cap_fields;
        rules_field *nf = grow(r->fields, &cap, sizeof *nf);
        if (nf)
            r->fields = nf;
        char(*np)[POS_LEN] = nf ? realloc(r->field_pos, (size_t)cap * POS_LEN) : NULL;
        if (np)
            r->field_pos = np;
        bool *nd = np ? realloc(r->field_declared_themes, (size_t)cap * sizeof *nd) : NULL;
        if (!nd) {
            free(id);
            free(f.name);
            rules_free_strings(f.themes, f.n_themes);
            return luaL_error(L, "out of memory");
        }
        r->field_declared_themes = nd;
        r->cap_fields = cap;
    }
    memcpy(r->field_pos[r->n_fields], pos, POS_LEN);
    r->field_declared_themes[r->n_fields] = declared;
    r->fields[r->n_fields++] = f;
    return 0;
}

void rules_criterion_free(rules_criterion *c)
{
    free(c->id);
    free(c->field);
    free(c->theme);
    free(c->statement);
    free(c->guidance);
    rules_free_strings(c->evidence, c->n_evidence);
    rules_free_strings(c->legal, c->n_legal);
}

static int l_criterion(lua_State *L)
{
    decl d;
    if (!decl_begin(&d, L, "criterion"))
        return 0;
    static const char *const keys[] = {"id",         "field",    "theme",    "level",
                                       "statement",  "guidance", "evidence", "legal",
                                       "na_allowed", "weight",   NULL};
    rules *r = d.r;
    char pos[POS_LEN];
    memcpy(pos, d.pos, sizeof pos);
    rules_criterion c = {0};
    c.id = get_id(&d, "criterion");
    decl_name(&d, "criterion", c.id);
    check_keys(&d, keys);
    c.field = get_string(&d, 1, "field", true);
    c.theme = get_string(&d, 1, "theme", true);
    c.statement = get_string(&d, 1, "statement", true);
    c.guidance = get_string(&d, 1, "guidance", false);
    c.evidence = get_strings(&d, "evidence", &c.n_evidence);
    c.legal = get_strings(&d, "legal", &c.n_legal);
    bool ok = c.id && c.field && c.theme && c.statement;

    char *level = get_string(&d, 1, "level", true);
    c.level = LEVEL_COUNT;
    for (int l = 0; level && l < LEVEL_COUNT; l++)
        if (strcmp(level, rules_level_names[l]) == 0)
            c.level = (rules_level)l;
    if (level && c.level == LEVEL_COUNT)
        rules_problem(&d, "unknown level '%s' (expected mandatory, recommended or advised)", level);
    ok = ok && c.level != LEVEL_COUNT;
    free(level);

    lua_getfield(L, 1, "weight");
    c.weight = 1;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        c.weight = lua_tonumber(L, -1);
        if (!(c.weight >= 0 && c.weight < 1e6)) {
            rules_problem(&d, "weight %g must be a number from 0 up", c.weight);
            ok = false;
        }
    } else if (!lua_isnil(L, -1)) {
        rules_problem(&d, "'weight' must be a number, not a %s", luaL_typename(L, -1));
        ok = false;
    }
    lua_getfield(L, 1, "na_allowed");
    if (lua_type(L, -1) == LUA_TBOOLEAN) {
        c.na_allowed = lua_toboolean(L, -1);
    } else if (!lua_isnil(L, -1)) {
        rules_problem(&d, "'na_allowed' must be true or false, not a %s", luaL_typename(L, -1));
        ok = false;
    }
    lua_pop(L, 2);

    for (int i = 0; c.id && i < r->n_crit; i++) {
        if (r->crit[i].id && strcmp(r->crit[i].id, c.id) == 0) {
            rules_problem(&d, "duplicate criterion id (first declared at %.*s)", pos_len(r->crit_pos[i]),
                    r->crit_pos[i]);
            ok = false;
        }
    }
    /* Kept even when unsound: the cross-checks still report its field. The
     * rule set is refused anyway. */
    c.invalid = !ok;
    if (r->n_crit == r->cap_crit) {
        int cap = r->cap_crit;
        rules_criterion *nc = grow(r->crit, &cap, sizeof *nc);
        if (nc)
            r->crit = nc;
        char(*np)[POS_LEN] = nc ? realloc(r->crit_pos, (size_t)cap * POS_LEN) : NULL;
        if (!np) {
            rules_criterion_free(&c);
            return luaL_error(L, "out of memory");
        }
        r->crit_pos = np;
        r->cap_crit = cap;
    }
    memcpy(r->crit_pos[r->n_crit], pos, POS_LEN);
    c.field_index = -1;
    r->crit[r->n_crit++] = c;
    return 0;
}

/* Starts a declaration made once per rule set; first keeps where it was made. */
static bool decl_once(decl *d, lua_State *L, const char *what, char *first)
{
    if (!decl_begin(d, L, what))
        return false;
    size_t n = strlen(d->pos);
    snprintf(d->pos + n, sizeof d->pos - n, "%s: ", what);
    if (first[0]) {
        rules_problem(d, "declared twice (first at %.*s)", pos_len(first), first);
        return false;
    }
    memcpy(first, d->pos, POS_LEN);
    return true;
}

static void unknown_answer(lua_State *L, void *d, const char *key)
{
    (void)L;
    rules_problem(d, "answers: unknown key '%s' (not_applicable never scores)", key ? key : "?");
}

/* weights { answers = { met = 1, partial = 0.5, not_met = 0 }, fields = { JF = 1 } } */
static int l_weights(lua_State *L)
{
    decl d;
    if (!decl_once(&d, L, "weights", rules_of(L)->weights_pos))
        return 0;
    static const char *const keys[] = {"answers", "fields", NULL};
    check_keys(&d, keys);
    lua_getfield(L, 1, "answers");
    if (!lua_istable(L, -1)) {
        rules_problem(&d, "'answers' must be a table { met = 1, partial = 0.5, not_met = 0 }");
    } else {
        for (int a = ANSWER_MET; a <= ANSWER_NOT_MET; a++) {
            lua_getfield(L, -1, rules_answer_names[a]);
            double v = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || v < 0 || v > 1)
                rules_problem(&d, "answers.%s must be a number from 0 to 1", rules_answer_names[a]);
            lua_pop(L, 1);
        }
        static const char *const scored[] = {"met", "partial", "not_met", NULL};
        sandbox_only_keys(L, -1, scored, unknown_answer, &d);
    }
    lua_getfield(L, 1, "fields");
    if (!lua_isnil(L, -1) && !lua_istable(L, -1))
        rules_problem(&d, "'fields' must be a table { JF = 1, ... }");
    else if (lua_istable(L, -1)) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            double v = lua_tonumber(L, -1);
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TNUMBER || v < 0)
                rules_problem(&d, "fields: every entry must be FIELD_ID = a number from 0 up");
            lua_pop(L, 1);
        }
    }
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_WEIGHTS);
    return 0;
}

/* award { parameters = { ... }, evaluate = function (ctx) ... end,
 *         decide = function (ctx) ... end (optional) } */
static int l_award(lua_State *L)
{
    decl d;
    if (!decl_once(&d, L, "award", rules_of(L)->award_pos))
        return 0;
    rules *r = d.r;
    static const char *const keys[] = {"parameters", "evaluate", "decide", NULL};
    check_keys(&d, keys);
    lua_getfield(L, 1, "evaluate");
    if (!lua_isfunction(L, -1))
        rules_problem(&d, "'evaluate' must be a function (ctx) returning the evaluation");
    lua_getfield(L, 1, "decide");
    if (!lua_isnil(L, -1) && !lua_isfunction(L, -1))
        rules_problem(&d, "'decide' must be a function (ctx) returning the outcome, or absent");
    lua_getfield(L, 1, "parameters");
    if (!lua_istable(L, -1)) {
        rules_problem(&d, "'parameters' must be a table of named values");
    } else {
        ljson_to(L, -1, "parameters", NULL, &r->parameters);
        /* The platform reads this one itself: a label lasts that many years. */
        lua_getfield(L, -1, "validity_years");
        lua_Integer years = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (!lua_isnil(L, -1) && (years < 1 || years > 99))
            rules_problem(&d, "parameters.validity_years must be a whole number of years from 1 to 99");
        lua_pop(L, 1);
    }
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_AWARD);
    return 0;
}

const luaL_Reg rules_declarations[] = {
    {"field", l_field}, {"criterion", l_criterion}, {"weights", l_weights}, {"award", l_award},
    {NULL, NULL},
};
