#pragma once
// How an experiment reports progress on a long run: a callback that the command line turns into a
// progress bar (or plain lines when stderr is not a terminal), and that library users may leave
// empty.
//
//   Progress p{[](const std::string& stage, long long done, long long total) { ... }};
//   p("K = 5", 10, 1000);      // stage "K = 5", 10 of 1000 units done
#include <functional>
#include <string>

namespace hypertape::experiments {

struct Progress {
    std::function<void(const std::string& stage, long long done, long long total)> report;

    void operator()(const std::string& stage, long long done, long long total) const {
        if (report) report(stage, done, total);
    }
};

}  // namespace hypertape::experiments
