/* report: the admin report scripts, run in the sandbox. The data API reads
 * through the caller's store inside one read transaction, so a report sees one
 * snapshot; a CAE member's report sees only its own organisation. The document
 * is built in C as the script calls out.*, attached to its root at once so an
 * error leaks nothing; format writes it out. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "date.h"
#include "files.h"
#include "ljson.h"

static const char KEY_DECL[] = "labelcoop.report";

#define DEFAULT_INSTRUCTIONS 2000000000LL
#define DEFAULT_MEMORY ((size_t)256 << 20)

typedef struct context {
    store *db;
    rules *active;
    const report_request *rq;
    cJSON *doc; /* owned by the caller's slot */
    /* The last "not found" the data API raised: a script failing with it was
     * given an id that names nothing (bad input, not a script error). */
    char missing[200];
} context;

static context *ctx_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* ---- the declaration ------------------------------------------------------------ */

static int l_report(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    if (!lua_isnil(L, -1))
        return luaL_error(L, "report{} declared twice");
    lua_getfield(L, 1, "title");
    if (!lua_isstring(L, -1))
        return luaL_error(L, "report: 'title' must be a text");
    lua_getfield(L, 1, "run");
    if (!lua_isfunction(L, -1))
        return luaL_error(L, "report: 'run' must be a function (params, out)");
    lua_settop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    return 0;
}

/* ---- the data API ----------------------------------------------------------------- */

/* Pushes a store result, or raises with its error. */
static int push_result(lua_State *L, int rc, cJSON *doc, err *e)
{
    if (rc != ERR_OK) {
        if (rc == ERR_NOT_FOUND)
            snprintf(ctx_of(L)->missing, sizeof ctx_of(L)->missing, "%s", err_msg(e));
        lua_pushstring(L, err_msg(e));
        err_clear(e);
        return lua_error(L);
    }
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0); /* freed even if pushing fails */
    *box = doc;
    ljson_push(L, doc);
    cJSON_Delete(doc);
    *box = NULL;
    return 1;
}

/* The organisation a call may see: the CAE's own, or the one asked (0: all). */
static long long scope(lua_State *L, context *c, long long asked)
{
    long long own = c->rq->own_org;
    if (own > 0 && asked && asked != own)
        luaL_error(L, "a CAE's report sees only its own organisation");
    return own > 0 ? own : asked;
}

static long long opt_field_int(lua_State *L, int t, const char *key)
{
    if (!lua_istable(L, t))
        return 0;
    lua_getfield(L, t, key);
    long long v = lua_isinteger(L, -1) ? (long long)lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    return v;
}

static const char *opt_field_str(lua_State *L, int t, const char *key)
{
    if (!lua_istable(L, t))
        return NULL;
    lua_getfield(L, t, key);
    const char *v = lua_tostring(L, -1);
    lua_pop(L, 1);
    return v; /* the table keeps the string alive */
}

static int l_organisations(lua_State *L)
{
    context *c = ctx_of(L);
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_org_list(c->db, scope(L, c, 0), &out, &e);
    return push_result(L, rc, out, &e);
}

static bool keep(const cJSON *a, const char *kind, const char *status, const char *from,
                 const char *to)
{
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(a, "kind"));
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(a, "status"));
    const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(a, "created_at"));
    return (!kind || (k && strcmp(k, kind) == 0)) && (!status || (s && strcmp(s, status) == 0)) &&
           (!from || (at && strncmp(at, from, strlen(from)) >= 0)) &&
           (!to || (at && strncmp(at, to, DATE_LEN) <= 0));
}

