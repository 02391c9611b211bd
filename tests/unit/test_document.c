/* Unit tests of the PDF documents: each is generated from a realistic data
 * set (the shipped référentiel, a real evaluation) and read back the way a
 * person would see it, through pdftotext and pdftoppm (poppler-utils). */
#include <sys/stat.h>

#include "date.h"
#include "document.h"
#include "rules.h"
#include "test.h"

/* Fontconfig keeps its configuration until the process ends, by design; with
 * SANITIZE=address, LeakSanitizer would report it as a leak of every test. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

#define RECORD_HASH "9f2c4e1a7b3d5f60812a4c6e8b0d2f4163a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3"

/* Everything cmd prints on stdout; caller frees. NULL when it cannot run. */
static char *capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t len = 0, cap = 1 << 16;
    char *out = malloc(cap);
    size_t n;
    while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096) {
            char *grown = realloc(out, cap *= 2);
            if (!grown) {
                free(out);
                out = NULL;
            }
            out = grown;
        }
    }
    int status = pclose(p);
    if (out)
        out[len] = '\0';
    if (status != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static bool have_poppler(void)
{
    return system("command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && "
                  "command -v pdfinfo >/dev/null && command -v pdffonts >/dev/null") == 0;
}

/* What a reader sees on every page, laid out as on paper. */
static char *pdf_text(const char *pdf)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", pdf);
    return capture(cmd);
}

static int pdf_pages(const char *pdf)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", pdf);
    char *info = capture(cmd), *at = info ? strstr(info, "Pages:") : NULL;
    int pages = at ? atoi(at + strlen("Pages:")) : -1;
    free(info);
    return pages;
}

