#pragma once
// A one-line progress bar for long runs: "[#########...........]  45/100  f = 0.4121".
// Redrawn in place with '\r'; finished with a newline when destroyed. Draws nothing when disabled,
// so callers can always keep one: ProgressBar bar(total, stderr, is_terminal(stderr)).
#include <cstdio>

namespace hypertape {

class ProgressBar {
public:
    ProgressBar(int total, std::FILE* out, bool enabled);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void update(int done, double loss);

private:
    int total_;
    std::FILE* out_;
    bool enabled_;
    bool drawn_ = false;
};

bool is_terminal(std::FILE* stream);

}  // namespace hypertape
