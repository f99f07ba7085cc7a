# registry + endpoint: zstd for the event store columns, libsodium for keyed pseudonyms,
# toml++ for endpoint definitions (header-only; compiled in one translation unit).
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
target_link_libraries(kohort_lib PUBLIC PkgConfig::ZSTD PkgConfig::SODIUM PkgConfig::TOMLPP)
# SQLite for OMOP CDM input.
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
target_link_libraries(kohort_lib PUBLIC PkgConfig::SQLITE3)