/* Size in bytes of the first page rendered as PNG at 50 dpi, or -1. */
static long png_size(const char *dir, const char *pdf)
{
    char cmd[1024], png[512];
    snprintf(cmd, sizeof cmd, "pdftoppm -r 50 -png -f 1 -l 1 -singlefile '%s' '%s/page'", pdf, dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(png, sizeof png, "%s/page.png", dir);
    struct stat st;
    return stat(png, &st) == 0 ? (long)st.st_size : -1;
}

static const char *const LONG_COMMENT =
    "Égalité professionnelle : l’œuvre engagée depuis l’assemblée générale de juin se "
    "poursuit ; l’accord sur la qualité de vie au travail a été signé, les entretiens "
    "annuels des entrepreneurs-salariés sont tenus et tracés, et le comité de pilotage "
    "réunit désormais chaque trimestre les représentants des entrepreneurs, de l’équipe "
    "d’appui et du conseil d’administration. Les éléments présentés lors de l’audit "
    "(procès-verbaux, tableaux de suivi, supports de formation) sont cohérents entre eux.";

/* The data of an audit report over the shipped référentiel: every criterion
 * answered (one advised criterion left unanswered), long comments with
 * accents, evidence, and the evaluation the rules really compute. */
static cJSON *report_data(rules *r, err *e)
{
    int n = rules_criterion_count(r);
    unsigned char *answers = calloc((size_t)n, 1);
    int unanswered = -1;
    for (int i = 0; i < n; i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        answers[i] = ANSWER_MET;
        if (c->level == LEVEL_RECOMMENDED && i % 3 == 0)
            answers[i] = ANSWER_PARTIAL;
        if (c->level == LEVEL_ADVISED && i % 2 == 0)
            answers[i] = ANSWER_NOT_MET;
        if (c->level == LEVEL_ADVISED && c->na_allowed && answers[i] == ANSWER_MET)
            answers[i] = ANSWER_NOT_APPLICABLE;
        if (c->level == LEVEL_ADVISED && unanswered < 0 && answers[i] == ANSWER_MET)
            unanswered = i;
    }
    rules_input in = {.kind = KIND_AUDIT, .internal_stakeholders = 4, .answers = answers};
    strcpy(in.date, "2026-03-02");
    cJSON *evaluation = NULL;
    if (rules_evaluate(r, &in, &evaluation, e) != ERR_OK) {
        free(answers);
        return NULL;
    }

    cJSON *d = cJSON_CreateObject();
    cJSON *org = cJSON_AddObjectToObject(d, "organisation");
    cJSON_AddNumberToObject(org, "id", 12);
    cJSON_AddStringToObject(org, "name", "Élan Coopératif Lyonnais");
    cJSON_AddStringToObject(org, "legal_form", "SCOP SA");
    cJSON_AddStringToObject(org, "city", "Lyon");
    cJSON_AddStringToObject(org, "region", "Auvergne-Rhône-Alpes");
    cJSON *a = cJSON_AddObjectToObject(d, "assessment");
    cJSON_AddNumberToObject(a, "id", 42);
    cJSON_AddStringToObject(a, "kind", "audit");
    cJSON_AddStringToObject(a, "status", "decided");
    cJSON_AddStringToObject(a, "created_at", "2026-01-15T09:30:00Z");
    cJSON_AddStringToObject(a, "submitted_at", "2026-03-02T17:05:00Z");
    cJSON_AddStringToObject(a, "ruleset", rules_hash(r));
    cJSON *aud = cJSON_AddObjectToObject(d, "auditor");
    cJSON_AddStringToObject(aud, "name", "Hélène Prévost");
    cJSON_AddStringToObject(aud, "email", "helene.prevost@example.org");
    cJSON *people = cJSON_AddArrayToObject(d, "stakeholders");
    static const char *const met[][2] = {
        {"Françoise Lefèvre", "gérante"},
        {"Loïc Bréhat", "chargé d’accompagnement"},
        {"Noémie Caër", "entrepreneure-salariée associée"},
        {"Jérôme Œhler", "comptable"},
    };
    for (size_t i = 0; i < sizeof met / sizeof *met; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", met[i][0]);
        cJSON_AddStringToObject(p, "role", met[i][1]);
        cJSON_AddItemToArray(people, p);
    }
    cJSON_AddItemToObject(d, "evaluation", evaluation);
    cJSON *dec = cJSON_AddObjectToObject(d, "decision");
    cJSON_AddStringToObject(dec, "outcome", "awarded");
    cJSON_AddStringToObject(dec, "date", "2026-03-01");
    cJSON_AddStringToObject(dec, "valid_until", "2029-03-01");
    cJSON *recs = cJSON_AddArrayToObject(dec, "recommendations");
    cJSON_AddItemToArray(recs,
                         cJSON_CreateString("Formaliser le parcours d’intégration des nouveaux "
                                            "entrepreneurs et le présenter en réunion d’accueil."));
    cJSON_AddItemToArray(recs, cJSON_CreateString("Publier le rapport de gestion aux associés."));
    cJSON *good = cJSON_AddArrayToObject(dec, "good_practices");
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "criterion", rules_criterion_at(r, 0)->id);
    cJSON_AddStringToObject(g, "text", "Statuts commentés remis à chaque nouvel associé.");
    cJSON_AddItemToArray(good, g);
    cJSON_AddStringToObject(dec, "record_hash", RECORD_HASH);

    cJSON *criteria = cJSON_AddArrayToObject(d, "criteria");
    for (int i = 0; i < n; i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        cJSON *o = rules_criterion_json(c);
        if (i == unanswered)
            cJSON_AddNullToObject(o, "status");
        else
            cJSON_AddStringToObject(o, "status", rules_answer_name((rules_answer)answers[i]));
        if (i % 3 == 0)
            cJSON_AddStringToObject(o, "comment", LONG_COMMENT);
        else if (i % 3 == 1)
            cJSON_AddStringToObject(o, "comment", "Vu en entretien avec la gérance.");
        else
            cJSON_AddNullToObject(o, "comment");
        cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
        for (int k = 0; i % 2 == 0 && k < c->n_evidence; k++)
            cJSON_AddItemToArray(ev, cJSON_CreateString(c->evidence[k]));
        cJSON_AddItemToArray(criteria, o);
    }
    cJSON *fields = cJSON_AddArrayToObject(d, "fields");
    for (int i = 0; i < rules_field_count(r); i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", rules_field_at(r, i)->id);
        cJSON_AddStringToObject(f, "name", rules_field_at(r, i)->name);
        cJSON_AddItemToArray(fields, f);
    }
    free(answers);
    return d;
}

