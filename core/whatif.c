/* whatif: answers are read once per assessment and decided under both rule
 * sets from the same buffer of statuses; where the outcome changes, both
 * whole evaluations say which criteria failed (or were missing) under one
 * rule set and not the other ("criteria"). */
#include "whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

typedef struct answer_list {
    char (*ids)[40];
    unsigned char *status;
    int n, cap;
} answer_list;

static void keep_answer(void *ud, const char *criterion, const char *status)
{
    answer_list *l = ud;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 128;
        char(*ids)[40] = realloc(l->ids, (size_t)cap * sizeof *ids);
        unsigned char *st = ids ? realloc(l->status, (size_t)cap) : NULL;
        if (ids)
            l->ids = ids;
        if (!st)
            return;
        l->status = st;
        l->cap = cap;
    }
    snprintf(l->ids[l->n], sizeof l->ids[l->n], "%s", criterion);
    l->status[l->n++] = (unsigned char)rules_answer_parse(status);
}

/* The answers as r's input, in buf (one entry per criterion of r). */
static rules_input input_for(const rules *r, const answer_list *l, const rules_input *base,
                             unsigned char *buf)
{
    int n = rules_criterion_count(r);
    memset(buf, 0, (size_t)n);
    for (int i = 0; i < l->n; i++) {
        int k = rules_find(r, l->ids[i]);
        /* An answer the candidate cannot accept counts as missing there. */
        if (k >= 0 &&
            (l->status[i] != ANSWER_NOT_APPLICABLE || rules_criterion_at(r, k)->na_allowed))
            buf[k] = l->status[i];
    }
    rules_input in = *base;
    in.answers = buf;
    return in;
}

/* The outcome of the answers under r. */
static int decide(rules *r, const answer_list *l, const rules_input *base, unsigned char *buf,
                  rules_outcome *out, err *e)
{
    rules_input in = input_for(r, l, base, buf);
    return rules_decide(r, &in, out, e);
}

/* The whole evaluation of the answers under r; NULL (with e set) when the
 * rules fail. */
static cJSON *score(rules *r, const answer_list *l, const rules_input *base, unsigned char *buf,
                    err *e)
{
    rules_input in = input_for(r, l, base, buf);
    cJSON *out = NULL;
    return rules_evaluate(r, &in, &out, e) == ERR_OK ? out : NULL;
}

/* Ids failed or missing in an evaluation, as a set in a JSON object. */
static void failing(const cJSON *ev, cJSON *set)
{
    static const char *const lists[] = {"missing", NULL};
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "mandatory"), "failed"))
        cJSON_AddTrueToObject(set, x->valuestring);
    for (const char *const *l = lists; *l; l++)
        cJSON_ArrayForEach(
            x, cJSON_GetObjectItem(ev, *l)) if (!cJSON_GetObjectItem(set, x->valuestring))
            cJSON_AddTrueToObject(set, x->valuestring);
}

static cJSON *responsible(const cJSON *before, const cJSON *after)
{
    cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject(), *list = cJSON_CreateArray();
    failing(before, a);
    failing(after, b);
    const cJSON *x;
    cJSON_ArrayForEach(x, b) if (!cJSON_GetObjectItem(a, x->string))
        cJSON_AddItemToArray(list, cJSON_CreateString(x->string));
    cJSON_ArrayForEach(x, a) if (!cJSON_GetObjectItem(b, x->string))
        cJSON_AddItemToArray(list, cJSON_CreateString(x->string));
    cJSON_Delete(a);
    cJSON_Delete(b);
    return list;
}

/* obj[key] += 1, starting from 0. */
static void bump(cJSON *obj, const char *key)
{
    cJSON *n = cJSON_GetObjectItem(obj, key);
    if (n)
        cJSON_SetNumberValue(n, n->valuedouble + 1);
    else
        cJSON_AddNumberToObject(obj, key, 1);
}

/* obj[key], created empty when absent. */
static cJSON *child(cJSON *obj, const char *key)
{
    cJSON *c = cJSON_GetObjectItem(obj, key);
    return c ? c : cJSON_AddObjectToObject(obj, key);
}

/* Criteria per field and level under one side ("current" or "candidate"). */
static void count_levels(const rules *r, cJSON *by_field, cJSON *by_level, const char *side)
{
    for (int i = 0; i < rules_criterion_count(r); i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        const char *level = rules_level_name(c->level);
        bump(child(child(by_field, c->field), side), level);
        bump(child(by_level, level), side);
    }
}

/* The field of a criterion id under either rule set. */
static const char *field_of(const rules *a, const rules *b, const char *id)
{
    int k = rules_find(b, id);
    if (k >= 0)
        return rules_criterion_at(b, k)->field;
    k = rules_find(a, id);
    return k >= 0 ? rules_criterion_at(a, k)->field : NULL;
}

