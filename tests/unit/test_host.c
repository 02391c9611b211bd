/* Unit tests of the Lua host: limits, error mapping and sandbox holes. Every
 * hole is checked against the exact message a script author would see. */
#include "host.h"
#include "test.h"

typedef struct script {
    host *h;
    files_tree tree;
    char *dir;
} script;

/* A host over a tree of one or two files written to a temporary folder. */
static int open_script(script *s, const char *path, const char *code, const char *path2,
                       const char *code2, const host_limits *lim)
{
    err e = ERR_INIT;
    s->dir = fixture_tmpdir();
    fixture_write(s->dir, path, code);
    if (path2)
        fixture_write(s->dir, path2, code2);
    if (files_tree_read(s->dir, ".lua", NULL, &s->tree, &e) != ERR_OK)
        return fprintf(stderr, "%s\n", err_msg(&e)), 1;
    if (host_new(&s->tree, lim, NULL, NULL, &s->h, &e) != ERR_OK)
        return fprintf(stderr, "%s\n", err_msg(&e)), 1;
    return 0;
}

static void close_script(script *s)
{
    host_free(s->h);
    files_tree_free(&s->tree);
    fixture_rmtree(s->dir);
}

static int run_file(lua_State *L)
{
    host_load(L, lua_touserdata(L, 1));
    lua_call(L, 0, 0);
    return 0;
}

/* Runs path in s; returns the error message ("" on success), kept in a static buffer. */
static const char *run(script *s, const char *path)
{
    static char msg[1024];
    err e = ERR_INIT;
    host_run(s->h, run_file, (void *)path, &e);
    snprintf(msg, sizeof msg, "%s", err_msg(&e));
    err_clear(&e);
    return msg;
}

static const char *eval_in(const char *code)
{
    static char msg[1024];
    script s;
    if (open_script(&s, "t.lua", code, NULL, NULL, NULL))
        return "(setup failed)";
    snprintf(msg, sizeof msg, "%s", run(&s, "t.lua"));
    close_script(&s);
    return msg;
}

TEST_IMPL(host_instruction_limit)
{
    script s;
    host_limits lim = {.instructions = 200000, .memory = 0};
    ASSERT_EQ(open_script(&s, "loop.lua", "local n = 0\nwhile true do n = n + 1 end\n", "ok.lua",
                          "local n = 0 for i = 1, 1000 do n = n + i end", &lim),
              0);
    ASSERT_STR_EQ(run(&s, "loop.lua"),
                  "loop.lua:2: instruction limit exceeded (200000 instructions)");
    /* The budget is per run: the next one works. */
    ASSERT_STR_EQ(run(&s, "ok.lua"), "");
    close_script(&s);
    return 0;
}

TEST_IMPL(host_limit_survives_pcall)
{
    ASSERT_STR_EQ(eval_in("while true do pcall(function() while true do end end) end"),
                  "t.lua:1: instruction limit exceeded (50000000 instructions)");
    return 0;
}

TEST_IMPL(host_memory_limit)
{
    script s;
    host_limits lim = {.instructions = 0, .memory = (size_t)8 << 20};
    ASSERT_EQ(open_script(&s, "bomb.lua",
                          "local t = {}\nfor i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end\n",
                          "ok.lua", "local t = {} for i = 1, 1000 do t[i] = i end", &lim),
              0);
    size_t before = host_memory(s.h);
    ASSERT_STR_EQ(run(&s, "bomb.lua"), "bomb.lua:2: memory limit exceeded (8 MiB)");
    /* What the failed script held is given back, and the state still works. */
    ASSERT(host_memory(s.h) < before + ((size_t)1 << 20));
    ASSERT_STR_EQ(run(&s, "ok.lua"), "");
    ASSERT_STR_EQ(run(&s, "bomb.lua"), "bomb.lua:2: memory limit exceeded (8 MiB)");
    close_script(&s);
    return 0;
}

