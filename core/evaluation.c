/* evaluation: strict reading of evaluate input, with JSON paths in every
 * message, and the text rendering of an evaluation result. */
#include "evaluation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "json.h"
#include "text.h"

/* A comment or an evidence entry: text of any length, on lines. */
static int check_text(const cJSON *v, const char *path, err *e)
{
    if (!cJSON_IsString(v))
        return err_at(e, path, "must be a string");
    char buf[96];
    const char *why =
        text_check(v->valuestring, strlen(v->valuestring), TEXT_LINES, 0, buf, sizeof buf);
    return why ? err_at(e, path, "%s", why) : ERR_OK;
}

/* Pages of a document link: short, on one line ("3-5", "annexe 2"). */
#define EVALUATION_PAGES_MAX 40

int evaluation_link_check(const cJSON *v, const char *path, evaluation_link *link, err *e)
{
    static const char *const keys[] = {"document", "version", "pages", NULL};
    char at[256];
    memset(link, 0, sizeof *link);
    if (!cJSON_IsObject(v))
        return err_at(e, path, "must be a text or {\"document\", \"version\", \"pages\"}");
    if (json_only_keys(v, keys, path, e))
        return e->code;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(v, "document");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(v, "version");
    const cJSON *pages = cJSON_GetObjectItemCaseSensitive(v, "pages");
    snprintf(at, sizeof at, "%s.document", path);
    if (!doc)
        return err_at(e, at, "is missing (the document's id)");
    if (!json_id(doc, &link->document))
        return err_at(e, at, "must be a document id");
    snprintf(at, sizeof at, "%s.version", path);
    if (ver && !cJSON_IsNull(ver) && !json_id(ver, &link->version))
        return err_at(e, at, "must be a version number from 1 up, or null for the latest");
    snprintf(at, sizeof at, "%s.pages", path);
    if (pages && !cJSON_IsNull(pages)) {
        if (!cJSON_IsString(pages))
            return err_at(e, at, "must be a string");
        char buf[96];
        const char *why = text_check(pages->valuestring, strlen(pages->valuestring), TEXT_LINE,
                                     EVALUATION_PAGES_MAX, buf, sizeof buf);
        if (why)
            return err_at(e, at, "%s", why);
        link->pages = pages->valuestring;
    }
    return ERR_OK;
}

cJSON *evaluation_link_json(const evaluation_link *link)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "document", (double)link->document) ||
        !(link->version ? cJSON_AddNumberToObject(o, "version", (double)link->version)
                        : cJSON_AddNullToObject(o, "version")) ||
        !(link->pages ? cJSON_AddStringToObject(o, "pages", link->pages)
                      : cJSON_AddNullToObject(o, "pages"))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int parse_answer(const rules *r, const cJSON *item, unsigned char *answers, err *e)
{
    char path[160];
    snprintf(path, sizeof path, "$.answers.%s", item->string);
    int idx = rules_find(r, item->string);
    if (idx < 0)
        return err_at(e, path, "unknown criterion '%s'", item->string);
    if (answers[idx] != ANSWER_NONE)
        return err_at(e, path, "answered twice");
    const cJSON *status = item;
    if (cJSON_IsObject(item)) {
        static const char *const keys[] = {"status", "comment", "evidence", NULL};
        if (json_only_keys(item, keys, path, e))
            return e->code;
        for (const cJSON *k = item->child; k; k = k->next) {
            char sub[200];
            snprintf(sub, sizeof sub, "%s.%s", path, k->string);
            if (strcmp(k->string, "comment") == 0) {
                if (!cJSON_IsNull(k) && check_text(k, sub, e))
                    return e->code;
            } else if (strcmp(k->string, "evidence") == 0) {
                if (!cJSON_IsArray(k))
                    return err_at(e, sub, "must be a list of texts and document links");
                int i = 0;
                for (const cJSON *x = k->child; x; x = x->next, i++) {
                    char at[220];
                    snprintf(at, sizeof at, "%s[%d]", sub, i);
                    evaluation_link link;
                    if (cJSON_IsObject(x) ? evaluation_link_check(x, at, &link, e)
                                          : check_text(x, at, e))
                        return e->code;
                }
            }
        }
        status = cJSON_GetObjectItemCaseSensitive(item, "status");
        strncat(path, ".status", sizeof path - strlen(path) - 1);
        if (!status)
            return err_at(e, path, "is missing");
    }
    const char *s = cJSON_GetStringValue(status);
    rules_answer a = s ? rules_answer_parse(s) : ANSWER_NONE;
    if (a == ANSWER_NONE)
        return err_at(e, path, "must be \"met\", \"partial\", \"not_met\" or \"not_applicable\"");
    if (a == ANSWER_NOT_APPLICABLE && !rules_criterion_at(r, idx)->na_allowed)
        return err_at(e, path, "criterion %s does not allow \"not_applicable\"", item->string);
    answers[idx] = (unsigned char)a;
    return ERR_OK;
}

