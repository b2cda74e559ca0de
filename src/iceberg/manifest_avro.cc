#include "iceberg/manifest_avro.h"

#include <cstring>
#include <random>

#include <zlib.h>

#include "compress/codec.h"

namespace lakepipe::iceberg::avro_io {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kMaxBlockBytes = size_t{1} << 30;

// ---- Encoding ----

void PutLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

void PutBytes(std::string_view v, std::string* out) {
  PutLong(static_cast<int64_t>(v.size()), out);
  out->append(v);
}

template <typename T>
void PutRaw(T v, std::string* out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only
  out->append(buf, sizeof(T));
}

// Named types seen so far in a schema, by name and full name.
using Names = std::map<std::string, const json*>;

void Remember(const json& schema, Names* names) {
  if (!schema.is_object() || !schema.contains("name")) return;
  const std::string name = schema["name"].get<std::string>();
  (*names)[name] = &schema;
  if (schema.contains("namespace") && schema["namespace"].is_string() &&
      !schema["namespace"].get<std::string>().empty()) {
    (*names)[schema["namespace"].get<std::string>() + "." + name] = &schema;
  }
}

// Every named type defined anywhere in `schema`.
void CollectNames(const json& schema, Names* names) {
  if (schema.is_array()) {
    for (const json& branch : schema) CollectNames(branch, names);
    return;
  }
  if (!schema.is_object()) return;
  Remember(schema, names);
  if (schema.contains("type") && !schema["type"].is_string()) CollectNames(schema["type"], names);
  if (schema.contains("fields") && schema["fields"].is_array()) {
    for (const json& field : schema["fields"]) {
      if (field.is_object() && field.contains("type")) CollectNames(field["type"], names);
    }
  }
  if (schema.contains("items")) CollectNames(schema["items"], names);
  if (schema.contains("values")) CollectNames(schema["values"], names);
}

// The schema `schema` stands for: a named reference resolved, a primitive
// object without logical meaning reduced to its name.
Result<const json*> Resolve(const json& schema, const Names& names) {
  if (schema.is_string()) {
    static const char* const kPrimitives[] = {"null",  "boolean", "int",   "long",
                                              "float", "double",  "bytes", "string"};
    const std::string& name = schema.get_ref<const std::string&>();
    for (const char* p : kPrimitives) {
      if (name == p) return &schema;
    }
    auto it = names.find(name);
    if (it == names.end()) return CorruptionError("Avro schema names unknown type '{}'", name);
    return it->second;
  }
  return &schema;
}

// The type name of a resolved schema: a primitive's name, or "record",
// "array", "map", "fixed", "enum", "union".
std::string TypeOf(const json& schema) {
  if (schema.is_string()) return schema.get<std::string>();
  if (schema.is_array()) return "union";
  if (schema.is_object() && schema.contains("type")) {
    const json& t = schema["type"];
    if (t.is_string()) return t.get<std::string>();
    return TypeOf(t);
  }
  return "";
}

Status Encode(const json& schema, const Value& value, Names* names, std::string* out) {
  LP_ASSIGN_OR_RETURN(const json* s, Resolve(schema, *names));
  const std::string type = TypeOf(*s);
  if (type == "union") {
    int index = -1;
    for (size_t i = 0; i < s->size(); ++i) {
      const bool is_null = (*s)[i].is_string() && (*s)[i] == "null";
      if (is_null == value.is_null()) {
        index = static_cast<int>(i);
        break;
      }
    }
    if (index < 0) return InternalError("Avro union {} has no branch for the value", s->dump());
    PutLong(index, out);
    return Encode((*s)[index], value, names, out);
  }
  if (s->is_object() && (*s)["type"].is_object()) return Encode((*s)["type"], value, names, out);
  if (type == "null") return Status::OK();
  if (type == "boolean") {
    out->push_back(value.b ? 1 : 0);
  } else if (type == "int" || type == "long" || type == "enum") {
    PutLong(value.l, out);
  } else if (type == "float") {
    PutRaw(static_cast<float>(value.d), out);
  } else if (type == "double") {
    PutRaw(value.d, out);
  } else if (type == "bytes" || type == "string") {
    PutBytes(value.s, out);
  } else if (type == "fixed") {
    out->append(value.s);
  } else if (type == "array") {
    Remember(*s, names);
    if (!value.items.empty()) {
      PutLong(static_cast<int64_t>(value.items.size()), out);
      for (const Value& item : value.items) {
        LP_RETURN_IF_ERROR(Encode((*s)["items"], item, names, out));
      }
    }
    PutLong(0, out);
  } else if (type == "record") {
    Remember(*s, names);
    const json& fields = (*s)["fields"];
    if (fields.size() != value.items.size()) {
      return InternalError("Avro record '{}' has {} fields, the value {}",
                           (*s)["name"].get<std::string>(), fields.size(), value.items.size());
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      LP_RETURN_IF_ERROR(Encode(fields[i]["type"], value.items[i], names, out));
    }
  } else {
    return InternalError("cannot encode Avro type '{}'", type);
  }
  return Status::OK();
}

// ---- Decoding ----

class Decoder {
 public:
  Decoder(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= data_.size(); }

