/* rules: loading, validating, identifying and evaluating a rule set.
 * The committee's Lua declares fields and criteria (field{}, criterion{}),
 * scoring (weights{}) and the award rule (award{}), each checked in
 * rules_decl.c; this file loads the files, checks them against each other,
 * keeps the référentiel in C for fast lookups, and calls the award rule's
 * evaluate() on answers kept resident in the Lua state.
 * Uses sandbox, files (tree), ljson (results), libsodium (SHA-256). */
#include "rules.h"
#include "rules_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "date.h"
#include "ljson.h"
#include "metrics.h"
#include "text.h"

const char *const rules_level_names[LEVEL_COUNT] = {"mandatory", "recommended", "advised"};
const char *const rules_answer_names[ANSWER_NOT_APPLICABLE + 1] = {NULL, "met", "partial", "not_met",
                                                                  "not_applicable"};
static const char *const kind_names[] = {"self_assessment", "audit"};

const char *rules_level_name(rules_level l)
{
    return l < LEVEL_COUNT ? rules_level_names[l] : "?";
}

const char *rules_answer_name(rules_answer a)
{
    return a >= ANSWER_MET && a <= ANSWER_NOT_APPLICABLE ? rules_answer_names[a] : "none";
}

rules_answer rules_answer_parse(const char *s)
{
    for (int a = ANSWER_MET; a <= ANSWER_NOT_APPLICABLE; a++)
        if (strcmp(s, rules_answer_names[a]) == 0)
            return (rules_answer)a;
    return ANSWER_NONE;
}

/* ---- loading ------------------------------------------------------------ */

static int is_rule_file(const char *path)
{
    size_t n = strlen(path);
    bool spec = strncmp(path, "spec/", 5) == 0 || (n > 9 && strcmp(path + n - 9, "_spec.lua") == 0);
    return !spec;
}

/* SHA-256 over, for each file in path order: path NUL size NUL contents. */
static void hash_tree(const files_tree *t, char *hex)
{
    crypto_hash_sha256_state st;
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < t->count; i++) {
        char size[32];
        int n = snprintf(size, sizeof size, "%zu", t->lens[i]);
        crypto_hash_sha256_update(&st, (const unsigned char *)t->paths[i], strlen(t->paths[i]) + 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)size, (unsigned long long)n + 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)t->data[i], t->lens[i]);
    }
    crypto_hash_sha256_final(&st, out);
    sodium_bin2hex(hex, sizeof out * 2 + 1, out, sizeof out);
}

static int run_file(lua_State *L)
{
    sandbox_load(L, lua_touserdata(L, 1));
    lua_call(L, 0, 0);
    return 0;
}

static void load_file(rules *r, const char *path, bool *failed)
{
    err e = ERR_INIT;
    if (sandbox_run(r->sandbox, run_file, (void *)path, &e) != ERR_OK) {
        err_append(&r->problems, ERR_RULES, "%s", err_msg(&e));
        *failed = true;
    }
    err_clear(&e);
}

static int field_index(const rules *r, const char *id)
{
    for (int i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].id, id) == 0)
            return i;
    return -1;
}

