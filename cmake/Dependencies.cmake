# Every dependency comes from a Debian package (scripts/bootstrap installs them).
include(GNUInstallDirs)

find_package(Boost 1.74 REQUIRED)   # Boost.Container (static_vector, small_vector) and Boost.Pool: headers
find_package(TBB REQUIRED)          # oneTBB parallel loops
find_package(OpenBLAS REQUIRED)     # CBLAS gemm
find_package(ZLIB REQUIRED)         # gzip-compressed IDX data files

