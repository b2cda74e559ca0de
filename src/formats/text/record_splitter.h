// Splitting a text file into records with bounded memory (internal to the
// text module).
//
// RecordSplitter reads an InputFile in chunks and hands out one record at a
// time. A record that lies inside a chunk is returned in place (no copy);
// only a record that crosses a chunk boundary is assembled in a carry
// buffer. Every returned record is followed by at least kRecordPadding
// readable bytes, as simdjson requires. A UTF-8 byte order mark at the
// start of the file is skipped.
//
// Where a record ends is decided by a RecordScanner (lines, CSV rows,
// elements of a JSON array). A record longer than the maximum is not kept
// in memory: it is returned with `oversized` set and only its first bytes.
//
// Thread-safety: none; one reader at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/object_store.h"

namespace lakepipe::text {

// Readable bytes guaranteed after every record (>= SIMDJSON_PADDING).
inline constexpr size_t kRecordPadding = 64;
inline constexpr size_t kDefaultChunkBytes = size_t{8} << 20;
// Longest record accepted. Parsing a JSON record with simdjson needs about
// six times its size in scratch memory, so this bounds a reader's memory.
inline constexpr size_t kDefaultMaxRecordBytes = size_t{64} << 20;

// Finds record ends. Scanners keep state across calls so that a record may
// span chunks, and count the line feeds they pass.
class RecordScanner {
 public:
  static constexpr size_t kNotFound = ~size_t{0};
  virtual ~RecordScanner() = default;
  // Scans data[from, size) for the end of the current record. Returns the
  // index just past the record's terminator and sets `*content_end` to the
  // end of its content, or returns kNotFound when the record goes on past
  // `size` (then every byte up to `size` has been consumed).
  virtual size_t Scan(const char* data, size_t from, size_t size, size_t* content_end) = 0;
  // Line feeds passed so far.
  uint64_t newlines() const { return newlines_; }

 protected:
  uint64_t newlines_ = 0;
};

// Records are lines ending with '\n' (the '\n' is not part of the content).
class LineScanner final : public RecordScanner {
 public:
  size_t Scan(const char* data, size_t from, size_t size, size_t* content_end) override;
};

struct RawRecord {
  // The record's content (terminator excluded). Valid until the next call
  // to Next(); followed by at least kRecordPadding readable bytes.
  std::string_view text;
  uint64_t line = 0;    // 1-based line of the record's first byte
  uint64_t offset = 0;  // file offset of the record's first byte
  // False when the file ended before the record's terminator.
  bool terminated = true;
  // The record was longer than the maximum; `text` holds its first bytes.
  bool oversized = false;
  uint64_t size = 0;  // the record's full size in bytes
};

class RecordSplitter {
 public:
  // REQUIRES: `file` and `scanner` outlive the splitter; chunk_bytes > 0.
  RecordSplitter(InputFile* file, RecordScanner* scanner, size_t chunk_bytes = kDefaultChunkBytes,
                 size_t max_record_bytes = kDefaultMaxRecordBytes);

  // Sets `*record` to the next record; returns false at the end of the file.
  Result<bool> Next(RawRecord* record);

  size_t max_record_bytes() const { return max_record_bytes_; }

 private:
  Status ReadChunk();
  void AppendCarry(const char* data, size_t n);

  InputFile* file_;
  RecordScanner* scanner_;
  size_t chunk_bytes_;
  size_t max_record_bytes_;
  uint64_t file_size_;
  std::string chunk_;
  size_t pos_ = 0;
  uint64_t chunk_offset_ = 0;
  uint64_t next_read_ = 0;
  bool eof_ = false;
  bool started_ = false;
  // A record assembled across chunks, and whether Next() returned it.
  std::string carry_;
  bool carry_returned_ = false;
  uint64_t carry_size_ = 0;
  bool carry_oversized_ = false;
};

}  // namespace lakepipe::text
