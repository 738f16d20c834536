/*
 * media.c — FFmpeg demux/decode behind media.h.
 *
 * Design
 *   struct kc_media holds only the source (path or borrowed buffer), the options, the chosen
 *   stream indices and the probed info; it owns no FFmpeg state. Every pass (probe, duration
 *   scan, video frames, audio) opens its own `struct demux` (AVFormatContext plus, for a buffer,
 *   a custom read-only AVIOContext over the bytes), so passes are independent and may run in
 *   parallel threads.
 *
 * Video pass: packets of the chosen stream are decoded sequentially (decoders need every
 *   reference frame); a frame is kept when its time reaches the next sampling instant
 *   (next_t, advanced by 1/fps, phase kept), and only kept frames go through swscale. When the
 *   requested rate is at most half the source rate and the codec honours it, the decoder skips
 *   non-reference frames (AVDISCARD_NONREF), which no kept frame can depend on.
 *
 * Audio pass: every audio frame goes through one SwrContext to 16 kHz mono float, re-created if
 *   the stream changes format mid-way. The first frame's timestamp aligns sample 0 with file
 *   time 0 (leading zeros when audio starts late, dropped samples when it starts early).
 *
 * Invariants: no FFmpeg object outlives the pass that created it; every av_* error is turned
 *   into a kc_err message naming the step and FFmpeg's reason; dimensions are checked both in
 *   the stream header and in every decoded frame (they can change mid-stream).
 */
#include "media.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#define DEFAULT_MAX_DURATION_S (4.0 * 3600.0)
#define AVIO_BUF_SIZE          (64 * 1024)
#define MAX_AUDIO_RATE         768000
#define MAX_AUDIO_CHANNELS     64
#define MAX_LEAD_PAD_S         60.0 /* audio starting later than this is treated as corrupt */
#define MAX_CONSECUTIVE_ERRORS 1000 /* decoder errors in a row before the stream is given up */

static const char FORMAT_WHITELIST[] = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,ogg,wav,w64,mp3,"
                                       "flac,aac,avi,nut,mpegts,flv,ivf";

struct kc_media {
    char *path;         /* file source, or NULL */
    const uint8_t *buf; /* buffer source (borrowed), or NULL */
    size_t buf_size;
    struct kc_media_opts opts;
    int video_stream, audio_stream; /* -1 when not available */
    struct kc_media_info info;
};

/* ---- demuxer over a file or a memory buffer ------------------------------------------ */

struct mem_reader {
    const uint8_t *data;
    size_t size, pos;
};

struct demux {
    AVFormatContext *fmt;
    AVIOContext *avio;
    struct mem_reader mr;
    double t0; /* container start time, s (file time zero) */
};

static int mem_read(void *opaque, uint8_t *buf, int size)
{
    struct mem_reader *r = opaque;
    size_t left = r->size - r->pos;
    if (left == 0) return AVERROR_EOF;
    size_t n = (size_t)size < left ? (size_t)size : left;
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
    return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
    struct mem_reader *r = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)r->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)r->pos; break;
    case SEEK_END: base = (int64_t)r->size; break;
    default: return AVERROR(EINVAL);
    }
    if (offset > INT64_MAX - base) return AVERROR(EINVAL);
    int64_t p = base + offset;
    if (p < 0 || p > (int64_t)r->size) return AVERROR(EINVAL);
    r->pos = (size_t)p;
    return p;
}

static const char *averr(int rc, char *buf, size_t n)
{
    av_strerror(rc, buf, n);
    return buf;
}

static void demux_close(struct demux *d)
{
    avformat_close_input(&d->fmt);
    if (d->avio) {
        av_freep(&d->avio->buffer);
        avio_context_free(&d->avio);
    }
}

/* Name of the whitelisted container the first bytes look like, or NULL (used only to word the
 * error when opening failed: "damaged mp4" rather than "not media"). */
