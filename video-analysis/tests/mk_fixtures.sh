#!/bin/sh
# mk_fixtures.sh OUTDIR — generate the media fixtures of the video-analysis media/speech tests.
#
# Everything is synthesised here with ffmpeg (lavfi testsrc2 / sine), espeak-ng and sox, so no
# binary is committed. Idempotent and safe to run from parallel test processes: the work happens
# under an flock on OUTDIR/.lock and finishes by writing OUTDIR/.done (the script's checksum), so
# a changed script regenerates everything.
#
# Files (all 16 kHz mono audio unless said otherwise):
#   speech_en.wav        espeak-ng English utterances separated by known digital silences
#   speech_en.truth      one "start end" line (s) per utterance in speech_en.wav, measured after
#                        trimming each utterance's own leading/trailing silence (sox silence)
#   speech_ko.wav        espeak-ng Korean utterances (language coverage of the VAD)
#   v.mp4  v.mov         640x360 30 fps H.264 + AAC, 4.0 s (mp4 with moov at the end)
#   v_fs.mp4             the same with moov first (faststart)
#   v.webm               VP8 + Opus, v9.webm VP9 + Opus, v.mkv H.264 + Opus — 4.0 s, 30 fps
#   speech.mp4           320x240 15 fps H.264 + AAC carrying speech_en.wav
#   audio_only.m4a       AAC only (speech_en.wav)
#   video_only.mp4       H.264 only
#   rot.mp4              160x120 H.264 with a display matrix; rot_upright.rgb its first frame
#                        as ffmpeg's autorotate shows it (raw RGB24, 120x160)
#   big.mkv              8200x16 FFV1: dimensions above the 8192-pixel limit
#   big_av.mkv           the same video with an audio track (audio must still be usable)
#   trunc_end.mp4        v.mp4 cut in half (its moov atom is lost)
#   trunc_fs.mp4         v_fs.mp4 cut to 60 % (headers intact, media data missing)
set -eu
out=${1:?usage: mk_fixtures.sh OUTDIR}
mkdir -p "$out"
stamp=$(cksum "$0" | cut -d' ' -f1)
exec 9>"$out/.lock"
flock 9
if [ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$stamp" ]; then exit 0; fi
cd "$out"
rm -f ./*.wav ./*.mp4 ./*.mov ./*.webm ./*.mkv ./*.m4a ./*.truth ./*.rgb .done
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

# ---- speech with known silences ----------------------------------------------------------
# utt TEXT VOICE NAME: synthesise, resample to 16 kHz mono, trim own leading/trailing silence.
utt() {
  espeak-ng -v "$2" -s 150 -w "raw_$3.wav" "$1"
  sox -V1 -D "raw_$3.wav" -r 16000 -c 1 -b 16 "$3.wav" silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse
  rm -f "raw_$3.wav"
}
sil() { sox -V1 -D -n -r 16000 -c 1 -b 16 "$2.wav" trim 0 "$1"; }

compose() { # compose NAME LEAD (UTT GAP)...: writes NAME.wav and NAME.truth
  name=$1; shift
  t=$1; parts="s_lead.wav"; sil "$1" s_lead; shift
  : >"$name.truth"
  i=0
  while [ $# -ge 2 ]; do
    d=$(soxi -D "$1.wav")
    echo "$t $d" | awk '{printf "%.4f %.4f\n", $1, $1 + $2}' >>"$name.truth"
    sil "$2" "s_gap$i"
    parts="$parts $1.wav s_gap$i.wav"
    t=$(echo "$t $d $2" | awk '{printf "%.6f", $1 + $2 + $3}')
    i=$((i + 1)); shift 2
  done
  # shellcheck disable=SC2086
  sox -V1 -D $parts "$name.wav"
  rm -f s_lead.wav s_gap*.wav
}

utt "Thank you for inviting me to this interview today" en-us e1
utt "I have worked as a software engineer for five years and I enjoy solving hard problems with my team" en-us e2
utt "My greatest strength is that I learn quickly and I communicate clearly" en-us e3
compose speech_en 1.0 e1 2.0 e2 1.5 e3 1.0
rm -f e1.wav e2.wav e3.wav

utt "안녕하십니까 저는 소프트웨어 개발자로 오 년 동안 일했습니다" ko k1
utt "저의 가장 큰 장점은 빠르게 배우고 명확하게 소통하는 것입니다" ko k2
compose speech_ko 0.8 k1 1.7 k2 0.9
rm -f k1.wav k2.wav

# ---- containers and codecs ----------------------------------------------------------------
src="-f lavfi -i testsrc2=size=640x360:rate=30:duration=4"
tone="-f lavfi -i sine=frequency=440:sample_rate=48000:duration=4"
# shellcheck disable=SC2086
ff $src $tone -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest v.mp4
# shellcheck disable=SC2086
ff $src $tone -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -movflags +faststart -shortest v_fs.mp4
# shellcheck disable=SC2086
ff $src $tone -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest v.mov
# shellcheck disable=SC2086
ff $src $tone -c:v libvpx -b:v 500k -deadline realtime -c:a libopus -shortest v.webm
# shellcheck disable=SC2086
ff $src $tone -c:v libvpx-vp9 -b:v 500k -deadline realtime -cpu-used 8 -c:a libopus -shortest v9.webm
# shellcheck disable=SC2086
ff $src $tone -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a libopus -shortest v.mkv
# shellcheck disable=SC2086
ff $src -c:v libx264 -preset veryfast -pix_fmt yuv420p video_only.mp4
ff -i speech_en.wav -c:a aac audio_only.m4a
dur=$(soxi -D speech_en.wav)
ff -f lavfi -i "testsrc2=size=320x240:rate=15:duration=$dur" -i speech_en.wav \
   -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest speech.mp4

# a phone-style recording: stored 160x120 with a display matrix; ffmpeg's autorotate gives the
# upright first frame as raw RGB (rot_upright.rgb, 120x160) to compare against
ff -f lavfi -i testsrc2=size=160x120:rate=10:duration=1 -c:v libx264 -preset veryfast \
   -pix_fmt yuv444p rot_src.mp4
ff -i rot_src.mp4 -c copy -metadata:s:v:0 rotate=90 rot.mp4
ff -i rot.mp4 -frames:v 1 -f rawvideo -pix_fmt rgb24 rot_upright.rgb
rm -f rot_src.mp4

# ---- broken inputs -------------------------------------------------------------------------
ff -f lavfi -i color=c=gray:s=8200x16:d=1:r=5 -c:v ffv1 big.mkv
ff -f lavfi -i color=c=gray:s=8200x16:d=1:r=5 -f lavfi -i sine=frequency=300:duration=1 \
   -c:v ffv1 -c:a libopus -shortest big_av.mkv
size=$(wc -c <v.mp4)
head -c $((size / 2)) v.mp4 >trunc_end.mp4
size=$(wc -c <v_fs.mp4)
head -c $((size * 6 / 10)) v_fs.mp4 >trunc_fs.mp4

echo "$stamp" >.done
