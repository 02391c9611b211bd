/* Unit tests of plugin: loading a set from a folder. */
#include "plugin.h"
#include "test.h"

/* A missing or empty plugins folder is an empty set, not an error, and
 * sorting it sorts no NULL array (UBSan). */
TEST_IMPL(plugin_no_plugins)
{
    char *dir = fixture_tmpdir();
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    const char *dirs[] = {dir, missing};
    for (int i = 0; i < 2; i++) {
        plugin_set *set = NULL;
        cJSON *problems = NULL;
        err e = ERR_INIT;
        ASSERT_EQ(plugin_load(dirs[i], NULL, NULL, &set, &problems, &e), ERR_OK);
        ASSERT_EQ(cJSON_GetArraySize(problems), 0);
        cJSON *list = plugin_list(set);
        ASSERT_EQ(cJSON_GetArraySize(list), 0);
        cJSON_Delete(list);
        cJSON_Delete(problems);
        plugin_free(set);
    }
    fixture_rmtree(dir);
    return 0;
}
