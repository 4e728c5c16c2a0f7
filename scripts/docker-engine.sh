#!/usr/bin/env bash
# Makes a Docker engine with BuildKit ready on a Debian machine, and provides the
# base images the tests and the demo use. On a machine where an engine already
# answers and the images exist, it changes nothing.
#
# No image registry is reachable from the machines this project is developed and
# tested on, so base images are made locally:
#   debian:bookworm       `debootstrap --variant=minbase bookworm`, imported
#   busybox:local         Debian's busybox-static in an otherwise empty rootfs
set -euo pipefail
# shellcheck source=debian-mirror.sh
source "$(dirname "$0")/debian-mirror.sh"
# shellcheck source=busybox.sh
source "$(dirname "$0")/busybox.sh"

log() { printf '[docker-engine] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

engine_answers() { docker info >/dev/null 2>&1; }

apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_engine() {
  if ! command -v dockerd >/dev/null 2>&1; then
    log "installing Debian's docker.io"
    apt_install docker.io
  fi
}

# Debian bookworm's docker.io has no buildx plugin; trixie's docker-buildx package
# holds one static binary that works with it. Download that package alone through
# a private source list, so the machine's own apt configuration is left as it was.
install_buildx() {
  if docker buildx version >/dev/null 2>&1; then return; fi
  log "installing the docker-buildx plugin from Debian trixie"
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
  echo "deb $(debian_mirror) trixie main" >"$tmp/sources.list"
  local apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
                  -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::Archives=$tmp/archives")
  as_root apt-get "${apt_opts[@]}" update -qq
  (cd "$tmp" && as_root apt-get "${apt_opts[@]}" download docker-buildx >/dev/null)
  dpkg -x "$tmp"/docker-buildx_*.deb "$tmp/root"
  as_root install -D -m 0755 "$tmp/root/usr/libexec/docker/cli-plugins/docker-buildx" \
    /usr/libexec/docker/cli-plugins/docker-buildx
  rm -rf "$tmp"
}

start_engine() {
  if engine_answers; then return; fi
  log "starting dockerd"
  # setsid: the daemon must outlive this script and whoever called it.
  as_root setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    engine_answers && return
    sleep 1
  done
  log "dockerd did not answer within 60 s; its log:"
  tail -n 30 /var/log/dockerd.log >&2 || true
  exit 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

provide_debian() {
  image_exists debian:bookworm && return
  log "trying to pull debian:bookworm"
  if timeout 20 docker pull -q debian:bookworm >/dev/null 2>&1; then return; fi
  log "no registry answers: building debian:bookworm with debootstrap (about 30 s)"
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  local root; root=$(mktemp -d)
  as_root debootstrap --variant=minbase bookworm "$root" "$(debian_mirror)" >/dev/null
  as_root tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm >/dev/null
  as_root rm -rf "$root"
}

provide_busybox() {
  image_exists busybox:local && return
  log "building busybox:local from Debian's busybox-static"
  busybox_has_sh || apt_install busybox-static
  busybox_rootfs_tar | docker import -c 'CMD ["sh"]' - busybox:local >/dev/null
}

# The markdown tests render the comment with cmark-gfm, the renderer GitHub's markdown is
# built on, to see what it would turn into a link or a mention.
install_renderer() {
  command -v cmark-gfm >/dev/null 2>&1 || { log "installing cmark-gfm"; apt_install cmark-gfm; }
}

main() {
  install_renderer
  if ! engine_answers; then
    install_engine
    install_buildx
    start_engine
  else
    install_buildx || log "could not install buildx; builds will use the legacy builder"
  fi
  provide_busybox
  [ "${SKIP_DEBIAN_IMAGE:-}" = 1 ] || provide_debian
  log "engine ready: $(docker version -f 'server {{.Server.Version}}, API {{.Server.APIVersion}}')," \
      "buildx $(docker buildx version 2>/dev/null | awk '{print $2}' || echo none)"
}

main "$@"
