/* document: the audit report and the label certificate as PDF: what their
 * pages say, in French (sections, wordings, numbers and dates written the
 * French way), laid out by pdf. The report is drawn twice so that every
 * footer can say "page N / M". Uses pdf, cairo, cJSON, date. */
#include "document.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "date.h"
#include "pdf.h"

/* ---- data ------------------------------------------------------------- */

static const cJSON *item(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* A string value, or a number written out (ids may come as either); NULL
 * when absent, null or of another type. buf holds the number's text. */
static const char *value(const cJSON *o, const char *k, char *buf, size_t size)
{
    const cJSON *v = item(o, k);
    if (cJSON_IsString(v) && v->valuestring[0])
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(buf, size, "%g", v->valuedouble);
        return buf;
    }
    return NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(item(o, k));
    return s && s[0] ? s : NULL;
}

static bool number(const cJSON *o, const char *k, double *out)
{
    const cJSON *v = item(o, k);
    if (!cJSON_IsNumber(v))
        return false;
    *out = v->valuedouble;
    return true;
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : PDF_DASH;
}

/* A number the French way: "74,9", "75". */
static const char *num_fr(double v, char *buf, size_t size)
{
    if (v > -1e15 && v < 1e15 && v == (double)(long)v)
        snprintf(buf, size, "%ld", (long)v);
    else
        snprintf(buf, size, "%.1f", v);
    char *dot = strchr(buf, '.');
    if (dot)
        *dot = ',';
    return buf;
}

/* "2026-03-01" (or the date of a "2026-03-01T10:00:00Z" time) as "1er mars
 * 2026" into buf; text that is not a date is shown as it is. */
static const char *date_fr(const char *s, char *buf, size_t size)
{
    static const char *const months[] = {"janvier",   "février", "mars",     "avril",
                                         "mai",       "juin",    "juillet",  "août",
                                         "septembre", "octobre", "novembre", "décembre"};
    if (!s || !s[0])
        return PDF_DASH;
    size_t n = strlen(s);
    if (n < DATE_LEN || (n > DATE_LEN && s[DATE_LEN] != 'T' && s[DATE_LEN] != ' '))
        return s;
    char day[DATE_LEN + 1];
    memcpy(day, s, DATE_LEN);
    day[DATE_LEN] = '\0';
    int y, m, d;
    if (!date_valid(day) || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return s;
    if (d == 1)
        snprintf(buf, size, "1er %s %d", months[m - 1], y);
    else
        snprintf(buf, size, "%d %s %d", d, months[m - 1], y);
    return buf;
}

/* A copy of s with its line breaks and tabs made spaces; caller frees (NULL
 * when out of memory draws "—"). */
static char *one_line(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; p && *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return t;
}
/* ---- the audit report ------------------------------------------------- */

static const char *outcome_words(const char *o, pdf_rgb *c)
{
    *c = PDF_NEUTRAL;
    if (!o)
        return PDF_DASH;
    if (strcmp(o, "eligible") == 0) {
        *c = PDF_GREEN;
        return "Éligible au label";
    }
    if (strcmp(o, "not_eligible") == 0) {
        *c = PDF_RED;
        return "Non éligible";
    }
    if (strcmp(o, "incomplete") == 0) {
        *c = PDF_ORANGE;
        return "Incomplet";
    }
    return o;
}

/* The finding in words, the colour of its badge and of the words on it. */
static const char *finding_words(const char *s, pdf_rgb *c, pdf_rgb *ink)
{
    *ink = PDF_WHITE;
    static const struct {
        const char *key, *words;
        const pdf_rgb *colour;
    } findings[] = {
        {"met", "Satisfait", &PDF_GREEN},
        {"partial", "Partiellement satisfait", &PDF_ORANGE},
        {"not_met", "Non satisfait", &PDF_RED},
        {"not_applicable", "Non applicable", &PDF_NEUTRAL},
    };
    for (size_t i = 0; s && i < sizeof findings / sizeof *findings; i++) {
        if (strcmp(s, findings[i].key) == 0) {
            *c = *findings[i].colour;
            return findings[i].words;
        }
    }
    *c = PDF_LIGHT;
    *ink = PDF_INK; /* white on light grey would not read */
    return "Sans réponse";
}

/* The French words for a code of the data, from a {code, words} table
 * ending in NULL; the code itself when the table lacks it. */
static const char *words(const char *code, const char *const table[][2])
{
    if (!code)
        return PDF_DASH;
    for (; table[0][0]; table++)
        if (strcmp(code, table[0][0]) == 0)
            return table[0][1];
    return code;
}

static const char *level_words(const char *s)
{
    static const char *const t[][2] = {{"mandatory", "obligatoire"},
                                       {"recommended", "recommandé"},
                                       {"advised", "conseillé"},
                                       {NULL, NULL}};
    return words(s, t);
}

static const char *decision_words(const char *s)
{
    static const char *const t[][2] = {{"awarded", "Label attribué"},
                                       {"refused", "Label refusé"},
                                       {"deferred", "Décision ajournée"},
                                       {NULL, NULL}};
    return words(s, t);
}

/* An audit goes to the committee; a self-assessment is the CAE's own, and
 * nobody decides on it. */
static const char *status_words(const char *s, bool self)
{
    static const char *const audit[][2] = {{"draft", "brouillon"},
                                           {"submitted", "soumis au comité"},
                                           {"decided", "décidé"},
                                           {NULL, NULL}};
    static const char *const own[][2] = {
        {"draft", "brouillon"}, {"submitted", "terminée (réponses figées)"}, {NULL, NULL}};
    return words(s, self ? own : audit);
}

/* Whether the data is a self-assessment's: its report names no auditor,
 * committee, decision or stakeholders. */
static bool self_assessment(const cJSON *data)
{
    const char *kind = str(item(data, "assessment"), "kind");
    return kind && strcmp(kind, "self_assessment") == 0;
}

static const char *report_title(const cJSON *data)
{
    return self_assessment(data) ? "Rapport d'autoévaluation" : "Rapport d'audit";
}

/* The rule set the assessment was made under: the assessment's, or the one
 * the evaluation names. */
static const char *ruleset_of(const cJSON *data)
{
    const char *r = str(item(data, "assessment"), "ruleset");
    return r ? r : str(item(data, "evaluation"), "ruleset");
}

/* The name of field id, from the evaluation or the référentiel's list. */
static const char *field_name(const cJSON *data, const char *id)
{
    const cJSON *lists[] = {item(item(data, "evaluation"), "fields"), item(data, "fields")};
    for (int i = 0; id && i < 2; i++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, lists[i])
        {
            const char *fid = str(f, "id");
            if (fid && strcmp(fid, id) == 0 && str(f, "name"))
                return str(f, "name");
        }
    }
    return id;
}

