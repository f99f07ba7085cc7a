# genotype: zstd for BGEN 1.3 blocks; their zlib blocks use libdeflate (found by deps-core),
# faster than zlib's inflate.
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
target_link_libraries(kohort_lib PUBLIC PkgConfig::ZSTD)
# SQLite to read bgenix .bgi indexes.
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
target_link_libraries(kohort_lib PUBLIC PkgConfig::SQLITE3)
