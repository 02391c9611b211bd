/* Unit tests of text: UTF-8 checks. */
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
