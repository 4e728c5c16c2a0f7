#!/usr/bin/env bash
# Starts two Docker 28.5 engines beside the machine's default one, for CI to run the suites
# on today's engines and on both image stores:
#   overlay2    /run/dsc-engines/overlay2.sock    graph driver overlay2 (GitHub's ubuntu-24.04 runners)
#   containerd  /run/dsc-engines/containerd.sock  the containerd image store (Docker 29, ubuntu-26.04, Desktop)
# Each gets the tests' base images (busybox:local, debian:bookworm). Idempotent: an engine
# that answers is left alone, present binaries and images are kept. The default engine
# (/var/run/docker.sock) and its docker0 bridge are never touched.
#
# Binaries: Debian forky's docker.io 28.5.2, containerd 2.1.9 and docker-buildx 0.29.1,
# downloaded through a private source list (the machine's apt configuration is left as it
# was) and unpacked with dpkg -x into /opt/dsc-engines. Forky's runc needs glibc 2.38, so it
# is deleted and the machine's runc serves. Each dockerd starts its own containerd.
#
# Prints, last, one line per engine: `name DOCKER_HOST`; `source`-able variables are in
# /run/dsc-engines/env (DSC_ENGINE_HOSTS, DOCKER_CONFIG_28 for the buildx 0.29 plugin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=debian-mirror.sh
source "$here/debian-mirror.sh"
# shellcheck source=busybox.sh
source "$here/busybox.sh"

PREFIX=${DSC_ENGINES_PREFIX:-/opt/dsc-engines}
RUN_DIR=/run/dsc-engines
DATA_DIR=/var/lib/dsc-engines
CACHE_DIR=/var/cache/dsc-engines
LOG_DIR=/var/log/dsc-engines
# The CLI on the PATH finds buildx 0.29.1 here (DOCKER_CONFIG/cli-plugins), so the default
# engine's users keep the plugin they have.
CLI_CONFIG=$DATA_DIR/cli

