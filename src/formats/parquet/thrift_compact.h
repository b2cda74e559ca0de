// Thrift compact protocol: just enough to write and read Parquet metadata.
//
// The writer emits fields in the order it is called; callers write them in
// ascending field-id order. The reader is defensive: every length is checked
// against the bytes that remain, nesting depth is bounded, and unknown fields
// are skipped, so damaged input yields kCorruption instead of a crash or a
// huge allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lakepipe::parquet {

// Compact protocol type nibbles.
enum class TType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) {}

  void BeginStruct() { last_ids_.push_back(last_id_), last_id_ = 0; }
  void EndStruct() {
    out_->push_back(0);
    last_id_ = last_ids_.back();
    last_ids_.pop_back();
  }

  void FieldBool(int16_t id, bool v) { FieldHeader(id, v ? TType::kBoolTrue : TType::kBoolFalse); }
  void FieldI32(int16_t id, int32_t v) {
    FieldHeader(id, TType::kI32);
    Varint(ZigZag32(v));
  }
  void FieldI64(int16_t id, int64_t v) {
    FieldHeader(id, TType::kI64);
    Varint(ZigZag64(v));
  }
  void FieldByte(int16_t id, int8_t v) {
    FieldHeader(id, TType::kByte);
    out_->push_back(static_cast<char>(v));
  }
  void FieldI16(int16_t id, int16_t v) {
    FieldHeader(id, TType::kI16);
    Varint(ZigZag32(v));
  }
  void FieldBinary(int16_t id, std::string_view v) {
    FieldHeader(id, TType::kBinary);
    Binary(v);
  }
  // Starts a struct-valued field; finish it with EndStruct().
  void FieldStruct(int16_t id) {
    FieldHeader(id, TType::kStruct);
    BeginStruct();
  }
  // Starts a list-valued field of `size` elements of `elem` type; then write
  // the elements with the element writers below (structs: BeginStruct/EndStruct).
  void FieldList(int16_t id, TType elem, size_t size) {
    FieldHeader(id, TType::kList);
    ListHeader(elem, size);
  }

  void ElemI32(int32_t v) { Varint(ZigZag32(v)); }
  void ElemI64(int64_t v) { Varint(ZigZag64(v)); }
  void ElemBinary(std::string_view v) { Binary(v); }

 private:
  static uint32_t ZigZag32(int32_t v) {
    return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  }
  static uint64_t ZigZag64(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Binary(std::string_view v) {
    Varint(v.size());
    out_->append(v.data(), v.size());
  }
  void FieldHeader(int16_t id, TType type) {
    const int delta = id - last_id_;
    if (delta > 0 && delta <= 15) {
      out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
    } else {
      out_->push_back(static_cast<char>(type));
      Varint(ZigZag32(id));
    }
    last_id_ = id;
  }
  void ListHeader(TType elem, size_t size) {
    if (size < 15) {
      out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem)));
    } else {
      out_->push_back(static_cast<char>(0xf0 | static_cast<uint8_t>(elem)));
      Varint(size);
    }
  }

  std::string* out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> last_ids_;
};

class ThriftReader {
 public:
  ThriftReader(const uint8_t* data, size_t size) : p_(data), end_(data + size), begin_(data) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  // Reads one struct, calling `on_field(id, type)` for every field; the
  // callback must consume the value (Read*/Skip) and return a Status.
  template <typename Fn>
  Status ReadStruct(Fn&& on_field) {
    if (++depth_ > kMaxDepth) return CorruptionError("Thrift structures nested too deeply");
    int16_t last = 0;
    while (true) {
      uint8_t header = 0;
      LP_RETURN_IF_ERROR(Byte(&header));
      const auto type = static_cast<TType>(header & 0x0f);
      if (type == TType::kStop) break;
      int16_t id;
      const int delta = header >> 4;
      if (delta != 0) {
        id = static_cast<int16_t>(last + delta);
      } else {
        int32_t raw = 0;
        LP_RETURN_IF_ERROR(ZigZagVarint32(&raw));
        id = static_cast<int16_t>(raw);
      }
      last = id;
      field_type_ = type;
      LP_RETURN_IF_ERROR(on_field(id, type));
    }
    --depth_;
    return Status::OK();
  }

  // Value readers; `type` checks guard against fields of an unexpected type.
  Status ReadBool(TType type, bool* v);
  Status ReadI32(TType type, int32_t* v);
  Status ReadI64(TType type, int64_t* v);
  Status ReadBinary(TType type, std::string* v);
  // Reads a list header; `*size` is bounded by the bytes that remain.
  Status ReadListHeader(TType type, TType* elem, uint32_t* size);
  // List element readers (no field header).
  Status ReadElemI32(int32_t* v) { return ZigZagVarint32(v); }
  Status ReadElemI64(int64_t* v) { return ZigZagVarint64(v); }
  Status ReadElemBinary(std::string* v);
  Status Skip(TType type);

 private:
  static constexpr int kMaxDepth = 32;
  Status Byte(uint8_t* b) {
    if (p_ >= end_) return CorruptionError("Thrift data ends early");
    *b = *p_++;
    return Status::OK();
  }
  Status Varint(uint64_t* v);
  Status ZigZagVarint32(int32_t* v);
  Status ZigZagVarint64(int64_t* v);
  Status Expect(TType got, TType want);

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  int depth_ = 0;
  TType field_type_ = TType::kStop;
};

}  // namespace lakepipe::parquet