TEST_IMPL(host_error_positions)
{
    script s;
    ASSERT_EQ(open_script(&s, "lib/a.lua", "\n\nerror('boom')\n", "b.lua", "x = = 1", NULL), 0);
    ASSERT_STR_EQ(run(&s, "lib/a.lua"), "lib/a.lua:3: boom");
    ASSERT_STR_EQ(run(&s, "b.lua"), "b.lua:1: unexpected symbol near '='");
    ASSERT_CONTAINS(host_traceback(s.h), "stack traceback:");
    ASSERT_STR_EQ(run(&s, "missing.lua"), "no file 'missing.lua' in this script tree");
    close_script(&s);
    ASSERT_STR_EQ(eval_in("error({})"), "(error object is a table value)");
    return 0;
}

TEST_IMPL(host_sandbox_holes)
{
    ASSERT_STR_EQ(eval_in("os.execute('true')"),
                  "t.lua:1: attempt to call a nil value (field 'execute')");
    ASSERT_STR_EQ(eval_in("io.open('/etc/passwd')"),
                  "t.lua:1: attempt to index a nil value (global 'io')");
    ASSERT_STR_EQ(eval_in("debug.getinfo(1)"),
                  "t.lua:1: attempt to index a nil value (global 'debug')");
    ASSERT_STR_EQ(eval_in("require('os')"),
                  "t.lua:1: attempt to call a nil value (global 'require')");
    ASSERT_STR_EQ(eval_in("package.loadlib('x', 'y')"),
                  "t.lua:1: attempt to index a nil value (global 'package')");
    ASSERT_STR_EQ(eval_in("dofile('/etc/passwd')"),
                  "t.lua:1: attempt to call a nil value (global 'dofile')");
    ASSERT_STR_EQ(eval_in("loadfile('/etc/passwd')"),
                  "t.lua:1: attempt to call a nil value (global 'loadfile')");
    ASSERT_STR_EQ(eval_in("string.dump(print)"),
                  "t.lua:1: attempt to call a nil value (field 'dump')");
    ASSERT_STR_EQ(eval_in("assert(load(string.char(27) .. 'Lua'))"),
                  "t.lua:1: attempt to load a binary chunk (mode is 't')");
    ASSERT_STR_EQ(eval_in("assert(load('return 1', 'x', 'b'))()"), "");
    ASSERT_STR_EQ(eval_in("collectgarbage('stop')"),
                  "t.lua:1: attempt to call a nil value (global 'collectgarbage')");
    ASSERT_STR_EQ(eval_in("setmetatable({}, { __gc = function () while true do end end })"),
                  "t.lua:1: __gc metamethods are not allowed in the sandbox");
    ASSERT_STR_EQ(eval_in("local mt = {} setmetatable({}, mt) mt.__gc = print"), "");
    ASSERT_STR_EQ(eval_in("math.random()"),
                  "t.lua:1: attempt to call a nil value (field 'random')");
    ASSERT_STR_EQ(eval_in("os.exit(1)"), "t.lua:1: attempt to call a nil value (field 'exit')");
    ASSERT_STR_EQ(eval_in("os.getenv('HOME')"),
                  "t.lua:1: attempt to call a nil value (field 'getenv')");
    ASSERT_STR_EQ(eval_in("assert(os.time() > 0 and os.date('%Y') and os.clock())"), "");
    ASSERT_STR_EQ(eval_in("assert(utf8.len('é') == 1 and table.concat({1, 2}) == '12')"), "");
    return 0;
}