int evaluation_from_json(const rules *r, const cJSON *doc, rules_input *in, unsigned char *answers,
                         err *e)
{
    memset(in, 0, sizeof *in);
    memset(answers, ANSWER_NONE, (size_t)rules_criterion_count(r));
    in->answers = answers;
    if (!cJSON_IsObject(doc))
        return err_at(e, "$", "must be an object {\"kind\", \"date\", \"answers\"}");
    static const char *const keys[] = {"kind", "date", "internal_stakeholders", "answers", NULL};
    if (json_only_keys(doc, keys, "$", e))
        return e->code;
    const cJSON *member[4] = {NULL}; /* by keys[] */
    for (const cJSON *k = doc->child; k; k = k->next) {
        int i = 0;
        while (strcmp(keys[i], k->string) != 0) /* known: it is there */
            i++;
        char path[160];
        snprintf(path, sizeof path, "$.%s", k->string);
        if (member[i])
            return err_at(e, path, "given twice");
        member[i] = k;
    }
    const cJSON *kind = member[0], *date = member[1], *stake = member[2], *ans = member[3];
    const char *ks = cJSON_GetStringValue(kind);
    if (!kind)
        return err_at(e, "$.kind", "is missing (\"audit\" or \"self_assessment\")");
    if (!ks || (strcmp(ks, "audit") && strcmp(ks, "self_assessment")))
        return err_at(e, "$.kind", "must be \"audit\" or \"self_assessment\"");
    in->kind = strcmp(ks, "audit") == 0 ? KIND_AUDIT : KIND_SELF_ASSESSMENT;
    /* No default: the same input must give the same result on any day. */
    if (!date)
        return err_at(e, "$.date", "is missing (the evaluation's date, YYYY-MM-DD)");
    if (!date_valid(cJSON_GetStringValue(date)))
        return err_at(e, "$.date", "must be a real date written YYYY-MM-DD");
    memcpy(in->date, date->valuestring, DATE_LEN + 1);
    if (stake) {
        double v = cJSON_IsNumber(stake) ? stake->valuedouble : -1;
        if (v < 0 || v != floor(v) || v > 100000)
            return err_at(e, "$.internal_stakeholders", "must be a whole number from 0 up");
        in->internal_stakeholders = (int)v;
    }
    if (!ans)
        return err_at(e, "$.answers", "is missing (an object {\"JF-01\": \"met\", ...})");
    if (!cJSON_IsObject(ans))
        return err_at(e, "$.answers", "must be an object {\"JF-01\": \"met\", ...}");
    for (const cJSON *a = ans->child; a; a = a->next)
        if (parse_answer(r, a, answers, e) != ERR_OK)
            return e->code;
    return ERR_OK;
}

