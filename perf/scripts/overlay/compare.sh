#!/usr/bin/env bash
# Overlay throughput: guests joined by two vfplane daemons against the same topology on the kernel's vxlan devices,
# measured in one run. Needs root, iproute2, iperf3 and Debian's python3 (for reading iperf3's JSON).
#
#   [P-g1] guest --(TAP + vfplane daemon | kernel vxlan)-- [P-h1] ==veth 10.99.0.0/24== [P-h2] --(...)-- [P-g2] guest
#
#   perf/scripts/overlay/compare.sh                 TCP (iperf3 -t $DURATION) and 64-byte UDP (iperf3 -u -l 18 -b 0)
#   DURATION=10 PLACEMENT=fused IDLE=blocking perf/scripts/overlay/compare.sh
#   PIN=0 WARMUP=0 TRANSPORT=epoll perf/scripts/overlay/compare.sh   (unpinned daemons, no warm-up, Netty epoll)
#   VFPLANE_DAEMON="java ... io.vfplane.overlay.cli.DaemonCommand" perf/scripts/overlay/compare.sh   (no launcher)
#
# Prints one line per measurement and one JSON line per comparison:
#   {"bench":"overlay-tcp","kernel":16.1e9,"vfplane":0.9e9,"unit":"bit/s","ratio":0.056}
# Everything it creates (namespaces, veths, daemons) is removed at exit, also on Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DURATION="${DURATION:-5}"
VFPLANE_DAEMON="${VFPLANE_DAEMON:-$ROOT/vfplane daemon}"
PLACEMENT="${PLACEMENT:-inline}"      # the daemons' pipelines.placement: inline (the receive threads run the stages)
                                      # or fused | split | 2+1 (pipeline threads)
IDLE="${IDLE:-blocking}"              # pipelines.idle: how those pipeline threads wait (not used by inline)
PIN="${PIN:-1}"                       # 1: daemon h1 on CPU 0, h2 on CPU 1 (pipelines.cpus); 0: wherever the kernel puts them
WARMUP="${WARMUP:-3}"                 # seconds of unmeasured TCP before each path's measurement (the JVM's JIT warms up)
TRANSPORT="${TRANSPORT:-native}"      # the daemons' underlay transport: native (FFM socket), epoll or io_uring (Netty)
PY=/usr/bin/python3
P=vfpcmp
WORK="$(mktemp -d /tmp/vfplane-compare.XXXXXX)"
PIDS=()

[[ $EUID -eq 0 ]] || { echo "compare.sh: needs root (network namespaces, TAP devices)" >&2; exit 2; }
for tool in ip iperf3 "$PY"; do command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing" >&2; exit 2; }; done

cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
    for ns in h1 h2 g1 g2; do ip netns del "$P-$ns" 2>/dev/null || true; done
    rm -rf "/dev/shm/vfplane/$P-h1" "/dev/shm/vfplane/$P-h2"   # the daemons' counters and control files
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

underlay() { # the four namespaces and the veth underlay
    cleanup
    for ns in h1 h2 g1 g2; do ip netns add "$P-$ns"; ip -n "$P-$ns" link set lo up; done
    ip link add "$P-u1" netns "$P-h1" type veth peer name "$P-u2" netns "$P-h2"
    for h in 1 2; do
        ip -n "$P-h$h" addr add "10.99.0.$h/24" dev "$P-u$h"
        ip -n "$P-h$h" link set "$P-u$h" up
    done
}

kernel_topology() { # vxlan created in the host (its socket stays there), moved into the guest as its interface
    underlay
    for h in 1 2; do
        o=$((3 - h))
        ip -n "$P-h$h" link add "$P-x$h" type vxlan id 77 local "10.99.0.$h" remote "10.99.0.$o" dstport 4789 dev "$P-u$h"
        ip -n "$P-h$h" link set "$P-x$h" netns "$P-g$h"
        ip -n "$P-g$h" link set "$P-x$h" address "02:00:00:77:00:0$h" mtu 1450
        ip -n "$P-g$h" addr add "192.168.77.$h/24" dev "$P-x$h"
        ip -n "$P-g$h" link set "$P-x$h" up
    done
}

