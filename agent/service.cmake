# agent/service.cmake — the agent service :8001: workflow engine, LLM providers (openai over
# libcurl, llama.cpp dlopen'ed from the bootstrap assets, none), the /v1 HTTP API and the job
# workers. Everything directly in agent/src/ except main.c is the static library kc_agent_svc,
# so unit tests link the same code the binary runs. Unit tests live in agent/tests/svc/, the
# API integration test in tests/integration/agent/.
if(NOT TARGET kc_core)
  message(STATUS "agent service: lib/core not in KC_DIRS, skipping the service")
  return()
endif()

file(GLOB kc_agent_svc_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.c)
list(REMOVE_ITEM kc_agent_svc_sources ${CMAKE_CURRENT_SOURCE_DIR}/src/main.c)
add_library(kc_agent_svc STATIC ${kc_agent_svc_sources})
target_include_directories(kc_agent_svc PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(kc_agent_svc PUBLIC kc_agent kc_core PkgConfig::CURL ${CMAKE_DL_LIBS})
# llama.cpp: only its headers are needed at build time (the library is dlopen'ed at run time,
# so the binary starts without it). Without the headers the llama provider reports unavailable.
set(kc_llama_inc ${KC_ASSETS}/llama/src/include)
set(kc_ggml_inc ${KC_ASSETS}/llama/src/ggml/include)
if(EXISTS ${kc_llama_inc}/llama.h AND EXISTS ${kc_ggml_inc}/ggml.h)
  target_include_directories(kc_agent_svc SYSTEM PRIVATE ${kc_llama_inc} ${kc_ggml_inc})
  target_compile_definitions(kc_agent_svc PRIVATE KC_HAVE_LLAMA_H=1)
  set(KC_HAVE_LLAMA_H ON)
endif()
# The default asset folder compiled in (KOCRUIT_ASSETS overrides it at run time).
target_compile_definitions(kc_agent_svc PRIVATE KC_DEFAULT_ASSETS="${KC_ASSETS}")

add_executable(kocruit-agent ${CMAKE_CURRENT_SOURCE_DIR}/src/main.c)
target_link_libraries(kocruit-agent PRIVATE kc_agent_svc)

# --- unit tests (agent/tests/svc) ---
if(TARGET kc_testutil)
  set(svc_dir ${CMAKE_CURRENT_SOURCE_DIR}/tests/svc)
  # name:timeout
  foreach(spec schema:60 workflow:180 llm_openai:180 simstore:180 flows:180)
    string(REPLACE ":" ";" spec ${spec})
    list(GET spec 0 t)
    list(GET spec 1 secs)
    if(EXISTS ${svc_dir}/test_${t}.c)
      kc_test(agent_svc_${t} SOURCES ${svc_dir}/test_${t}.c ${svc_dir}/fake_llm.c
              LIBS kc_agent_svc kc_testutil LABELS unit TIMEOUT ${secs})
      target_compile_definitions(agent_svc_${t} PRIVATE
        KC_AGENT_TEST_CORPUS="${CMAKE_CURRENT_SOURCE_DIR}/tests/corpus")
    endif()
  endforeach()
  # The llama.cpp path on a tiny random-weight GGUF the test writes (gguf API of libggml-base).
  if(KC_HAVE_LLAMA_H AND EXISTS ${KC_ASSETS}/llama/bin/libggml-base.so
     AND EXISTS ${svc_dir}/test_llm_llama.c)
    kc_test(agent_svc_llm_llama SOURCES ${svc_dir}/test_llm_llama.c
            LIBS kc_agent_svc kc_testutil ${KC_ASSETS}/llama/bin/libggml-base.so
            LABELS unit TIMEOUT 120)
    target_include_directories(agent_svc_llm_llama SYSTEM PRIVATE ${kc_llama_inc} ${kc_ggml_inc})
    set_target_properties(agent_svc_llm_llama PROPERTIES BUILD_RPATH ${KC_ASSETS}/llama/bin)
    target_compile_definitions(agent_svc_llm_llama PRIVATE
      KC_LLAMA_VOCAB="${KC_ASSETS}/llama/src/models/ggml-vocab-llama-spm.gguf")
  endif()
endif()

# --- API integration test (tests/integration/agent): redis + the real kocruit-agent ---
set(agent_it ${CMAKE_SOURCE_DIR}/tests/integration/agent/test_agent_api.c)
if(TARGET kc_testutil AND EXISTS ${agent_it})
  kc_test(agent_api SOURCES ${agent_it} LIBS kc_testutil PkgConfig::JANSSON
          LABELS integration SERIAL TIMEOUT 300
          ENV "KC_AGENT_BIN=$<TARGET_FILE:kocruit-agent>;KC_AGENT_CORPUS=${CMAKE_CURRENT_SOURCE_DIR}/tests/corpus")
endif()