int evaluation_parse(const rules *r, const char *text, size_t len, rules_input *in,
                     unsigned char *answers, err *e)
{
    cJSON *doc;
    if (json_parse(text, len, &doc, e) != ERR_OK)
        return e->code;
    int rc = evaluation_from_json(r, doc, in, answers, e);
    cJSON_Delete(doc);
    return rc;
}

/* ---- text rendering ------------------------------------------------------ */

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !b->s)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            free(b->s);
            b->s = NULL;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

/* s left-aligned in width characters (not bytes: names carry accents). */
static void put_padded(buf *b, const char *s, size_t width)
{
    size_t w = text_width(s);
    put(b, "%s%*s", s, (int)(w < width ? width - w : 0), "");
}

/* A number the French way: "53,8". */
static void put_decimal(buf *b, double v)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, v == (long long)v ? "%.0f" : "%.1f", v);
    char *dot = strchr(tmp, '.');
    if (dot)
        *dot = ',';
    put(b, "%s", tmp);
}

static void put_list(buf *b, const cJSON *list)
{
    int i = 0;
    for (const cJSON *x = list ? list->child : NULL; x; x = x->next, i++)
        put(b, "%s%s", i ? ", " : "", cJSON_GetStringValue(x) ? x->valuestring : "?");
}

char *evaluation_text(const cJSON *res)
{
    buf b = {malloc(256), 0, 256};
    const char *outcome = str(res, "outcome");
    bool audit = strcmp(str(res, "kind"), "audit") == 0;
    const char *verdict = strcmp(outcome, "eligible") == 0     ? "ÉLIGIBLE au label"
                          : strcmp(outcome, "incomplete") == 0 ? "INCOMPLÈTE"
                                                               : "NON ÉLIGIBLE au label";
    put(&b, "%s du %s : %s", audit ? "Audit" : "Auto-évaluation", str(res, "date"), verdict);
    const char *vu = str(res, "valid_until");
    if (*vu)
        put(&b, " (valable jusqu'au %s)", vu);
    put(&b, "\n\n");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(res, "reasons");
    for (const cJSON *x = reasons ? reasons->child : NULL; x; x = x->next)
        put(&b, "- %s\n", cJSON_GetStringValue(x) ? x->valuestring : "");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(res, "mandatory");
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(res, "recommended");
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(res, "advised");
    put(&b, "\nCritères obligatoires : %g sur %g satisfaits totalement", num(m, "met"),
        num(m, "total"));
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(m, "failed");
    if (cJSON_GetArraySize(failed) > 0) {
        put(&b, " ; non satisfaits : ");
        put_list(&b, failed);
    }
    put(&b, "\nCritères recommandés : %g satisfaits, %g partiels, sur %g (", num(rec, "met"),
        num(rec, "partial"), num(rec, "total"));
    put_decimal(&b, 100 * num(rec, "ratio"));
    put(&b, " %%, seuil ");
    put_decimal(&b, 100 * num(rec, "threshold"));
    put(&b, " %%)\n");
    put(&b, "Critères conseillés : %g sur %g satisfaits (sans effet sur le label)\n",
        num(adv, "met"), num(adv, "total"));
    const cJSON *missing = cJSON_GetObjectItemCaseSensitive(res, "missing");
    if (cJSON_GetArraySize(missing) > 0) {
        put(&b, "Sans réponse (%d) : ", cJSON_GetArraySize(missing));
        put_list(&b, missing);
        put(&b, "\n");
    }
    put(&b, "\nScore global : ");
    put_decimal(&b, num(res, "score"));
    put(&b, " sur 100\nScore par champ :\n");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(res, "fields");
    for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next) {
        put(&b, "  ");
        put_padded(&b, str(f, "id"), 5);
        put_padded(&b, str(f, "name"), 40);
        put_decimal(&b, num(f, "score"));
        put(&b, "\n");
    }
    put(&b, "\nRègles : %s\n", str(res, "ruleset"));
    return b.s;
}
