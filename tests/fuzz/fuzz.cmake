# tests/fuzz/fuzz.cmake — libFuzzer targets for every parser that takes outside input
# (included by tests/CMakeLists.txt; also includable on its own after the top-level
# pkg_check_modules calls). The services build with gcc, which has no libFuzzer, so each target
# is compiled by clang-14 in one add_custom_command from exactly the .c files it needs, with
# -fsanitize=fuzzer,address,undefined (UB is fatal). A ctest entry per target (LABELS fuzz)
# generates a seed corpus and fuzzes for KC_FUZZ_SECONDS (15 s); any crash, leak, UB report or
# broken invariant fails it and leaves the reproducer in <build>/tests/fuzz/work-<t>/artifacts.
# Longer runs: tests/fuzz/run ALL 300 (see tests/fuzz/README.md).
# Not duplicated here: video-analysis/fuzz (demux/decode) and lib/ml/fuzz (TF.js loader).
find_program(KC_CLANG14 clang-14)
if(NOT KC_CLANG14)
  message(STATUS "fuzz: clang-14 not found, parser fuzz targets skipped")
  return()
endif()
set(KC_FUZZ_SECONDS 15 CACHE STRING "seconds each fuzz ctest runs")
set(kc_fz_src ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(kc_fz_bin ${CMAKE_BINARY_DIR}/tests/fuzz)
set(kc_core ${CMAKE_SOURCE_DIR}/lib/core)
set(kc_be ${CMAKE_SOURCE_DIR}/backend/src)
file(MAKE_DIRECTORY ${kc_fz_bin})

# kc_fuzz(NAME SOURCES a.c ... PKGS jansson ... [DEFS -DX=1 ...] [ENV K=V ...])
function(kc_fuzz name)
  cmake_parse_arguments(F "" "" "SOURCES;PKGS;DEFS;ENV" ${ARGN})
  set(cflags "")
  set(libs "")
  foreach(p ${F_PKGS})
    list(APPEND cflags ${${p}_CFLAGS})
    list(APPEND libs ${${p}_LDFLAGS})
  endforeach()
  set(out ${kc_fz_bin}/fuzz_${name})
  set(all_src ${kc_fz_src}/fuzz_${name}.c ${F_SOURCES})
  add_custom_command(OUTPUT ${out}
    COMMAND ${KC_CLANG14} -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
            -fno-sanitize-recover=undefined -I${CMAKE_SOURCE_DIR}/lib -I${kc_core} -I${kc_be}
            -I${CMAKE_SOURCE_DIR}/agent/src ${F_DEFS} ${cflags} ${all_src} ${libs} -lpthread -lm
            -o ${out}
    DEPENDS ${all_src}
    COMMENT "libFuzzer target fuzz_${name} (clang-14)" VERBATIM)
  add_custom_target(fuzz_${name} ALL DEPENDS ${out})
  add_test(NAME fuzz_${name}
           COMMAND sh ${kc_fz_src}/run --bin ${kc_fz_bin} --work ${kc_fz_bin}/work-${name}
                   ${name} ${KC_FUZZ_SECONDS})
  set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 240
    ENVIRONMENT "KC_SOURCE_DIR=${CMAKE_SOURCE_DIR};${F_ENV}")
endfunction()

file(GLOB kc_fz_http ${kc_core}/http*.c)
set(kc_fz_httpdeps ${kc_fz_http} ${kc_core}/log.c ${kc_core}/metrics.c ${kc_core}/err.c)

# 1. raw HTTP against a real kc_http server (router, percent-decoding, query, multipart, JSON)
kc_fuzz(http SOURCES ${kc_fz_httpdeps} PKGS MHD JANSSON SODIUM)
# 2. jansson parse + kc_json_str/int/num/bool/enum
kc_fuzz(json_fields SOURCES ${kc_fz_httpdeps} PKGS MHD JANSSON SODIUM)
# 3. kc_config_load_from
kc_fuzz(config SOURCES ${kc_core}/config.c ${kc_core}/redis.c ${kc_core}/log.c ${kc_core}/err.c
        PKGS JANSSON HIREDIS SODIUM)
# 4. backend: resume sections, mime sniffing, validators, job-post body; JWT verification.
# The round trip (parser output must pass the validator) is checked; an earlier finding is
# kept in tests/fuzz/crashes/backend_input/ and replayed as a seed.
kc_fuzz(backend_input SOURCES ${kc_be}/sections.c ${kc_be}/sections_check.c ${kc_be}/mime.c
        ${kc_be}/validate.c ${kc_be}/jobinput.c ${kc_fz_httpdeps} PKGS MHD JANSSON SODIUM HIREDIS JWT)
kc_fuzz(jwt SOURCES ${kc_be}/token.c ${kc_core}/err.c PKGS JANSSON SODIUM JWT)
# 5. PDF text extraction (poppler)
kc_fuzz(pdftext SOURCES ${kc_be}/pdf_extract.c ${kc_core}/err.c PKGS JANSSON POPPLER HIREDIS JWT)
# 6. agent text library + screening
file(GLOB kc_fz_text ${CMAKE_SOURCE_DIR}/agent/src/text/*.c)
kc_fuzz(agent_text SOURCES ${kc_fz_text} ${kc_core}/err.c PKGS JANSSON
        DEFS -DKC_AGENT_DATA_DIR="${CMAKE_SOURCE_DIR}/agent/data")
