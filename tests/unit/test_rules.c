/* Unit tests of rule loading, identity, validation and evaluation. */
#include "rules.h"
#include "test.h"

TEST_IMPL(rules_load_shipped)
{
    char msg[4096];
    rules *r = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    ASSERT_STR_EQ(msg, "");
    ASSERT_EQ(rules_criterion_count(r), 117);
    ASSERT_EQ(rules_field_count(r), 6);
    int levels[LEVEL_COUNT] = {0};
    for (int i = 0; i < rules_criterion_count(r); i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        levels[c->level]++;
        ASSERT_EQ(rules_find(r, c->id), i);
    }
    ASSERT_EQ(levels[LEVEL_MANDATORY], 67);
    ASSERT_EQ(levels[LEVEL_RECOMMENDED], 39);
    ASSERT_EQ(levels[LEVEL_ADVISED], 11);
    ASSERT_EQ(rules_find(r, "ZZ-99"), -1);
    ASSERT_STR_EQ(rules_criterion_at(r, 0)->id, "JF-01");
    ASSERT_EQ(strlen(rules_hash(r)), 64);
    rules_free(r);
    return 0;
}

TEST_IMPL(rules_hash_identity)
{
    char msg[4096];
    char *dir = fixture_copy_rules();
    rules *a = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    rules *b = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT(a && b);
    ASSERT_STR_EQ(rules_hash(a), rules_hash(b)); /* the path to the tree is not part of it */
    char hash[65];
    memcpy(hash, rules_hash(b), sizeof hash);
    rules_free(b);
    fixture_write(dir, "spec/extra_spec.lua", "-- specs are not rules\n");
    fixture_write(dir, "NOTES.txt", "not a rule file\n");
    b = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT_STR_EQ(rules_hash(b), hash);
    rules_free(b);
    fixture_write(dir, "lib/unused.lua", "return {}\n");
    b = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT(strcmp(rules_hash(b), hash) != 0); /* every rule file counts, used or not */
    rules_free(b);
    rules_free(a);
    fixture_rmtree(dir);
    return 0;
}

TEST_IMPL(rules_validation_reports_all)
{
    char msg[8192];
    char *dir = fixture_copy_rules();
    fixture_write(
        dir, "referential/07-bad.lua",
        "field { id = \"XX\", name = \"Vide\" }\n"
        "criterion { id = \"JF-01\", field = \"JF\", theme = \"Droit coopératif\",\n"
        "  level = \"mandatory\", statement = \"Doublon\" }\n"
        "criterion { id = \"NEW-1\", field = \"ZZ\", theme = \"x\", level = \"obligatoire\",\n"
        "  statement = \"  \", weight = -2, colour = \"red\" }\n"
        "criterion { id = \"NEW-2\", field = \"ZZ\", theme = \"x\", level = \"advised\",\n"
        "  statement = \"Champ inconnu\", na_allowed = \"yes\" }\n"
        "criterion { id = \"NEW-3\", field = \"RH\", theme = \"Inventé\",\n"
        "  level = \"advised\", statement = \"Thème inconnu\" }\n");
    rules *r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT(!r);
    const char *expected[] = {
        "referential/07-bad.lua:2: criterion JF-01: duplicate criterion id (first declared at "
        "referential/01-juridique-financier.lua:",
        "referential/07-bad.lua:4: criterion NEW-1: unknown key 'colour'",
        "referential/07-bad.lua:4: criterion NEW-1: 'statement' is empty",
        "referential/07-bad.lua:4: criterion NEW-1: unknown level 'obligatoire'",
        "referential/07-bad.lua:4: criterion NEW-1: weight -2 must be a number from 0 up",
        "referential/07-bad.lua:6: criterion NEW-2: 'na_allowed' must be true or false",
        "referential/07-bad.lua:1: field XX: has no criterion",
    };
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        ASSERT_CONTAINS(msg, expected[i]);
    /* Cross-references once the declarations themselves are sound. */
    fixture_write(
        dir, "referential/07-bad.lua",
        "criterion { id = \"NEW-2\", field = \"ZZ\", theme = \"x\", level = \"advised\",\n"
        "  statement = \"Champ inconnu\" }\n"
        "criterion { id = \"NEW-3\", field = \"RH\", theme = \"Inventé\",\n"
        "  level = \"advised\", statement = \"Thème inconnu\" }\n");
    r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT(!r);
    ASSERT_CONTAINS(msg, "referential/07-bad.lua:1: criterion NEW-2: unknown field 'ZZ'");
    ASSERT_CONTAINS(msg, "referential/07-bad.lua:3: criterion NEW-3: theme 'Inventé' is not one "
                         "of field RH's themes");
    fixture_rmtree(dir);
    return 0;
}

