#!/bin/sh
# pdf_check.sh FILE.pdf [OUTDIR]: what a reader of a generated PDF gets, for
# checking the documents by eye: page count and size, the fonts embedded (the
# report must use DejaVu, not a fallback), the text as laid out, and one PNG
# per page in OUTDIR (default: a new folder under /tmp). Needs poppler-utils.
set -eu
pdf=${1:?usage: pdf_check.sh FILE.pdf [OUTDIR]}
out=${2:-$(mktemp -d /tmp/pdf-check-XXXXXX)}
for tool in pdfinfo pdffonts pdftotext pdftoppm; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install poppler-utils" >&2; exit 2; }
done
mkdir -p "$out"
pdfinfo "$pdf" | grep -E '^(Title|Pages|Page size):'
pdffonts "$pdf" | tail -n +3 | awk '{print "font:", $1}'
if pdffonts "$pdf" | tail -n +3 | grep -qv DejaVu; then
    echo "warning: a font other than DejaVu is embedded" >&2
fi
pdftotext -layout "$pdf" "$out/text.txt"
start=$(date +%s%N)
pdftoppm -r 70 -png "$pdf" "$out/page"
echo "text: $out/text.txt"
echo "pages: $(ls "$out"/page*.png | wc -l) PNG files in $out ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
