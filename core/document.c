/* document: the audit report and the label certificate as PDF. Text is laid
 * out with cairo's own text API, without pango: words are measured with
 * cairo_text_extents and wrapped by hand, and pages break when full. The
 * report is drawn twice, first into a discarding stream to count its pages,
 * so that every footer can say "page N / M". Uses cairo, cJSON, date, text. */
#include "document.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "date.h"
#include "text.h"

#define A4_SHORT 595.0
#define A4_LONG 842.0
#define MARGIN 50.0
#define FONT "DejaVu Sans"
#define MONO "DejaVu Sans Mono"
#define DASH "—"
#define LEADING 1.35 /* line height, as a multiple of the font size */
/* The cost bound of a document: a text is cut after TEXT_CHARS characters
 * (the API keeps texts shorter; older data may hold longer ones), and the
 * report stops after MAX_PAGES pages, each with a note saying so. With the
 * API's limits the longest report is 392 pages. */
#define TEXT_CHARS 12000
#define MAX_PAGES 600
/* A document is given up (ERR_UNAVAILABLE) when it is not drawn after
 * DRAW_SECONDS, both passes together, or as soon as document_stop is called:
 * drawing checks both between pages, so a stop never waits for a long
 * report. */
#define DRAW_SECONDS 90

static atomic_bool stopping;

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb NAVY = {0.10, 0.22, 0.42};
static const rgb INK = {0.13, 0.13, 0.13};
static const rgb GREY = {0.40, 0.40, 0.40};
static const rgb LIGHT = {0.82, 0.82, 0.82};
static const rgb WHITE = {1, 1, 1};
static const rgb GREEN = {0.15, 0.52, 0.28};
static const rgb ORANGE = {0.85, 0.50, 0.05};
static const rgb RED = {0.76, 0.17, 0.17};
static const rgb NEUTRAL = {0.55, 0.55, 0.55};

typedef enum { F_REGULAR, F_BOLD, F_ITALIC, F_MONO, F_COUNT } font_style;

/* One line of wrapped text: a slice of the string it was cut from. */
typedef struct span {
    size_t at, len;
} span;

typedef struct lines {
    span *v;
    int n, cap;
} lines;

typedef struct doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    cairo_t *pdf_cr; /* the PDF's context once d->full, cr then drawing nowhere */
    cairo_font_face_t *faces[F_COUNT];
    double w, h;   /* page size, in points */
    double y;      /* top of the next thing drawn */
    int page;      /* the page being drawn, from 1 */
    int pages;     /* the total, once counted; 0 while counting */
    char *header;  /* running header of the pages after the first; owned */
    char *footer;  /* left of every footer (the rule set hash); owned */
    char *scratch; /* a NUL-terminated copy of the slice being measured */
    size_t scratch_cap;
    lines wrap; /* reused by every paragraph */
    bool full;  /* MAX_PAGES drawn (or given up): the rest is left out */
    bool oom;
    long long deadline_us; /* date_clock_us() past which the document is given up */
    const char *given_up;  /* why it was, or NULL */
} doc;

typedef void (*render_fn)(doc *d, const cJSON *data);

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
    return s && s[0] ? s : DASH;
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
        return DASH;
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

/* ---- text ------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n = *s < 0x80                  ? 1
               : *s >= 0xC2 && *s <= 0xDF ? 2
               : *s >= 0xE0 && *s <= 0xEF ? 3
               : *s >= 0xF0 && *s <= 0xF4 ? 4
                                          : 0;
    return n && n <= avail && text_utf8_valid((const char *)s, n) ? n : 0;
}

#define CUT_NOTE " […] (texte coupé ici : %zu caractères en tout)"

/* A copy of s that is safe to draw: invalid UTF-8 bytes become '?' and
 * control characters spaces, because one bad byte puts a cairo context into
 * an error state that silently blanks the rest of the document. Trailing
 * blanks go. NULL and "" become "—". A text longer than TEXT_CHARS is cut
 * there, with a note. Caller frees; NULL when out of memory. */
