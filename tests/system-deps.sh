#!/usr/bin/env bash
# Install the system programs some tests use, when missing: LibreOffice (DOCX -> PDF, re-save),
# poppler-utils (pdftoppm renders PDF pages, pdftotext -bbox places words for the PDF visual test),
# poppler-data (CJK character collections for forms with their own Japanese/Chinese fonts),
# fonts-noto-cjk (the CJK fallback font the form filler embeds), Chromium (the HTML tracker report)
# and fonts with the widths of Times New Roman, Courier, Cambria and Calibri (Liberation, Caladea,
# Carlito), so a PDF made here breaks lines and pages as Word does.
# Tests that need a program skip with a reason when it is absent, so this step is optional locally.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -d /usr/share/poppler/cidToUnicode ] || need+=(poppler-data)
metric() { command -v fc-match >/dev/null 2>&1 && [ "$(fc-match -f '%{family}' "$1" | cut -d, -f1)" = "$2" ]; }
metric "Times New Roman" "Liberation Serif" || need+=(fonts-liberation2)
metric "Cambria" "Caladea" || need+=(fonts-crosextra-caladea)
metric "Calibri" "Carlito" || need+=(fonts-crosextra-carlito)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
