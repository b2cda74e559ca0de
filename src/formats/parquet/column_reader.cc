#include "formats/parquet/column_reader.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/time_util.h"

namespace lakepipe::parquet {
namespace {

// Values decoded per step; bounds the scratch buffers.
constexpr size_t kMaxStep = 4096;
// Level entries of one page of a nested column (its levels are decoded
// when the page starts).
constexpr uint64_t kMaxNestedPageValues = uint64_t{1} << 26;
// First read of a page header; grown (up to kMaxPageHeader) when the header
// is longer, e.g. with large statistics.
constexpr size_t kHeaderWindow = 8 << 10;
constexpr size_t kMaxPageHeader = 16 << 20;
// Pages up to this size (or up to 64 times their compressed size) are
// decompressed into a buffer allocated up front; larger claims are
// decompressed with a growing buffer, so memory follows the real output.
constexpr size_t kEagerDecompressLimit = 8 << 20;

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

std::string EncodingLabel(Encoding e) {
  std::string_view name = EncodingName(e);
  if (name == "UNKNOWN") return fmt::format("UNKNOWN({})", static_cast<int>(e));
  return std::string(name);
}

std::string_view PhysicalLabel(PhysicalType t) { return PhysicalTypeName(t); }

// Up to 64 characters of a value for messages, non-printable bytes escaped.
std::string Printable(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < 64; ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (v.size() > 64) out += "...";
  return out;
}

// Largest output a codec can make from `in` bytes (a real bound of the
// format, not a heuristic), or 0 when there is none.
uint64_t MaxExpansion(Codec codec, uint64_t in) {
  switch (codec) {
    case Codec::kSnappy:
      // A 3-byte copy makes at most 64 bytes.
      return in * 22 + 32;
    case Codec::kGzip:
    case Codec::kDeflate:
      // Deflate cannot exceed 1032:1.
      return in * 1032 + 1024;
    case Codec::kZstd:
      // An RLE block: 4 bytes for at most 128 KiB.
      return in * 32768 + (128 << 10);
    case Codec::kLz4Raw:
    case Codec::kLz4Hadoop:
      // A match-length byte adds at most 255 bytes.
      return in * 255 + 64;
    case Codec::kBrotli:
    case Codec::kBzip2:
    case Codec::kXz:
      // No useful bound; decompression stops at the page's size.
      return UINT64_MAX;
    case Codec::kNone:
      return in;
  }
  return 0;
}

// Whether the reader decodes `encoding` for values of physical type `t`.
bool EncodingSupported(Encoding encoding, PhysicalType t) {
  switch (encoding) {
    case Encoding::kPlain:
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return true;
    case Encoding::kRle:
      return t == PhysicalType::kBoolean;
    case Encoding::kDeltaBinaryPacked:
      return t == PhysicalType::kInt32 || t == PhysicalType::kInt64;
    case Encoding::kDeltaLengthByteArray:
      return t == PhysicalType::kByteArray;
    case Encoding::kDeltaByteArray:
      return t == PhysicalType::kByteArray || t == PhysicalType::kFixedLenByteArray;
    case Encoding::kByteStreamSplit:
      return t == PhysicalType::kFloat || t == PhysicalType::kDouble || t == PhysicalType::kInt32 ||
             t == PhysicalType::kInt64 || t == PhysicalType::kFixedLenByteArray;
    default:
      return false;
  }
}

template <typename T, typename Fn>
void EmitValues(Column* out, const uint8_t* levels, size_t k, const T* values, Fn&& append) {
  if (levels == nullptr) {
    for (size_t i = 0; i < k; ++i) append(out, values[i]);
    return;
  }
  size_t j = 0;
  for (size_t i = 0; i < k; ++i) {
    if (levels[i] != 0) {
      append(out, values[j++]);
    } else {
      out->AppendNull();
    }
  }
}

template <typename T>
void CopyLe(const uint8_t* src, size_t n, std::vector<T>* out) {
  out->resize(n);
  if (n > 0) std::memcpy(out->data(), src, n * sizeof(T));
}

}  // namespace

Result<Codec> ParquetCodec(CompressionCodec codec, std::string_view column) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return Codec::kNone;
    case CompressionCodec::kSnappy:
      return Codec::kSnappy;
    case CompressionCodec::kGzip:
      return Codec::kGzip;
    case CompressionCodec::kZstd:
      return Codec::kZstd;
    case CompressionCodec::kBrotli:
      return Codec::kBrotli;
    case CompressionCodec::kLz4:
      return Codec::kLz4Hadoop;
    case CompressionCodec::kLz4Raw:
      return Codec::kLz4Raw;
    case CompressionCodec::kLzo:
      return UnimplementedError(
          "column '{}': codec {} is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, "
          "BROTLI, LZ4, LZ4_RAW)",
          column, CompressionCodecName(codec));
  }
  // A codec id newer than this reader (parquet-format adds them): the file
  // may well be sound, so the feature is named rather than called damage.
  return UnimplementedError(
      "column '{}': compression codec id {} is not known to this reader (supported: "
      "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, BROTLI, LZ4, LZ4_RAW)",
      column, static_cast<int>(codec));
}

ColumnReader::ColumnReader(InputFile* file, CodecContext* codecs, const LeafMapping* leaf,
                           bool nested)
    : file_(file), codecs_(codecs), leaf_(leaf), nested_(nested), storage_(StorageOf(leaf->field)) {
  switch (leaf_->physical) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      value_width_ = 4;
      break;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      value_width_ = 8;
      break;
    case PhysicalType::kInt96:
      value_width_ = 12;
      break;
    case PhysicalType::kFixedLenByteArray:
      value_width_ = static_cast<size_t>(std::max(leaf_->type_length, 0));
      break;
    default:
      value_width_ = 0;
      break;
  }
}