static char *clean(const char *s)
{
    if (!s || !s[0])
        s = DASH;
    size_t n = strlen(s), o = 0, chars = 0, all = text_width(s);
    char *out = malloc(n + sizeof CUT_NOTE + 24);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n && chars < TEXT_CHARS; chars++) {
        size_t k = utf8_len(p + i, n - i);
        if (k == 0) {
            out[o++] = '?';
            i++;
        } else if (k == 1 && (p[i] < 0x20 || p[i] == 0x7F) && p[i] != '\n') {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        }
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n'))
        o--;
    out[o] = '\0';
    if (all > TEXT_CHARS)
        snprintf(out + o, sizeof CUT_NOTE + 24, CUT_NOTE, all);
    return out;
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

static void set_font(doc *d, font_style f, double size)
{
    cairo_set_font_face(d->cr, d->faces[f]);
    cairo_set_font_size(d->cr, size);
}

static void set_colour(doc *d, rgb c)
{
    cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
}

/* s[0..n) NUL-terminated in the scratch buffer (cairo wants C strings). */
static const char *slice(doc *d, const char *s, size_t n)
{
    if (n + 1 > d->scratch_cap) {
        size_t cap = (n + 1) * 2;
        char *p = realloc(d->scratch, cap);
        if (!p) {
            d->oom = true;
            return "";
        }
        d->scratch = p;
        d->scratch_cap = cap;
    }
    memcpy(d->scratch, s, n);
    d->scratch[n] = '\0';
    return d->scratch;
}

/* Width of s[0..n) in the current font. */
static double measure(doc *d, const char *s, size_t n)
{
    cairo_text_extents_t ex;
    cairo_text_extents(d->cr, slice(d, s, n), &ex);
    return ex.x_advance;
}

static void show(doc *d, double x, double baseline, const char *s, size_t n, rgb c)
{
    set_colour(d, c);
    cairo_move_to(d->cr, x, baseline);
    cairo_show_text(d->cr, slice(d, s, n));
}

static void push(doc *d, lines *l, size_t at, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        span *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) {
            d->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (span){at, len};
}

/* End of the longest run of whole characters from s[from] that fits width,
 * at least one character so that wrapping always moves on. Each character is
 * measured once and the widths added (cairo's toy text does no kerning):
 * measuring the run again at each step made a long word quadratic. */
static size_t fit(doc *d, const char *s, size_t from, size_t to, double width)
{
    size_t end = from;
    double w = 0;
    while (end < to) {
        size_t k = utf8_len((const unsigned char *)s + end, to - end);
        size_t next = end + (k ? k : 1);
        w += measure(d, s + end, next - end);
        if (end > from && w > width)
            break;
        end = next;
    }
    return end;
}

/* Breaks one paragraph s[from..to) into lines no wider than width: at
 * spaces, and inside a word only when the word alone is too wide (a hash, an
 * address). An empty paragraph keeps its blank line. */
static void wrap_paragraph(doc *d, const char *s, size_t from, size_t to, double width, lines *out)
{
    size_t start = SIZE_MAX, last = 0, i = from;
    for (;;) {
        while (i < to && s[i] == ' ')
            i++;
        if (i >= to)
            break;
        size_t word = i;
        while (i < to && s[i] != ' ')
            i++;
        if (start != SIZE_MAX && measure(d, s + start, i - start) <= width) {
            last = i;
            continue;
        }
        if (start != SIZE_MAX)
            push(d, out, start, last - start);
        start = word;
        for (size_t cut; (cut = fit(d, s, start, i, width)) < i; start = cut)
            push(d, out, start, cut - start);
        last = i;
    }
    if (start != SIZE_MAX)
        push(d, out, start, last - start);
    else
        push(d, out, from, 0);
}

/* Lines of s (cleaned) at width in the current font, into d->wrap. */
static const lines *wrap(doc *d, const char *s, double width)
{
    d->wrap.n = 0;
    for (size_t i = 0;;) {
        size_t end = i;
        while (s[end] && s[end] != '\n')
            end++;
        wrap_paragraph(d, s, i, end, width, &d->wrap);
        if (!s[end])
            break;
        i = end + 1;
    }
    return &d->wrap;
}

/* ---- pages ------------------------------------------------------------ */

static double bottom(const doc *d)
{
    return d->h - MARGIN;
}

static double content_width(const doc *d)
{
    return d->w - 2 * MARGIN;
}

/* Draws s in one line, cut with "…" when wider than width. */
static void show_cut(doc *d, double x, double baseline, const char *s, double width, rgb c)
{
    size_t n = strlen(s);
    if (measure(d, s, n) <= width) {
        show(d, x, baseline, s, n, c);
        return;
    }
    size_t end = fit(d, s, 0, n, width - measure(d, "…", strlen("…")));
    char *cut = malloc(end + sizeof "…");
    if (!cut) {
        d->oom = true;
        return;
    }
    memcpy(cut, s, end);
    strcpy(cut + end, "…");
    show(d, x, baseline, cut, strlen(cut), c);
    free(cut);
}

static void footer(doc *d)
{
    cairo_save(d->cr);
    double y = d->h - MARGIN + 22;
    set_colour(d, LIGHT);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, MARGIN, y - 10);
    cairo_line_to(d->cr, d->w - MARGIN, y - 10);
    cairo_stroke(d->cr);
    char page[64];
    if (d->pages > 0)
        snprintf(page, sizeof page, "page %d / %d", d->page, d->pages);
    else
        snprintf(page, sizeof page, "page %d", d->page);
    set_font(d, F_REGULAR, 7);
    double pw = measure(d, page, strlen(page));
    show(d, d->w - MARGIN - pw, y, page, strlen(page), GREY);
    if (d->footer)
        show_cut(d, MARGIN, y, d->footer, content_width(d) - pw - 20, GREY);
    cairo_restore(d->cr);
}

static void header(doc *d)
{
    if (d->page < 2 || !d->header)
        return;
    cairo_save(d->cr);
    double y = MARGIN - 18;
    set_font(d, F_REGULAR, 7.5);
    const char *right = "LABEL CPE";
    double rw = measure(d, right, strlen(right));
    show(d, d->w - MARGIN - rw, y, right, strlen(right), NAVY);
    show_cut(d, MARGIN, y, d->header, content_width(d) - rw - 20, GREY);
    set_colour(d, LIGHT);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, MARGIN, y + 5);
    cairo_line_to(d->cr, d->w - MARGIN, y + 5);
    cairo_stroke(d->cr);
    cairo_restore(d->cr);
}

/* From now on d->full skips the paragraphs and sections left, and what
 * little is still drawn goes to a context that draws nowhere (the PDF's is
 * kept in d->pdf_cr). */
static void draw_nowhere(doc *d)
{
    d->full = true;
    d->pdf_cr = d->cr;
    cairo_surface_t *nowhere = cairo_image_surface_create(CAIRO_FORMAT_A1, 1, 1);
    d->cr = cairo_create(nowhere);
    cairo_surface_destroy(nowhere); /* the context holds it */
}

/* Ends the last page allowed with a note, and draws nowhere from then on. */
static void stop_at_cap(doc *d)
{
    char note[160];
    snprintf(note, sizeof note,
             "Le document s'arrête ici : il dépasserait %d pages. Le texte complet est sur "
             "la plateforme.",
             MAX_PAGES);
    set_font(d, F_BOLD, 7.5); /* under the text, above the footer's line */
    show(d, MARGIN, bottom(d) + 8.5, note, strlen(note), RED);
    footer(d);
    cairo_show_page(d->cr);
    draw_nowhere(d);
}

/* Gives the document up, between two pages, when the server stops or its
 * time is over. */
