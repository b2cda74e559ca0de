#include "formats/avro/avro_container.h"

#include <zlib.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compress/codec.h"
#include "core/utf8.h"
#include "formats/avro/avro_datum.h"
#include "formats/avro/avro_nested.h"

namespace lakepipe::avro {
namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
constexpr std::string_view kSchemaKey = "avro.schema";
constexpr std::string_view kCodecKey = "avro.codec";
// Bounds that keep a damaged file from causing huge allocations.
constexpr uint64_t kMaxHeaderBytes = 64ull << 20;
constexpr size_t kMaxMetadataEntries = 1u << 16;
constexpr uint64_t kMaxBlockBytes = 512ull << 20;
constexpr size_t kMaxDecodedBlockBytes = 512ull << 20;
// Records in one block when a record may take no bytes at all (every field
// has type null); the writer cuts blocks at this count too.
constexpr int64_t kMaxRecordsPerBlock = 1ll << 24;
// Longest block header: two 10-byte varints.
constexpr size_t kMaxBlockHeaderBytes = 20;

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) fmt::format_to(std::back_inserter(out), "{:02x}", c);
  return out;
}

// Text for JSON output: the bytes when they are UTF-8, else "0x" + hex.
std::string JsonText(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  return "0x" + Hex(bytes);
}

