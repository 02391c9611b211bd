/* Unit tests of diff: what changed between two rule trees. */
#include "diff.h"
#include "test.h"

TEST_IMPL(diff_finds_changes)
{
    char *dir = fixture_copy_rules();
    char cmd[8400];
    snprintf(cmd, sizeof cmd,
             "sed -i 's/recommended_threshold = 0.5/recommended_threshold = 0.6/' '%s/award.lua' &&"
             "sed -i '0,/level = \"mandatory\"/s//level = \"recommended\"/' "
             "'%s/referential/01-juridique-financier.lua'",
             dir, dir);
    ASSERT_EQ(system(cmd), 0);
    rules *a, *b;
    err e = ERR_INIT;
    ASSERT_EQ(rules_load(RULES_DIR, NULL, &a, &e), ERR_OK);
    ASSERT_EQ(rules_load(dir, NULL, &b, &e), ERR_OK);
    cJSON *d = diff_rules(a, b);
    char *text = cJSON_PrintUnformatted(d);
    ASSERT_CONTAINS(text, "\"level_changed\":[{\"id\":\"JF-01\",\"from\":\"mandatory\",\"to\":"
                          "\"recommended\"}]");
    ASSERT_CONTAINS(text, "\"parameters_changed\":[{\"name\":\"recommended_threshold\",\"from\":"
                          "0.5,\"to\":0.6}]");
    ASSERT_CONTAINS(text, "\"added\":[],\"removed\":[]");
    free(text);
    cJSON_Delete(d);
    d = diff_rules(a, a);
    text = diff_text(d);
    ASSERT_CONTAINS(text, "no difference");
    free(text);
    cJSON_Delete(d);
    rules_free(a);
    rules_free(b);
    fixture_rmtree(dir);
    return 0;
}
