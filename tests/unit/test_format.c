/* Unit tests of format: report documents as HTML and CSV. */
#include <stdlib.h>

#include "format.h"
#include "test.h"

/* A heading's level is 2 to 4; a missing one (NaN) or any other is 2,
 * without casting NaN to int (UBSan). */
TEST_IMPL(format_heading_levels)
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
    ASSERT_EQ(format_report(doc, "html", ';', &html, &len, &type, &e), ERR_OK);
    ASSERT_CONTAINS(html, "<h2>none</h2>");
    ASSERT_CONTAINS(html, "<h3>three</h3>");
    ASSERT_CONTAINS(html, "<h4>high</h4>");
    ASSERT_CONTAINS(html, "<h2>big</h2>");
    free(html);
    cJSON_Delete(doc);
    return 0;
}

/* CSV injection: a text cell a spreadsheet would take for a formula gets a
 * leading "'", whatever starts it; numbers (written by format) and
 * other text stay as they are. Only ',', ';' and a tab may separate. */
TEST_IMPL(format_csv_neutralises_formulas)
{
    cJSON *doc = cJSON_Parse(
        "{\"title\": \"t\", \"blocks\": [{\"type\": \"table\", \"columns\": [\"=A1\", \"n\"],"
        "\"rows\": [[\"=HYPERLINK(\\\"http://x\\\")\", -3], [\"+1+1\", 2.5], [\"-2+3\", 0],"
        "[\"@SUM(A1)\", 1], [\"\\tx\", 1], [\"\\r=1\", 1], [\"a=b\", 1], [\"\", 1]]}]}");
    ASSERT(doc);
    char *csv = NULL;
    size_t len;
    const char *type;
    err e = ERR_INIT;
    ASSERT_EQ(format_report(doc, "csv", ';', &csv, &len, &type, &e), ERR_OK);
    ASSERT_STR_EQ(csv, "\"'=A1\";\"n\"\r\n"
                       "\"'=HYPERLINK(\"\"http://x\"\")\";\"-3\"\r\n"
                       "\"'+1+1\";\"2.5\"\r\n"
                       "\"'-2+3\";\"0\"\r\n"
                       "\"'@SUM(A1)\";\"1\"\r\n"
                       "\"'\tx\";\"1\"\r\n"
                       "\"'\r=1\";\"1\"\r\n"
                       "\"a=b\";\"1\"\r\n"
                       "\"\";\"1\"\r\n");
    free(csv);
    ASSERT_EQ(format_report(doc, "csv", '\t', &csv, &len, &type, &e), ERR_OK);
    ASSERT_CONTAINS(csv, "\"'=A1\"\t\"n\"\r\n");
    free(csv);
    for (const char *bad = "|\"a0\n "; *bad; bad++) {
        csv = NULL;
        ASSERT_EQ(format_report(doc, "csv", *bad, &csv, &len, &type, &e), ERR_INPUT);
        ASSERT(!csv);
        ASSERT_CONTAINS(err_msg(&e), "separator must be ',', ';' or a tab");
    }
    err_clear(&e);
    ASSERT_EQ(format_separator(","), ',');
    ASSERT_EQ(format_separator("\t"), '\t');
    ASSERT_EQ(format_separator(";;"), 0);
    ASSERT_EQ(format_separator(""), 0);
    cJSON_Delete(doc);
    return 0;
}
