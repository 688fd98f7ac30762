# `cmake --install` lays out include/hypertape/..., the library and a CMake package, so that a
# separate project can write find_package(hypertape CONFIG) and link hypertape::hypertape.
include(CMakePackageConfigHelpers)

set(HYPERTAPE_INSTALLED_TARGETS hypertape)
if(HYPERTAPE_TOOLS)
  list(APPEND HYPERTAPE_INSTALLED_TARGETS hypertape_experiments)
endif()
install(TARGETS ${HYPERTAPE_INSTALLED_TARGETS} EXPORT hypertapeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES hypertape.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hypertape)
set(HYPERTAPE_HEADER_DIRS tape ops data solvers bilevel)
if(HYPERTAPE_TOOLS)
  list(APPEND HYPERTAPE_HEADER_DIRS experiments)
endif()
install(DIRECTORY ${HYPERTAPE_HEADER_DIRS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hypertape
  FILES_MATCHING PATTERN "*.hpp" PATTERN "cpu" EXCLUDE)
install(EXPORT hypertapeTargets NAMESPACE hypertape:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hypertape)

configure_package_config_file(cmake/hypertapeConfig.cmake.in
  "${PROJECT_BINARY_DIR}/hypertapeConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hypertape)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/hypertapeConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/hypertapeConfig.cmake" "${PROJECT_BINARY_DIR}/hypertapeConfigVersion.cmake"
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hypertape)