static void title_block(pdf_doc *d, const cJSON *data)
{
    const cJSON *org = item(data, "organisation"), *a = item(data, "assessment");
    d->y = PDF_MARGIN;
    char title[64];
    snprintf(title, sizeof title, "%s — LABEL CPE", report_title(data));
    pdf_bookmark(d, CAIRO_PDF_OUTLINE_ROOT, report_title(data));
    pdf_para(d, title, PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 20, PDF_NAVY);
    d->y += 2;
    pdf_para(d, or_dash(str(org, "name")), PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 14, PDF_INK);
    char buf[64], line[160];
    const char *id = value(a, "id", buf, sizeof buf);
    const char *kind = str(a, "kind");
    snprintf(line, sizeof line, "Coopérer pour Entreprendre · %s n° %s",
             kind && strcmp(kind, "self_assessment") == 0 ? "Auto-évaluation" : "Audit",
             or_dash(id));
    pdf_para(d, line, PDF_MARGIN, pdf_content_width(d), PDF_REGULAR, 9, PDF_GREY);
    pdf_hline(d, PDF_MARGIN, d->w - PDF_MARGIN, d->y + 4, 1.5, PDF_NAVY);
    d->y += 14;
}

static void identity_section(pdf_doc *d, const cJSON *data)
{
    const cJSON *org = item(data, "organisation"), *a = item(data, "assessment");
    const cJSON *aud = item(data, "auditor");
    char buf[64], b1[64], b2[64], place[300], who[400];
    bool self = self_assessment(data);
    pdf_heading(d, self ? "La coopérative et son autoévaluation" : "La coopérative et l'audit", 60);
    pdf_pair(d, "Coopérative", or_dash(str(org, "name")));
    pdf_pair(d, "Forme juridique", or_dash(str(org, "legal_form")));
    const char *city = str(org, "city"), *region = str(org, "region");
    if (city && region)
        snprintf(place, sizeof place, "%s (%s)", city, region);
    else
        snprintf(place, sizeof place, "%s", or_dash(city ? city : region));
    pdf_pair(d, "Ville", place);
    pdf_pair(d, "Organisation n°", or_dash(value(org, "id", buf, sizeof buf)));
    if (str(aud, "name") && str(aud, "email"))
        snprintf(who, sizeof who, "%s (%s)", str(aud, "name"), str(aud, "email"));
    else
        snprintf(who, sizeof who, "%s",
                 or_dash(str(aud, "name") ? str(aud, "name") : str(aud, "email")));
    if (!self)
        pdf_pair(d, "Auditeur", who);
    pdf_pair(d, "Statut", status_words(str(a, "status"), self));
    pdf_pair(d, "Ouvert le", date_fr(str(a, "created_at"), b1, sizeof b1));
    pdf_pair(d, "Soumis le", date_fr(str(a, "submitted_at"), b2, sizeof b2));
    pdf_pair_in(d, "Référentiel", or_dash(ruleset_of(data)), PDF_MONO);
    if (self)
        return;

    pdf_heading(d, "Parties prenantes internes rencontrées", 14);
    const cJSON *people = item(data, "stakeholders"), *p;
    int n = 0;
    cJSON_ArrayForEach(p, people)
    {
        char text[400];
        const char *name = cJSON_IsString(p) ? p->valuestring : str(p, "name");
        const char *role = str(p, "role");
        if (role)
            snprintf(text, sizeof text, "%s — %s", or_dash(name), role);
        else
            snprintf(text, sizeof text, "%s", or_dash(name));
        pdf_bullet(d, text, 9.5);
        n++;
    }
    if (n == 0)
        pdf_para(d, "Aucune partie prenante renseignée.", PDF_MARGIN, pdf_content_width(d),
                 PDF_ITALIC, 9.5, PDF_GREY);
}

