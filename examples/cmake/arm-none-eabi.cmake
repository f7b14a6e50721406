# CMake toolchain file for bare-metal Cortex-M with the GNU Arm Embedded toolchain (arm-none-eabi-gcc,
# newlib-nano). Use with: cmake -DCMAKE_TOOLCHAIN_FILE=arm-none-eabi.cmake ...
#
# MCU_FLAGS selects the core; the default is the Cortex-M4 with its single-precision FPU (hard-float ABI),
# which QEMU emulates as `-M mps2-an386`. For the Cortex-M7 (`-M mps2-an500`):
#   -DMCU_FLAGS="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(TOOLCHAIN_PREFIX "arm-none-eabi-" CACHE STRING "Prefix of the cross tools (may include a folder)")
set(CMAKE_C_COMPILER "${TOOLCHAIN_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${TOOLCHAIN_PREFIX}g++")
set(CMAKE_ASM_COMPILER "${TOOLCHAIN_PREFIX}gcc")
set(CMAKE_OBJCOPY "${TOOLCHAIN_PREFIX}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_SIZE "${TOOLCHAIN_PREFIX}size" CACHE FILEPATH "size")

set(MCU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" CACHE STRING "Core code-generation flags")

# Compiler checks link a test program; without startup code and a linker script that cannot work on
# bare metal, so they build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "${MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${MCU_FLAGS}")
# newlib-nano without OS calls; the project provides its own startup code (-nostartfiles).
set(CMAKE_EXE_LINKER_FLAGS_INIT "${MCU_FLAGS} -specs=nano.specs -specs=nosys.specs -nostartfiles -Wl,--gc-sections")

# Libraries and headers come from the cross toolchain's sysroot, programs from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
