/* sandbox: sandboxed Lua 5.4 states for rules, report scripts and plugins.
 * Each state gets a frozen API (safe base library, string, table, math, utf8,
 * os.time/date/clock), an instruction limit per call that also counts the
 * work done in C (pattern steps, loops of the table library, allocation), a
 * memory cap, no finalizers, and scripts loaded from an in-memory file tree
 * only. Uses lpattern; knows nothing of SQLite or HTTP. */
#ifndef LABELCOOP_SANDBOX_H
#define LABELCOOP_SANDBOX_H

#include <stdatomic.h>
#include <stddef.h>

#include <lua.h>
#include <lauxlib.h>

#include "err.h"
#include "files.h"

typedef struct sandbox sandbox;

typedef struct sandbox_limits {
    long long instructions; /* per sandbox_run call */
    size_t memory;          /* bytes, for the whole state */
    /* When it becomes non-zero, the script stops; may be NULL. Atomic: a
     * signal handler sets it, on whichever thread the signal lands. */
    atomic_int *interrupt;
    /* Wall-clock time per sandbox_run call, a backstop for what the count cannot
     * see (a comparison of two long strings is one instruction); 0: the
     * larger of SANDBOX_DEFAULT_MILLISECONDS and a millisecond per 20,000
     * instructions of the limit. */
    long long milliseconds;
} sandbox_limits;

#define SANDBOX_DEFAULT_INSTRUCTIONS 50000000LL
#define SANDBOX_DEFAULT_MEMORY ((size_t)64 << 20)
#define SANDBOX_DEFAULT_MILLISECONDS 10000LL

/* Creates a state whose scripts load from tree (borrowed: it must outlive the
 * sandbox). api lists extra global functions (NULL-terminated, may be NULL);
 * each gets api_ud as a light userdata upvalue. *out is the caller's, freed
 * with sandbox_free. lim may be NULL for the defaults. */
int sandbox_new(const files_tree *tree, const sandbox_limits *lim, const luaL_Reg *api, void *api_ud,
             sandbox **out, err *e);
void sandbox_free(sandbox *h);

/* Runs f protected, with the instruction budget renewed; f finds ud as a light
 * userdata at index 1. Script errors come back as "file:line: message" with
 * paths relative to the root, code ERR_RULES. */
int sandbox_run(sandbox *h, lua_CFunction f, void *ud, err *e);

/* For use inside sandbox_run: loads relpath from the tree as a text chunk with
 * its own environment (reads fall through to the frozen API) and pushes it.
 * Raises a Lua error on an unknown path or a syntax error. */
void sandbox_load(lua_State *L, const char *relpath);

/* Writes "file:line: " of the innermost Lua function at or above level
 * (1: the caller of the running C function), or "" when there is none. */
void sandbox_where(lua_State *L, int level, char *buf, size_t size);
/* What a declaration does with a key it does not know: key is NULL when the
 * key is not a string; the key is at the top of the stack. May raise. */
typedef void sandbox_key_fn(lua_State *L, void *ud, const char *key);
/* [-0, +0]: calls unknown for every key of the table at t that is not a
 * string listed in allowed (NULL-terminated), in the table's order. */
void sandbox_only_keys(lua_State *L, int t, const char *const *allowed, sandbox_key_fn *unknown,
                       void *ud);
/* Bytes the state holds now. */
size_t sandbox_memory(const sandbox *h);

/* The state, for tools that measure it (the benchmark); borrowed. */
lua_State *sandbox_state(sandbox *h);

#endif
