/* ljson: the Lua bridge of JSON, converting between Lua values and cJSON
 * trees, for results that leave a sandbox and inputs that enter one. Uses
 * Lua's C API, cJSON and json (paths); reading JSON text is json's. */
#ifndef LABELCOOP_LJSON_H
#define LABELCOOP_LJSON_H

#include <cjson/cJSON.h>
#include <lua.h>

/* Pushes v as a Lua value (objects and arrays become tables, null nil).
 * Call in a protected context: raises on memory errors. */
void ljson_push(lua_State *L, const cJSON *v);

/* Converts the value at idx into a new cJSON tree stored in *slot as soon as
 * it exists, so the caller frees it with cJSON_Delete even when this raises.
 * Object keys listed in order come first, in that order, the rest sorted, so
 * the same value always gives the same bytes. Empty tables become arrays.
 * Raises "name.path: problem" on functions, NaN, cycles or mixed tables. */
void ljson_to(lua_State *L, int idx, const char *name, const char *const *order, cJSON **slot);

#endif
