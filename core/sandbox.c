/* sandbox: the Lua sandbox. Provides capped allocation, a count hook that cannot
 * be swallowed by pcall once tripped, frozen API tables with per-file
 * environments (as lighttpd's mod_magnet), and loading from a file tree held
 * in memory. Uses Lua 5.4's C API and the files module.
 *
 * Counting instructions has a price: while a count hook is set, Lua 5.4
 * traps every instruction, which halves the speed of a script. Most runs (an
 * award decision, a plugin hook) end within microseconds, so a run starts
 * without the hook, and a watchdog thread arms it in any run it finds still
 * going a tick later: it signals the thread of that run, and the signal
 * handler sets the hook, as lua.c does for SIGINT (lua_sethook is meant to be
 * called from a signal handler). The limit thus counts from the first tick
 * (2 to 4 ms) of a run on; a loop without end is still stopped. */
#include "sandbox.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lualib.h>

#include "files.h"
#include "lpattern.h"

/* The watchdog's tick. */
#define WATCH_TICK_NS 2000000L

/* The count hook fires every COUNT_STEP instructions: coarse enough to cost
 * nothing, fine enough that a limit is honoured within 0.02%. */
#define COUNT_STEP 10000

struct sandbox {
    lua_State *L;
    const files_tree *tree; /* borrowed */
    size_t mem_used, mem_limit;
    long long insn_used, insn_limit;
    atomic_int *interrupt; /* set by a signal handler: stop at the next hook */
    int tripped;           /* the instruction limit fired during this run */
    char mem_where[256];
    lpattern_budget patterns; /* the pattern functions' steps */
    /* watchdog: run_seq is odd while a run is going; the runner writes it and
     * thread, the watchdog reads them; armed is set by the signal handler and
     * read by the watchdog, so atomic (lock-free, safe in a handler). */
    atomic_uint run_seq;
    unsigned seen_seq;
    /* the watchdog's count of ticks the run it sees has lasted, the limit of
     * that count, and the run_seq of a run found over it */
    long long ticks, tick_limit;
    atomic_uint overtime_seq;
    pthread_t thread;
    atomic_int armed;
    sandbox *watch_next, *watch_prev;
};

/* Inside sandbox_run: positions can be recorded. */
static bool running(const sandbox *h)
{
    return atomic_load_explicit(&h->run_seq, memory_order_relaxed) & 1;
}

static const char KEY_ENVMT[] = "labelcoop.envmt";
static const char KEY_INCLUDED[] = "labelcoop.included";

static sandbox *sandbox_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

void sandbox_where(lua_State *L, int level, char *buf, size_t size)
{
    lua_Debug ar;
    buf[0] = '\0';
    for (; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar))
            break;
        if (ar.currentline > 0) {
            snprintf(buf, size, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
}

void sandbox_only_keys(lua_State *L, int t, const char *const *allowed, sandbox_key_fn *unknown,
                       void *ud)
{
    t = lua_absindex(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        /* never lua_tostring a number key: it would change the key next() reads */
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        const char *const *a = allowed;
        while (k && *a && strcmp(*a, k) != 0)
            a++;
        if (!k || !*a)
            unknown(L, ud, k);
    }
}

static bool interrupted(const sandbox *h)
{
    return h->interrupt && atomic_load_explicit(h->interrupt, memory_order_relaxed);
}

/* The watchdog found this run over its time. */
static bool overtime(sandbox *h)
{
    return atomic_load_explicit(&h->overtime_seq, memory_order_relaxed) ==
           atomic_load_explicit(&h->run_seq, memory_order_relaxed);
}

static void count_hook(lua_State *L, lua_Debug *ar);

/* Has the hook fire at the next instruction; safe in a signal handler. */
static void hurry(sandbox *h)
{
    lua_sethook(h->L, count_hook, LUA_MASKCOUNT, 1);
    atomic_store_explicit(&h->armed, 1, memory_order_relaxed);
}

/* Adds steps to the run's count; it stays at LLONG_MAX once there. */
static void count_steps(sandbox *h, long long steps)
{
    h->insn_used = steps > LLONG_MAX - h->insn_used ? LLONG_MAX : h->insn_used + steps;
}

static void *alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *h = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize tells the object type */
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= old;
        return NULL;
    }
    if (nsize > old && h->mem_used - old + nsize > h->mem_limit) {
        if (running(h) && h->L && !h->mem_where[0])
            sandbox_where(h->L, 0, h->mem_where, sizeof h->mem_where);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) {
        h->mem_used = h->mem_used - old + nsize;
        /* Filling memory is work too (a concatenation of long strings is one
         * instruction): a step per 16 bytes, checked at the next hook. */
        if (nsize > old)
            count_steps(h, (long long)((nsize - old) >> 4));
        /* Past the limit, the next instruction stops the run: the hook may
         * be 10,000 long instructions away. lua_sethook is safe anywhere. */
        if (h->insn_used > h->insn_limit && running(h) && h->L)
            hurry(h);
    }
    return p;
}

