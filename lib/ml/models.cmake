# lib/ml/models.cmake — ONNX Runtime binding, image operations, model wrappers and their tests.
# Included by lib/ml/CMakeLists.txt (which defines kc_ml and KC_DEFAULT_ASSETS).
find_path(KC_STB_INCLUDE stb/stb_image.h REQUIRED)
find_library(KC_STB_LIB stb REQUIRED)

target_sources(kc_ml PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/ort.c
  ${CMAKE_CURRENT_SOURCE_DIR}/image.c
  ${CMAKE_CURRENT_SOURCE_DIR}/models/assets.c
  ${CMAKE_CURRENT_SOURCE_DIR}/models/blazeface.c
  ${CMAKE_CURRENT_SOURCE_DIR}/models/silero_vad.c)
target_include_directories(kc_ml PRIVATE ${KC_STB_INCLUDE})

# The TF.js model wrappers need the graph runner (runtime.cmake); without it they are left out
# rather than breaking the build of the ONNX parts.
get_target_property(kc_ml_sources kc_ml SOURCES)
list(FILTER kc_ml_sources INCLUDE REGEX "/tfjs\\.c$")
if(kc_ml_sources)
  set(KC_ML_HAVE_TFJS ON)
  target_sources(kc_ml PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR}/models/tfjs_model.c
    ${CMAKE_CURRENT_SOURCE_DIR}/models/facemesh.c
    ${CMAKE_CURRENT_SOURCE_DIR}/models/iris.c
    ${CMAKE_CURRENT_SOURCE_DIR}/models/emotion.c
    ${CMAKE_CURRENT_SOURCE_DIR}/models/posenet.c)
endif()
target_link_libraries(kc_ml PUBLIC ${KC_STB_LIB})

kc_test(test_image SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_image.c LIBS kc_ml LABELS unit)
kc_test(test_ort SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_ort.c LIBS kc_ml LABELS unit)
kc_test(test_models_blazeface SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_models_blazeface.c
        LIBS kc_ml LABELS unit)
kc_test(test_models_silero_vad SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_models_silero_vad.c
        LIBS kc_ml LABELS unit)
if(KC_ML_HAVE_TFJS)
  kc_test(test_models_golden SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_models_golden.c
          LIBS kc_ml LABELS unit)
  kc_test(test_models_face SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_models_face.c
          LIBS kc_ml LABELS unit)
endif()
