# video-analysis service part: the analysis job (analysis*.c: runs the vision and speech
# pipelines and assembles the report), rubrics, the `kocruit-video analyze` CLI, the HTTP
# service with its durable jobs (service*.c), and their tests. Included by
# video-analysis/CMakeLists.txt after media_speech.cmake and vision.cmake.
set(KC_VSVC_SRC ${CMAKE_CURRENT_SOURCE_DIR}/src)

# --- options and rubrics: what the service needs to validate a request (no FFmpeg, no models)
add_library(kc_video_opts STATIC ${KC_VSVC_SRC}/analysis_opts.c ${KC_VSVC_SRC}/rubric.c)
target_include_directories(kc_video_opts PUBLIC ${KC_VSVC_SRC} ${CMAKE_SOURCE_DIR}/lib)
target_link_libraries(kc_video_opts PUBLIC PkgConfig::JANSSON m)
if(TARGET kc_core)
  target_link_libraries(kc_video_opts PUBLIC kc_core)
else()
  target_sources(kc_video_opts PRIVATE ${CMAKE_SOURCE_DIR}/lib/core/err.c)
endif()

# --- the analysis job and the CLI (no Redis, no database) -------------------------------------
add_library(kc_video_analysis STATIC
  ${KC_VSVC_SRC}/analysis.c ${KC_VSVC_SRC}/analysis_report.c ${KC_VSVC_SRC}/analysis_vision.c
  ${KC_VSVC_SRC}/cli.c ${KC_VSVC_SRC}/cli_summary.c)
target_link_libraries(kc_video_analysis PUBLIC kc_video_opts kc_video PkgConfig::SODIUM
  PkgConfig::JANSSON Threads::Threads)

# The analysis program: FFmpeg, model runtimes, pipelines; run per analysis by the service.
add_executable(kocruit-video-analyze ${KC_VSVC_SRC}/analyze_main.c)
target_link_libraries(kocruit-video-analyze PRIVATE kc_video_analysis)

# --- the service binary: lib/core + option parsing only, so it idles small; the heavy
# libraries live in the analysis program's process, only while an analysis runs.
add_executable(kocruit-video ${KC_VSVC_SRC}/main.c ${KC_VSVC_SRC}/service.c
  ${KC_VSVC_SRC}/service_routes.c ${KC_VSVC_SRC}/service_store.c ${KC_VSVC_SRC}/service_job.c
  ${KC_VSVC_SRC}/service_events.c ${KC_VSVC_SRC}/service_delete.c ${KC_VSVC_SRC}/service_fetch.c)
target_link_libraries(kocruit-video PRIVATE kc_video_opts kc_core PkgConfig::CURL
  PkgConfig::SODIUM)
add_dependencies(kocruit-video kocruit-video-analyze)
target_compile_definitions(kocruit-video PRIVATE
  KC_VIDEO_MIGRATIONS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/migrations")

# --- tests ------------------------------------------------------------------------------------------
set(KC_VSVC_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/svc)
set(KC_VSVC_IT ${CMAKE_SOURCE_DIR}/tests/integration/video)
if(EXISTS ${KC_VSVC_TESTS}/test_analysis_opts.c)
  kc_test(test_video_analysis_opts SOURCES ${KC_VSVC_TESTS}/test_analysis_opts.c
          LIBS kc_video_analysis LABELS unit)
endif()
if(EXISTS ${KC_VSVC_TESTS}/test_rubric.c)
  kc_test(test_video_rubric SOURCES ${KC_VSVC_TESTS}/test_rubric.c LIBS kc_video_analysis
          LABELS unit)
  target_compile_definitions(test_video_rubric PRIVATE
    KC_RUBRICS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/rubrics")
endif()
if(EXISTS ${KC_VSVC_TESTS}/test_report.c)
  kc_test(test_video_report SOURCES ${KC_VSVC_TESTS}/test_report.c LIBS kc_video_analysis
          LABELS unit)
endif()
if(TARGET kc_testutil AND EXISTS ${KC_VSVC_IT}/test_video_service.c)
  kc_test(test_video_service SOURCES ${KC_VSVC_IT}/test_video_service.c ${KC_VSVC_IT}/vt.c
          LIBS kc_testutil PkgConfig::JANSSON PkgConfig::HIREDIS PkgConfig::SQLITE
          LABELS integration SERIAL TIMEOUT 1800
          ENV "KC_VIDEO_BIN=$<TARGET_FILE:kocruit-video>;KC_VSVC_FIXTURES=${KC_VSVC_IT}/mk_svc_fixtures.sh")
  target_include_directories(test_video_service PRIVATE ${KC_VSVC_IT})
  add_dependencies(test_video_service kocruit-video)
endif()
