/* libFuzzer target: the rule loader on arbitrary Lua text, as one more file
 * of the shipped référentiel, under small limits: any input must end in a
 * loaded rule set or a clear error, never a crash or a hang. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static files_tree base;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err e = ERR_INIT;
    if (!base.count && rules_read(RULES_DIR, &base, &e) != ERR_OK)
        abort();
    files_tree t = {0};
    t.count = base.count + 1;
    t.paths = calloc(t.count, sizeof *t.paths);
    t.data = calloc(t.count, sizeof *t.data);
    t.lens = calloc(t.count, sizeof *t.lens);
    size_t k = 0;
    bool inserted = false;
    for (size_t i = 0; i <= base.count; i++) {
        /* Kept in path order, as the rules expect a tree to be. */
        bool here = i == base.count || strcmp(base.paths[i], "referential/99-fuzz.lua") > 0;
        if (here && !inserted) {
            inserted = true;
            t.paths[k] = strdup("referential/99-fuzz.lua");
            t.data[k] = malloc(size + 1);
            memcpy(t.data[k], data, size);
            t.data[k][size] = '\0';
            t.lens[k++] = size;
        }
        if (i < base.count) {
            t.paths[k] = strdup(base.paths[i]);
            t.data[k] = strdup(base.data[i]);
            t.lens[k++] = base.lens[i];
        }
    }
    sandbox_limits lim = {.instructions = 2000000, .memory = (size_t)32 << 20};
    rules *r = NULL;
    if (rules_load_tree(&t, &lim, &r, &e) == ERR_OK)
        rules_free(r);
    err_clear(&e);
    return 0;
}