static bool give_up(doc *d)
{
    if (atomic_load(&stopping))
        d->given_up = "the server is stopping";
    else if (date_clock_us() > d->deadline_us)
        d->given_up = "it took too long to draw";
    if (d->given_up)
        draw_nowhere(d);
    return d->given_up != NULL;
}

static void new_page(doc *d)
{
    if (d->full || give_up(d))
        return;
    if (d->page >= MAX_PAGES) {
        stop_at_cap(d);
        return;
    }
    footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = MARGIN;
    header(d);
}

/* Starts a new page unless h more points fit on this one. */
static void ensure(doc *d, double h)
{
    if (d->y + h > bottom(d) && d->y > MARGIN)
        new_page(d);
}

/* Vertical space, except at the top of a page where it would only push the
 * content down. */
static void gap(doc *d, double h)
{
    if (d->y > MARGIN)
        d->y += h;
}

/* A bookmark to the current position, in the PDF viewer's outline. */
static int bookmark(doc *d, int parent, const char *title)
{
    if (d->full)
        return 0;
    char *t = clean(title);
    char link[96];
    snprintf(link, sizeof link, "page=%d pos=[%.0f %.0f]", d->page, MARGIN, d->y);
    int id = t ? cairo_pdf_surface_add_outline(d->surface, parent, t, link, 0) : 0;
    free(t);
    return id;
}

/* Height of s wrapped to width in font f at size. */
static double para_height(doc *d, const char *s, double width, font_style f, double size)
{
    if (d->full)
        return 0;
    char *t = clean(s);
    if (!t) {
        d->oom = true;
        return 0;
    }
    set_font(d, f, size);
    int n = wrap(d, t, width)->n;
    free(t);
    return n * size * LEADING;
}

/* Draws s wrapped to width at x from d->y, breaking pages between lines. */
static void para(doc *d, const char *s, double x, double width, font_style f, double size, rgb c)
{
    if (d->full)
        return;
    char *t = clean(s);
    if (!t) {
        d->oom = true;
        return;
    }
    set_font(d, f, size);
    const lines *l = wrap(d, t, width);
    double lh = size * LEADING;
    for (int i = 0; i < l->n && !d->full; i++) {
        if (d->y + lh > bottom(d)) {
            new_page(d);
            set_font(d, f, size);
        }
        show(d, x, d->y + size, t + l->v[i].at, l->v[i].len, c);
        d->y += lh;
    }
    free(t);
}

/* Draws s centred on the page, wrapped to width (no page breaks: the
 * certificate is one page). */
static void centred(doc *d, const char *s, double width, font_style f, double size, rgb c)
{
    char *t = clean(s);
    if (!t) {
        d->oom = true;
        return;
    }
    set_font(d, f, size);
    const lines *l = wrap(d, t, width);
    for (int i = 0; i < l->n; i++) {
        double lw = measure(d, t + l->v[i].at, l->v[i].len);
        show(d, (d->w - lw) / 2, d->y + size, t + l->v[i].at, l->v[i].len, c);
        d->y += size * LEADING;
    }
    free(t);
}

static void hline(doc *d, double x0, double x1, double y, double width, rgb c)
{
    set_colour(d, c);
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, x0, y);
    cairo_line_to(d->cr, x1, y);
    cairo_stroke(d->cr);
}

static void rounded(doc *d, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(d->cr);
    cairo_arc(d->cr, x + w - r, y + r, r, -1.5708, 0);
    cairo_arc(d->cr, x + w - r, y + h - r, r, 0, 1.5708);
    cairo_arc(d->cr, x + r, y + h - r, r, 1.5708, 3.14159);
    cairo_arc(d->cr, x + r, y + r, r, 3.14159, 4.71239);
    cairo_close_path(d->cr);
}

/* A section title, kept on the page with the need points that follow it. */
static int heading(doc *d, const char *title, double need)
{
    ensure(d, 36 + need);
    gap(d, 10);
    int id = bookmark(d, CAIRO_PDF_OUTLINE_ROOT, title);
    para(d, title, MARGIN, content_width(d), F_BOLD, 13, NAVY);
    hline(d, MARGIN, d->w - MARGIN, d->y + 1, 0.8, NAVY);
    d->y += 8;
    return id;
}

/* A label and its value side by side, the value wrapped in font f (hashes
 * are set smaller, in a fixed width font, to hold on one line). */
static void pair_in(doc *d, const char *label, const char *v, font_style f)
{
    const double lw = 140;
    double size = f == F_MONO ? 8 : 9.5;
    double vw = content_width(d) - lw;
    double h = para_height(d, v, vw, f, size);
    double hl = para_height(d, label, lw - 8, F_BOLD, 9);
    if (hl > h)
        h = hl;
    ensure(d, h);
    double top = d->y;
    para(d, label, MARGIN, lw - 8, F_BOLD, 9, GREY);
    d->y = top;
    para(d, v, MARGIN + lw, vw, f, size, INK);
    d->y = top + h + 2;
}

static void pair(doc *d, const char *label, const char *v)
{
    pair_in(d, label, v, F_REGULAR);
}

static void bullet(doc *d, const char *s, double size)
{
    ensure(d, size * LEADING);
    set_font(d, F_REGULAR, size);
    show(d, MARGIN + 6, d->y + size, "•", strlen("•"), NAVY);
    para(d, s, MARGIN + 18, content_width(d) - 18, F_REGULAR, size, INK);
    d->y += 2;
}

/* ---- the audit report ------------------------------------------------- */

static const char *outcome_words(const char *o, rgb *c)
{
    *c = NEUTRAL;
    if (!o)
        return DASH;
    if (strcmp(o, "eligible") == 0) {
        *c = GREEN;
        return "Éligible au label";
    }
    if (strcmp(o, "not_eligible") == 0) {
        *c = RED;
        return "Non éligible";
    }
    if (strcmp(o, "incomplete") == 0) {
        *c = ORANGE;
        return "Incomplet";
    }
    return o;
}

