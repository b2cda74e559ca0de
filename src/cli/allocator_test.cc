#include "cli/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#if defined(__SANITIZE_ADDRESS__)
#define LP_ALLOCATOR_REPLACED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LP_ALLOCATOR_REPLACED 1
#endif
#endif

namespace lakepipe::cli {
namespace {

// Blocks glibc serves with a mapping of their own.
size_t MappedBlocks() { return mallinfo2().hblks; }

// Bytes of the main heap (the main thread's arena) taken from the system.
size_t HeapBytes() { return mallinfo2().arena; }

// A block the compiler cannot elide (it may drop a malloc and free pair).
void* Touched(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p != nullptr) std::memset(p, 1, bytes);
  asm volatile("" : : "g"(p) : "memory");
  return p;
}

class AllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef LP_ALLOCATOR_REPLACED
    GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
#endif
  }
};

TEST_F(AllocatorTest, ArchiveMapsBlocksOfAMebibyteAndMoreOnly) {
  TuneAllocatorFor(Workload::kArchive);
  // glibc's own policy would raise its threshold to 8 MiB when this block
  // is freed, and serve the next ones from the heap.
  std::free(Touched(8 << 20));
  size_t before = MappedBlocks();
  void* large = Touched(2 << 20);
  EXPECT_EQ(MappedBlocks(), before + 1);
  std::free(large);
  before = MappedBlocks();
  void* small = Touched(512 << 10);  // glibc maps it by default (over 128 KiB)
  EXPECT_EQ(MappedBlocks(), before);
  std::free(small);
}

// In the order `run` applies them: the archive's settings, then the jobs'.
TEST_F(AllocatorTest, JobsKeepFreedMemoryInTheHeap) {
  TuneAllocatorFor(Workload::kArchive);
  TuneAllocatorFor(Workload::kJobs);
  // 96 MiB in blocks small enough for the heap under any settings, freed
  // from the top down: they all merge into the heap's free top.
  std::vector<void*> blocks;
  blocks.reserve(1536);  // allocated first, so that it lies below the blocks
  for (size_t i = 0; i < blocks.capacity(); ++i) blocks.push_back(Touched(64 << 10));
  const size_t peak = HeapBytes();
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) std::free(*it);
  // glibc's own policy gives a free top back once it exceeds its trim
  // threshold (128 KiB, raised with its mapping threshold to at most 64 MiB).
  EXPECT_GE(HeapBytes(), peak);
  EXPECT_GE(peak, size_t{96} << 20);
}

}  // namespace
}  // namespace lakepipe::cli
