/* pdf: the layout engine of the PDFs. Text is laid out with cairo's own text
 * API, without pango: words are measured with cairo_text_extents and wrapped
 * by hand, and pages break when full. A document may be drawn twice, first
 * into a discarding stream to count its pages, so that every footer can say
 * "page N / M". Uses cairo, date, text. */
#include "pdf.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "date.h"
#include "text.h"

#define FONT "DejaVu Sans"
#define MONO "DejaVu Sans Mono"
/* The cost bound of a document: a text is cut after TEXT_CHARS characters
 * (the API keeps texts shorter; older data may hold longer ones), and the
 * report stops after MAX_PAGES pages, each with a note saying so. With the
 * API's limits the longest report is 392 pages. */
#define TEXT_CHARS 12000
#define MAX_PAGES 600
/* A document is given up (ERR_UNAVAILABLE) when it is not drawn after
 * DRAW_SECONDS, both passes together, or as soon as pdf_stop is called:
 * drawing checks both between pages, so a stop never waits for a long
 * report. */
#define DRAW_SECONDS 90

static atomic_bool stopping;

const pdf_rgb PDF_NAVY = {0.10, 0.22, 0.42};
const pdf_rgb PDF_INK = {0.13, 0.13, 0.13};
const pdf_rgb PDF_GREY = {0.40, 0.40, 0.40};
const pdf_rgb PDF_LIGHT = {0.82, 0.82, 0.82};
const pdf_rgb PDF_WHITE = {1, 1, 1};
const pdf_rgb PDF_GREEN = {0.15, 0.52, 0.28};
const pdf_rgb PDF_ORANGE = {0.85, 0.50, 0.05};
const pdf_rgb PDF_RED = {0.76, 0.17, 0.17};
const pdf_rgb PDF_NEUTRAL = {0.55, 0.55, 0.55};

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
char *pdf_clean(const char *s)
{
    if (!s || !s[0])
        s = PDF_DASH;
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

void pdf_set_font(pdf_doc *d, pdf_font f, double size)
{
    cairo_set_font_face(d->cr, d->faces[f]);
    cairo_set_font_size(d->cr, size);
}

void pdf_set_colour(pdf_doc *d, pdf_rgb c)
{
    cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
}

/* s[0..n) NUL-terminated in the scratch buffer (cairo wants C strings). */
static const char *slice(pdf_doc *d, const char *s, size_t n)
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
double pdf_measure(pdf_doc *d, const char *s, size_t n)
{
    cairo_text_extents_t ex;
    cairo_text_extents(d->cr, slice(d, s, n), &ex);
    return ex.x_advance;
}

void pdf_show(pdf_doc *d, double x, double baseline, const char *s, size_t n, pdf_rgb c)
{
    pdf_set_colour(d, c);
    cairo_move_to(d->cr, x, baseline);
    cairo_show_text(d->cr, slice(d, s, n));
}

static void push(pdf_doc *d, pdf_lines *l, size_t at, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        pdf_span *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) {
            d->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (pdf_span){at, len};
}

/* End of the longest run of whole characters from s[from] that fits width,
 * at least one character so that wrapping always moves on. Each character is
 * measured once and the widths added (cairo's toy text does no kerning):
 * measuring the run again at each step made a long word quadratic. */
static size_t fit(pdf_doc *d, const char *s, size_t from, size_t to, double width)
{
    size_t end = from;
    double w = 0;
    while (end < to) {
        size_t k = utf8_len((const unsigned char *)s + end, to - end);
        size_t next = end + (k ? k : 1);
        w += pdf_measure(d, s + end, next - end);
        if (end > from && w > width)
            break;
        end = next;
    }
    return end;
}

/* Breaks one paragraph s[from..to) into lines no wider than width: at
 * spaces, and inside a word only when the word alone is too wide (a hash, an
 * address). An empty paragraph keeps its blank line. */
static void wrap_paragraph(pdf_doc *d, const char *s, size_t from, size_t to, double width,
                           pdf_lines *out)
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
        if (start != SIZE_MAX && pdf_measure(d, s + start, i - start) <= width) {
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
const pdf_lines *pdf_wrap(pdf_doc *d, const char *s, double width)
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

double pdf_bottom(const pdf_doc *d)
{
    return d->h - PDF_MARGIN;
}

double pdf_content_width(const pdf_doc *d)
{
    return d->w - 2 * PDF_MARGIN;
}

/* Draws s in one line, cut with "…" when wider than width. */
void pdf_show_cut(pdf_doc *d, double x, double baseline, const char *s, double width, pdf_rgb c)
{
    size_t n = strlen(s);
    if (pdf_measure(d, s, n) <= width) {
        pdf_show(d, x, baseline, s, n, c);
        return;
    }
    size_t end = fit(d, s, 0, n, width - pdf_measure(d, "…", strlen("…")));
    char *cut = malloc(end + sizeof "…");
    if (!cut) {
        d->oom = true;
        return;
    }
    memcpy(cut, s, end);
    strcpy(cut + end, "…");
    pdf_show(d, x, baseline, cut, strlen(cut), c);
    free(cut);
}

void pdf_footer(pdf_doc *d)
{
    cairo_save(d->cr);
    double y = d->h - PDF_MARGIN + 22;
    pdf_set_colour(d, PDF_LIGHT);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, PDF_MARGIN, y - 10);
    cairo_line_to(d->cr, d->w - PDF_MARGIN, y - 10);
    cairo_stroke(d->cr);
    char page[64];
    if (d->pages > 0)
        snprintf(page, sizeof page, "page %d / %d", d->page, d->pages);
    else
        snprintf(page, sizeof page, "page %d", d->page);
    pdf_set_font(d, PDF_REGULAR, 7);
    double pw = pdf_measure(d, page, strlen(page));
    pdf_show(d, d->w - PDF_MARGIN - pw, y, page, strlen(page), PDF_GREY);
    if (d->footer)
        pdf_show_cut(d, PDF_MARGIN, y, d->footer, pdf_content_width(d) - pw - 20, PDF_GREY);
    cairo_restore(d->cr);
}

static void header(pdf_doc *d)
{
    if (d->page < 2 || !d->header)
        return;
    cairo_save(d->cr);
    double y = PDF_MARGIN - 18;
    pdf_set_font(d, PDF_REGULAR, 7.5);
    const char *right = "LABEL CPE";
    double rw = pdf_measure(d, right, strlen(right));
    pdf_show(d, d->w - PDF_MARGIN - rw, y, right, strlen(right), PDF_NAVY);
    pdf_show_cut(d, PDF_MARGIN, y, d->header, pdf_content_width(d) - rw - 20, PDF_GREY);
    pdf_set_colour(d, PDF_LIGHT);
    cairo_set_line_width(d->cr, 0.5);
    cairo_move_to(d->cr, PDF_MARGIN, y + 5);
    cairo_line_to(d->cr, d->w - PDF_MARGIN, y + 5);
    cairo_stroke(d->cr);
    cairo_restore(d->cr);
}

/* From now on d->full skips the paragraphs and sections left, and what
 * little is still drawn goes to a context that draws nowhere (the PDF's is
 * kept in d->pdf_cr). */
static void draw_nowhere(pdf_doc *d)
{
    d->full = true;
    d->pdf_cr = d->cr;
    cairo_surface_t *nowhere = cairo_image_surface_create(CAIRO_FORMAT_A1, 1, 1);
    d->cr = cairo_create(nowhere);
    cairo_surface_destroy(nowhere); /* the context holds it */
}

/* Ends the last page allowed with a note, and draws nowhere from then on. */
static void stop_at_cap(pdf_doc *d)
{
    char note[160];
    snprintf(note, sizeof note,
             "Le document s'arrête ici : il dépasserait %d pages. Le texte complet est sur "
             "la plateforme.",
             MAX_PAGES);
    pdf_set_font(d, PDF_BOLD, 7.5); /* under the text, above the footer's line */
    pdf_show(d, PDF_MARGIN, pdf_bottom(d) + 8.5, note, strlen(note), PDF_RED);
    pdf_footer(d);
    cairo_show_page(d->cr);
    draw_nowhere(d);
}

/* Gives the document up, between two pages, when the server stops or its
 * time is over. */
static bool give_up(pdf_doc *d)
{
    if (atomic_load(&stopping))
        d->given_up = "the server is stopping";
    else if (date_clock_us() > d->deadline_us)
        d->given_up = "it took too long to draw";
    if (d->given_up)
        draw_nowhere(d);
    return d->given_up != NULL;
}

static void new_page(pdf_doc *d)
{
    if (d->full || give_up(d))
        return;
    if (d->page >= MAX_PAGES) {
        stop_at_cap(d);
        return;
    }
    pdf_footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = PDF_MARGIN;
    header(d);
}

/* Starts a new page unless h more points fit on this one. */
void pdf_ensure(pdf_doc *d, double h)
{
    if (d->y + h > pdf_bottom(d) && d->y > PDF_MARGIN)
        new_page(d);
}

/* Vertical space, except at the top of a page where it would only push the
 * content down. */
void pdf_gap(pdf_doc *d, double h)
{
    if (d->y > PDF_MARGIN)
        d->y += h;
}

/* A bookmark to the current position, in the PDF viewer's outline. */
int pdf_bookmark(pdf_doc *d, int parent, const char *title)
{
    if (d->full)
        return 0;
    char *t = pdf_clean(title);
    char link[96];
    snprintf(link, sizeof link, "page=%d pos=[%.0f %.0f]", d->page, PDF_MARGIN, d->y);
    int id = t ? cairo_pdf_surface_add_outline(d->surface, parent, t, link, 0) : 0;
    free(t);
    return id;
}

/* s cleaned, and its lines at width in font f at size into *l (borrowed, as
 * pdf_wrap's). The cleaned copy, which the lines slice: caller frees; NULL
 * when out of memory. */
static char *clean_wrap(pdf_doc *d, const char *s, double width, pdf_font f, double size,
                        const pdf_lines **l)
{
    char *t = pdf_clean(s);
    if (!t) {
        d->oom = true;
        return NULL;
    }
    pdf_set_font(d, f, size);
    *l = pdf_wrap(d, t, width);
    return t;
}

/* Height of s wrapped to width in font f at size. */
double pdf_para_height(pdf_doc *d, const char *s, double width, pdf_font f, double size)
{
    if (d->full)
        return 0;
    const pdf_lines *l;
    char *t = clean_wrap(d, s, width, f, size, &l);
    if (!t)
        return 0;
    int n = l->n;
    free(t);
    return n * size * PDF_LEADING;
}

/* Draws s wrapped to width at x from d->y, breaking pages between lines. */
void pdf_para(pdf_doc *d, const char *s, double x, double width, pdf_font f, double size, pdf_rgb c)
{
    if (d->full)
        return;
    const pdf_lines *l;
    char *t = clean_wrap(d, s, width, f, size, &l);
    if (!t)
        return;
    double lh = size * PDF_LEADING;
    for (int i = 0; i < l->n && !d->full; i++) {
        if (d->y + lh > pdf_bottom(d)) {
            new_page(d);
            pdf_set_font(d, f, size);
        }
        pdf_show(d, x, d->y + size, t + l->v[i].at, l->v[i].len, c);
        d->y += lh;
    }
    free(t);
}

/* Draws s centred on the page, wrapped to width (no page breaks: the
 * certificate is one page). */
void pdf_centred(pdf_doc *d, const char *s, double width, pdf_font f, double size, pdf_rgb c)
{
    const pdf_lines *l;
    char *t = clean_wrap(d, s, width, f, size, &l);
    if (!t)
        return;
    for (int i = 0; i < l->n; i++) {
        double lw = pdf_measure(d, t + l->v[i].at, l->v[i].len);
        pdf_show(d, (d->w - lw) / 2, d->y + size, t + l->v[i].at, l->v[i].len, c);
        d->y += size * PDF_LEADING;
    }
    free(t);
}

void pdf_hline(pdf_doc *d, double x0, double x1, double y, double width, pdf_rgb c)
{
    pdf_set_colour(d, c);
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, x0, y);
    cairo_line_to(d->cr, x1, y);
    cairo_stroke(d->cr);
}