/* Evaluates a complete audit where every answer is `status`, except one. */
static cJSON *evaluate(rules *r, const char *status, const char *id, const char *other)
{
    int n = rules_criterion_count(r);
    unsigned char *answers = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++)
        answers[i] = (unsigned char)rules_answer_parse(status);
    if (id)
        answers[rules_find(r, id)] = (unsigned char)rules_answer_parse(other);
    rules_input in = {KIND_AUDIT, "2026-05-04", 3, answers};
    cJSON *out = NULL;
    err e = ERR_INIT;
    if (rules_evaluate(r, &in, &out, &e) != ERR_OK)
        fprintf(stderr, "%s\n", err_msg(&e));
    err_clear(&e);
    free(answers);
    return out;
}

static const char *outcome(const cJSON *res)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "outcome"));
}

TEST_IMPL(rules_evaluate_reuses_state)
{
    char msg[4096];
    rules *r = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    ASSERT(r);
    cJSON *res = evaluate(r, "met", NULL, NULL);
    ASSERT_STR_EQ(outcome(res), "eligible");
    ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(res, "valid_until")), "2029-05-04");
    cJSON_Delete(res);
    size_t mem = sandbox_memory(rules_sandbox(r));
    /* Many evaluations in the same state: answers do not leak between them,
     * and memory stays flat. */
    for (int i = 0; i < 2000; i++) {
        res = evaluate(r, "met", i % 2 ? "JF-01" : NULL, "partial");
        ASSERT_STR_EQ(outcome(res), i % 2 ? "not_eligible" : "eligible");
        cJSON_Delete(res);
    }
    ASSERT(sandbox_memory(rules_sandbox(r)) < mem + ((size_t)2 << 20));
    rules_free(r);
    return 0;
}

TEST_IMPL(rules_bad_result)
{
    char msg[4096];
    char *dir = fixture_copy_rules();
    fixture_write(dir, "award.lua",
                  "award { parameters = {}, evaluate = function (ctx)\n"
                  "  if ctx.kind == 'audit' then return { outcome = 'maybe' } end\n"
                  "  error('refused on purpose')\n"
                  "end }\n");
    rules *r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT_STR_EQ(msg, "");
    unsigned char answers[117] = {0};
    rules_input in = {KIND_AUDIT, "2026-05-04", 0, answers};
    cJSON *out = NULL;
    err e = ERR_INIT;
    ASSERT_EQ(rules_evaluate(r, &in, &out, &e), ERR_RULES);
    ASSERT_STR_EQ(err_msg(&e), "award.lua: evaluate() returned a bad result: 'outcome' must be "
                               "\"eligible\", \"not_eligible\" or \"incomplete\"");
    in.kind = KIND_SELF_ASSESSMENT;
    ASSERT_EQ(rules_evaluate(r, &in, &out, &e), ERR_RULES);
    ASSERT_STR_EQ(err_msg(&e), "award.lua:3: refused on purpose");
    ASSERT(out == NULL);
    err_clear(&e);
    rules_free(r);
    fixture_rmtree(dir);
    return 0;
}

/* The outcome rules_decide gives, by name; "" when it fails. */
static const char *decided(rules *r, const rules_input *in, char *msg, size_t size)
{
    static const char *const names[] = {"eligible", "not_eligible", "incomplete"};
    rules_outcome o;
    err e = ERR_INIT;
    msg[0] = '\0';
    int rc = rules_decide(r, in, &o, &e);
    if (rc != ERR_OK)
        snprintf(msg, size, "%s", err_msg(&e));
    err_clear(&e);
    return rc == ERR_OK ? names[o] : "";
}

TEST_IMPL(rules_decide_matches_evaluate)
{
    /* Thousands of varied evaluations in one state: the decision over the
     * resident answers (rewritten only where they change) always agrees with
     * the whole evaluation, including after a rule tampered with ctx. */
    char msg[4096];
    rules *r = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    ASSERT(r);
    int n = rules_criterion_count(r);
    unsigned char *answers = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++)
        answers[i] = ANSWER_MET;
    rules_input in = {KIND_AUDIT, "2026-05-04", 1, answers};
    unsigned x = 7;
    int seen[3] = {0};
    for (int round = 0; round < 3000; round++) {
        /* a few answers change each round, sometimes none */
        for (int k = round % 4; k > 0; k--) {
            x = x * 1103515245u + 12345u;
            int i = (int)((x >> 8) % (unsigned)n), p = (int)((x >> 20) % 100);
            answers[i] = p < 70   ? ANSWER_MET
                         : p < 85 ? ANSWER_PARTIAL
                         : p < 94 ? ANSWER_NOT_MET
                         : p < 98 ? ANSWER_NOT_APPLICABLE
                                  : ANSWER_NONE;
        }
        if (round % 50 == 0) /* back to a clean audit now and then */
            for (int i = 0; i < n; i++)
                answers[i] = ANSWER_MET;
        in.kind = round % 7 ? KIND_AUDIT : KIND_SELF_ASSESSMENT;
        in.internal_stakeholders = round % 11 ? 2 : 0;
        const char *quick = decided(r, &in, msg, sizeof msg);
        ASSERT_STR_EQ(msg, "");
        cJSON *out = NULL;
        err e = ERR_INIT;
        ASSERT_EQ(rules_evaluate(r, &in, &out, &e), ERR_OK);
        ASSERT_STR_EQ(quick, outcome(out));
        seen[quick[0] == 'e' ? 0 : quick[0] == 'n' ? 1 : 2]++;
        cJSON_Delete(out);
    }
    /* every outcome was exercised */
    ASSERT(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    free(answers);
    rules_free(r);
    return 0;
}

