#include "formats/avro/avro_nested.h"

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/utf8.h"
#include "formats/avro/avro_datum.h"
#include "formats/schema_resolution.h"

namespace lakepipe::avro {
namespace {

// How the writer's bytes of one (non-union) value are laid out.
enum class Wire : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kFixed,
  kEnum,
  kRecord,
  kArray,
  kMap,
  kMapArray,  // an array of {key, value} records
};

// What becomes of one writer union branch (or of the only writer type).
struct Branch {
  enum class To : uint8_t { kValue, kNull, kReject };
  To to = To::kValue;
  int reader_member = -1;  // the reader union member receiving the value, or -1
  int value = -1;          // index in NestedPlan::values; -1 for a writer null
  std::string why;         // kReject: why the record is rejected
};

// A writer type position (a union or not) read into one reader column.
struct Slot {
  bool writer_union = false;
  std::vector<Branch> branches;  // by writer branch index; one when !writer_union
  std::string path;
};

// How one writer value that is not a union is read.
struct Value {
  Wire wire = Wire::kNull;
  int32_t size = 0;  // kFixed: its size; kEnum: the writer's symbol count
  Storage storage = Storage::kNone;
  bool utf8 = false;              // read into text: must be valid UTF-8
  bool has_enum_map = false;      // kEnum into a reader enum with other symbols
  std::vector<int32_t> enum_map;  // reader symbol index by writer index, or -1
  std::vector<std::string> symbols;
  int64_t scale = 1;         // kLong: multiply (> 1) or divide (< -1) by
  std::vector<int> slots;    // record: per writer field; array: item; map: (key,) value
  std::vector<int> targets;  // record: the reader child per writer field, or -1
  std::vector<std::pair<int, int>> defaults;  // record: reader child, default column
  size_t min_item_bytes = 0;                  // arrays and maps: the least bytes of one item
  std::string path;
};

// Items of no bytes (arrays of nulls or empty records) a datum may hold.
constexpr int64_t kMaxEmptyItems = int64_t{1} << 20;

}  // namespace

struct NestedPlan {
  std::vector<Slot> slots;
  std::vector<Value> values;
  std::vector<Column> defaults;  // one row each
  int root = -1;                 // a kRecord value: the top-level fields
};

namespace {

Storage ColumnStorage(const Field& f) { return f.IsFlat() ? f.storage() : StorageOf(f); }

bool IsText(const Field& f) {
  return f.kind() == Kind::kString || (f.kind() == Kind::kUuid && f.base != Kind::kFixed);
}

int64_t UnitsPerSecond(TimeUnit u) {
  return u == TimeUnit::kMillis ? 1000 : u == TimeUnit::kMicros ? 1000000 : 1000000000;
}

class Planner {
 public:
  explicit Planner(NestedPlan* plan) : plan_(plan) {}

  Result<int> RootRecord(const Schema& writer, const Schema& reader) {
    Field w;
    w.full_kind = Kind::kStruct;
    w.children = writer.fields();
    Field r;
    r.full_kind = Kind::kStruct;
    r.children = reader.fields();
    return CompileValue(w, &r, "", 0);
  }

 private:
  static std::string Join(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }

