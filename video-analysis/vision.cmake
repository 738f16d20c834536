# video-analysis vision part: face tracking (BlazeFace + FaceMesh), head pose, eyes (EAR,
# blinks, iris gaze), expression (smile geometry; emotion only under the company policy),
# posture (PoseNet), per-second timelines and the pipeline entry point kc_vision_analyze().
# Included by video-analysis/CMakeLists.txt into library kc_video.
set(KC_VISION_SRC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_sources(kc_video PRIVATE
  ${KC_VISION_SRC}/vision_stats.c
  ${KC_VISION_SRC}/head_pose.c
  ${KC_VISION_SRC}/eyes.c
  ${KC_VISION_SRC}/expression.c
  ${KC_VISION_SRC}/posture.c
  ${KC_VISION_SRC}/timeline.c
  ${KC_VISION_SRC}/face_track.c
  ${KC_VISION_SRC}/vision.c
  ${KC_VISION_SRC}/vision_run.c
  ${KC_VISION_SRC}/vision_models.c
  ${KC_VISION_SRC}/vision_metrics.c
  ${KC_VISION_SRC}/vision_data.c)
# model file hashes (sha256) in the result
target_link_libraries(kc_video PUBLIC PkgConfig::SODIUM Threads::Threads)

set(KC_VISION_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests)
kc_test(test_head_pose SOURCES ${KC_VISION_TESTS}/test_head_pose.c LIBS kc_video LABELS unit)
kc_test(test_eyes SOURCES ${KC_VISION_TESTS}/test_eyes.c LIBS kc_video LABELS unit)
kc_test(test_expression SOURCES ${KC_VISION_TESTS}/test_expression.c LIBS kc_video LABELS unit)
kc_test(test_posture SOURCES ${KC_VISION_TESTS}/test_posture.c LIBS kc_video LABELS unit)
kc_test(test_vision_stats SOURCES ${KC_VISION_TESTS}/test_vision_stats.c LIBS kc_video
        LABELS unit)
kc_test(test_face_track SOURCES ${KC_VISION_TESTS}/test_face_track.c LIBS kc_video LABELS unit)
# the whole pipeline on videos generated with ffmpeg: integration (seconds per test)
kc_test(test_vision SOURCES ${KC_VISION_TESTS}/test_vision.c LIBS kc_video LABELS integration
        TIMEOUT 900)