log() { printf '[engines] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# name, bridge, subnet address, daemon.json
ENGINES=(
  "overlay2 dsc-br-ov2 172.31.250.1/24 {\"features\":{\"containerd-snapshotter\":false},\"storage-driver\":\"overlay2\"}"
  "containerd dsc-br-ctd 172.31.251.1/24 {\"features\":{\"containerd-snapshotter\":true}}"
)

install_binaries() {
  if [ -x "$PREFIX/bin/dockerd" ] && [ -x "$PREFIX/bin/containerd" ] && [ -x "$CLI_CONFIG/cli-plugins/docker-buildx" ]; then
    return
  fi
  local mirror tmp
  mirror=$(debian_mirror)
  log "downloading docker.io, containerd and docker-buildx from Debian forky ($mirror)"
  tmp=$(mktemp -d)
  mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/root"
  echo "deb $mirror forky main" >"$tmp/sources.list"
  local apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
                  -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::Archives=$tmp/archives")
  as_root apt-get "${apt_opts[@]}" update -qq
  (cd "$tmp" && as_root apt-get "${apt_opts[@]}" download docker.io containerd docker-buildx >/dev/null)
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tmp/root"; done
  # Forky's runc is linked against glibc 2.38; the machine's own runc serves instead.
  rm -f "$tmp/root/usr/sbin/runc" "$tmp/root/usr/bin/runc"
  as_root mkdir -p "$PREFIX/bin" "$CLI_CONFIG/cli-plugins"
  local binary
  for binary in dockerd docker-proxy containerd containerd-shim-runc-v2 ctr; do
    local found
    # -print -quit rather than `| head -n 1`, which can end find by SIGPIPE under pipefail
    found=$(find "$tmp/root/usr/bin" "$tmp/root/usr/sbin" "$tmp/root/usr/libexec" -type f -name "$binary" -print -quit 2>/dev/null)
    [ -n "$found" ] || { log "forky's packages hold no $binary"; exit 1; }
    as_root install -m 0755 "$found" "$PREFIX/bin/$binary"
  done
  as_root install -m 0755 "$tmp/root/usr/libexec/docker/cli-plugins/docker-buildx" "$CLI_CONFIG/cli-plugins/docker-buildx"
  as_root rm -rf "$tmp"
  command -v runc >/dev/null 2>&1 || { log "no runc on this machine (apt-get install runc)"; exit 1; }
}

# Debian's docker-registry (distribution 2.8): the pull-size test pushes to it on
# 127.0.0.1:5000, each test starting its own with storage in a temp folder. htpasswd and
# openssl make its two kinds of authentication (a password file; a token issuer's certificate).
install_registry() {
  command -v docker-registry >/dev/null 2>&1 && command -v htpasswd >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1 && return
  log "installing Debian's docker-registry"
  as_root apt-get update -qq
  # The package's service is not started: the tests start the registry they need.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 as_root apt-get install -y -qq --no-install-recommends docker-registry apache2-utils openssl >/dev/null
}

engine_answers() { DOCKER_HOST="unix://$RUN_DIR/$1.sock" docker info >/dev/null 2>&1; }

# A bridge of the engine's own, with NAT done here: dockerd runs with --iptables=false so it
# leaves the default engine's rules alone, and with --bridge so it never deletes docker0
# (with --bridge=none it would).
setup_bridge() {
  local bridge=$1 address=$2 subnet
  subnet="${address%.*}.0/${address#*/}" # the /24 the address is in
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    as_root ip link add "$bridge" type bridge
  fi
  # The whole listing is read before matching: with pipefail, `ip … | grep -q` fails by
  # SIGPIPE whenever grep stops reading first, and the address would be added twice.
  local assigned
  assigned=$(ip -o -4 addr show dev "$bridge")
  [[ "$assigned" == *" ${address%/*}/"* ]] || as_root ip addr add "$address" dev "$bridge"
  as_root ip link set "$bridge" up
  as_root sysctl -q -w net.ipv4.ip_forward=1
  as_root iptables -t nat -C POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE 2>/dev/null ||
    as_root iptables -t nat -A POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE
  as_root iptables -C FORWARD -i "$bridge" -j ACCEPT 2>/dev/null || as_root iptables -I FORWARD -i "$bridge" -j ACCEPT
  as_root iptables -C FORWARD -o "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT 2>/dev/null ||
    as_root iptables -I FORWARD -o "$bridge" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
}

start_engine() {
  local name=$1 bridge=$2 address=$3 config=$4
  if engine_answers "$name"; then
    log "$name: answers already on $RUN_DIR/$name.sock; left alone"
    return
  fi
  setup_bridge "$bridge" "$address"
  as_root mkdir -p "$RUN_DIR" "$DATA_DIR/$name" "$LOG_DIR" /etc/dsc-engines
  printf '%s\n' "$config" | as_root tee "/etc/dsc-engines/$name.json" >/dev/null
  # A pidfile left by a daemon that died would stop the new one from starting.
  if [ -f "$RUN_DIR/$name.pid" ] && ! kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
    as_root rm -f "$RUN_DIR/$name.pid"
  fi
  log "$name: starting dockerd 28.5 on $RUN_DIR/$name.sock (bridge $bridge $address)"
  # PATH: this dockerd starts forky's containerd and shim, and they find the machine's runc.
  # setsid: the daemon outlives this script.
  as_root env PATH="$PREFIX/bin:$PATH" setsid "$PREFIX/bin/dockerd" \
    --config-file "/etc/dsc-engines/$name.json" \
    -H "unix://$RUN_DIR/$name.sock" \
    --data-root "$DATA_DIR/$name" \
    --exec-root "$RUN_DIR/$name.exec" \
    --pidfile "$RUN_DIR/$name.pid" \
    --bridge "$bridge" --iptables=false --ip6tables=false \
    >"$LOG_DIR/$name.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    engine_answers "$name" && return
    sleep 1
  done
  log "$name: dockerd did not answer within 60 s; its log:"
  tail -n 30 "$LOG_DIR/$name.log" >&2 || true
  exit 1
}

# The base images' root filesystems, made once and kept as tar files for every engine.
rootfs_busybox() {
  local out=$CACHE_DIR/busybox-rootfs.tar
  [ -s "$out" ] || {
    log "making the busybox:local rootfs from Debian's busybox-static"
    busybox_has_sh ||
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
    as_root mkdir -p "$CACHE_DIR"
    busybox_rootfs_tar | as_root tee "$out.part" >/dev/null && as_root mv "$out.part" "$out"
  }
  echo "$out"
}

rootfs_debian() {
  local out=$CACHE_DIR/bookworm-minbase.tar
  [ -s "$out" ] || {
    log "making the debian:bookworm rootfs with debootstrap (about 30 s)"
    command -v debootstrap >/dev/null 2>&1 ||
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    local root; root=$(mktemp -d)
    as_root debootstrap --variant=minbase bookworm "$root" "$(debian_mirror)" >/dev/null
    as_root mkdir -p "$CACHE_DIR"
    as_root tar -C "$root" -c . | as_root tee "$out.part" >/dev/null && as_root mv "$out.part" "$out"
    as_root rm -rf "$root"
  }
  echo "$out"
}

provide_images() {
  local name=$1 host="unix://$RUN_DIR/$1.sock"
  DOCKER_HOST=$host docker image inspect busybox:local >/dev/null 2>&1 ||
    DOCKER_HOST=$host docker import -c 'CMD ["sh"]' "$(rootfs_busybox)" busybox:local >/dev/null
  DOCKER_HOST=$host docker image inspect debian:bookworm >/dev/null 2>&1 ||
    DOCKER_HOST=$host docker import -c 'CMD ["bash"]' "$(rootfs_debian)" debian:bookworm >/dev/null
}

main() {
  install_binaries
  install_registry
  local hosts=() entry name bridge address config
  for entry in "${ENGINES[@]}"; do
    read -r name bridge address config <<<"$entry"
    start_engine "$name" "$bridge" "$address" "$config"
    provide_images "$name"
    hosts+=("$name=unix://$RUN_DIR/$name.sock")
  done
  {
    echo "DSC_ENGINE_HOSTS='${hosts[*]}'"
    echo "DOCKER_CONFIG_28='$CLI_CONFIG'"
  } | as_root tee "$RUN_DIR/env" >/dev/null
  for entry in "${ENGINES[@]}"; do
    read -r name _ <<<"$entry"
    log "$name ready: $(DOCKER_HOST="unix://$RUN_DIR/$name.sock" docker version -f 'server {{.Server.Version}}, API {{.Server.APIVersion}}'), " \
      "$(DOCKER_HOST="unix://$RUN_DIR/$name.sock" docker info -f '{{.Driver}} {{range .DriverStatus}}{{index . 1}} {{end}}')"
    echo "$name unix://$RUN_DIR/$name.sock"
  done
}

main "$@"