TEST_IMPL(document_audit_report_pdf)
{
    if (!have_poppler())
        FAIL_AT("poppler-utils (pdftotext, pdftoppm, pdfinfo, pdffonts) is needed: apt-get install "
                "poppler-utils");
    err e = ERR_INIT;
    rules *r = NULL;
    ASSERT_EQ(rules_load(RULES_DIR, NULL, &r, &e), ERR_OK);
    cJSON *data = report_data(r, &e);
    ASSERT_STR_EQ(err_msg(&e), "");
    ASSERT(data);
    char *dir = fixture_tmpdir(), pdf[256], tmp[300];
    snprintf(pdf, sizeof pdf, "%s/rapport.pdf", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", pdf);
    ASSERT_EQ(document_audit_report(data, pdf, &e), ERR_OK);
    ASSERT_STR_EQ(err_msg(&e), "");
    struct stat st;
    ASSERT(stat(tmp, &st) != 0); /* renamed into place */

    int pages = pdf_pages(pdf);
    ASSERT(pages > 5);
    char *text = pdf_text(pdf);
    ASSERT(text);
    ASSERT_CONTAINS(text, "Rapport d'audit — LABEL CPE");
    ASSERT_CONTAINS(text, "Élan Coopératif Lyonnais");
    ASSERT_CONTAINS(text, "Hélène Prévost");
    ASSERT_CONTAINS(text, "Jérôme Œhler — comptable");
    ASSERT_CONTAINS(text, "Éligible au label");
    ASSERT_CONTAINS(text, "Tous les critères obligatoires");
    /* The first words of a statement, with their accents, and a comment. */
    ASSERT_CONTAINS(text, "La CAE est constituée en société coopérative");
    ASSERT_CONTAINS(text, "Égalité professionnelle : l’œuvre engagée");
    ASSERT_CONTAINS(text, "obligatoire");
    ASSERT_CONTAINS(text, "Partiellement satisfait");
    ASSERT_CONTAINS(text, "Non satisfait");
    ASSERT_CONTAINS(text, "Sans réponse");
    ASSERT_CONTAINS(text, "Preuves : ");
    ASSERT_CONTAINS(text, "Publier le rapport de gestion aux associés.");
    ASSERT_CONTAINS(text, "Statuts commentés remis à chaque nouvel associé.");
    ASSERT_CONTAINS(text, "Juridique et financier");
    ASSERT_CONTAINS(text, "2 mars 2026");   /* submitted */
    ASSERT_CONTAINS(text, "1er mars 2026"); /* decided */
    ASSERT_CONTAINS(text, "15 janvier 2026");
    ASSERT_CONTAINS(text, RECORD_HASH);
    char expect[128];
    snprintf(expect, sizeof expect, "Référentiel %s", rules_hash(r));
    ASSERT_CONTAINS(text, expect);
    ASSERT_CONTAINS(text, "page 1 /");
    snprintf(expect, sizeof expect, "page %d / %d", pages, pages);
    ASSERT_CONTAINS(text, expect);
    /* Every page carries the rule set hash in its footer. */
    int footers = 0;
    for (const char *p = text; (p = strstr(p, rules_hash(r))); p++)
        footers++;
    ASSERT(footers >= pages);
    /* Every criterion is there, the last one included. */
    ASSERT_CONTAINS(text, rules_criterion_at(r, rules_criterion_count(r) - 1)->id);
    free(text);
    ASSERT(png_size(dir, pdf) > 8000);
    /* The accents come from DejaVu itself, not from a fallback font. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", pdf);
    char *fonts = capture(cmd);
    ASSERT_CONTAINS(fonts, "DejaVuSans-Bold");
    free(fonts);

    cJSON_Delete(data);
    rules_free(r);
    fixture_rmtree(dir);
    return 0;
}

static cJSON *certificate_data(const char *name, const char *hash)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *org = cJSON_AddObjectToObject(d, "organisation");
    cJSON_AddStringToObject(org, "name", name);
    cJSON_AddStringToObject(org, "city", "Saint-Étienne");
    cJSON *dec = cJSON_AddObjectToObject(d, "decision");
    cJSON_AddStringToObject(dec, "outcome", "awarded");
    cJSON_AddStringToObject(dec, "date", "2026-03-01");
    cJSON_AddStringToObject(dec, "valid_until", "2029-03-02");
    if (hash)
        cJSON_AddStringToObject(dec, "record_hash", hash);
    cJSON_AddStringToObject(d, "ruleset",
                            "735c2d0014b714281fd8b9bb536fe82cce021e5cc51e30e3cd5fd9d9abc306bd");
    return d;
}

TEST_IMPL(document_certificate_pdf)
{
    if (!have_poppler())
        FAIL_AT("poppler-utils (pdftotext, pdftoppm, pdfinfo, pdffonts) is needed: apt-get install "
                "poppler-utils");
    err e = ERR_INIT;
    char *dir = fixture_tmpdir(), pdf[256];
    snprintf(pdf, sizeof pdf, "%s/certificat.pdf", dir);
    cJSON *data = certificate_data("Coopérative d’Activité Œuvres Communes", RECORD_HASH);
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_OK);
    ASSERT_STR_EQ(err_msg(&e), "");
    ASSERT_EQ(pdf_pages(pdf), 1);
    char *text = pdf_text(pdf);
    ASSERT(text);
    ASSERT_CONTAINS(text, "LABEL CPE");
    ASSERT_CONTAINS(text, "Coopérer pour Entreprendre");
    ASSERT_CONTAINS(text, "certifie que la coopérative");
    ASSERT_CONTAINS(text, "Coopérative d’Activité Œuvres Communes");
    ASSERT_CONTAINS(text, "Saint-Étienne");
    ASSERT_CONTAINS(text, "a obtenu le LABEL CPE");
    ASSERT_CONTAINS(text, "le 1er mars 2026");
    ASSERT_CONTAINS(text, "valable jusqu'au 2 mars 2029");
    ASSERT_CONTAINS(text, "Code de vérification");
    ASSERT_CONTAINS(text, RECORD_HASH);
    ASSERT_CONTAINS(text, "labelcoop verify");
    free(text);
    ASSERT(png_size(dir, pdf) > 8000);
    cJSON_Delete(data);

    /* A code too long for one line is cut in two, and still reads whole. */
    char code[200];
    snprintf(code, sizeof code, "%s%s", RECORD_HASH, RECORD_HASH);
    data = certificate_data("CAE Rives", code);
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_OK);
    text = pdf_text(pdf);
    ASSERT(text);
    ASSERT_CONTAINS(text, RECORD_HASH);
    ASSERT(!strstr(text, code));
    free(text);
    cJSON_Delete(data);

    /* A name of forty lines (older data: the API refuses them now) is one
     * line, and the rest of the certificate stays on its page. */
    char name[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(name, "CAE\n");
    data = certificate_data(name, RECORD_HASH);
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_OK);
    ASSERT_EQ(pdf_pages(pdf), 1);
    text = pdf_text(pdf);
    ASSERT(text);
    ASSERT_CONTAINS(text, "CAE CAE CAE");
    ASSERT_CONTAINS(text, "a obtenu le LABEL CPE");
    ASSERT_CONTAINS(text, "valable jusqu'au 2 mars 2029");
    free(text);
    cJSON_Delete(data);
    fixture_rmtree(dir);
    return 0;
}