static const char *sniff_container(const struct kc_media *m)
{
    enum { N = 64 * 1024 };
    uint8_t *buf = av_mallocz(N + AVPROBE_PADDING_SIZE);
    size_t n = 0;
    if (!buf) return NULL;
    if (m->buf) {
        n = m->buf_size < N ? m->buf_size : N;
        memcpy(buf, m->buf, n);
    } else {
        FILE *f = fopen(m->path, "rb");
        if (f) {
            n = fread(buf, 1, N, f);
            fclose(f);
        }
    }
    AVProbeData pd = {.filename = "", .buf = buf, .buf_size = (int)n};
    const AVInputFormat *fmt = n ? av_probe_input_format(&pd, 1) : NULL;
    av_free(buf);
    if (!fmt || av_match_list(fmt->name, FORMAT_WHITELIST, ',') <= 0) return NULL;
    return fmt->name;
}

/* Open the container and read stream parameters. */
static int demux_open(const struct kc_media *m, struct demux *d, struct kc_err *err)
{
    char eb[128];
    memset(d, 0, sizeof *d);
    d->fmt = avformat_alloc_context();
    if (!d->fmt) return kc_err_set(err, KC_E_NOMEM, "out of memory opening media");
    d->fmt->format_whitelist = av_strdup(FORMAT_WHITELIST);
    if (m->buf) {
        d->mr = (struct mem_reader){m->buf, m->buf_size, 0};
        uint8_t *iobuf = av_malloc(AVIO_BUF_SIZE);
        if (iobuf)
            d->avio = avio_alloc_context(iobuf, AVIO_BUF_SIZE, 0, &d->mr, mem_read, NULL, mem_seek);
        if (!d->avio) {
            av_free(iobuf);
            avformat_free_context(d->fmt);
            d->fmt = NULL;
            return kc_err_set(err, KC_E_NOMEM, "out of memory opening media");
        }
        d->fmt->pb = d->avio;
        d->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    AVDictionary *o = NULL;
    av_dict_set(&o, "protocol_whitelist", "file", 0);
    int rc = avformat_open_input(&d->fmt, m->path, NULL, &o); /* frees fmt on failure */
    av_dict_free(&o);
    if (rc < 0) {
        demux_close(d);
        const char *kind = sniff_container(m);
        if (kind)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "the %s data is damaged or truncated (%s)",
                              kind, averr(rc, eb, 128));
        return kc_err_set(err, KC_E_UNPROCESSABLE, "not a recognised audio/video container (%s)",
                          averr(rc, eb, 128));
    }
    rc = avformat_find_stream_info(d->fmt, NULL);
    if (rc < 0) {
        demux_close(d);
        return kc_err_set(err, KC_E_UNPROCESSABLE, "cannot read stream parameters: %s",
                          averr(rc, eb, 128));
    }
    d->t0 = d->fmt->start_time != AV_NOPTS_VALUE ? d->fmt->start_time / (double)AV_TIME_BASE : 0;
    return 0;
}

/* ---- probing ---------------------------------------------------------------------------- */

static double stream_duration(const AVStream *st)
{
    if (st->duration == AV_NOPTS_VALUE || st->duration <= 0) return 0;
    return st->duration * av_q2d(st->time_base);
}