  // A writer field (its union, if any) read into reader field `r` (null: skipped).
  Result<int> CompileSlot(const Field& w, const Field* r, const std::string& path, int depth) {
    if (depth > kMaxNestingDepth) {
      return UnimplementedError(
          "field '{}' nests deeper than {} levels; lakepipe reads Avro nested up to {} levels",
          path, kMaxNestingDepth, kMaxNestingDepth);
    }
    Slot slot;
    slot.path = path;
    if (w.avro_union) {
      slot.writer_union = true;
      const size_t n = w.children.size() + (w.null_branch >= 0 ? 1 : 0);
      slot.branches.resize(n);
      Field null_type;
      null_type.full_kind = Kind::kNull;
      if (w.null_branch >= 0) {
        LP_ASSIGN_OR_RETURN(slot.branches[static_cast<size_t>(w.null_branch)],
                            CompileBranch(null_type, r, true, path, depth));
      }
      for (const Field& m : w.children) {
        if (m.union_branch < 0 || static_cast<size_t>(m.union_branch) >= n) {
          return InvalidArgumentError("field '{}': union member without a branch index", path);
        }
        LP_ASSIGN_OR_RETURN(slot.branches[static_cast<size_t>(m.union_branch)],
                            CompileBranch(m, r, true, path, depth));
      }
    } else if (w.kind() != Kind::kNull && (w.nullable || w.single_branch_union)) {
      slot.writer_union = true;
      Field null_type;
      null_type.full_kind = Kind::kNull;
      Field t = w;
      t.nullable = false;
      t.single_branch_union = false;
      LP_ASSIGN_OR_RETURN(Branch value, CompileBranch(t, r, true, path, depth));
      if (w.single_branch_union) {
        slot.branches.push_back(std::move(value));
      } else {
        LP_ASSIGN_OR_RETURN(Branch null_branch, CompileBranch(null_type, r, true, path, depth));
        slot.branches.push_back(w.null_first ? null_branch : value);
        slot.branches.push_back(w.null_first ? value : null_branch);
      }
    } else {
      slot.writer_union = w.single_branch_union;
      LP_ASSIGN_OR_RETURN(Branch only, CompileBranch(w, r, false, path, depth));
      slot.branches.push_back(std::move(only));
    }
    plan_->slots.push_back(std::move(slot));
    return static_cast<int>(plan_->slots.size() - 1);
  }

  static bool ReaderTakesNull(const Field& r) {
    return r.kind() == Kind::kNull || (r.avro_union ? r.null_branch >= 0 : r.nullable);
  }

  // One writer type `w` (not a union) read into reader field `r`.
  Result<Branch> CompileBranch(const Field& w, const Field* r, bool in_union,
                               const std::string& path, int depth) {
    Branch b;
    if (w.kind() == Kind::kNull) {
      if (r == nullptr || ReaderTakesNull(*r)) {
        b.to = Branch::To::kNull;
      } else {
        b.to = Branch::To::kReject;
        b.why = fmt::format("field '{}' is null, but the reader's field cannot be null", path);
      }
      return b;
    }
    const Field* target = r;
    if (r != nullptr && r->avro_union) {
      target = nullptr;
      for (bool exact : {true, false}) {
        for (size_t i = 0; i < r->children.size() && target == nullptr; ++i) {
          if (AvroTypesMatch(w, r->children[i], exact)) {
            target = &r->children[i];
            b.reader_member = static_cast<int>(i);
          }
        }
      }
    } else if (r != nullptr && !AvroTypesMatch(w, *r, false)) {
      target = nullptr;
    }
    if (r != nullptr && target == nullptr) {
      const std::string what =
          fmt::format("a writer {} cannot be read as the reader's {}", w.Describe(), r->Describe());
      if (!in_union) return InvalidArgumentError("field '{}': {}", path, what);
      b.to = Branch::To::kReject;
      b.why = fmt::format("field '{}': {}", path, what);
    }
    LP_ASSIGN_OR_RETURN(b.value, CompileValue(w, target, path, depth + 1));
    return b;
  }