TEST_IMPL(rules_decide_checked)
{
    char msg[4096];
    char *dir = fixture_copy_rules();
    unsigned char answers[117];
    memset(answers, ANSWER_MET, sizeof answers);
    rules_input in = {KIND_AUDIT, "2026-05-04", 1, answers};
    cJSON *out = NULL;
    err e = ERR_INIT;

    /* Without decide(), the decision is the outcome of evaluate(). */
    fixture_write(dir, "award.lua",
                  "award { parameters = {}, evaluate = function (ctx)\n"
                  "  local o = ctx.answers[1] == 'met' and 'eligible' or 'not_eligible'\n"
                  "  return { outcome = o, eligible = o == 'eligible', missing = {},\n"
                  "    reasons = {}, mandatory = {n = 0}, recommended = {n = 0}, advised = {n = "
                  "0}, fields = {} }\n"
                  "end }\n");
    rules *r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT_STR_EQ(msg, "");
    ASSERT_STR_EQ(decided(r, &in, msg, sizeof msg), "eligible");
    answers[0] = ANSWER_NOT_MET;
    ASSERT_STR_EQ(decided(r, &in, msg, sizeof msg), "not_eligible");
    rules_free(r);

    /* A decide() that tampers with ctx cannot change the next decision. */
    fixture_write(dir, "award.lua",
                  "local function decide(ctx)\n"
                  "  local o = ctx.by_level.mandatory:find('N', 1, true) and 'not_eligible'\n"
                  "    or 'eligible'\n"
                  "  ctx.by_level.mandatory = string.rep('N', 67)\n"
                  "  ctx.answers[1] = 'not_met'\n"
                  "  return o\n"
                  "end\n"
                  "award { parameters = {}, decide = decide, evaluate = function (ctx)\n"
                  "  local o = decide(ctx)\n"
                  "  return { outcome = o, eligible = o == 'eligible', missing = {},\n"
                  "    reasons = {}, mandatory = {n = 0}, recommended = {n = 0}, advised = {n = "
                  "0}, fields = {} }\n"
                  "end }\n");
    answers[0] = ANSWER_MET;
    r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT_STR_EQ(msg, "");
    for (int i = 0; i < 3; i++)
        ASSERT_STR_EQ(decided(r, &in, msg, sizeof msg), "eligible");
    rules_evaluate(r, &in, &out, &e);
    ASSERT_STR_EQ(err_msg(&e), "");
    ASSERT_STR_EQ(outcome(out), "eligible");
    cJSON_Delete(out);
    rules_free(r);

    /* decide() must name an outcome, and agree with evaluate(). */
    fixture_write(dir, "award.lua",
                  "award { parameters = {}, decide = function (ctx)\n"
                  "  if ctx.kind == 'audit' then return 'maybe' end\n"
                  "  return 'eligible'\n"
                  "end, evaluate = function (ctx)\n"
                  "  return { outcome = 'not_eligible', eligible = false, missing = {},\n"
                  "    reasons = {}, mandatory = {n = 0}, recommended = {n = 0}, advised = {n = "
                  "0}, fields = {} }\n"
                  "end }\n");
    r = fixture_rules_load(dir, msg, sizeof msg);
    ASSERT_STR_EQ(msg, "");
    ASSERT_STR_EQ(decided(r, &in, msg, sizeof msg), "");
    ASSERT_STR_EQ(msg, "award.lua: decide() must return \"eligible\", \"not_eligible\" or "
                       "\"incomplete\", not string");
    in.kind = KIND_SELF_ASSESSMENT;
    ASSERT_EQ(rules_evaluate(r, &in, &out, &e), ERR_RULES);
    ASSERT_STR_EQ(err_msg(&e), "award.lua: evaluate() returned a bad result: its outcome differs "
                               "from the one decide() returns");
    ASSERT(out == NULL);
    rules_free(r);

    /* The platform reads validity_years itself: it must make sense. */
    fixture_write(dir, "award.lua",
                  "award { parameters = { validity_years = 1e12 },\n"
                  "  evaluate = function (ctx) end }\n");
    ASSERT(fixture_rules_load(dir, msg, sizeof msg) == NULL);
    ASSERT_CONTAINS(msg, "award.lua:1: ");
    ASSERT_CONTAINS(msg, "parameters.validity_years must be a whole number of years from 1 to 99");
    fixture_write(dir, "award.lua",
                  "award { parameters = {}, decide = 1,\n"
                  "  evaluate = function (ctx) end }\n");
    ASSERT(fixture_rules_load(dir, msg, sizeof msg) == NULL);
    ASSERT(strstr(msg, "'decide' must be a function (ctx) returning the outcome, or absent"));
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}
