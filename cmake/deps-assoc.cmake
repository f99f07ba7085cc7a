# assoc: Eigen for the dense products, Boost.Math (headers) for distributions.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Boost REQUIRED)
target_link_libraries(kohort_lib PUBLIC Eigen3::Eigen Boost::boost)

# The bit-plane sums (assoc/packed_sums.cpp, no Eigen inside), the dense sums
# (assoc/dense_sums.cpp) and the exact-missing lanes (assoc/missing_projection.cpp) use AVX-512 where the building
# processor has it: the rest of the build leaves AVX-512 off (see KOHORT_NATIVE), but these sums
# are loads and adds of whole registers, and 8-double registers halve their instructions.
if(KOHORT_NATIVE)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-march=native")
  check_cxx_source_compiles("#ifndef __AVX512F__\n#error no AVX-512\n#endif\nint main() { return 0; }" KOHORT_NATIVE_AVX512)
  unset(CMAKE_REQUIRED_FLAGS)
  if(KOHORT_NATIVE_AVX512)
    set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/assoc/packed_sums.cpp ${CMAKE_CURRENT_SOURCE_DIR}/assoc/dense_sums.cpp
                 ${CMAKE_CURRENT_SOURCE_DIR}/assoc/missing_projection.cpp APPEND PROPERTY COMPILE_OPTIONS -mavx512f)
  endif()
endif()
# The dense sums and the exact-missing lanes multiply and add: without contraction into fused
# multiply-adds, which a compiler may or may not do per register width and for a loop's tail,
# they are the same bits with AVX2 and AVX-512 and in every lane.
set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/assoc/dense_sums.cpp ${CMAKE_CURRENT_SOURCE_DIR}/assoc/missing_projection.cpp
             APPEND PROPERTY COMPILE_OPTIONS -ffp-contract=off)