/* The outcome in its coloured box, the overall score on its right. */
static void outcome_banner(pdf_doc *d, const cJSON *ev)
{
    char b1[32], line[600];
    pdf_rgb c;
    const char *words = outcome_words(str(ev, "outcome"), &c);
    double top = d->y, box = 34;
    cairo_set_source_rgba(d->cr, c.r, c.g, c.b, 0.10);
    pdf_rounded(d, PDF_MARGIN, top, pdf_content_width(d), box, 4);
    cairo_fill(d->cr);
    pdf_set_colour(d, c);
    cairo_rectangle(d->cr, PDF_MARGIN, top, 5, box);
    cairo_fill(d->cr);
    pdf_set_font(d, PDF_BOLD, 15);
    pdf_show(d, PDF_MARGIN + 16, top + 22, words, strlen(words), c);
    double score;
    if (number(ev, "score", &score))
        snprintf(line, sizeof line, "Score global : %s / 100", num_fr(score, b1, sizeof b1));
    else
        snprintf(line, sizeof line, "Score global : %s", PDF_DASH);
    pdf_set_font(d, PDF_BOLD, 10);
    double lw = pdf_measure(d, line, strlen(line));
    pdf_show(d, d->w - PDF_MARGIN - 12 - lw, top + 21, line, strlen(line), PDF_INK);
    d->y = top + box + 8;
}

/* "12 satisfaits sur 14" for one level of criteria (mandatory, advised) into
 * line, or "—" without its counts. */
static const char *met_of_total(const cJSON *level, char *line, size_t size)
{
    char b1[32], b2[32];
    double total, met;
    if (number(level, "total", &total) && number(level, "met", &met))
        snprintf(line, size, "%s satisfaits sur %s", num_fr(met, b1, sizeof b1),
                 num_fr(total, b2, sizeof b2));
    else
        snprintf(line, size, "%s", PDF_DASH);
    return line;
}

/* The recommended criteria met, partly or wholly, with their ratio and the
 * threshold of the award when known, into line; "—" without the counts. */
static const char *recommended_line(const cJSON *r, char *line, size_t size)
{
    char b1[32], b2[32], b3[32], b4[64];
    double total, met, partial, ratio, threshold;
    if (number(r, "total", &total) && number(r, "met", &met) && number(r, "partial", &partial)) {
        int k = snprintf(line, size, "%s sur %s satisfaits totalement ou partiellement",
                         num_fr(met + partial, b1, sizeof b1), num_fr(total, b2, sizeof b2));
        if (number(r, "ratio", &ratio) && number(r, "threshold", &threshold) && k > 0)
            snprintf(line + k, size - (size_t)k, " (%s %%, seuil %s %%)",
                     num_fr(ratio * 100, b3, sizeof b3), num_fr(threshold * 100, b4, sizeof b4));
    } else {
        snprintf(line, size, "%s", PDF_DASH);
    }
    return line;
}

/* The ids of the mandatory criteria not met, "C1, C4" (as far as memory
 * allowed); caller frees; NULL when out of memory. */
static char *failed_list(const cJSON *failed)
{
    const cJSON *f;
    char *list = calloc(1, 1);
    size_t len = 0;
    cJSON_ArrayForEach(f, failed)
    {
        const char *id = cJSON_IsString(f) ? f->valuestring : str(f, "id");
        size_t k = strlen(or_dash(id));
        char *p = list ? realloc(list, len + k + 3) : NULL;
        if (!p)
            break;
        list = p;
        snprintf(list + len, k + 3, "%s%s", len ? ", " : "", or_dash(id));
        len = strlen(list);
    }
    return list;
}

/* Each level of criteria counted, the mandatory ones not met named, and the
 * label's validity when the rules give one. */
static void level_pairs(pdf_doc *d, const cJSON *ev)
{
    char day[64], line[600];
    const cJSON *m = item(ev, "mandatory");
    pdf_pair(d, "Critères obligatoires", met_of_total(m, line, sizeof line));
    const cJSON *failed = item(m, "failed");
    if (cJSON_GetArraySize(failed) > 0) {
        char *list = failed_list(failed);
        pdf_pair(d, "Obligatoires non satisfaits", list ? list : PDF_DASH);
        free(list);
    }
    pdf_pair(d, "Critères recommandés",
             recommended_line(item(ev, "recommended"), line, sizeof line));
    pdf_pair(d, "Critères conseillés", met_of_total(item(ev, "advised"), line, sizeof line));
    if (str(ev, "valid_until"))
        pdf_pair(d, "Label valable jusqu'au", date_fr(str(ev, "valid_until"), day, sizeof day));
}