/* Writes "file:line: " of the innermost function from a file of the tree (a
 * chunk given to load() has no file: its caller's line is the one to fix),
 * from a hook or from a C function; else as sandbox_where. */
static void tree_where(lua_State *L, char *buf, size_t size)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source[0] == '@') {
            snprintf(buf, size, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    sandbox_where(L, 0, buf, size);
}

/* Stops the run with the interrupt's or the limit's error. From now on the
 * hook fires at every instruction, so a script that catches the error with
 * pcall (or runs a __close handler) is stopped again at once (as Redis does). */
static int stop(lua_State *L, sandbox *h)
{
    if (!h->tripped) {
        h->tripped = 1;
        hurry(h); /* armed too: a watchdog signal must not slow the hook down again */
    }
    char pos[256];
    tree_where(L, pos, sizeof pos);
    if (interrupted(h))
        lua_pushfstring(L, "%sinterrupted", pos);
    else if (overtime(h))
        lua_pushfstring(L, "%stime limit exceeded (%I ms)", pos,
                        (lua_Integer)(h->tick_limit * WATCH_TICK_NS / 1000000));
    else
        lua_pushfstring(L, "%sinstruction limit exceeded (%I instructions)", pos,
                        (lua_Integer)h->insn_limit);
    return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sandbox *h = sandbox_of(L);
    if (!h->tripped && !interrupted(h) && !overtime(h)) {
        count_steps(h, COUNT_STEP);
        if (h->insn_used <= h->insn_limit)
            return;
    }
    stop(L, h);
}

/* Counts work done inside a C function against the instruction limit, and
 * stops the run there when it is spent or interrupted: the hook never fires
 * while C code runs. */
static void charge(lua_State *L, long long steps)
{
    sandbox *h = sandbox_of(L);
    count_steps(h, steps);
    if (h->tripped || h->insn_used > h->insn_limit || interrupted(h) || overtime(h))
        stop(L, h);
}

/* ---- watchdog ------------------------------------------------------------ */

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond;
static sandbox *watch_list;
/* A watchdog runs while sandboxes exist: started by the first, stopped (and
 * joined) with the last; generation tells a watchdog it is no longer wanted. */
static bool watch_started;
static pthread_t watch_thread;
static unsigned watch_generation;
static _Thread_local sandbox *tl_running;

static int watch_signal(void)
{
    return SIGRTMIN + 3;
}

static void watch_arm(int sig)
{
    (void)sig;
    int saved = errno; /* the thread may be between a failing call and its errno check */
    sandbox *h = tl_running;
    if (h && (interrupted(h) || overtime(h)))
        hurry(h); /* stopped at the next instruction, however long each is */
    else if (h && !atomic_load_explicit(&h->armed, memory_order_relaxed)) {
        lua_sethook(h->L, count_hook, LUA_MASKCOUNT, COUNT_STEP);
        atomic_store_explicit(&h->armed, 1, memory_order_relaxed);
    }
    errno = saved;
}

static void tick_after(struct timespec *t)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_nsec += WATCH_TICK_NS;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

/* Every tick, signals the thread of every run that was already going at the
 * last look and is not counted yet, or is interrupted, or has lasted longer
 * than its time (counted in ticks, each at least WATCH_TICK_NS apart). */
static void *watch_loop(void *arg)
{
    unsigned generation = (unsigned)(uintptr_t)arg;
    pthread_mutex_lock(&watch_lock);
    while (generation == watch_generation) {
        struct timespec until;
        tick_after(&until);
        pthread_cond_timedwait(&watch_cond, &watch_lock, &until);
        for (sandbox *h = watch_list; h; h = h->watch_next) {
            unsigned seq = atomic_load_explicit(&h->run_seq, memory_order_acquire);
            if ((seq & 1) && seq == h->seen_seq) {
                bool late = ++h->ticks > h->tick_limit;
                if (late)
                    atomic_store_explicit(&h->overtime_seq, seq, memory_order_relaxed);
                if (late || interrupted(h) ||
                    !atomic_load_explicit(&h->armed, memory_order_relaxed))
                    pthread_kill(h->thread, watch_signal());
            } else {
                h->ticks = 0;
            }
            h->seen_seq = seq;
        }
    }
    pthread_mutex_unlock(&watch_lock);
    return NULL;
}

static void watch_init_cond(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&watch_cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void watch_prepare(void)
{
    pthread_mutex_lock(&watch_lock);
}

static void watch_parent(void)
{
    pthread_mutex_unlock(&watch_lock);
}

static void watch_child(void)
{
    watch_started = false; /* the thread did not survive the fork */
    watch_init_cond();
    pthread_mutex_unlock(&watch_lock);
}

static void watch_once(void)
{
    watch_init_cond();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watch_arm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(watch_signal(), &sa, NULL);
    pthread_atfork(watch_prepare, watch_parent, watch_child);
}

/* Adds h to the watched sandboxes, starting the watchdog if need be. */
static int watch_add(sandbox *h, err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, watch_once);
    pthread_mutex_lock(&watch_lock);
    int rc = ERR_OK;
    if (!watch_started) {
        /* The watchdog must not take the signal it sends. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        if (pthread_create(&watch_thread, NULL, watch_loop, (void *)(uintptr_t)watch_generation) ==
            0)
            watch_started = true;
        else
            rc = err_set(e, ERR_FAIL, "cannot start the sandbox watchdog");
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (rc == ERR_OK) {
        h->watch_next = watch_list;
        if (watch_list)
            watch_list->watch_prev = h;
        watch_list = h;
    }
    pthread_mutex_unlock(&watch_lock);
    return rc;
}

/* Removes h; the last sandbox out stops the watchdog. */
static void watch_remove(sandbox *h)
{
    pthread_mutex_lock(&watch_lock);
    if (h->watch_prev)
        h->watch_prev->watch_next = h->watch_next;
    else if (watch_list == h)
        watch_list = h->watch_next;
    if (h->watch_next)
        h->watch_next->watch_prev = h->watch_prev;
    bool stop = !watch_list && watch_started;
    pthread_t t = watch_thread;
    if (stop) {
        watch_generation++;
        watch_started = false;
        pthread_cond_broadcast(&watch_cond);
    }
    pthread_mutex_unlock(&watch_lock);
    if (stop)
        pthread_join(t, NULL);
}

/* Message handler: the error as text, whatever value the script raised. The
 * message names the file and line at fault; no traceback is kept, as nothing
 * reads one (the log has one line per error). */
static int message_handler(lua_State *L)
{
    if (lua_tostring(L, 1))
        return 1;
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        return 1;
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    return 1;
}

/* ---- frozen tables ---------------------------------------------------- */

static int readonly_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to modify a read-only table (key '%s')",
                      luaL_tolstring(L, 2, NULL));
}

/* The iterator of a view: walks the real table, its upvalue, which a script
 * can never reach (a C closure's upvalues are out of its reach without the
 * debug library). Handing the real table to next, as the state, would give
 * it away. */
static int readonly_next(lua_State *L)
{
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int readonly_pairs(lua_State *L)
{
    lua_getmetatable(L, 1); /* raw: __metatable only hides it from scripts */
    lua_pushliteral(L, "__index");
    lua_rawget(L, -2);
    lua_pushcclosure(L, readonly_next, 1);
    lua_pushnil(L);
    lua_pushnil(L);
    return 3;
}

/* [-1, +1]: replaces the table at the top of the stack by a read-only view
 * of it. */
static void make_readonly(lua_State *L)
{
    lua_newtable(L);          /* view */
    lua_createtable(L, 0, 4); /* its metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, readonly_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

/* ---- the API scripts see ---------------------------------------------- */

/* A piece of a chunk that load() reads through a function: charged by its
 * length, as parsing it is work done in C. */
static int l_load_piece(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, 1);
    size_t len = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
        lua_tolstring(L, -1, &len);
    charge(L, 1 + (long long)len);
    return 1;
}

/* load() in text mode only: binary chunks bypass the verifier-less VM. The
 * text is charged a step a byte, what compiling it costs. */
static int l_load(lua_State *L)
{
    int n = lua_gettop(L);
    size_t len = 0;
    if (lua_type(L, 1) == LUA_TSTRING)
        lua_tolstring(L, 1, &len);
    charge(L, 1 + (long long)len);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    if (lua_type(L, 1) == LUA_TFUNCTION)
        lua_pushcclosure(L, l_load_piece, 1);
    if (n >= 2)
        lua_pushvalue(L, 2);
    else
        lua_pushnil(L);
    lua_pushliteral(L, "t");
    if (n >= 4)
        lua_pushvalue(L, 4);
    lua_call(L, n >= 4 ? 4 : 3, 2);
    return 2;
}

/* setmetatable() refusing finalizers: Lua runs __gc with hooks off, so a
 * finalizer that loops could never be stopped. None can exist, by
 * construction: Lua marks an object for finalization only inside
 * lua_setmetatable, and only if the metatable's raw __gc is not nil at that
 * moment (lgc.c, luaC_checkfinalizer); a __gc added to a metatable later marks
 * nothing. This function is a script's only way to lua_setmetatable (scripts
 * have no debug library and cannot make userdata; the sandbox's own metatables
 * are out of their reach), it reads __gc raw, and no script code runs between
 * that read and the set, so no metamethod can add a __gc in between. */
static int l_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) /* raw */
        return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* print() goes to stderr with the caller's position: stdout carries results.
 * It prints its arguments only (a luaL_Buffer takes a stack slot of its own). */
static int l_print(lua_State *L)
{
    int n = lua_gettop(L);
    char pos[256];
    sandbox_where(L, 1, pos, sizeof pos);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    charge(L, 1 + (long long)(len >> 6));
    fprintf(stderr, "%s%s\n", pos, text);
    return 0;
}

/* ---- work done in C ---------------------------------------------------- */

/* How a library function's work is counted, since the hook never fires inside
 * a C function. A function whose work is making a new string (format, sub,
 * upper, char...) is counted by the allocator. The others are listed here: a
 * step per argument and per 16 bytes of text in their results (COST_OUT),
 * which reuse the stack rather than allocate, and in their arguments too when
 * they read them whole (COST_IN); what their loop does, charged before the
 * loop when nothing else bounds it (a table.move of 2^40 nils allocates
 * nothing); or as said below. The pattern functions count their own steps
 * (lpattern). */
enum cost {
    COST_OUT,
    COST_IN,
    COST_REP,     /* its copies, after them: memory bounds them */
    COST_CONCAT,  /* an element a step, empty ones too */
    COST_INSERT,  /* the elements shifted, before */
    COST_REMOVE,  /* the same */
    COST_MOVE,    /* the elements copied, before */
    COST_SORT,    /* n log n comparisons, before */
    COST_CODES,   /* its iterator is counted too ... */
    COST_ADVANCE, /* ... by the bytes each step goes over */
};

static const struct {
    const char *lib, *name; /* lib NULL: a base function */
    enum cost cost;
} charged_funcs[] = {
    {"string", "byte", COST_OUT},     {"string", "unpack", COST_IN},
    {"string", "packsize", COST_IN},  {"string", "rep", COST_REP},
    {"table", "concat", COST_CONCAT}, {"table", "unpack", COST_OUT},
    {"table", "insert", COST_INSERT}, {"table", "remove", COST_REMOVE},
    {"table", "move", COST_MOVE},     {"table", "sort", COST_SORT},
    {"utf8", "codepoint", COST_OUT},  {"utf8", "len", COST_IN},
    {"utf8", "offset", COST_IN},      {"utf8", "codes", COST_CODES},
    {"math", "max", COST_OUT},        {"math", "min", COST_OUT},
    {NULL, "tonumber", COST_IN},      {NULL, "select", COST_OUT},
};

/* Steps for the values at from..to: one each, and one per 16 bytes of text
 * (a byte loop such as upper's does about that in an instruction's time). */
static long long sizes(lua_State *L, int from, int to)
{
    long long n = 0;
    for (int i = from; i <= to; i++) {
        size_t len = 0;
        if (lua_type(L, i) == LUA_TSTRING)
            lua_tolstring(L, i, &len);
        n += 1 + (long long)(len >> 4);
    }
    return n;
}

/* Elements a loop from a to b visits, without overflow. */
static long long span(lua_Integer a, lua_Integer b)
{
    if (b < a)
        return 0;
    lua_Unsigned d = (lua_Unsigned)b - (lua_Unsigned)a;
    return d >= (lua_Unsigned)LLONG_MAX ? LLONG_MAX : (long long)d + 1;
}

/* The length table.insert/remove/sort will see (a __len of the script's may
 * say anything; it is asked twice, here and by the function). */
static lua_Integer length(lua_State *L)
{
    return lua_type(L, 1) == LUA_TTABLE ? luaL_len(L, 1) : 0;
}

/* What a function's loop will do, for those charged before it runs. */
static long long cost_before(lua_State *L, enum cost cost)
{
    int n = lua_gettop(L);
    switch (cost) {
    case COST_INSERT: /* insert(t, pos, v) shifts pos..#t */
        return n == 3 && lua_isinteger(L, 2) ? span(lua_tointeger(L, 2), length(L)) : 0;
    case COST_REMOVE: /* remove(t, pos) shifts pos..#t */
        return n >= 2 && lua_isinteger(L, 2) ? span(lua_tointeger(L, 2), length(L)) : 0;
    case COST_MOVE:
        return span(luaL_checkinteger(L, 2), luaL_checkinteger(L, 3));
    case COST_SORT: {
        lua_Integer e = length(L);
        long long steps = 0;
        if (e < INT_MAX) /* beyond, sort refuses at once */
            for (lua_Integer k = e; k > 1; k >>= 1)
                steps += e;
        /* a comparator call is worth a few instructions (a Lua one's own are
         * counted besides) */
        return lua_isnoneornil(L, 2) ? steps : 4 * steps;
    }
    default:
        return 0;
    }
}

/* string.rep with an empty string and separator would loop n times doing
 * nothing: it gives "" at once. Otherwise memory bounds n, and the copies are
 * charged after the fact (the result's memory besides). */
static int rep(lua_State *L, lua_CFunction f)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (l + lsep == 0 || n <= 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    int r = f(L);
    charge(L, n >> 4); /* a copy a step would be 16 times what it costs */
    return r;
}

/* A library function with its work counted: upvalue 1 is the function, called
 * in this frame (so its errors name it and the script's line), upvalue 2 how
 * its work is counted. */
static int l_charged(lua_State *L)
{
    lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
    enum cost cost = (enum cost)lua_tointeger(L, lua_upvalueindex(2));
    if (cost == COST_REP)
        return rep(L, f);
    int n = lua_gettop(L);
    long long steps = cost_before(L, cost);
    if (steps > 0)
        charge(L, steps);
    steps = cost == COST_IN ? sizes(L, 1, n) : n;
    lua_Integer from = 0, to = 0;
    if (cost == COST_CONCAT) {
        from = lua_isinteger(L, 3) ? lua_tointeger(L, 3) : 1;
        to = lua_isinteger(L, 4) ? lua_tointeger(L, 4) : (lua_Integer)lua_rawlen(L, 1);
    } else if (cost == COST_ADVANCE) {
        from = lua_tointeger(L, 2);
        to = (lua_Integer)lua_rawlen(L, 1); /* where a last step ends */
    }
    int r = f(L);
    int top = lua_gettop(L);
    steps += sizes(L, top - r + 1, top);
    if (cost == COST_CONCAT)
        steps += span(from, to);
    else if (cost == COST_ADVANCE)
        steps += span(from, r > 0 ? lua_tointeger(L, top - r + 1) : to) >> 4;
    else if (cost == COST_CODES && r == 3) {
        lua_pushvalue(L, top - 2);
        lua_pushinteger(L, COST_ADVANCE);
        lua_pushcclosure(L, l_charged, 2);
        lua_replace(L, top - 2);
    }
    charge(L, steps);
    return r;
}

/* Replaces each listed function of the globals at index globals by its
 * counted version. */
static void charge_funcs(lua_State *L, int globals)
{
    for (size_t i = 0; i < sizeof charged_funcs / sizeof charged_funcs[0]; i++) {
        int into = globals;
        if (charged_funcs[i].lib) {
            lua_getfield(L, globals, charged_funcs[i].lib);
            into = lua_gettop(L);
        }
        lua_getfield(L, into, charged_funcs[i].name);
        lua_pushinteger(L, charged_funcs[i].cost);
        lua_pushcclosure(L, l_charged, 2);
        lua_setfield(L, into, charged_funcs[i].name);
        if (charged_funcs[i].lib)
            lua_pop(L, 1);
    }
}

void sandbox_load(lua_State *L, const char *relpath)
{
    sandbox *h = sandbox_of(L);
    size_t len;
    const char *data = files_tree_find(h->tree, relpath, &len);
    if (!data)
        luaL_error(L, "no file '%s' in this script tree", relpath);
    lua_pushfstring(L, "@%s", relpath);
    int rc = luaL_loadbufferx(L, data, len, lua_tostring(L, -1), "t");
    lua_remove(L, -2);
    if (rc != LUA_OK)
        lua_error(L); /* the message already reads "file:line: ..." */
    /* Its own environment: globals a file sets stay in that file. */
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_ENVMT);
    lua_setmetatable(L, -2);
    lua_setupvalue(L, -2, 1);
}

