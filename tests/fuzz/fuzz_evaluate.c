/* libFuzzer target: the evaluate input reader (and, when an input is well
 * formed, the evaluation itself) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "evaluation.h"
#include "rules.h"

static rules *shipped;
static unsigned char *answers;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!shipped) {
        err e = ERR_INIT;
        if (sodium_init() < 0 || rules_load(RULES_DIR, NULL, &shipped, &e) != ERR_OK)
            abort();
        answers = malloc((size_t)rules_criterion_count(shipped) + 1);
    }
    rules_input in;
    err e = ERR_INIT;
    if (evaluation_parse(shipped, (const char *)data, size, &in, answers, &e) == ERR_OK) {
        cJSON *out = NULL;
        if (rules_evaluate(shipped, &in, &out, &e) != ERR_OK)
            abort(); /* valid input must always evaluate under the shipped rules */
        cJSON_Delete(out);
    }
    err_clear(&e);
    return 0;
}