/* The reasons the rules give for the outcome, one bullet each. */
static void reasons_list(pdf_doc *d, const cJSON *ev)
{
    d->y += 4;
    pdf_ensure(d, 30);
    pdf_para(d, "Motifs", PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 10, PDF_NAVY);
    d->y += 2;
    const cJSON *reason;
    int n = 0;
    cJSON_ArrayForEach(reason, item(ev, "reasons"))
    {
        pdf_bullet(d, or_dash(cJSON_GetStringValue(reason)), 9.5);
        n++;
    }
    if (n == 0)
        pdf_bullet(d, PDF_DASH, 9.5);
}

/* The committee's decision on an audit, or that there is none yet. */
static void decision_block(pdf_doc *d, const cJSON *dec)
{
    char day[64];
    d->y += 4;
    pdf_ensure(d, 60);
    pdf_para(d, "Décision du comité de labellisation", PDF_MARGIN, pdf_content_width(d), PDF_BOLD,
             10, PDF_NAVY);
    d->y += 2;
    if (!cJSON_IsObject(dec)) {
        pdf_para(d, "Pas encore de décision du comité.", PDF_MARGIN, pdf_content_width(d),
                 PDF_ITALIC, 9.5, PDF_GREY);
        return;
    }
    pdf_pair(d, "Décision", decision_words(str(dec, "outcome")));
    pdf_pair(d, "Date", date_fr(str(dec, "date"), day, sizeof day));
    if (str(dec, "valid_until"))
        pdf_pair(d, "Valable jusqu'au", date_fr(str(dec, "valid_until"), day, sizeof day));
    pdf_pair_in(d, "Empreinte de la décision", or_dash(str(dec, "record_hash")), PDF_MONO);
}

/* The outcome of the rules, and for an audit the committee's decision. */
static void outcome_section(pdf_doc *d, const cJSON *data)
{
    const cJSON *ev = item(data, "evaluation");
    pdf_heading(d, "Résultat de l'évaluation", 90);
    outcome_banner(d, ev);
    level_pairs(d, ev);
    reasons_list(d, ev);
    if (self_assessment(data))
        return; /* the committee decides on audits only */
    decision_block(d, item(data, "decision"));
}

static void chart_section(pdf_doc *d, const cJSON *data)
{
    const cJSON *fields = item(item(data, "evaluation"), "fields");
    int n = cJSON_GetArraySize(fields);
    const double row = 22, bar = 13, label_w = 150;
    double x0 = PDF_MARGIN + label_w + 8, x1 = d->w - PDF_MARGIN - 40;
    pdf_heading(d, "Scores par champ", n * row + 30);
    if (n == 0) {
        pdf_para(d, "Aucun score par champ.", PDF_MARGIN, pdf_content_width(d), PDF_ITALIC, 9.5,
                 PDF_GREY);
        return;
    }
    double top = d->y + 2, end = top + n * row;
    char buf[32];
    pdf_set_font(d, PDF_REGULAR, 7);
    for (int t = 0; t <= 100; t += 25) {
        double x = x0 + (x1 - x0) * t / 100;
        pdf_set_colour(d, PDF_LIGHT);
        cairo_set_line_width(d->cr, 0.5);
        cairo_move_to(d->cr, x, top - 2);
        cairo_line_to(d->cr, x, end);
        cairo_stroke(d->cr);
        snprintf(buf, sizeof buf, "%d", t);
        pdf_show(d, x - pdf_measure(d, buf, strlen(buf)) / 2, end + 9, buf, strlen(buf), PDF_GREY);
    }
    const cJSON *f;
    int i = 0;
    cJSON_ArrayForEach(f, fields)
    {
        double y = top + i++ * row, score;
        const char *id = str(f, "id"), *name = str(f, "name");
        char *label = pdf_clean(name ? name : field_name(data, id));
        pdf_set_font(d, PDF_REGULAR, 9);
        if (label)
            pdf_show_cut(d, PDF_MARGIN, y + (row + 9) / 2 - 1, label, label_w, PDF_INK);
        free(label);
        if (!number(f, "score", &score)) {
            pdf_show(d, x0 + 4, y + (row + 9) / 2 - 1, PDF_DASH, strlen(PDF_DASH), PDF_GREY);
            continue;
        }
        double clamped = score < 0 ? 0 : score > 100 ? 100 : score;
        pdf_set_colour(d, PDF_NAVY);
        cairo_rectangle(d->cr, x0, y + (row - bar) / 2, (x1 - x0) * clamped / 100, bar);
        cairo_fill(d->cr);
        pdf_set_font(d, PDF_BOLD, 9);
        num_fr(score, buf, sizeof buf);
        pdf_show(d, x0 + (x1 - x0) * clamped / 100 + 4, y + (row + 9) / 2 - 1, buf, strlen(buf),
                 PDF_INK);
    }
    d->y = end + 14;
    pdf_para(d, "Score de chaque champ, sur 100.", PDF_MARGIN, pdf_content_width(d), PDF_ITALIC, 8,
             PDF_GREY);
}