  Result<int> CompileValue(const Field& w, const Field* r, const std::string& path, int depth) {
    Value v;
    v.path = path;
    if (r != nullptr) {
      v.storage = ColumnStorage(*r);
      v.utf8 = IsText(*r);
    }
    switch (w.kind()) {
      case Kind::kStruct:
        LP_RETURN_IF_ERROR(CompileRecord(w, r, path, depth, &v));
        break;
      case Kind::kList: {
        v.wire = Wire::kArray;
        const Field* re = r != nullptr ? &r->children[0] : nullptr;
        LP_ASSIGN_OR_RETURN(int item,
                            CompileSlot(w.children[0], re, Join(path, "element"), depth + 1));
        v.slots.push_back(item);
        v.min_item_bytes = MinValueBytes(w.children[0]);
        break;
      }
      case Kind::kMap: {
        v.wire = w.avro_map_as_array ? Wire::kMapArray : Wire::kMap;
        if (w.avro_map_as_array) {
          const Field* rk = r != nullptr ? &r->children[0] : nullptr;
          LP_ASSIGN_OR_RETURN(int key,
                              CompileSlot(w.children[0], rk, Join(path, "key"), depth + 1));
          v.slots.push_back(key);
          v.min_item_bytes = MinValueBytes(w.children[0]);
        } else {
          v.min_item_bytes = 1;
          v.utf8 = true;
        }
        const Field* rv = r != nullptr ? &r->children[1] : nullptr;
        LP_ASSIGN_OR_RETURN(int value,
                            CompileSlot(w.children[1], rv, Join(path, "value"), depth + 1));
        v.slots.push_back(value);
        v.min_item_bytes += MinValueBytes(w.children[1]);
        break;
      }
      default:
        CompileLeaf(w, r, &v);
        break;
    }
    plan_->values.push_back(std::move(v));
    return static_cast<int>(plan_->values.size() - 1);
  }

  static void CompileLeaf(const Field& w, const Field* r, Value* v) {
    const std::string_view base = w.AvroBaseName();
    static const std::pair<std::string_view, Wire> kWires[] = {
        {"null", Wire::kNull},    {"boolean", Wire::kBoolean}, {"int", Wire::kInt},
        {"long", Wire::kLong},    {"float", Wire::kFloat},     {"double", Wire::kDouble},
        {"string", Wire::kBytes}, {"bytes", Wire::kBytes},     {"fixed", Wire::kFixed},
        {"enum", Wire::kEnum},
    };
    for (const auto& [name, wire] : kWires) {
      if (name == base) v->wire = wire;
    }
    if (v->wire == Wire::kFixed) v->size = w.fixed_size;
    if (v->wire == Wire::kEnum) {
      v->size = static_cast<int32_t>(w.symbols.size());
      v->symbols = w.symbols;
      if (r != nullptr && r->symbols != w.symbols) {
        v->has_enum_map = true;
        const int fallback = r->enum_default.empty() ? -1 : r->SymbolIndex(r->enum_default);
        for (const std::string& s : w.symbols) {
          const int at = r->SymbolIndex(s);
          v->enum_map.push_back(at >= 0 ? at : fallback);
        }
      }
    }
    if (r != nullptr && w.kind() == Kind::kTimestamp && r->kind() == Kind::kTimestamp &&
        w.unit != r->unit) {
      const int64_t from = UnitsPerSecond(w.unit);
      const int64_t to = UnitsPerSecond(r->unit);
      v->scale = to > from ? to / from : -(from / to);
    }
  }

