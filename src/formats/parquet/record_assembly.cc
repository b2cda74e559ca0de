#include "formats/parquet/record_assembly.h"

#include <fmt/format.h>

namespace lakepipe::parquet {
namespace {

class Assembler {
 public:
  Assembler(const std::vector<LeafMapping>& leaves, size_t base, std::vector<LeafLevels>* levels)
      : leaves_(leaves), base_(base), levels_(*levels) {}

  // One slot of `node` whose entries start with repetition level `rep`.
  Status Slot(const ReadNode& node, int rep, Column* out) {
    LeafLevels& first = levels_[node.first_leaf - base_];
    if (first.pos >= first.def.size()) return Corrupt(node.first_leaf, "its levels end early");
    if (first.rep[first.pos] != rep) {
      return Corrupt(node.first_leaf, fmt::format("repetition level {} where {} was expected",
                                                  first.rep[first.pos], rep));
    }
    const int def = first.def[first.pos];
    switch (node.shape) {
      case ReadNode::Shape::kLeaf:
        return Leaf(node, def, out);
      case ReadNode::Shape::kStruct:
        if (def < node.def) {
          out->AppendEmpty();
          return Skip(node, rep, node.def);
        }
        out->AppendStruct();
        for (size_t i = 0; i < node.children.size(); ++i) {
          LP_RETURN_IF_ERROR(Slot(node.children[i], rep, &out->child(i)));
        }
        return Status::OK();
      case ReadNode::Shape::kList:
      case ReadNode::Shape::kMap:
        return List(node, rep, def, out);
    }
    return Status::OK();
  }

  // Every leaf consumed exactly what it holds.
  Status CheckDone(const ReadNode& node) {
    for (size_t l = node.first_leaf; l < node.end_leaf; ++l) {
      const LeafLevels& lv = levels_[l - base_];
      if (lv.pos != lv.def.size() || lv.value_pos != lv.values.size()) {
        return Corrupt(l, fmt::format("{} level entries and {} values are left over after the "
                                      "records of the other columns",
                                      lv.def.size() - lv.pos, lv.values.size() - lv.value_pos));
      }
    }
    return Status::OK();
  }

 private:
  Status Corrupt(size_t leaf, std::string_view what) const {
    return CorruptionError("column '{}': inconsistent levels: {}", leaves_[leaf].path_name, what);
  }

  Status List(const ReadNode& node, int rep, int def, Column* out) {
    if (def < node.def) {
      out->AppendEmpty();
      return Skip(node, rep, node.def);
    }
    if (def < node.elem_def) {
      out->FinishList();
      return Skip(node, rep, node.elem_def);
    }
    LeafLevels& first = levels_[node.first_leaf - base_];
    int r = rep;
    while (true) {
      for (size_t i = 0; i < node.children.size(); ++i) {
        LP_RETURN_IF_ERROR(Slot(node.children[i], r, &out->child(i)));
      }
      r = node.rep;
      if (first.pos >= first.rep.size() || first.rep[first.pos] != node.rep) break;
      if (first.def[first.pos] < node.elem_def) {
        return Corrupt(node.first_leaf, "a repeated entry without an element");
      }
    }
    out->FinishList();
    return Status::OK();
  }

  // A null or empty value: every leaf below has one entry, below `limit`.
  Status Skip(const ReadNode& node, int rep, int limit) {
    for (size_t l = node.first_leaf; l < node.end_leaf; ++l) {
      LeafLevels& lv = levels_[l - base_];
      if (lv.pos >= lv.def.size()) return Corrupt(l, "its levels end early");
      if (lv.rep[lv.pos] != rep || lv.def[lv.pos] >= limit) {
        return Corrupt(l, fmt::format("levels (repetition {}, definition {}) disagree with the "
                                      "other columns of the field",
                                      lv.rep[lv.pos], lv.def[lv.pos]));
      }
      ++lv.pos;
    }
    return Status::OK();
  }

  Status Leaf(const ReadNode& node, int def, Column* out) {
    LeafLevels& lv = levels_[node.leaf - base_];
    ++lv.pos;
    if (def < node.def || out->storage() == Storage::kNone) {
      out->AppendEmpty();
      return Status::OK();
    }
    if (lv.value_pos >= lv.values.size()) return Corrupt(node.leaf, "its values end early");
    const size_t v = lv.value_pos++;
    const Column& src = lv.values;
    switch (src.storage()) {
      case Storage::kBool:
        out->AppendBool(src.GetBool(v));
        break;
      case Storage::kInt32:
        out->AppendInt32(src.GetInt32(v));
        break;
      case Storage::kInt64:
        out->AppendInt64(src.GetInt64(v));
        break;
      case Storage::kFloat:
        out->AppendFloat(src.GetFloat(v));
        break;
      case Storage::kDouble:
        out->AppendDouble(src.GetDouble(v));
        break;
      case Storage::kBinary:
        out->AppendBytes(src.GetBytes(v));
        break;
      case Storage::kNone:
        break;
    }
    return Status::OK();
  }

  const std::vector<LeafMapping>& leaves_;
  size_t base_;
  std::vector<LeafLevels>& levels_;
};

}  // namespace

Status AssembleRecords(const ReadNode& node, const std::vector<LeafMapping>& leaves, size_t rows,
                       std::vector<LeafLevels>* levels, Column* out) {
  if (levels->size() != node.end_leaf - node.first_leaf) {
    return InternalError("{} leaf levels for a field of {} leaves", levels->size(),
                         node.end_leaf - node.first_leaf);
  }
  Assembler assembler(leaves, node.first_leaf, levels);
  for (size_t r = 0; r < rows; ++r) LP_RETURN_IF_ERROR(assembler.Slot(node, 0, out));
  return assembler.CheckDone(node);
}

}  // namespace lakepipe::parquet
