# genotype: zstd for BGEN 1.3 blocks, libdeflate for their zlib blocks (faster than zlib's inflate).
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
target_link_libraries(kohort_lib PUBLIC PkgConfig::ZSTD)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
target_link_libraries(kohort_lib PUBLIC PkgConfig::LIBDEFLATE)
# SQLite to read bgenix .bgi indexes.
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
target_link_libraries(kohort_lib PUBLIC PkgConfig::SQLITE3)
