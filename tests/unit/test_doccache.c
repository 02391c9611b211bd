/* Unit tests of doccache: drawing places and the copies kept of frozen PDFs. */
#include <pthread.h>
#include <time.h>

#include "doccache.h"
#include "test.h"

static void *give_back_later(void *arg)
{
    const struct timespec wait = {0, 200 * 1000000L};
    nanosleep(&wait, NULL);
    docstore_drawn(arg);
    return NULL;
}

static void *wait_a_second(void *arg)
{
    return docstore_drawing(arg, 1000) ? arg : NULL;
}

/* A PDF request waits a while for a drawing place (a user who clicks twice
 * is not refused at once), one request at a time: the others are refused at
 * once, so that waiting requests never take every worker. */
TEST_IMPL(docstore_waits_for_a_drawing_place)
{
    docstore *d = docstore_new(1 << 20, 1);
    ASSERT(d);
    ASSERT(docstore_drawing(d, 0)); /* the one place */
    long long t0 = date_clock_us();
    ASSERT(!docstore_drawing(d, 100)); /* not given back within 100 ms */
    ASSERT(date_clock_us() - t0 >= 90000);
    pthread_t back, waiter;
    ASSERT_EQ(pthread_create(&back, NULL, give_back_later, d), 0);
    ASSERT(docstore_drawing(d, 10000)); /* given back after 200 ms: taken */
    ASSERT(date_clock_us() - t0 < 5000000);
    pthread_join(back, NULL);
    /* one waits; the next is refused at once */
    ASSERT_EQ(pthread_create(&waiter, NULL, wait_a_second, d), 0);
    const struct timespec settle = {0, 100 * 1000000L};
    nanosleep(&settle, NULL);
    t0 = date_clock_us();
    ASSERT(!docstore_drawing(d, 10000));
    ASSERT(date_clock_us() - t0 < 500000);
    void *got;
    pthread_join(waiter, &got);
    ASSERT(got == NULL); /* the place was never given back */
    docstore_drawn(d);
    docstore_free(d);
    return 0;
}

/* Two requests that drew the same frozen document at once (cairo dates each
 * drawing, so their bytes differ) both serve the first copy kept. */
TEST_IMPL(docstore_keeps_the_first_copy)
{
    docstore *d = docstore_new(1 << 20, 2);
    ASSERT(d);
    docstore_put(d, "report:abc", "first", 5);
    docstore_put(d, "report:abc", "second!", 7);
    char *got;
    size_t len;
    ASSERT(docstore_get(d, "report:abc", &got, &len));
    ASSERT_EQ(len, 5);
    ASSERT(memcmp(got, "first", 5) == 0);
    free(got);
    docstore_free(d);
    return 0;
}
