/* Unit tests of render: report documents as HTML. */
#include <stdlib.h>

#include "render.h"
#include "test.h"

/* A heading's level is 2 to 4; a missing one (NaN) or any other is 2,
 * without casting NaN to int (UBSan). */
TEST_IMPL(render_heading_levels)
{
    cJSON *doc = cJSON_Parse("{\"title\": \"t\", \"blocks\": ["
                             "{\"type\": \"heading\", \"text\": \"none\"},"
                             "{\"type\": \"heading\", \"text\": \"three\", \"level\": 3},"
                             "{\"type\": \"heading\", \"text\": \"high\", \"level\": 4.9},"
                             "{\"type\": \"heading\", \"text\": \"big\", \"level\": 1e300}]}");
    char *html = NULL;
    size_t len;
    const char *type;
    err e = ERR_INIT;
    ASSERT_EQ(render_report(doc, "html", ';', &html, &len, &type, &e), ERR_OK);
    ASSERT_CONTAINS(html, "<h2>none</h2>");
    ASSERT_CONTAINS(html, "<h3>three</h3>");
    ASSERT_CONTAINS(html, "<h4>high</h4>");
    ASSERT_CONTAINS(html, "<h2>big</h2>");
    free(html);
    cJSON_Delete(doc);
    return 0;
}
