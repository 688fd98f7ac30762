# HYPERTAPE_CUDA: AUTO builds the CUDA backend (gpu/) whenever nvcc is found, ON requires it, OFF
# skips it. CI has nvcc and no GPU, so it compiles every CUDA source; the device tests are then
# skipped at run time.

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

if(HYPERTAPE_CUDA_FOUND)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # H100 and H200 (sm_90) machine code plus compute_90 PTX for newer GPUs to JIT.
    set(CMAKE_CUDA_ARCHITECTURES 90)
  endif()
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
  enable_language(CUDA)
  # CMake 3.25 knows no C++20 dialect flag for nvcc and would reject the library's cxx_std_20.
  if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
  endif()
  find_package(CUDAToolkit REQUIRED)
endif()
message(STATUS "hypertape: CUDA backend: ${HYPERTAPE_CUDA_FOUND} (HYPERTAPE_CUDA=${HYPERTAPE_CUDA})")