/* include("lib/x.lua"): runs a file of the same tree once, returns its value. */
static int l_include(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, KEY_INCLUDED);
    lua_getfield(L, -1, path);
    if (lua_toboolean(L, -1)) {
        if (lua_islightuserdata(L, -1))
            return luaL_error(L, "include cycle through '%s'", path);
        return 1;
    }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, (void *)KEY_INCLUDED); /* "loading" marker */
    lua_setfield(L, -2, path);
    sandbox_load(L, path);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, path);
    return 1;
}

/* [-0, +1]: copies the named fields of the table at -1 into a new table,
 * left on top. */
static void keep_fields(lua_State *L, const char *const *names)
{
    lua_newtable(L);
    for (; *names; names++) {
        lua_getfield(L, -2, *names);
        lua_setfield(L, -2, *names);
    }
}

static void pattern_charge(lua_State *L, long steps)
{
    charge(L, steps);
}

/* ---- setting up a state -------------------------------------------------- */

/* The steps of setup, each with its effect on the stack written as the Lua
 * manual writes it: [-o, +p] pops o values and pushes p. g is the index of
 * the real global table, which only the sandbox ever holds. */

/* [-0, +0]: opens the libraries a script may use, as globals. */
static void open_libs(lua_State *L)
{
    int top = lua_gettop(L);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, top);
}

