#!/bin/sh
# run_fuzz.sh FUZZER WORKDIR SECONDS — seed a corpus with tiny generated recordings of every
# supported container (so the fuzzer starts from valid structure) and fuzz for SECONDS.
# Crash reproducers land in WORKDIR/artifacts; exit status is the fuzzer's (non-zero = bug).
set -eu
fuzzer=${1:?fuzzer}; work=${2:?workdir}; secs=${3:-20}
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
cd "$work/seeds"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
if [ ! -f .done ]; then
  v="-f lavfi -i testsrc2=size=32x24:rate=10:duration=0.3"
  a="-f lavfi -i sine=frequency=440:sample_rate=16000:duration=0.3"
  # shellcheck disable=SC2086
  ff $v $a -c:v libx264 -preset ultrafast -c:a aac -shortest s.mp4
  # shellcheck disable=SC2086
  ff $v $a -c:v libx264 -preset ultrafast -c:a aac -shortest s.mov
  # shellcheck disable=SC2086
  ff $v $a -c:v libvpx -c:a libopus -shortest s.webm
  # shellcheck disable=SC2086
  ff $v $a -c:v libvpx-vp9 -deadline realtime -c:a libopus -shortest s9.webm
  # shellcheck disable=SC2086
  ff $v $a -c:v libx264 -preset ultrafast -c:a libopus -shortest s.mkv
  # shellcheck disable=SC2086
  ff $a s.wav
  # shellcheck disable=SC2086
  ff $a -c:a libopus s.ogg
  touch .done
fi
cd "$work"
exec "$fuzzer" corpus seeds -max_total_time="$secs" -timeout=15 -rss_limit_mb=3072 \
  -max_len=200000 -artifact_prefix=artifacts/ -print_final_stats=1
