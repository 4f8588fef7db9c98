# natrium_add_test(NAME SOURCES...): one Catch2 v2 test executable registered with ctest.
find_package(Catch2 2 QUIET)
function(natrium_add_test name)
  add_executable(${name} ${ARGN} ${PROJECT_SOURCE_DIR}/tests/unit/catch_main.cpp)
  target_link_libraries(${name} PRIVATE natrium_core)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
