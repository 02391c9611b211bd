/* libFuzzer target: request bodies as the API reads them (JSON with the
 * control-character and NUL checks), then turned into a file tree as
 * POST /rulesets does. */
#include <stdint.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = NULL;
    err e = ERR_INIT;
    if (json_parse((const char *)data, size, &doc, &e) == ERR_OK) {
        files_tree t;
        if (json_tree(cJSON_GetObjectItem(doc, "files"), "$.files", &t, &e) == ERR_OK)
            files_tree_free(&t);
        cJSON_Delete(doc);
    }
    err_clear(&e);
    return 0;
}
