/* Unit tests of evaluation: the JSON input of an evaluation, checked path by path. */
#include "evaluation.h"
#include "rules.h"
#include "test.h"

static const char *parse(rules *r, const char *json)
{
    static char msg[512];
    unsigned char answers[200];
    rules_input in;
    err e = ERR_INIT;
    evaluation_parse(r, json, strlen(json), &in, answers, &e);
    snprintf(msg, sizeof msg, "%s", err_msg(&e));
    err_clear(&e);
    return msg;
}

TEST_IMPL(evaluation_paths)
{
    char msg[4096];
    rules *r = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    ASSERT(r);
    ASSERT_STR_EQ(
        parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":\"met\"}}"),
        "");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\n\"answers\": nope}"),
                  "$: malformed JSON at line 2, column 12");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\""), "$: malformed JSON at line 1, column 15");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"answers\":{}}"),
                  "$.date: is missing (the evaluation's date, YYYY-MM-DD)");
    ASSERT_STR_EQ(parse(r, "[]"), "$: must be an object {\"kind\", \"date\", \"answers\"}");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{}} x"),
                  "$: unexpected data after the JSON document");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"visit\",\"date\":\"2026-01-05\",\"answers\":{}}"),
                  "$.kind: must be \"audit\" or \"self_assessment\"");
    ASSERT_STR_EQ(
        parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"XX-99\":\"met\"}}"),
        "$.answers.XX-99: unknown criterion 'XX-99'");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":{"
                           "\"status\":\"ok\"}}}"),
                  "$.answers.JF-01.status: must be \"met\", \"partial\", \"not_met\" or "
                  "\"not_applicable\"");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":{"
                           "\"status\":\"met\","
                           "\"evidence\":[\"a\",2]}}}"),
                  "$.answers.JF-01.evidence[1]: must be a string");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":"
                           "\"not_applicable\"}}"),
                  "$.answers.JF-01: criterion JF-01 does not allow \"not_applicable\"");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-02-30\",\"answers\":{}}"),
                  "$.date: must be a real date written YYYY-MM-DD");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"internal_stakeholders\":"
                           "1.5,\"answers\":{}}"),
                  "$.internal_stakeholders: must be a whole number from 0 up");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":"
                           "\"met\",\"JF-01\":\"met\"}}"),
                  "$.answers.JF-01: duplicate key: an object names each key once");
    ASSERT_STR_EQ(parse(r, "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answer\":{}}"),
                  "$.answer: unknown key (expected kind, date, internal_stakeholders, answers)");
    rules_free(r);
    return 0;
}

/* An evidence entry naming a document, in an answer of `evaluate`'s input. */
static const char *link(const char *entry)
{
    static char json[512];
    snprintf(json, sizeof json,
             "{\"kind\":\"audit\",\"date\":\"2026-01-05\",\"answers\":{\"JF-01\":{"
             "\"status\":\"met\",\"evidence\":[\"Statuts\",%s]}}}",
             entry);
    return json;
}

TEST_IMPL(evaluation_document_links)
{
    char msg[4096];
    rules *r = fixture_rules_load(RULES_DIR, msg, sizeof msg);
    ASSERT(r);
    ASSERT_STR_EQ(parse(r, link("{\"document\":3}")), "");
    ASSERT_STR_EQ(parse(r, link("{\"document\":3,\"version\":2,\"pages\":\"3-5\"}")), "");
    ASSERT_STR_EQ(parse(r, link("{\"document\":3,\"version\":null,\"pages\":null}")), "");
    ASSERT_STR_EQ(parse(r, link("{\"version\":2}")),
                  "$.answers.JF-01.evidence[1].document: is missing (the document's id)");
    ASSERT_STR_EQ(parse(r, link("{\"document\":-3}")),
                  "$.answers.JF-01.evidence[1].document: must be a document id");
    ASSERT_STR_EQ(parse(r, link("{\"document\":3,\"version\":1.5}")),
                  "$.answers.JF-01.evidence[1].version: must be a version number from 1 up, or "
                  "null for the latest");
    ASSERT_STR_EQ(parse(r, link("{\"document\":3,\"page\":\"3\"}")),
                  "$.answers.JF-01.evidence[1].page: unknown key (expected document, version, "
                  "pages)");
    ASSERT_STR_EQ(parse(r, link("{\"document\":3,\"pages\":[3]}")),
                  "$.answers.JF-01.evidence[1].pages: must be a string");
    const char *long_pages = parse(
        r, link("{\"document\":3,\"pages\":\"12345678901234567890123456789012345678901\"}"));
    ASSERT(strncmp(long_pages, "$.answers.JF-01.evidence[1].pages: ", 35) == 0);
    ASSERT_STR_EQ(parse(r, link("[1]")),
                  "$.answers.JF-01.evidence[1]: must be a string");
    rules_free(r);
    return 0;
}
