# Helpers that give every lakepipe module the same shape: a library target
# `lakepipe_<name>` (alias `lakepipe::<name>`) and a test binary `<name>_test`
# built from the module's *_test.cc files.

# -Wno-restrict: GCC 12 reports bogus overlaps inside std::string at -O2
# (GCC bug 105329).
set(LAKEPIPE_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND LAKEPIPE_WARNINGS -Wno-restrict)
endif()

function(lakepipe_apply_flags target)
  target_compile_options(${target} PRIVATE ${LAKEPIPE_WARNINGS})
  if(LAKEPIPE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# lakepipe_module(NAME name SOURCES a.cc b.cc DEPS lakepipe::core ... TESTS a_test.cc ...)
function(lakepipe_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;TESTS;TEST_DEPS" ${ARGN})
  set(target lakepipe_${M_NAME})
  add_library(${target} STATIC ${M_SOURCES})
  add_library(lakepipe::${M_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${M_DEPS})
  lakepipe_apply_flags(${target})
  if(LAKEPIPE_SANITIZE)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
  if(LAKEPIPE_BUILD_TESTS AND M_TESTS)
    add_executable(${M_NAME}_test ${M_TESTS})
    target_link_libraries(${M_NAME}_test PRIVATE ${target} ${M_TEST_DEPS} lakepipe::testing
      GTest::gtest GTest::gtest_main)
    lakepipe_apply_flags(${M_NAME}_test)
    add_test(NAME ${M_NAME}_test COMMAND ${M_NAME}_test)
    set_tests_properties(${M_NAME}_test PROPERTIES ENVIRONMENT
      "LAKEPIPE_SOURCE_DIR=${PROJECT_SOURCE_DIR};LAKEPIPE_BINARY=${PROJECT_BINARY_DIR}/lakepipe")
  endif()
endfunction()