/* [-0, +0]: takes away the base functions a script must not have. Files come
 * only through include(); rawset would bypass frozen tables; collectgarbage
 * could defeat the memory cap's accounting. */
static void remove_unsafe(lua_State *L, int g)
{
    static const char *const removed[] = {"dofile", "loadfile", "collectgarbage",
                                          "rawset", "require",  NULL};
    for (const char *const *r = removed; *r; r++) {
        lua_pushnil(L);
        lua_setfield(L, g, *r);
    }
}

/* [-0, +0]: load, setmetatable and print replaced by the sandbox's own
 * (the first two wrap the originals, their upvalue), and include added. */
static void replace_base(lua_State *L, int g)
{
    lua_getfield(L, g, "load");
    lua_pushcclosure(L, l_load, 1);
    lua_setfield(L, g, "load");
    lua_getfield(L, g, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setfield(L, g, "setmetatable");
    lua_pushcfunction(L, l_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, l_include);
    lua_setfield(L, g, "include");
}

/* [-0, +0]: string.dump, math's random numbers and all of os but its clocks
 * taken away. */
static void trim_libs(lua_State *L, int g)
{
    lua_getfield(L, g, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    /* Rules must give the same answer every time they run: no random numbers. */
    lua_getfield(L, g, "math");
    lua_pushnil(L);
    lua_setfield(L, -2, "random");
    lua_pushnil(L);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    static const char *const os_kept[] = {"time", "date", "clock", NULL};
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0); /* the full os library */
    keep_fields(L, os_kept);
    lua_setfield(L, g, "os");
    lua_pop(L, 1); /* the full os library, now unreachable */
}

/* [-0, +1]: pushes the table of g named by name[0..len), made when missing:
 * "data" for the API function "data.organisations". */
static void push_api_table(lua_State *L, int g, const char *name, size_t len)
{
    lua_pushlstring(L, name, len);
    if (lua_rawget(L, g) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushlstring(L, name, len);
    lua_pushvalue(L, -2);
    lua_rawset(L, g);
}

/* [-0, +0]: the host's functions in g, each with api_ud as its upvalue;
 * "data.organisations" goes into a table "data" of the API. */
static void add_api(lua_State *L, int g, const luaL_Reg *api, void *api_ud)
{
    for (; api && api->name; api++) {
        const char *dot = strchr(api->name, '.');
        int into = g;
        if (dot) {
            push_api_table(L, g, api->name, (size_t)(dot - api->name));
            into = lua_gettop(L);
        }
        lua_pushlightuserdata(L, api_ud);
        lua_pushcclosure(L, api->func, 1);
        lua_setfield(L, into, dot ? dot + 1 : api->name);
        if (dot)
            lua_pop(L, 1);
    }
}

/* [-0, +0]: the pattern functions (lpattern) and the listed library functions
 * count their work against the instruction limit. */
static void count_c_work(lua_State *L, sandbox *h, int g)
{
    lua_getfield(L, g, "string");
    h->patterns.charge = pattern_charge;
    lpattern_setfuncs(L, -1, &h->patterns);
    lua_pop(L, 1);
    charge_funcs(L, g);
}

/* [-0, +0]: every library and API table of g replaced by a read-only view. */
static void freeze_tables(lua_State *L, int g)
{
    lua_pushnil(L);
    while (lua_next(L, g)) {
        if (lua_istable(L, -1) && !lua_rawequal(L, -1, g)) {
            make_readonly(L);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, g); /* an existing field: the traversal goes on */
        } else {
            lua_pop(L, 1);
        }
    }
}

/* [-0, +0]: strings' methods reach the real string table, which the VM only
 * indexes and never hands out; getmetatable hides it. (A view there would
 * cost every method call a second lookup.) */
static void hide_string_metatable(lua_State *L)
{
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

/* [-0, +1]: pushes the frozen API table, a read-only view of g, which is
 * also a script's _G: never the real table. */
static void push_api_view(lua_State *L, int g)
{
    lua_pushvalue(L, g);
    make_readonly(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, g, LUA_GNAME);
}

/* [-0, +0]: the metatable of every file's environment, whose reads fall
 * through to the frozen API table at the top of the stack. */
static void set_env_metatable(lua_State *L)
{
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable"); /* one file cannot redirect the others */
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_ENVMT);
}

/* Builds the API in the real global table, then seals it behind a view.
 * Called with the API (a luaL_Reg list, may be NULL) and its userdata as
 * light userdata at 1 and 2; returns nothing. */
static int setup(lua_State *L)
{
    const luaL_Reg *api = lua_touserdata(L, 1);
    void *api_ud = lua_touserdata(L, 2);
    open_libs(L);
    lua_pushglobaltable(L); /* [-0, +1]: g, index 3 */
    int g = lua_gettop(L);
    remove_unsafe(L, g);
    replace_base(L, g);
    trim_libs(L, g);
    add_api(L, g, api, api_ud);
    count_c_work(L, sandbox_of(L), g);
    freeze_tables(L, g);
    hide_string_metatable(L);
    push_api_view(L, g);
    set_env_metatable(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS); /* [-1, +0]: load() sees the view */
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, KEY_INCLUDED); /* [-0, +0]: no file included yet */
    return 0;
}

