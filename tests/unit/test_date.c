/* Unit tests of date: calendar dates and the wall clock. */
#include <time.h>

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

/* One wall clock: today's date, the time and the milliseconds agree. */
TEST_IMPL(date_wall_clock)
{
    long long before = date_now_ms();
    char today[DATE_LEN + 1], now[DATE_TIME_LEN + 1];
    date_today(today);
    date_now(now);
    long long after = date_now_ms();
    ASSERT(before > 1700000000000LL); /* 2023-11-14: milliseconds, since the epoch */
    ASSERT(after >= before);
    ASSERT(after - before < 10000);
    time_t t = (time_t)(before / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char expected[DATE_LEN + 1];
    strftime(expected, sizeof expected, "%Y-%m-%d", &tm);
    if (after / 86400000 == before / 86400000) { /* not across midnight */
        ASSERT_STR_EQ(today, expected);
        ASSERT_EQ(strncmp(now, today, DATE_LEN), 0);
    }
    return 0;
}
