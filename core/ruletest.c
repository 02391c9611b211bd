/* ruletest: a trusted Lua state running busted, with a "labelcoop" module
 * whose rule sets are real rules objects: loading, evaluating and listing go
 * through the same C code as the command line and the server.
 * Also runs the specs of an activation in a child process, bounded in time.
 * Uses rules, evaluation and ljson; busted comes from Debian's lua-busted. */
#include "ruletest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lualib.h>

#include "date.h"
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
    const sandbox_limits *lim = lua_touserdata(L, -1);
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

int ruletest_run(const char *rules_dir, const sandbox_limits *lim, int n_extra, char **extra)
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

/* ---- the specs of an activation, in a child process ------------------------- */

#define SPECS_SECONDS 120      /* a spec is trusted Lua: nothing else bounds it */
#define REPORT_BYTES (16 << 10) /* of busted's report, the end kept (its summary) */

extern char **environ;

/* Appends n bytes to a report that keeps its last REPORT_BYTES. */
static void report_add(char *buf, size_t *len, const char *data, size_t n)
{
    if (n >= REPORT_BYTES) {
        data += n - REPORT_BYTES;
        n = REPORT_BYTES;
    }
    if (*len + n > REPORT_BYTES) {
        size_t drop = *len + n - REPORT_BYTES;
        memmove(buf, buf + drop, *len - drop);
        *len -= drop;
    }
    memcpy(buf + *len, data, n);
    *len += n;
}

/* Starts `labelcoop rules test --rules dir -- -o plainTerminal` with its
 * output on out_fd; the server's blocked and ignored signals are reset. */
static int spawn_specs(const char *dir, const sandbox_limits *lim, int out_fd, pid_t *pid, err *e)
{
    /* This very program, even when its file was replaced since it started
     * (an upgrade under a running server): /proc/self/exe is its inode. */
    static const char self[] = "/proc/self/exe";
    char insn[32], mem[32];
    char *argv[12];
    int k = 0;
    argv[k++] = "labelcoop", argv[k++] = "rules", argv[k++] = "test", argv[k++] = "--rules";
    argv[k++] = (char *)dir;
    if (lim && lim->instructions) {
        snprintf(insn, sizeof insn, "--max-instructions=%lld", (long long)lim->instructions);
        argv[k++] = insn;
    }
    if (lim && lim->memory) {
        snprintf(mem, sizeof mem, "--max-memory=%zu", lim->memory >> 20);
        argv[k++] = mem;
    }
    argv[k++] = "--", argv[k++] = "-o", argv[k++] = "plainTerminal", argv[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, self, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return err_set(e, ERR_UNAVAILABLE, "cannot run the rule specs: %s", strerror(rc));
    return ERR_OK;
}

/* Reads the child's output until it ends or the time is up (then kills it);
 * *status is its wait status, -1 when killed. */
static void collect_specs(int fd, pid_t pid, char *buf, size_t *len, int *status)
{
    /* On the monotonic clock: a wall clock set back would let it run on. */
    long long deadline = date_clock_us() + SPECS_SECONDS * 1000000LL;
    bool killed = false;
    char chunk[4096];
    for (;;) {
        long long left_ms = (deadline - date_clock_us() + 999) / 1000;
        struct pollfd p = {fd, POLLIN, 0};
        int ready = left_ms > 0 ? poll(&p, 1, (int)left_ms) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        report_add(buf, len, chunk, (size_t)n);
    }
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    if (killed)
        *status = -1;
}

/* The report with the folder's path taken out ("spec/award_spec.lua @ 52"). */
static void strip_dir(char *buf, size_t *len, const char *dir)
{
    char prefix[4200];
    int n = snprintf(prefix, sizeof prefix, "%s/", dir);
    size_t out = 0;
    for (size_t i = 0; i < *len;) {
        if (n > 0 && i + (size_t)n <= *len && memcmp(buf + i, prefix, (size_t)n) == 0) {
            i += (size_t)n;
            continue;
        }
        buf[out++] = buf[i++];
    }
    *len = out;
}

int ruletest_child(const char *dir, const sandbox_limits *lim, err *e)
{
    int fds[2];
    if (pipe(fds) != 0)
        return err_set(e, ERR_UNAVAILABLE, "cannot run the rule specs: %s", strerror(errno));
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    pid_t pid;
    int rc = spawn_specs(dir, lim, fds[1], &pid, e);
    close(fds[1]);
    if (rc != ERR_OK) {
        close(fds[0]);
        return rc;
    }
    char *buf = malloc(REPORT_BYTES + 1);
    size_t len = 0;
    int status = 0;
    if (!buf) {
        kill(pid, SIGKILL);
        collect_specs(fds[0], pid, (char[REPORT_BYTES]){0}, &len, &status);
        close(fds[0]);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    collect_specs(fds[0], pid, buf, &len, &status);
    close(fds[0]);
    strip_dir(buf, &len, dir);
    buf[len] = '\0';
    if (status == -1)
        rc = err_set(e, ERR_FAIL, "the rule specs did not finish within %d s:\n%s",
                     SPECS_SECONDS, buf);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = err_set(e, ERR_FAIL, "the rule specs fail:\n%s", buf);
    free(buf);
    return rc;
}

/* A path that stays inside the folder it is written to: relative, made of
 * names (no "", "." or ".." segment). */
static bool inside(const char *path)
{
    if (!*path || *path == '/')
        return false;
    for (const char *seg = path; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
    }
    return true;
}

/* Writes the files of t under dir, making the folders they need. */
static int write_tree(const char *dir, const files_tree *t, err *e)
{
    for (size_t i = 0; t && i < t->count; i++) {
        if (!inside(t->paths[i]))
            return err_set(e, ERR_INPUT, "%s: a file's path is relative, without . or ..",
                           t->paths[i]);
        char *path = files_join(dir, t->paths[i]);
        if (!path)
            return err_set(e, ERR_FAIL, "out of memory");
        char *rel = path + strlen(dir) + 1;
        for (char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            mkdir(path, 0700); /* may exist; a failure shows at the fopen */
            *slash = '/';
        }
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(t->data[i], 1, t->lens[i], f) == t->lens[i];
        if (f && fclose(f) != 0)
            ok = false;
        free(path);
        if (!ok)
            return err_set(e, ERR_UNAVAILABLE, "cannot write the rule specs' folder: %s",
                           strerror(errno));
    }
    return ERR_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

int ruletest_tree(const files_tree *rules_files, const files_tree *specs, const sandbox_limits *lim,
                  err *e)
{
    char dir[] = "/tmp/labelcoop-specs-XXXXXX";
    if (!mkdtemp(dir))
        return err_set(e, ERR_UNAVAILABLE, "cannot run the rule specs: %s", strerror(errno));
    int rc = write_tree(dir, rules_files, e);
    if (rc == ERR_OK)
        rc = write_tree(dir, specs, e);
    if (rc == ERR_OK)
        rc = ruletest_child(dir, lim, e);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