/* The finding in words, the colour of its badge and of the words on it. */
static const char *finding_words(const char *s, rgb *c, rgb *ink)
{
    *ink = WHITE;
    static const struct {
        const char *key, *words;
        const rgb *colour;
    } findings[] = {
        {"met", "Satisfait", &GREEN},
        {"partial", "Partiellement satisfait", &ORANGE},
        {"not_met", "Non satisfait", &RED},
        {"not_applicable", "Non applicable", &NEUTRAL},
    };
    for (size_t i = 0; s && i < sizeof findings / sizeof *findings; i++) {
        if (strcmp(s, findings[i].key) == 0) {
            *c = *findings[i].colour;
            return findings[i].words;
        }
    }
    *c = LIGHT;
    *ink = INK; /* white on light grey would not read */
    return "Sans réponse";
}

/* The French words for a code of the data, from a {code, words} table
 * ending in NULL; the code itself when the table lacks it. */
static const char *words(const char *code, const char *const table[][2])
{
    if (!code)
        return DASH;
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

static void title_block(doc *d, const cJSON *data)
{
    const cJSON *org = item(data, "organisation"), *a = item(data, "assessment");
    d->y = MARGIN;
    char title[64];
    snprintf(title, sizeof title, "%s — LABEL CPE", report_title(data));
    bookmark(d, CAIRO_PDF_OUTLINE_ROOT, report_title(data));
    para(d, title, MARGIN, content_width(d), F_BOLD, 20, NAVY);
    d->y += 2;
    para(d, or_dash(str(org, "name")), MARGIN, content_width(d), F_BOLD, 14, INK);
    char buf[64], line[160];
    const char *id = value(a, "id", buf, sizeof buf);
    const char *kind = str(a, "kind");
    snprintf(line, sizeof line, "Coopérer pour Entreprendre · %s n° %s",
             kind && strcmp(kind, "self_assessment") == 0 ? "Auto-évaluation" : "Audit",
             or_dash(id));
    para(d, line, MARGIN, content_width(d), F_REGULAR, 9, GREY);
    hline(d, MARGIN, d->w - MARGIN, d->y + 4, 1.5, NAVY);
    d->y += 14;
}

static void identity_section(doc *d, const cJSON *data)
{
    const cJSON *org = item(data, "organisation"), *a = item(data, "assessment");
    const cJSON *aud = item(data, "auditor");
    char buf[64], b1[64], b2[64], place[300], who[400];
    bool self = self_assessment(data);
    heading(d, self ? "La coopérative et son autoévaluation" : "La coopérative et l'audit", 60);
    pair(d, "Coopérative", or_dash(str(org, "name")));
    pair(d, "Forme juridique", or_dash(str(org, "legal_form")));
    const char *city = str(org, "city"), *region = str(org, "region");
    if (city && region)
        snprintf(place, sizeof place, "%s (%s)", city, region);
    else
        snprintf(place, sizeof place, "%s", or_dash(city ? city : region));
    pair(d, "Ville", place);
    pair(d, "Organisation n°", or_dash(value(org, "id", buf, sizeof buf)));
    if (str(aud, "name") && str(aud, "email"))
        snprintf(who, sizeof who, "%s (%s)", str(aud, "name"), str(aud, "email"));
    else
        snprintf(who, sizeof who, "%s",
                 or_dash(str(aud, "name") ? str(aud, "name") : str(aud, "email")));
    if (!self)
        pair(d, "Auditeur", who);
    pair(d, "Statut", status_words(str(a, "status"), self));
    pair(d, "Ouvert le", date_fr(str(a, "created_at"), b1, sizeof b1));
    pair(d, "Soumis le", date_fr(str(a, "submitted_at"), b2, sizeof b2));
    pair_in(d, "Référentiel", or_dash(ruleset_of(data)), F_MONO);
    if (self)
        return;

    heading(d, "Parties prenantes internes rencontrées", 14);
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
        bullet(d, text, 9.5);
        n++;
    }
    if (n == 0)
        para(d, "Aucune partie prenante renseignée.", MARGIN, content_width(d), F_ITALIC, 9.5,
             GREY);
}