/* Findings counted by field: what a committee looks at before the detail. */
static void tally_section(pdf_doc *d, const cJSON *data)
{
    static const char *const keys[] = {"met", "partial", "not_met", "not_applicable", NULL};
    static const char *const titles[] = {"Satisfaits",      "Partiels",     "Non satisfaits",
                                         "Non applicables", "Sans réponse", "Total"};
    const cJSON *criteria = item(data, "criteria");
    if (cJSON_GetArraySize(criteria) == 0)
        return;
    const double first = 150, size = 8.5, lh = size * PDF_LEADING + 3;
    double col = (pdf_content_width(d) - first) / 6;
    pdf_ensure(d, 3 * lh + 30);
    d->y += 6;
    pdf_para(d, "Constats par champ", PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 10, PDF_NAVY);
    d->y += 2;
    /* Column titles wrap rather than run into each other. */
    double top = d->y, below = top;
    pdf_set_font(d, PDF_BOLD, 7.5);
    for (int k = 0; k < 6; k++) {
        const pdf_lines *l = pdf_wrap(d, titles[k], col - 6);
        for (int i = 0; i < l->n; i++) {
            const char *s = titles[k] + l->v[i].at;
            double tw = pdf_measure(d, s, l->v[i].len);
            double y = top + 8 + i * 7.5 * PDF_LEADING;
            pdf_show(d, PDF_MARGIN + first + col * k + (col - tw) / 2, y, s, l->v[i].len, PDF_GREY);
            if (y + 6 > below)
                below = y + 6;
        }
    }
    d->y = below + 3;
    pdf_hline(d, PDF_MARGIN, d->w - PDF_MARGIN, d->y - 2, 0.5, PDF_LIGHT);
    const cJSON *c = criteria ? criteria->child : NULL;
    while (c) {
        const char *fid = str(c, "field");
        int counts[6] = {0};
        for (; c && ((!fid && !str(c, "field")) ||
                     (fid && str(c, "field") && strcmp(fid, str(c, "field")) == 0));
             c = c->next) {
            const char *s = str(c, "status");
            int k = 0;
            while (keys[k] && (!s || strcmp(s, keys[k]) != 0))
                k++;
            counts[k]++;
            counts[5]++;
        }
        pdf_ensure(d, lh);
        char *name = pdf_clean(field_name(data, fid));
        pdf_set_font(d, PDF_REGULAR, size);
        if (name)
            pdf_show_cut(d, PDF_MARGIN, d->y + size, name, first - 8, PDF_INK);
        free(name);
        for (int k = 0; k < 6; k++) {
            char buf[16];
            snprintf(buf, sizeof buf, "%d", counts[k]);
            pdf_set_font(d, k == 5 ? PDF_BOLD : PDF_REGULAR, size);
            double tw = pdf_measure(d, buf, strlen(buf));
            pdf_show(d, PDF_MARGIN + first + col * k + (col - tw) / 2, d->y + size, buf,
                     strlen(buf), counts[k] || k == 5 ? PDF_INK : PDF_LIGHT);
        }
        d->y += lh;
        pdf_hline(d, PDF_MARGIN, d->w - PDF_MARGIN, d->y - 2, 0.3, PDF_LIGHT);
    }
}

static void lists_section(pdf_doc *d, const cJSON *data)
{
    const cJSON *dec = item(data, "decision"), *x;
    if (self_assessment(data))
        return; /* recommendations and practices come with the committee's decision */
    pdf_heading(d, "Recommandations", 14);
    int n = 0;
    cJSON_ArrayForEach(x, item(dec, "recommendations"))
    {
        if (d->full)
            return;
        pdf_bullet(d, or_dash(cJSON_IsString(x) ? x->valuestring : str(x, "text")), 9.5);
        n++;
    }
    if (n == 0)
        pdf_para(d, "Aucune recommandation.", PDF_MARGIN, pdf_content_width(d), PDF_ITALIC, 9.5,
                 PDF_GREY);

    pdf_heading(d, "Bonnes pratiques", 14);
    n = 0;
    cJSON_ArrayForEach(x, item(dec, "good_practices"))
    {
        if (d->full)
            return;
        const char *text = cJSON_IsString(x) ? x->valuestring : str(x, "text");
        const char *crit = str(x, "criterion");
        size_t size = strlen(or_dash(text)) + (crit ? strlen(crit) : 0) + 8;
        char *s = malloc(size);
        if (!s) {
            d->oom = true;
            return;
        }
        if (crit)
            snprintf(s, size, "%s — %s", crit, or_dash(text));
        else
            snprintf(s, size, "%s", or_dash(text));
        pdf_bullet(d, s, 9.5);
        free(s);
        n++;
    }
    if (n == 0)
        pdf_para(d, "Aucune bonne pratique relevée.", PDF_MARGIN, pdf_content_width(d), PDF_ITALIC,
                 9.5, PDF_GREY);
}