/* Containers written by browsers (MediaRecorder WebM) carry no duration: scan packet times. */
static double scan_duration(struct demux *d)
{
    AVPacket *pkt = av_packet_alloc();
    double end = 0;
    if (!pkt) return 0;
    while (av_read_frame(d->fmt, pkt) >= 0) {
        AVStream *st = d->fmt->streams[pkt->stream_index];
        int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (ts != AV_NOPTS_VALUE) {
            double t = (ts + (pkt->duration > 0 ? pkt->duration : 0)) * av_q2d(st->time_base);
            if (t - d->t0 > end) end = t - d->t0;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    return end;
}

/* Clockwise rotation for display from the stream's display matrix (as ffmpeg's autorotate). */
static int display_rotation(const AVStream *st)
{
    const uint8_t *dm = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!dm) return 0;
    double theta = -av_display_rotation_get((const int32_t *)dm);
    if (!isfinite(theta)) return 0;
    long q = lround(theta / 90.0) % 4;
    return (int)(q < 0 ? q + 4 : q) * 90;
}

static void probe_video(struct kc_media *m, AVFormatContext *fmt)
{
    struct kc_media_video_info *vi = &m->info.video;
    const AVCodec *dec = NULL;
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    m->video_stream = -1;
    if (idx < 0) {
        snprintf(vi->reason, sizeof vi->reason,
                 idx == AVERROR_DECODER_NOT_FOUND ? "no decoder for the video stream"
                                                  : "the media has no video stream");
        return;
    }
    AVStream *st = fmt->streams[idx];
    const AVCodecParameters *par = st->codecpar;
    snprintf(vi->codec, sizeof vi->codec, "%s", avcodec_get_name(par->codec_id));
    vi->width = par->width;
    vi->height = par->height;
    vi->rotation = display_rotation(st);
    AVRational fr = av_guess_frame_rate(fmt, st, NULL);
    vi->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
        snprintf(vi->reason, sizeof vi->reason, "the only picture is attached cover art");
    } else if (par->width <= 0 || par->height <= 0) {
        snprintf(vi->reason, sizeof vi->reason, "video stream has no picture size");
    } else if (par->width > KC_MEDIA_MAX_SIDE || par->height > KC_MEDIA_MAX_SIDE) {
        snprintf(vi->reason, sizeof vi->reason, "video dimensions %dx%d exceed the %d-pixel limit",
                 par->width, par->height, KC_MEDIA_MAX_SIDE);
    } else {
        vi->available = true;
        m->video_stream = idx;
    }
}

static void probe_audio(struct kc_media *m, AVFormatContext *fmt)
{
    struct kc_media_audio_info *ai = &m->info.audio;
    const AVCodec *dec = NULL;
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &dec, 0);
    m->audio_stream = -1;
    if (idx < 0) {
        snprintf(ai->reason, sizeof ai->reason,
                 idx == AVERROR_DECODER_NOT_FOUND ? "no decoder for the audio stream"
                                                  : "the media has no audio stream");
        return;
    }
    const AVCodecParameters *par = fmt->streams[idx]->codecpar;
    snprintf(ai->codec, sizeof ai->codec, "%s", avcodec_get_name(par->codec_id));
    ai->sample_rate = par->sample_rate;
    ai->channels = par->ch_layout.nb_channels;
    if (par->sample_rate <= 0 || par->sample_rate > MAX_AUDIO_RATE) {
        snprintf(ai->reason, sizeof ai->reason, "audio sample rate %d Hz is not usable",
                 par->sample_rate);
    } else if (ai->channels <= 0 || ai->channels > MAX_AUDIO_CHANNELS) {
        snprintf(ai->reason, sizeof ai->reason, "audio channel count %d is not usable",
                 ai->channels);
    } else {
        ai->available = true;
        m->audio_stream = idx;
    }
}

static int probe(struct kc_media *m, struct kc_err *err)
{
    struct demux d;
    if (demux_open(m, &d, err) < 0) return -1;
    snprintf(m->info.container, sizeof m->info.container, "%s", d.fmt->iformat->name);
    probe_video(m, d.fmt);
    probe_audio(m, d.fmt);
    double dur = d.fmt->duration > 0 ? d.fmt->duration / (double)AV_TIME_BASE : 0;
    for (unsigned i = 0; dur <= 0 && i < d.fmt->nb_streams; i++) {
        double sd = stream_duration(d.fmt->streams[i]);
        if (sd > dur) dur = sd;
    }
    if (dur <= 0 && (m->video_stream >= 0 || m->audio_stream >= 0)) dur = scan_duration(&d);
    demux_close(&d);
    m->info.duration_s = dur;
    if (m->video_stream < 0 && m->audio_stream < 0)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "no usable audio or video: video: %s; audio: %s",
                          m->info.video.reason, m->info.audio.reason);
    if (dur > m->opts.max_duration_s)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "media lasts %.0f s; the limit is %.0f s", dur,
                          m->opts.max_duration_s);
    return 0;
}