static void outcome_section(doc *d, const cJSON *data)
{
    const cJSON *ev = item(data, "evaluation");
    char b1[32], b2[32], b3[32], b4[64], line[600];
    heading(d, "Résultat de l'évaluation", 90);

    rgb c;
    const char *words = outcome_words(str(ev, "outcome"), &c);
    double top = d->y, box = 34;
    cairo_set_source_rgba(d->cr, c.r, c.g, c.b, 0.10);
    rounded(d, MARGIN, top, content_width(d), box, 4);
    cairo_fill(d->cr);
    set_colour(d, c);
    cairo_rectangle(d->cr, MARGIN, top, 5, box);
    cairo_fill(d->cr);
    set_font(d, F_BOLD, 15);
    show(d, MARGIN + 16, top + 22, words, strlen(words), c);
    double score;
    if (number(ev, "score", &score))
        snprintf(line, sizeof line, "Score global : %s / 100", num_fr(score, b1, sizeof b1));
    else
        snprintf(line, sizeof line, "Score global : %s", DASH);
    set_font(d, F_BOLD, 10);
    double lw = measure(d, line, strlen(line));
    show(d, d->w - MARGIN - 12 - lw, top + 21, line, strlen(line), INK);
    d->y = top + box + 8;

    const cJSON *m = item(ev, "mandatory"), *r = item(ev, "recommended"), *a = item(ev, "advised");
    double total, met, partial, ratio, threshold;
    if (number(m, "total", &total) && number(m, "met", &met))
        snprintf(line, sizeof line, "%s satisfaits sur %s", num_fr(met, b1, sizeof b1),
                 num_fr(total, b2, sizeof b2));
    else
        snprintf(line, sizeof line, "%s", DASH);
    pair(d, "Critères obligatoires", line);
    const cJSON *failed = item(m, "failed"), *f;
    if (cJSON_GetArraySize(failed) > 0) {
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
        pair(d, "Obligatoires non satisfaits", list ? list : DASH);
        free(list);
    }
    if (number(r, "total", &total) && number(r, "met", &met) && number(r, "partial", &partial)) {
        int k = snprintf(line, sizeof line, "%s sur %s satisfaits totalement ou partiellement",
                         num_fr(met + partial, b1, sizeof b1), num_fr(total, b2, sizeof b2));
        if (number(r, "ratio", &ratio) && number(r, "threshold", &threshold) && k > 0)
            snprintf(line + k, sizeof line - (size_t)k, " (%s %%, seuil %s %%)",
                     num_fr(ratio * 100, b3, sizeof b3), num_fr(threshold * 100, b4, sizeof b4));
    } else {
        snprintf(line, sizeof line, "%s", DASH);
    }
    pair(d, "Critères recommandés", line);
    if (number(a, "total", &total) && number(a, "met", &met))
        snprintf(line, sizeof line, "%s satisfaits sur %s", num_fr(met, b1, sizeof b1),
                 num_fr(total, b2, sizeof b2));
    else
        snprintf(line, sizeof line, "%s", DASH);
    pair(d, "Critères conseillés", line);
    if (str(ev, "valid_until"))
        pair(d, "Label valable jusqu'au", date_fr(str(ev, "valid_until"), b4, sizeof b4));

    d->y += 4;
    ensure(d, 30);
    para(d, "Motifs", MARGIN, content_width(d), F_BOLD, 10, NAVY);
    d->y += 2;
    const cJSON *reason;
    int n = 0;
    cJSON_ArrayForEach(reason, item(ev, "reasons"))
    {
        bullet(d, or_dash(cJSON_GetStringValue(reason)), 9.5);
        n++;
    }
    if (n == 0)
        bullet(d, DASH, 9.5);

    const cJSON *dec = item(data, "decision");
    if (self_assessment(data))
        return; /* the committee decides on audits only */
    d->y += 4;
    ensure(d, 60);
    para(d, "Décision du comité de labellisation", MARGIN, content_width(d), F_BOLD, 10, NAVY);
    d->y += 2;
    if (!cJSON_IsObject(dec)) {
        para(d, "Pas encore de décision du comité.", MARGIN, content_width(d), F_ITALIC, 9.5, GREY);
        return;
    }
    pair(d, "Décision", decision_words(str(dec, "outcome")));
    pair(d, "Date", date_fr(str(dec, "date"), b4, sizeof b4));
    if (str(dec, "valid_until"))
        pair(d, "Valable jusqu'au", date_fr(str(dec, "valid_until"), b4, sizeof b4));
    pair_in(d, "Empreinte de la décision", or_dash(str(dec, "record_hash")), F_MONO);
}

static void chart_section(doc *d, const cJSON *data)
{
    const cJSON *fields = item(item(data, "evaluation"), "fields");
    int n = cJSON_GetArraySize(fields);
    const double row = 22, bar = 13, label_w = 150;
    double x0 = MARGIN + label_w + 8, x1 = d->w - MARGIN - 40;
    heading(d, "Scores par champ", n * row + 30);
    if (n == 0) {
        para(d, "Aucun score par champ.", MARGIN, content_width(d), F_ITALIC, 9.5, GREY);
        return;
    }
    double top = d->y + 2, end = top + n * row;
    char buf[32];
    set_font(d, F_REGULAR, 7);
    for (int t = 0; t <= 100; t += 25) {
        double x = x0 + (x1 - x0) * t / 100;
        set_colour(d, LIGHT);
        cairo_set_line_width(d->cr, 0.5);
        cairo_move_to(d->cr, x, top - 2);
        cairo_line_to(d->cr, x, end);
        cairo_stroke(d->cr);
        snprintf(buf, sizeof buf, "%d", t);
        show(d, x - measure(d, buf, strlen(buf)) / 2, end + 9, buf, strlen(buf), GREY);
    }
    const cJSON *f;
    int i = 0;
    cJSON_ArrayForEach(f, fields)
    {
        double y = top + i++ * row, score;
        const char *id = str(f, "id"), *name = str(f, "name");
        char *label = clean(name ? name : field_name(data, id));
        set_font(d, F_REGULAR, 9);
        if (label)
            show_cut(d, MARGIN, y + (row + 9) / 2 - 1, label, label_w, INK);
        free(label);
        if (!number(f, "score", &score)) {
            show(d, x0 + 4, y + (row + 9) / 2 - 1, DASH, strlen(DASH), GREY);
            continue;
        }
        double clamped = score < 0 ? 0 : score > 100 ? 100 : score;
        set_colour(d, NAVY);
        cairo_rectangle(d->cr, x0, y + (row - bar) / 2, (x1 - x0) * clamped / 100, bar);
        cairo_fill(d->cr);
        set_font(d, F_BOLD, 9);
        num_fr(score, buf, sizeof buf);
        show(d, x0 + (x1 - x0) * clamped / 100 + 4, y + (row + 9) / 2 - 1, buf, strlen(buf), INK);
    }
    d->y = end + 14;
    para(d, "Score de chaque champ, sur 100.", MARGIN, content_width(d), F_ITALIC, 8, GREY);
}