  Status CompileRecord(const Field& w, const Field* r, const std::string& path, int depth,
                       Value* v) {
    v->wire = Wire::kRecord;
    std::vector<bool> read(r != nullptr ? r->children.size() : 0, false);
    for (const Field& wc : w.children) {
      int target = -1;
      if (r != nullptr) target = ReaderChild(*r, wc.name);
      if (target >= 0 && read[static_cast<size_t>(target)]) {
        return InvalidArgumentError("field '{}': two writer fields are read into reader field '{}'",
                                    Join(path, wc.name),
                                    r->children[static_cast<size_t>(target)].name);
      }
      if (target >= 0) read[static_cast<size_t>(target)] = true;
      const Field* rc = target >= 0 ? &r->children[static_cast<size_t>(target)] : nullptr;
      LP_ASSIGN_OR_RETURN(int slot, CompileSlot(wc, rc, Join(path, wc.name), depth + 1));
      v->slots.push_back(slot);
      v->targets.push_back(target);
    }
    for (size_t i = 0; i < read.size(); ++i) {
      if (read[i]) continue;
      const Field& rc = r->children[i];
      const std::string where = Join(path, rc.name);
      if (!rc.default_value) {
        return InvalidArgumentError(
            "reader field '{}' is not in the writer schema and has no default; add a \"default\" "
            "to it or read with a schema that omits it",
            where);
      }
      Column def = Column::ForField(rc);
      LP_RETURN_IF_ERROR(
          AppendJsonDefault(rc, *rc.default_value, &def)
              .WithContext(fmt::format("reader field '{}': invalid default", where)));
      plan_->defaults.push_back(std::move(def));
      v->defaults.emplace_back(static_cast<int>(i), static_cast<int>(plan_->defaults.size() - 1));
    }
    return Status::OK();
  }

  static int ReaderChild(const Field& r, const std::string& name) {
    for (size_t i = 0; i < r.children.size(); ++i) {
      if (r.children[i].name == name) return static_cast<int>(i);
    }
    for (size_t i = 0; i < r.children.size(); ++i) {
      for (const std::string& a : r.children[i].aliases) {
        if (a == name) return static_cast<int>(i);
      }
    }
    return -1;
  }

  NestedPlan* plan_;
};

// ---------------------------------------------------------------------------
// Decoding

class Cursor {
 public:
  Cursor(const NestedPlan& plan, std::string_view in)
      : plan_(plan),
        begin_(reinterpret_cast<const uint8_t*>(in.data())),
        p_(begin_),
        end_(begin_ + in.size()) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }
  std::string& reason() { return reason_; }

  Status ReadSlot(const Slot& s, Column* col) {
    const Branch* b = &s.branches[0];
    if (s.writer_union) {
      int64_t index = 0;
      LP_RETURN_IF_ERROR(Long(s.path, &index));
      if (index < 0 || static_cast<uint64_t>(index) >= s.branches.size()) {
        return Malformed(s.path, fmt::format("union branch index {} is not below the {} branches",
                                             index, s.branches.size()));
      }
      b = &s.branches[static_cast<size_t>(index)];
    }
    switch (b->to) {
      case Branch::To::kNull:
        if (col != nullptr) col->AppendNull();
        return Status::OK();
      case Branch::To::kReject:
        Reject(b->why);
        if (col != nullptr) col->AppendEmpty();
        return b->value >= 0 ? ReadValue(plan_.values[static_cast<size_t>(b->value)], nullptr)
                             : Status::OK();
      case Branch::To::kValue:
        break;
    }
    const Value& v = plan_.values[static_cast<size_t>(b->value)];
    if (col == nullptr || b->reader_member < 0) return ReadValue(v, col);
    col->AppendStruct();
    for (size_t i = 0; i < col->num_children(); ++i) {
      if (static_cast<int>(i) != b->reader_member) col->child(i).AppendNull();
    }
    return ReadValue(v, &col->child(static_cast<size_t>(b->reader_member)));
  }

  template <typename ColumnAt>
  Status ReadRecord(const Value& v, ColumnAt&& column_at) {
    for (size_t i = 0; i < v.slots.size(); ++i) {
      LP_RETURN_IF_ERROR(
          ReadSlot(plan_.slots[static_cast<size_t>(v.slots[i])], column_at(v.targets[i])));
    }
    for (const auto& [child, def] : v.defaults) {
      if (Column* c = column_at(child); c != nullptr) {
        c->AppendFrom(plan_.defaults[static_cast<size_t>(def)], 0);
      }
    }
    return Status::OK();
  }