bool IsAvroName(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!head(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

bool IsAvroFullName(std::string_view name) {
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    const std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!IsAvroName(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// `name` with every invalid character replaced by '_', as a suggestion.
std::string SuggestAvroName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

// When `text` is a valid Avro schema whose top level is not a record (a
// primitive, array, map, enum, fixed or union), what it is, e.g. "of type
// \"string\""; empty otherwise.
// Whether `a` and `b` have the same layout, storage and nullability at
// every level.
bool SameShape(const Column& a, const Column& b) {
  if (a.layout() != b.layout() || a.storage() != b.storage() || a.nullable() != b.nullable() ||
      a.num_children() != b.num_children()) {
    return false;
  }
  for (size_t i = 0; i < a.num_children(); ++i) {
    if (!SameShape(a.child(i), b.child(i))) return false;
  }
  return true;
}

// Marks the record lakepipe wraps a top-level schema that is not a record in.
constexpr std::string_view kTopLevelKey = "lakepipe.top_level";

// A top-level schema that is not a record (a primitive, array, map, union,
// enum or fixed) as a record of one field, named as DuckDB's read_avro names
// its column: the named type's name, else "avro_schema". A record with one
// field encodes exactly as the field does, so the datums read unchanged.
// "" when `text` is a record or not JSON.
std::string WrapNonRecordSchema(std::string_view text) {
  const auto j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !(j.is_string() || j.is_array() || j.is_object())) return "";
  std::string name = "avro_schema";
  if (j.is_object()) {
    const std::string type = j.value("type", "");
    if (type == "record" || type == "error") return "";
    if (auto n = j.find("name"); n != j.end() && n->is_string()) {
      name = n->get<std::string>();
      if (name.rfind('.') != std::string::npos) name = name.substr(name.rfind('.') + 1);
    }
  }
  nlohmann::ordered_json field;
  field["name"] = name;
  field["type"] = j;
  nlohmann::ordered_json wrapper;
  wrapper["type"] = "record";
  wrapper["name"] = "lakepipe_top_level";
  wrapper[std::string(kTopLevelKey)] = true;
  wrapper["fields"] = nlohmann::ordered_json::array({field});
  return wrapper.dump();
}

// The schema text a file's header holds for batches of `schema`, written
// with `writer` (AvroWriterSchema(schema)): a wrapped top-level type is
// written back as itself.
std::string HeaderSchemaText(const Schema& schema, const Schema& writer) {
  const std::string& text = schema.avro_json();
  if (text.find(kTopLevelKey) == std::string::npos) return writer.avro_json();
  const auto j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.value(std::string(kTopLevelKey), false)) return writer.avro_json();
  const auto fields = j.find("fields");
  if (fields == j.end() || !fields->is_array() || fields->size() != 1) return writer.avro_json();
  if (&schema == &writer) return (*fields)[0]["type"].dump();
  const auto rewritten =
      nlohmann::ordered_json::parse(writer.avro_json(), nullptr, /*allow_exceptions=*/false);
  const auto rewritten_fields = rewritten.is_object() ? rewritten.find("fields") : rewritten.end();
  if (rewritten_fields == rewritten.end() || !rewritten_fields->is_array() ||
      rewritten_fields->size() != 1) {
    return writer.avro_json();
  }
  return (*rewritten_fields)[0]["type"].dump();
}

Codec ToCodec(BlockCodec codec) {
  switch (codec) {
    case BlockCodec::kNull:
      return Codec::kNone;
    case BlockCodec::kDeflate:
      return Codec::kDeflate;
    case BlockCodec::kSnappy:
      return Codec::kSnappy;
    case BlockCodec::kZstandard:
      return Codec::kZstd;
    case BlockCodec::kBzip2:
      return Codec::kBzip2;
    case BlockCodec::kXz:
      return Codec::kXz;
  }
  return Codec::kNone;
}

void PutBigEndian32(uint32_t v, std::string* out) {
  const char buf[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(buf, 4);
}

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large inputs in pieces.
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

// ---------------------------------------------------------------------------
// Header

struct Header {
  std::vector<std::pair<std::string, std::string>> metadata;  // in file order
  std::string schema_text;
  std::string codec_name = "null";
  std::string sync;
  uint64_t data_offset = 0;  // first block
};

// Parses the header at the start of `buf`. Sets `*truncated` (and fails)
// when `buf` ends before the header does.
Status ParseHeader(std::string_view buf, Header* h, bool* truncated) {
  *truncated = false;
  auto need_more = [&]() {
    *truncated = true;
    return CorruptionError("the file ends inside the header");
  };
  if (buf.size() < kMagic.size()) return need_more();
  if (buf.substr(0, kMagic.size()) != kMagic) {
    return CorruptionError(
        "not an Avro object container file: it starts with {} instead of 4f626a01 (\"Obj\\x01\")",
        Hex(buf.substr(0, kMagic.size())));
  }
  std::string_view in = buf.substr(kMagic.size());
  auto read_long = [&](int64_t* v, std::string_view what) -> Status {
    switch (ReadLong(&in, v)) {
      case VarintRead::kOk:
        return Status::OK();
      case VarintRead::kTruncated:
        return need_more();
      case VarintRead::kOverlong:
        break;
    }
    return CorruptionError("header {} is a varint longer than 10 bytes", what);
  };
  auto read_bytes = [&](std::string* out, std::string_view what) -> Status {
    int64_t len = 0;
    LP_RETURN_IF_ERROR(read_long(&len, what));
    if (len < 0) return CorruptionError("header {} has negative length {}", what, len);
    if (static_cast<uint64_t>(len) > in.size()) return need_more();
    out->assign(in.data(), static_cast<size_t>(len));
    in.remove_prefix(static_cast<size_t>(len));
    return Status::OK();
  };
  h->metadata.clear();
  while (true) {
    int64_t count = 0;
    LP_RETURN_IF_ERROR(read_long(&count, "metadata count"));
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN) return CorruptionError("header metadata count {} is invalid", count);
      count = -count;
      int64_t byte_size = 0;
      LP_RETURN_IF_ERROR(read_long(&byte_size, "metadata block size"));
      if (byte_size < 0)
        return CorruptionError("header metadata block size {} is negative", byte_size);
    }
    if (static_cast<uint64_t>(count) > kMaxMetadataEntries - h->metadata.size()) {
      return CorruptionError("header claims more than {} metadata entries", kMaxMetadataEntries);
    }
    for (int64_t i = 0; i < count; ++i) {
      std::pair<std::string, std::string> entry;
      LP_RETURN_IF_ERROR(read_bytes(&entry.first, "metadata key"));
      LP_RETURN_IF_ERROR(read_bytes(&entry.second, "metadata value"));
      h->metadata.push_back(std::move(entry));
    }
  }
  if (in.size() < kSyncSize) return need_more();
  h->sync.assign(in.data(), kSyncSize);
  in.remove_prefix(kSyncSize);
  h->data_offset = buf.size() - in.size();

  bool has_schema = false;
  for (const auto& [key, value] : h->metadata) {
    if (key == kSchemaKey) {
      h->schema_text = value;
      has_schema = true;
    } else if (key == kCodecKey) {
      h->codec_name = value;
    }
  }
  if (!has_schema) return CorruptionError("the header has no avro.schema entry");
  return Status::OK();
}

// Reads and parses the header of `file`, reading more of the file only
// when the header is longer than the first read.
Status ReadHeader(InputFile* file, Header* h) {
  const uint64_t size = file->size();
  uint64_t want = std::min<uint64_t>(size, 64u << 10);
  std::string buf;
  while (true) {
    LP_RETURN_IF_ERROR(file->ReadAt(0, static_cast<size_t>(want), &buf));
    bool truncated = false;
    Status st = ParseHeader(buf, h, &truncated);
    if (st.ok()) return st;
    if (!truncated) return CorruptionError("{}: {}", file->path(), st.message());
    if (buf.size() >= size) {
      return CorruptionError("{}: the file ends inside the Avro header ({} bytes); it is truncated",
                             file->path(), size);
    }
    if (want >= kMaxHeaderBytes) {
      return CorruptionError("{}: the Avro header is larger than {} bytes", file->path(),
                             kMaxHeaderBytes);
    }
    want = std::min<uint64_t>({size, want * 4, kMaxHeaderBytes});
  }
}

Result<BlockCodec> FileCodec(const Header& h, const std::string& path) {
  if (h.codec_name == "null") return BlockCodec::kNull;
  if (h.codec_name == "deflate") return BlockCodec::kDeflate;
  if (h.codec_name == "snappy") return BlockCodec::kSnappy;
  if (h.codec_name == "zstandard") return BlockCodec::kZstandard;
  if (h.codec_name == "bzip2") return BlockCodec::kBzip2;
  if (h.codec_name == "xz") return BlockCodec::kXz;
  return UnimplementedError(
      "{}: Avro codec '{}' is not supported; lakepipe reads null, deflate, snappy, zstandard, "
      "bzip2 and xz",
      path, JsonText(h.codec_name));
}

// ---------------------------------------------------------------------------
// Blocks

struct BlockInfo {
  uint64_t offset = 0;       // of the block header
  int64_t count = 0;         // records
  uint64_t data_offset = 0;  // of the (compressed) records
  uint64_t size = 0;         // of the (compressed) records
  uint64_t next = 0;         // offset after the sync marker
};

std::string BlockWhere(const std::string& path, uint64_t number, uint64_t offset) {
  return fmt::format("{}: block {} at offset {}", path, number, offset);
}

// Reads and checks the header of block `number` (1-based) at `offset`.
Status ReadBlockHeader(InputFile* file, uint64_t number, uint64_t offset, BlockInfo* b,
                       std::string* scratch) {
  const std::string& path = file->path();
  const uint64_t file_size = file->size();
  LP_RETURN_IF_ERROR(file->ReadAt(offset, kMaxBlockHeaderBytes, scratch));
  std::string_view in = *scratch;
  int64_t values[2] = {0, 0};
  const char* names[2] = {"record count", "byte size"};
  for (int i = 0; i < 2; ++i) {
    switch (ReadLong(&in, &values[i])) {
      case VarintRead::kOk:
        break;
      case VarintRead::kTruncated:
        return CorruptionError("{}: the file ends inside the block header (truncated file?)",
                               BlockWhere(path, number, offset));
      case VarintRead::kOverlong:
        return CorruptionError("{}: the block's {} is a varint longer than 10 bytes",
                               BlockWhere(path, number, offset), names[i]);
    }
  }
  const int64_t count = values[0];
  const int64_t size = values[1];
  if (count < 0) {
    return CorruptionError("{}: negative record count {}", BlockWhere(path, number, offset), count);
  }
  if (size < 0) {
    return CorruptionError("{}: negative byte size {}", BlockWhere(path, number, offset), size);
  }
  if (static_cast<uint64_t>(size) > kMaxBlockBytes) {
    return CorruptionError("{}: the block claims {} bytes, more than the {}-byte limit",
                           BlockWhere(path, number, offset), size, kMaxBlockBytes);
  }
  b->offset = offset;
  b->count = count;
  b->data_offset = offset + (scratch->size() - in.size());
  b->size = static_cast<uint64_t>(size);
  const uint64_t left = file_size - b->data_offset;
  if (b->size > left || left - b->size < kSyncSize) {
    return CorruptionError(
        "{}: the block claims {} bytes plus a {}-byte sync marker but only {} bytes remain "
        "(truncated file?)",
        BlockWhere(path, number, offset), size, kSyncSize, left);
  }
  b->next = b->data_offset + b->size + kSyncSize;
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Reader

class ContainerReader final : public RecordReader {
 public:
  ContainerReader(std::unique_ptr<InputFile> file, Header header, BlockCodec codec,
                  DatumDecoder decoder, const ReadOptions& options)
      : file_(std::move(file)),
        header_(std::move(header)),
        codec_(codec),
        decoder_(std::move(decoder)),
        batch_rows_(std::max<size_t>(options.batch_rows, 1)),
        bad_records_(options.bad_records),
        min_datum_bytes_(MinDatumBytes(*decoder_.writer_schema())),
        pos_(header_.data_offset) {}

  const SchemaPtr& schema() const override { return decoder_.reader_schema(); }
  uint64_t rejected() const override { return rejected_; }

  Result<bool> ReadBatch(RecordBatch* batch) override {
    batch->Clear();
    if (!failed_.ok()) return failed_;
    Result<bool> result = Fill(batch);
    if (!result.ok()) {
      failed_ = result.status();
      batch->Clear();
    }
    return result;
  }

 private:
  Result<bool> Fill(RecordBatch* batch) {
    std::string reason;
    while (batch->num_rows() < batch_rows_) {
      if (remaining_ == 0) {
        if (pos_ >= file_->size()) break;
        LP_RETURN_IF_ERROR(LoadBlock());
        continue;
      }
      const std::string_view before = cursor_;
      Result<bool> added = decoder_.DecodeNext(&cursor_, batch, &reason);
      if (!added.ok()) {
        return CorruptionError("{}, record {}: {}",
                               BlockWhere(file_->path(), number_, block_offset_), record_ + 1,
                               added.status().message());
      }
      --remaining_;
      ++record_;
      if (!*added) {
        ++rejected_;
        if (!bad_records_) {
          return InvalidArgumentError("{}, record {}: {}",
                                      BlockWhere(file_->path(), number_, block_offset_), record_,
                                      reason);
        }
        BadRecord bad;
        bad.source = file_->path();
        bad.offset = block_offset_;
        bad.reason = fmt::format("block {}, record {}: {}", number_, record_, reason);
        bad.raw.assign(before.data(), before.size() - cursor_.size());
        LP_RETURN_IF_ERROR(bad_records_(bad));
      }
      if (remaining_ == 0 && !cursor_.empty()) {
        return CorruptionError("{}: {} bytes are left after the block's {} records",
                               BlockWhere(file_->path(), number_, block_offset_), cursor_.size(),
                               record_);
      }
    }
    return batch->num_rows() > 0;
  }

  Status LoadBlock() {
    const std::string& path = file_->path();
    const uint64_t number = number_ + 1;
    BlockInfo b;
    LP_RETURN_IF_ERROR(ReadBlockHeader(file_.get(), number, pos_, &b, &raw_));
    LP_RETURN_IF_ERROR(
        file_->ReadAt(b.data_offset, static_cast<size_t>(b.size) + kSyncSize, &raw_));
    if (raw_.size() != b.size + kSyncSize) {
      return CorruptionError("{}: read {} bytes of the block, expected {}",
                             BlockWhere(path, number, b.offset), raw_.size(), b.size + kSyncSize);
    }
    const std::string_view sync(raw_.data() + b.size, kSyncSize);
    if (sync != header_.sync) {
      return CorruptionError(
          "{}: sync marker mismatch (found {}, expected {}); the block's size or data is damaged",
          BlockWhere(path, number, b.offset), Hex(sync), Hex(header_.sync));
    }
    const std::string_view data(raw_.data(), static_cast<size_t>(b.size));
    decoded_.clear();
    switch (codec_) {
      case BlockCodec::kNull:
        cursor_ = data;
        break;
      case BlockCodec::kDeflate:
      case BlockCodec::kZstandard:
      case BlockCodec::kBzip2:
      case BlockCodec::kXz: {
        Status st = codec_context_.Decompress(ToCodec(codec_), data, CodecContext::kUnknownSize,
                                              kMaxDecodedBlockBytes, &decoded_);
        if (!st.ok()) {
          return CorruptionError("{}: {}", BlockWhere(path, number, b.offset), st.message());
        }
        cursor_ = decoded_;
        break;
      }
      case BlockCodec::kSnappy: {
        if (data.size() < 4) {
          return CorruptionError("{}: a snappy block of {} bytes has no room for its checksum",
                                 BlockWhere(path, number, b.offset), data.size());
        }
        Status st =
            codec_context_.Decompress(Codec::kSnappy, data.substr(0, data.size() - 4),
                                      CodecContext::kUnknownSize, kMaxDecodedBlockBytes, &decoded_);
        if (!st.ok()) {
          return CorruptionError("{}: {}", BlockWhere(path, number, b.offset), st.message());
        }
        const auto* c = reinterpret_cast<const uint8_t*>(data.data() + data.size() - 4);
        const uint32_t expected = (static_cast<uint32_t>(c[0]) << 24) |
                                  (static_cast<uint32_t>(c[1]) << 16) |
                                  (static_cast<uint32_t>(c[2]) << 8) | static_cast<uint32_t>(c[3]);
        const uint32_t actual = Crc32(decoded_);
        if (actual != expected) {
          return CorruptionError(
              "{}: snappy block checksum mismatch (stored {:08x}, computed {:08x})",
              BlockWhere(path, number, b.offset), expected, actual);
        }
        cursor_ = decoded_;
        break;
      }
    }
    const uint64_t max_records =
        min_datum_bytes_ > 0 ? cursor_.size() / min_datum_bytes_ : kMaxRecordsPerBlock;
    if (static_cast<uint64_t>(b.count) > max_records) {
      return CorruptionError("{}: the block claims {} records but its {} bytes hold at most {}",
                             BlockWhere(path, number, b.offset), b.count, cursor_.size(),
                             max_records);
    }
    if (b.count == 0 && !cursor_.empty()) {
      return CorruptionError("{}: the block holds {} bytes but no records",
                             BlockWhere(path, number, b.offset), cursor_.size());
    }
    number_ = number;
    block_offset_ = b.offset;
    remaining_ = b.count;
    record_ = 0;
    pos_ = b.next;
    return Status::OK();
  }

  std::unique_ptr<InputFile> file_;
  Header header_;
  BlockCodec codec_;
  DatumDecoder decoder_;
  size_t batch_rows_;
  BadRecordSink bad_records_;
  size_t min_datum_bytes_;
  CodecContext codec_context_;
  uint64_t pos_;               // next block header
  uint64_t number_ = 0;        // 1-based number of the current block
  uint64_t block_offset_ = 0;  // offset of the current block
  int64_t remaining_ = 0;      // records of the current block not yet decoded
  int64_t record_ = 0;         // records of the current block decoded
  std::string raw_;            // the current block as stored, sync marker included
  std::string decoded_;        // the current block decompressed
  std::string_view cursor_;    // undecoded records of the current block
  uint64_t rejected_ = 0;
  Status failed_;  // sticky error: later calls return it again
};

// ---------------------------------------------------------------------------
// Writer

class ContainerWriter final : public FileWriter {
 public:
  ContainerWriter(std::unique_ptr<OutputStream> out, SchemaPtr schema, BlockCodec codec,
                  const AvroWriteOptions& options, std::string sync)
      : out_(std::move(out)),
        schema_(std::move(schema)),
        writer_schema_(AvroWriterSchema(schema_)),
        codec_(codec),
        codec_context_(options.compression_level),
        block_bytes_(options.block_bytes),
        sync_(std::move(sync)) {}

  ~ContainerWriter() override {
    if (state_ == State::kOpen || state_ == State::kFailed) Abort();
  }

  Status WriteHeader() {
    std::string header(kMagic);
    AppendLong(2, &header);
    AppendBytes(kSchemaKey, &header);
    AppendBytes(HeaderSchemaText(*schema_, *writer_schema_), &header);
    AppendBytes(kCodecKey, &header);
    AppendBytes(BlockCodecName(codec_), &header);
    AppendLong(0, &header);
    header += sync_;
    return out_->Append(header);
  }

  Status Write(const RecordBatch& batch) override {
    LP_RETURN_IF_ERROR(CheckOpen("Write"));
    LP_RETURN_IF_ERROR(CheckBatch(batch));
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      AppendDatum(*writer_schema_, batch, row, &block_);
      ++block_count_;
      ++rows_written_;
      if (block_.size() >= block_bytes_ || block_count_ >= kMaxRecordsPerBlock) {
        Status st = FlushBlock();
        if (!st.ok()) {
          state_ = State::kFailed;
          return st;
        }
      }
    }
    return Status::OK();
  }

  Status Finish() override {
    LP_RETURN_IF_ERROR(CheckOpen("Finish"));
    Status st = FlushBlock();
    if (st.ok()) st = out_->Commit();
    if (!st.ok()) {
      state_ = State::kFailed;
      return st;
    }
    state_ = State::kFinished;
    return Status::OK();
  }

  void Abort() override {
    if (state_ == State::kFinished || state_ == State::kAborted) return;
    out_->Abort();
    block_.clear();
    block_count_ = 0;
    state_ = State::kAborted;
  }

  uint64_t rows_written() const override { return rows_written_; }
  uint64_t bytes_written() const override { return out_->position() + block_.size(); }

 private:
  enum class State { kOpen, kFailed, kFinished, kAborted };

  Status CheckOpen(std::string_view op) const {
    switch (state_) {
      case State::kOpen:
        return Status::OK();
      case State::kFailed:
        return FailedPreconditionError("{}: {}() after a failed write; call Abort()", out_->path(),
                                       op);
      case State::kFinished:
        return FailedPreconditionError("{}: {}() after Finish()", out_->path(), op);
      case State::kAborted:
        return FailedPreconditionError("{}: {}() after Abort()", out_->path(), op);
    }
    return Status::OK();
  }

  Status CheckBatch(const RecordBatch& batch) const {
    if (batch.num_columns() != schema_->num_fields()) {
      return InvalidArgumentError("{}: the batch has {} columns but the Avro schema has {} fields",
                                  out_->path(), batch.num_columns(), schema_->num_fields());
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      const Field& f = schema_->field(i);
      const Column& c = batch.column(i);
      if (!SameShape(c, Column::ForField(f))) {
        return InvalidArgumentError(
            "{}: batch column {} does not match Avro field '{}' ({}); convert the batch to the "
            "writer's schema",
            out_->path(), i, f.name, f.Describe());
      }
    }
    return Status::OK();
  }

  Status FlushBlock() {
    if (block_count_ == 0) return Status::OK();
    std::string_view payload = block_;
    if (codec_ != BlockCodec::kNull) {
      compressed_.clear();
      LP_RETURN_IF_ERROR(codec_context_.Compress(ToCodec(codec_), block_, &compressed_));
      if (codec_ == BlockCodec::kSnappy) PutBigEndian32(Crc32(block_), &compressed_);
      payload = compressed_;
    }
    frame_.clear();
    AppendLong(block_count_, &frame_);
    AppendLong(static_cast<int64_t>(payload.size()), &frame_);
    LP_RETURN_IF_ERROR(out_->Append(frame_));
    LP_RETURN_IF_ERROR(out_->Append(payload));
    LP_RETURN_IF_ERROR(out_->Append(sync_));
    block_.clear();
    block_count_ = 0;
    return Status::OK();
  }

  std::unique_ptr<OutputStream> out_;
  SchemaPtr schema_;         // the batches'
  SchemaPtr writer_schema_;  // the header's: AvroWriterSchema(schema_)
  BlockCodec codec_;
  CodecContext codec_context_;
  uint64_t block_bytes_;
  std::string sync_;
  State state_ = State::kOpen;
  std::string block_;  // encoded records of the pending block
  int64_t block_count_ = 0;
  std::string compressed_;  // scratch for the compressed block
  std::string frame_;       // scratch for the block header
  uint64_t rows_written_ = 0;
};

Result<std::string> NewSyncMarker() {
  try {
    std::random_device rd;
    std::string sync;
    sync.reserve(kSyncSize);
    while (sync.size() < kSyncSize) {
      const uint32_t v = rd();
      for (int i = 0; i < 4; ++i) sync.push_back(static_cast<char>(v >> (8 * i)));
    }
    return sync;
  } catch (const std::exception& e) {
    return InternalError("cannot draw a random Avro sync marker: {}", e.what());
  }
}

}  // namespace

