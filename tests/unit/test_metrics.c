/* Unit tests of metrics: the counters and Prometheus's text format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "test.h"

/* The value of the sample line that starts with name (labels included). */
static double sample(const char *text, const char *name)
{
    char needle[256];
    snprintf(needle, sizeof needle, "\n%s ", name);
    const char *at = strstr(text, needle);
    return at ? atof(at + strlen(needle)) : -1;
}

TEST_IMPL(metrics_text_format)
{
    metrics_request("assessments/:id", "GET", 200, 1500);
    metrics_request("assessments/:id", "GET", 200, 2500);
    metrics_request("assessments/:id", "GET", 404, 20000000);
    metrics_request("none", "BREW\"}\n# x", 405, 10); /* a client's method never reaches a label */
    metrics_add(METRIC_ANSWERS_COMMITTED, 5);
    metrics_endpoint failed[] = {{3, 2}};
    metrics_gauges g = {.outbox_pending = 7, .ruleset = "abc", .failed = failed, .n_failed = 1};
    char *text = metrics_text(&g);
    ASSERT(text != NULL);
    ASSERT(sample(text, "labelcoop_http_requests_total{route=\"assessments/:id\",method=\"GET\","
                        "status=\"200\"}") >= 2);
    ASSERT(sample(text, "labelcoop_http_requests_total{route=\"assessments/:id\",method=\"GET\","
                        "status=\"404\"}") >= 1);
    /* 20 s is past the last bucket: only +Inf holds it. */
    ASSERT(sample(text, "labelcoop_http_request_duration_seconds_bucket{le=\"+Inf\"}") >
           sample(text, "labelcoop_http_request_duration_seconds_bucket{le=\"10\"}"));
    ASSERT(sample(text, "labelcoop_answer_writes_committed_total") >= 5);
    ASSERT(sample(text, "labelcoop_outbox_pending") == 7);
    ASSERT(sample(text, "labelcoop_webhook_deliveries_failed{webhook=\"3\"}") == 2);
    ASSERT(sample(text, "labelcoop_ruleset_active{ruleset=\"abc\"}") == 1);
    ASSERT(strstr(text, "# TYPE labelcoop_http_request_duration_seconds histogram\n") != NULL);
    ASSERT(strstr(text, "BREW") == NULL);
    ASSERT(sample(text, "labelcoop_http_requests_total{route=\"none\",method=\"other\","
                        "status=\"405\"}") == 1);
    free(text);
    return 0;
}

TEST_IMPL(metrics_kinds_bounded)
{
    /* More kinds than the table holds: the rest counted as "other". */
    char route[32];
    for (int i = 0; i < 1500; i++) {
        snprintf(route, sizeof route, "r%d", i);
        metrics_request(route, "GET", 200, 10);
    }
    metrics_gauges g = {0};
    char *text = metrics_text(&g);
    ASSERT(text != NULL);
    ASSERT(sample(text, "labelcoop_http_requests_total{route=\"other\",method=\"other\","
                        "status=\"0\"}") >= 400);
    ASSERT(strstr(text, "route=\"r1400\"") == NULL);
    free(text);
    return 0;
}
