/* config: the settings file of `serve --config FILE`. One setting a line,
 * `key = value`, the keys being the long options' names; `#` starts a
 * comment line; blank lines are skipped. What the keys mean is the command
 * line's business: this module only reads the file, and names file:line in
 * every error. Uses files. */
#ifndef LABELCOOP_CONFIG_H
#define LABELCOOP_CONFIG_H

#include "err.h"

#define CONFIG_MAX_BYTES (64 * 1024)
/* Settings a file may hold: far more than there are options, and few
 * enough that checking each key against those before it stays cheap. */
#define CONFIG_MAX_ENTRIES 256

typedef struct config_entry {
    const char *key, *value; /* inside the file's text, NUL-terminated */
    int line;
} config_entry;

typedef struct config_file {
    char *path, *text; /* owned */
    config_entry *entries;
    int n;
} config_file;

/* Reads path into *out (freed with config_free, also after a failure).
 * ERR_INPUT "path: cannot read it: ..." or "path:line: problem" for a line
 * that is not `key = value`, a key set twice, a control character, or a
 * file over CONFIG_MAX_BYTES. */
int config_read(const char *path, config_file *out, err *e);
void config_free(config_file *c);

#endif
