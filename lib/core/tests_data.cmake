# lib/core data-layer tests (config, db, redis, jobs) and the shared test-support library.
# Included by lib/core/CMakeLists.txt. Every test here is `unit`: the Redis ones start a private
# redis-server on a free port per test (kc_testutil), so they run in parallel and in seconds.

# kc_testutil: free ports, private redis-server, temp dirs, child processes, HTTP client.
# Other folders link it: kc_test(NAME ... LIBS kc_core kc_testutil ...).
add_library(kc_testutil STATIC ${CMAKE_CURRENT_SOURCE_DIR}/tests/testutil.c)
target_include_directories(kc_testutil PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/tests)
target_link_libraries(kc_testutil PUBLIC PkgConfig::HIREDIS PkgConfig::CURL Threads::Threads)

# name → timeout (s); each is tests/<name>.c linked with kc_core and kc_testutil.
foreach(spec test_config:60 test_db:120 test_db_migrate:120 test_redis:120 test_jobs:180)
  string(REPLACE ":" ";" spec ${spec})
  list(GET spec 0 name)
  list(GET spec 1 secs)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/${name}.c)
    kc_test(${name} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/${name}.c
            LIBS kc_core kc_testutil LABELS unit TIMEOUT ${secs})
  endif()
endforeach()
