/* paths: where the program's files are when no option says. Installed (the
 * program in PREFIX/bin beside PREFIX/share/labelcoop/rules), the defaults
 * are absolute and FHS-conformant: PREFIX/share/labelcoop/{rules,web,
 * scripts,plugins,mail} and /var/lib/labelcoop/labelcoop.db. Anywhere else (a
 * clone's build folder), they are relative to the current folder, as
 * `make run` expects: rules, web, scripts, plugins, var/labelcoop.db. */
#ifndef LABELCOOP_PATHS_H
#define LABELCOOP_PATHS_H

#include <limits.h>
#include <stdbool.h>

#define PATHS_STATE_DB "/var/lib/labelcoop/labelcoop.db"

typedef struct paths {
    bool installed;
    char rules[PATH_MAX], web[PATH_MAX], scripts[PATH_MAX], plugins[PATH_MAX], mail[PATH_MAX], db[PATH_MAX];
} paths;

/* Fills p for the running program (read from /proc/self/exe). */
void paths_defaults(paths *p);

#endif
