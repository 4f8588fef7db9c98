# natrium_add_test(NAME SOURCES...): one Catch2 v2 test executable registered with ctest.
# The Catch2 main is compiled once, in natrium_catch_main (created on first use,
# so builds without unit tests, such as wasm and fuzz, never compile it).
function(natrium_add_test name)
  if(NOT TARGET natrium_catch_main)
    add_library(natrium_catch_main STATIC ${PROJECT_SOURCE_DIR}/tests/unit/catch_main.cpp)
  endif()
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE natrium_catch_main natrium_core)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