static bool has_string(char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static void cross_check(rules *r)
{
    decl d = {.r = r};
    for (int i = 0; i < r->n_crit; i++) {
        rules_criterion *c = &r->crit[i];
        snprintf(d.pos, sizeof d.pos, "%scriterion %s: ", r->crit_pos[i],
                 c->id ? c->id : "(without id)");
        c->field_index = c->field ? field_index(r, c->field) : -1;
        if (c->field_index < 0) {
            if (c->field)
                rules_problem(&d, "unknown field '%s'", c->field);
            continue;
        }
        if (c->invalid || !c->theme)
            continue;
        rules_field *f = &r->fields[c->field_index];
        f->n_criteria++;
        if (r->field_declared_themes[c->field_index]) {
            if (!has_string(f->themes, f->n_themes, c->theme))
                rules_problem(&d, "theme '%s' is not one of field %s's themes", c->theme, f->id);
        } else if (!has_string(f->themes, f->n_themes, c->theme)) {
            char **t = realloc(f->themes, (size_t)(f->n_themes + 1) * sizeof *t);
            char *s = t ? strdup(c->theme) : NULL;
            if (t)
                f->themes = t;
            if (s)
                f->themes[f->n_themes++] = s;
        }
    }
    for (int i = 0; i < r->n_fields; i++) {
        snprintf(d.pos, sizeof d.pos, "%sfield %s: ", r->field_pos[i], r->fields[i].id);
        if (r->fields[i].n_criteria == 0)
            rules_problem(&d, "has no criterion");
    }
    if (r->n_crit == 0)
        err_append(&r->problems, ERR_RULES, "%s: no criterion declared", REFERENTIAL_DIR);
    if (!r->weights_pos[0])
        err_append(&r->problems, ERR_RULES, "%s: no weights { ... } declared", WEIGHTS_FILE);
    if (!r->award_pos[0])
        err_append(&r->problems, ERR_RULES, "%s: no award { ... } declared", AWARD_FILE);
}

typedef struct id_index {
    const char *id;
    int index;
} id_index;

static int cmp_by_id(const void *a, const void *b)
{
    return strcmp(((const id_index *)a)->id, ((const id_index *)b)->id);
}

/* Fills r->by_id with criterion indices in id order, for rules_find. */
static int index_ids(rules *r)
{
    size_t n = (size_t)r->n_crit;
    id_index *tmp = malloc((n ? n : 1) * sizeof *tmp);
    r->by_id = malloc((n ? n : 1) * sizeof *r->by_id);
    if (!tmp || !r->by_id) {
        free(tmp);
        return err_set(&r->problems, ERR_FAIL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = (id_index){r->crit[i].id, (int)i};
    qsort(tmp, n, sizeof *tmp, cmp_by_id);
    for (size_t i = 0; i < n; i++)
        r->by_id[i] = tmp[i].index;
    free(tmp);
    return ERR_OK;
}

/* ---- the resident context ------------------------------------------------ */

/* The steps of build_context, each with its effect on the stack written as
 * the Lua manual writes it: [-o, +p] pops o values and pushes p. */

/* [-0, +0]: t.key = value, in the table t at the top of the stack. */
static void set_string(lua_State *L, const char *key, const char *value)
{
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
}

/* [-0, +0]: the same with an integer. */
static void set_integer(lua_State *L, const char *key, lua_Integer value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

/* [-0, +1]: pushes ctx.fields[i + 1], field f with its weight from the table
 * at field_weights (1 when it gives none). */
static void push_field(lua_State *L, const rules_field *f, int i, int field_weights)
{
    lua_createtable(L, 0, 5);
    set_string(L, "id", f->id);
    set_string(L, "name", f->name);
    set_integer(L, "index", i + 1);
    lua_createtable(L, f->n_themes, 0);
    for (int t = 0; t < f->n_themes; t++) {
        lua_pushstring(L, f->themes[t]);
        lua_rawseti(L, -2, t + 1);
    }
    lua_setfield(L, -2, "themes");
    lua_Number w = 1;
    if (lua_istable(L, field_weights)) {
        lua_getfield(L, field_weights, f->id);
        if (lua_isnumber(L, -1))
            w = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pushnumber(L, w);
    lua_setfield(L, -2, "weight");
}

/* [-0, +1]: pushes ctx.fields, the fields in the order declared. */
static void push_fields(lua_State *L, const rules *r)
{
    lua_createtable(L, r->n_fields, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_WEIGHTS);
    lua_getfield(L, -1, "fields");
    int field_weights = lua_gettop(L);
    for (int i = 0; i < r->n_fields; i++) {
        push_field(L, &r->fields[i], i, field_weights);
        lua_rawseti(L, -4, i + 1);
    }
    lua_pop(L, 2); /* weights and weights.fields */
}

/* [-0, +1]: pushes ctx.criteria[i + 1], criterion c. */
static void push_criterion(lua_State *L, const rules_criterion *c, int i)
{
    lua_createtable(L, 0, 9);
    set_string(L, "id", c->id);
    set_string(L, "field", c->field);
    set_integer(L, "field_index", c->field_index + 1);
    set_string(L, "theme", c->theme);
    set_string(L, "level", rules_level_names[c->level]);
    set_string(L, "statement", c->statement);
    lua_pushnumber(L, c->weight);
    lua_setfield(L, -2, "weight");
    lua_pushboolean(L, c->na_allowed);
    lua_setfield(L, -2, "na_allowed");
    set_integer(L, "index", i + 1);
}

/* [-0, +1]: pushes ctx.criteria, the criteria in the order declared. */
static void push_criteria(lua_State *L, const rules *r)
{
    lua_createtable(L, r->n_crit, 0);
    for (int i = 0; i < r->n_crit; i++) {
        push_criterion(L, &r->crit[i], i);
        lua_rawseti(L, -2, i + 1);
    }
}

/* [-0, +0]: ctx.weights and ctx.parameters set in the table at ctx; the
 * award rule's evaluate() and decide() (when it has one) kept as references. */
static void take_award(lua_State *L, rules *r, int ctx)
{
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_WEIGHTS);
    lua_setfield(L, ctx, "weights");
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_AWARD);
    lua_getfield(L, -1, "parameters");
    lua_setfield(L, ctx, "parameters");
    lua_getfield(L, -1, "evaluate");
    r->evaluate_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getfield(L, -1, "decide");
    r->decide_ref = lua_isfunction(L, -1) ? luaL_ref(L, LUA_REGISTRYINDEX) : LUA_NOREF;
    lua_pop(L, 1); /* the award declaration (and decide's nil, when it has none) */
}

/* [-0, +1]: pushes ctx.by_level, the compact form of the answers: a string
 * per level, each held by a reference; and the C side's scratch for them and
 * for the answers held resident. Raises when memory runs out. */
static void push_by_level(lua_State *L, rules *r)
{
    lua_createtable(L, 0, LEVEL_COUNT);
    for (int l = 0; l < LEVEL_COUNT; l++) {
        lua_pushliteral(L, "");
        r->level_ref[l] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_pushvalue(L, -1);
    r->by_level_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    r->by_level = malloc((size_t)(r->n_crit ? r->n_crit : 1));
    r->resident = calloc((size_t)(r->n_crit ? r->n_crit : 1), 1);
    if (!r->resident || !r->by_level) {
        luaL_error(L, "out of memory");
        return; /* not reached: luaL_error does not return */
    }
    memset(r->resident, ANSWER_NONE, (size_t)r->n_crit);
}

/* [-0, +1]: pushes ctx.answers, empty, held by a reference. */
static void push_answers(lua_State *L, rules *r)
{
    lua_createtable(L, r->n_crit, 0);
    lua_pushvalue(L, -1);
    r->answers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* [-0, +0]: the answers' names by rules_answer, held by a reference. */
static void ref_answer_names(lua_State *L, rules *r)
{
    lua_createtable(L, ANSWER_NOT_APPLICABLE, 0);
    for (int a = ANSWER_MET; a <= ANSWER_NOT_APPLICABLE; a++) {
        lua_pushstring(L, rules_answer_names[a]);
        lua_rawseti(L, -2, a);
    }
    r->status_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Builds the table evaluate(ctx) receives; it stays resident between calls.
 * Called by sandbox_run with r at 1; returns nothing. */
static int build_context(lua_State *L)
{
    rules *r = lua_touserdata(L, 1);
    lua_createtable(L, 0, 10); /* [-0, +1]: ctx, 2 */
    push_fields(L, r);
    lua_setfield(L, 2, "fields");
    push_criteria(L, r);
    lua_setfield(L, 2, "criteria");
    take_award(L, r, 2);
    push_by_level(L, r);
    lua_setfield(L, 2, "by_level");
    push_answers(L, r);
    lua_setfield(L, 2, "answers");
    ref_answer_names(L, r);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_WEIGHTS); /* [-0, +1] */
    ljson_to(L, -1, "weights", NULL, &r->weights);
    lua_pop(L, 1);
    lua_pushvalue(L, 2); /* [-0, +1], then [-1, +0]: ctx held by a reference */
    r->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int rules_read(const char *dir, files_tree *tree, err *e)
{
    if (files_tree_read(dir, ".lua", is_rule_file, tree, e) != ERR_OK)
        return err_set(e, ERR_RULES, "cannot read the rules: %s", err_msg(e));
    return ERR_OK;
}

void rules_tree_hash(const files_tree *tree, char *hex)
{
    hash_tree(tree, hex);
}

int rules_load(const char *dir, const sandbox_limits *lim, rules **out, err *e)
{
    files_tree tree;
    *out = NULL;
    if (rules_read(dir, &tree, e) != ERR_OK)
        return e->code;
    return rules_load_tree(&tree, lim, out, e);
}

int rules_load_tree(files_tree *tree, const sandbox_limits *lim, rules **out, err *e)
{
    *out = NULL;
    rules *r = calloc(1, sizeof *r);
    if (!r) {
        files_tree_free(tree);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    r->ctx_ref = r->answers_ref = r->status_ref = r->evaluate_ref = LUA_NOREF;
    r->tree = *tree; /* moved */
    memset(tree, 0, sizeof *tree);
    hash_tree(&r->tree, r->hash);
    int rc = sandbox_new(&r->tree, lim, rules_declarations, r, &r->sandbox, e);
    if (rc != ERR_OK) {
        rules_free(r);
        return rc;
    }

    bool failed = false;
    r->loading = true;
    for (size_t i = 0; i < r->tree.count; i++)
        if (strncmp(r->tree.paths[i], REFERENTIAL_DIR, strlen(REFERENTIAL_DIR)) == 0)
            load_file(r, r->tree.paths[i], &failed);
    if (files_tree_find(&r->tree, WEIGHTS_FILE, NULL))
        load_file(r, WEIGHTS_FILE, &failed);
    if (files_tree_find(&r->tree, AWARD_FILE, NULL))
        load_file(r, AWARD_FILE, &failed);
    r->loading = false;
    /* A file that failed to load leaves holes that would only add noise. */
    if (!failed)
        cross_check(r);
    if (r->problems.code == ERR_OK)
        index_ids(r);
    if (r->problems.code == ERR_OK)
        sandbox_run(r->sandbox, build_context, r, &r->problems);
    if (r->problems.code != ERR_OK) {
        rc = err_set(e, r->problems.code, "%s", err_msg(&r->problems));
        rules_free(r);
        return rc;
    }
    *out = r;
    return ERR_OK;
}

void rules_free(rules *r)
{
    if (!r)
        return;
    sandbox_free(r->sandbox); /* before the tree it borrows */
    files_tree_free(&r->tree);
    for (int i = 0; i < r->n_fields; i++) {
        free(r->fields[i].id);
        free(r->fields[i].name);
        rules_free_strings(r->fields[i].themes, r->fields[i].n_themes);
    }
    for (int i = 0; i < r->n_crit; i++)
        rules_criterion_free(&r->crit[i]);
    free(r->fields);
    free(r->field_pos);
    free(r->field_declared_themes);
    free(r->crit);
    free(r->crit_pos);
    free(r->by_id);
    free(r->resident);
    free(r->by_level);
    cJSON_Delete(r->parameters);
    cJSON_Delete(r->weights);
    err_clear(&r->problems);
    free(r);
}

/* ---- queries ------------------------------------------------------------ */

const char *rules_hash(const rules *r)
{
    return r->hash;
}

int rules_field_count(const rules *r)
{
    return r->n_fields;
}

const rules_field *rules_field_at(const rules *r, int i)
{
    return i >= 0 && i < r->n_fields ? &r->fields[i] : NULL;
}

int rules_criterion_count(const rules *r)
{
    return r->n_crit;
}

const rules_criterion *rules_criterion_at(const rules *r, int i)
{
    return i >= 0 && i < r->n_crit ? &r->crit[i] : NULL;
}

int rules_find(const rules *r, const char *id)
{
    int lo = 0, hi = r->n_crit;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(id, r->crit[r->by_id[mid]].id);
        if (c == 0)
            return r->by_id[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

const cJSON *rules_parameters(const rules *r)
{
    return r->parameters;
}

const files_tree *rules_files(const rules *r)
{
    return &r->tree;
}

sandbox *rules_sandbox(rules *r)
{
    return r->sandbox;
}

static cJSON *string_array(char **list, int n)
{
    return cJSON_CreateStringArray((const char *const *)list, n);
}

cJSON *rules_to_json(const rules *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "ruleset", r->hash);
    cJSON *fields = cJSON_AddArrayToObject(root, "fields");
    for (int i = 0; i < r->n_fields; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(fields, f);
        cJSON_AddStringToObject(f, "id", r->fields[i].id);
        cJSON_AddStringToObject(f, "name", r->fields[i].name);
        cJSON_AddItemToObject(f, "themes",
                              string_array(r->fields[i].themes, r->fields[i].n_themes));
    }
    cJSON *crit = cJSON_AddArrayToObject(root, "criteria");
    for (int i = 0; i < r->n_crit; i++) {
        const rules_criterion *c = &r->crit[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(crit, o);
        cJSON_AddStringToObject(o, "id", c->id);
        cJSON_AddStringToObject(o, "field", c->field);
        cJSON_AddStringToObject(o, "theme", c->theme);
        cJSON_AddStringToObject(o, "level", rules_level_names[c->level]);
        cJSON_AddStringToObject(o, "statement", c->statement);
        cJSON_AddStringToObject(o, "guidance", c->guidance ? c->guidance : "");
        cJSON_AddNumberToObject(o, "weight", c->weight);
        cJSON_AddBoolToObject(o, "na_allowed", c->na_allowed);
        cJSON_AddItemToObject(o, "evidence", string_array(c->evidence, c->n_evidence));
        cJSON_AddItemToObject(o, "legal", string_array(c->legal, c->n_legal));
    }
    cJSON_AddItemToObject(root, "weights", cJSON_Duplicate(r->weights, 1));
    cJSON_AddItemToObject(root, "parameters", cJSON_Duplicate(r->parameters, 1));
    return root;
}

/* ---- evaluation --------------------------------------------------------- */

/* Keys of the evaluation at the top level, then inside its objects, in the
 * order its readers expect; any other key follows, sorted. */
static const char *const top_order[] = {
    "outcome",     "eligible", "valid_until", "score",   "missing",       "mandatory",
    "recommended", "advised",  "fields",      "reasons", "path_to_label", NULL,
};
static const char *const result_order[] = {
    "id",    "name",      "score",     "total", "met", "partial", "failed",
    "ratio", "threshold", "criterion", "from",  "to",  NULL,
};

/* The letter of an answer in ctx.by_level. */
static const char answer_letters[] = {'?', 'M', 'P', 'N', 'X'};

/* Rebuilds the strings of ctx.by_level from r->resident: for each level, the
 * letters of its criteria's answers in référentiel order. */
static void build_by_level(lua_State *L, rules *r)
{
    for (int l = 0; l < LEVEL_COUNT; l++) {
        size_t n = 0;
        for (int i = 0; i < r->n_crit; i++)
            if ((int)r->crit[i].level == l)
                r->by_level[n++] = answer_letters[r->resident[i]];
        lua_pushlstring(L, r->by_level, n);
        lua_rawseti(L, LUA_REGISTRYINDEX, r->level_ref[l]);
    }
}

/* Brings the resident ctx up to date with in. Answers are written only where
 * they differ from what ctx holds; fresh rewrites them all, so nothing a rule
 * did to ctx.answers can last. ctx.by_level is set anew on every call. */
static void set_input(lua_State *L, rules *r, const rules_input *in, bool fresh)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ctx_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->answers_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->status_ref);
    int ctx = lua_gettop(L) - 2;
    bool changed = fresh;
    for (int i = 0; i < r->n_crit; i++) {
        unsigned a = in->answers[i];
        if (a > ANSWER_NOT_APPLICABLE)
            a = ANSWER_NONE;
        if (a == r->resident[i] && !fresh)
            continue;
        changed = true;
        r->resident[i] = (unsigned char)a;
        if (a != ANSWER_NONE)
            lua_rawgeti(L, ctx + 2, a);
        else
            lua_pushnil(L);
        lua_rawseti(L, ctx + 1, i + 1);
    }
    lua_pop(L, 1);
    lua_setfield(L, ctx, "answers"); /* again, in case the rules replaced them */
    if (changed)
        build_by_level(L, r);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->by_level_ref);
    for (int l = 0; l < LEVEL_COUNT; l++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->level_ref[l]);
        lua_setfield(L, -2, rules_level_names[l]);
    }
    lua_setfield(L, ctx, "by_level");
    lua_pushstring(L, kind_names[in->kind == KIND_AUDIT]);
    lua_setfield(L, ctx, "kind");
    lua_pushstring(L, in->date);
    lua_setfield(L, ctx, "date");
    lua_pushinteger(L, in->internal_stakeholders);
    lua_setfield(L, ctx, "internal_stakeholders");
}

static const char *const outcome_names[] = {"eligible", "not_eligible", "incomplete"};

/* The outcome the value at idx names, or -1. */
static int outcome_at(lua_State *L, int idx)
{
    const char *o = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    for (int k = 0; o && k < 3; k++)
        if (strcmp(o, outcome_names[k]) == 0)
            return k;
    return -1;
}

typedef struct eval_call {
    rules *r;
    const rules_input *in;
    cJSON *result;
    int outcome;
} eval_call;

/* Calls decide(ctx), with ctx at the top of the stack; sets c->outcome. */
static void call_decide(lua_State *L, eval_call *c)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->r->decide_ref);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
    c->outcome = outcome_at(L, -1);
    if (c->outcome < 0)
        luaL_error(L,
                   AWARD_FILE ": decide() must return \"eligible\", \"not_eligible\" or "
                              "\"incomplete\", not %s",
                   luaL_typename(L, -1));
    lua_pop(L, 1);
}

static int run_decide(lua_State *L)
{
    eval_call *c = lua_touserdata(L, 1);
    set_input(L, c->r, c->in, false);
    if (c->r->decide_ref != LUA_NOREF) {
        call_decide(L, c);
        return 0;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->r->evaluate_ref);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "outcome");
    c->outcome = outcome_at(L, -1);
    if (c->outcome < 0)
        luaL_error(L, AWARD_FILE ": evaluate() must return a table with 'outcome' "
                                 "\"eligible\", \"not_eligible\" or \"incomplete\"");
    return 0;
}

static int run_evaluate(lua_State *L)
{
    eval_call *c = lua_touserdata(L, 1);
    rules *r = c->r;
    set_input(L, r, c->in, true);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->evaluate_ref);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    if (!lua_istable(L, -1))
        return luaL_error(L, AWARD_FILE ": evaluate() must return a table, not a %s",
                          luaL_typename(L, -1));
    ljson_to(L, -1, "evaluate()", result_order, &c->result);
    /* decide() gets the input afresh too, whatever evaluate() did to ctx. */
    c->outcome = -1;
    if (r->decide_ref != LUA_NOREF) {
        set_input(L, r, c->in, true);
        call_decide(L, c);
    }
    return 0;
}

static bool strings_only(const cJSON *a)
{
    if (!cJSON_IsArray(a))
        return false;
    for (const cJSON *i = a->child; i; i = i->next)
        if (!cJSON_IsString(i))
            return false;
    return true;
}

/* Checks the shape every consumer of an evaluation relies on. */
static const char *check_result(const cJSON *res)
{
    const cJSON *outcome = cJSON_GetObjectItemCaseSensitive(res, "outcome");
    const char *o = cJSON_GetStringValue(outcome);
    if (!o || (strcmp(o, "eligible") && strcmp(o, "not_eligible") && strcmp(o, "incomplete")))
        return "'outcome' must be \"eligible\", \"not_eligible\" or \"incomplete\"";
    const cJSON *eligible = cJSON_GetObjectItemCaseSensitive(res, "eligible");
    if (!cJSON_IsBool(eligible))
        return "'eligible' must be true or false";
    if (cJSON_IsTrue(eligible) != (strcmp(o, "eligible") == 0))
        return "'eligible' must be true exactly when 'outcome' is \"eligible\"";
    const cJSON *vu = cJSON_GetObjectItemCaseSensitive(res, "valid_until");
    if (vu && !cJSON_IsNull(vu) && !date_valid(cJSON_GetStringValue(vu)))
        return "'valid_until' must be a YYYY-MM-DD date or nil";
    if (!strings_only(cJSON_GetObjectItemCaseSensitive(res, "missing")))
        return "'missing' must be a list of criterion ids";
    if (!strings_only(cJSON_GetObjectItemCaseSensitive(res, "reasons")))
        return "'reasons' must be a list of sentences";
    static const char *const objects[] = {"mandatory", "recommended", "advised", NULL};
    for (const char *const *k = objects; *k; k++)
        if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(res, *k)))
            return "'mandatory', 'recommended' and 'advised' must be tables of counts";
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(res, "fields")))
        return "'fields' must be a list of { id, name, score }";
    return NULL;
}

