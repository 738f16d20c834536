# video-analysis media + speech part: media decode (FFmpeg), the metric record, audio features,
# Silero VAD segmentation, ASR (pocketsphinx; whisper.cpp loaded at run time), filler words and
# the speech pipeline. Included by video-analysis/CMakeLists.txt into library kc_video.
target_sources(kc_video PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/metric.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/media.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/vad.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/audio_features.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/fillers.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/asr.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/asr_sphinx.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/asr_whisper.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/speech.c)

# whisper.cpp is loaded at run time; its header is needed only for the parameter struct layout.
set(KC_WHISPER_INCLUDE "${KC_ASSETS}/whisper.cpp/include" CACHE PATH "whisper.cpp include dir")
if(EXISTS "${KC_WHISPER_INCLUDE}/whisper.h" AND EXISTS "${KC_WHISPER_INCLUDE}/../ggml/include/ggml.h")
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/src/asr_whisper.c PROPERTIES
    COMPILE_DEFINITIONS KC_HAVE_WHISPER_H
    INCLUDE_DIRECTORIES "${KC_WHISPER_INCLUDE};${KC_WHISPER_INCLUDE}/../ggml/include")
  message(STATUS "video-analysis: whisper.cpp support (headers in ${KC_WHISPER_INCLUDE})")
else()
  message(STATUS "video-analysis: no whisper.h at ${KC_WHISPER_INCLUDE}: whisper ASR reports unavailable")
endif()
target_link_libraries(kc_video PUBLIC Threads::Threads ${CMAKE_DL_LIBS})

set(KC_VTEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests)
add_library(kc_video_fixtures STATIC ${KC_VTEST_DIR}/fixtures.c)
target_compile_definitions(kc_video_fixtures PRIVATE
  KC_FIXTURE_SCRIPT="${KC_VTEST_DIR}/mk_fixtures.sh" KC_FIXTURE_BUILD_DIR="${CMAKE_BINARY_DIR}")

kc_test(test_media SOURCES ${KC_VTEST_DIR}/test_media.c LIBS kc_video kc_video_fixtures
        LABELS unit TIMEOUT 300)
kc_test(test_vad SOURCES ${KC_VTEST_DIR}/test_vad.c LIBS kc_video kc_video_fixtures
        LABELS unit TIMEOUT 300)
kc_test(test_audio_features SOURCES ${KC_VTEST_DIR}/test_audio_features.c LIBS kc_video
        LABELS unit TIMEOUT 300)
kc_test(test_speech_fillers SOURCES ${KC_VTEST_DIR}/test_speech_fillers.c LIBS kc_video
        LABELS unit)
kc_test(test_asr SOURCES ${KC_VTEST_DIR}/test_asr.c LIBS kc_video kc_video_fixtures
        LABELS unit)
kc_test(test_asr_librivox SOURCES ${KC_VTEST_DIR}/test_asr_librivox.c LIBS kc_video
        kc_video_fixtures LABELS integration TIMEOUT 600)
kc_test(test_speech_metric SOURCES ${KC_VTEST_DIR}/test_speech_metric.c LIBS kc_video
        LABELS unit)
kc_test(test_speech SOURCES ${KC_VTEST_DIR}/test_speech.c LIBS kc_video kc_video_fixtures
        LABELS integration TIMEOUT 600)

# libFuzzer target on the in-memory demux/decode entry (clang-14 only; gcc has no libFuzzer).
find_program(KC_CLANG14 clang-14)
if(KC_CLANG14)
  set(fz ${CMAKE_CURRENT_BINARY_DIR}/fuzz_media)
  set(fz_src ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_media.c ${CMAKE_CURRENT_SOURCE_DIR}/src/media.c
             ${CMAKE_SOURCE_DIR}/lib/core/err.c)
  string(REPLACE ";" " " ff_cflags "${FFMPEG_CFLAGS}")
  add_custom_command(OUTPUT ${fz}
    COMMAND ${KC_CLANG14} -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
            -I${CMAKE_CURRENT_SOURCE_DIR}/src -I${CMAKE_SOURCE_DIR}/lib ${FFMPEG_CFLAGS}
            ${fz_src} ${FFMPEG_LDFLAGS} -lm -o ${fz}
    DEPENDS ${fz_src} ${CMAKE_CURRENT_SOURCE_DIR}/src/media.h
    COMMENT "libFuzzer target fuzz_media (clang-14)" VERBATIM)
  add_custom_target(fuzz_media ALL DEPENDS ${fz})
  add_test(NAME fuzz_media COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh ${fz}
           ${CMAKE_CURRENT_BINARY_DIR}/fuzz-media-work 20)
  set_tests_properties(fuzz_media PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