 private:
  Status ReadValue(const Value& v, Column* col) {
    switch (v.wire) {
      case Wire::kNull:
        if (col != nullptr) col->AppendNull();
        return Status::OK();
      case Wire::kBoolean: {
        if (p_ == end_) return Malformed(v.path, "the datum ends before a boolean");
        const uint8_t b = *p_++;
        if (b > 1) return Malformed(v.path, fmt::format("boolean byte is 0x{:02x}, not 0 or 1", b));
        if (col != nullptr) col->AppendBool(b != 0);
        return Status::OK();
      }
      case Wire::kInt:
      case Wire::kLong:
      case Wire::kEnum:
        return Integer(v, col);
      case Wire::kFloat:
      case Wire::kDouble:
        return Floating(v, col);
      case Wire::kBytes:
      case Wire::kFixed:
        return Binary(v, col);
      case Wire::kRecord:
        if (col != nullptr) col->AppendStruct();
        return ReadRecord(v, [col](int t) {
          return col != nullptr && t >= 0 ? &col->child(static_cast<size_t>(t)) : nullptr;
        });
      case Wire::kArray:
      case Wire::kMap:
      case Wire::kMapArray:
        return Items(v, col);
    }
    return Status::OK();
  }

  Status Integer(const Value& v, Column* col) {
    int64_t x = 0;
    LP_RETURN_IF_ERROR(Long(v.path, &x));
    if (v.wire != Wire::kLong && (x < INT32_MIN || x > INT32_MAX)) {
      return Malformed(v.path, fmt::format("int value {} is out of the 32-bit range", x));
    }
    if (v.wire == Wire::kEnum) {
      if (x < 0 || x >= v.size) {
        return Malformed(v.path,
                         fmt::format("enum index {} is not below the {} symbols", x, v.size));
      }
      if (v.has_enum_map) {
        const int32_t mapped = v.enum_map[static_cast<size_t>(x)];
        if (mapped < 0) {
          Reject(
              fmt::format("field '{}': enum symbol '{}' is not in the reader's enum, which has no "
                          "default",
                          v.path, v.symbols[static_cast<size_t>(x)]));
          if (col != nullptr) col->AppendEmpty();
          return Status::OK();
        }
        x = mapped;
      }
    }
    if (v.scale > 1) {
      if (x > std::numeric_limits<int64_t>::max() / v.scale ||
          x < std::numeric_limits<int64_t>::min() / v.scale) {
        Reject(fmt::format("field '{}': timestamp {} overflows the reader's unit", v.path, x));
        if (col != nullptr) col->AppendEmpty();
        return Status::OK();
      }
      x *= v.scale;
    } else if (v.scale < -1) {
      const int64_t d = -v.scale;
      x = x / d - ((x % d != 0) && (x < 0));
    }
    if (col == nullptr) return Status::OK();
    switch (v.storage) {
      case Storage::kInt32:
        col->AppendInt32(static_cast<int32_t>(x));
        break;
      case Storage::kInt64:
        col->AppendInt64(x);
        break;
      case Storage::kFloat:
        col->AppendFloat(static_cast<float>(x));
        break;
      case Storage::kDouble:
        col->AppendDouble(static_cast<double>(x));
        break;
      default:
        col->AppendEmpty();
        break;
    }
    return Status::OK();
  }

  Status Floating(const Value& v, Column* col) {
    const bool is_float = v.wire == Wire::kFloat;
    const size_t n = is_float ? 4 : 8;
    if (static_cast<size_t>(end_ - p_) < n) {
      return Malformed(
          v.path, is_float ? "the datum ends inside a float" : "the datum ends inside a double");
    }
    double x = 0;
    if (is_float) {
      float f = 0;
      std::memcpy(&f, p_, 4);  // Avro and the host are little-endian
      x = f;
    } else {
      std::memcpy(&x, p_, 8);
    }
    p_ += n;
    if (col == nullptr) return Status::OK();
    if (v.storage == Storage::kFloat) {
      col->AppendFloat(static_cast<float>(x));
    } else {
      col->AppendDouble(x);
    }
    return Status::OK();
  }