std::string_view BlockCodecName(BlockCodec codec) {
  switch (codec) {
    case BlockCodec::kNull:
      return "null";
    case BlockCodec::kDeflate:
      return "deflate";
    case BlockCodec::kSnappy:
      return "snappy";
    case BlockCodec::kZstandard:
      return "zstandard";
    case BlockCodec::kBzip2:
      return "bzip2";
    case BlockCodec::kXz:
      return "xz";
  }
  return "null";
}

Result<BlockCodec> ParseBlockCodec(std::string_view name) {
  if (name == "null" || name == "none") return BlockCodec::kNull;
  if (name == "deflate") return BlockCodec::kDeflate;
  if (name == "snappy") return BlockCodec::kSnappy;
  if (name == "zstandard" || name == "zstd") return BlockCodec::kZstandard;
  if (name == "bzip2") return BlockCodec::kBzip2;
  if (name == "xz") return BlockCodec::kXz;
  return InvalidArgumentError(
      "unknown Avro codec '{}'; use one of null, deflate, snappy, zstandard, bzip2, xz (or the "
      "aliases none, zstd)",
      name);
}

Status CheckAvroNames(const Schema& schema) {
  auto bad_name = [](std::string_view what, std::string_view name) {
    return InvalidArgumentError(
        "{} '{}' is not a valid Avro name (letters, digits and '_', not starting with a digit); "
        "rename it (e.g. to '{}') before writing Avro",
        what, name, SuggestAvroName(name));
  };
  if (!schema.name().empty() && !IsAvroName(schema.name())) {
    return bad_name("record name", schema.name());
  }
  if (!schema.name_space().empty() && !IsAvroFullName(schema.name_space())) {
    return InvalidArgumentError(
        "record namespace '{}' is not a valid Avro namespace (dot-separated Avro names); change it "
        "before writing Avro",
        schema.name_space());
  }
  for (const Field& f : schema.fields()) {
    if (!IsAvroName(f.name)) return bad_name("field", f.name);
    if (f.type != Type::kEnum) continue;
    if (!IsAvroFullName(f.enum_name)) {
      return InvalidArgumentError(
          "field '{}': enum name '{}' is not a valid Avro name; rename it before writing Avro",
          f.name, f.enum_name);
    }
    for (const std::string& symbol : f.symbols) {
      if (!IsAvroName(symbol)) {
        return InvalidArgumentError(
            "field '{}': enum symbol '{}' is not a valid Avro name; rename it (e.g. to '{}') "
            "before writing Avro",
            f.name, symbol, SuggestAvroName(symbol));
      }
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<FileWriter>> NewContainerWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const AvroWriteOptions& options) {
  if (!out) return InvalidArgumentError("Avro writer needs an output stream");
  if (!schema) return InvalidArgumentError("Avro writer needs a schema");
  LP_ASSIGN_OR_RETURN(BlockCodec codec, ParseBlockCodec(options.codec));
  Status names = CheckAvroNames(*schema);
  if (!names.ok()) return names.WithContext(out->path());
  LP_ASSIGN_OR_RETURN(std::string sync, NewSyncMarker());
  auto writer = std::make_unique<ContainerWriter>(std::move(out), std::move(schema), codec, options,
                                                  std::move(sync));
  Status st = writer->WriteHeader();
  if (!st.ok()) {
    writer->Abort();
    return st;
  }
  return std::unique_ptr<FileWriter>(std::move(writer));
}

Result<std::unique_ptr<RecordReader>> OpenContainerReader(std::unique_ptr<InputFile> file,
                                                          const ReadOptions& options) {
  if (!file) return InvalidArgumentError("Avro reader needs an input file");
  const std::string path = file->path();
  Header header;
  LP_RETURN_IF_ERROR(ReadHeader(file.get(), &header));
  LP_ASSIGN_OR_RETURN(BlockCodec codec, FileCodec(header, path));
  LP_RETURN_IF_ERROR(CheckSchemaTextDepth(header.schema_text).WithContext(path));
  const std::string wrapped = WrapNonRecordSchema(header.schema_text);
  Result<Schema> parsed = Schema::FromAvroJson(wrapped.empty() ? header.schema_text : wrapped,
                                               SchemaParseOptions{.complete_types = true});
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kUnimplemented) {
      return parsed.status().WithContext(path);
    }
    return CorruptionError("{}: the schema in the Avro header is invalid: {}", path,
                           parsed.status().message());
  }
  auto writer_schema = std::make_shared<const Schema>(std::move(parsed).value());
  SchemaPtr reader_schema = options.schema ? options.schema : writer_schema;
  Result<DatumDecoder> decoder = DatumDecoder::Make(writer_schema, reader_schema);
  if (!decoder.ok()) {
    return decoder.status().WithContext(
        fmt::format("{}: cannot read the file's schema as the requested schema", path));
  }
  return std::unique_ptr<RecordReader>(std::make_unique<ContainerReader>(
      std::move(file), std::move(header), codec, std::move(decoder).value(), options));
}

