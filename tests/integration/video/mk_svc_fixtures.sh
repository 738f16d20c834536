#!/bin/sh
# mk_svc_fixtures.sh OUTDIR — media for the video-analysis service tests (tests/integration/
# video) and the CLI: generated here from the astronaut portrait (KC_SHARED_DIR/testdata) and
# espeak-ng speech, so no binary is committed. Idempotent and safe in parallel: runs under an
# flock and stamps OUTDIR/.done with this script's checksum.
#
#   svc.mp4 / svc.webm   8.0 s, 640x480, 30 fps; H.264+AAC and VP8+Opus (browser recordings)
#       video: face 0-4 s, no face (grey frame) 4-6 s, face 6-8 s   -> face presence 0.75
#       audio: silence, an English utterance, silence, a second utterance, silence
#   svc.truth            "face START END" and "speech START END" lines (s)
#   random.bin           20 kB of random bytes (not media at all)
#   truncated.mp4        svc.mp4 cut to 40 % (moov atom at the end is lost)
#   empty.mp4            zero bytes
set -eu
out=${1:?usage: mk_svc_fixtures.sh OUTDIR}
shared=${KC_SHARED_DIR:-$(cd "$(dirname "$0")/../../../.." && pwd)/shared}
face="$shared/testdata/astronaut.png"
[ -f "$face" ] || { echo "mk_svc_fixtures: no $face" >&2; exit 1; }
mkdir -p "$out"
stamp=$(cksum "$0" | cut -d' ' -f1)
exec 9>"$out/.lock"
flock 9
if [ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$stamp" ]; then exit 0; fi
cd "$out"
rm -f ./*.wav ./*.mp4 ./*.webm ./*.bin ./*.truth .done
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

# speech: utterances trimmed of their own silence, placed at known times
utt() {
  espeak-ng -v en-us -s 150 -w "raw_$2.wav" "$1"
  sox -V1 -D "raw_$2.wav" -r 16000 -c 1 -b 16 "$2.wav" silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse
  rm -f "raw_$2.wav"
}
sil() { sox -V1 -D -n -r 16000 -c 1 -b 16 "$2.wav" trim 0 "$1"; }
utt "Thank you for inviting me to this interview today" u1
utt "I enjoy solving hard problems with my team" u2
d1=$(soxi -D u1.wav)
d2=$(soxi -D u2.wav)
sil 0.5 s0
sil 1.2 s1
rest=$(echo "$d1 $d2" | awk '{r = 8.0 - 0.5 - $1 - 1.2 - $2; if (r < 0.2) r = 0.2; printf "%.4f", r}')
sil "$rest" s2
sox -V1 -D s0.wav u1.wav s1.wav u2.wav s2.wav speech.wav
rm -f s0.wav s1.wav s2.wav u1.wav u2.wav
{
  echo "face 0.0 4.0"
  echo "face 6.0 8.0"
  echo "0.5 $d1" | awk '{printf "speech %.4f %.4f\n", $1, $1 + $2}'
  echo "$d1 $d2" | awk '{s = 0.5 + $1 + 1.2; printf "speech %.4f %.4f\n", s, s + $2}'
} >svc.truth

# video: face 4 s, grey 2 s, face 2 s
scale="scale=480:480,pad=640:480:80:0:color=black,fps=30,format=yuv420p,setsar=1"
graph="[0:v]$scale[a];[1:v]fps=30,format=yuv420p,setsar=1[b];[2:v]$scale[c];[a][b][c]concat=n=3:v=1:a=0[v]"
ff -loop 1 -framerate 30 -t 4 -i "$face" -f lavfi -i "color=c=gray:s=640x480:r=30:d=2" \
   -loop 1 -framerate 30 -t 2 -i "$face" -i speech.wav -filter_complex "$graph" \
   -map "[v]" -map 3:a -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -t 8 svc.mp4
ff -i svc.mp4 -c:v libvpx -b:v 800k -deadline realtime -cpu-used 8 -c:a libopus svc.webm

head -c 20000 /dev/urandom >random.bin
size=$(wc -c <svc.mp4)
head -c $((size * 4 / 10)) svc.mp4 >truncated.mp4
: >empty.mp4
echo "$stamp" >.done
