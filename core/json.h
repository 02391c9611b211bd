/* json: JSON that is not Lua. The one reader of inputs (a key named twice
 * refused, raw control characters refused, the position of what is
 * malformed), objects that name only known keys, record ids, trees of files
 * given as an object, and JSON paths ("$.files.award.lua") for error
 * messages. Uses cJSON, files and text. */
#ifndef LABELCOOP_JSON_H
#define LABELCOOP_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "files.h"

/* A JSON path being walked: "$", then ".key" and "[i]" pushed in turn. */
typedef struct json_path {
    char buf[256];
    size_t len;
} json_path;

/* Appends to the path, cut to fit: text as it is, ".key", or "[i]". */
void json_path_text(json_path *p, const char *text);
void json_path_key(json_path *p, const char *key);
void json_path_index(json_path *p, long long i);

/* Parses text[0..len) as one JSON document into *out (caller deletes);
 * ERR_INPUT "$: malformed JSON at line L, column C" when it is not. */
int json_parse(const char *text, size_t len, cJSON **out, err *e);

/* Whether v is a record id: a whole number from 1 to 2^53 (every integer a
 * JSON number holds exactly), stored in *out. Checked before any cast: a
 * double out of range cast to an integer is undefined behaviour. */
bool json_id(const cJSON *v, long long *out);

/* Refuses obj (an object) when it has a key that is not in allowed
 * (NULL-terminated): ERR_INPUT "path.key: unknown key (expected a, b, c)",
 * path being obj's own ("$", "$.answers.JF-01"). */
int json_only_keys(const cJSON *obj, const char *const *allowed, const char *path, err *e);

/* A tree of files from a JSON object {"path": "content"} (paths sorted);
 * where names the object in errors. t is the caller's, freed with
 * files_tree_free. */
int json_tree(const cJSON *files, const char *where, files_tree *t, err *e);

#endif