/* Reads assessment id's answers into l and its input into base, dated date
 * (today when NULL or not a date). */
static int read_target(store *db, long long id, const char *kind, const char *date, answer_list *l,
                       rules_input *base, err *e)
{
    *base =
        (rules_input){strcmp(kind, "audit") == 0 ? KIND_AUDIT : KIND_SELF_ASSESSMENT, "", 0, NULL};
    if (date && date_valid(date))
        snprintf(base->date, sizeof base->date, "%s", date);
    else
        date_today(base->date);
    l->n = 0;
    if (store_answers_each(db, id, keep_answer, l, e) ||
        store_stakeholder_count(db, id, &base->internal_stakeholders, e))
        return e->code;
    return ERR_OK;
}

/* A decided audit keeps its decision: a label awarded under the old rules
 * stays until it expires, whatever the candidate would say now. */
static void add_decided(cJSON *c, const cJSON *t)
{
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(t, "status"));
    const char *until = cJSON_GetStringValue(cJSON_GetObjectItem(t, "label_until"));
    char today[DATE_LEN + 1];
    date_today(today);
    cJSON_AddBoolToObject(c, "decided", status && strcmp(status, "decided") == 0);
    cJSON_AddBoolToObject(c, "label_kept", until && strcmp(until, today) >= 0);
}

static int evaluate_target(store *db, rules *current, rules *candidate, const cJSON *t,
                           unsigned char *buf, answer_list *l, cJSON *changed, cJSON *by_field,
                           err *e)
{
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(t, "kind"));
    const cJSON *frozen = cJSON_GetObjectItem(t, "evaluation");
    rules_input base;
    if (read_target(db, id, kind, cJSON_GetStringValue(cJSON_GetObjectItem(frozen, "date")), l,
                    &base, e))
        return e->code;
    /* The decisions alone first: the whole evaluations, which say which
     * criteria are responsible, only where the outcome changes. */
    rules_outcome ob, oa;
    if (decide(current, l, &base, buf, &ob, e) || decide(candidate, l, &base, buf, &oa, e))
        return e->code;
    if (oa == ob)
        return ERR_OK;
    cJSON *before = score(current, l, &base, buf, e);
    cJSON *after = before ? score(candidate, l, &base, buf, e) : NULL;
    if (!after) {
        cJSON_Delete(before);
        return e->code;
    }
    const char *b = cJSON_GetStringValue(cJSON_GetObjectItem(before, "outcome"));
    const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(after, "outcome"));
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToObject(c, "organisation_id",
                          cJSON_Duplicate(cJSON_GetObjectItem(t, "organisation_id"), 1));
    cJSON_AddItemToObject(c, "organisation",
                          cJSON_Duplicate(cJSON_GetObjectItem(t, "organisation"), 1));
    cJSON_AddNumberToObject(c, "assessment_id", (double)id);
    cJSON_AddStringToObject(c, "kind", kind);
    cJSON_AddStringToObject(c, "before", b);
    cJSON_AddStringToObject(c, "after", a);
    add_decided(c, t);
    cJSON *crit = responsible(before, after);
    const cJSON *x;
    cJSON_ArrayForEach(x, crit)
    {
        const char *f = field_of(current, candidate, x->valuestring);
        cJSON *fo = f ? cJSON_GetObjectItem(by_field, f) : NULL;
        if (fo)
            bump(fo, "changed_outcomes");
    }
    cJSON_AddItemToObject(c, "criteria", crit);
    cJSON_AddItemToArray(changed, c);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return ERR_OK;
}

/* A buffer of statuses large enough for either rule set; caller frees. */
static unsigned char *input_buffer(const rules *a, const rules *b)
{
    int n = rules_criterion_count(a) > rules_criterion_count(b) ? rules_criterion_count(a)
                                                                : rules_criterion_count(b);
    return malloc((size_t)n + 1);
}

