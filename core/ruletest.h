/* ruletest: `labelcoop rules test`, the committee's busted specs run against
 * the real engine. Specs `require "labelcoop"` to load rule sets into the
 * same sandbox as production and evaluate answers through them. */
#ifndef LABELCOOP_RULETEST_H
#define LABELCOOP_RULETEST_H

#include "host.h"

/* Runs the specs under rules_dir/spec with busted; extra are more busted
 * arguments. Returns the exit status: 0 when every spec passes. */
int ruletest_run(const char *rules_dir, const host_limits *lim, int n_extra, char **extra);

/* Opens the "labelcoop" module into L (for busted and other trusted tools). */
int ruletest_open(lua_State *L);

#endif
