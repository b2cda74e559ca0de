#include "formats/parquet/thrift_compact.h"

namespace lakepipe::parquet {

Status ThriftReader::Varint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = 0;
    LP_RETURN_IF_ERROR(Byte(&b));
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return CorruptionError("Thrift varint is too long");
}

Status ThriftReader::ZigZagVarint32(int32_t* v) {
  uint64_t u = 0;
  LP_RETURN_IF_ERROR(Varint(&u));
  if (u > 0xffffffffull) return CorruptionError("Thrift i32 out of range");
  const auto x = static_cast<uint32_t>(u);
  *v = static_cast<int32_t>((x >> 1) ^ (~(x & 1) + 1));
  return Status::OK();
}

Status ThriftReader::ZigZagVarint64(int64_t* v) {
  uint64_t u = 0;
  LP_RETURN_IF_ERROR(Varint(&u));
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return Status::OK();
}

Status ThriftReader::Expect(TType got, TType want) {
  if (got != want) {
    return CorruptionError("Thrift field has type {}, expected {}", static_cast<int>(got),
                           static_cast<int>(want));
  }
  return Status::OK();
}

Status ThriftReader::ReadBool(TType type, bool* v) {
  if (type == TType::kBoolTrue || type == TType::kBoolFalse) {
    *v = type == TType::kBoolTrue;
    return Status::OK();
  }
  return CorruptionError("Thrift field has type {}, expected bool", static_cast<int>(type));
}

Status ThriftReader::ReadI32(TType type, int32_t* v) {
  if (type == TType::kI16 || type == TType::kByte) {
    if (type == TType::kByte) {
      uint8_t b = 0;
      LP_RETURN_IF_ERROR(Byte(&b));
      *v = static_cast<int8_t>(b);
      return Status::OK();
    }
    return ZigZagVarint32(v);
  }
  LP_RETURN_IF_ERROR(Expect(type, TType::kI32));
  return ZigZagVarint32(v);
}

Status ThriftReader::ReadI64(TType type, int64_t* v) {
  if (type == TType::kI32 || type == TType::kI16) {
    int32_t x = 0;
    LP_RETURN_IF_ERROR(ZigZagVarint32(&x));
    *v = x;
    return Status::OK();
  }
  LP_RETURN_IF_ERROR(Expect(type, TType::kI64));
  return ZigZagVarint64(v);
}

Status ThriftReader::ReadElemBinary(std::string* v) {
  uint64_t n = 0;
  LP_RETURN_IF_ERROR(Varint(&n));
  if (n > static_cast<uint64_t>(end_ - p_)) {
    return CorruptionError("Thrift string of {} bytes exceeds the {} bytes left", n, end_ - p_);
  }
  v->assign(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
  p_ += n;
  return Status::OK();
}

Status ThriftReader::ReadBinary(TType type, std::string* v) {
  LP_RETURN_IF_ERROR(Expect(type, TType::kBinary));
  return ReadElemBinary(v);
}

Status ThriftReader::ReadListHeader(TType type, TType* elem, uint32_t* size) {
  if (type != TType::kList && type != TType::kSet) {
    return CorruptionError("Thrift field has type {}, expected list", static_cast<int>(type));
  }
  uint8_t h = 0;
  LP_RETURN_IF_ERROR(Byte(&h));
  *elem = static_cast<TType>(h & 0x0f);
  uint64_t n = h >> 4;
  if (n == 15) LP_RETURN_IF_ERROR(Varint(&n));
  // Every element takes at least one byte, except booleans packed in... none:
  // in lists booleans take a byte each too.
  if (n > static_cast<uint64_t>(end_ - p_)) {
    return CorruptionError("Thrift list of {} elements exceeds the {} bytes left", n, end_ - p_);
  }
  *size = static_cast<uint32_t>(n);
  return Status::OK();
}

Status ThriftReader::Skip(TType type) {
  switch (type) {
    case TType::kBoolTrue:
    case TType::kBoolFalse:
      return Status::OK();
    case TType::kByte: {
      uint8_t b = 0;
      return Byte(&b);
    }
    case TType::kI16:
    case TType::kI32:
    case TType::kI64: {
      uint64_t v = 0;
      return Varint(&v);
    }
    case TType::kDouble:
      if (end_ - p_ < 8) return CorruptionError("Thrift data ends early");
      p_ += 8;
      return Status::OK();
    case TType::kBinary: {
      uint64_t n = 0;
      LP_RETURN_IF_ERROR(Varint(&n));
      if (n > static_cast<uint64_t>(end_ - p_)) return CorruptionError("Thrift data ends early");
      p_ += n;
      return Status::OK();
    }
    case TType::kList:
    case TType::kSet: {
      TType elem = TType::kStop;
      uint32_t n = 0;
      LP_RETURN_IF_ERROR(ReadListHeader(type, &elem, &n));
      if (++depth_ > kMaxDepth) return CorruptionError("Thrift structures nested too deeply");
      for (uint32_t i = 0; i < n; ++i) {
        if (elem == TType::kBoolTrue || elem == TType::kBoolFalse) {
          uint8_t b = 0;
          LP_RETURN_IF_ERROR(Byte(&b));
        } else {
          LP_RETURN_IF_ERROR(Skip(elem));
        }
      }
      --depth_;
      return Status::OK();
    }
    case TType::kMap: {
      uint64_t n = 0;
      LP_RETURN_IF_ERROR(Varint(&n));
      if (n == 0) return Status::OK();
      if (n > static_cast<uint64_t>(end_ - p_)) return CorruptionError("Thrift data ends early");
      uint8_t kv = 0;
      LP_RETURN_IF_ERROR(Byte(&kv));
      if (++depth_ > kMaxDepth) return CorruptionError("Thrift structures nested too deeply");
      for (uint64_t i = 0; i < n; ++i) {
        LP_RETURN_IF_ERROR(Skip(static_cast<TType>(kv >> 4)));
        LP_RETURN_IF_ERROR(Skip(static_cast<TType>(kv & 0x0f)));
      }
      --depth_;
      return Status::OK();
    }
    case TType::kStruct:
      return ReadStruct([this](int16_t, TType t) { return Skip(t); });
    case TType::kStop:
      break;
  }
  return CorruptionError("unknown Thrift type {}", static_cast<int>(type));
}

}  // namespace lakepipe::parquet