/* Findings counted by field: what a committee looks at before the detail. */
static void tally_section(doc *d, const cJSON *data)
{
    static const char *const keys[] = {"met", "partial", "not_met", "not_applicable", NULL};
    static const char *const titles[] = {"Satisfaits",      "Partiels",     "Non satisfaits",
                                         "Non applicables", "Sans réponse", "Total"};
    const cJSON *criteria = item(data, "criteria");
    if (cJSON_GetArraySize(criteria) == 0)
        return;
    const double first = 150, size = 8.5, lh = size * LEADING + 3;
    double col = (content_width(d) - first) / 6;
    ensure(d, 3 * lh + 30);
    d->y += 6;
    para(d, "Constats par champ", MARGIN, content_width(d), F_BOLD, 10, NAVY);
    d->y += 2;
    /* Column titles wrap rather than run into each other. */
    double top = d->y, below = top;
    set_font(d, F_BOLD, 7.5);
    for (int k = 0; k < 6; k++) {
        const lines *l = wrap(d, titles[k], col - 6);
        for (int i = 0; i < l->n; i++) {
            const char *s = titles[k] + l->v[i].at;
            double tw = measure(d, s, l->v[i].len);
            double y = top + 8 + i * 7.5 * LEADING;
            show(d, MARGIN + first + col * k + (col - tw) / 2, y, s, l->v[i].len, GREY);
            if (y + 6 > below)
                below = y + 6;
        }
    }
    d->y = below + 3;
    hline(d, MARGIN, d->w - MARGIN, d->y - 2, 0.5, LIGHT);
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
        ensure(d, lh);
        char *name = clean(field_name(data, fid));
        set_font(d, F_REGULAR, size);
        if (name)
            show_cut(d, MARGIN, d->y + size, name, first - 8, INK);
        free(name);
        for (int k = 0; k < 6; k++) {
            char buf[16];
            snprintf(buf, sizeof buf, "%d", counts[k]);
            set_font(d, k == 5 ? F_BOLD : F_REGULAR, size);
            double tw = measure(d, buf, strlen(buf));
            show(d, MARGIN + first + col * k + (col - tw) / 2, d->y + size, buf, strlen(buf),
                 counts[k] || k == 5 ? INK : LIGHT);
        }
        d->y += lh;
        hline(d, MARGIN, d->w - MARGIN, d->y - 2, 0.3, LIGHT);
    }
}

static void lists_section(doc *d, const cJSON *data)
{
    const cJSON *dec = item(data, "decision"), *x;
    if (self_assessment(data))
        return; /* recommendations and practices come with the committee's decision */
    heading(d, "Recommandations", 14);
    int n = 0;
    cJSON_ArrayForEach(x, item(dec, "recommendations"))
    {
        if (d->full)
            return;
        bullet(d, or_dash(cJSON_IsString(x) ? x->valuestring : str(x, "text")), 9.5);
        n++;
    }
    if (n == 0)
        para(d, "Aucune recommandation.", MARGIN, content_width(d), F_ITALIC, 9.5, GREY);

    heading(d, "Bonnes pratiques", 14);
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
        bullet(d, s, 9.5);
        free(s);
        n++;
    }
    if (n == 0)
        para(d, "Aucune bonne pratique relevée.", MARGIN, content_width(d), F_ITALIC, 9.5, GREY);
}

/* "Preuves : a ; b ; c", or NULL when there is none; caller frees. */
static char *evidence_text(const cJSON *c)
{
    const cJSON *ev = item(c, "evidence"), *x;
    size_t size = sizeof "Preuves : ";
    int n = 0;
    cJSON_ArrayForEach(x, ev)
    {
        const char *s = cJSON_IsString(x) ? x->valuestring : str(x, "name");
        size += strlen(or_dash(s)) + 3;
        n++;
    }
    if (n == 0)
        return NULL;
    char *out = malloc(size);
    if (!out)
        return NULL;
    strcpy(out, "Preuves : ");
    n = 0;
    cJSON_ArrayForEach(x, ev)
    {
        const char *s = cJSON_IsString(x) ? x->valuestring : str(x, "name");
        if (n++)
            strcat(out, " ; ");
        strcat(out, or_dash(s));
    }
    return out;
}

static void criterion_block(doc *d, const cJSON *c)
{
    const double size = 9.5, small = 8.5, head = 17;
    double w = content_width(d);
    const char *statement = str(c, "statement"), *comment = str(c, "comment");
    char *evidence = evidence_text(c);
    char *note = NULL;
    if (comment) {
        note = malloc(strlen(comment) + sizeof "Commentaire : ");
        if (note)
            sprintf(note, "Commentaire : %s", comment);
    }
    double hs = para_height(d, statement, w, F_REGULAR, size);
    double h = head + hs + 8;
    if (note)
        h += para_height(d, note, w - 10, F_ITALIC, small) + 2;
    if (evidence)
        h += para_height(d, evidence, w - 10, F_REGULAR, small) + 2;
    /* A criterion stays on one page unless it is longer than a page. */
    ensure(d, h <= bottom(d) - MARGIN ? h : head + 3 * size * LEADING);

    double top = d->y;
    char buf[64];
    const char *id = value(c, "id", buf, sizeof buf);
    set_font(d, F_BOLD, size);
    show(d, MARGIN, top + 11, or_dash(id), strlen(or_dash(id)), NAVY);
    double iw = measure(d, or_dash(id), strlen(or_dash(id)));
    const char *level = level_words(str(c, "level"));
    set_font(d, F_REGULAR, small);
    char lv[64];
    snprintf(lv, sizeof lv, "· %s", level);
    show(d, MARGIN + iw + 6, top + 11, lv, strlen(lv), GREY);
    rgb colour, ink;
    const char *finding = finding_words(str(c, "status"), &colour, &ink);
    set_font(d, F_BOLD, 7.5);
    double fw = measure(d, finding, strlen(finding)) + 12;
    set_colour(d, colour);
    rounded(d, d->w - MARGIN - fw, top + 1, fw, 13, 3);
    cairo_fill(d->cr);
    show(d, d->w - MARGIN - fw + 6, top + 10.5, finding, strlen(finding), ink);
    d->y = top + head;

    para(d, or_dash(statement), MARGIN, w, F_REGULAR, size, INK);
    if (note) {
        d->y += 2;
        para(d, note, MARGIN + 10, w - 10, F_ITALIC, small, INK);
    }
    if (evidence) {
        d->y += 2;
        para(d, evidence, MARGIN + 10, w - 10, F_REGULAR, small, GREY);
    }
    d->y += 4;
    hline(d, MARGIN, d->w - MARGIN, d->y, 0.4, LIGHT);
    d->y += 4;
    free(note);
    free(evidence);
}

