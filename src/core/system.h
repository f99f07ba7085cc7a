#pragma once
// What the machine and the operating system allow the process: its physical memory, and how many
// files it may hold open at once (a GWAS of thousands of phenotypes writes as many files together).
#include <cstddef>

namespace kohort {

// Bytes of physical memory (8 GiB where the system does not say).
std::size_t physical_memory();

// Raises the soft limit on open files (`ulimit -Sn`, 1,024 on most systems) to the hard limit
// (`ulimit -Hn`; where that is unlimited, the most the kernel allows) and returns the limit now
// in force. Called once at start-up.
std::size_t raise_open_file_limit();

// The soft limit on open files now in force (unlimited: the largest size_t).
std::size_t open_file_limit();

}  // namespace kohort