  Status Binary(const Value& v, Column* col) {
    std::string_view bytes;
    if (v.wire == Wire::kFixed) {
      LP_RETURN_IF_ERROR(Take(v.path, v.size, &bytes));
    } else {
      LP_RETURN_IF_ERROR(LengthPrefixed(v.path, &bytes));
    }
    if (col != nullptr) AppendText(v, bytes, col);
    return Status::OK();
  }

  void AppendText(const Value& v, std::string_view bytes, Column* col) {
    if (v.utf8) {
      if (const size_t bad = FindInvalidUtf8(bytes); bad != bytes.size()) {
        Reject(fmt::format("field '{}': the value is not valid UTF-8 (byte {} of {})", v.path,
                           bad + 1, bytes.size()));
        col->AppendEmpty();
        return;
      }
    }
    col->AppendBytes(bytes);
  }

  // Arrays and maps: blocks of items, a negative count followed by the
  // block's size in bytes, until an empty block.
  Status Items(const Value& v, Column* col) {
    for (;;) {
      int64_t count = 0;
      LP_RETURN_IF_ERROR(Long(v.path, &count));
      if (count == 0) break;
      if (count < 0) {
        if (count == std::numeric_limits<int64_t>::min()) {
          return Malformed(v.path, "block count is out of range");
        }
        count = -count;
        int64_t size = 0;
        LP_RETURN_IF_ERROR(Long(v.path, &size));
        if (size < 0 || size > end_ - p_) {
          return Malformed(v.path,
                           fmt::format("block size {} exceeds the {} bytes left", size, end_ - p_));
        }
      }
      if (v.min_item_bytes > 0 &&
          static_cast<uint64_t>(count) > static_cast<uint64_t>(end_ - p_) / v.min_item_bytes) {
        return Malformed(
            v.path, fmt::format("block of {} items exceeds the {} bytes left", count, end_ - p_));
      }
      if (v.min_item_bytes == 0 && (empty_items_ += count) > kMaxEmptyItems) {
        return Malformed(v.path, fmt::format("more than {} items of no bytes", kMaxEmptyItems));
      }
      for (int64_t i = 0; i < count; ++i) LP_RETURN_IF_ERROR(Item(v, col));
    }
    if (col != nullptr) col->FinishList();
    return Status::OK();
  }

  Status Item(const Value& v, Column* col) {
    auto child = [col](size_t i) { return col != nullptr ? &col->child(i) : nullptr; };
    const auto& slots = plan_.slots;
    switch (v.wire) {
      case Wire::kArray:
        return ReadSlot(slots[static_cast<size_t>(v.slots[0])], child(0));
      case Wire::kMap: {
        std::string_view key;
        LP_RETURN_IF_ERROR(LengthPrefixed(v.path, &key));
        if (col != nullptr) AppendText(v, key, &col->child(0));
        return ReadSlot(slots[static_cast<size_t>(v.slots[0])], child(1));
      }
      default:
        LP_RETURN_IF_ERROR(ReadSlot(slots[static_cast<size_t>(v.slots[0])], child(0)));
        return ReadSlot(slots[static_cast<size_t>(v.slots[1])], child(1));
    }
  }

  Status Long(const std::string& path, int64_t* v) {
    uint64_t u = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Malformed(path, "the datum ends inside a varint");
      const uint8_t b = *p_++;
      if (shift == 63 && b > 1) break;
      u |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
        return Status::OK();
      }
    }
    return Malformed(path, "varint is longer than 10 bytes");
  }

  Status Take(const std::string& path, int64_t n, std::string_view* out) {
    if (n > end_ - p_) {
      return Malformed(
          path, fmt::format("length {} exceeds the {} bytes left in the datum", n, end_ - p_));
    }
    *out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return Status::OK();
  }

  Status LengthPrefixed(const std::string& path, std::string_view* out) {
    int64_t len = 0;
    LP_RETURN_IF_ERROR(Long(path, &len));
    if (len < 0) return Malformed(path, fmt::format("negative length {}", len));
    return Take(path, len, out);
  }

  void Reject(const std::string& why) {
    if (reason_.empty()) reason_ = why;
  }

  static Status Malformed(const std::string& path, std::string_view what) {
    return InvalidArgumentError("malformed Avro datum: field '{}': {}", path, what);
  }

  const NestedPlan& plan_;
  const uint8_t* const begin_;
  const uint8_t* p_;
  const uint8_t* const end_;
  int64_t empty_items_ = 0;
  std::string reason_;
};