TEST_IMPL(document_refuses_missing)
{
    err e = ERR_INIT;
    char *dir = fixture_tmpdir(), pdf[256];
    snprintf(pdf, sizeof pdf, "%s/out.pdf", dir);
    struct stat st;

    cJSON *data = certificate_data("CAE Rives", NULL);
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_INPUT);
    ASSERT_STR_EQ(err_msg(&e),
                  "$.decision.record_hash: missing: a certificate needs its verification code");
    cJSON_DeleteItemFromObject(data, "decision");
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_INPUT);
    ASSERT_STR_EQ(err_msg(&e), "$.decision: missing: a certificate needs the committee's decision");
    cJSON_Delete(data);
    data = certificate_data("CAE Rives", RECORD_HASH);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(data, "decision"), "outcome",
                              cJSON_CreateString("refused"));
    ASSERT_EQ(document_certificate(data, pdf, &e), ERR_INPUT);
    ASSERT_STR_EQ(err_msg(&e),
                  "$.decision.outcome: is \"refused\": only an awarded label has a certificate");
    cJSON_Delete(data);
    ASSERT_EQ(document_certificate(NULL, pdf, &e), ERR_INPUT);
    ASSERT_EQ(document_audit_report(NULL, pdf, &e), ERR_INPUT);
    ASSERT(stat(pdf, &st) != 0); /* nothing written */
    data = certificate_data("CAE Rives", RECORD_HASH);

    /* A folder that does not exist: bad input (the caller's path, named),
     * and no file left behind. */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no/such/folder/out.pdf", dir);
    ASSERT_EQ(document_certificate(data, missing, &e), ERR_INPUT);
    ASSERT_CONTAINS(err_msg(&e), missing);
    ASSERT_CONTAINS(err_msg(&e), "No such file or directory");
    cJSON_Delete(data);

    /* Missing fields, wrong types and a bad UTF-8 byte never stop a report:
     * what is missing reads "—". */
    data = cJSON_Parse("{\"organisation\": {\"name\": 7}, \"assessment\": null, \"auditor\": null,"
                       " \"evaluation\": {\"fields\": [{\"id\": \"JF\"}], \"reasons\": [1]},"
                       " \"decision\": null, \"stakeholders\": \"x\","
                       " \"criteria\": [{\"id\": \"JF-01\"}, {}, {\"status\": \"met\","
                       " \"evidence\": [null], \"comment\": \"\"}]}");
    ASSERT(data);
    cJSON *bad = cJSON_CreateObject();
    cJSON_AddStringToObject(bad, "statement", "Octet invalide : \xC3 puis la suite reste lisible");
    cJSON_AddItemToArray(cJSON_GetObjectItem(data, "criteria"), bad);
    err_clear(&e);
    ASSERT_EQ(document_audit_report(data, pdf, &e), ERR_OK);
    ASSERT_STR_EQ(err_msg(&e), "");
    cJSON_Delete(data);
    if (have_poppler()) {
        char *text = pdf_text(pdf);
        ASSERT(text);
        ASSERT_CONTAINS(text, "Octet invalide : ? puis la suite reste lisible");
        ASSERT_CONTAINS(text, "Sans réponse");
        free(text);
    }
    ASSERT_EQ(document_audit_report(cJSON_GetObjectItem(NULL, "x"), pdf, &e), ERR_INPUT);
    data = cJSON_CreateObject();
    err_clear(&e);
    ASSERT_EQ(document_audit_report(data, pdf, &e), ERR_OK);
    cJSON_Delete(data);
    if (have_poppler()) {
        char *text = pdf_text(pdf);
        ASSERT(text);
        ASSERT_CONTAINS(text, "Rapport d'audit");
        ASSERT_CONTAINS(text, "—");
        ASSERT_CONTAINS(text, "Pas encore de décision du comité.");
        free(text);
    }
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