/* data.assessments{organisation=, kind=, status=, from=, to=} */
static int l_assessments(lua_State *L)
{
    context *c = ctx_of(L);
    long long org = scope(L, c, opt_field_int(L, 1, "organisation"));
    const char *kind = opt_field_str(L, 1, "kind"), *status = opt_field_str(L, 1, "status");
    const char *from = opt_field_str(L, 1, "from"), *to = opt_field_str(L, 1, "to");
    cJSON *all = NULL;
    err e = ERR_INIT;
    int rc = store_assessment_list(c->db, org, 0, &all, &e);
    if (rc == ERR_OK) {
        cJSON *x = all ? all->child : NULL;
        while (x) {
            cJSON *next = x->next;
            if (!keep(x, kind, status, from, to))
                cJSON_Delete(cJSON_DetachItemViaPointer(all, x));
            x = next;
        }
    }
    return push_result(L, rc, all, &e);
}

static int l_assessment(lua_State *L)
{
    context *c = ctx_of(L);
    long long id = (long long)luaL_checkinteger(L, 1);
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_assessment_json(c->db, id, &out, &e);
    if (rc == ERR_OK && c->rq->own_org > 0 &&
        cJSON_GetNumberValue(cJSON_GetObjectItem(out, "organisation_id")) != c->rq->own_org)
        rc = err_set(&e, ERR_FORBIDDEN, "a CAE's report sees only its own organisation");
    if (rc != ERR_OK)
        cJSON_Delete(out), out = NULL;
    return push_result(L, rc, out, &e);
}

static int l_decisions(lua_State *L)
{
    context *c = ctx_of(L);
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_decision_list(c->db, scope(L, c, opt_field_int(L, 1, "organisation")), &out, &e);
    return push_result(L, rc, out, &e);
}

static int l_labels(lua_State *L)
{
    context *c = ctx_of(L);
    char today[DATE_LEN + 1];
    date_today(today);
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_labels(c->db, today, false, &out, &e);
    if (rc == ERR_OK && c->rq->own_org > 0) {
        cJSON *x = out->child;
        while (x) {
            cJSON *next = x->next;
            if (cJSON_GetNumberValue(cJSON_GetObjectItem(x, "organisation_id")) != c->rq->own_org)
                cJSON_Delete(cJSON_DetachItemViaPointer(out, x));
            x = next;
        }
    }
    return push_result(L, rc, out, &e);
}

static int l_action_items(lua_State *L)
{
    context *c = ctx_of(L);
    long long org = scope(L, c, (long long)luaL_checkinteger(L, 1));
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_action_list(c->db, org, &out, &e);
    return push_result(L, rc, out, &e);
}

/* Moves the documents of org, each with its versions (oldest first), to
 * the end of all. */
static int org_documents(store *db, long long org, cJSON *all, err *e)
{
    cJSON *docs = NULL, *d;
    if (store_document_list(db, org, &docs, e) != ERR_OK)
        return e->code;
    int rc = ERR_OK;
    cJSON_ArrayForEach(d, docs)
    {
        cJSON *versions = NULL, *links = NULL;
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "id"));
        if ((rc = store_document_versions(db, id, &versions, e)) != ERR_OK)
            break;
        cJSON_AddItemToObject(d, "versions", versions);
        if ((rc = store_document_links(db, org, id, &links, e)) != ERR_OK)
            break;
        cJSON_AddItemToObject(d, "links", links);
    }
    while (rc == ERR_OK && docs->child)
        cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(docs, docs->child));
    cJSON_Delete(docs);
    return rc;
}

/* data.documents{organisation=}: the documents not deleted, with their
 * versions (titles, sizes, types, digests) and where answers link them
 * (assessment, criterion, version, pages): what is stored, never bytes. */
static int l_documents(lua_State *L)
{
    context *c = ctx_of(L);
    long long org = scope(L, c, opt_field_int(L, 1, "organisation"));
    cJSON *all = cJSON_CreateArray(), *orgs = NULL;
    err e = ERR_INIT;
    int rc = all ? ERR_OK : err_set(&e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK && org > 0) {
        rc = org_documents(c->db, org, all, &e);
    } else if (rc == ERR_OK && (rc = store_org_list(c->db, 0, &orgs, &e)) == ERR_OK) {
        const cJSON *o;
        cJSON_ArrayForEach(o, orgs)
        {
            long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id"));
            if (rc == ERR_OK)
                rc = org_documents(c->db, id, all, &e);
        }
    }
    cJSON_Delete(orgs);
    if (rc != ERR_OK)
        cJSON_Delete(all), all = NULL;
    return push_result(L, rc, all, &e);
}

