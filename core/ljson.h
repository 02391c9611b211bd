/* ljson: converting between Lua values and cJSON trees, for results that
 * leave a sandbox and inputs that enter one. Uses Lua's C API and cJSON. */
#ifndef LABELCOOP_LJSON_H
#define LABELCOOP_LJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <lua.h>

#include "err.h"
#include "files.h"

/* Pushes v as a Lua value (objects and arrays become tables, null nil).
 * Call in a protected context: raises on memory errors. */
void ljson_push(lua_State *L, const cJSON *v);

/* Converts the value at idx into a new cJSON tree stored in *slot as soon as
 * it exists, so the caller frees it with cJSON_Delete even when this raises.
 * Object keys listed in order come first, in that order, the rest sorted, so
 * the same value always gives the same bytes. Empty tables become arrays.
 * Raises "name.path: problem" on functions, NaN, cycles or mixed tables. */
void ljson_to(lua_State *L, int idx, const char *name, const char *const *order, cJSON **slot);

/* Parses text[0..len) as one JSON document into *out (caller deletes);
 * ERR_INPUT "$: malformed JSON at line L, column C" when it is not. */
int ljson_parse(const char *text, size_t len, cJSON **out, err *e);

/* Whether v is a record id: a whole number from 1 to 2^53 (every integer a
 * JSON number holds exactly), stored in *out. Checked before any cast: a
 * double out of range cast to an integer is undefined behaviour. */
bool ljson_id(const cJSON *v, long long *out);

/* A tree of files from a JSON object {"path": "content"} (paths sorted);
 * where names the object in errors. t is the caller's, freed with
 * files_tree_free. */
int ljson_tree(const cJSON *files, const char *where, files_tree *t, err *e);

#endif