static struct kc_media *media_new(const struct kc_media_opts *opts)
{
    struct kc_media *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    if (opts) m->opts = *opts;
    if (m->opts.max_duration_s <= 0) m->opts.max_duration_s = DEFAULT_MAX_DURATION_S;
    if (m->opts.threads < 0) m->opts.threads = 1;
    m->video_stream = m->audio_stream = -1;
    return m;
}

struct kc_media *kc_media_open(const char *path, const struct kc_media_opts *opts,
                               struct kc_err *err)
{
    struct stat sb;
    if (!path || !*path) {
        kc_err_set(err, KC_E_INVALID, "no media path given");
        return NULL;
    }
    if (stat(path, &sb) != 0) {
        kc_err_set(err, errno == ENOENT ? KC_E_NOT_FOUND : KC_E_IO, "cannot open media %s: %s",
                   path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "media %s is not a regular file", path);
        return NULL;
    }
    if (sb.st_size == 0) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "media file is empty (0 bytes)");
        return NULL;
    }
    struct kc_media *m = media_new(opts);
    if (m) m->path = strdup(path);
    if (!m || !m->path) {
        kc_media_close(m);
        kc_err_set(err, KC_E_NOMEM, "out of memory opening media");
        return NULL;
    }
    if (probe(m, err) < 0) {
        kc_media_close(m);
        return NULL;
    }
    return m;
}

struct kc_media *kc_media_open_buffer(const void *data, size_t size,
                                      const struct kc_media_opts *opts, struct kc_err *err)
{
    if (!data || size == 0) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "media is empty (0 bytes)");
        return NULL;
    }
    struct kc_media *m = media_new(opts);
    if (!m) {
        kc_err_set(err, KC_E_NOMEM, "out of memory opening media");
        return NULL;
    }
    m->buf = data;
    m->buf_size = size;
    if (probe(m, err) < 0) {
        kc_media_close(m);
        return NULL;
    }
    return m;
}

const struct kc_media_info *kc_media_info(const struct kc_media *m)
{
    return &m->info;
}

void kc_media_close(struct kc_media *m)
{
    if (!m) return;
    free(m->path);
    free(m);
}

void kc_media_quiet_logs(void)
{
    av_log_set_level(AV_LOG_QUIET);
}

/* Open a decoder for stream `idx` of an open demuxer; other streams are discarded. */
static AVCodecContext *open_decoder(struct demux *d, int idx, int threads, struct kc_err *err)
{
    char eb[128];
    if (idx < 0 || (unsigned)idx >= d->fmt->nb_streams)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "stream layout changed between passes"), NULL;
    for (unsigned i = 0; i < d->fmt->nb_streams; i++)
        d->fmt->streams[i]->discard = (int)i == idx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    const AVCodecParameters *par = d->fmt->streams[idx]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "no decoder for codec %s",
                   avcodec_get_name(par->codec_id));
        return NULL;
    }
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c) return kc_err_set(err, KC_E_NOMEM, "out of memory creating a decoder"), NULL;
    int rc = avcodec_parameters_to_context(c, par);
    if (rc >= 0) {
        c->pkt_timebase = d->fmt->streams[idx]->time_base;
        c->thread_count = threads;
        rc = avcodec_open2(c, codec, NULL);
    }
    if (rc < 0) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "cannot open the %s decoder: %s", codec->name,
                   averr(rc, eb, 128));
        avcodec_free_context(&c);
    }
    return c;
}

/* ---- shared packet/frame pump ------------------------------------------------------------ */