Status ColumnReader::CheckLeaf(const LeafMapping& leaf) {
  const Storage storage = StorageOf(leaf.field);
  const std::string& name = leaf.path_name;
  if (leaf.physical == PhysicalType::kFixedLenByteArray && leaf.type_length <= 0) {
    return CorruptionError("column '{}': FIXED_LEN_BYTE_ARRAY with type_length {}", name,
                           leaf.type_length);
  }
  if (storage == Storage::kNone) return Status::OK();
  bool ok = false;
  const LeafConversion c = leaf.conversion;
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      ok = c == LeafConversion::kDirect && storage == Storage::kBool;
      break;
    case PhysicalType::kInt32:
      ok = (c == LeafConversion::kDirect && storage == Storage::kInt32) ||
           (c == LeafConversion::kUint32ToLong && storage == Storage::kInt64);
      break;
    case PhysicalType::kInt64:
      ok = c == LeafConversion::kDirect && storage == Storage::kInt64;
      break;
    case PhysicalType::kInt96:
      ok = c == LeafConversion::kInt96ToMicros && storage == Storage::kInt64;
      break;
    case PhysicalType::kFloat:
      ok = c == LeafConversion::kDirect && storage == Storage::kFloat;
      break;
    case PhysicalType::kDouble:
      ok = c == LeafConversion::kDirect && storage == Storage::kDouble;
      break;
    case PhysicalType::kByteArray:
      ok = (c == LeafConversion::kDirect && storage == Storage::kBinary) ||
           (c == LeafConversion::kBinaryToEnum && storage == Storage::kInt32);
      break;
    case PhysicalType::kFixedLenByteArray:
      ok = ((c == LeafConversion::kDirect || c == LeafConversion::kFixedToBytes) &&
            storage == Storage::kBinary) ||
           (c == LeafConversion::kUuidToString && storage == Storage::kBinary &&
            leaf.type_length == 16) ||
           (c == LeafConversion::kFloat16ToFloat && storage == Storage::kFloat &&
            leaf.type_length == 2);
      break;
  }
  if (!ok) {
    return UnimplementedError("column '{}': cannot read {} values as {}", name,
                              PhysicalLabel(leaf.physical), leaf.field.Describe());
  }
  return Status::OK();
}

Status ColumnReader::WithContext(Status st) const {
  if (st.ok()) return st;
  return st.WithContext(fmt::format("{}: row group {}, column '{}', page {} at offset {}",
                                    file_->path(), row_group_, leaf_->path_name, page_index_,
                                    page_offset_));
}

Status ColumnReader::StartChunk(int row_group, const ColumnMetaData* meta, ChunkExtent extent) {
  row_group_ = row_group;
  page_index_ = 0;
  page_offset_ = extent.start;
  Result<Codec> codec = ParquetCodec(meta->codec, leaf_->path_name);
  if (!codec.ok()) return WithContext(codec.status());
  codec_ = *codec;
  pos_ = extent.start;
  end_ = extent.start + extent.size;
  chunk_values_ = static_cast<uint64_t>(meta->num_values);
  values_in_pages_ = 0;
  values_read_ = 0;
  data_page_seen_ = false;
  has_dictionary_ = false;
  dictionary_size_ = 0;
  page_left_ = 0;
  level_mode_ = LevelMode::kNone;
  return Status::OK();
}

Status ColumnReader::Read(size_t n, Column* out) { return WithContext(ReadImpl(n, out)); }

Status ColumnReader::ReadImpl(size_t n, Column* out) {
  if (n > chunk_values_left()) {
    return InternalError("asked for {} values, {} are left in the column chunk", n,
                         chunk_values_left());
  }
  if (out->storage() != storage_) {
    return InternalError("column storage does not match the field");
  }
  while (n > 0) {
    if (page_left_ == 0) LP_RETURN_IF_ERROR(LoadNextDataPage());
    const size_t k = static_cast<size_t>(std::min<uint64_t>({n, page_left_, kMaxStep}));
    size_t m = k;
    const uint8_t* levels = nullptr;
    if (level_mode_ != LevelMode::kNone) {
      LP_RETURN_IF_ERROR(DecodeLevels(k, &m));
      levels = levels_scratch_.data();
    }
    if (out->storage() == Storage::kNone) {
      for (size_t i = 0; i < k; ++i) out->AppendNull();
    } else {
      LP_RETURN_IF_ERROR(DecodeValues(m));
      LP_RETURN_IF_ERROR(Emit(levels, k, m, out));
    }
    page_left_ -= k;
    values_read_ += k;
    n -= k;
    if (page_left_ == 0) LP_RETURN_IF_ERROR(FinishPage());
  }
  return Status::OK();
}

