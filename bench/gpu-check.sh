#!/usr/bin/env bash
# GPU check of the Cxdi Workbench, in one go and one report (< 8 minutes on a machine with an NVIDIA GPU):
#   1. builds the host, the plugins and the GPU tests (Release);
#   2. says whether cxdi.cuda is available here (nvidia-smi, `cxdi plugins`);
#   3. runs the GPU test project: the backend conformance suite and the parity runs on CUDA (and on cxdi.ilgpu-cpu),
#      PTX for sm_80/sm_90;
#   4. `cxdi bench --backends cuda` at 256², 2048², 256³ and 512³ (fft-pair, er, hio, raar, support-update);
#   5. the ESRF-logo example (examples/esrf-logo-id10.yaml) with --backend cuda, 10 runs.
# Without a usable GPU it still runs to completion: the CUDA tests skip with the reason, the bench prints why cuda is
# skipped, and the logo step checks that `--backend cuda` is refused at validation (exit 2) instead of running.
#
# Usage: bench/gpu-check.sh [REPORT]      (default: bench/out/gpu-check-<host>-<date>.txt)
# Environment: GPU_CHECK_SIZES (default 256x256,2048x2048,256x256x256,512x512x512), GPU_CHECK_REPS (default 3).
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
report="${1:-bench/out/gpu-check-$(hostname -s 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ).txt}"
sizes="${GPU_CHECK_SIZES:-256x256,2048x2048,256x256x256,512x512x512}"
reps="${GPU_CHECK_REPS:-3}"
mkdir -p "$(dirname "$report")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="$work/report.txt"
start=$SECONDS
failures=0

say() { printf '%s\n' "$*" | tee -a "$log"; }
section() { say ""; say "== $* (t+$((SECONDS - start)) s)"; }
# step NAME LIMIT_S COMMAND...: runs with a time limit, output to the report, records the exit code.
step() {
  local name="$1" limit="$2"; shift 2
  local rc=0
  timeout --kill-after=10 "$limit" "$@" >"$work/step.out" 2>&1 || rc=$?
  tail -n 200 "$work/step.out" >>"$log"
  say "-- $name: exit $rc"
  return $rc
}

section "machine"
say "date $(date -u +%FT%TZ), $(uname -srm), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
say "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader 2>&1 | tee -a "$log"
else
  say "nvidia-smi: not found"
fi

section "build"
step "build host + plugins" 300 dotnet build host/Cxdi.Host/Cxdi.Host.csproj -c Release -nologo -v q || failures=$((failures + 1))
step "build GPU tests" 240 dotnet build tests/Cxdi.Plugins.Gpu.Tests/Cxdi.Plugins.Gpu.Tests.csproj -c Release -nologo -v q || failures=$((failures + 1))
cxdi="$root/host/Cxdi.Host/bin/Release/net10.0/cxdi"
if [ ! -x "$cxdi" ]; then
  say "no cxdi at $cxdi: the build failed, stopping"
  cp "$log" "$report.tmp" && mv -f "$report.tmp" "$report"
  exit 1
fi

section "availability"
"$cxdi" plugins 2>&1 | grep -E '^cxdi\.(cuda|ilgpu-cpu|cpu|cpu-managed) ' | sed -E 's/  \[[^]]*\]$//' | tee -a "$log"
if "$cxdi" plugins --json 2>/dev/null | tr -d ' \n' | grep -q '"id":"cxdi.cuda"[^}]*"available":true'; then
  mode=cuda
  say "mode: cuda (a usable GPU: running the CUDA steps)"
else
  mode=skip-cuda
  say "mode: skip-cuda (no usable GPU: the CUDA tests skip, the bench and the logo run are replaced by their refusals)"
fi

section "GPU tests (conformance, parity, PTX; CUDA ones skip without a GPU)"
step "dotnet test Cxdi.Plugins.Gpu.Tests" 240 dotnet test tests/Cxdi.Plugins.Gpu.Tests/Cxdi.Plugins.Gpu.Tests.csproj -c Release --no-build \
  --logger "console;verbosity=normal" || failures=$((failures + 1))
grep -E '^\s+(Passed|Failed|Skipped) ' "$work/step.out" | grep -iE 'cuda|Failed' | sed -E 's/^\s+//' >>"$log" || true

section "bench"
if [ "$mode" = cuda ]; then
  step "cxdi bench --backends cuda" 300 "$cxdi" bench --sizes "$sizes" --algorithms fft-pair,er,hio,raar,support-update \
    --backends cuda --reps "$reps" --json "$work/bench.json" || failures=$((failures + 1))
  [ -f "$work/bench.json" ] && { say "-- bench JSON:"; cat "$work/bench.json" >>"$log"; }
else
  step "cxdi bench --backends managed,cuda (64², cuda skipped)" 120 "$cxdi" bench --sizes 64x64 --algorithms fft-pair,hio \
    --backends managed,cuda --reps 1 || failures=$((failures + 1))
fi

section "ESRF-logo example with --backend cuda"
if [ ! -f "$root/../shared/data/esrf-logo-id10/logo5mu_20sec.edf" ]; then
  say "logo data not found (../shared/data/esrf-logo-id10): skipped"
elif [ "$mode" = cuda ]; then
  t0=$SECONDS
  (cd examples && step "cxdi run esrf-logo-id10.yaml --backend cuda" 180 "$cxdi" run esrf-logo-id10.yaml --backend cuda \
    --out "$work/logo" --overwrite) || failures=$((failures + 1))
  say "logo: $((SECONDS - t0)) s wall for 10 runs (including start-up, reading and the PRTF)"
  for f in "$work"/logo/*.json; do [ -f "$f" ] && { say "-- $(basename "$f"):"; head -c 4000 "$f" >>"$log"; say ""; }; done
else
  rc=0
  (cd examples && "$cxdi" validate esrf-logo-id10.yaml --backend cuda) >"$work/step.out" 2>&1 || rc=$?
  cat "$work/step.out" >>"$log"
  if [ "$rc" = 2 ]; then
    say "-- refused at validation as expected: exit 2"
  else
    say "-- expected exit 2 (refused at validation), got $rc"
    failures=$((failures + 1))
  fi
fi

section "done"
say "mode $mode, $failures failed step(s), $((SECONDS - start)) s in all"
cp "$log" "$report.tmp" && mv -f "$report.tmp" "$report"
echo "report: $report"
[ "$failures" = 0 ]