static int l_referential(lua_State *L)
{
    return push_result(L, ERR_OK, rules_to_json(ctx_of(L)->active), NULL);
}

static int l_rulesets(lua_State *L)
{
    cJSON *out = NULL;
    err e = ERR_INIT;
    int rc = store_ruleset_history(ctx_of(L)->db, &out, &e);
    return push_result(L, rc, out, &e);
}

static int l_today(lua_State *L)
{
    char today[DATE_LEN + 1];
    date_today(today);
    lua_pushstring(L, today);
    return 1;
}

typedef struct latest {
    lua_State *L;
    int t;             /* result table index */
    long long current; /* assessment whose answers table is on top */
} latest;

/* Builds {[assessment] = {organisation_id =, answers = {[criterion] = status}}}. */
static void add_latest(void *ud, long long assessment, long long org, const char *criterion,
                       const char *status)
{
    latest *l = ud;
    lua_State *L = l->L;
    if (assessment != l->current) {
        if (l->current)
            lua_pop(L, 1);
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, org);
        lua_setfield(L, -2, "organisation_id");
        lua_createtable(L, 0, 128);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "answers");
        lua_insert(L, -2);
        lua_rawseti(L, l->t, assessment);
        l->current = assessment;
    }
    lua_pushstring(L, status);
    lua_setfield(L, -2, criterion);
}

/* data.latest_answers{kind = "audit"}: each CAE's latest submitted one. */
static int l_latest_answers(lua_State *L)
{
    context *c = ctx_of(L);
    const char *kind = opt_field_str(L, 1, "kind");
    lua_newtable(L);
    latest l = {L, lua_gettop(L), 0};
    err e = ERR_INIT;
    int rc = store_latest_answers(c->db, kind ? kind : "audit", scope(L, c, 0), add_latest, &l, &e);
    if (l.current)
        lua_pop(L, 1);
    if (rc != ERR_OK) {
        lua_pushstring(L, err_msg(&e));
        err_clear(&e);
        return lua_error(L);
    }
    return 1;
}

static int l_progress(lua_State *L)
{
    context *c = ctx_of(L);
    if (c->rq->progress)
        c->rq->progress(c->rq->progress_ud, luaL_checknumber(L, 1), luaL_checknumber(L, 2));
    return 0;
}

static const luaL_Reg api[] = {
    {"report", l_report},
    {"data.organisations", l_organisations},
    {"data.assessments", l_assessments},
    {"data.assessment", l_assessment},
    {"data.decisions", l_decisions},
    {"data.labels", l_labels},
    {"data.action_items", l_action_items},
    {"data.documents", l_documents},
    {"data.referential", l_referential},
    {"data.rulesets", l_rulesets},
    {"data.latest_answers", l_latest_answers},
    {"data.today", l_today},
    {"progress", l_progress},
    {NULL, NULL},
};

/* ---- the document ------------------------------------------------------------------ */

/* Appends {"type": type, ...the table at 1...} to the document's blocks. */
static int add_block(lua_State *L, const char *type)
{
    context *c = lua_touserdata(L, lua_upvalueindex(1));
    cJSON *blocks = cJSON_GetObjectItem(c->doc, "blocks");
    cJSON *block = NULL;
    if (lua_istable(L, 1)) {
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
        cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
        *box = NULL;
        ljson_to(L, 1, type, NULL, box);
        block = *box;
        *box = NULL;
        if (!cJSON_IsObject(block)) {
            cJSON_Delete(block);
            return luaL_error(L, "out.%s expects a table of named fields", type);
        }
    } else {
        block = cJSON_CreateObject();
        cJSON_AddStringToObject(block, "text", luaL_checkstring(L, 1));
        if (lua_isinteger(L, 2))
            cJSON_AddNumberToObject(block, "level", (double)lua_tointeger(L, 2));
    }
    cJSON_AddItemToArray(blocks, block);
    cJSON_DeleteItemFromObject(block, "type");
    cJSON_AddStringToObject(block, "type", type);
    return 0;
}

