# lib/core tests for the HTTP server, router, JSON helpers, metrics, logging and the service
# skeleton (included by lib/core/CMakeLists.txt). The HTTP tests start a server on port 0 and
# talk to it with libcurl; test_http_util.c holds the shared client helpers.
set(kc_http_test_util ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_http_util.c)

foreach(t test_log test_metrics)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/${t}.c)
    kc_test(${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/${t}.c LIBS kc_core LABELS unit
            TIMEOUT 60)
  endif()
endforeach()
foreach(t test_http_router test_http_body test_http_upload test_http_server)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/${t}.c)
    kc_test(${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/${t}.c ${kc_http_test_util}
            LIBS kc_core PkgConfig::CURL LABELS unit TIMEOUT 120)
  endif()
endforeach()
# The service test needs the data engineer's kc_testutil (redis-server on a free port); that
# target is declared in tests_data.cmake, included after this file, so test for its source.
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_service.c
   AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/testutil.c
   AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/service.c)
  kc_test(test_service SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_service.c
          LIBS kc_core kc_testutil LABELS unit TIMEOUT 120)
endif()