void pdf_rounded(pdf_doc *d, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(d->cr);
    cairo_arc(d->cr, x + w - r, y + r, r, -1.5708, 0);
    cairo_arc(d->cr, x + w - r, y + h - r, r, 0, 1.5708);
    cairo_arc(d->cr, x + r, y + h - r, r, 1.5708, 3.14159);
    cairo_arc(d->cr, x + r, y + r, r, 3.14159, 4.71239);
    cairo_close_path(d->cr);
}

/* A section title, kept on the page with the need points that follow it. */
int pdf_heading(pdf_doc *d, const char *title, double need)
{
    pdf_ensure(d, 36 + need);
    pdf_gap(d, 10);
    int id = pdf_bookmark(d, CAIRO_PDF_OUTLINE_ROOT, title);
    pdf_para(d, title, PDF_MARGIN, pdf_content_width(d), PDF_BOLD, 13, PDF_NAVY);
    pdf_hline(d, PDF_MARGIN, d->w - PDF_MARGIN, d->y + 1, 0.8, PDF_NAVY);
    d->y += 8;
    return id;
}

/* A label and its value side by side, the value wrapped in font f (hashes
 * are set smaller, in a fixed width font, to hold on one line). */
void pdf_pair_in(pdf_doc *d, const char *label, const char *v, pdf_font f)
{
    const double lw = 140;
    double size = f == PDF_MONO ? 8 : 9.5;
    double vw = pdf_content_width(d) - lw;
    double h = pdf_para_height(d, v, vw, f, size);
    double hl = pdf_para_height(d, label, lw - 8, PDF_BOLD, 9);
    if (hl > h)
        h = hl;
    pdf_ensure(d, h);
    double top = d->y;
    pdf_para(d, label, PDF_MARGIN, lw - 8, PDF_BOLD, 9, PDF_GREY);
    d->y = top;
    pdf_para(d, v, PDF_MARGIN + lw, vw, f, size, PDF_INK);
    d->y = top + h + 2;
}