struct pump {
    struct demux d;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frm;
    int stream;
    bool flushing, done, read_error;
    long errors, consecutive_errors;
};

/* Next decoded frame into p->frm: 1 got one, 0 end of stream. Corrupt packets are counted and
 * skipped; a demuxer error ends the stream early (recorded in read_error). */
static int pump_next(struct pump *p)
{
    while (!p->done) {
        int rc = avcodec_receive_frame(p->dec, p->frm);
        if (rc >= 0) {
            p->consecutive_errors = 0;
            return 1;
        }
        if (rc == AVERROR_EOF) break;
        if (rc != AVERROR(EAGAIN)) {
            p->errors++; /* a decode error on this frame; keep going, but not forever */
            if (++p->consecutive_errors > MAX_CONSECUTIVE_ERRORS) break;
            continue;
        }
        if (p->flushing) break; /* defensive: EAGAIN after flush means nothing more comes */
        rc = av_read_frame(p->d.fmt, p->pkt);
        if (rc < 0) {
            if (rc != AVERROR_EOF) p->read_error = true;
            p->flushing = true;
            avcodec_send_packet(p->dec, NULL);
            continue;
        }
        if (p->pkt->stream_index == p->stream && avcodec_send_packet(p->dec, p->pkt) < 0)
            p->errors++;
        av_packet_unref(p->pkt);
    }
    p->done = true;
    return 0;
}

static int pump_open(const struct kc_media *m, struct pump *p, int stream, int threads,
                     struct kc_err *err)
{
    memset(p, 0, sizeof *p);
    if (demux_open(m, &p->d, err) < 0) return -1;
    p->stream = stream;
    p->dec = open_decoder(&p->d, stream, threads, err);
    p->pkt = av_packet_alloc();
    p->frm = av_frame_alloc();
    if (p->dec && (!p->pkt || !p->frm)) kc_err_set(err, KC_E_NOMEM, "out of memory decoding");
    if (!p->dec || !p->pkt || !p->frm) {
        avcodec_free_context(&p->dec);
        av_packet_free(&p->pkt);
        av_frame_free(&p->frm);
        demux_close(&p->d);
        return -1;
    }
    return 0;
}

static void pump_close(struct pump *p)
{
    avcodec_free_context(&p->dec);
    av_packet_free(&p->pkt);
    av_frame_free(&p->frm);
    demux_close(&p->d);
}

/* Frame time in seconds of file time, or NAN when the frame carries no timestamp. */
static double frame_time(const struct pump *p, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) ts = f->pts;
    if (ts == AV_NOPTS_VALUE) return NAN;
    return ts * av_q2d(p->d.fmt->streams[p->stream]->time_base) - p->d.t0;
}

/* ---- video pass -------------------------------------------------------------------------- */

struct kc_media_video {
    struct pump p;
    double period;     /* 1/requested fps, 0 = every frame */
    double next_t;     /* next sampling instant, s */
    double src_period; /* 1/source fps, for frames without timestamps */
    double max_t;      /* stop after this (the media's duration limit) */
    int max_side;
    struct SwsContext *sws;
    uint8_t *rgb;
    size_t rgb_cap;
    long decoded, delivered;
    double last_t;
    bool skipped_nonref;
};

/* Codecs whose FFmpeg decoders honour skip_frame = AVDISCARD_NONREF. */
static bool honours_nonref_skip(enum AVCodecID id)
{
    return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC || id == AV_CODEC_ID_VP8 ||
           id == AV_CODEC_ID_MPEG2VIDEO || id == AV_CODEC_ID_MPEG4 || id == AV_CODEC_ID_MPEG1VIDEO;
}

