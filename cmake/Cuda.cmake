# HYPERTAPE_CUDA: AUTO builds the CUDA backend whenever nvcc is found, ON requires it, OFF skips
# it. The backend itself (gpu/) is not part of the library yet; until it is, this only reports
# whether it could be built, so that the option's meaning is fixed from the start.
include(CheckLanguage)
set(HYPERTAPE_CUDA_FOUND OFF)
if(NOT HYPERTAPE_CUDA STREQUAL "OFF")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(HYPERTAPE_CUDA_FOUND ON)
  elseif(HYPERTAPE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "HYPERTAPE_CUDA=ON but no CUDA compiler was found")
  endif()
endif()
message(STATUS "hypertape: CUDA compiler found: ${HYPERTAPE_CUDA_FOUND} (HYPERTAPE_CUDA=${HYPERTAPE_CUDA}; gpu/ backend not built yet)")