// ---------------------------------------------------------------------------
// Defaults

Status DefaultMismatch(const Field& f, const nlohmann::json& value) {
  return InvalidArgumentError("default {} is not a value of type {}", value.dump(), f.Describe());
}

Status AppendJsonValue(const Field& f, const nlohmann::json& value, Column* col);

Status AppendJsonList(const Field& f, const nlohmann::json& value, Column* col) {
  if (f.kind() == Kind::kList) {
    if (!value.is_array()) return DefaultMismatch(f, value);
    for (const auto& e : value)
      LP_RETURN_IF_ERROR(AppendJsonDefault(f.children[0], e, &col->child(0)));
  } else if (f.avro_map_as_array) {
    if (!value.is_array()) return DefaultMismatch(f, value);
    for (const auto& e : value) {
      if (!e.is_object() || !e.contains("key") || !e.contains("value"))
        return DefaultMismatch(f, value);
      LP_RETURN_IF_ERROR(AppendJsonDefault(f.children[0], e["key"], &col->child(0)));
      LP_RETURN_IF_ERROR(AppendJsonDefault(f.children[1], e["value"], &col->child(1)));
    }
  } else {
    if (!value.is_object()) return DefaultMismatch(f, value);
    for (auto it = value.begin(); it != value.end(); ++it) {
      col->child(0).AppendBytes(it.key());
      LP_RETURN_IF_ERROR(AppendJsonDefault(f.children[1], it.value(), &col->child(1)));
    }
  }
  col->FinishList();
  return Status::OK();
}

// Avro JSON bytes and fixed: one character per byte (code points 0-255).
Status AppendJsonBytes(const Field& f, const nlohmann::json& value, Column* col) {
  if (!value.is_string()) return DefaultMismatch(f, value);
  const std::string& text = value.get_ref<const std::string&>();
  if (IsText(f)) {
    col->AppendBytes(text);
    return Status::OK();
  }
  std::string bytes;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      bytes.push_back(static_cast<char>(c));
    } else if ((c & 0xe0) == 0xc0 && c <= 0xc3 && i + 1 < text.size()) {
      bytes.push_back(
          static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(text[++i]) & 0x3f)));
    } else {
      return DefaultMismatch(f, value);
    }
  }
  if ((f.kind() == Kind::kFixed || f.base == Kind::kFixed) &&
      bytes.size() != static_cast<size_t>(f.fixed_size)) {
    return DefaultMismatch(f, value);
  }
  col->AppendBytes(bytes);
  return Status::OK();
}