static void criteria_section(doc *d, const cJSON *data)
{
    const cJSON *criteria = item(data, "criteria"), *c;
    int total = cJSON_GetArraySize(criteria);
    int root = heading(d, "Détail des critères", 80);
    char line[240];
    snprintf(line, sizeof line,
             "%d critères, dans l'ordre du référentiel, chacun avec son niveau (obligatoire, "
             "recommandé ou conseillé), %s, le commentaire et les preuves.",
             total,
             self_assessment(data) ? "la réponse de la coopérative" : "le constat de l'audit");
    para(d, line, MARGIN, content_width(d), F_REGULAR, 9, GREY);
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
            ensure(d, 120);
            gap(d, 8);
            char title[300];
            const char *name = field_name(data, f);
            if (f && name && strcmp(name, f) != 0)
                snprintf(title, sizeof title, "%d. %s (%s)", ++number_of_field, name, f);
            else
                snprintf(title, sizeof title, "%d. %s", ++number_of_field, or_dash(name));
            bookmark(d, root, title);
            para(d, title, MARGIN, content_width(d), F_BOLD, 12, NAVY);
            d->y += 4;
            theme = NULL;
        }
        if (t && (!theme || strcmp(t, theme) != 0)) {
            ensure(d, 90);
            gap(d, 3);
            set_colour(d, NAVY);
            cairo_rectangle(d->cr, MARGIN, d->y + 2, 3, 10);
            cairo_fill(d->cr);
            para(d, t, MARGIN + 9, content_width(d) - 9, F_BOLD, 10, INK);
            d->y += 3;
        }
        field = f;
        theme = t;
        first = false;
        criterion_block(d, c);
    }
    if (total == 0)
        para(d, "Aucun critère.", MARGIN, content_width(d), F_ITALIC, 9.5, GREY);
}

static void draw_report(doc *d, const cJSON *data)
{
    title_block(d, data);
    identity_section(d, data);
    outcome_section(d, data);
    chart_section(d, data);
    tally_section(d, data);
    lists_section(d, data);
    criteria_section(d, data);
    footer(d);
    cairo_show_page(d->cr);
}

/* ---- the certificate -------------------------------------------------- */

static void draw_certificate(doc *d, const cJSON *data)
{
    const cJSON *org = item(data, "organisation"), *dec = item(data, "decision");
    double w = d->w, h = d->h, text_w = w - 2 * 90;
    char b1[64], line[200];

    set_colour(d, NAVY);
    cairo_set_line_width(d->cr, 3);
    cairo_rectangle(d->cr, 22, 22, w - 44, h - 44);
    cairo_stroke(d->cr);
    cairo_set_line_width(d->cr, 0.8);
    cairo_rectangle(d->cr, 30, 30, w - 60, h - 60);
    cairo_stroke(d->cr);

    d->y = 80;
    centred(d, "LABEL CPE", text_w, F_BOLD, 40, NAVY);
    centred(d, "Coopérer pour Entreprendre", text_w, F_ITALIC, 15, GREY);
    d->y += 6;
    hline(d, w / 2 - 60, w / 2 + 60, d->y, 1.2, NAVY);
    d->y += 30;
    centred(d, "Le Comité de labellisation certifie que la coopérative", text_w, F_REGULAR, 14,
            INK);
    d->y += 6;
    /* A long name is set smaller rather than pushed into the code below; a
     * name is one line (the API refuses line breaks in names; older data may
     * hold them, and forty of them pushed the rest off the page). */
    char *name = one_line(or_dash(str(org, "name")));
    char *city = str(org, "city") ? one_line(str(org, "city")) : NULL;
    double size = para_height(d, name, text_w, F_BOLD, 24) > 2 * 24 * LEADING ? 17 : 24;
    centred(d, name, text_w, F_BOLD, size, INK);
    if (city)
        centred(d, city, text_w, F_REGULAR, 12, GREY);
    free(name);
    free(city);
    d->y += 14;
    centred(d, "a obtenu le LABEL CPE", text_w, F_BOLD, 16, NAVY);
    d->y += 10;
    snprintf(line, sizeof line, "le %s", date_fr(str(dec, "date"), b1, sizeof b1));
    centred(d, line, text_w, F_REGULAR, 13, INK);
    snprintf(line, sizeof line, "valable jusqu'au %s",
             date_fr(str(dec, "valid_until"), b1, sizeof b1));
    centred(d, line, text_w, F_REGULAR, 13, INK);

    /* The verification block sits at the foot of the page whatever the
     * length of the name above it. */
    const char *code = str(dec, "record_hash");
    const char *label = "Code de vérification : ";
    d->y = h - 140;
    set_font(d, F_BOLD, 9.5);
    double lw = measure(d, label, strlen(label));
    set_font(d, F_MONO, 9.5);
    size_t n = strlen(code);
    double cw = measure(d, code, n);
    if (lw + cw <= text_w) {
        double x = (w - lw - cw) / 2;
        set_font(d, F_BOLD, 9.5);
        show(d, x, d->y + 9.5, label, strlen(label), INK);
        set_font(d, F_MONO, 9.5);
        show(d, x + lw, d->y + 9.5, code, n, INK);
        d->y += 9.5 * LEADING;
    } else {
        /* Too long for one line: the code in two halves under its label,
         * cut between characters, never inside one. */
        centred(d, label, text_w, F_BOLD, 9.5, INK);
        size_t half = n / 2;
        while (half < n && ((unsigned char)code[half] & 0xC0) == 0x80)
            half++;
        const char *parts[] = {code, code + half};
        size_t lens[] = {half, n - half};
        set_font(d, F_MONO, 9.5);
        for (int i = 0; i < 2; i++) {
            double pw = measure(d, parts[i], lens[i]);
            show(d, (w - pw) / 2, d->y + 9.5, parts[i], lens[i], INK);
            d->y += 9.5 * LEADING;
        }
    }
    d->y += 4;
    centred(d,
            "Ce code est l'empreinte de la décision du comité. Il se vérifie avec la commande "
            "« labelcoop verify » ou sur la page de vérification de la plateforme.",
            text_w, F_ITALIC, 8.5, GREY);
    const char *ruleset = str(data, "ruleset");
    if (ruleset) {
        d->y += 2;
        snprintf(line, sizeof line, "Référentiel : %s", ruleset);
        centred(d, line, text_w, F_REGULAR, 7, GREY);
    }
    cairo_show_page(d->cr);
}

