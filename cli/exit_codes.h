// Exit statuses, following sysexits(3).
#pragma once

namespace smc {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;     // bad command line
inline constexpr int kExitDataErr = 65;   // invalid topology
inline constexpr int kExitNoInput = 66;   // cannot open a file
inline constexpr int kExitSoftware = 70;  // a component failed at run time
inline constexpr int kExitIoErr = 74;     // reading or writing failed

}  // namespace smc
