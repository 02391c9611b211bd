/* diff: compares two loaded rule sets criterion by criterion, matching them
 * by id, and their award parameters and weights as JSON values. */
#include "diff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *change(const char *id, const char *key, cJSON *from, cJSON *to)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, key, id);
    cJSON_AddItemToObject(o, "from", from);
    cJSON_AddItemToObject(o, "to", to);
    return o;
}

static cJSON *brief(const rules_criterion *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddStringToObject(o, "field", c->field);
    cJSON_AddStringToObject(o, "level", rules_level_name(c->level));
    cJSON_AddStringToObject(o, "statement", c->statement);
    return o;
}

static bool same(const char *x, const char *y)
{
    return strcmp(x ? x : "", y ? y : "") == 0;
}

/* Parameters whose values differ, by name, from a's side and b's. */
static void compare_objects(const cJSON *a, const cJSON *b, cJSON *list)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
        if (!y || !cJSON_Compare(x, y, 1))
            cJSON_AddItemToArray(list, change(x->string, "name", cJSON_Duplicate(x, 1),
                                              y ? cJSON_Duplicate(y, 1) : cJSON_CreateNull()));
    }
    cJSON_ArrayForEach(x, b)
    {
        if (!cJSON_GetObjectItemCaseSensitive(a, x->string))
            cJSON_AddItemToArray(
                list, change(x->string, "name", cJSON_CreateNull(), cJSON_Duplicate(x, 1)));
    }
}

cJSON *diff_rules(const rules *a, const rules *b)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "from", rules_hash(a));
    cJSON_AddStringToObject(d, "to", rules_hash(b));
    cJSON *added = cJSON_AddArrayToObject(d, "added");
    cJSON *removed = cJSON_AddArrayToObject(d, "removed");
    cJSON *reworded = cJSON_AddArrayToObject(d, "reworded");
    cJSON *level = cJSON_AddArrayToObject(d, "level_changed");
    cJSON *weight = cJSON_AddArrayToObject(d, "weight_changed");
    cJSON *na = cJSON_AddArrayToObject(d, "na_changed");
    cJSON *moved = cJSON_AddArrayToObject(d, "moved");
    for (int i = 0; i < rules_criterion_count(b); i++) {
        const rules_criterion *y = rules_criterion_at(b, i);
        int j = rules_find(a, y->id);
        if (j < 0) {
            cJSON_AddItemToArray(added, brief(y));
            continue;
        }
        const rules_criterion *x = rules_criterion_at(a, j);
        if (!same(x->statement, y->statement) || !same(x->guidance, y->guidance))
            cJSON_AddItemToArray(reworded, change(y->id, "id", cJSON_CreateString(x->statement),
                                                  cJSON_CreateString(y->statement)));
        if (x->level != y->level)
            cJSON_AddItemToArray(level,
                                 change(y->id, "id", cJSON_CreateString(rules_level_name(x->level)),
                                        cJSON_CreateString(rules_level_name(y->level))));
        if (x->weight != y->weight)
            cJSON_AddItemToArray(weight, change(y->id, "id", cJSON_CreateNumber(x->weight),
                                                cJSON_CreateNumber(y->weight)));
        if (x->na_allowed != y->na_allowed)
            cJSON_AddItemToArray(na, change(y->id, "id", cJSON_CreateBool(x->na_allowed),
                                            cJSON_CreateBool(y->na_allowed)));
        if (!same(x->field, y->field) || !same(x->theme, y->theme)) {
            char from[300], to[300];
            snprintf(from, sizeof from, "%s / %s", x->field, x->theme);
            snprintf(to, sizeof to, "%s / %s", y->field, y->theme);
            cJSON_AddItemToArray(
                moved, change(y->id, "id", cJSON_CreateString(from), cJSON_CreateString(to)));
        }
    }
    for (int i = 0; i < rules_criterion_count(a); i++)
        if (rules_find(b, rules_criterion_at(a, i)->id) < 0)
            cJSON_AddItemToArray(removed, brief(rules_criterion_at(a, i)));
    compare_objects(rules_parameters(a), rules_parameters(b),
                    cJSON_AddArrayToObject(d, "parameters_changed"));
    cJSON *wa = rules_to_json(a), *wb = rules_to_json(b);
    cJSON_AddBoolToObject(
        d, "weights_changed",
        !cJSON_Compare(cJSON_GetObjectItem(wa, "weights"), cJSON_GetObjectItem(wb, "weights"), 1));
    cJSON_Delete(wa);
    cJSON_Delete(wb);
    return d;
}

static void put(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(char **buf, size_t *len, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    char *p = realloc(*buf, *len + (size_t)n + 1);
    if (!p)
        return;
    memcpy(p + *len, line, (size_t)n + 1);
    *buf = p;
    *len += (size_t)n;
}

static const char *str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* A value as text, into buf. */
static const char *value_text(const cJSON *v, char *buf, size_t size)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(buf, size, "%s", t ? t : "null");
    free(t);
    return buf;
}

char *diff_text(const cJSON *d)
{
    char *buf = calloc(1, 1);
    size_t len = 0;
    put(&buf, &len, "rules %.12s -> %.12s\n", str(d, "from"), str(d, "to"));
    static const struct {
        const char *key, *title;
    } sections[] = {
        {"added", "added"},
        {"removed", "removed"},
        {"reworded", "reworded"},
        {"level_changed", "level changed"},
        {"weight_changed", "weight changed"},
        {"na_changed", "'not applicable' changed"},
        {"moved", "moved"},
        {"parameters_changed", "award parameters changed"},
    };
    int changes = 0;
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(d, sections[i].key);
        if (!cJSON_GetArraySize(list))
            continue;
        char count[16];
        snprintf(count, sizeof count, "%d", cJSON_GetArraySize(list));
        put(&buf, &len, "\n%s (%s):\n", sections[i].title, count);
        const cJSON *x;
        cJSON_ArrayForEach(x, list)
        {
            changes++;
            char f[256], t[256];
            const char *id = str(x, "id") ? str(x, "id") : str(x, "name") ? str(x, "name") : "?";
            if (cJSON_GetObjectItem(x, "from"))
                put(&buf, &len, "  %s: %s -> %s\n", id,
                    value_text(cJSON_GetObjectItem(x, "from"), f, sizeof f),
                    value_text(cJSON_GetObjectItem(x, "to"), t, sizeof t));
            else
                put(&buf, &len, "  %s [%s] %s\n", id, str(x, "level") ? str(x, "level") : "",
                    str(x, "statement") ? str(x, "statement") : "");
        }
    }
    if (cJSON_IsTrue(cJSON_GetObjectItem(d, "weights_changed"))) {
        changes++;
        put(&buf, &len, "\nweights.lua changed\n");
    }
    if (!changes)
        put(&buf, &len, "\nno difference in criteria, parameters or weights\n");
    return buf;
}