struct kc_media_video *kc_media_video_open(const struct kc_media *m, double fps, int max_side,
                                           struct kc_err *err)
{
    if (m->video_stream < 0) {
        kc_err_set(err, KC_E_UNPROCESSABLE, "video unavailable: %s", m->info.video.reason);
        return NULL;
    }
    struct kc_media_video *v = calloc(1, sizeof *v);
    if (!v) return kc_err_set(err, KC_E_NOMEM, "out of memory"), NULL;
    if (pump_open(m, &v->p, m->video_stream, m->opts.threads, err) < 0) {
        free(v);
        return NULL;
    }
    v->period = fps > 0 ? 1.0 / fps : 0;
    v->src_period = m->info.video.fps > 0 ? 1.0 / m->info.video.fps : 1.0 / 30;
    v->max_t = m->opts.max_duration_s;
    v->max_side = max_side;
    v->last_t = NAN;
    if (fps > 0 && m->info.video.fps >= 2 * fps && honours_nonref_skip(v->p.dec->codec_id)) {
        v->p.dec->skip_frame = AVDISCARD_NONREF;
        v->skipped_nonref = true;
    }
    return v;
}

static void out_size(const struct kc_media_video *v, int w, int h, int *ow, int *oh)
{
    *ow = w;
    *oh = h;
    int side = w > h ? w : h;
    if (v->max_side > 0 && side > v->max_side) {
        double s = (double)v->max_side / side;
        *ow = (int)lround(w * s);
        *oh = (int)lround(h * s);
        if (*ow < 1) *ow = 1;
        if (*oh < 1) *oh = 1;
    }
}

static int convert(struct kc_media_video *v, const AVFrame *f, struct kc_media_frame *out,
                   struct kc_err *err)
{
    int ow, oh;
    out_size(v, f->width, f->height, &ow, &oh);
    v->sws = sws_getCachedContext(v->sws, f->width, f->height, f->format, ow, oh, AV_PIX_FMT_RGB24,
                                  SWS_BILINEAR, NULL, NULL, NULL);
    if (!v->sws)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "cannot convert %s %dx%d frames to RGB",
                          av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "?",
                          f->width, f->height);
    int stride = FFALIGN(ow * 3, 32);
    size_t need = (size_t)stride * (size_t)oh + 32;
    if (need > v->rgb_cap) {
        uint8_t *nb = av_realloc(v->rgb, need);
        if (!nb) return kc_err_set(err, KC_E_NOMEM, "out of memory for a %dx%d frame", ow, oh);
        v->rgb = nb;
        v->rgb_cap = need;
    }
    uint8_t *dst[4] = {v->rgb, NULL, NULL, NULL};
    int dst_stride[4] = {stride, 0, 0, 0};
    if (sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                  dst_stride) != oh)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "frame conversion to RGB failed");
    out->rgb = v->rgb;
    out->width = ow;
    out->height = oh;
    out->stride = stride;
    return 0;
}

/* Decide whether the frame at time t is kept, advancing the sampling clock (phase kept). */
static bool keep_frame(struct kc_media_video *v, double t)
{
    const double tol = 1e-3;
    if (v->period <= 0) return true;
    if (v->delivered == 0 && v->next_t == 0) v->next_t = t; /* clock starts at the first frame */
    if (t < v->next_t - tol) return false;
    while (v->next_t - tol <= t) v->next_t += v->period;
    return true;
}

