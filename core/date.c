/* date: validation of ISO 8601 calendar dates, today's date in UTC, the wall
 * clock and the monotonic clock. */
#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != DATE_LEN || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < DATE_LEN; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

long long date_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void date_today(char *out)
{
    time_t now = (time_t)(date_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, DATE_LEN + 1, "%Y-%m-%d", &tm);
}

void date_now(char *out)
{
    time_t now = (time_t)(date_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, DATE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void date_stamp(char *out)
{
    /* Each thread keeps the text of the last second it wrote: a log line a
     * request then costs a copy, not a gmtime_r and a strftime. */
    static _Thread_local time_t second = -1;
    static _Thread_local char text[DATE_TIME_LEN];
    long long ms = date_now_ms();
    time_t now = (time_t)(ms / 1000);
    if (now != second) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
        second = now;
    }
    int milli = (int)(ms % 1000);
    memcpy(out, text, 19); /* YYYY-MM-DDTHH:MM:SS */
    out[19] = '.';
    out[20] = (char)('0' + milli / 100);
    out[21] = (char)('0' + milli / 10 % 10);
    out[22] = (char)('0' + milli % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

void date_add_years(const char *date, int years, char *out)
{
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !leap(y))
        d = 28;
    snprintf(out, DATE_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

/* Days since 1970-01-01 of a valid date (Howard Hinnant's days_from_civil). */
static long days(const char *date)
{
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long date_diff_days(const char *a, const char *b)
{
    return days(b) - days(a);
}

long long date_clock_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
