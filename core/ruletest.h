/* ruletest: `labelcoop rules test`, the committee's busted specs run against
 * the real engine. Specs `require "labelcoop"` to load rule sets into the
 * same sandbox as production and evaluate answers through them. */
#ifndef LABELCOOP_RULETEST_H
#define LABELCOOP_RULETEST_H

#include "err.h"
#include "files.h"
#include "sandbox.h"

/* Runs the specs under rules_dir/spec with busted; extra are more busted
 * arguments. Returns the exit status: 0 when every spec passes. */
int ruletest_run(const char *rules_dir, const sandbox_limits *lim, int n_extra, char **extra);

/* Runs `labelcoop rules test` on dir in a child process (busted ends the
 * process it runs in), at most two minutes: ERR_OK when every spec passes,
 * ERR_FAIL with busted's report (its end, paths relative to dir) when one
 * fails or errors, ERR_UNAVAILABLE when they cannot be run. */
int ruletest_child(const char *dir, const sandbox_limits *lim, err *e);
/* ruletest_child on a new temporary folder holding the files of rules_files
 * and of specs (relative paths, "spec/x_spec.lua"), removed after. */
int ruletest_tree(const files_tree *rules_files, const files_tree *specs, const sandbox_limits *lim,
                  err *e);

/* Opens the "labelcoop" module into L (for busted and other trusted tools). */
int ruletest_open(lua_State *L);

#endif
