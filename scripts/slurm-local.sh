#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the Slurm tests and for trying `ghost slurm --submit`.
#
#   bash scripts/slurm-local.sh start    install (Debian slurm-wlm + munge, as root), configure and start
#                                        munged, slurmctld and slurmd; wait until the node is idle. Idempotent.
#   bash scripts/slurm-local.sh stop     stop the three daemons by their pid files (only those this script started)
#   bash scripts/slurm-local.sh status   print whether each daemon runs and the node's state; exit 0 when usable
#
# Needs root (apt-get, daemons, /etc/slurm) on Debian 12 or similar; no systemd needed. When it cannot work here
# it says why on one line and exits 3 (not root, or no apt-get / Slurm packages), so callers can skip.
# The recipe (slurm.conf below) is the one verified in ../shared/toolchain.md: Slurm 22.05, munge 0.5.15.
# Runs of `start` are serialised by a lock (fd 9, closed for the daemons so they do not inherit it), so concurrent
# test processes do not race each other.
set -euo pipefail

ACTION=${1:-status}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
RUN=/run/ghost-slurm
MUNGE_PID=/run/munge/munged.pid
CTLD_PID=$RUN/slurmctld.pid
SLURMD_PID=$RUN/slurmd.pid
LOG_DIR=/var/log/ghost-slurm
HOST=$(hostname -s)

say() { echo "[slurm-local] $*"; }
cannot() { echo "[slurm-local] cannot run Slurm here: $*" >&2; exit 3; }

alive() { # pid file → 0 when its process runs
  [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null
}

node_state() { sinfo -h -N -n "$HOST" -o %t 2>/dev/null | head -n1 || true; }

status() {
  local ok=0
  for d in "munged:$MUNGE_PID" "slurmctld:$CTLD_PID" "slurmd:$SLURMD_PID"; do
    if alive "${d#*:}"; then say "${d%%:*} running (pid $(cat "${d#*:}"))"; else say "${d%%:*} not running"; ok=1; fi
  done
  if [ "$ok" = 0 ]; then
    local st; st=$(node_state)
    say "node $HOST: ${st:-unknown}"
    case "$st" in idle|mix|alloc|comp) ;; *) ok=1 ;; esac
  fi
  return $ok
}

install_packages() {
  if command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || cannot "slurm-wlm and munge are not installed and there is no apt-get to install them"
  say "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

write_conf() {
  local cpus mem
  cpus=$(nproc)
  # Slurm drains a node whose real memory is below RealMemory: declare 90% of it (MB).
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd "$RUN" "$LOG_DIR"
  local new
  new=$(cat <<EOF
# Written by ghost-mechanism scripts/slurm-local.sh: a single-node cluster on $HOST.
ClusterName=local
SlurmctldHost=$HOST
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
MinJobAge=300
NodeName=$HOST CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
)
  if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$new" ]; then
    if [ -f "$CONF" ] && ! grep -q "ghost-mechanism scripts/slurm-local.sh" "$CONF"; then
      cp "$CONF" "$CONF.before-ghost.$(date +%s)"
      say "kept the previous $CONF as $CONF.before-ghost.*"
    fi
    printf '%s\n' "$new" > "$CONF"
    say "wrote $CONF ($cpus CPUs, ${mem} MB)"
  fi
}

start() {
  [ "$(id -u)" = 0 ] || cannot "not root (needs root to install packages and run slurmctld/slurmd)"
  install_packages
  write_conf
  # munge: a key, then the daemon as the munge user
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating the munge key"
    if command -v mungekey >/dev/null 2>&1; then mungekey -c -f -k /etc/munge/munge.key; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; fi
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge
  if ! alive "$MUNGE_PID"; then
    say "starting munged"
    runuser -u munge -- munged --force 9>&-
  fi
  if ! alive "$CTLD_PID"; then
    say "starting slurmctld"
    slurmctld 9>&-
  fi
  if ! alive "$SLURMD_PID"; then
    say "starting slurmd"
    slurmd 9>&-
  fi
  # Wait (≤ 30 s) for the node to be usable; a node left drained/down by an earlier run is resumed.
  local st=""
  for _ in $(seq 1 60); do
    st=$(node_state)
    case "$st" in
      idle|mix|alloc|comp) say "ready: node $HOST $st (sinfo)"; return 0 ;;
      drain*|down*|drng) scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  echo "[slurm-local] the node did not become idle within 30 s (state: ${st:-none}); see $LOG_DIR/" >&2
  exit 1
}

stop_one() { # name pidfile
  if alive "$2"; then
    local pid; pid=$(cat "$2")
    say "stopping $1 (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$2"
}

case "$ACTION" in
  start)
    mkdir -p "$RUN" 2>/dev/null || true
    if command -v flock >/dev/null 2>&1 && [ -w /run ]; then
      exec 9>/run/ghost-slurm.lock
      flock -w 300 9 || cannot "another slurm-local.sh start is still running (lock /run/ghost-slurm.lock)"
    fi
    start ;;
  stop)
    [ "$(id -u)" = 0 ] || cannot "not root"
    stop_one slurmd "$SLURMD_PID"
    stop_one slurmctld "$CTLD_PID"
    stop_one munged "$MUNGE_PID" ;;
  status) status ;;
  *) echo "usage: bash scripts/slurm-local.sh start|stop|status" >&2; exit 2 ;;
esac
