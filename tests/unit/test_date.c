/* Unit tests of date: calendar dates and the wall clock. */
#include "date.h"
#include "test.h"

TEST_IMPL(date_valid)
{
    ASSERT(date_valid("2028-02-29"));
    ASSERT(!date_valid("2027-02-29"));
    ASSERT(!date_valid("2026-13-01"));
    ASSERT(!date_valid("2026-1-01"));
    ASSERT(!date_valid("2026-01-01T00"));
    ASSERT(!date_valid(""));
    ASSERT(!date_valid(NULL));
    char today[DATE_LEN + 1];
    date_today(today);
    ASSERT(date_valid(today));
    return 0;
}