/* ---- output ----------------------------------------------------------- */

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int len)
{
    (void)closure, (void)data, (void)len;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t to_file(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draws data with draw on w×h pages into f, or nowhere when f is NULL (to
 * count the pages). pages is the total when known, 0 otherwise; *drawn gets
 * the number drawn. Given up past deadline_us (date_clock_us). */
static int draw_pdf(FILE *f, double w, double h, render_fn draw, const cJSON *data, int pages,
                    const char *header, const char *footer, long long deadline_us, int *drawn,
                    err *e)
{
    doc d = {.w = w, .h = h, .page = 1, .pages = pages, .deadline_us = deadline_us};
    d.surface = cairo_pdf_surface_create_for_stream(f ? to_file : discard, f, w, h);
    d.cr = cairo_create(d.surface);
    static const struct {
        const char *family;
        cairo_font_slant_t slant;
        cairo_font_weight_t weight;
    } faces[F_COUNT] = {
        [F_REGULAR] = {FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL},
        [F_BOLD] = {FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD},
        [F_ITALIC] = {FONT, CAIRO_FONT_SLANT_OBLIQUE, CAIRO_FONT_WEIGHT_NORMAL},
        [F_MONO] = {MONO, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL},
    };
    for (int i = 0; i < F_COUNT; i++)
        d.faces[i] = cairo_toy_font_face_create(faces[i].family, faces[i].slant, faces[i].weight);
    d.header = header ? clean(header) : NULL;
    d.footer = footer ? clean(footer) : NULL;
    if (header && header[0]) {
        cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_TITLE, d.header);
        cairo_pdf_surface_set_metadata(d.surface, CAIRO_PDF_METADATA_CREATOR, "labelcoop");
    }

    draw(&d, data);

    if (d.pdf_cr) {
        cairo_destroy(d.cr);
        d.cr = d.pdf_cr;
    }
    cairo_status_t st = cairo_status(d.cr);
    cairo_destroy(d.cr);
    cairo_surface_finish(d.surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d.surface);
    cairo_surface_destroy(d.surface);
    for (int i = 0; i < F_COUNT; i++)
        cairo_font_face_destroy(d.faces[i]);
    free(d.header);
    free(d.footer);
    free(d.scratch);
    free(d.wrap.v);
    *drawn = d.page;
    if (d.given_up)
        return err_set(e, ERR_UNAVAILABLE,
                       "the PDF was not drawn: %s (%d s at most); try again later", d.given_up,
                       DRAW_SECONDS);
    if (d.oom)
        return err_set(e, ERR_FAIL, "out of memory while drawing the PDF");
    if (st != CAIRO_STATUS_SUCCESS)
        return err_set(e, ERR_FAIL, "cannot draw the PDF: %s", cairo_status_to_string(st));
    return ERR_OK;
}

/* Writes the PDF next to path and renames it into place, so that a reader
 * (the HTTP server sending it) never sees half a document. count: draw once
 * more beforehand to know the number of pages. */
static int write_pdf(const char *path, double w, double h, bool count, render_fn draw,
                     const cJSON *data, const char *header, const char *footer, err *e)
{
    if (!path || !path[0])
        return err_set(e, ERR_INPUT, "document: no output path");
    int pages = 0, rc;
    long long deadline = date_clock_us() + DRAW_SECONDS * 1000000LL;
    if (count &&
        (rc = draw_pdf(NULL, w, h, draw, data, 0, header, footer, deadline, &pages, e)) != ERR_OK)
        return rc;
    size_t n = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(n);
    if (!tmp)
        return err_set(e, ERR_FAIL, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) { /* the caller's path: bad input, as for any output path */
        rc = err_set(e, ERR_INPUT, "%s: cannot be written (%s)", path, strerror(errno));
        free(tmp);
        return rc;
    }
    int drawn;
    rc = draw_pdf(f, w, h, draw, data, pages, header, footer, deadline, &drawn, e);
    if (fclose(f) != 0 && rc == ERR_OK)
        rc = err_set(e, ERR_FAIL, "%s: %s", path, strerror(errno));
    if (rc == ERR_OK && rename(tmp, path) != 0) /* a folder there, say */
        rc = err_set(e, ERR_INPUT, "%s: cannot be written (%s)", path, strerror(errno));
    if (rc != ERR_OK)
        remove(tmp);
    free(tmp);
    return rc;
}

int document_audit_report(const cJSON *data, const char *path, err *e)
{
    if (!cJSON_IsObject(data))
        return err_set(e, ERR_INPUT, "audit report: the data must be an object");
    char header[400], footer[200];
    snprintf(header, sizeof header, "%s — %s", report_title(data),
             or_dash(str(item(data, "organisation"), "name")));
    snprintf(footer, sizeof footer, "Référentiel %s", or_dash(ruleset_of(data)));
    return write_pdf(path, A4_SHORT, A4_LONG, true, draw_report, data, header, footer, e);
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
    return write_pdf(path, A4_LONG, A4_SHORT, false, draw_certificate, data, title, NULL, e);
}

void document_stop(void)
{
    atomic_store(&stopping, true);
}
