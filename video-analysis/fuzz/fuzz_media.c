/*
 * fuzz_media.c — libFuzzer target for media.c: the input bytes are a recording held in memory
 * (kc_media_open_buffer → custom AVIOContext). Each input is probed, then both decode passes
 * run on it (a bounded number of small RGB frames, and the full audio resampling). Any crash,
 * sanitizer report or leak is a bug; errors are the expected outcome for most inputs.
 *
 * Built with clang-14 -fsanitize=fuzzer,address,undefined by media_speech.cmake when clang-14
 * exists; run_fuzz.sh seeds a corpus with tiny generated files of every container.
 */
#include <stddef.h>
#include <stdint.h>

#include "media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        kc_media_quiet_logs();
        quiet = 1;
    }
    struct kc_media_opts o = {.threads = 1, .max_duration_s = 120};
    struct kc_err err;
    struct kc_media *m = kc_media_open_buffer(data, size, &o, &err);
    if (!m) return 0;
    struct kc_media_video *v = kc_media_video_open(m, 10, 64, &err);
    if (v) {
        struct kc_media_frame f;
        unsigned sum = 0;
        for (int k = 0; k < 40 && kc_media_video_next(v, &f, &err) == 1; k++)
            for (int y = 0; y < f.height; y++)
                sum += f.rgb[(size_t)y * f.stride + 3 * (f.width - 1)];
        (void)sum;
        kc_media_video_close(v);
    }
    struct kc_audio a;
    if (kc_media_read_audio(m, &a, &err) == 0) kc_audio_free(&a);
    kc_media_close(m);
    return 0;
}