int kc_media_video_next(struct kc_media_video *v, struct kc_media_frame *out, struct kc_err *err)
{
    AVFrame *f = v->p.frm;
    while (pump_next(&v->p) == 1) {
        v->decoded++;
        if (f->width <= 0 || f->height <= 0 || f->width > KC_MEDIA_MAX_SIDE ||
            f->height > KC_MEDIA_MAX_SIDE)
            return kc_err_set(err, KC_E_UNPROCESSABLE, "decoded frame is %dx%d (limit %d)",
                              f->width, f->height, KC_MEDIA_MAX_SIDE);
        double t = frame_time(&v->p, f);
        if (!isfinite(t)) t = isfinite(v->last_t) ? v->last_t + v->src_period : 0;
        if (isfinite(v->last_t) && t < v->last_t) t = v->last_t; /* keep times non-decreasing */
        v->last_t = t;
        if (t > v->max_t) break;
        bool keep = keep_frame(v, t);
        if (!keep) {
            av_frame_unref(f);
            continue;
        }
        int rc = convert(v, f, out, err);
        av_frame_unref(f);
        if (rc < 0) return -1;
        out->t = t;
        out->index = v->delivered++;
        return 1;
    }
    v->p.done = true;
    if (v->decoded == 0)
        return kc_err_set(err, KC_E_UNPROCESSABLE,
                          "no video frame could be decoded (%ld corrupt packets%s)", v->p.errors,
                          v->p.read_error ? ", read error" : "");
    return 0;
}

void kc_media_video_stats(const struct kc_media_video *v, struct kc_media_video_stats *out)
{
    out->decoded = v->decoded;
    out->delivered = v->delivered;
    out->errors = v->p.errors;
    out->read_error = v->p.read_error;
    out->skipped_nonref = v->skipped_nonref;
    out->last_t = v->last_t;
}

void kc_media_video_close(struct kc_media_video *v)
{
    if (!v) return;
    pump_close(&v->p);
    sws_freeContext(v->sws);
    av_free(v->rgb);
    free(v);
}

/* ---- audio pass -------------------------------------------------------------------------- */

struct audio_out {
    float *s;
    size_t n, cap, max;
    size_t drop; /* samples still to drop at the start (audio began before file time 0) */
    bool truncated;
};

static int out_reserve(struct audio_out *o, size_t more)
{
    if (o->n + more <= o->cap) return 0;
    size_t cap = o->cap ? o->cap : KC_AUDIO_RATE * 8;
    while (cap < o->n + more) cap *= 2;
    float *ns = realloc(o->s, cap * sizeof *ns);
    if (!ns) return -1;
    o->s = ns;
    o->cap = cap;
    return 0;
}

/* Append converted samples, honouring the start trim and the duration limit. */
static int out_append(struct audio_out *o, const float *x, size_t n)
{
    size_t d = n < o->drop ? n : o->drop;
    o->drop -= d;
    x += d;
    n -= d;
    if (o->n + n > o->max) {
        n = o->max - o->n;
        o->truncated = true;
    }
    if (n == 0) return 0;
    if (out_reserve(o, n) < 0) return -1;
    memcpy(o->s + o->n, x, n * sizeof *x);
    o->n += n;
    return 0;
}

static int swr_setup(SwrContext **swr, const AVFrame *f)
{
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO, in = {0};
    swr_free(swr);
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC ||
        av_channel_layout_check(&f->ch_layout) == 0)
        av_channel_layout_default(&in, f->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in, &f->ch_layout) < 0)
        return -1;
    int rc = swr_alloc_set_opts2(swr, &mono, AV_SAMPLE_FMT_FLT, KC_AUDIO_RATE, &in, f->format,
                                 f->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    if (rc < 0 || swr_init(*swr) < 0) {
        swr_free(swr);
        return -1;
    }
    return 0;
}

/* Run `in_count` input samples (or a flush when in == NULL) through swr into o. */
static int swr_feed(SwrContext *swr, const uint8_t **in, int in_count, struct audio_out *o)
{
    float tmp[4096];
    for (;;) {
        uint8_t *dst[1] = {(uint8_t *)tmp};
        int got = swr_convert(swr, dst, 4096, in, in_count);
        if (got < 0) return -1;
        if (got > 0 && out_append(o, tmp, (size_t)got) < 0) return -1;
        in = NULL;
        in_count = 0;
        if (got < 4096) return 0;
    }
}

