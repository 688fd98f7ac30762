#include "hypertape/bilevel/progress.hpp"

#include <unistd.h>

#include <string>

namespace hypertape {

namespace {
constexpr int kWidth = 30;
}

ProgressBar::ProgressBar(int total, std::FILE* out, bool enabled) : total_(total), out_(out), enabled_(enabled) {}

ProgressBar::~ProgressBar() {
    if (enabled_ && drawn_) {
        std::fputc('\n', out_);
        std::fflush(out_);
    }
}

void ProgressBar::update(int done, double loss) {
    if (!enabled_ || total_ <= 0) return;
    const int filled = kWidth * done / total_;
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                            std::string(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(out_, "\r[%s] %*d/%d  f = %.6g", bar.c_str(), static_cast<int>(std::to_string(total_).size()), done,
                 total_, loss);
    std::fflush(out_);
    drawn_ = true;
}

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) != 0; }

}  // namespace hypertape