Status AppendJsonValue(const Field& f, const nlohmann::json& value, Column* col) {
  switch (f.kind()) {
    case Kind::kNull:
      if (!value.is_null()) return DefaultMismatch(f, value);
      col->AppendNull();
      return Status::OK();
    case Kind::kStruct:
      if (!value.is_object()) return DefaultMismatch(f, value);
      col->AppendStruct();
      for (size_t i = 0; i < f.children.size(); ++i) {
        const Field& c = f.children[i];
        auto it = value.find(c.name);
        if (it == value.end() && !c.default_value) return DefaultMismatch(f, value);
        LP_RETURN_IF_ERROR(
            AppendJsonDefault(c, it != value.end() ? *it : *c.default_value, &col->child(i)));
      }
      return Status::OK();
    case Kind::kList:
    case Kind::kMap:
      return AppendJsonList(f, value, col);
    case Kind::kEnum: {
      const int at = value.is_string() ? f.SymbolIndex(value.get<std::string>()) : -1;
      if (at < 0) return DefaultMismatch(f, value);
      col->AppendInt32(at);
      return Status::OK();
    }
    default:
      break;
  }
  switch (ColumnStorage(f)) {
    case Storage::kNone:
      col->AppendNull();
      return Status::OK();
    case Storage::kBool:
      if (!value.is_boolean()) return DefaultMismatch(f, value);
      col->AppendBool(value.get<bool>());
      return Status::OK();
    case Storage::kInt32:
      if (!value.is_number_integer()) return DefaultMismatch(f, value);
      col->AppendInt32(value.get<int32_t>());
      return Status::OK();
    case Storage::kInt64:
      if (!value.is_number_integer()) return DefaultMismatch(f, value);
      col->AppendInt64(value.get<int64_t>());
      return Status::OK();
    case Storage::kFloat:
      if (!value.is_number()) return DefaultMismatch(f, value);
      col->AppendFloat(value.get<float>());
      return Status::OK();
    case Storage::kDouble:
      if (!value.is_number()) return DefaultMismatch(f, value);
      col->AppendDouble(value.get<double>());
      return Status::OK();
    case Storage::kBinary:
      return AppendJsonBytes(f, value, col);
  }
  return Status::OK();
}

}  // namespace

// A union's default is a value of its first branch.
Status AppendJsonDefault(const Field& f, const nlohmann::json& value, Column* col) {
  if (f.avro_union) {
    if (f.null_branch == 0) {
      if (!value.is_null()) return DefaultMismatch(f, value);
      col->AppendNull();
      return Status::OK();
    }
    for (size_t i = 0; i < f.children.size(); ++i) {
      if (f.children[i].union_branch != 0) continue;
      col->AppendStruct();
      for (size_t k = 0; k < f.children.size(); ++k) {
        if (k != i) col->child(k).AppendNull();
      }
      return AppendJsonValue(f.children[i], value, &col->child(i));
    }
    return DefaultMismatch(f, value);
  }
  if (value.is_null() && (f.nullable || f.kind() == Kind::kNull)) {
    col->AppendNull();
    return Status::OK();
  }
  return AppendJsonValue(f, value, col);
}

Status CheckSchemaTextDepth(std::string_view text) {
  constexpr int kMaxJsonDepth = 4 * kMaxNestingDepth + 8;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return UnimplementedError(
            "the Avro schema nests deeper than {} JSON levels; lakepipe reads Avro nested up to "
            "{} levels",
            kMaxJsonDepth, kMaxNestingDepth);
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<const NestedPlan>> PlanNestedDecoding(const Schema& writer,
                                                             const Schema& reader) {
  auto plan = std::make_shared<NestedPlan>();
  Planner planner(plan.get());
  LP_ASSIGN_OR_RETURN(plan->root, planner.RootRecord(writer, reader));
  return std::shared_ptr<const NestedPlan>(std::move(plan));
}

Result<bool> DecodeNestedRow(const NestedPlan& plan, std::string_view* in, RecordBatch* out,
                             std::string* reason) {
  Cursor cursor(plan, *in);
  Status st = cursor.ReadRecord(plan.values[static_cast<size_t>(plan.root)], [out](int t) {
    return t >= 0 ? &out->column(static_cast<size_t>(t)) : nullptr;
  });
  if (!st.ok()) {
    out->RollbackRow();
    return st;
  }
  in->remove_prefix(cursor.consumed());
  if (!cursor.reason().empty()) {
    out->RollbackRow();
    *reason = std::move(cursor.reason());
    return false;
  }
  return true;
}

}  // namespace lakepipe::avro
