/* pdf: the page layout engine of the PDFs, over cairo: pages with a running
 * header and a numbered footer, text cleaned, measured and wrapped by hand,
 * paragraphs that break pages, and the bounds of a document's cost (its
 * pages, its drawing time, the process stopping). What the pages say is the
 * caller's (document). Uses cairo, date, text. */
#ifndef LABELCOOP_PDF_H
#define LABELCOOP_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include <cairo.h>

#include "err.h"

#define PDF_A4_SHORT 595.0 /* the sides of an A4 page, in points */
#define PDF_A4_LONG 842.0
#define PDF_MARGIN 50.0
#define PDF_DASH "—"     /* what a missing or empty text prints as */
#define PDF_LEADING 1.35 /* line height, as a multiple of the font size */

typedef struct pdf_rgb {
    double r, g, b;
} pdf_rgb;

/* The label's colours. */
extern const pdf_rgb PDF_NAVY, PDF_INK, PDF_GREY, PDF_LIGHT, PDF_WHITE, PDF_GREEN, PDF_ORANGE,
    PDF_RED, PDF_NEUTRAL;

typedef enum { PDF_REGULAR, PDF_BOLD, PDF_ITALIC, PDF_MONO, PDF_FONTS } pdf_font;

/* One line of wrapped text: a slice of the string it was cut from. */
typedef struct pdf_span {
    size_t at, len;
} pdf_span;

typedef struct pdf_lines {
    pdf_span *v;
    int n, cap;
} pdf_lines;

/* A document being drawn. Its content reads w, h and y (and moves y down as
 * it draws), leaves out what is left once full, draws shapes on cr itself,
 * and sets oom when an allocation of its own fails; the rest is pdf's. */
typedef struct pdf_doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    cairo_t *pdf_cr; /* the PDF's context once d->full, cr then drawing nowhere */
    cairo_font_face_t *faces[PDF_FONTS];
    double w, h;   /* page size, in points */
    double y;      /* top of the next thing drawn */
    int page;      /* the page being drawn, from 1 */
    int pages;     /* the total, once counted; 0 while counting */
    char *header;  /* running header of the pages after the first; owned */
    char *footer;  /* left of every footer (the rule set hash); owned */
    char *scratch; /* a NUL-terminated copy of the slice being measured */
    size_t scratch_cap;
    pdf_lines wrap; /* reused by every paragraph */
    bool full;      /* MAX_PAGES drawn (or given up): the rest is left out */
    bool oom;
    long long deadline_us; /* date_clock_us() past which the document is given up */
    const char *given_up;  /* why it was, or NULL */
} pdf_doc;

/* Draws a document's content from data (the caller's, passed through). */
typedef void (*pdf_draw_fn)(pdf_doc *d, const void *data);

/* Writes the PDF of draw(data) on w×h pages to path, atomically (no partial
 * file is left). count: draw once more beforehand, so that footers say
 * "page N / M". header: the running header and the PDF's title; footer: the
 * left of every footer; either may be NULL. ERR_INPUT when path cannot be
 * written, ERR_UNAVAILABLE when given up (pdf_stop, or too long to draw),
 * ERR_FAIL when drawing or writing fails. */
int pdf_write(const char *path, double w, double h, bool count, pdf_draw_fn draw, const void *data,
              const char *header, const char *footer, err *e);

/* The process stops: every document being drawn is given up at its next
 * page break, and so is every later one. Thread safe. */
void pdf_stop(void);

/* ---- text ---- */

/* A copy of s safe to draw (bad UTF-8 and control characters replaced, cut
 * after a bound with a note; NULL and "" are "—"). Caller frees; NULL when
 * out of memory. */
char *pdf_clean(const char *s);
void pdf_set_font(pdf_doc *d, pdf_font f, double size);
void pdf_set_colour(pdf_doc *d, pdf_rgb c);
/* Width of s[0..n) in the current font. */
double pdf_measure(pdf_doc *d, const char *s, size_t n);
/* Draws s[0..n) in colour c with its baseline at (x, baseline). */
void pdf_show(pdf_doc *d, double x, double baseline, const char *s, size_t n, pdf_rgb c);
/* Draws s in one line, cut with "…" when wider than width. */
void pdf_show_cut(pdf_doc *d, double x, double baseline, const char *s, double width, pdf_rgb c);
/* Lines of s (cleaned) at width in the current font; borrowed from d, valid
 * until the next wrap. */
const pdf_lines *pdf_wrap(pdf_doc *d, const char *s, double width);

/* ---- pages ---- */

double pdf_bottom(const pdf_doc *d);        /* lowest y text may reach */
double pdf_content_width(const pdf_doc *d); /* between the margins */
/* The footer of the current page (pdf_write's footer, page N / M). */
void pdf_footer(pdf_doc *d);
/* Starts a new page unless h more points fit on this one. */
void pdf_ensure(pdf_doc *d, double h);
/* Vertical space, except at the top of a page. */
void pdf_gap(pdf_doc *d, double h);
/* A bookmark to the current position under parent (CAIRO_PDF_OUTLINE_ROOT
 * for the top level); its id, for children. */
int pdf_bookmark(pdf_doc *d, int parent, const char *title);

/* ---- blocks: each draws at d->y and moves it below ---- */

/* Height of s wrapped to width in font f at size. */
double pdf_para_height(pdf_doc *d, const char *s, double width, pdf_font f, double size);
/* s wrapped to width at x, breaking pages between lines. */
void pdf_para(pdf_doc *d, const char *s, double x, double width, pdf_font f, double size,
              pdf_rgb c);
/* s centred on the page, wrapped to width, without page breaks. */
void pdf_centred(pdf_doc *d, const char *s, double width, pdf_font f, double size, pdf_rgb c);
/* A horizontal line at y (d->y does not move). */
void pdf_hline(pdf_doc *d, double x0, double x1, double y, double width, pdf_rgb c);
/* The path of a rectangle with rounded corners, to fill or stroke. */
void pdf_rounded(pdf_doc *d, double x, double y, double w, double h, double r);
/* A section title, bookmarked, kept on the page with the need points after
 * it; its bookmark's id. */
int pdf_heading(pdf_doc *d, const char *title, double need);
/* A label and its value side by side; pdf_pair_in sets the value in font f. */
void pdf_pair(pdf_doc *d, const char *label, const char *v);
void pdf_pair_in(pdf_doc *d, const char *label, const char *v, pdf_font f);
/* A bulleted paragraph. */
void pdf_bullet(pdf_doc *d, const char *s, double size);

#endif