void pdf_pair(pdf_doc *d, const char *label, const char *v)
{
    pdf_pair_in(d, label, v, PDF_REGULAR);
}

void pdf_bullet(pdf_doc *d, const char *s, double size)
{
    pdf_ensure(d, size * PDF_LEADING);
    pdf_set_font(d, PDF_REGULAR, size);
    pdf_show(d, PDF_MARGIN + 6, d->y + size, "•", strlen("•"), PDF_NAVY);
    pdf_para(d, s, PDF_MARGIN + 18, pdf_content_width(d) - 18, PDF_REGULAR, size, PDF_INK);
    d->y += 2;
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
static int draw_pdf(FILE *f, double w, double h, pdf_draw_fn draw, const void *data, int pages,
                    const char *header, const char *footer, long long deadline_us, int *drawn,
                    err *e)
{
    pdf_doc d = {.w = w, .h = h, .page = 1, .pages = pages, .deadline_us = deadline_us};
    d.surface = cairo_pdf_surface_create_for_stream(f ? to_file : discard, f, w, h);
    d.cr = cairo_create(d.surface);
    static const struct {
        const char *family;
        cairo_font_slant_t slant;
        cairo_font_weight_t weight;
    } faces[PDF_FONTS] = {
        [PDF_REGULAR] = {FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL},
        [PDF_BOLD] = {FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD},
        [PDF_ITALIC] = {FONT, CAIRO_FONT_SLANT_OBLIQUE, CAIRO_FONT_WEIGHT_NORMAL},
        [PDF_MONO] = {MONO, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL},
    };
    for (int i = 0; i < PDF_FONTS; i++)
        d.faces[i] = cairo_toy_font_face_create(faces[i].family, faces[i].slant, faces[i].weight);
    d.header = header ? pdf_clean(header) : NULL;
    d.footer = footer ? pdf_clean(footer) : NULL;
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
    for (int i = 0; i < PDF_FONTS; i++)
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
int pdf_write(const char *path, double w, double h, bool count, pdf_draw_fn draw, const void *data,
              const char *header, const char *footer, err *e)
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

void pdf_stop(void)
{
    atomic_store(&stopping, true);
}
