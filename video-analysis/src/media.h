/*
 * media.h — media input for the video-interview analyses (FFmpeg 5.1).
 *
 * One call opens and probes a recording (a file path or an in-memory buffer) and reports what it
 * holds: duration, the video stream (size, frame rate, codec) and whether there is usable audio.
 * Two independent decode passes then read it:
 *   - a video frame iterator that delivers RGB24 frames sampled at a requested analysis rate
 *     (e.g. 15 fps) with timestamps in seconds of file time;
 *   - an audio reader that decodes the whole audio track to 16 kHz mono float.
 * Each pass opens its own demuxer, so the two may run at the same time on different threads
 * from one struct kc_media (which is immutable after kc_media_open*).
 *
 * Partial media: a recording whose video is missing or unusable (audio-only, cover art only,
 * absurd dimensions, no decoder) still opens when its audio is usable, and vice versa; the
 * unusable half is reported in info.video / info.audio with `available = false` and a reason.
 * Only when neither half is usable does open fail (KC_E_UNPROCESSABLE, message says why for
 * each half). Empty, truncated or garbage input is KC_E_UNPROCESSABLE with what is wrong; a
 * missing or unreadable file is KC_E_NOT_FOUND / KC_E_IO. Nothing here aborts on bad input.
 *
 * Time: "file time" is seconds from the container's start time (the first timestamp of the
 * earliest stream), the same zero for video frames, audio samples and every analysis result.
 * Audio sample i is at i / KC_AUDIO_RATE seconds of file time (the reader pads or trims the
 * start so that this holds even when the audio track starts late or early).
 *
 * Security: only demuxers on a whitelist (mp4/mov, Matroska/WebM, Ogg, WAV, MP3, FLAC, AAC,
 * AVI, NUT, MPEG-TS, FLV, IVF) and only the "file" protocol are allowed, so a crafted playlist
 * cannot make FFmpeg open URLs or other files.
 */
#ifndef KC_MEDIA_H
#define KC_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KC_AUDIO_RATE     16000 /* Hz: every audio analysis works on 16 kHz mono float */
#define KC_MEDIA_MAX_SIDE 8192  /* px: a video side above this is refused as absurd */

struct kc_media_opts {
    int threads;           /* video decoder threads; 0 = FFmpeg's automatic choice; <0 = 1 */
    double max_duration_s; /* refuse media longer than this; 0 = default 4 hours */
};

struct kc_media_video_info {
    bool available;   /* a decodable video stream exists */
    char reason[160]; /* why not available ("" when available) */
    int width, height;
    double fps;     /* average frame rate reported or guessed by the demuxer; 0 if unknown */
    char codec[32]; /* FFmpeg codec name, e.g. "h264", "vp8", "vp9" */
    int rotation;   /* degrees (0, 90, 180, 270) to rotate delivered frames clockwise for
                       upright display, from the stream's display matrix (phone recordings);
                       the same rule as ffmpeg's autorotate. Frames are delivered as stored. */
};

struct kc_media_audio_info {
    bool available;
    char reason[160];
    int sample_rate; /* Hz, of the stored stream (the reader resamples to KC_AUDIO_RATE) */
    int channels;
    char codec[32]; /* e.g. "aac", "opus" */
};

struct kc_media_info {
    double duration_s;  /* from the container, else the longest stream, else a demux scan */
    char container[64]; /* FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm" */
    struct kc_media_video_info video;
    struct kc_media_audio_info audio;
};

struct kc_media;

/* Open and probe a file. opts may be NULL (defaults). Caller frees with kc_media_close. */
struct kc_media *kc_media_open(const char *path, const struct kc_media_opts *opts,
                               struct kc_err *err);
/* Same for a recording held in memory. The buffer is borrowed: it must stay valid and
 * unchanged until kc_media_close and every pass opened on the handle is closed. */
struct kc_media *kc_media_open_buffer(const void *data, size_t size,
                                      const struct kc_media_opts *opts, struct kc_err *err);
/* Borrowed pointer, valid until kc_media_close. */
const struct kc_media_info *kc_media_info(const struct kc_media *m);
void kc_media_close(struct kc_media *m);

/* Lower FFmpeg's process-wide log level to errors only (FFmpeg's logging is global state;
 * services call this once at start-up, tests and the fuzzer too). */
void kc_media_quiet_logs(void);

/* ---- video frames ---------------------------------------------------------------------- */

struct kc_media_frame {
    const uint8_t *rgb; /* RGB24, `height` rows of `stride` bytes (stride >= 3 * width);
                           borrowed, valid until the next kc_media_video_next/close */
    int width, height, stride;
    double t;   /* presentation time, seconds of file time; non-decreasing */
    long index; /* 0, 1, 2 ... over delivered frames */
};

struct kc_media_video_stats {
    long decoded;        /* frames the decoder produced */
    long delivered;      /* frames handed to the caller (converted to RGB) */
    long errors;         /* packets the decoder rejected (corrupt data is skipped) */
    bool read_error;     /* the demuxer stopped on an error before the end (truncated file) */
    bool skipped_nonref; /* non-reference frames were not decoded (rate <= half source rate) */
    double last_t;       /* time of the last decoded frame, s (NaN if none) */
};

struct kc_media_video;

/* Start a video pass that delivers frames at about `fps` frames per second (frames are picked,
 * never duplicated or interpolated: a 10 fps source gives at most 10 fps). fps <= 0 delivers
 * every frame. max_side > 0 scales frames down (aspect kept) so that neither side exceeds it.
 * Fails with KC_E_UNPROCESSABLE when the media has no available video.
 * Not thread-safe: use one pass from one thread at a time. Caller frees with
 * kc_media_video_close. */
struct kc_media_video *kc_media_video_open(const struct kc_media *m, double fps, int max_side,
                                           struct kc_err *err);
/* 1: *out holds the next frame; 0: end of stream; -1: error (err says what; e.g. no frame of
 * the stream could be decoded, or dimensions changed to absurd values mid-stream). */
int kc_media_video_next(struct kc_media_video *v, struct kc_media_frame *out, struct kc_err *err);
void kc_media_video_stats(const struct kc_media_video *v, struct kc_media_video_stats *out);
void kc_media_video_close(struct kc_media_video *v);

/* ---- audio ------------------------------------------------------------------------------ */

struct kc_audio {
    float *samples;    /* mono, KC_AUDIO_RATE Hz, nominal range [-1, 1]; owned, kc_audio_free */
    size_t count;      /* number of samples */
    double duration_s; /* count / KC_AUDIO_RATE */
    long errors;       /* packets the decoder rejected */
    bool read_error;   /* the demuxer stopped on an error before the end (truncated file) */
    bool truncated;    /* stopped at opts.max_duration_s */
};

/* Decode the whole audio track, resampled to 16 kHz mono float (channels mixed down by
 * libswresample's default matrix). Fails with KC_E_UNPROCESSABLE when the media has no
 * available audio or none of it decodes. On success the caller owns out->samples. */
int kc_media_read_audio(const struct kc_media *m, struct kc_audio *out, struct kc_err *err);
void kc_audio_free(struct kc_audio *a);

#endif
