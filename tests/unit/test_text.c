/* Unit tests of text: UTF-8 checks and the one check of text. */
#include "test.h"
#include "text.h"

TEST_IMPL(text_utf8)
{
    ASSERT(text_utf8_valid("Sociétal", strlen("Sociétal")));
    ASSERT(!text_utf8_valid("\xc3", 1));         /* truncated */
    ASSERT(!text_utf8_valid("\xc0\xaf", 2));     /* overlong '/' */
    ASSERT(!text_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    ASSERT(!text_utf8_valid("a\0b", 3));         /* NUL inside */
    ASSERT_EQ(text_width("Sociétal"), 8);
    return 0;
}

/* The one check of text: each kind refuses what it must, in this order. */
TEST_IMPL(text_check)
{
    char buf[96];
    ASSERT(!text_check("Sociétal", strlen("Sociétal"), TEXT_LINE, 8, buf, sizeof buf));
    ASSERT_STR_EQ(text_check("Sociétal", strlen("Sociétal"), TEXT_LINE, 7, buf, sizeof buf),
                  "is too long: 8 characters (at most 7)");
    ASSERT_STR_EQ(text_check("a\0b", 3, TEXT_ANY, 0, buf, sizeof buf), "is not valid UTF-8 text");
    ASSERT_STR_EQ(text_check("a\tb", 3, TEXT_LINE, 0, buf, sizeof buf),
                  "must be one line, without control characters");
    ASSERT(!text_check("a\tb\r\nc", 6, TEXT_LINES, 0, buf, sizeof buf));
    ASSERT_STR_EQ(text_check("a\x1b[31m", 6, TEXT_LINES, 0, buf, sizeof buf),
                  "contains a control character (only line breaks and tabs may be used)");
    ASSERT_STR_EQ(text_check("\xc2\x85", 2, TEXT_LINES, 0, buf, sizeof buf), /* NEL, a C1 */
                  "contains a control character (only line breaks and tabs may be used)");
    ASSERT(!text_check("a\x1b[31m", 6, TEXT_ANY, 0, buf, sizeof buf));
    /* too long only once the characters are good */
    ASSERT_STR_EQ(text_check("ab\x01", 3, TEXT_LINE, 1, buf, sizeof buf),
                  "must be one line, without control characters");
    return 0;
}

TEST_IMPL(text_etags)
{
    char a[TEXT_ETAG_SIZE], b[TEXT_ETAG_SIZE], c[TEXT_ETAG_SIZE];
    text_etag("{\"status\":\"met\"}", 16, a);
    text_etag("{\"status\":\"met\"}", 16, b);
    text_etag("{\"status\":\"partial\"}", 20, c);
    ASSERT_STR_EQ(a, b); /* the same text, the same tag */
    ASSERT(strcmp(a, c) != 0);
    ASSERT_EQ((int)strlen(a), TEXT_ETAG_SIZE - 1);
    ASSERT(a[0] == '"' && a[TEXT_ETAG_SIZE - 2] == '"');
    char list[100], weak[50];
    snprintf(list, sizeof list, "\"x\" , %s", a);
    snprintf(weak, sizeof weak, "W/%s", a);
    ASSERT(text_etag_matches(a, a));
    ASSERT(text_etag_matches(list, a));
    ASSERT(text_etag_matches("*", a));
    ASSERT(!text_etag_matches("*", NULL)); /* "*": only when there is one */
    ASSERT(!text_etag_matches(a, NULL));
    ASSERT(!text_etag_matches(weak, a)); /* weak tags never match If-Match */
    ASSERT(!text_etag_matches(c, a));
    ASSERT(!text_etag_matches("", a));
    return 0;
}