TEST_IMPL(host_readonly_api)
{
    ASSERT_STR_EQ(eval_in("string.format = nil"),
                  "t.lua:1: attempt to modify a read-only table (key 'format')");
    ASSERT_STR_EQ(eval_in("table.insert = print"),
                  "t.lua:1: attempt to modify a read-only table (key 'insert')");
    ASSERT_STR_EQ(eval_in("getmetatable('').__index.rep = nil"),
                  "t.lua:1: attempt to index a boolean value");
    ASSERT_STR_EQ(eval_in("setmetatable(string, {})"),
                  "t.lua:1: cannot change a protected metatable");
    ASSERT_STR_EQ(eval_in("rawset(string, 'x', 1)"),
                  "t.lua:1: attempt to call a nil value (global 'rawset')");
    ASSERT_STR_EQ(eval_in("load('x = 1')()"),
                  "[string \"x = 1\"]:1: attempt to modify a read-only table (key 'x')");
    ASSERT_STR_EQ(eval_in("setmetatable(_ENV, nil)"),
                  "t.lua:1: cannot change a protected metatable");
    /* pairs still walks the frozen libraries. */
    ASSERT_STR_EQ(eval_in("local n = 0 for k in pairs(string) do n = n + 1 end assert(n > 10)"),
                  "");
    return 0;
}

TEST_IMPL(host_file_environments)
{
    script s;
    ASSERT_EQ(
        open_script(&s, "a.lua", "shared = 42", "b.lua", "assert(shared == nil, 'leak')", NULL), 0);
    ASSERT_STR_EQ(run(&s, "a.lua"), "");
    ASSERT_STR_EQ(run(&s, "b.lua"), "");
    close_script(&s);
    return 0;
}

TEST_IMPL(host_include)
{
    script s;
    ASSERT_EQ(open_script(&s, "main.lua",
                          "local a = include('lib/m.lua')\n"
                          "local b = include('lib/m.lua')\n"
                          "assert(a == b and a.n == 1, 'included twice')\n"
                          "include('../etc/passwd.lua')\n",
                          "lib/m.lua", "count = (count or 0) + 1\nreturn { n = count }", NULL),
              0);
    ASSERT_STR_EQ(run(&s, "main.lua"),
                  "main.lua:4: no file '../etc/passwd.lua' in this script tree");
    close_script(&s);
    ASSERT_EQ(open_script(&s, "a.lua", "include('b.lua')", "b.lua", "include('a.lua')", NULL), 0);
    ASSERT_STR_EQ(run(&s, "a.lua"), "a.lua:1: include cycle through 'b.lua'");
    close_script(&s);
    return 0;
}

/* inner(): runs the inner host's script from inside the outer host's run. */
static int l_inner(lua_State *L)
{
    script *inner = lua_touserdata(L, lua_upvalueindex(1));
    lua_pushstring(L, run(inner, "short.lua"));
    return 1;
}

TEST_IMPL(host_limit_counts_after_nested_run)
{
    /* A run is counted from the watchdog's first tick on; a short run of
     * another host inside it must not leave the outer one uncounted. */
    script inner;
    ASSERT_EQ(open_script(&inner, "short.lua", "local n = 0 for i = 1, 10 do n = n + i end", NULL,
                          NULL, NULL),
              0);
    script outer;
    static const luaL_Reg api[] = {{"inner", l_inner}, {NULL, NULL}};
    err e = ERR_INIT;
    host_limits lim = {.instructions = 100000, .memory = 0};
    outer.dir = fixture_tmpdir();
    fixture_write(outer.dir, "loop.lua",
                  "assert(inner() == '')\nlocal n = 0\nwhile true do n = n + 1 end\n");
    ASSERT_EQ(files_tree_read(outer.dir, ".lua", NULL, &outer.tree, &e), ERR_OK);
    ASSERT_EQ(host_new(&outer.tree, &lim, api, &inner, &outer.h, &e), ERR_OK);
    ASSERT_STR_EQ(run(&outer, "loop.lua"),
                  "loop.lua:3: instruction limit exceeded (100000 instructions)");
    /* and a short run after it is not stopped by what is left of the hook */
    ASSERT_STR_EQ(run(&inner, "short.lua"), "");
    close_script(&outer);
    close_script(&inner);
    return 0;
}
