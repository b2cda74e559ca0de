#include "jobs/clean_rules.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"

namespace lakepipe::jobs {
namespace {

int32_t Day(int y, int m, int d) { return static_cast<int32_t>(DaysFromCivil(y, m, d)); }
int64_t Millis(int y, int m, int d) { return int64_t{Day(y, m, d)} * 86400000 + 3600000; }

struct RawUser {
  std::string id = "0b7e3f5c-1d2a-4c3b-9e8f-7a6b5c4d3e2f";
  std::string first = " Ada ", last = "Lovelace", gender = " Female ";
  std::string email = " Ada.Lovelace@Example.COM ", phone = "(01) 234-5678";
  int64_t dob = Millis(1990, 6, 15), registered = Millis(2015, 3, 1);
  std::optional<std::string> nat = "gb", city = "  ";
};

class UsersRulesTest : public ::testing::Test {
 protected:
  UsersRulesTest() : rules_(NewUsersRules(Day(2026, 6, 14))), raw_(rules_->raw_schema()) {}

  void Add(const RawUser& u) {
    const Schema& s = *rules_->raw_schema();
    for (size_t i = 0; i < s.num_fields(); ++i) {
      const std::string& name = s.field(i).name;
      Column& c = raw_.column(i);
      if (name == "id")
        c.AppendBytes(u.id);
      else if (name == "first_name")
        c.AppendBytes(u.first);
      else if (name == "last_name")
        c.AppendBytes(u.last);
      else if (name == "gender")
        c.AppendBytes(u.gender);
      else if (name == "email")
        c.AppendBytes(u.email);
      else if (name == "phone")
        c.AppendBytes(u.phone);
      else if (name == "dob")
        c.AppendInt64(u.dob);
      else if (name == "registered_date")
        c.AppendInt64(u.registered);
      else if (name == "nat")
        u.nat ? c.AppendBytes(*u.nat) : c.AppendNull();
      else if (name == "city")
        u.city ? c.AppendBytes(*u.city) : c.AppendNull();
      else if (s.field(i).nullable)
        c.AppendNull();
      else
        c.AppendBytes("x");
    }
    raw_.CommitRow();
  }

  // Applies the rules to the last row added; "" when kept, else the rule.
  std::string Check(const RawUser& u, std::string* reason = nullptr) {
    Add(u);
    std::string partition;
    Rejection r;
    const size_t before = out_.num_rows();
    auto sink = [&](std::string_view p) {
      partition = p;
      return &out_;
    };
    if (rules_->Apply(raw_, raw_.num_rows() - 1, sink, &r)) {
      EXPECT_EQ(out_.num_rows(), before + 1);
      partition_ = partition;
      return "";
    }
    EXPECT_EQ(out_.num_rows(), before) << "a rejected row must not be appended";
    if (reason) *reason = r.reason;
    return r.rule;
  }

  std::string Text(const std::string& column) {
    const int i = rules_->clean_schema()->FieldIndex(column);
    EXPECT_GE(i, 0) << column;
    const Column& c = out_.column(static_cast<size_t>(i));
    return c.IsNull(out_.num_rows() - 1) ? "<null>" : std::string(c.GetBytes(out_.num_rows() - 1));
  }
  int64_t Int(const std::string& column) {
    const int i = rules_->clean_schema()->FieldIndex(column);
    const Column& c = out_.column(static_cast<size_t>(i));
    return c.storage() == Storage::kInt32 ? c.GetInt32(out_.num_rows() - 1)
                                          : c.GetInt64(out_.num_rows() - 1);
  }

  std::unique_ptr<CleanRules> rules_;
  RecordBatch raw_;
  RecordBatch out_{rules_->clean_schema()};
  std::string partition_;
};

TEST_F(UsersRulesTest, CleansesAndEnriches) {
  ASSERT_EQ(Check(RawUser{}), "");
  EXPECT_EQ(partition_, "registration_year=2015");
  EXPECT_EQ(Text("first_name"), "Ada");
  EXPECT_EQ(Text("gender"), "female");
  EXPECT_EQ(Text("email"), "ada.lovelace@example.com");
  EXPECT_EQ(Text("email_domain"), "example.com");
  EXPECT_EQ(Text("phone"), "012345678");
  EXPECT_EQ(Text("nat"), "GB");
  EXPECT_EQ(Text("city"), "<null>");  // blank becomes null
  EXPECT_EQ(Int("age"), 35);          // 2026-06-14, born 1990-06-15
  EXPECT_EQ(Text("age_group"), "35-44");
  EXPECT_EQ(Int("dob_date"), Day(1990, 6, 15));
  EXPECT_EQ(Int("registration_date"), Day(2015, 3, 1));
  EXPECT_EQ(Int("tenure_days"), Day(2026, 6, 14) - Day(2015, 3, 1));
}

TEST_F(UsersRulesTest, RejectsWithTheRuleAndTheValue) {
  std::string reason;
  RawUser u;
  u.id = "not-a-uuid";
  EXPECT_EQ(Check(u, &reason), "id");
  EXPECT_NE(reason.find("'not-a-uuid'"), std::string::npos) << reason;
  u = RawUser{};
  u.email = "ada.example.com";
  EXPECT_EQ(Check(u, &reason), "email");
  EXPECT_NE(reason.find("ada.example.com"), std::string::npos) << reason;
  u = RawUser{};
  u.gender = "robot";
  EXPECT_EQ(Check(u, &reason), "gender");
  u = RawUser{};
  u.first = "   ";
  EXPECT_EQ(Check(u), "first_name");
  u = RawUser{};
  u.dob = Millis(1850, 1, 1);
  EXPECT_EQ(Check(u, &reason), "dob");
  EXPECT_NE(reason.find("1850-01-01"), std::string::npos) << reason;
  u = RawUser{};
  u.registered = Millis(2030, 1, 1);
  EXPECT_EQ(Check(u), "registered_date");
  u = RawUser{};
  u.dob = Millis(2016, 1, 1);
  EXPECT_EQ(Check(u, &reason), "dob");
  EXPECT_NE(reason.find("after registered_date"), std::string::npos) << reason;
  EXPECT_EQ(out_.num_rows(), 0u);
}

TEST(CleanRulesTest, Helpers) {
  EXPECT_TRUE(IsUuid("0b7e3f5c-1d2a-4c3b-9e8f-7a6b5c4d3e2f"));
  EXPECT_FALSE(IsUuid("0b7e3f5c-1d2a-4c3b-9e8f-7a6b5c4d3e2"));
  EXPECT_FALSE(IsUuid("0b7e3f5cx1d2a-4c3b-9e8f-7a6b5c4d3e2f"));
  EXPECT_TRUE(IsEmailAddress("a.b@c.example.org"));
  for (const char* bad : {"a@b", "@b.com", "a@@b.com", "a b@c.com", "a@b.", "a@.com", "a@b..com"}) {
    EXPECT_FALSE(IsEmailAddress(bad)) << bad;
  }
  EXPECT_EQ(AgeInYears(Day(2000, 2, 29), Day(2001, 2, 28)), 0);
  EXPECT_EQ(AgeInYears(Day(2000, 2, 29), Day(2001, 3, 1)), 1);
  EXPECT_EQ(AgeGroup(17), "under 18");
  EXPECT_EQ(AgeGroup(18), "18-24");
  EXPECT_EQ(AgeGroup(65), "65+");
  EXPECT_FALSE(NewCleanRules("orders", 0).ok());
}

}  // namespace
}  // namespace lakepipe::jobs
