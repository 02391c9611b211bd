/* lpattern: Lua 5.4's string.find, match, gmatch and gsub with a step budget.
 * The stock functions run inside one VM instruction, out of a count hook's
 * reach, and a pattern such as ".-.-.-b" takes exponential time: these count
 * the matcher's steps and hand them to the caller, which may stop the match
 * by raising a Lua error. Knows nothing of the sandbox itself. */
#ifndef LABELCOOP_LPATTERN_H
#define LABELCOOP_LPATTERN_H

#include <lua.h>

/* Steps are reported in chunks of this many: one step is one position
 * tried, one character of a repetition, or 64 bytes compared. What a call
 * leaves below a chunk waits in pending for the next calls, so that many small
 * calls cost a C call only now and then. */
#define LPATTERN_CHUNK 4096

/* One per Lua state. charge is told the steps taken; it may raise a Lua error
 * to stop the match (the matcher then holds no memory of its own). */
typedef struct lpattern_budget {
    void (*charge)(lua_State *L, long steps);
    long pending;
} lpattern_budget;

/* Sets find, match, gmatch and gsub in the table at index idx, and keeps
 * budget in the state's extra space (lua_getextraspace), which they read at
 * no cost and which nothing else may use. budget is borrowed: it must outlive
 * the state. */
void lpattern_setfuncs(lua_State *L, int idx, lpattern_budget *budget);

#endif
