#include "cli/allocator.h"

#include <malloc.h>

namespace lakepipe::cli {

void TuneAllocatorFor(Workload workload) {
  switch (workload) {
    case Workload::kArchive:
      // Blocks of 1 MiB and more are mapped on their own and go straight
      // back to the system when freed, instead of lingering in the heap of
      // whichever thread freed them: peak RSS then follows the data in use.
      // (A fixed threshold also stops glibc from raising it each time such a
      // block is freed.)
      mallopt(M_MMAP_THRESHOLD, 1 << 20);
      return;
    case Workload::kJobs:
      // Freed memory stays in the process for reuse: blocks up to 256 MiB
      // come from the heap instead of mappings of their own, the heap is
      // given back only once 512 MiB at its top are free, and it grows
      // 64 MiB at a time. The peak RSS grows by the largest buffers.
      mallopt(M_MMAP_THRESHOLD, 256 << 20);
      mallopt(M_TRIM_THRESHOLD, 512 << 20);
      mallopt(M_TOP_PAD, 64 << 20);
      return;
  }
}

}  // namespace lakepipe::cli
