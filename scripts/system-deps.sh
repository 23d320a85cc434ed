#!/usr/bin/env bash
# Debian packages the desk needs, installed when missing (as root), else named for the user.
#   gettext          msgfmt --check, msgmerge, msgcat: the reference the tests and benchmarks use
#   fonts-noto-core  Noto Naskh Arabic (Farsi) and Noto Serif/Sans, embedded in PDF editions
#   poppler-utils    pdffonts, pdftotext, pdfinfo, pdftoppm: the tests read the PDFs they make
#   chromium         the browser tests (Playwright drives it) and the PDF benchmark's reference
#   npm              installs axe-core (package-lock.json), the browser tests' accessibility audit
#   nginx            the reverse proxy of deploy/nginx.conf, which a test starts on loopback in
#                    front of the desk (installed without starting Debian's own nginx service)
set -euo pipefail
need=()
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
[ -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || need+=(fonts-noto-core)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if ((${#need[@]} == 0)); then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  # no service is started by the install (Debian's nginx would listen on every address, port 80)
  blocker=/usr/sbin/policy-rc.d
  [ -e "$blocker" ] || { printf '#!/bin/sh\nexit 101\n' > "$blocker" && chmod +x "$blocker" && trap 'rm -f "$blocker"' EXIT; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
else
  echo "Please install these Debian packages (as root): ${need[*]}" >&2
  exit 1
fi
