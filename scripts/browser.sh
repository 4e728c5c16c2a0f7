#!/usr/bin/env bash
# Makes the browser the comment's rendering test drives ready on Debian: the `chromium`
# package (playwright-core drives it at /usr/bin/chromium; no browser is downloaded), with
# the fonts it lays text out in: Liberation Sans (Arial's metrics, a font GitHub's stack
# falls back to) and Noto Color Emoji, so an emoji in a status cell takes its real width.
# Changes nothing where they are installed already.
set -euo pipefail

log() { printf '[browser] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -q 'Liberation Sans' || missing+=(fonts-liberation)
fc-list 2>/dev/null | grep -q 'Noto Color Emoji' || missing+=(fonts-noto-color-emoji)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
log "browser ready: $(chromium --version 2>/dev/null || echo 'chromium missing')"