Result<nlohmann::json> DescribeContainer(InputFile* file) {
  if (file == nullptr) return InvalidArgumentError("describe needs an input file");
  Header header;
  LP_RETURN_IF_ERROR(ReadHeader(file, &header));
  uint64_t rows = 0;
  uint64_t blocks = 0;
  uint64_t pos = header.data_offset;
  std::string scratch;
  while (pos < file->size()) {
    BlockInfo b;
    LP_RETURN_IF_ERROR(ReadBlockHeader(file, blocks + 1, pos, &b, &scratch));
    LP_RETURN_IF_ERROR(file->ReadAt(b.data_offset + b.size, kSyncSize, &scratch));
    if (scratch != header.sync) {
      return CorruptionError("{}: sync marker mismatch (found {}, expected {})",
                             BlockWhere(file->path(), blocks + 1, b.offset), Hex(scratch),
                             Hex(header.sync));
    }
    rows += static_cast<uint64_t>(b.count);
    ++blocks;
    pos = b.next;
  }
  nlohmann::json metadata = nlohmann::json::object();
  for (const auto& [key, value] : header.metadata) {
    if (key == kSchemaKey || key == kCodecKey) continue;
    metadata[JsonText(key)] = JsonText(value);
  }
  nlohmann::json out;
  out["format"] = "avro";
  out["codec"] = JsonText(header.codec_name);
  out["num_rows"] = rows;
  out["blocks"] = blocks;
  out["file_size"] = file->size();
  out["sync_marker"] = Hex(header.sync);
  out["schema"] = JsonText(header.schema_text);
  out["metadata"] = std::move(metadata);
  return out;
}

}  // namespace lakepipe::avro
