#!/usr/bin/env bash
# make pdf typesets the book with xelatex (Sphinx's LaTeX writer, latexmk); tests/test_pdf.py reads
# the PDFs with poppler. Install them from Debian's packages when missing (root or sudo with apt);
# a machine that cannot gets the list of what to install, and make pdf stops there.
set -u
PACKAGES="texlive-xetex texlive-fonts-recommended lmodern latexmk fonts-freefont-otf fonts-dejavu-core poppler-utils"
have_all() {
  command -v xelatex >/dev/null 2>&1 && command -v latexmk >/dev/null 2>&1 &&
    command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 &&
    command -v pdfimages >/dev/null 2>&1 && kpsewhich fncychap.sty >/dev/null 2>&1 &&
    fc-list 2>/dev/null | grep -q FreeSerif && fc-list 2>/dev/null | grep -q "DejaVu Sans Mono"
}
have_all && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    # Another apt may hold the lock for a while: wait for it rather than fail.
    # --no-install-recommends: texlive-latex-extra would otherwise pull a Java runtime.
    # shellcheck disable=SC2086
    $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends $PACKAGES >/dev/null
  fi
fi
have_all && exit 0
echo "install_tex: xelatex, latexmk, the fonts (FreeSerif, DejaVu Sans Mono) or poppler's tools are missing, and" >&2
echo "  could not be installed here. On Debian/Ubuntu: apt-get install $PACKAGES" >&2
echo "  (elsewhere: TeX Live with xetex, latexmk and latex-extra; GNU FreeFont and DejaVu; poppler-utils)" >&2
exit 1
