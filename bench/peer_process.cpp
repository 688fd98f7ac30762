#include "peer_process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <hypertape/hypertape.hpp>

extern char** environ;

namespace hypercleaning_bench {

PeerProcess::PeerProcess(const std::vector<std::string>& argv) {
    if (argv.empty()) hypertape::fail("PeerProcess: no program to start");
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0) hypertape::fail("PeerProcess: pipe: ", std::strerror(errno));
    if (pipe(from_child) != 0) {
        close(to_child[0]);
        close(to_child[1]);
        hypertape::fail("PeerProcess: pipe: ", std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    for (const int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) {
        posix_spawn_file_actions_addclose(&actions, fd);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int spawned = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    if (spawned != 0) {
        close(to_child[1]);
        close(from_child[0]);
        hypertape::fail("PeerProcess: cannot start ", argv[0], ": ", std::strerror(spawned));
    }
    to_child_ = fdopen(to_child[1], "w");
    from_child_ = fdopen(from_child[0], "r");
    // A child that exits early must not kill the benchmark with SIGPIPE on the next request.
    std::signal(SIGPIPE, SIG_IGN);
}

PeerProcess::~PeerProcess() {
    if (to_child_ != nullptr) std::fclose(to_child_);
    if (from_child_ != nullptr) std::fclose(from_child_);
    int status = 0;
    if (pid_ > 0) waitpid(pid_, &status, 0);
}

std::optional<std::string> PeerProcess::read_line() {
    std::string line;
    for (int c = std::fgetc(from_child_); c != EOF; c = std::fgetc(from_child_)) {
        if (c == '\n') return line;
        line.push_back(static_cast<char>(c));
    }
    return std::nullopt;
}

std::optional<std::string> PeerProcess::request(const std::string& line) {
    if (std::fprintf(to_child_, "%s\n", line.c_str()) < 0 || std::fflush(to_child_) != 0) return std::nullopt;
    return read_line();
}

namespace {

// Where the value of "key" starts in `line`, or npos.
std::size_t value_position(const std::string& line, const std::string& key) {
    const std::string quoted = "\"" + key + "\":";
    std::size_t at = line.find(quoted);
    if (at == std::string::npos) return at;
    at += quoted.size();
    while (at < line.size() && line[at] == ' ') ++at;
    return at;
}

}  // namespace

std::optional<double> json_number(const std::string& line, const std::string& key) {
    const std::size_t at = value_position(line, key);
    if (at == std::string::npos) return std::nullopt;
    const char* start = line.c_str() + at;
    char* end = nullptr;
    const double value = std::strtod(start, &end);
    if (end == start) return std::nullopt;
    return value;
}

std::optional<std::string> json_string(const std::string& line, const std::string& key) {
    const std::size_t at = value_position(line, key);
    if (at == std::string::npos || line[at] != '"') return std::nullopt;
    const std::size_t close = line.find('"', at + 1);
    if (close == std::string::npos) return std::nullopt;
    return line.substr(at + 1, close - at - 1);
}

}  // namespace hypercleaning_bench
