/* Unit test runner: `unit_tests NAME` runs one test, no argument runs all. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "list.h"
#include "test.h"

#define DECLARE(name) int run_test_##name(void);
TEST_LIST(DECLARE)

typedef struct entry {
    const char *name;
    int (*fn)(void);
} entry;

#define ENTRY(name) {#name, run_test_##name},
static const entry tests[] = {TEST_LIST(ENTRY){NULL, NULL}};

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 2;
    int failed = 0, ran = 0;
    for (const entry *t = tests; t->name; t++) {
        if (argc > 1 && strcmp(argv[1], t->name) != 0)
            continue;
        ran++;
        int rc = t->fn();
        printf("%s %s\n", rc ? "not ok" : "ok", t->name);
        failed += rc != 0;
    }
    if (!ran) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    printf("%d passed, %d failed\n", ran - failed, failed);
    return failed ? 1 : 0;
}
