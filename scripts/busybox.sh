#!/usr/bin/env bash
# Sourced by the scripts that make the busybox:local base image.

# Whether the machine's /bin/busybox is the static build with a shell. busybox's list is read
# whole before matching: with pipefail, `busybox --list | grep -q` fails by SIGPIPE whenever
# grep stops reading first.
busybox_has_sh() {
  [ -x /bin/busybox ] || return 1
  local applets
  applets=$(/bin/busybox --list 2>/dev/null) || return 1
  [[ $'\n'"$applets"$'\n' == *$'\nsh\n'* ]]
}