  Result<int64_t> Long() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= data_.size()) return Damaged("a varint runs past the end");
      const auto b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    return Damaged("a varint is longer than 10 bytes");
  }

  Result<std::string_view> Raw(size_t n) {
    if (n > data_.size() - pos_) return Damaged("a value runs past the end");
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }

  Result<std::string_view> Bytes() {
    LP_ASSIGN_OR_RETURN(int64_t n, Long());
    if (n < 0) return Damaged("a negative length");
    return Raw(static_cast<size_t>(n));
  }

  Status Damaged(std::string_view why) const {
    return CorruptionError("{}: damaged Avro at byte {}: {}", what_, pos_, why);
  }

  Result<Value> Decode(const json& schema, Names* names, int depth = 0) {
    if (depth > 64) return Damaged("the schema nests too deeply");
    LP_ASSIGN_OR_RETURN(const json* s, Resolve(schema, *names));
    const std::string type = TypeOf(*s);
    if (type == "union") {
      LP_ASSIGN_OR_RETURN(int64_t index, Long());
      if (index < 0 || static_cast<size_t>(index) >= s->size())
        return Damaged("a bad union branch");
      return Decode((*s)[static_cast<size_t>(index)], names, depth + 1);
    }
    if (s->is_object() && (*s)["type"].is_object()) return Decode((*s)["type"], names, depth + 1);
    Value v;
    if (type == "null") return v;
    if (type == "boolean") {
      LP_ASSIGN_OR_RETURN(std::string_view b, Raw(1));
      return Value::Bool(b[0] != 0);
    }
    if (type == "int" || type == "long" || type == "enum") {
      if (type == "enum") Remember(*s, names);
      LP_ASSIGN_OR_RETURN(int64_t l, Long());
      return Value::Long(l);
    }
    if (type == "float") {
      LP_ASSIGN_OR_RETURN(std::string_view raw, Raw(4));
      float f;
      std::memcpy(&f, raw.data(), 4);
      return Value::Double(f);
    }
    if (type == "double") {
      LP_ASSIGN_OR_RETURN(std::string_view raw, Raw(8));
      double d;
      std::memcpy(&d, raw.data(), 8);
      return Value::Double(d);
    }
    if (type == "bytes" || type == "string") {
      LP_ASSIGN_OR_RETURN(std::string_view b, Bytes());
      return Value::Bytes(std::string(b));
    }
    if (type == "fixed") {
      Remember(*s, names);
      LP_ASSIGN_OR_RETURN(std::string_view b, Raw((*s).value("size", 0)));
      return Value::Bytes(std::string(b));
    }
    if (type == "array" || type == "map") return DecodeItems(*s, type == "map", names, depth);
    if (type == "record") {
      Remember(*s, names);
      v.kind = Value::Kind::kRecord;
      for (const json& field : (*s)["fields"]) {
        LP_ASSIGN_OR_RETURN(Value item, Decode(field["type"], names, depth + 1));
        v.items.push_back(std::move(item));
        v.names.push_back(field.value("name", ""));
        v.ids.push_back(field.contains("field-id") && field["field-id"].is_number_integer()
                            ? field["field-id"].get<int32_t>()
                            : -1);
      }
      return v;
    }
    return CorruptionError("{}: unknown Avro type '{}'", what_, type);
  }

 private:
  Result<Value> DecodeItems(const json& s, bool map, Names* names, int depth) {
    Value v;
    v.kind = Value::Kind::kArray;
    while (true) {
      LP_ASSIGN_OR_RETURN(int64_t count, Long());
      if (count == 0) break;
      if (count < 0) {
        count = -count;
        LP_RETURN_IF_ERROR(Long().status());  // the block's byte size
      }
      if (static_cast<uint64_t>(count) > data_.size() - pos_ + 1) return Damaged("too many items");
      for (int64_t i = 0; i < count; ++i) {
        if (map) {
          LP_ASSIGN_OR_RETURN(std::string_view key, Bytes());
          LP_ASSIGN_OR_RETURN(Value value, Decode(s["values"], names, depth + 1));
          Value entry = Value::Record({Value::Bytes(std::string(key)), std::move(value)});
          entry.names = {"key", "value"};
          entry.ids = {-1, -1};
          v.items.push_back(std::move(entry));
        } else {
          LP_ASSIGN_OR_RETURN(Value item, Decode(s["items"], names, depth + 1));
          v.items.push_back(std::move(item));
        }
      }
    }
    return v;
  }

  std::string_view data_;
  std::string_view what_;
  size_t pos_ = 0;
};

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