static int l_heading(lua_State *L)
{
    return add_block(L, "heading");
}

static int l_paragraph(lua_State *L)
{
    return add_block(L, "paragraph");
}

static int l_table(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "columns");
    lua_getfield(L, 1, "rows");
    if (!lua_istable(L, -2) || !lua_istable(L, -1))
        return luaL_error(L, "out.table expects { columns = {...}, rows = { {...}, ... } }");
    lua_pop(L, 2);
    return add_block(L, "table");
}

static int l_chart(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "kind");
    const char *kind = lua_tostring(L, -1);
    if (!kind || (strcmp(kind, "bar") && strcmp(kind, "radar") && strcmp(kind, "heatmap")))
        return luaL_error(L, "out.chart: kind must be \"bar\", \"radar\" or \"heatmap\"");
    lua_pop(L, 1);
    return add_block(L, "chart");
}

/* ---- running ------------------------------------------------------------------------ */

static int run_file(lua_State *L)
{
    sandbox_load(L, lua_touserdata(L, 1));
    lua_call(L, 0, 0);
    return 0;
}

/* Converts a text parameter to its declared type; raises naming it. */
static void push_param(lua_State *L, const char *name, const char *type, const char *text)
{
    if (strcmp(type, "integer") == 0) {
        char *end;
        long long v = strtoll(text, &end, 10);
        if (!*text || *end)
            luaL_error(L, "parameter %s: must be a whole number", name);
        lua_pushinteger(L, v);
    } else if (strcmp(type, "date") == 0) {
        if (!date_valid(text))
            luaL_error(L, "parameter %s: must be a date written YYYY-MM-DD", name);
        lua_pushstring(L, text);
    } else if (strcmp(type, "boolean") == 0) {
        if (strcmp(text, "true") && strcmp(text, "false"))
            luaL_error(L, "parameter %s: must be true or false", name);
        lua_pushboolean(L, strcmp(text, "true") == 0);
    } else {
        lua_pushstring(L, text);
    }
}

