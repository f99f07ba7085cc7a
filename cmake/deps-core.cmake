# core: libdeflate compresses BGZF blocks (deterministic: the same data, the same bytes).
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
target_link_libraries(kohort_lib PUBLIC PkgConfig::LIBDEFLATE)