static int panic(lua_State *L)
{
    fprintf(stderr, "labelcoop: unprotected Lua error: %s\n", lua_tostring(L, -1));
    abort();
}

int sandbox_new(const files_tree *tree, const sandbox_limits *lim, const luaL_Reg *api, void *api_ud,
             sandbox **out, err *e)
{
    *out = NULL;
    sandbox *h = calloc(1, sizeof *h);
    if (!h)
        return err_set(e, ERR_FAIL, "out of memory");
    h->tree = tree;
    h->insn_limit = lim && lim->instructions > 0 ? lim->instructions : SANDBOX_DEFAULT_INSTRUCTIONS;
    h->mem_limit = lim && lim->memory > 0 ? lim->memory : SANDBOX_DEFAULT_MEMORY;
    h->interrupt = lim ? lim->interrupt : NULL;
    long long ms = lim && lim->milliseconds > 0 ? lim->milliseconds : h->insn_limit / 20000;
    if (!(lim && lim->milliseconds > 0) && ms < SANDBOX_DEFAULT_MILLISECONDS)
        ms = SANDBOX_DEFAULT_MILLISECONDS;
    h->tick_limit = ms * 1000000 / WATCH_TICK_NS;
    h->L = lua_newstate(alloc, h);
    if (!h->L) {
        sandbox_free(h);
        return err_set(e, ERR_FAIL, "cannot create a Lua state");
    }
    lua_atpanic(h->L, panic);
    if (watch_add(h, e) != ERR_OK) {
        lua_close(h->L);
        free(h);
        return ERR_FAIL;
    }
    lua_pushcfunction(h->L, setup);
    lua_pushlightuserdata(h->L, (void *)api);
    lua_pushlightuserdata(h->L, api_ud);
    if (lua_pcall(h->L, 2, 0, 0) != LUA_OK) {
        err_set(e, ERR_FAIL, "cannot set up the Lua sandbox: %s", lua_tostring(h->L, -1));
        sandbox_free(h);
        return ERR_FAIL;
    }
    *out = h;
    return ERR_OK;
}