Status ColumnReader::LoadNextDataPage() {
  while (true) {
    if (values_in_pages_ >= chunk_values_) {
      return CorruptionError("column chunk has no more values");
    }
    if (pos_ >= end_) {
      return CorruptionError("column chunk ends after {} of its {} values", values_in_pages_,
                             chunk_values_);
    }
    if (page_offset_ != pos_) ++page_index_;
    page_offset_ = pos_;
    PageHeader header;
    uint64_t body = 0;
    LP_RETURN_IF_ERROR(ReadPageHeader(&header, &body));
    const auto size = static_cast<uint64_t>(header.compressed_page_size);
    if (size > end_ - body) {
      return CorruptionError("page of {} bytes overruns the column chunk ({} bytes left)", size,
                             end_ - body);
    }
    pos_ = body + size;
    switch (header.type) {
      case PageType::kDictionaryPage:
        if (has_dictionary_ || data_page_seen_) {
          return CorruptionError(
              "unexpected dictionary page (one is allowed, before the data pages)");
        }
        LP_RETURN_IF_ERROR(ReadPageBody(body, static_cast<size_t>(size)));
        LP_RETURN_IF_ERROR(CheckCrc(header));
        LP_RETURN_IF_ERROR(LoadDictionary(header));
        break;
      case PageType::kDataPage:
        data_page_seen_ = true;
        LP_RETURN_IF_ERROR(ReadPageBody(body, static_cast<size_t>(size)));
        LP_RETURN_IF_ERROR(CheckCrc(header));
        LP_RETURN_IF_ERROR(StartDataPageV1(header));
        if (page_left_ > 0) return Status::OK();
        break;
      case PageType::kDataPageV2:
        data_page_seen_ = true;
        LP_RETURN_IF_ERROR(ReadPageBody(body, static_cast<size_t>(size)));
        LP_RETURN_IF_ERROR(CheckCrc(header));
        LP_RETURN_IF_ERROR(StartDataPageV2(header));
        if (page_left_ > 0) return Status::OK();
        break;
      default:
        // Index pages and page types newer than this reader are skipped.
        break;
    }
  }
}

Status ColumnReader::ReadPageHeader(PageHeader* header, uint64_t* body_offset) {
  const uint64_t left = end_ - pos_;
  size_t window = static_cast<size_t>(std::min<uint64_t>(left, kHeaderWindow));
  while (true) {
    LP_RETURN_IF_ERROR(file_->ReadAt(pos_, window, &header_window_));
    if (header_window_.size() < window) {
      return CorruptionError("file ends at {} inside the column chunk",
                             pos_ + header_window_.size());
    }
    size_t consumed = 0;
    Result<PageHeader> parsed = ParsePageHeader(header_window_, &consumed);
    if (parsed.ok()) {
      *header = std::move(parsed).value();
      *body_offset = pos_ + consumed;
      return Status::OK();
    }
    if (window >= left || window >= kMaxPageHeader) return parsed.status();
    window = static_cast<size_t>(std::min<uint64_t>({left, kMaxPageHeader, uint64_t{window} * 8}));
  }
}

Status ColumnReader::ReadPageBody(uint64_t offset, size_t size) {
  // Small pages often arrived with their header.
  const uint64_t in_window = offset - page_offset_;
  if (in_window + size <= header_window_.size()) {
    raw_.assign(header_window_, static_cast<size_t>(in_window), size);
    return Status::OK();
  }
  LP_RETURN_IF_ERROR(file_->ReadAt(offset, size, &raw_));
  if (raw_.size() != size) {
    return CorruptionError("file ends at {} inside a page of {} bytes", offset + raw_.size(), size);
  }
  return Status::OK();
}

Status ColumnReader::CheckCrc(const PageHeader& header) const {
  if (!header.crc) return Status::OK();
  // CRC-32 (the gzip polynomial) of the page as stored, after the header.
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < raw_.size()) {
    const size_t n = std::min<size_t>(raw_.size() - done, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(raw_.data() + done), static_cast<uInt>(n));
    done += n;
  }
  const auto want = static_cast<uint32_t>(*header.crc);
  if (static_cast<uint32_t>(crc) != want) {
    return CorruptionError(
        "page CRC mismatch: the header says {:08x}, the {} stored bytes give {:08x}", want,
        raw_.size(), static_cast<uint32_t>(crc));
  }
  return Status::OK();
}

Status ColumnReader::Decompress(std::string_view in, size_t uncompressed_size, std::string* out) {
  out->clear();
  if (uncompressed_size > MaxExpansion(codec_, in.size())) {
    return CorruptionError("{} page of {} bytes cannot hold the {} bytes its header claims",
                           CodecName(codec_), in.size(), uncompressed_size);
  }
  if (codec_ == Codec::kZstd) {
    const unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
    if (content == ZSTD_CONTENTSIZE_ERROR) {
      return CorruptionError("zstd page does not start with a zstd frame");
    }
    if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != uncompressed_size) {
      return CorruptionError("zstd frame holds {} bytes, the page header says {}", content,
                             uncompressed_size);
    }
  }
  Status st;
  if (uncompressed_size <= kEagerDecompressLimit || uncompressed_size / 64 <= in.size()) {
    st = codecs_->Decompress(codec_, in, uncompressed_size, uncompressed_size, out);
  } else {
    st = codecs_->Decompress(codec_, in, CodecContext::kUnknownSize, uncompressed_size, out);
    if (st.ok() && out->size() != uncompressed_size) {
      st = CorruptionError("decompressed {} bytes, expected {}", out->size(), uncompressed_size);
    }
  }
  if (!st.ok()) return st.WithContext(fmt::format("{} page", CodecName(codec_)));
  return Status::OK();
}