Result<Codec> CodecOf(std::string_view codec, std::string_view what) {
  if (codec == "null") return Codec::kNone;
  if (codec == "deflate") return Codec::kDeflate;
  if (codec == "snappy") return Codec::kSnappy;
  if (codec == "zstandard") return Codec::kZstd;
  if (codec == "bzip2") return Codec::kBzip2;
  if (codec == "xz") return Codec::kXz;
  return UnimplementedError(
      "{}: Avro codec '{}' is not supported (null, deflate, snappy, zstandard, bzip2, xz are)",
      what, codec);
}

// The block as stored: compressed, snappy followed by the big-endian
// CRC-32 of the uncompressed bytes.
Result<std::string> Compress(std::string_view codec, std::string_view block) {
  LP_ASSIGN_OR_RETURN(Codec c, CodecOf(codec, "Avro writer"));
  if (c == Codec::kNone) return std::string(block);
  CodecContext context;
  std::string out;
  LP_RETURN_IF_ERROR(context.Compress(c, block, &out));
  if (c == Codec::kSnappy) {
    const uint32_t crc = Crc32(block);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(crc >> shift));
  }
  return out;
}

Result<std::string> Decompress(std::string_view codec, std::string_view block,
                               std::string_view what) {
  LP_ASSIGN_OR_RETURN(Codec c, CodecOf(codec, what));
  std::string_view checksum;
  if (c == Codec::kSnappy) {
    if (block.size() < 4) return CorruptionError("{}: a snappy block without its checksum", what);
    checksum = block.substr(block.size() - 4);
    block.remove_suffix(4);
  }
  CodecContext context;
  std::string out;
  Status st = context.Decompress(c, block, CodecContext::kUnknownSize, kMaxBlockBytes, &out);
  if (!st.ok()) return CorruptionError("{}: {} block: {}", what, codec, st.message());
  if (c == Codec::kSnappy) {
    const uint32_t crc = Crc32(out);
    const auto* b = reinterpret_cast<const uint8_t*>(checksum.data());
    if (crc != (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3])) {
      return CorruptionError("{}: a snappy block's CRC-32 does not match its bytes", what);
    }
  }
  return out;
}

}  // namespace

Value Value::Bool(bool v) {
  Value out;
  out.kind = Kind::kBool;
  out.b = v;
  return out;
}
Value Value::Long(int64_t v) {
  Value out;
  out.kind = Kind::kLong;
  out.l = v;
  return out;
}
Value Value::Double(double v) {
  Value out;
  out.kind = Kind::kDouble;
  out.d = v;
  return out;
}
Value Value::Bytes(std::string v) {
  Value out;
  out.kind = Kind::kBytes;
  out.s = std::move(v);
  return out;
}
Value Value::Array(std::vector<Value> items) {
  Value out;
  out.kind = Kind::kArray;
  out.items = std::move(items);
  return out;
}
Value Value::Record(std::vector<Value> fields) {
  Value out;
  out.kind = Kind::kRecord;
  out.items = std::move(fields);
  return out;
}