int whatif_run(store *db, rules *current, rules *candidate, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *targets = NULL;
    if (store_begin_read(db, e))
        return e->code;
    int rc = store_whatif_targets(db, &targets, e);
    cJSON *report = cJSON_CreateObject();
    cJSON_AddStringToObject(report, "current", rules_hash(current));
    cJSON_AddStringToObject(report, "candidate", rules_hash(candidate));
    cJSON_AddNumberToObject(report, "evaluated", cJSON_GetArraySize(targets));
    cJSON *changed = cJSON_AddArrayToObject(report, "changed");
    cJSON *by_field = cJSON_AddObjectToObject(report, "by_field");
    cJSON *by_level = cJSON_AddObjectToObject(report, "by_level");
    count_levels(current, by_field, by_level, "current");
    count_levels(candidate, by_field, by_level, "candidate");
    cJSON *f;
    cJSON_ArrayForEach(f, by_field) cJSON_AddNumberToObject(f, "changed_outcomes", 0);
    unsigned char *buf = input_buffer(current, candidate);
    answer_list l = {0};
    const cJSON *t;
    cJSON_ArrayForEach(t, targets)
    {
        if (rc != ERR_OK || !buf)
            break;
        rc = evaluate_target(db, current, candidate, t, buf, &l, changed, by_field, e);
    }
    if (!buf && rc == ERR_OK)
        rc = err_set(e, ERR_FAIL, "out of memory");
    free(buf);
    free(l.ids);
    free(l.status);
    cJSON_Delete(targets);
    store_rollback(db); /* a read snapshot: nothing to keep */
    if (rc != ERR_OK) {
        cJSON_Delete(report);
        return rc;
    }
    *out = report;
    return ERR_OK;
}

/* The ids answered in l that r does not have: kept, but no longer scored. */
static cJSON *orphans_of(const rules *r, const answer_list *l)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < l->n; i++)
        if (rules_find(r, l->ids[i]) < 0)
            cJSON_AddItemToArray(list, cJSON_CreateString(l->ids[i]));
    return list;
}

/* The criteria of b that a does not have: new questions to answer. */
static cJSON *added_in(const rules *a, const rules *b)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < rules_criterion_count(b); i++) {
        const rules_criterion *c = rules_criterion_at(b, i);
        if (rules_find(a, c->id) < 0)
            cJSON_AddItemToArray(list, cJSON_CreateString(c->id));
    }
    return list;
}

int whatif_assessment(store *db, rules *current, rules *candidate, long long id, const char *kind,
                      cJSON **out, err *e)
{
    *out = NULL;
    answer_list l = {0};
    rules_input base;
    cJSON *before = NULL, *after = NULL;
    unsigned char *buf = input_buffer(current, candidate);
    int rc =
        buf ? read_target(db, id, kind, NULL, &l, &base, e) : err_set(e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK && !(before = score(current, &l, &base, buf, e)))
        rc = e->code;
    if (rc == ERR_OK && !(after = score(candidate, &l, &base, buf, e)))
        rc = e->code;
    if (rc == ERR_OK) {
        *out = cJSON_CreateObject();
        cJSON_AddItemToObject(*out, "before",
                              cJSON_Duplicate(cJSON_GetObjectItem(before, "outcome"), 1));
        cJSON_AddItemToObject(*out, "after",
                              cJSON_Duplicate(cJSON_GetObjectItem(after, "outcome"), 1));
        cJSON_AddItemToObject(*out, "criteria", responsible(before, after));
        cJSON_AddItemToObject(*out, "added", added_in(current, candidate));
        cJSON_AddItemToObject(*out, "orphans", orphans_of(candidate, &l));
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
    free(buf);
    free(l.ids);
    free(l.status);
    return rc;
}

char *whatif_text(const cJSON *report)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    const cJSON *changed = cJSON_GetObjectItem(report, "changed");
    len += (size_t)snprintf(
        buf, cap, "what-if: %.12s -> %.12s: %d assessments evaluated, %d change outcome\n",
        cJSON_GetStringValue(cJSON_GetObjectItem(report, "current")),
        cJSON_GetStringValue(cJSON_GetObjectItem(report, "candidate")),
        (int)cJSON_GetNumberValue(cJSON_GetObjectItem(report, "evaluated")),
        cJSON_GetArraySize(changed));
    const cJSON *c;
    cJSON_ArrayForEach(c, changed)
    {
        char *crit = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "criteria"));
        char line[1024];
        const char *kept = cJSON_IsTrue(cJSON_GetObjectItem(c, "label_kept"))
                               ? " (decided: the label awarded stays until it expires)"
                           : cJSON_IsTrue(cJSON_GetObjectItem(c, "decided"))
                               ? " (decided: the decision stands)"
                               : "";
        int n = snprintf(line, sizeof line, "  %s (%s %.0f): %s -> %s, criteria %s%s\n",
                         cJSON_GetStringValue(cJSON_GetObjectItem(c, "organisation")),
                         cJSON_GetStringValue(cJSON_GetObjectItem(c, "kind")),
                         cJSON_GetNumberValue(cJSON_GetObjectItem(c, "assessment_id")),
                         cJSON_GetStringValue(cJSON_GetObjectItem(c, "before")),
                         cJSON_GetStringValue(cJSON_GetObjectItem(c, "after")), crit ? crit : "[]",
                         kept);
        free(crit);
        if (n < 0)
            continue;
        if ((size_t)n >= sizeof line)
            n = sizeof line - 1;
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            char *p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        memcpy(buf + len, line, (size_t)n + 1);
        len += (size_t)n;
    }
    return buf;
}