int rules_evaluate(rules *r, const rules_input *in, cJSON **out, err *e)
{
    *out = NULL;
    eval_call call = {r, in, NULL, -1};
    long long started = date_clock_us();
    int rc = sandbox_run(r->sandbox, run_evaluate, &call, e);
    metrics_add(METRIC_EVALUATIONS, 1);
    metrics_add(METRIC_EVALUATION_MICROS, date_clock_us() - started);
    if (rc != ERR_OK) {
        cJSON_Delete(call.result);
        return rc;
    }
    const char *bad = check_result(call.result);
    if (!bad && call.outcome >= 0 &&
        strcmp(outcome_names[call.outcome],
               cJSON_GetStringValue(cJSON_GetObjectItem(call.result, "outcome"))) != 0)
        bad = "its outcome differs from the one decide() returns";
    if (bad) {
        cJSON_Delete(call.result);
        return err_set(e, ERR_RULES, "%.*s: evaluate() returned a bad result: %s",
                       (int)strcspn(r->award_pos, ":"), r->award_pos, bad);
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "ruleset", r->hash);
    cJSON_AddStringToObject(root, "kind", kind_names[in->kind == KIND_AUDIT]);
    cJSON_AddStringToObject(root, "date", in->date);
    for (const char *const *k = top_order; *k; k++) {
        cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(call.result, *k);
        if (!item && strcmp(*k, "valid_until") == 0)
            item = cJSON_CreateNull();
        if (item)
            cJSON_AddItemToObject(root, *k, item);
    }
    while (call.result->child) /* anything more the rules add, in sorted order */
        cJSON_AddItemToObject(root, call.result->child->string,
                              cJSON_DetachItemViaPointer(call.result, call.result->child));
    cJSON_Delete(call.result);
    *out = root;
    return ERR_OK;
}

int rules_decide(rules *r, const rules_input *in, rules_outcome *out, err *e)
{
    eval_call call = {r, in, NULL, -1};
    int rc = sandbox_run(r->sandbox, run_decide, &call, e);
    if (rc == ERR_OK)
        *out = (rules_outcome)call.outcome;
    return rc;
}

cJSON *rules_criterion_json(const rules_criterion *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddStringToObject(o, "field", c->field);
    cJSON_AddStringToObject(o, "theme", c->theme);
    cJSON_AddStringToObject(o, "level", rules_level_name(c->level));
    cJSON_AddStringToObject(o, "statement", c->statement);
    return o;
}