const Value* Value::Field(int32_t id, std::string_view name) const {
  if (kind != Kind::kRecord) return nullptr;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == id) return &items[i];
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return &items[i];
  }
  return nullptr;
}

Result<std::string> WriteContainer(const json& schema,
                                   const std::map<std::string, std::string>& metadata,
                                   const std::vector<Value>& records, std::string_view codec) {
  std::string body;
  Names names;
  CollectNames(schema, &names);
  for (const Value& record : records) {
    LP_RETURN_IF_ERROR(Encode(schema, record, &names, &body));
  }
  std::map<std::string, std::string> meta = metadata;
  meta["avro.schema"] = schema.dump();
  meta["avro.codec"] = std::string(codec);
  LP_ASSIGN_OR_RETURN(std::string block, Compress(codec, body));
  std::string out(kMagic);
  PutLong(static_cast<int64_t>(meta.size()), &out);
  for (const auto& [key, value] : meta) {
    PutBytes(key, &out);
    PutBytes(value, &out);
  }
  PutLong(0, &out);
  std::string sync(16, '\0');
  std::random_device random;
  for (char& c : sync) c = static_cast<char>(random() & 0xFF);
  out += sync;
  if (!records.empty()) {
    PutLong(static_cast<int64_t>(records.size()), &out);
    PutBytes(block, &out);
    out += sync;
  }
  return out;
}

Result<Container> ReadContainer(std::string_view bytes, std::string_view what) {
  if (bytes.substr(0, 4) != kMagic) {
    return CorruptionError("{}: not an Avro container file (no Obj\\x01 magic)", what);
  }
  Decoder header(bytes.substr(4), what);
  Container out;
  while (true) {
    LP_ASSIGN_OR_RETURN(int64_t count, header.Long());
    if (count == 0) break;
    if (count < 0) {
      count = -count;
      LP_RETURN_IF_ERROR(header.Long().status());
    }
    for (int64_t i = 0; i < count; ++i) {
      LP_ASSIGN_OR_RETURN(std::string_view key, header.Bytes());
      LP_ASSIGN_OR_RETURN(std::string_view value, header.Bytes());
      out.metadata[std::string(key)] = std::string(value);
    }
  }
  LP_ASSIGN_OR_RETURN(std::string_view sync, header.Raw(16));
  auto schema_text = out.metadata.find("avro.schema");
  if (schema_text == out.metadata.end()) return CorruptionError("{}: no avro.schema", what);
  out.schema = json::parse(schema_text->second, nullptr, false);
  if (out.schema.is_discarded()) return CorruptionError("{}: avro.schema is not JSON", what);
  const std::string codec =
      out.metadata.count("avro.codec") ? out.metadata["avro.codec"] : std::string("null");
  Names names;
  CollectNames(out.schema, &names);
  Decoder blocks(bytes.substr(4 + header.pos()), what);
  while (!blocks.done()) {
    LP_ASSIGN_OR_RETURN(int64_t count, blocks.Long());
    LP_ASSIGN_OR_RETURN(std::string_view data, blocks.Bytes());
    LP_ASSIGN_OR_RETURN(std::string_view marker, blocks.Raw(16));
    if (marker != sync) return blocks.Damaged("a block's sync marker does not match the header's");
    std::string decoded;
    if (codec != "null") {
      LP_ASSIGN_OR_RETURN(decoded, Decompress(codec, data, what));
      data = decoded;
    }
    Decoder records(data, what);
    for (int64_t i = 0; i < count; ++i) {
      LP_ASSIGN_OR_RETURN(Value record, records.Decode(out.schema, &names));
      out.records.push_back(std::move(record));
    }
  }
  return out;
}

}  // namespace lakepipe::iceberg::avro_io
