# agent/text.cmake — the agent's offline text intelligence (agent/src/text): UTF-8 and
# normalisation, tokenizer, sentences, BM25, lexicon, dates, screening, highlights, similarity
# index, interview questions and answer grading. Data files live in agent/data
# (KC_AGENT_DATA_DIR); unit tests and their corpus in agent/tests.
file(GLOB kc_agent_text_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/text/*.c)
target_sources(kc_agent PRIVATE ${kc_agent_text_sources})

set(kc_agent_text_tests text_foundations text_lexicon text_dates text_screen text_sim
    text_highlight text_questions text_grade text_errors)
foreach(t ${kc_agent_text_tests})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_${t}.c)
    kc_test(agent_${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_${t}.c
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/corpus.c
            LIBS kc_agent LABELS unit)
    target_compile_definitions(agent_${t} PRIVATE
      KC_AGENT_TEST_CORPUS="${CMAKE_CURRENT_SOURCE_DIR}/tests/corpus")
  endif()
endforeach()

# Benchmark driver (bench/agent/run builds and runs it); not a test.
if(EXISTS ${CMAKE_SOURCE_DIR}/bench/agent/bench_agent.c)
  add_executable(bench_agent ${CMAKE_SOURCE_DIR}/bench/agent/bench_agent.c)
  target_link_libraries(bench_agent PRIVATE kc_agent Threads::Threads)
endif()