/* Align sample 0 with file time 0 using the first frame's timestamp. */
static int align_start(struct audio_out *o, double t)
{
    if (!isfinite(t) || fabs(t) < 0.5 / KC_AUDIO_RATE) return 0;
    if (t > MAX_LEAD_PAD_S) return -1;
    if (t < 0) {
        o->drop = (size_t)llround(-t * KC_AUDIO_RATE);
        return 0;
    }
    size_t pad = (size_t)llround(t * KC_AUDIO_RATE);
    if (pad > o->max) pad = o->max;
    if (out_reserve(o, pad) < 0) return -1;
    memset(o->s, 0, pad * sizeof *o->s);
    o->n = pad;
    return 0;
}

static bool same_format(const AVFrame *f, int fmt, int rate, const AVChannelLayout *l)
{
    return f->format == fmt && f->sample_rate == rate &&
           !av_channel_layout_compare(&f->ch_layout, l);
}

static int audio_decode_all(struct pump *p, struct audio_out *o, struct kc_err *err)
{
    SwrContext *swr = NULL;
    AVChannelLayout cur = {0};
    int cur_fmt = -1, cur_rate = 0, rc = 0;
    long frames = 0;
    while (rc == 0 && !o->truncated && pump_next(p) == 1) {
        AVFrame *f = p->frm;
        if (f->sample_rate <= 0 || f->sample_rate > MAX_AUDIO_RATE || f->nb_samples <= 0) {
            p->errors++;
            av_frame_unref(f);
            continue;
        }
        if (frames++ == 0 && align_start(o, frame_time(p, f)) < 0)
            rc = kc_err_set(err, KC_E_UNPROCESSABLE, "audio starts implausibly late");
        if (rc == 0 && (!swr || !same_format(f, cur_fmt, cur_rate, &cur))) {
            if (swr) swr_feed(swr, NULL, 0, o);
            av_channel_layout_uninit(&cur);
            cur_fmt = f->format;
            cur_rate = f->sample_rate;
            if (av_channel_layout_copy(&cur, &f->ch_layout) < 0 || swr_setup(&swr, f) < 0)
                rc = kc_err_set(err, KC_E_UNPROCESSABLE, "cannot resample %d Hz %d-channel audio",
                                f->sample_rate, f->ch_layout.nb_channels);
        }
        if (rc == 0 && swr_feed(swr, (const uint8_t **)f->extended_data, f->nb_samples, o) < 0)
            rc = kc_err_set(err, KC_E_NOMEM, "out of memory decoding audio");
        av_frame_unref(f);
    }
    if (rc == 0 && swr && swr_feed(swr, NULL, 0, o) < 0)
        rc = kc_err_set(err, KC_E_NOMEM, "out of memory decoding audio");
    swr_free(&swr);
    av_channel_layout_uninit(&cur);
    if (rc == 0 && frames == 0)
        rc =
            kc_err_set(err, KC_E_UNPROCESSABLE, "no audio could be decoded (%ld corrupt packets%s)",
                       p->errors, p->read_error ? ", read error" : "");
    return rc;
}

int kc_media_read_audio(const struct kc_media *m, struct kc_audio *out, struct kc_err *err)
{
    memset(out, 0, sizeof *out);
    if (m->audio_stream < 0)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "audio unavailable: %s", m->info.audio.reason);
    struct pump p;
    if (pump_open(m, &p, m->audio_stream, 1, err) < 0) return -1;
    struct audio_out o = {0};
    o.max = (size_t)(m->opts.max_duration_s * KC_AUDIO_RATE);
    int rc = audio_decode_all(&p, &o, err);
    out->errors = p.errors;
    out->read_error = p.read_error;
    pump_close(&p);
    if (rc < 0) {
        free(o.s);
        return -1;
    }
    out->samples = o.s;
    out->count = o.n;
    out->duration_s = (double)o.n / KC_AUDIO_RATE;
    out->truncated = o.truncated;
    return 0;
}

void kc_audio_free(struct kc_audio *a)
{
    if (!a) return;
    free(a->samples);
    memset(a, 0, sizeof *a);
}
