/* date: calendar dates as "YYYY-MM-DD" strings, the form every date takes
 * in labelcoop's data, and the clocks. Functions over libc. */
#ifndef LABELCOOP_DATE_H
#define LABELCOOP_DATE_H

#include <stdbool.h>

#define DATE_LEN 10 /* characters, without the NUL */

/* True when s is exactly YYYY-MM-DD and names a real day (years 1900..9999). */
bool date_valid(const char *s);
/* Writes today's UTC date into out[DATE_LEN + 1]. */
void date_today(char *out);
/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out[DATE_TIME_LEN + 1]. */
#define DATE_TIME_LEN 20
void date_now(char *out);
/* Writes the current UTC time to the millisecond, RFC 3339
 * ("2026-12-07T05:45:27.123Z"), into out[DATE_STAMP_LEN + 1]: logs. */
#define DATE_STAMP_LEN 24
void date_stamp(char *out);
/* Microseconds on the monotonic clock: for spans of time, never a date. */
long long date_clock_us(void);
/* Writes date + years into out[DATE_LEN + 1]; 29 February becomes 28 February. */
void date_add_years(const char *date, int years, char *out);
/* Days from a to b (b - a), both valid dates. */
long date_diff_days(const char *a, const char *b);

#endif
