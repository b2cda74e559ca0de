#include "storage/memory_file.h"

#include <algorithm>

namespace lakepipe {
namespace {

class MemoryInputFile final : public InputFile {
 public:
  MemoryInputFile(std::string name, std::string data)
      : name_(std::move(name)), data_(std::move(data)) {}
  const std::string& path() const override { return name_; }
  uint64_t size() const override { return data_.size(); }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    if (offset >= data_.size()) {
      out->clear();
      return Status::OK();
    }
    out->assign(data_, static_cast<size_t>(offset),
                std::min<size_t>(n, data_.size() - static_cast<size_t>(offset)));
    return Status::OK();
  }

 private:
  std::string name_;
  std::string data_;
};

}  // namespace

std::unique_ptr<InputFile> NewMemoryInputFile(std::string name, std::string data) {
  return std::make_unique<MemoryInputFile>(std::move(name), std::move(data));
}

}  // namespace lakepipe
