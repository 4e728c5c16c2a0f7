#!/usr/bin/env bash
# Sourced by the scripts that prepare a machine: prints the Debian mirror this machine's apt
# uses, so no script names a host of its own. Reads the deb822 sources
# (/etc/apt/sources.list.d/*.sources) first, then the one-line format (/etc/apt/sources.list
# and *.list): the first source of the main archive, not the security one.
debian_mirror() {
  local uri
  uri=$(awk '
    /^[[:space:]]*$/ { if (uris != "" && suites !~ /-security/) { print uris; found = 1; exit } uris = ""; suites = ""; next }
    /^URIs:/ { uris = $2 }
    /^Suites:/ { suites = $0 }
    END { if (!found && uris != "" && suites !~ /-security/) print uris }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null) || true # no such files: try the one-line format
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i+1) !~ /-security/) { print $i; exit } break } }') || true
  fi
  if [ -z "$uri" ]; then
    echo "No Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list." >&2
    return 1
  fi
  printf '%s\n' "${uri%/}"
}
