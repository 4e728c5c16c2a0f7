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

# Writes the busybox:local rootfs as a tar to standard output: Debian's static busybox, with
# a link for each of its applets, and /tmp. busybox-static must be installed.
busybox_rootfs_tar() {
  local root applet
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  tar -C "$root" -c .
  rm -rf "$root"
}
