/* libFuzzer target: every JSON request body the API hands to the domain,
 * parsed as the API parses it, then given to its service function (as the
 * trusted command line) over a real database seeded like `make run`'s.
 * The first byte picks the endpoint. Oracle: a refusal always says why, and
 * a refused input (ERR_INPUT) names its JSON path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "demo.h"
#include "json.h"
#include "ruleset.h"
#include "service.h"

static service svc;
static long long draft_sa, draft_audit, submitted, item, hook, cae_user;
static char criterion[32];

/* The id in out's "id", or 0. */
static long long id_of(cJSON *out)
{
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id"));
    cJSON_Delete(out);
    return id;
}

/* out's "id" after fn accepted the JSON text body; aborts otherwise. */
static long long made(int rc, cJSON *body, cJSON *out)
{
    cJSON_Delete(body);
    if (rc != ERR_OK)
        abort();
    return id_of(out);
}

static void seed(void)
{
    static char dir[] = "/tmp/labelcoop-fuzz-XXXXXX";
    char path[64];
    err e = ERR_INIT;
    bool activated;
    cJSON *out = NULL, *logins = NULL;
    if (sodium_init() < 0 || !mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    svc.rulesets = ruleset_cache_new(NULL);
    if (store_open(path, &svc.db, &e) ||
        service_ruleset_bootstrap(&svc, RULES_DIR, NULL, &activated, &e) ||
        ruleset_active(svc.rulesets, svc.db, NULL, &svc.rules, &e) ||
        demo_seed(&svc, &logins, &e))
        abort();
    cJSON_Delete(logins);
    snprintf(criterion, sizeof criterion, "%s", rules_criterion_at(svc.rules, 0)->id);
    /* The demo's one submitted self-assessment, and a CAE member. */
    if (service_assessment_list(&svc, &out, &e))
        abort();
    submitted = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(out, 0), "id"));
    cJSON_Delete(out);
    if (service_user_list(&svc, &out, &e))
        abort();
    long long auditor = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, out)
    {
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(u, "role"));
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(u, "id"));
        if (role && strcmp(role, "auditor") == 0)
            auditor = id;
        else if (role && strcmp(role, "cae") == 0)
            cae_user = id;
    }
    cJSON_Delete(out);
    cJSON *b = cJSON_Parse("{\"kind\":\"self_assessment\"}");
    draft_sa = made(service_assessment_add(&svc, 2, b, &out, &e), b, out);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "kind", "audit");
    cJSON_AddNumberToObject(b, "auditor_id", (double)auditor);
    draft_audit = made(service_assessment_add(&svc, 1, b, &out, &e), b, out);
    b = cJSON_Parse("{\"action\":\"Réviser les statuts\",\"due\":\"2030-01-01\"}");
    item = made(service_action_add(&svc, 1, b, &out, &e), b, out);
    b = cJSON_Parse("{\"url\":\"http://127.0.0.1:9/hook\"}");
    hook = made(service_webhook_add(&svc, b, &out, &e), b, out);
}

/* Hands body to the service function of endpoint k; returns its status. */
static int call(unsigned k, const cJSON *body, cJSON **out, err *e)
{
    switch (k) {
    case 0: return service_org_add(&svc, body, out, e);
    case 1: return service_user_add(&svc, body, out, e);
    case 2: return service_user_update(&svc, cae_user, body, out, e);
    case 3: return service_assessment_add(&svc, 1, body, out, e);
    case 4: return service_answer_put(&svc, draft_sa, criterion, body, out, e);
    case 5: return service_stakeholders_put(&svc, draft_audit, body, out, e);
    case 6: return service_decide(&svc, submitted, body, out, e);
    case 7: return service_action_add(&svc, 1, body, out, e);
    case 8: return service_action_update(&svc, 1, item, body, out, e);
    case 9: return service_webhook_add(&svc, body, out, e);
    case 10: return service_webhook_update(&svc, hook, body, out, e);
    case 11: return service_webhook_replay(&svc, hook, body, out, e);
    case 12: return service_practice_share(&svc, 1, body, out, e);
    default: return service_assessment_update(&svc, draft_audit, body, out, e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!svc.db)
        seed();
    if (size < 1)
        return 0;
    cJSON *body = NULL, *out = NULL;
    err e = ERR_INIT;
    if (json_parse((const char *)data + 1, size - 1, &body, &e) == ERR_OK) {
        int rc = call(data[0] % 14, body, &out, &e);
        if (rc != ERR_OK && (!err_msg(&e) || !*err_msg(&e)))
            abort(); /* a refusal that does not say why */
        if (rc == ERR_INPUT && err_msg(&e)[0] != '$') {
            fprintf(stderr, "ERR_INPUT without a JSON path: %s\n", err_msg(&e));
            abort();
        }
        cJSON_Delete(out);
        cJSON_Delete(body);
    }
    err_clear(&e);
    return 0;
}
