# tests/browser/browser.cmake — the web UI's browser tests as one ctest test (label
# "browser"), included from tests/CMakeLists.txt. tests/browser/run starts redis-server,
# kocruit-backend (and the agent and video service when built) on free ports, drives Debian's
# chromium with playwright-core (`npm ci --prefix tests/browser`, no browser download) and
# writes screenshots to <build>/browser-artifacts/. It exits 77 — reported as skipped —
# when chromium, node, the npm packages or the backend binary are missing.
add_test(NAME browser_ui COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run ${CMAKE_BINARY_DIR})
set_tests_properties(browser_ui PROPERTIES LABELS browser TIMEOUT 900 RUN_SERIAL TRUE
  SKIP_RETURN_CODE 77
  ENVIRONMENT "KC_SHARED_DIR=${KC_SHARED_DIR};KOCRUIT_ASSETS=${KC_ASSETS}")
