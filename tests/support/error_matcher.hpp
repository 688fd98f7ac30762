#pragma once
// CHECK_ERROR(expr, matcher): expr throws a hypertape::Error (not merely some exception) whose
// message satisfies the string matcher, e.g.
//   CHECK_ERROR(a + b, Catch::Contains("add") && Catch::Contains("[5]"));
#include <catch2/catch.hpp>
#include <hypertape/tape/error.hpp>
#include <string>

namespace hypertape::testing {

template <class StringMatcher>
class ErrorMessage : public Catch::MatcherBase<Error> {
public:
    explicit ErrorMessage(StringMatcher m) : message_(std::move(m)) {}
    bool match(const Error& e) const override { return message_.match(e.what()); }
    std::string describe() const override { return "is a hypertape::Error whose message " + message_.toString(); }

private:
    StringMatcher message_;
};

template <class StringMatcher>
ErrorMessage<StringMatcher> error_message(StringMatcher m) {
    return ErrorMessage<StringMatcher>(std::move(m));
}

}  // namespace hypertape::testing

#define CHECK_ERROR(expr, matcher) \
    CHECK_THROWS_MATCHES(expr, hypertape::Error, hypertape::testing::error_message(matcher))