Status ColumnReader::LoadDictionary(const PageHeader& header) {
  if (!header.dictionary_page_header) {
    return CorruptionError("dictionary page without a dictionary page header");
  }
  const DictionaryPageHeader& d = *header.dictionary_page_header;
  if (d.num_values < 0) return CorruptionError("dictionary page with {} values", d.num_values);
  if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary) {
    return UnimplementedError("dictionary page encoding {} is not supported",
                              EncodingLabel(d.encoding));
  }
  const auto uncompressed = static_cast<size_t>(header.uncompressed_page_size);
  if (codec_ == Codec::kNone) {
    if (raw_.size() != uncompressed) {
      return CorruptionError("uncompressed page of {} bytes, its header says {}", raw_.size(),
                             uncompressed);
    }
    dictionary_buffer_.swap(raw_);
  } else {
    LP_RETURN_IF_ERROR(Decompress(raw_, uncompressed, &dictionary_buffer_));
  }
  const auto n = static_cast<size_t>(d.num_values);
  const auto* p = reinterpret_cast<const uint8_t*>(dictionary_buffer_.data());
  const size_t size = dictionary_buffer_.size();
  dict_bools_.clear();
  dict_i32_.clear();
  dict_i64_.clear();
  dict_f32_.clear();
  dict_f64_.clear();
  dict_views_.clear();
  const auto too_short = [&](std::string_view what) {
    return CorruptionError("dictionary page of {} bytes is too short for {} {} values", size, n,
                           what);
  };
  if (storage_ != Storage::kNone) {
    switch (leaf_->physical) {
      case PhysicalType::kBoolean:
        if (n > size * 8) return too_short("BOOLEAN");
        dict_bools_.resize(n);
        for (size_t i = 0; i < n; ++i) dict_bools_[i] = (p[i >> 3] >> (i & 7)) & 1;
        break;
      case PhysicalType::kInt32:
        if (n > size / 4) return too_short("INT32");
        CopyLe(p, n, &dict_i32_);
        break;
      case PhysicalType::kInt64:
        if (n > size / 8) return too_short("INT64");
        CopyLe(p, n, &dict_i64_);
        break;
      case PhysicalType::kFloat:
        if (n > size / 4) return too_short("FLOAT");
        CopyLe(p, n, &dict_f32_);
        break;
      case PhysicalType::kDouble:
        if (n > size / 8) return too_short("DOUBLE");
        CopyLe(p, n, &dict_f64_);
        break;
      case PhysicalType::kInt96:
        if (n > size / 12) return too_short("INT96");
        dict_i64_.resize(n);
        for (size_t i = 0; i < n; ++i) dict_i64_[i] = Int96ToMicros(p + 12 * i);
        break;
      case PhysicalType::kFixedLenByteArray:
        if (n > size / value_width_) return too_short("FIXED_LEN_BYTE_ARRAY");
        dict_views_.resize(n);
        for (size_t i = 0; i < n; ++i) {
          dict_views_[i] =
              std::string_view(reinterpret_cast<const char*>(p + i * value_width_), value_width_);
        }
        break;
      case PhysicalType::kByteArray: {
        if (n > size / 4) return too_short("BYTE_ARRAY");
        dict_views_.resize(n);
        size_t off = 0;
        for (size_t i = 0; i < n; ++i) {
          if (size - off < 4) return too_short("BYTE_ARRAY");
          const uint32_t len = LoadLe32(p + off);
          off += 4;
          if (len > size - off) {
            return CorruptionError("dictionary value {} of {} bytes overruns the page", i, len);
          }
          dict_views_[i] = std::string_view(reinterpret_cast<const char*>(p + off), len);
          off += len;
        }
        break;
      }
    }
  }
  has_dictionary_ = true;
  dictionary_size_ = n;
  return Status::OK();
}

Status ColumnReader::StartDataPageV1(const PageHeader& header) {
  if (!header.data_page_header) return CorruptionError("data page without a data page header");
  const DataPageHeader& d = *header.data_page_header;
  if (d.num_values < 0) return CorruptionError("data page with {} values", d.num_values);
  const auto num_values = static_cast<uint64_t>(d.num_values);
  if (num_values > chunk_values_ - values_in_pages_) {
    return CorruptionError("data pages hold more values than the column chunk's {}", chunk_values_);
  }
  const auto uncompressed = static_cast<size_t>(header.uncompressed_page_size);
  std::string_view body;
  if (codec_ == Codec::kNone) {
    if (raw_.size() != uncompressed) {
      return CorruptionError("uncompressed page of {} bytes, its header says {}", raw_.size(),
                             uncompressed);
    }
    body = raw_;
  } else {
    LP_RETURN_IF_ERROR(Decompress(raw_, uncompressed, &page_data_));
    body = page_data_;
  }
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  const uint8_t* end = p + body.size();
  level_mode_ = LevelMode::kNone;
  if (nested_) {
    LP_RETURN_IF_ERROR(DecodePageLevels(&p, end, d.repetition_level_encoding, leaf_->max_rep,
                                        num_values, &page_rep_, "repetition", true));
    LP_RETURN_IF_ERROR(DecodePageLevels(&p, end, d.definition_level_encoding, leaf_->max_def,
                                        num_values, &page_def_, "definition", true));
    page_level_pos_ = 0;
  } else if (leaf_->optional) {
    switch (d.definition_level_encoding) {
      case Encoding::kRle: {
        if (end - p < 4) return CorruptionError("definition levels are truncated");
        const uint32_t len = LoadLe32(p);
        p += 4;
        if (len > static_cast<uint64_t>(end - p)) {
          return CorruptionError("definition levels of {} bytes overrun the page ({} bytes left)",
                                 len, end - p);
        }
        levels_ = RleDecoder(p, len, 1);
        p += len;
        level_mode_ = LevelMode::kRle;
        break;
      }
      case Encoding::kBitPacked: {
        const uint64_t bytes = (num_values + 7) / 8;
        if (bytes > static_cast<uint64_t>(end - p)) {
          return CorruptionError("BIT_PACKED definition levels are truncated");
        }
        msb_levels_ = p;
        msb_level_pos_ = 0;
        p += bytes;
        level_mode_ = LevelMode::kBitPackedMsb;
        break;
      }
      default:
        return UnimplementedError("definition level encoding {} is not supported",
                                  EncodingLabel(d.definition_level_encoding));
    }
  }
  page_v2_ = false;
  page_num_nulls_ = 0;
  page_nulls_seen_ = 0;
  LP_RETURN_IF_ERROR(InitValues(d.encoding, p, static_cast<size_t>(end - p)));
  page_left_ = num_values;
  values_in_pages_ += num_values;
  return Status::OK();
}