/* A criterion whose comment is the word w n times. */
static cJSON *long_criterion(int i, const char *w, int n)
{
    size_t len = strlen(w);
    char *text = malloc(len * (size_t)n + 1), id[32];
    for (int k = 0; text && k < n; k++)
        memcpy(text + len * (size_t)k, w, len);
    if (text)
        text[len * (size_t)n] = '\0';
    snprintf(id, sizeof id, "JF-%03d", i);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", id);
    cJSON_AddStringToObject(c, "status", "met");
    cJSON_AddStringToObject(c, "comment", text ? text : "");
    free(text);
    return c;
}

/* The cost bound (issue 17): a text past 12,000 characters is cut with a
 * note, a report stops at 600 pages with a note, and a self-assessment's
 * report is titled as one, without the committee. */
TEST_IMPL(document_bounds_its_cost)
{
    err e = ERR_INIT;
    char *dir = fixture_tmpdir(), pdf[256];
    snprintf(pdf, sizeof pdf, "%s/out.pdf", dir);
    cJSON *data = cJSON_Parse("{\"assessment\": {\"kind\": \"self_assessment\","
                              " \"status\": \"submitted\"}, \"criteria\": []}");
    ASSERT(data);
    cJSON *criteria = cJSON_GetObjectItem(data, "criteria");
    cJSON_AddItemToArray(criteria, long_criterion(0, "mot ", 5000)); /* 20,000 characters */
    ASSERT_EQ(document_audit_report(data, pdf, &e), ERR_OK);
    if (have_poppler()) {
        char *text = pdf_text(pdf);
        ASSERT(text);
        ASSERT_CONTAINS(text, "Rapport d'autoévaluation");
        /* the comment as drawn: "Commentaire : " and its 20,000 characters */
        ASSERT_CONTAINS(text, "(texte coupé ici : 20014 caractères en tout)");
        ASSERT(!strstr(text, "Rapport d'audit"));
        ASSERT(!strstr(text, "comité"));
        free(text);
    }
    /* 10 comments of 6,000 short lines: about 1,000 pages uncut */
    for (int i = 1; i <= 10; i++)
        cJSON_AddItemToArray(criteria, long_criterion(i, "a\n", 6000));
    ASSERT_EQ(document_audit_report(data, pdf, &e), ERR_OK);
    cJSON_Delete(data);
    if (have_poppler()) {
        ASSERT_EQ(pdf_pages(pdf), 600);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "pdftotext -f 600 -l 600 -layout '%s' -", pdf);
        char *last = capture(cmd);
        ASSERT(last);
        ASSERT_CONTAINS(last, "Le document s'arrête ici : il dépasserait 600 pages.");
        ASSERT_CONTAINS(last, "page 600 / 600");
        free(last);
    }
    err_clear(&e);
    fixture_rmtree(dir);
    return 0;
}

/* The report's evidence line: texts as written, each document seen with
 * its title, the version it resolved to, its pages and its full SHA-256. */
TEST_IMPL(document_evidence_lists_documents)
{
    cJSON *c = cJSON_Parse("{\"evidence\": [\"Statuts 2024, article 3\","
                           " {\"document\": 4, \"version\": null, \"pages\": \"3-5\","
                           " \"title\": \"Statuts\", \"resolved_version\": 2,"
                           " \"sha256\": \"" RECORD_HASH "\"},"
                           " {\"document\": 5, \"version\": 1, \"pages\": null,"
                           " \"available\": false}]}");
    ASSERT(c);
    char *text = document_evidence_text(c);
    ASSERT_STR_EQ(text, "Preuves : Statuts 2024, article 3 ; Statuts, version 2, p. 3-5, SHA-256 "
                        RECORD_HASH " ; —, version 1");
    free(text);
    cJSON_Delete(c);
    c = cJSON_Parse("{\"evidence\": []}");
    ASSERT(document_evidence_text(c) == NULL);
    cJSON_Delete(c);
    return 0;
}
