#include "formats/parquet/parquet_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <type_traits>

#include "compress/codec.h"
#include "core/version.h"
#include "formats/parquet/encoding.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/schema_mapping.h"
#include "formats/parquet/schema_to_parquet.h"
#include "formats/parquet/shred.h"

namespace lakepipe {
namespace parquet {
namespace {

constexpr char kMagic[] = "PAR1";
// Pages end at this many values even when they are still small (very
// compressible dictionary indices), keeping page buffers bounded.
constexpr size_t kMaxPageValues = 1 << 17;
constexpr size_t kPageCheckInterval = 64;
// zstd levels the default setting chooses between, per column.
constexpr int kZstdFastLevel = 1;
constexpr int kZstdStandardLevel = 3;
// Values hashed and prefetched ahead of dictionary probes.
constexpr size_t kLookupBatch = 16;
// Longer min/max values are not written (bounds stay exact and footers small).
constexpr size_t kMaxStatisticsBytes = 256;
// The dictionary is dropped after the first page when dictionary plus
// indices take more than this share of the PLAIN size.
constexpr double kDictionaryPayoff = 0.75;

void PutLe32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}

template <typename T>
void PutPlain(T v, std::string* out) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out->append(b, sizeof(T));
}

template <typename T>
std::string PlainBytes(T v) {
  std::string s;
  PutPlain(v, &s);
  return s;
}

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (s.size() * 0x100000001b3ULL);
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ (w * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
    h = (h << 31) | (h >> 33);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h ^= tail * 0x87c37b91114253d5ULL;
  return Mix64(h);
}

// Open-addressing map from a value to its dictionary index. Entries live in
// the caller's storage; `equal(index)` compares the probe with entry `index`.
// A slot keeps the entry's index beside 32 bits of its hash, so a probe
// touches one cache line before comparing values.
class DictSlots {
 public:
  DictSlots() { Resize(1024); }

  // Returns the index of the entry with hash `h` for which `equal` holds, or
  // inserts `next_index` and sets *inserted.
  template <typename Eq>
  uint32_t FindOrInsert(uint64_t h, uint32_t next_index, Eq&& equal, bool* inserted) {
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t slot = h & mask_;
    while (true) {
      const Slot& s = slots_[slot];
      if (s.index == kEmpty) break;
      if (s.tag == tag && equal(s.index)) {
        *inserted = false;
        return s.index;
      }
      slot = (slot + 1) & mask_;
    }
    slots_[slot] = Slot{next_index, tag};
    hashes_.push_back(h);
    *inserted = true;
    if (hashes_.size() * 2 > slots_.size()) Resize(slots_.size() * 2);
    return next_index;
  }

  // Empties the map and gives its memory back (a dropped dictionary must
  // not keep holding it in every open file).
  void Clear() {
    std::vector<uint64_t>().swap(hashes_);
    std::vector<Slot>(kInitialSlots, Slot{kEmpty, 0}).swap(slots_);
    mask_ = kInitialSlots - 1;
  }

