#!/bin/sh
# Makes sure a CJK font is installed, so report charts draw Chinese district names, not boxes.
#
# Called by `make install`. A no-op (silent) when a CJK font is already there. Otherwise it
# installs Debian/Ubuntu's fonts-noto-cjk with apt-get, as root or through passwordless sudo.
# It never fails the install: without apt-get, rights or network it prints one line and
# exits 0 (charts are still written; only their Chinese text shows as boxes).
#
# ESPCRM_FONT_DIRS overrides the directories searched when fontconfig's fc-list is missing.

set -u

PACKAGE=fonts-noto-cjk
FONT_DIRS=${ESPCRM_FONT_DIRS:-"/usr/share/fonts /usr/local/share/fonts ${HOME:-/root}/.local/share/fonts ${HOME:-/root}/.fonts /System/Library/Fonts /Library/Fonts"}

warn() {
    echo "ensure_fonts: no CJK font and $1: report charts will show boxes for Chinese text (install $PACKAGE or any CJK font)."
    exit 0
}

has_cjk_font() {
    if command -v fc-list >/dev/null 2>&1; then
        [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] && return 0
    fi
    # Without fontconfig (e.g. macOS): look for the usual CJK font files by name.
    for dir in $FONT_DIRS; do
        [ -d "$dir" ] || continue
        found=$(find "$dir" \( -iname '*cjk*' -o -iname 'wqy*' -o -iname 'PingFang*' \
            -o -iname 'SourceHanSans*' -o -iname 'simhei*' -o -iname 'msyh*' \) 2>/dev/null | head -n 1)
        [ -n "$found" ] && return 0
    done
    return 1
}

has_cjk_font && exit 0

command -v apt-get >/dev/null 2>&1 || warn "no apt-get here"
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root="sudo -n"
else
    warn "no root rights for apt-get"
fi

echo "ensure_fonts: installing $PACKAGE for Chinese text in report charts..."
if $as_root apt-get update -qq >/dev/null 2>&1 \
    && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$PACKAGE" >/dev/null 2>&1; then
    echo "ensure_fonts: $PACKAGE installed."
else
    warn "apt-get could not install $PACKAGE"
fi