/* One evidence entry as the report prints it: a text, or a document seen
 * ("Statuts, version 2, p. 3-5, SHA-256 <hex>"); caller frees. */
static char *evidence_entry(const cJSON *x)
{
    if (cJSON_IsString(x))
        return strdup(or_dash(x->valuestring));
    char version[32] = "", pages[96] = "";
    double v;
    if (number(x, "resolved_version", &v) || number(x, "version", &v))
        snprintf(version, sizeof version, ", version %.0f", v);
    if (str(x, "pages"))
        snprintf(pages, sizeof pages, ", p. %s", str(x, "pages"));
    const char *title = str(x, "title") ? str(x, "title") : str(x, "name");
    const char *sha256 = str(x, "sha256");
    size_t size = strlen(or_dash(title)) + strlen(version) + strlen(pages) +
                  (sha256 ? strlen(sha256) : 0) + sizeof ", SHA-256 ";
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%s%s%s%s%s", or_dash(title), version, pages,
                 sha256 ? ", SHA-256 " : "", sha256 ? sha256 : "");
    return out;
}

char *document_evidence_text(const cJSON *c)
{
    const cJSON *ev = item(c, "evidence"), *x;
    size_t cap = 256;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    strcpy(out, "Preuves : ");
    int n = 0;
    cJSON_ArrayForEach(x, ev)
    {
        char *entry = evidence_entry(x);
        size_t need = strlen(out) + 3 + (entry ? strlen(entry) : 0) + 1;
        char *grown = need > cap ? realloc(out, need * 2) : out;
        if (!entry || !grown) {
            free(entry);
            free(grown ? grown : out);
            return NULL;
        }
        out = grown;
        cap = need > cap ? need * 2 : cap;
        if (n++)
            strcat(out, " ; ");
        strcat(out, entry);
        free(entry);
    }
    if (n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

static void criterion_block(pdf_doc *d, const cJSON *c)
{
    const double size = 9.5, small = 8.5, head = 17;
    double w = pdf_content_width(d);
    const char *statement = str(c, "statement"), *comment = str(c, "comment");
    char *evidence = document_evidence_text(c);
    char *note = NULL;
    if (comment) {
        note = malloc(strlen(comment) + sizeof "Commentaire : ");
        if (note)
            sprintf(note, "Commentaire : %s", comment);
    }
    double hs = pdf_para_height(d, statement, w, PDF_REGULAR, size);
    double h = head + hs + 8;
    if (note)
        h += pdf_para_height(d, note, w - 10, PDF_ITALIC, small) + 2;
    if (evidence)
        h += pdf_para_height(d, evidence, w - 10, PDF_REGULAR, small) + 2;
    /* A criterion stays on one page unless it is longer than a page. */
    pdf_ensure(d, h <= pdf_bottom(d) - PDF_MARGIN ? h : head + 3 * size * PDF_LEADING);

    double top = d->y;
    char buf[64];
    const char *id = value(c, "id", buf, sizeof buf);
    pdf_set_font(d, PDF_BOLD, size);
    pdf_show(d, PDF_MARGIN, top + 11, or_dash(id), strlen(or_dash(id)), PDF_NAVY);
    double iw = pdf_measure(d, or_dash(id), strlen(or_dash(id)));
    const char *level = level_words(str(c, "level"));
    pdf_set_font(d, PDF_REGULAR, small);
    char lv[64];
    snprintf(lv, sizeof lv, "· %s", level);
    pdf_show(d, PDF_MARGIN + iw + 6, top + 11, lv, strlen(lv), PDF_GREY);
    pdf_rgb colour, ink;
    const char *finding = finding_words(str(c, "status"), &colour, &ink);
    pdf_set_font(d, PDF_BOLD, 7.5);
    double fw = pdf_measure(d, finding, strlen(finding)) + 12;
    pdf_set_colour(d, colour);
    pdf_rounded(d, d->w - PDF_MARGIN - fw, top + 1, fw, 13, 3);
    cairo_fill(d->cr);
    pdf_show(d, d->w - PDF_MARGIN - fw + 6, top + 10.5, finding, strlen(finding), ink);
    d->y = top + head;

    pdf_para(d, or_dash(statement), PDF_MARGIN, w, PDF_REGULAR, size, PDF_INK);
    if (note) {
        d->y += 2;
        pdf_para(d, note, PDF_MARGIN + 10, w - 10, PDF_ITALIC, small, PDF_INK);
    }
    if (evidence) {
        d->y += 2;
        pdf_para(d, evidence, PDF_MARGIN + 10, w - 10, PDF_REGULAR, small, PDF_GREY);
    }
    d->y += 4;
    pdf_hline(d, PDF_MARGIN, d->w - PDF_MARGIN, d->y, 0.4, PDF_LIGHT);
    d->y += 4;
    free(note);
    free(evidence);
}

static void criteria_section(pdf_doc *d, const cJSON *data)
{
    const cJSON *criteria = item(data, "criteria"), *c;
    int total = cJSON_GetArraySize(criteria);
    int root = pdf_heading(d, "Détail des critères", 80);
    char line[240];
    snprintf(line, sizeof line,
             "%d critères, dans l'ordre du référentiel, chacun avec son niveau (obligatoire, "
             "recommandé ou conseillé), %s, le commentaire et les preuves.",
             total,
             self_assessment(data) ? "la réponse de la coopérative" : "le constat de l'audit");
    pdf_para(d, line, PDF_MARGIN, pdf_content_width(d), PDF_REGULAR, 9, PDF_GREY);
    d->y += 4;
    const char *field = NULL, *theme = NULL;
    int number_of_field = 0;
    bool first = true;
    cJSON_ArrayForEach(c, criteria)
    {
        if (d->full)
            break;
        const char *f = str(c, "field"), *t = str(c, "theme");
        bool new_field = first || strcmp(or_dash(f), or_dash(field)) != 0;
        if (new_field) {
            pdf_ensure(d, 120);
            pdf_gap(d, 8);
            char title[300];
            const char *name = field_name(data, f);
            if (f && name && strcmp(name, f) != 0)
                snprintf(title, sizeof title, "%d. %s (%s)", ++number_of_field, name, f);
            else
                snprintf(title, sizeof title, "%d. %s", ++number_of_field, or_dash(name));
            pdf_bookmark(d, root, title);
            pdf_para(d, title, PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 12, PDF_NAVY);
            d->y += 4;
            theme = NULL;
        }
        if (t && (!theme || strcmp(t, theme) != 0)) {
            pdf_ensure(d, 90);
            pdf_gap(d, 3);
            pdf_set_colour(d, PDF_NAVY);
            cairo_rectangle(d->cr, PDF_MARGIN, d->y + 2, 3, 10);
            cairo_fill(d->cr);
            pdf_para(d, t, PDF_MARGIN + 9, pdf_content_width(d) - 9, PDF_BOLD, 10, PDF_INK);
            d->y += 3;
        }
        field = f;
        theme = t;
        first = false;
        criterion_block(d, c);
    }
    if (total == 0)
        pdf_para(d, "Aucun critère.", PDF_MARGIN, pdf_content_width(d), PDF_ITALIC, 9.5, PDF_GREY);
}

static void draw_report(pdf_doc *d, const void *ud)
{
    const cJSON *data = ud;
    title_block(d, data);
    identity_section(d, data);
    outcome_section(d, data);
    chart_section(d, data);
    tally_section(d, data);
    lists_section(d, data);
    criteria_section(d, data);
    pdf_footer(d);
    cairo_show_page(d->cr);
}

/* ---- the certificate -------------------------------------------------- */

/* The certificate's double border. */
static void certificate_frame(pdf_doc *d)
{
    double w = d->w, h = d->h;
    pdf_set_colour(d, PDF_NAVY);
    cairo_set_line_width(d->cr, 3);
    cairo_rectangle(d->cr, 22, 22, w - 44, h - 44);
    cairo_stroke(d->cr);
    cairo_set_line_width(d->cr, 0.8);
    cairo_rectangle(d->cr, 30, 30, w - 60, h - 60);
    cairo_stroke(d->cr);
}

/* The cooperative's name and city, centred. */
static void certificate_holder(pdf_doc *d, const cJSON *org, double text_w)
{
    /* A long name is set smaller rather than pushed into the code below; a
     * name is one line (the API refuses line breaks in names; older data may
     * hold them, and forty of them pushed the rest off the page). */
    char *name = one_line(or_dash(str(org, "name")));
    char *city = str(org, "city") ? one_line(str(org, "city")) : NULL;
    double size = pdf_para_height(d, name, text_w, PDF_BOLD, 24) > 2 * 24 * PDF_LEADING ? 17 : 24;
    pdf_centred(d, name, text_w, PDF_BOLD, size, PDF_INK);
    if (city)
        pdf_centred(d, city, text_w, PDF_REGULAR, 12, PDF_GREY);
    free(name);
    free(city);
}

/* "Code de vérification : " and the code, centred on one line when they fit
 * in text_w. */
static void verification_code(pdf_doc *d, const char *code, double text_w)
{
    double w = d->w;
    const char *label = "Code de vérification : ";
    pdf_set_font(d, PDF_BOLD, 9.5);
    double lw = pdf_measure(d, label, strlen(label));
    pdf_set_font(d, PDF_MONO, 9.5);
    size_t n = strlen(code);
    double cw = pdf_measure(d, code, n);
    if (lw + cw <= text_w) {
        double x = (w - lw - cw) / 2;
        pdf_set_font(d, PDF_BOLD, 9.5);
        pdf_show(d, x, d->y + 9.5, label, strlen(label), PDF_INK);
        pdf_set_font(d, PDF_MONO, 9.5);
        pdf_show(d, x + lw, d->y + 9.5, code, n, PDF_INK);
        d->y += 9.5 * PDF_LEADING;
    } else {
        /* Too long for one line: the code in two halves under its label,
         * cut between characters, never inside one. */
        pdf_centred(d, label, text_w, PDF_BOLD, 9.5, PDF_INK);
        size_t half = n / 2;
        while (half < n && ((unsigned char)code[half] & 0xC0) == 0x80)
            half++;
        const char *parts[] = {code, code + half};
        size_t lens[] = {half, n - half};
        pdf_set_font(d, PDF_MONO, 9.5);
        for (int i = 0; i < 2; i++) {
            double pw = pdf_measure(d, parts[i], lens[i]);
            pdf_show(d, (w - pw) / 2, d->y + 9.5, parts[i], lens[i], PDF_INK);
            d->y += 9.5 * PDF_LEADING;
        }
    }
}

static void draw_certificate(pdf_doc *d, const void *ud)
{
    const cJSON *data = ud;
    const cJSON *org = item(data, "organisation"), *dec = item(data, "decision");
    double w = d->w, h = d->h, text_w = w - 2 * 90;
    char b1[64], line[200];

    certificate_frame(d);
    d->y = 80;
    pdf_centred(d, "LABEL CPE", text_w, PDF_BOLD, 40, PDF_NAVY);
    pdf_centred(d, "Coopérer pour Entreprendre", text_w, PDF_ITALIC, 15, PDF_GREY);
    d->y += 6;
    pdf_hline(d, w / 2 - 60, w / 2 + 60, d->y, 1.2, PDF_NAVY);
    d->y += 30;
    pdf_centred(d, "Le Comité de labellisation certifie que la coopérative", text_w, PDF_REGULAR,
                14, PDF_INK);
    d->y += 6;
    certificate_holder(d, org, text_w);
    d->y += 14;
    pdf_centred(d, "a obtenu le LABEL CPE", text_w, PDF_BOLD, 16, PDF_NAVY);
    d->y += 10;
    snprintf(line, sizeof line, "le %s", date_fr(str(dec, "date"), b1, sizeof b1));
    pdf_centred(d, line, text_w, PDF_REGULAR, 13, PDF_INK);
    snprintf(line, sizeof line, "valable jusqu'au %s",
             date_fr(str(dec, "valid_until"), b1, sizeof b1));
    pdf_centred(d, line, text_w, PDF_REGULAR, 13, PDF_INK);

    /* The verification block sits at the foot of the page whatever the
     * length of the name above it. */
    d->y = h - 140;
    verification_code(d, str(dec, "record_hash"), text_w);
    d->y += 4;
    pdf_centred(d,
                "Ce code est l'empreinte de la décision du comité. Il se vérifie avec la commande "
                "« labelcoop verify » ou sur la page de vérification de la plateforme.",
                text_w, PDF_ITALIC, 8.5, PDF_GREY);
    const char *ruleset = str(data, "ruleset");
    if (ruleset) {
        d->y += 2;
        snprintf(line, sizeof line, "Référentiel : %s", ruleset);
        pdf_centred(d, line, text_w, PDF_REGULAR, 7, PDF_GREY);
    }
    cairo_show_page(d->cr);
}

/* ---- the documents ---------------------------------------------------- */

int document_audit_report(const cJSON *data, const char *path, err *e)
{
    if (!cJSON_IsObject(data))
        return err_set(e, ERR_INPUT, "audit report: the data must be an object");
    char header[400], footer[200];
    snprintf(header, sizeof header, "%s — %s", report_title(data),
             or_dash(str(item(data, "organisation"), "name")));
    snprintf(footer, sizeof footer, "Référentiel %s", or_dash(ruleset_of(data)));
    return pdf_write(path, PDF_A4_SHORT, PDF_A4_LONG, true, draw_report, data, header, footer, e);
}

int document_certificate(const cJSON *data, const char *path, err *e)
{
    if (!cJSON_IsObject(data))
        return err_set(e, ERR_INPUT, "certificate: the data must be an object");
    const cJSON *dec = item(data, "decision");
    if (!cJSON_IsObject(dec))
        return err_at(e, "$.decision", "missing: a certificate needs the committee's decision");
    if (!str(dec, "record_hash"))
        return err_at(e, "$.decision.record_hash",
                      "missing: a certificate needs its verification code");
    const char *outcome = str(dec, "outcome");
    if (outcome && strcmp(outcome, "awarded") != 0)
        return err_at(e, "$.decision.outcome", "is \"%s\": only an awarded label has a certificate",
                      outcome);
    char title[400];
    snprintf(title, sizeof title, "LABEL CPE — %s",
             or_dash(str(item(data, "organisation"), "name")));
    return pdf_write(path, PDF_A4_LONG, PDF_A4_SHORT, false, draw_certificate, data, title, NULL,
                     e);
}

void document_stop(void)
{
    pdf_stop();
}
