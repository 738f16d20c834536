# Backend integration tests (label integration): each test starts its own redis-server and
# kocruit-backend on free ports with a temporary data dir (bt.c on lib/core's kc_testutil).
# Included from backend/CMakeLists.txt once the service binary can be built.
set(bt_dir ${CMAKE_SOURCE_DIR}/tests/integration/backend)
foreach(spec flow:300 auth:300 validation:300 mail:120 pipeline:300)
  string(REPLACE ":" ";" spec ${spec})
  list(GET spec 0 name)
  list(GET spec 1 secs)
  if(NOT EXISTS ${bt_dir}/test_${name}.c)
    continue()
  endif()
  kc_test(backend_it_${name} SOURCES ${bt_dir}/test_${name}.c ${bt_dir}/bt.c
          LIBS kc_backend kc_testutil PkgConfig::JWT PkgConfig::HIREDIS
          LABELS integration TIMEOUT ${secs})
  target_include_directories(backend_it_${name} PRIVATE ${bt_dir})
  add_dependencies(backend_it_${name} kocruit-backend)
endforeach()
# AI feature (screening results, interview uploads, analyses): backend/src/ai_*.c
if(EXISTS ${bt_dir}/test_ai.c)
  kc_test(backend_it_ai SOURCES ${bt_dir}/test_ai.c ${bt_dir}/bt.c
          LIBS kc_backend kc_testutil PkgConfig::JWT PkgConfig::HIREDIS Threads::Threads
          LABELS integration TIMEOUT 300)
  target_include_directories(backend_it_ai PRIVATE ${bt_dir})
  add_dependencies(backend_it_ai kocruit-backend)
endif()

# trust feature (issue 8): consent, policy, deletion with receipt, audit chain, rights, fairness
if(EXISTS ${bt_dir}/test_trust.c)
  kc_test(backend_it_trust SOURCES ${bt_dir}/test_trust.c ${bt_dir}/bt.c
          LIBS kc_backend kc_testutil PkgConfig::JWT PkgConfig::HIREDIS PkgConfig::SQLITE
          LABELS integration TIMEOUT 300)
  target_include_directories(backend_it_trust PRIVATE ${bt_dir} ${CMAKE_SOURCE_DIR}/backend/src
                             ${CMAKE_SOURCE_DIR}/lib)
  add_dependencies(backend_it_trust kocruit-backend)
endif()