Status ColumnReader::StartDataPageV2(const PageHeader& header) {
  if (!header.data_page_header_v2) {
    return CorruptionError("data page v2 without a data page v2 header");
  }
  const DataPageHeaderV2& d = *header.data_page_header_v2;
  if (d.num_values < 0 || d.num_nulls < 0 || d.num_nulls > d.num_values ||
      d.definition_levels_byte_length < 0 || d.repetition_levels_byte_length < 0) {
    return CorruptionError(
        "data page v2 header has invalid counts ({} values, {} nulls, levels of {} and {} bytes)",
        d.num_values, d.num_nulls, d.repetition_levels_byte_length,
        d.definition_levels_byte_length);
  }
  const auto num_values = static_cast<uint64_t>(d.num_values);
  if (num_values > chunk_values_ - values_in_pages_) {
    return CorruptionError("data pages hold more values than the column chunk's {}", chunk_values_);
  }
  const uint64_t levels = static_cast<uint64_t>(d.repetition_levels_byte_length) +
                          static_cast<uint64_t>(d.definition_levels_byte_length);
  if (levels > raw_.size() || levels > static_cast<uint64_t>(header.uncompressed_page_size)) {
    return CorruptionError("data page v2 levels of {} bytes exceed the page", levels);
  }
  const std::string_view stored = std::string_view(raw_).substr(static_cast<size_t>(levels));
  const size_t uncompressed = static_cast<size_t>(header.uncompressed_page_size - levels);
  std::string_view body;
  // Levels are never compressed; values are decompressed only when there
  // are stored bytes (an all-null page may store none, with is_compressed
  // still true, and no codec decodes zero bytes).
  if (d.is_compressed && codec_ != Codec::kNone && !stored.empty()) {
    LP_RETURN_IF_ERROR(Decompress(stored, uncompressed, &page_data_));
    body = page_data_;
  } else {
    if (stored.size() != uncompressed) {
      return CorruptionError("uncompressed values of {} bytes, the header says {}", stored.size(),
                             uncompressed);
    }
    body = stored;
  }
  level_mode_ = LevelMode::kNone;
  if (nested_) {
    const auto* rp = reinterpret_cast<const uint8_t*>(raw_.data());
    const uint8_t* rend = rp + d.repetition_levels_byte_length;
    LP_RETURN_IF_ERROR(DecodePageLevels(&rp, rend, Encoding::kRle, leaf_->max_rep, num_values,
                                        &page_rep_, "repetition", false));
    const uint8_t* dend = rend + d.definition_levels_byte_length;
    LP_RETURN_IF_ERROR(DecodePageLevels(&rend, dend, Encoding::kRle, leaf_->max_def, num_values,
                                        &page_def_, "definition", false));
    page_level_pos_ = 0;
  } else if (leaf_->optional) {
    const auto* def =
        reinterpret_cast<const uint8_t*>(raw_.data()) + d.repetition_levels_byte_length;
    levels_ = RleDecoder(def, static_cast<size_t>(d.definition_levels_byte_length), 1);
    level_mode_ = LevelMode::kRle;
  } else if (d.num_nulls > 0) {
    return CorruptionError("page of a required column has {} nulls", d.num_nulls);
  }
  page_v2_ = true;
  page_num_nulls_ = d.num_nulls;
  page_nulls_seen_ = 0;
  LP_RETURN_IF_ERROR(
      InitValues(d.encoding, reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  page_left_ = num_values;
  values_in_pages_ += num_values;
  return Status::OK();
}

Status ColumnReader::InitValues(Encoding encoding, const uint8_t* data, size_t size) {
  encoding_ = encoding;
  values_ = data;
  values_end_ = data + size;
  bool_bit_ = 0;
  values_missing_ = false;
  if (storage_ == Storage::kNone) return Status::OK();
  const PhysicalType t = leaf_->physical;
  if (!EncodingSupported(encoding, t)) {
    return UnimplementedError("encoding {} is not supported for {} values", EncodingLabel(encoding),
                              PhysicalLabel(t));
  }
  if (size == 0) {
    // An all-null page may store no value bytes at all (not even an
    // encoding's header); a page that needs values fails when decoding.
    values_missing_ = true;
    return Status::OK();
  }
  switch (encoding) {
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (!has_dictionary_) {
        return CorruptionError("dictionary-encoded page in a column chunk without a dictionary");
      }
      const int width = data[0];
      if (width > 32) return CorruptionError("dictionary index bit width {} exceeds 32", width);
      rle_ = RleDecoder(data + 1, size - 1, width);
      return Status::OK();
    }
    case Encoding::kRle: {
      if (size < 4) return CorruptionError("RLE boolean values are truncated");
      const uint32_t len = LoadLe32(data);
      if (len > size - 4) {
        return CorruptionError("RLE boolean values of {} bytes overrun the page ({} bytes left)",
                               len, size - 4);
      }
      rle_ = RleDecoder(data + 4, len, 1);
      return Status::OK();
    }
    case Encoding::kDeltaBinaryPacked:
      return delta_.Init(data, size);
    case Encoding::kDeltaLengthByteArray:
      return delta_length_.Init(data, size);
    case Encoding::kDeltaByteArray:
      return delta_bytes_.Init(data, size);
    case Encoding::kByteStreamSplit:
      return split_.Init(data, size, value_width_);
    default:
      return Status::OK();  // PLAIN
  }
}

Status ColumnReader::DecodeLevels(size_t k, size_t* non_null) {
  levels_scratch_.resize(k);
  uint8_t* lv = levels_scratch_.data();
  if (level_mode_ == LevelMode::kRle) {
    Status st = levels_.DecodeBytes(lv, k);
    if (!st.ok()) return st.WithContext("definition levels");
  } else {
    UnpackMsbFirstBits(msb_levels_, msb_level_pos_, k, lv);
    msb_level_pos_ += k;
  }
  size_t ones = 0;
  uint8_t seen = 0;
  for (size_t i = 0; i < k; ++i) {
    ones += lv[i];
    seen |= lv[i];
  }
  if (seen > 1) return CorruptionError("definition level above the maximum of 1");
  *non_null = ones;
  page_nulls_seen_ += static_cast<int64_t>(k - ones);
  return Status::OK();
}

Status ColumnReader::DecodeValues(size_t m) {
  const PhysicalType t = leaf_->physical;
  if (m == 0) return Status::OK();
  if (values_missing_) {
    return CorruptionError("the page stores no value bytes, {} values are needed", m);
  }
  switch (encoding_) {
    case Encoding::kPlain:
      return DecodePlain(m);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return DecodeDictionary(m);
    case Encoding::kRle: {
      bools_.resize(m);
      LP_RETURN_IF_ERROR(rle_.DecodeBytes(bools_.data(), m));
      uint8_t seen = 0;
      for (uint8_t b : bools_) seen |= b;
      if (seen > 1) return CorruptionError("RLE boolean value above 1");
      return Status::OK();
    }
    case Encoding::kDeltaBinaryPacked:
      if (t == PhysicalType::kInt32) {
        i32_.resize(m);
        return delta_.Decode(i32_.data(), m);
      }
      i64_.resize(m);
      return delta_.Decode(i64_.data(), m);
    case Encoding::kDeltaLengthByteArray:
      views_.resize(m);
      return delta_length_.Decode(views_.data(), m);
    case Encoding::kDeltaByteArray:
      views_.resize(m);
      LP_RETURN_IF_ERROR(delta_bytes_.Decode(views_.data(), m, &arena_));
      if (t == PhysicalType::kFixedLenByteArray) {
        for (std::string_view v : views_) {
          if (v.size() != value_width_) {
            return CorruptionError("DELTA_BYTE_ARRAY value of {} bytes in a {}-byte fixed column",
                                   v.size(), value_width_);
          }
        }
      }
      return Status::OK();
    case Encoding::kByteStreamSplit:
      switch (t) {
        case PhysicalType::kFloat:
          f32_.resize(m);
          return split_.Decode(reinterpret_cast<uint8_t*>(f32_.data()), m);
        case PhysicalType::kDouble:
          f64_.resize(m);
          return split_.Decode(reinterpret_cast<uint8_t*>(f64_.data()), m);
        case PhysicalType::kInt32:
          i32_.resize(m);
          return split_.Decode(reinterpret_cast<uint8_t*>(i32_.data()), m);
        case PhysicalType::kInt64:
          i64_.resize(m);
          return split_.Decode(reinterpret_cast<uint8_t*>(i64_.data()), m);
        default: {
          if (m > split_.remaining()) {
            return CorruptionError("BYTE_STREAM_SPLIT data holds {} more values, {} needed",
                                   split_.remaining(), m);
          }
          arena_.resize(m * value_width_);
          auto* dst = reinterpret_cast<uint8_t*>(arena_.data());
          LP_RETURN_IF_ERROR(split_.Decode(dst, m));
          views_.resize(m);
          for (size_t i = 0; i < m; ++i) {
            views_[i] = std::string_view(arena_.data() + i * value_width_, value_width_);
          }
          return Status::OK();
        }
      }
    default:
      return InternalError("encoding {} has no decoder", EncodingLabel(encoding_));
  }
}

Status ColumnReader::DecodePlain(size_t m) {
  const auto avail = static_cast<uint64_t>(values_end_ - values_);
  const auto short_data = [&](uint64_t have) {
    return CorruptionError("PLAIN data holds {} more values, {} needed", have, m);
  };
  switch (leaf_->physical) {
    case PhysicalType::kBoolean: {
      if (bool_bit_ + m > avail * 8) return short_data(avail * 8 - bool_bit_);
      bools_.resize(m);
      for (size_t i = 0; i < m; ++i, ++bool_bit_) {
        bools_[i] = (values_[bool_bit_ >> 3] >> (bool_bit_ & 7)) & 1;
      }
      return Status::OK();
    }
    case PhysicalType::kInt32:
      if (m > avail / 4) return short_data(avail / 4);
      CopyLe(values_, m, &i32_);
      values_ += m * 4;
      return Status::OK();
    case PhysicalType::kInt64:
      if (m > avail / 8) return short_data(avail / 8);
      CopyLe(values_, m, &i64_);
      values_ += m * 8;
      return Status::OK();
    case PhysicalType::kFloat:
      if (m > avail / 4) return short_data(avail / 4);
      CopyLe(values_, m, &f32_);
      values_ += m * 4;
      return Status::OK();
    case PhysicalType::kDouble:
      if (m > avail / 8) return short_data(avail / 8);
      CopyLe(values_, m, &f64_);
      values_ += m * 8;
      return Status::OK();
    case PhysicalType::kInt96:
      if (m > avail / 12) return short_data(avail / 12);
      i64_.resize(m);
      for (size_t i = 0; i < m; ++i) {
        i64_[i] = Int96ToMicros(values_);
        values_ += 12;
      }
      return Status::OK();
    case PhysicalType::kFixedLenByteArray:
      if (m > avail / value_width_) return short_data(avail / value_width_);
      views_.resize(m);
      for (size_t i = 0; i < m; ++i) {
        views_[i] = std::string_view(reinterpret_cast<const char*>(values_), value_width_);
        values_ += value_width_;
      }
      return Status::OK();
    case PhysicalType::kByteArray: {
      views_.resize(m);
      const uint8_t* p = values_;
      for (size_t i = 0; i < m; ++i) {
        if (values_end_ - p < 4) return short_data(i);
        const uint32_t len = LoadLe32(p);
        p += 4;
        if (len > static_cast<uint64_t>(values_end_ - p)) {
          return CorruptionError("PLAIN value of {} bytes overruns the page ({} bytes left)", len,
                                 values_end_ - p);
        }
        views_[i] = std::string_view(reinterpret_cast<const char*>(p), len);
        p += len;
      }
      values_ = p;
      return Status::OK();
    }
  }
  return InternalError("unknown physical type");
}

Status ColumnReader::DecodeDictionary(size_t m) {
  indices_.resize(m);
  Status st = rle_.Decode(indices_.data(), m);
  if (!st.ok()) return st.WithContext("dictionary indices");
  uint32_t max = 0;
  for (uint32_t i : indices_) max = std::max(max, i);
  if (max >= dictionary_size_) {
    return CorruptionError("dictionary index {} is out of range (the dictionary has {} entries)",
                           max, dictionary_size_);
  }
  const uint32_t* idx = indices_.data();
  switch (leaf_->physical) {
    case PhysicalType::kBoolean:
      bools_.resize(m);
      for (size_t i = 0; i < m; ++i) bools_[i] = dict_bools_[idx[i]];
      break;
    case PhysicalType::kInt32:
      i32_.resize(m);
      for (size_t i = 0; i < m; ++i) i32_[i] = dict_i32_[idx[i]];
      break;
    case PhysicalType::kInt64:
    case PhysicalType::kInt96:
      i64_.resize(m);
      for (size_t i = 0; i < m; ++i) i64_[i] = dict_i64_[idx[i]];
      break;
    case PhysicalType::kFloat:
      f32_.resize(m);
      for (size_t i = 0; i < m; ++i) f32_[i] = dict_f32_[idx[i]];
      break;
    case PhysicalType::kDouble:
      f64_.resize(m);
      for (size_t i = 0; i < m; ++i) f64_[i] = dict_f64_[idx[i]];
      break;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      views_.resize(m);
      for (size_t i = 0; i < m; ++i) views_[i] = dict_views_[idx[i]];
      break;
  }
  return Status::OK();
}

Status ColumnReader::Emit(const uint8_t* levels, size_t k, size_t m, Column* out) {
  const LeafConversion conv = leaf_->conversion;
  switch (leaf_->physical) {
    case PhysicalType::kBoolean:
      EmitValues(out, levels, k, bools_.data(),
                 [](Column* c, uint8_t v) { c->AppendBool(v != 0); });
      return Status::OK();
    case PhysicalType::kInt32:
      if (conv == LeafConversion::kUint32ToLong) {
        EmitValues(out, levels, k, i32_.data(), [](Column* c, int32_t v) {
          c->AppendInt64(static_cast<int64_t>(static_cast<uint32_t>(v)));
        });
      } else {
        EmitValues(out, levels, k, i32_.data(), [](Column* c, int32_t v) { c->AppendInt32(v); });
      }
      return Status::OK();
    case PhysicalType::kInt64:
      EmitValues(out, levels, k, i64_.data(), [](Column* c, int64_t v) { c->AppendInt64(v); });
      return Status::OK();
    case PhysicalType::kInt96:
      EmitValues(out, levels, k, i64_.data(), [](Column* c, int64_t v) { c->AppendInt64(v); });
      return Status::OK();
    case PhysicalType::kFloat:
      EmitValues(out, levels, k, f32_.data(), [](Column* c, float v) { c->AppendFloat(v); });
      return Status::OK();
    case PhysicalType::kDouble:
      EmitValues(out, levels, k, f64_.data(), [](Column* c, double v) { c->AppendDouble(v); });
      return Status::OK();
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      break;
  }
  switch (conv) {
    case LeafConversion::kBinaryToEnum: {
      const Field& f = leaf_->field;
      i32_.resize(m);
      for (size_t i = 0; i < m; ++i) {
        const int index = f.SymbolIndex(views_[i]);
        if (index < 0) {
          return CorruptionError("value '{}' is not a symbol of enum '{}'", Printable(views_[i]),
                                 f.enum_name);
        }
        i32_[i] = index;
      }
      EmitValues(out, levels, k, i32_.data(), [](Column* c, int32_t v) { c->AppendInt32(v); });
      return Status::OK();
    }
    case LeafConversion::kUuidToString:
      EmitValues(out, levels, k, views_.data(), [](Column* c, std::string_view v) {
        AppendUuidText(reinterpret_cast<const uint8_t*>(v.data()), c->BeginBytes());
        c->EndBytes();
      });
      return Status::OK();
    case LeafConversion::kFloat16ToFloat:
      EmitValues(out, levels, k, views_.data(), [](Column* c, std::string_view v) {
        const auto* b = reinterpret_cast<const uint8_t*>(v.data());
        c->AppendFloat(HalfToFloat(static_cast<uint16_t>(b[0] | (b[1] << 8))));
      });
      return Status::OK();
    default:
      EmitValues(out, levels, k, views_.data(),
                 [](Column* c, std::string_view v) { c->AppendBytes(v); });
      return Status::OK();
  }
}

Status ColumnReader::DecodePageLevels(const uint8_t** p, const uint8_t* end, Encoding encoding,
                                      int max_level, uint64_t n, std::vector<uint8_t>* out,
                                      std::string_view what, bool length_prefixed) {
  // A page's levels are decoded at once; writers cut pages far below this.
  if (n > kMaxNestedPageValues) {
    return UnimplementedError(
        "a page of {} values in a nested column exceeds the {} this reader takes", n,
        kMaxNestedPageValues);
  }
  out->assign(static_cast<size_t>(n), 0);
  if (max_level == 0) return Status::OK();
  int width = 0;
  for (int v = max_level; v != 0; v >>= 1) ++width;
  const uint8_t* data = *p;
  auto avail = static_cast<uint64_t>(end - data);
  if (encoding == Encoding::kRle) {
    if (length_prefixed) {
      if (avail < 4) return CorruptionError("{} levels are truncated", what);
      const uint32_t len = LoadLe32(data);
      data += 4;
      if (len > avail - 4) {
        return CorruptionError("{} levels of {} bytes overrun the page ({} bytes left)", what, len,
                               avail - 4);
      }
      avail = len;
    }
    RleDecoder decoder(data, static_cast<size_t>(avail), width);
    Status st = decoder.DecodeBytes(out->data(), out->size());
    if (!st.ok()) return st.WithContext(fmt::format("{} levels", what));
    *p = data + avail;
  } else if (encoding == Encoding::kBitPacked) {
    // Deprecated: most significant bit first, no length.
    const uint64_t bytes = (n * static_cast<uint64_t>(width) + 7) / 8;
    if (bytes > avail) return CorruptionError("BIT_PACKED {} levels are truncated", what);
    for (size_t i = 0; i < out->size(); ++i) {
      uint8_t v = 0;
      for (int b = 0; b < width; ++b) {
        const uint64_t bit = i * static_cast<uint64_t>(width) + static_cast<uint64_t>(b);
        v = static_cast<uint8_t>((v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1));
      }
      (*out)[i] = v;
    }
    *p = data + bytes;
  } else {
    return UnimplementedError("{} level encoding {} is not supported", what,
                              EncodingLabel(encoding));
  }
  uint8_t top = 0;
  for (uint8_t v : *out) top = std::max(top, v);
  if (top > max_level) {
    return CorruptionError("{} level {} above the column's maximum of {}", what, top, max_level);
  }
  return Status::OK();
}

Status ColumnReader::ReadRecords(size_t rows, LeafLevels* out, size_t* got) {
  return WithContext(ReadRecordsImpl(rows, out, got));
}

Status ColumnReader::ReadRecordsImpl(size_t rows, LeafLevels* out, size_t* got) {
  *got = 0;
  if (!nested_) return InternalError("ReadRecords on a flat leaf");
  size_t done = 0;
  while (true) {
    if (page_left_ == 0) {
      if (chunk_values_left() == 0) break;
      LP_RETURN_IF_ERROR(LoadNextDataPage());
    }
    const uint8_t* rep = page_rep_.data() + page_level_pos_;
    const uint8_t* def = page_def_.data() + page_level_pos_;
    size_t k = 0;
    bool stop = false;
    for (; k < page_left_; ++k) {
      if (rep[k] != 0) {
        if (done == 0) {
          return CorruptionError("a record starts with repetition level {}, not 0", rep[k]);
        }
        continue;
      }
      if (done == rows) {
        stop = true;
        break;
      }
      ++done;
    }
    out->rep.insert(out->rep.end(), rep, rep + k);
    out->def.insert(out->def.end(), def, def + k);
    size_t m = 0;
    const auto max_def = static_cast<uint8_t>(leaf_->max_def);
    for (size_t i = 0; i < k; ++i) m += def[i] == max_def ? 1 : 0;
    if (storage_ != Storage::kNone) {
      for (size_t left = m; left > 0;) {
        const size_t step = std::min(left, kMaxStep);
        LP_RETURN_IF_ERROR(DecodeValues(step));
        LP_RETURN_IF_ERROR(Emit(nullptr, step, step, &out->values));
        left -= step;
      }
    }
    page_left_ -= k;
    values_read_ += k;
    page_level_pos_ += k;
    if (page_left_ == 0) LP_RETURN_IF_ERROR(FinishPage());
    if (stop) break;
  }
  *got = done;
  return Status::OK();
}

Status ColumnReader::FinishPage() {
  // (Nested leaves: writers differ on whether empty lists count as nulls.)
  if (page_v2_ && !nested_ && leaf_->optional && page_nulls_seen_ != page_num_nulls_) {
    return CorruptionError("data page v2 header counts {} nulls, its levels hold {}",
                           page_num_nulls_, page_nulls_seen_);
  }
  return Status::OK();
}

}  // namespace lakepipe::parquet