  // Hints for batched lookups: load the home slot of `h`, and name the entry
  // it holds now (kEmpty when none). Neither changes the map.
  void PrefetchSlot(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  uint32_t PeekSlot(uint64_t h) const { return slots_[h & mask_].index; }

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  static constexpr size_t kInitialSlots = 1024;
  struct Slot {
    uint32_t index;
    uint32_t tag;
  };
  void Resize(size_t n) {
    slots_.assign(n, Slot{kEmpty, 0});
    mask_ = n - 1;
    for (uint32_t e = 0; e < hashes_.size(); ++e) {
      size_t slot = hashes_[e] & mask_;
      while (slots_[slot].index != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = Slot{e, static_cast<uint32_t>(hashes_[e] >> 32)};
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint64_t> hashes_;  // by entry, for resizing
  size_t mask_ = 0;

 public:
  uint64_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + hashes_.capacity() * sizeof(uint64_t);
  }
};

// Encoded pages of one column chunk, in blocks of fixed size: memory grows
// by at most one block at a time and nothing is copied as it grows.
class PageBuffer {
 public:
  void Append(std::string_view data) {
    size_ += data.size();
    while (!data.empty()) {
      if (blocks_.empty() || blocks_.back().size() == kBlockSize) {
        blocks_.emplace_back();
        blocks_.back().reserve(kBlockSize);
      }
      std::string& block = blocks_.back();
      const size_t n = std::min(data.size(), kBlockSize - block.size());
      block.append(data.data(), n);
      data.remove_prefix(n);
    }
  }
  size_t size() const { return size_; }
  // Memory held: whole blocks (reserved block memory is touched as filled,
  // so the size is what is resident).
  size_t MemoryBytes() const { return size_ + blocks_.capacity() * sizeof(std::string); }
  Status WriteTo(OutputStream* out) const {
    for (const std::string& block : blocks_) LP_RETURN_IF_ERROR(out->Append(block));
    return Status::OK();
  }
  void Clear() {
    blocks_.clear();
    size_ = 0;
  }

 private:
  static constexpr size_t kBlockSize = 1 << 20;
  std::vector<std::string> blocks_;
  size_t size_ = 0;
};

// Buffers used only while a page is assembled: one set per file, shared by
// its columns, so that a file's memory does not grow with its column count.
struct PageScratch {
  std::string body, levels, compressed, trial, header, dict_page;
  uint64_t MemoryBytes() const {
    return body.capacity() + levels.capacity() + compressed.capacity() + trial.capacity() +
           header.capacity() + dict_page.capacity();
  }
};

// The state and page assembly shared by all column writers; subclasses
// supply the values section of pages and the dictionary.
class ColumnWriter {
 public:
  ColumnWriter(const Field& field, const SchemaElement& element, CompressionCodec codec,
               Codec codec_impl, CodecContext* ctx, const ParquetWriteOptions& options)
      : field_(field),
        element_(element),
        path_({element.name}),
        max_def_(element.repetition == Repetition::kOptional ? 1 : 0),
        codec_(codec),
        codec_impl_(codec_impl),
        ctx_(ctx),
        options_(options),
        level_(options.compression_level) {}
  virtual ~ColumnWriter() = default;

  // Appends rows [begin, end) of `column`.
  virtual Status Append(const Column& column, size_t begin, size_t end) = 0;

  // Makes this the writer of a leaf inside groups or repeated ones: values
  // then come from AppendShredded().
  void SetLeaf(const LeafPlan& leaf) {
    path_ = leaf.path;
    max_def_ = leaf.max_def;
    max_rep_ = leaf.max_rep;
    min_max_ = leaf.min_max;
  }

  // Appends every level entry of `leaf` (whole rows).
  Status AppendShredded(const ShreddedLeaf& leaf) {
    shredded_ = &leaf;
    Status st = Append(leaf.values, 0, leaf.size());
    shredded_ = nullptr;
    return st;
  }

  // Heap memory held by the column's buffers (for memory bounds).
  // (The shared PageScratch is counted by the file.)
  uint64_t MemoryBytes() const {
    return pages_.MemoryBytes() + def_levels_.capacity() + rep_levels_.capacity() +
           OwnMemoryBytes();
  }

  // Page assembly buffers to use instead of the column's own.
  void ShareScratch(PageScratch* scratch) { scratch_ = scratch; }

  // Uncompressed bytes buffered for the open row group.
  uint64_t BufferedUncompressed() const {
    return static_cast<uint64_t>(chunk_uncompressed_) + PageValueBytes() + LevelBytes() +
           DictionaryBytes();
  }
  // Encoded bytes buffered (compressed pages plus the open page's estimate).
  uint64_t BufferedEncoded() const {
    return pages_.size() + PageValueBytes() + LevelBytes() + DictionaryBytes();
  }

  // Writes the chunk (dictionary page first) to `out`, which is at file
  // offset `offset`, fills `chunk`, and resets for the next row group.
  Status FinishChunk(int64_t offset, OutputStream* out, ColumnChunk* chunk) {
    LP_RETURN_IF_ERROR(FlushPage());
    ColumnMetaData& md = chunk->meta_data.emplace();
    md.type = *element_.type;
    md.path_in_schema = path_;
    md.codec = codec_;
    md.num_values = chunk_values_;
    scratch_->dict_page.clear();
    std::string& dict_page = scratch_->dict_page;
    if (HasDictionary()) {
      std::string body;
      int32_t count = 0;
      EncodeDictionary(&body, &count);
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      DictionaryPageHeader& d = h.dictionary_page_header.emplace();
      d.num_values = count;
      d.encoding = Encoding::kPlain;
      LP_RETURN_IF_ERROR(
          AssemblePage(body, &h, [&](std::string_view part) { dict_page.append(part); }));
      ++stats_[{PageType::kDictionaryPage, Encoding::kPlain}];
      used_plain_ = true;
    }
    md.dictionary_page_offset = HasDictionary() ? std::optional<int64_t>(offset) : std::nullopt;
    md.data_page_offset = offset + static_cast<int64_t>(dict_page.size());
    md.total_uncompressed_size = chunk_uncompressed_ + dict_uncompressed_;
    md.total_compressed_size = static_cast<int64_t>(dict_page.size() + pages_.size());
    if (used_plain_) md.encodings.push_back(Encoding::kPlain);
    if (max_def_ > 0 || max_rep_ > 0) md.encodings.push_back(Encoding::kRle);
    if (used_dictionary_) md.encodings.push_back(Encoding::kRleDictionary);
    for (const auto& [key, count] : stats_) {
      md.encoding_stats.push_back(PageEncodingStats{key.first, key.second, count});
    }
    Statistics& st = md.statistics.emplace();
    st.null_count = chunk_nulls_;
    if (min_max_) FillMinMax(&st);
    LP_RETURN_IF_ERROR(out->Append(dict_page));
    LP_RETURN_IF_ERROR(pages_.WriteTo(out));
    // Deprecated field: 0 says no ColumnMetaData was written outside the footer.
    chunk->file_offset = 0;

    pages_.Clear();
    stats_.clear();
    chunk_uncompressed_ = 0;
    dict_uncompressed_ = 0;
    chunk_values_ = 0;
    chunk_nulls_ = 0;
    used_plain_ = false;
    used_dictionary_ = false;
    ResetChunk();
    return Status::OK();
  }

 protected:
  // Bytes of the open page's values section (estimate for dictionary pages).
  virtual uint64_t PageValueBytes() const = 0;
  // Appends the open page's values section and resets it; sets the encoding.
  virtual void EncodeValues(std::string* body, Encoding* encoding) = 0;
  virtual bool HasDictionary() const { return false; }
  virtual uint64_t DictionaryBytes() const { return 0; }
  // Heap memory of the subclass's own buffers.
  virtual uint64_t OwnMemoryBytes() const { return 0; }
  virtual void EncodeDictionary(std::string* body, int32_t* count) {}
  virtual void FillMinMax(Statistics* st) = 0;
  virtual void ResetChunk() = 0;

  // Records one row's definition level (one level entry's levels, for a
  // shredded leaf); returns whether it holds a value.
  bool Level(const Column& column, size_t row) {
    ++page_values_;
    ++chunk_values_;
    if (shredded_ != nullptr) return ShreddedLevel(row);
    if (max_def_ == 0) return true;
    const bool valid = column.IsValid(row);
    def_levels_.push_back(valid ? 1 : 0);
    if (!valid) ++chunk_nulls_;
    return valid;
  }

  bool ShreddedLevel(size_t entry) {
    const uint8_t def = shredded_->def[entry];
    def_levels_.push_back(def);
    if (max_rep_ > 0) {
      rep_levels_.push_back(shredded_->rep[entry]);
      at_row_end_ = entry + 1 == shredded_->size() || shredded_->rep[entry + 1] == 0;
    }
    if (def == max_def_) return true;
    ++chunk_nulls_;
    return false;
  }

  // Whether the last level entry ended a row: pages of a repeated column
  // hold whole rows, as readers that skip pages by row expect.
  bool AtRowEnd() const { return max_rep_ == 0 || at_row_end_; }

  uint64_t LevelBytes() const {
    return (def_levels_.size() * static_cast<uint64_t>(BitWidth(max_def_)) +
            rep_levels_.size() * static_cast<uint64_t>(BitWidth(max_rep_))) /
           8;
  }

  // Checked every kPageCheckInterval values (at every row end for repeated
  // columns): pages are a target size, and the size estimate is not free.
  bool PageFull() const {
    if (max_rep_ > 0) {
      if (!at_row_end_) return false;
    } else if ((page_values_ & (kPageCheckInterval - 1)) != 0) {
      return false;
    }
    return page_values_ >= kMaxPageValues || PageValueBytes() + LevelBytes() >= options_.page_bytes;
  }

  Status FlushPage() {
    if (page_values_ == 0) return Status::OK();
    scratch_->body.clear();
    if (max_rep_ > 0) AppendLevels(rep_levels_, max_rep_);
    if (max_def_ > 0) AppendLevels(def_levels_, max_def_);
    Encoding encoding = Encoding::kPlain;
    EncodeValues(&scratch_->body, &encoding);
    PageHeader h;
    h.type = PageType::kDataPage;
    DataPageHeader& d = h.data_page_header.emplace();
    d.num_values = static_cast<int32_t>(page_values_);
    d.encoding = encoding;
    d.definition_level_encoding = Encoding::kRle;
    d.repetition_level_encoding = Encoding::kRle;
    LP_RETURN_IF_ERROR(
        AssemblePage(scratch_->body, &h, [&](std::string_view part) { pages_.Append(part); }));
    ++stats_[{PageType::kDataPage, encoding}];
    if (encoding == Encoding::kPlain) used_plain_ = true;
    if (encoding == Encoding::kRleDictionary) used_dictionary_ = true;
    def_levels_.clear();
    rep_levels_.clear();
    page_values_ = 0;
    return Status::OK();
  }

  // Appends levels RLE-encoded with their length, as v1 pages hold them.
  void AppendLevels(const std::vector<uint8_t>& levels, int max_level) {
    scratch_->levels.clear();
    RleEncodeBytes(levels.data(), levels.size(), BitWidth(static_cast<uint64_t>(max_level)),
                   &scratch_->levels);
    PutLe32(static_cast<uint32_t>(scratch_->levels.size()), &scratch_->body);
    scratch_->body.append(scratch_->levels);
  }

  // Compresses `body`, completes the header sizes and passes header, then
  // body, to `emit`.
  template <typename Emit>
  Status AssemblePage(const std::string& body, PageHeader* h, Emit&& emit) {
    scratch_->compressed.clear();
    if (level_ == 0 && codec_impl_ == Codec::kZstd && h->type != PageType::kDictionaryPage) {
      // Default zstd: on the column's first data page try the fast and the
      // standard level and keep the smaller for the rest of the file. High
      // entropy text (ids, hashes, phone numbers) is often smaller at the
      // fast level, where the standard level spends bits on short matches.
      LP_RETURN_IF_ERROR(ctx_->Compress(codec_impl_, body, &scratch_->compressed, kZstdFastLevel));
      scratch_->trial.clear();
      LP_RETURN_IF_ERROR(ctx_->Compress(codec_impl_, body, &scratch_->trial, kZstdStandardLevel));
      if (scratch_->trial.size() < scratch_->compressed.size()) {
        scratch_->compressed.swap(scratch_->trial);
        level_ = kZstdStandardLevel;
      } else {
        level_ = kZstdFastLevel;
      }
    } else {
      LP_RETURN_IF_ERROR(ctx_->Compress(codec_impl_, body, &scratch_->compressed, level_));
    }
    if (body.size() > INT32_MAX || scratch_->compressed.size() > INT32_MAX) {
      return InvalidArgumentError("column '{}': a page exceeds 2 GiB; lower the page size",
                                  field_.name);
    }
    h->uncompressed_page_size = static_cast<int32_t>(body.size());
    h->compressed_page_size = static_cast<int32_t>(scratch_->compressed.size());
    scratch_->header.clear();
    SerializePageHeader(*h, &scratch_->header);
    const int64_t uncompressed = static_cast<int64_t>(scratch_->header.size() + body.size());
    if (h->type == PageType::kDictionaryPage) {
      dict_uncompressed_ += uncompressed;
    } else {
      chunk_uncompressed_ += uncompressed;
    }
    emit(scratch_->header);
    emit(scratch_->compressed);
    return Status::OK();
  }

  const Field field_;
  const SchemaElement element_;
  std::vector<std::string> path_;
  int max_def_;
  int max_rep_ = 0;
  bool min_max_ = true;
  const ShreddedLeaf* shredded_ = nullptr;  // during AppendShredded()
  bool at_row_end_ = true;
  const CompressionCodec codec_;
  const Codec codec_impl_;
  CodecContext* ctx_;
  const ParquetWriteOptions& options_;

  std::vector<uint8_t> def_levels_;
  std::vector<uint8_t> rep_levels_;
  size_t page_values_ = 0;
  int64_t chunk_values_ = 0;
  int64_t chunk_nulls_ = 0;

 private:
  PageBuffer pages_;
  PageScratch own_scratch_;
  PageScratch* scratch_ = &own_scratch_;
  // Compression level of this column; 0 until chosen (default zstd).
  int level_;
  int64_t chunk_uncompressed_ = 0;
  int64_t dict_uncompressed_ = 0;
  bool used_plain_ = false;
  bool used_dictionary_ = false;
  std::map<std::pair<PageType, Encoding>, int32_t> stats_;
};

// ---------------------------------------------------------------- null

class NullColumnWriter final : public ColumnWriter {
 public:
  using ColumnWriter::ColumnWriter;
  Status Append(const Column& column, size_t begin, size_t end) override {
    for (size_t i = begin; i < end; ++i) {
      Level(column, i);
      if (PageFull()) LP_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

 protected:
  uint64_t PageValueBytes() const override { return 0; }
  void EncodeValues(std::string*, Encoding* encoding) override { *encoding = Encoding::kPlain; }
  void FillMinMax(Statistics*) override {}
  void ResetChunk() override {}
};

// ---------------------------------------------------------------- boolean

class BoolColumnWriter final : public ColumnWriter {
 public:
  using ColumnWriter::ColumnWriter;
  Status Append(const Column& column, size_t begin, size_t end) override {
    const std::vector<uint8_t>& values = column.bools();
    for (size_t i = begin; i < end; ++i) {
      if (Level(column, i)) {
        const uint8_t v = values[i];
        page_.push_back(v);
        seen_true_ |= v != 0;
        seen_false_ |= v == 0;
      }
      if (PageFull()) LP_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

 protected:
  uint64_t PageValueBytes() const override { return (page_.size() + 7) / 8; }
  void EncodeValues(std::string* body, Encoding* encoding) override {
    uint8_t acc = 0;
    int bits = 0;
    for (uint8_t v : page_) {
      acc |= static_cast<uint8_t>(v << bits);
      if (++bits == 8) {
        body->push_back(static_cast<char>(acc));
        acc = 0;
        bits = 0;
      }
    }
    if (bits > 0) body->push_back(static_cast<char>(acc));
    page_.clear();
    *encoding = Encoding::kPlain;
  }
  void FillMinMax(Statistics* st) override {
    if (!seen_true_ && !seen_false_) return;
    st->min_value = std::string(1, seen_false_ ? '\0' : '\1');
    st->max_value = std::string(1, seen_true_ ? '\1' : '\0');
  }
  void ResetChunk() override { seen_true_ = seen_false_ = false; }

 private:
  std::vector<uint8_t> page_;
  uint64_t OwnMemoryBytes() const override { return page_.capacity(); }
  bool seen_true_ = false;
  bool seen_false_ = false;
};

// ------------------------------------------------ dictionary-capable base

// Dictionary state machine shared by fixed-width and binary writers:
// dictionary pages until the dictionary is too big or does not pay off,
// then PLAIN pages for the rest of the file.
class DictColumnWriter : public ColumnWriter {
 public:
  DictColumnWriter(const Field& field, const SchemaElement& element, CompressionCodec codec,
                   Codec codec_impl, CodecContext* ctx, const ParquetWriteOptions& options)
      : ColumnWriter(field, element, codec, codec_impl, ctx, options),
        dict_mode_(options.dictionary) {}

 protected:
  uint64_t PageValueBytes() const override {
    if (!dict_mode_) return plain_.size();
    return (indices_.size() * static_cast<uint64_t>(std::max(1, BitWidth(DictCount()))) + 7) / 8;
  }
  bool HasDictionary() const override { return dict_page_used_; }
  uint64_t DictionaryBytes() const override {
    return dict_mode_ || dict_page_used_ ? DictPlainBytes() : 0;
  }

  void EncodeValues(std::string* body, Encoding* encoding) override {
    // Every page flush comes through here, so the payoff check always runs
    // before the first page that uses the dictionary.
    CheckDictionaryPayoff();
    if (!dict_mode_) {
      body->append(plain_);
      plain_.clear();
      *encoding = Encoding::kPlain;
      return;
    }
    // Indices of an all-null page, or of an empty dictionary, still get a
    // width byte; readers expect the dictionary page in either case.
    const int width = std::max(1, BitWidth(DictCount() == 0 ? 0 : DictCount() - 1));
    body->push_back(static_cast<char>(width));
    RleEncode(indices_.data(), indices_.size(), width, body);
    indices_.clear();
    *encoding = Encoding::kRleDictionary;
    dict_page_used_ = true;
  }

  // Before the first dictionary page of the file is written: keep the
  // dictionary only when it pays off against PLAIN. Decided once per column.
  void CheckDictionaryPayoff() {
    if (first_page_checked_ || !dict_mode_) return;
    first_page_checked_ = true;
    const double dict_cost = static_cast<double>(DictPlainBytes() + PageValueBytes());
    if (dict_cost <= kDictionaryPayoff * static_cast<double>(page_plain_bytes_)) return;
    ConvertPageToPlain(indices_);
    std::vector<uint32_t>().swap(indices_);
    dict_mode_ = false;
    ClearDictionary();
  }

  // Called after each value in dictionary mode.
  Status AfterDictValue(uint64_t plain_size) {
    page_plain_bytes_ += plain_size;
    // (A page of a repeated column ends only where a row ends.)
    if (DictPlainBytes() > options_.dictionary_page_bytes && AtRowEnd()) {
      // The dictionary is full: close this page with it (unless the payoff
      // check drops it first), then go PLAIN.
      LP_RETURN_IF_ERROR(FlushPage());
      dict_mode_ = false;
      std::vector<uint32_t>().swap(indices_);
      return Status::OK();
    }
    // The first page ends once the dictionary is as large as a page, so that
    // the payoff check runs early: a column of unique values (ids, e-mails)
    // must not build a dictionary of dictionary_page_bytes first, in every
    // open file, only to drop it. Columns with repeats reach that size later
    // and are judged on more values.
    if (!first_page_checked_ && DictPlainBytes() >= options_.page_bytes && AtRowEnd()) {
      return FlushPage();
    }
    if (PageFull()) LP_RETURN_IF_ERROR(FlushPage());
    return Status::OK();
  }

  Status AfterPlainValue() {
    if (PageFull()) return FlushPage();
    return Status::OK();
  }

  void ResetChunk() override {
    ClearDictionary();
    dict_page_used_ = false;
    // The first-page check already decided for this column; PLAIN stays.
    ResetMinMax();
  }

  virtual uint32_t DictCount() const = 0;
  virtual uint64_t DictPlainBytes() const = 0;
  virtual void ClearDictionary() = 0;
  virtual void ConvertPageToPlain(const std::vector<uint32_t>& indices) = 0;
  virtual void ResetMinMax() = 0;

  bool dict_mode_;
  bool dict_page_used_ = false;
  bool first_page_checked_ = false;
  uint64_t page_plain_bytes_ = 0;
  std::vector<uint32_t> indices_;
  std::string plain_;
  uint64_t PageMemoryBytes() const {
    return indices_.capacity() * sizeof(uint32_t) + plain_.capacity();
  }
};

// ---------------------------------------------------------------- fixed width

// T is the stored value type (int32_t, int64_t, float, double).
template <typename T>
class FixedColumnWriter final : public DictColumnWriter {
 public:
  using DictColumnWriter::DictColumnWriter;

  Status Append(const Column& column, size_t begin, size_t end) override {
    const T* values = Values(column);
    for (size_t i = begin; i < end; ++i) {
      if (Level(column, i)) {
        const T v = values[i];
        UpdateMinMax(v);
        if (dict_mode_) {
          indices_.push_back(Lookup(v));
          LP_RETURN_IF_ERROR(AfterDictValue(sizeof(T)));
        } else {
          PutPlain(v, &plain_);
          LP_RETURN_IF_ERROR(AfterPlainValue());
        }
      } else if (PageFull()) {
        LP_RETURN_IF_ERROR(FlushPage());
      }
    }
    return Status::OK();
  }

 protected:
  uint32_t DictCount() const override { return static_cast<uint32_t>(dict_.size()); }
  uint64_t DictPlainBytes() const override { return dict_.size() * sizeof(T); }
  void ClearDictionary() override {
    std::vector<T>().swap(dict_);
    slots_.Clear();
  }
  void EncodeDictionary(std::string* body, int32_t* count) override {
    body->append(reinterpret_cast<const char*>(dict_.data()), dict_.size() * sizeof(T));
    *count = static_cast<int32_t>(dict_.size());
  }
  void ConvertPageToPlain(const std::vector<uint32_t>& indices) override {
    for (uint32_t idx : indices) PutPlain(dict_[idx], &plain_);
  }
  void FillMinMax(Statistics* st) override {
    if (!has_minmax_) return;
    T lo = min_, hi = max_;
    if constexpr (std::is_floating_point_v<T>) {
      if (lo == 0) lo = -static_cast<T>(0.0);
      if (hi == 0) hi = static_cast<T>(0.0);
    }
    st->min_value = PlainBytes(lo);
    st->max_value = PlainBytes(hi);
  }
  void ResetMinMax() override { has_minmax_ = false; }

 private:
  static const T* Values(const Column& c) {
    if constexpr (std::is_same_v<T, int32_t>) return c.int32s().data();
    if constexpr (std::is_same_v<T, int64_t>) return c.int64s().data();
    if constexpr (std::is_same_v<T, float>) return c.floats().data();
    if constexpr (std::is_same_v<T, double>) return c.doubles().data();
  }

  static uint64_t Bits(T v) {
    if constexpr (sizeof(T) == 4) {
      uint32_t b;
      std::memcpy(&b, &v, 4);
      return b;
    } else {
      uint64_t b;
      std::memcpy(&b, &v, 8);
      return b;
    }
  }

  void UpdateMinMax(T v) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return;
    }
    if (!has_minmax_) {
      min_ = max_ = v;
      has_minmax_ = true;
      return;
    }
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }

  uint32_t Lookup(T v) {
    const uint64_t bits = Bits(v);
    bool inserted = false;
    const uint32_t idx = slots_.FindOrInsert(
        Mix64(bits), static_cast<uint32_t>(dict_.size()),
        [&](uint32_t e) { return Bits(dict_[e]) == bits; }, &inserted);
    if (inserted) dict_.push_back(v);
    return idx;
  }

  std::vector<T> dict_;
  DictSlots slots_;
  bool has_minmax_ = false;
  T min_{};
  T max_{};

  uint64_t OwnMemoryBytes() const override {
    return PageMemoryBytes() + dict_.capacity() * sizeof(T) + slots_.MemoryBytes();
  }
};

// ---------------------------------------------------------------- binary

class BinaryColumnWriter final : public DictColumnWriter {
 public:
  using DictColumnWriter::DictColumnWriter;

  Status Append(const Column& column, size_t begin, size_t end) override {
    const int64_t* offsets = column.offsets().data();
    const char* data = column.data().data();
    auto value = [&](size_t i) {
      return std::string_view(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
    };
    size_t i = begin;
    // Dictionary lookups in batches: hash a batch and prefetch its slots,
    // then peek at the slots and prefetch the entries they name, then probe;
    // the cache misses of a batch overlap instead of queueing.
    while (dict_mode_ && i < end) {
      const size_t first = i;
      const size_t stop = std::min(end, first + kLookupBatch);
      uint64_t hashes[kLookupBatch];
      for (size_t k = first; k < stop; ++k) {
        hashes[k - first] = column.IsValid(k) ? HashBytes(value(k)) : 0;
        slots_.PrefetchSlot(hashes[k - first]);
      }
      for (size_t k = first; k < stop; ++k) {
        const uint32_t e = slots_.PeekSlot(hashes[k - first]);
        if (e < starts_.size()) __builtin_prefetch(dict_.data() + starts_[e] - 4);
      }
      for (; i < stop && dict_mode_; ++i) {
        if (Level(column, i)) {
          const std::string_view v = value(i);
          indices_.push_back(Lookup(v, hashes[i - first]));
          LP_RETURN_IF_ERROR(AfterDictValue(4 + v.size()));
        } else if (PageFull()) {
          LP_RETURN_IF_ERROR(FlushPage());
        }
      }
    }
    for (; i < end; ++i) {
      if (Level(column, i)) {
        const std::string_view v = value(i);
        UpdateMinMax(v);
        PutValue(v, &plain_);
        LP_RETURN_IF_ERROR(AfterPlainValue());
      } else if (PageFull()) {
        LP_RETURN_IF_ERROR(FlushPage());
      }
    }
    return Status::OK();
  }

 protected:
  uint32_t DictCount() const override { return static_cast<uint32_t>(starts_.size()); }
  uint64_t DictPlainBytes() const override { return dict_.size(); }
  void ClearDictionary() override {
    // Values already in the dictionary count towards min/max of this chunk.
    for (uint32_t e = 0; e < starts_.size(); ++e) UpdateMinMax(Entry(e));
    std::string().swap(dict_);
    std::vector<uint32_t>().swap(starts_);
    slots_.Clear();
  }
  void EncodeDictionary(std::string* body, int32_t* count) override {
    if (fixed_) {
      for (uint32_t e = 0; e < starts_.size(); ++e) body->append(Entry(e));
    } else {
      body->append(dict_);
    }
    *count = static_cast<int32_t>(starts_.size());
  }
  void ConvertPageToPlain(const std::vector<uint32_t>& indices) override {
    for (uint32_t idx : indices) PutValue(Entry(idx), &plain_);
  }
  void FillMinMax(Statistics* st) override {
    for (uint32_t e = 0; e < starts_.size(); ++e) UpdateMinMax(Entry(e));
    if (!has_minmax_ || min_.size() > kMaxStatisticsBytes || max_.size() > kMaxStatisticsBytes)
      return;
    st->min_value = min_;
    st->max_value = max_;
  }
  void ResetMinMax() override {
    has_minmax_ = false;
    min_.clear();
    max_.clear();
  }

 private:
  // PLAIN: BYTE_ARRAY values with their length, FIXED_LEN_BYTE_ARRAY ones
  // without.
  void PutValue(std::string_view v, std::string* out) const {
    if (!fixed_) PutLe32(static_cast<uint32_t>(v.size()), out);
    out->append(v);
  }

  std::string_view Entry(uint32_t e) const {
    const uint32_t start = starts_[e];
    uint32_t len;
    std::memcpy(&len, dict_.data() + start - 4, 4);
    return std::string_view(dict_.data() + start, len);
  }

  void UpdateMinMax(std::string_view v) {
    if (!has_minmax_) {
      min_.assign(v);
      max_.assign(v);
      has_minmax_ = true;
      return;
    }
    // std::string_view compares as unsigned bytes (char_traits<char>::compare uses memcmp).
    if (v < std::string_view(min_)) min_.assign(v);
    if (v > std::string_view(max_)) max_.assign(v);
  }

  uint32_t Lookup(std::string_view v, uint64_t hash) {
    bool inserted = false;
    const uint32_t idx = slots_.FindOrInsert(
        hash, static_cast<uint32_t>(starts_.size()), [&](uint32_t e) { return Entry(e) == v; },
        &inserted);
    if (inserted) {
      PutLe32(static_cast<uint32_t>(v.size()), &dict_);
      starts_.push_back(static_cast<uint32_t>(dict_.size()));
      dict_.append(v);
    }
    return idx;
  }

  const bool fixed_ = element_.type == PhysicalType::kFixedLenByteArray;
  std::string dict_;              // entries, each after its length
  std::vector<uint32_t> starts_;  // where each entry's bytes start in dict_
  DictSlots slots_;
  bool has_minmax_ = false;
  std::string min_, max_;

  uint64_t OwnMemoryBytes() const override {
    return PageMemoryBytes() + dict_.capacity() + starts_.capacity() * sizeof(uint32_t) +
           slots_.MemoryBytes() + min_.capacity() + max_.capacity();
  }
};

// ---------------------------------------------------------------- enum

// Enum symbols as UTF-8 strings. With dictionaries on, the dictionary is the
// symbol list and pages hold symbol indices; otherwise pages are PLAIN text.
class EnumColumnWriter final : public ColumnWriter {
 public:
  EnumColumnWriter(const Field& field, const SchemaElement& element, CompressionCodec codec,
                   Codec codec_impl, CodecContext* ctx, const ParquetWriteOptions& options)
      : ColumnWriter(field, element, codec, codec_impl, ctx, options), used_(field.symbols.size()) {
    for (const std::string& s : field.symbols) {
      PutLe32(static_cast<uint32_t>(s.size()), &dict_);
      dict_.append(s);
    }
  }

  Status Append(const Column& column, size_t begin, size_t end) override {
    const int32_t* values = column.int32s().data();
    const int32_t count = static_cast<int32_t>(field_.symbols.size());
    for (size_t i = begin; i < end; ++i) {
      if (Level(column, i)) {
        const int32_t v = values[i];
        if (v < 0 || v >= count) {
          return InvalidArgumentError("column '{}': enum index {} is out of range (0..{})",
                                      field_.name, v, count - 1);
        }
        used_[static_cast<size_t>(v)] = true;
        if (options_.dictionary) {
          indices_.push_back(static_cast<uint32_t>(v));
        } else {
          const std::string& symbol = field_.symbols[static_cast<size_t>(v)];
          PutLe32(static_cast<uint32_t>(symbol.size()), &plain_);
          plain_.append(symbol);
        }
      }
      if (PageFull()) LP_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

 protected:
  uint64_t PageValueBytes() const override {
    return options_.dictionary ? (indices_.size() * static_cast<uint64_t>(Width()) + 7) / 8
                               : plain_.size();
  }
  void EncodeValues(std::string* body, Encoding* encoding) override {
    if (!options_.dictionary) {
      body->append(plain_);
      plain_.clear();
      *encoding = Encoding::kPlain;
      return;
    }
    body->push_back(static_cast<char>(Width()));
    RleEncode(indices_.data(), indices_.size(), Width(), body);
    indices_.clear();
    *encoding = Encoding::kRleDictionary;
  }
  bool HasDictionary() const override { return options_.dictionary; }
  uint64_t DictionaryBytes() const override { return options_.dictionary ? dict_.size() : 0; }
  void EncodeDictionary(std::string* body, int32_t* count) override {
    body->append(dict_);
    *count = static_cast<int32_t>(field_.symbols.size());
  }
  void FillMinMax(Statistics* st) override {
    const std::string* lo = nullptr;
    const std::string* hi = nullptr;
    for (size_t i = 0; i < used_.size(); ++i) {
      if (!used_[i]) continue;
      const std::string& s = field_.symbols[i];
      if (!lo || s < *lo) lo = &s;
      if (!hi || s > *hi) hi = &s;
    }
    if (lo) {
      st->min_value = *lo;
      st->max_value = *hi;
    }
  }
  void ResetChunk() override { std::fill(used_.begin(), used_.end(), false); }

 private:
  int Width() const { return std::max(1, BitWidth(field_.symbols.size() - 1)); }
  std::string dict_;
  std::vector<bool> used_;
  std::vector<uint32_t> indices_;
  std::string plain_;

  uint64_t OwnMemoryBytes() const override {
    return dict_.capacity() + used_.capacity() / 8 + indices_.capacity() * sizeof(uint32_t) +
           plain_.capacity();
  }
};

// ---------------------------------------------------------------- file

Result<std::pair<CompressionCodec, Codec>> ParseCompression(std::string_view name) {
  if (name == "none" || name == "uncompressed")
    return std::make_pair(CompressionCodec::kUncompressed, Codec::kNone);
  if (name == "snappy") return std::make_pair(CompressionCodec::kSnappy, Codec::kSnappy);
  if (name == "gzip") return std::make_pair(CompressionCodec::kGzip, Codec::kGzip);
  if (name == "zstd") return std::make_pair(CompressionCodec::kZstd, Codec::kZstd);
  if (name == "brotli") return std::make_pair(CompressionCodec::kBrotli, Codec::kBrotli);
  // "lz4" is LZ4_RAW, as parquet-format asks of writers (DuckDB does the
  // same); lz4_hadoop is the deprecated LZ4 id in Hadoop's framing, for
  // readers that know no other.
  if (name == "lz4" || name == "lz4_raw") {
    return std::make_pair(CompressionCodec::kLz4Raw, Codec::kLz4Raw);
  }
  if (name == "lz4_hadoop") return std::make_pair(CompressionCodec::kLz4, Codec::kLz4Hadoop);
  return InvalidArgumentError(
      "unknown Parquet compression '{}' (use none, snappy, gzip, zstd, brotli, lz4, lz4_raw or "
      "lz4_hadoop)",
      name);
}

class ParquetFileWriter final : public FileWriter {
 public:
  ParquetFileWriter(std::unique_ptr<OutputStream> out, SchemaPtr schema,
                    const ParquetWriteOptions& options, CompressionCodec codec, Codec codec_impl,
                    std::unique_ptr<const ParquetSchemaPlan> plan)
      : out_(std::move(out)),
        schema_(std::move(schema)),
        options_(options),
        ctx_(options.compression_level),
        plan_(std::move(plan)) {
    for (const LeafPlan& leaf : plan_->leaves) {
      std::unique_ptr<ColumnWriter> w =
          MakeColumnWriter(leaf, plan_->elements[leaf.element], codec, codec_impl);
      if (!leaf.flat()) {
        w->SetLeaf(leaf);
        shredded_.push_back(std::make_unique<ShreddedLeaf>(ShreddedStorage(leaf)));
      } else {
        shredded_.push_back(nullptr);
      }
      w->ShareScratch(&scratch_);
      columns_.push_back(std::move(w));
    }
  }

  ~ParquetFileWriter() override { Abort(); }

  Status Start() { return out_->Append(std::string_view(kMagic, 4)); }

  Status Write(const RecordBatch& batch) override {
    if (done_) return FailedPreconditionError("'{}': write after finish or abort", out_->path());
    if (batch.num_columns() != plan_->fields.size()) {
      return InvalidArgumentError("'{}': batch has {} columns, the file schema has {}",
                                  out_->path(), batch.num_columns(), plan_->fields.size());
    }
    // Slices keep row groups close to their target size with large batches.
    constexpr size_t kSlice = 4096;
    for (size_t begin = 0; begin < batch.num_rows(); begin += kSlice) {
      const size_t end = std::min(batch.num_rows(), begin + kSlice);
      for (size_t c = 0; c < columns_.size(); ++c) {
        Status st = AppendLeaf(c, batch, begin, end);
        if (!st.ok()) return Fail(st);
      }
      group_rows_ += end - begin;
      rows_ += end - begin;
      if (BufferedUncompressed() >= options_.row_group_bytes) {
        Status st = FlushRowGroup();
        if (!st.ok()) return Fail(st);
      }
    }
    return Status::OK();
  }

  Status Finish() override {
    if (done_) return FailedPreconditionError("'{}': finish after finish or abort", out_->path());
    Status st = FinishFile();
    if (!st.ok()) {
      Abort();
      return st;
    }
    done_ = true;
    return Status::OK();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    out_->Abort();
  }

  uint64_t rows_written() const override { return rows_; }
  uint64_t bytes_written() const override {
    uint64_t total = out_->position();
    for (const auto& c : columns_) total += c->BufferedEncoded();
    return total;
  }
  uint64_t memory_bytes() const override {
    uint64_t total = scratch_.MemoryBytes();
    for (const auto& c : columns_) total += c->MemoryBytes();
    for (const auto& s : shredded_) {
      if (s) total += s->values.MemoryBytes() + s->def.capacity() + s->rep.capacity();
    }
    return total;
  }

 private:
  std::unique_ptr<ColumnWriter> MakeColumnWriter(const LeafPlan& leaf, const SchemaElement& e,
                                                 CompressionCodec codec, Codec codec_impl) {
    const Field& f = leaf.leaf();
    if (leaf.encoding == LeafEncoding::kNull) {
      return std::make_unique<NullColumnWriter>(f, e, codec, codec_impl, &ctx_, options_);
    }
    if (leaf.encoding == LeafEncoding::kEnum) {
      return std::make_unique<EnumColumnWriter>(f, e, codec, codec_impl, &ctx_, options_);
    }
    switch (leaf.physical) {
      case PhysicalType::kBoolean:
        return std::make_unique<BoolColumnWriter>(f, e, codec, codec_impl, &ctx_, options_);
      case PhysicalType::kInt32:
        return std::make_unique<FixedColumnWriter<int32_t>>(f, e, codec, codec_impl, &ctx_,
                                                            options_);
      case PhysicalType::kInt64:
        return std::make_unique<FixedColumnWriter<int64_t>>(f, e, codec, codec_impl, &ctx_,
                                                            options_);
      case PhysicalType::kFloat:
        return std::make_unique<FixedColumnWriter<float>>(f, e, codec, codec_impl, &ctx_, options_);
      case PhysicalType::kDouble:
        return std::make_unique<FixedColumnWriter<double>>(f, e, codec, codec_impl, &ctx_,
                                                           options_);
      default:
        return std::make_unique<BinaryColumnWriter>(f, e, codec, codec_impl, &ctx_, options_);
    }
  }

  // Appends rows [begin, end) of the batch to leaf column `c`: flat leaves
  // straight from their column, others shredded into levels first.
  Status AppendLeaf(size_t c, const RecordBatch& batch, size_t begin, size_t end) {
    const LeafPlan& leaf = plan_->leaves[c];
    const Column& column = batch.column(leaf.top);
    if (!shredded_[c]) return columns_[c]->Append(column, begin, end);
    ShreddedLeaf* s = shredded_[c].get();
    s->Clear();
    LP_RETURN_IF_ERROR(ShredLeaf(leaf, column, begin, end, s));
    return columns_[c]->AppendShredded(*s);
  }

  uint64_t BufferedUncompressed() const {
    uint64_t total = 0;
    for (const auto& c : columns_) total += c->BufferedUncompressed();
    return total;
  }

  Status Fail(const Status& st) {
    Abort();
    return st.WithContext(out_->path());
  }

  Status FlushRowGroup() {
    if (group_rows_ == 0) return Status::OK();
    RowGroup g;
    g.num_rows = static_cast<int64_t>(group_rows_);
    g.file_offset = static_cast<int64_t>(out_->position());
    g.ordinal = static_cast<int16_t>(std::min<size_t>(row_groups_.size(), INT16_MAX));
    int64_t compressed = 0;
    for (auto& c : columns_) {
      ColumnChunk cc;
      LP_RETURN_IF_ERROR(c->FinishChunk(static_cast<int64_t>(out_->position()), out_.get(), &cc));
      g.total_byte_size += cc.meta_data->total_uncompressed_size;
      compressed += cc.meta_data->total_compressed_size;
      g.columns.push_back(std::move(cc));
    }
    g.total_compressed_size = compressed;
    row_groups_.push_back(std::move(g));
    group_rows_ = 0;
    return Status::OK();
  }

  Status FinishFile() {
    LP_RETURN_IF_ERROR(FlushRowGroup());
    FileMetaData md;
    md.version = 1;
    md.schema = plan_->elements;
    md.num_rows = static_cast<int64_t>(rows_);
    md.row_groups = std::move(row_groups_);
    // The Avro schema travels along when it is valid Avro (inferred schemas
    // may have column names Avro does not allow).
    if (Schema::FromAvroJson(schema_->avro_json(), SchemaParseOptions{.complete_types = true})
            .ok()) {
      md.key_value_metadata.push_back({kAvroSchemaKey, schema_->avro_json()});
    }
    md.created_by = kCreatedBy;
    md.column_orders.assign(columns_.size(), true);
    std::string footer;
    SerializeFileMetaData(md, &footer);
    PutLe32(static_cast<uint32_t>(footer.size()), &footer);
    footer.append(kMagic, 4);
    LP_RETURN_IF_ERROR(out_->Append(footer));
    return out_->Commit();
  }

  std::unique_ptr<OutputStream> out_;
  SchemaPtr schema_;
  ParquetWriteOptions options_;
  CodecContext ctx_;
  PageScratch scratch_;  // shared by columns_
  std::unique_ptr<const ParquetSchemaPlan> plan_;
  // By leaf: its writer, and its level buffer unless it is flat.
  std::vector<std::unique_ptr<ColumnWriter>> columns_;
  std::vector<std::unique_ptr<ShreddedLeaf>> shredded_;
  std::vector<RowGroup> row_groups_;
  size_t group_rows_ = 0;
  uint64_t rows_ = 0;
  bool done_ = false;
};

}  // namespace
}  // namespace parquet

Status CheckParquetWriteOptions(const ParquetWriteOptions& options) {
  LP_RETURN_IF_ERROR(parquet::ParseCompression(options.compression).status());
  if (options.page_bytes == 0 || options.row_group_bytes == 0) {
    return InvalidArgumentError("Parquet page and row group sizes must be positive");
  }
  return Status::OK();
}

Result<std::unique_ptr<FileWriter>> NewParquetWriter(std::unique_ptr<OutputStream> out,
                                                     SchemaPtr schema,
                                                     const ParquetWriteOptions& options) {
  if (Status checked = CheckParquetWriteOptions(options); !checked.ok()) {
    out->Abort();
    return checked;
  }
  auto codec = parquet::ParseCompression(options.compression);
  auto plan = parquet::PlanParquetSchema(*schema, options.repeated_group_field_ids);
  if (!plan.ok()) {
    out->Abort();
    return plan.status().WithContext(out->path());
  }
  auto writer = std::make_unique<parquet::ParquetFileWriter>(
      std::move(out), std::move(schema), options, codec->first, codec->second, std::move(*plan));
  LP_RETURN_IF_ERROR(writer->Start());
  return std::unique_ptr<FileWriter>(std::move(writer));
}

}  // namespace lakepipe