/* Builds params from the request and the declaration, then calls run. */
static int call_run(lua_State *L)
{
    context *c = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL); /* 2 */
    if (!lua_istable(L, 2))
        return luaL_error(L, "%s.lua: no report { ... } declared", c->rq->name);
    lua_getfield(L, 2, "audience");
    const char *audience = lua_tostring(L, -1);
    if (c->rq->own_org > 0 && (!audience || strcmp(audience, "cae") != 0))
        return luaL_error(L, "forbidden: this report is not for CAEs");
    lua_pop(L, 1);
    lua_newtable(L); /* params, 3 */
    lua_getfield(L, 2, "params");
    int declared = lua_gettop(L);
    for (lua_Integer i = 1; lua_istable(L, declared) && lua_rawgeti(L, declared, i) == LUA_TTABLE;
         i++) {
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "type");
        const char *name = lua_tostring(L, -2), *type = lua_tostring(L, -1);
        if (!name)
            return luaL_error(L, "report params[%d]: 'name' is missing", (int)i);
        const char *given =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->rq->params, name));
        char own[32];
        if (c->rq->own_org > 0 && strcmp(name, "org") == 0) { /* a CAE sees only itself */
            snprintf(own, sizeof own, "%lld", c->rq->own_org);
            given = own;
        }
        if (given) {
            push_param(L, name, type ? type : "string", given);
        } else {
            lua_getfield(L, -3, "default");
            lua_getfield(L, -4, "required");
            if (lua_isnil(L, -2) && lua_toboolean(L, -1))
                return luaL_error(L, "parameter %s is required", name);
            lua_pop(L, 1);
        }
        lua_setfield(L, 3, name);
        lua_pop(L, 3);
    }
    lua_settop(L, 3);
    /* Unknown parameters are a caller's mistake: name them. */
    const cJSON *p;
    cJSON_ArrayForEach(p, c->rq->params)
    {
        lua_getfield(L, 3, p->string);
        bool known = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!known && strcmp(p->string, "format") && strcmp(p->string, "separator")) {
            lua_getfield(L, 2, "params");
            bool declared_param = false;
            for (lua_Integer i = 1; lua_istable(L, -1) && lua_rawgeti(L, -1, i) == LUA_TTABLE;
                 i++) {
                lua_getfield(L, -1, "name");
                declared_param = declared_param || (lua_tostring(L, -1) &&
                                                    strcmp(lua_tostring(L, -1), p->string) == 0);
                lua_pop(L, 2);
            }
            lua_settop(L, 3);
            if (!declared_param)
                return luaL_error(L, "unknown parameter %s", p->string);
        }
    }
    /* The document records what it was run with, title first. */
    static const char *const texts[] = {"title", "description", "audience"};
    for (int i = 0; i < 3; i++) {
        lua_getfield(L, 2, texts[i]);
        if (lua_isstring(L, -1))
            cJSON_AddStringToObject(c->doc, texts[i], lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the userdata holds one pointer */
    cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    ljson_to(L, 3, "params", NULL, box);
    if (cJSON_IsArray(*box) && !(*box)->child) {
        cJSON_Delete(*box);
        *box = cJSON_CreateObject();
    }
    cJSON_AddItemToObject(c->doc, "params", *box);
    *box = NULL;
    lua_pop(L, 1);
    cJSON_AddArrayToObject(c->doc, "blocks");
    lua_getfield(L, 2, "run");
    lua_pushvalue(L, 3);
    lua_createtable(L, 0, 4); /* out */
    static const luaL_Reg out_fns[] = {
        {"heading", l_heading}, {"paragraph", l_paragraph}, {"table", l_table}, {"chart", l_chart},
        {NULL, NULL},
    };
    lua_pushlightuserdata(L, c);
    luaL_setfuncs(L, out_fns, 1);
    lua_call(L, 2, 0);
    return 0;
}

static int is_script(const char *path)
{
    size_t n = strlen(path);
    return !(strncmp(path, "spec/", 5) == 0 || (n > 9 && strcmp(path + n - 9, "_spec.lua") == 0));
}

/* A sandbox over the scripts of tree (read once by the caller, who keeps it
 * until the sandbox is freed), with the report API on ctx. */
static int open_sandbox(const report_request *rq, context *ctx, const files_tree *tree, sandbox **h,
                        err *e)
{
    sandbox_limits lim = rq->limits;
    if (!lim.instructions)
        lim.instructions = DEFAULT_INSTRUCTIONS;
    if (!lim.memory)
        lim.memory = DEFAULT_MEMORY;
    return sandbox_new(tree, &lim, api, ctx, h, e);
}

/* Reports are the top-level scripts: "lib/x.lua" is a library, not a report. */
static bool is_report(const char *path)
{
    size_t n = strlen(path);
    return !strchr(path, '/') && n > 4 && strcmp(path + n - 4, ".lua") == 0;
}

int report_run(store *db, rules *active, const report_request *rq, cJSON **doc, err *e)
{
    *doc = NULL;
    char file[300];
    snprintf(file, sizeof file, "%s.lua", rq->name);
    for (const char *p = rq->name; *p; p++)
        if (!(*p == '-' || *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return err_set(e, ERR_NOT_FOUND, "no report %s", rq->name);
    context ctx = {.db = db, .active = active, .rq = rq, .doc = cJSON_CreateObject()};
    cJSON_AddStringToObject(ctx.doc, "name", rq->name);
    files_tree tree;
    sandbox *h = NULL;
    int rc = files_tree_read(rq->scripts_dir, ".lua", is_script, &tree, e);
    if (rc == ERR_OK)
        rc = open_sandbox(rq, &ctx, &tree, &h, e);
    if (rc == ERR_OK && !files_tree_find(&tree, file, NULL))
        rc = err_set(e, ERR_NOT_FOUND, "no report %s", rq->name);
    /* One snapshot for the whole report. */
    if (rc == ERR_OK && (rc = store_begin_read(db, e)) == ERR_OK) {
        rc = sandbox_run(h, run_file, file, e);
        if (rc == ERR_OK)
            rc = sandbox_run(h, call_run, &ctx, e);
        store_rollback(db);
    }
    if (rc == ERR_RULES) { /* a refusal of ours, or the caller's bad parameters */
        const char *m = err_msg(e);
        if (strstr(m, "forbidden: this report is not for CAEs") ||
            strstr(m, "sees only its own organisation"))
            e->code = rc = ERR_FORBIDDEN;
        else if (strstr(m, "parameter "))
            e->code = rc = ERR_INPUT;
        else if (ctx.missing[0] && strstr(m, ctx.missing))
            e->code = rc = ERR_NOT_FOUND;
    }
    sandbox_free(h);
    files_tree_free(&tree);
    if (rc != ERR_OK) {
        cJSON_Delete(ctx.doc);
        return rc;
    }
    *doc = ctx.doc;
    return ERR_OK;
}

/* Reads a report's declaration without running it. */
static int declaration(lua_State *L)
{
    cJSON **out = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_DECL);
    if (!lua_istable(L, -1))
        return luaL_error(L, "no report { ... } declared");
    lua_newtable(L);
    static const char *const keys[] = {"title", "description", "audience", "params"};
    for (int i = 0; i < 4; i++) {
        lua_getfield(L, -2, keys[i]);
        lua_setfield(L, -2, keys[i]);
    }
    ljson_to(L, -1, "report", NULL, out);
    return 0;
}

int report_list(const char *scripts_dir, bool cae_only, cJSON **out, cJSON **problems, err *e)
{
    *out = NULL;
    *problems = cJSON_CreateArray();
    files_tree tree;
    if (files_tree_read(scripts_dir, ".lua", is_script, &tree, e))
        return e->code;
    cJSON *list = cJSON_CreateArray();
    report_request rq = {.scripts_dir = scripts_dir};
    for (size_t i = 0; i < tree.count; i++) {
        if (!is_report(tree.paths[i]))
            continue;
        /* One state per script (each declares report{} once), one tree for all. */
        context ctx = {.rq = &rq};
        sandbox *h = NULL;
        cJSON *decl = NULL;
        err le = ERR_INIT;
        int rc = open_sandbox(&rq, &ctx, &tree, &h, &le);
        if (rc == ERR_OK)
            rc = sandbox_run(h, run_file, tree.paths[i], &le);
        if (rc == ERR_OK)
            rc = sandbox_run(h, declaration, &decl, &le);
        if (rc == ERR_OK) {
            const char *audience = cJSON_GetStringValue(cJSON_GetObjectItem(decl, "audience"));
            if (!cae_only || (audience && strcmp(audience, "cae") == 0)) {
                char name[300];
                snprintf(name, sizeof name, "%.*s", (int)(strlen(tree.paths[i]) - 4),
                         tree.paths[i]);
                cJSON *item = cJSON_CreateObject();
                cJSON_AddStringToObject(item, "name", name);
                cJSON *x;
                while ((x = decl->child) != NULL)
                    cJSON_AddItemToObject(item, x->string, cJSON_DetachItemViaPointer(decl, x));
                cJSON_AddItemToArray(list, item);
            }
        } else {
            cJSON_AddItemToArray(*problems, cJSON_CreateString(err_msg(&le)));
        }
        cJSON_Delete(decl);
        err_clear(&le);
        sandbox_free(h);
    }
    files_tree_free(&tree);
    *out = list;
    return ERR_OK;
}