void sandbox_free(sandbox *h)
{
    if (!h)
        return;
    watch_remove(h);
    if (h->L)
        lua_close(h->L);
    free(h);
}

int sandbox_run(sandbox *h, lua_CFunction f, void *ud, err *e)
{
    lua_State *L = h->L;
    int base = lua_gettop(L);
    h->insn_used = 0;
    h->tripped = 0;
    h->mem_where[0] = '\0';
    sandbox *outer = tl_running;
    tl_running = h;
    atomic_store_explicit(&h->armed, 0, memory_order_relaxed);
    lua_sethook(L, NULL, 0, 0);
    /* Written only when the sandbox changes threads (a worker keeps its own):
     * the watchdog may be reading it, from a run it saw going. */
    if (!pthread_equal(h->thread, pthread_self()))
        h->thread = pthread_self();
    unsigned seq = atomic_load_explicit(&h->run_seq, memory_order_relaxed);
    /* Even, so no run's: a mark the watchdog left for a run just over must
     * not match this one's number once run_seq wraps around. */
    atomic_store_explicit(&h->overtime_seq, seq, memory_order_relaxed);
    atomic_store_explicit(&h->run_seq, seq + 1, memory_order_release);
    lua_pushcfunction(L, message_handler);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, ud);
    int rc = lua_pcall(L, 1, 0, base + 1);
    atomic_store_explicit(&h->run_seq, seq + 2, memory_order_release);
    tl_running = outer;
    lua_sethook(L, NULL, 0, 0);
    int status = ERR_OK;
    if (rc == LUA_ERRMEM) {
        char msg[400];
        snprintf(msg, sizeof msg, "%smemory limit exceeded (%zu MiB)", h->mem_where,
                 h->mem_limit >> 20);
        status = err_set(e, ERR_RULES, "%s", msg);
    } else if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        status = err_set(e, ERR_RULES, "%s", msg ? msg : "error in the error handler");
    }
    lua_settop(L, base);
    if (status != ERR_OK)
        lua_gc(L, LUA_GCCOLLECT); /* give back what the failed script held */
    return status;
}

size_t sandbox_memory(const sandbox *h)
{
    return h->mem_used;
}

lua_State *sandbox_state(sandbox *h)
{
    return h->L;
}
