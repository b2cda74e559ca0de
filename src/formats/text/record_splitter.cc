#include "formats/text/record_splitter.h"

#include <algorithm>
#include <cstring>

namespace lakepipe::text {

namespace {

// Bytes of an oversized record kept for the bad-record report.
constexpr size_t kOversizedPreview = 1024;

}  // namespace

size_t LineScanner::Scan(const char* data, size_t from, size_t size, size_t* content_end) {
  const void* hit = std::memchr(data + from, '\n', size - from);
  if (hit == nullptr) return kNotFound;
  const size_t i = static_cast<size_t>(static_cast<const char*>(hit) - data);
  ++newlines_;
  *content_end = i;
  return i + 1;
}

RecordSplitter::RecordSplitter(InputFile* file, RecordScanner* scanner, size_t chunk_bytes,
                               size_t max_record_bytes)
    : file_(file),
      scanner_(scanner),
      chunk_bytes_(chunk_bytes),
      max_record_bytes_(max_record_bytes),
      file_size_(file->size()) {
  chunk_.reserve(static_cast<size_t>(std::min<uint64_t>(chunk_bytes_, file_size_)) +
                 kRecordPadding);
}

Status RecordSplitter::ReadChunk() {
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark, whatever the chunk size.
    std::string head;
    LP_RETURN_IF_ERROR(file_->ReadAt(0, 3, &head));
    if (head == "\xEF\xBB\xBF") next_read_ = 3;
  }
  chunk_offset_ = next_read_;
  LP_RETURN_IF_ERROR(file_->ReadAt(next_read_, chunk_bytes_, &chunk_));
  next_read_ += chunk_.size();
  if (chunk_.empty() || next_read_ >= file_size_) eof_ = true;
  if (chunk_.capacity() < chunk_.size() + kRecordPadding) {
    chunk_.reserve(chunk_.size() + kRecordPadding);
  }
  pos_ = 0;
  return Status::OK();
}

void RecordSplitter::AppendCarry(const char* data, size_t n) {
  carry_size_ += n;
  if (!carry_oversized_ && carry_.size() + n > max_record_bytes_) {
    // Too long to keep: hold on to its beginning only, for the report.
    carry_oversized_ = true;
    if (carry_.size() > kOversizedPreview) carry_.resize(kOversizedPreview);
    carry_.shrink_to_fit();
  }
  if (!carry_oversized_) {
    carry_.append(data, n);
  } else if (carry_.size() < kOversizedPreview) {
    carry_.append(data, std::min(n, kOversizedPreview - carry_.size()));
  }
}

Result<bool> RecordSplitter::Next(RawRecord* record) {
  if (carry_returned_) {
    carry_.clear();
    carry_size_ = 0;
    carry_oversized_ = false;
    carry_returned_ = false;
  }
  bool carrying = false;
  uint64_t line = 0;
  uint64_t offset = 0;
  auto from_carry = [&](bool terminated) {
    carry_.reserve(carry_.size() + kRecordPadding);
    record->text = carry_;
    record->line = line;
    record->offset = offset;
    record->terminated = terminated;
    record->oversized = carry_oversized_;
    record->size = carry_size_;
    carry_returned_ = true;
  };
  while (true) {
    if (pos_ >= chunk_.size()) {
      if (eof_) {
        if (!carrying) return false;
        from_carry(false);
        return true;
      }
      LP_RETURN_IF_ERROR(ReadChunk());
      continue;
    }
    const size_t start = pos_;
    if (!carrying) {
      line = 1 + scanner_->newlines();
      offset = chunk_offset_ + start;
    }
    size_t content_end = start;
    const size_t next = scanner_->Scan(chunk_.data(), start, chunk_.size(), &content_end);
    if (next == RecordScanner::kNotFound) {
      AppendCarry(chunk_.data() + start, chunk_.size() - start);
      carrying = true;
      pos_ = chunk_.size();
      continue;
    }
    pos_ = next;
    if (carrying) {
      AppendCarry(chunk_.data() + start, content_end - start);
      from_carry(true);
      return true;
    }
    const size_t n = content_end - start;
    record->oversized = n > max_record_bytes_;
    record->text =
        std::string_view(chunk_.data() + start, record->oversized ? kOversizedPreview : n);
    record->line = line;
    record->offset = offset;
    record->terminated = true;
    record->size = n;
    return true;
  }
}

}  // namespace lakepipe::text