vfplane_topology() {
    underlay
    local ncpu
    ncpu="$(nproc)"
    for h in 1 2; do
        o=$((3 - h))
        CPUS=""
        [[ "$PIN" == 1 ]] && CPUS=", cpus: [$(( (h - 1) % ncpu ))]"
        cat > "$WORK/host$h.yaml" <<YAML
instance: $P-h$h
pf: $P-pf$h
underlay: {bind: 10.99.0.$h, port: 4789, transport: $TRANSPORT}
pipelines: {placement: $PLACEMENT, idle: $IDLE$CPUS}
vfs:
  - {index: 0, tap: $P-t$h, mac: "02:00:00:77:00:0$h", vni: 77, ips: [192.168.77.$h],
     guest: {netns: $P-g$h, address: 192.168.77.$h/24, mtu: 1450}}
peers:
  - endpoint: 10.99.0.$o
    hosts: [{vni: 77, mac: "02:00:00:77:00:0$o", ip: 192.168.77.$o}]
YAML
        # shellcheck disable=SC2086
        ip netns exec "$P-h$h" $VFPLANE_DAEMON --config "$WORK/host$h.yaml" > "$WORK/daemon$h.log" 2>&1 &
        PIDS+=($!)
    done
    for h in 1 2; do
        for _ in $(seq 1 300); do
            grep -q " up: " "$WORK/daemon$h.log" 2>/dev/null && break
            sleep 0.1
        done
        grep -q " up: " "$WORK/daemon$h.log" || { echo "daemon $h did not start:"; cat "$WORK/daemon$h.log"; exit 1; }
    done
}

busy_jiffies() { # every CPU's busy time so far (user nice system irq softirq steal), in clock ticks
    awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

measure() { # prints "TCP_BPS UDP_PPS TCP_CPU_SECONDS" (the whole machine's busy CPU time during the TCP test)
    ip netns exec "$P-g1" ping -c 2 -i 0.2 -W 2 192.168.77.2 > /dev/null || { echo "no ping across" >&2; exit 1; }
    # one-off servers (-1): they exit after their client; deleting a namespace does not end its processes
    if [[ "$WARMUP" != 0 ]]; then
        ip netns exec "$P-g2" iperf3 -s -D -1 -p 5300
        sleep 0.3
        ip netns exec "$P-g1" iperf3 -c 192.168.77.2 -p 5300 -t "$WARMUP" > /dev/null
    fi
    ip netns exec "$P-g2" iperf3 -s -D -1 -p 5301
    ip netns exec "$P-g2" iperf3 -s -D -1 -p 5302
    sleep 0.3
    local before after
    before=$(busy_jiffies)
    ip netns exec "$P-g1" iperf3 -c 192.168.77.2 -p 5301 -t "$DURATION" -J > "$WORK/tcp.json"
    after=$(busy_jiffies)
    ip netns exec "$P-g1" iperf3 -c 192.168.77.2 -p 5302 -u -l 18 -b 0 -t "$DURATION" -J > "$WORK/udp.json"
    "$PY" - "$WORK/tcp.json" "$WORK/udp.json" "$(( after - before ))" "$(getconf CLK_TCK)" <<'PYEOF'
import json, sys
tcp = json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]
u = json.load(open(sys.argv[2]))["end"]["sum"]
received = u["packets"] - u["lost_packets"]
print(f"{tcp:.0f} {received / u['seconds']:.0f} {int(sys.argv[3]) / int(sys.argv[4]):.2f}")
PYEOF
}

echo "kernel vxlan: building and measuring (${DURATION}s TCP, ${DURATION}s 64-byte UDP)"
kernel_topology
# the CPU figure: what one GB through the path costs the whole machine (guests' TCP, the path, softirqs), so a path
# that is CPU-bound shows why (this machine has $(nproc) CPUs for both guests and the path)
report() { # NAME TCP_BPS UDP_PPS TCP_CPU_SECONDS
    awk -v n="$1" -v t="$2" -v u="$3" -v c="$4" -v d="$DURATION" -v cpus="$(nproc)" 'BEGIN {
        printf "  %-8s TCP %.2f Gbit/s (%.2f of %d CPUs busy, %.2f CPU-s per GB), 64-byte UDP %d packets/s received\n",
            n ":", t / 1e9, c / d, cpus, c / (t * d / 8e9), u }'
}
read -r K_TCP K_UDP K_CPU < <(measure)
report kernel "$K_TCP" "$K_UDP" "$K_CPU"
threads="placement $PLACEMENT"
[[ "$PLACEMENT" != inline ]] && threads="$threads, idle $IDLE"
echo "vfplane: building and measuring (transport $TRANSPORT, pinned $PIN, $threads, warm-up ${WARMUP}s)"
vfplane_topology
read -r V_TCP V_UDP V_CPU < <(measure)
report vfplane "$V_TCP" "$V_UDP" "$V_CPU"
cleanup
awk -v k="$K_TCP" -v v="$V_TCP" 'BEGIN {printf "{\"bench\":\"overlay-tcp\",\"kernel\":%.0f,\"vfplane\":%.0f,\"unit\":\"bit/s\",\"ratio\":%.3f}\n", k, v, v / k}'
awk -v k="$K_UDP" -v v="$V_UDP" 'BEGIN {printf "{\"bench\":\"overlay-udp64\",\"kernel\":%.0f,\"vfplane\":%.0f,\"unit\":\"packets/s\",\"ratio\":%.3f}\n", k, v, v / k}'
