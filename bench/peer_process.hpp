#pragma once
// A child process spoken to in lines: each request is one line on its standard input, each answer
// one line on its standard output; its standard error is the caller's. Used by
// bench/cpu_hypercleaning.cpp to keep one PyTorch worker running for a whole benchmark, so that
// Python starts once rather than once per timed run.
//
//   PeerProcess peer({"/usr/bin/python3", "bench/peers/hypercleaning_torch.py", "--worker"});
//   std::optional<std::string> hello = peer.read_line();    // nullopt: it exited without answering
//   std::optional<std::string> answer = peer.request("run reverse-T100");
//
// The destructor closes the child's input (end of file: the worker's signal to exit) and waits
// for it.
#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace hypercleaning_bench {

class PeerProcess {
public:
    // Starts argv[0] (looked up on PATH when it has no slash) with arguments argv[1..]; throws
    // hypertape::Error when it cannot be started.
    explicit PeerProcess(const std::vector<std::string>& argv);
    ~PeerProcess();
    PeerProcess(const PeerProcess&) = delete;
    PeerProcess& operator=(const PeerProcess&) = delete;

    // The next line the child writes, without its newline; nullopt once its output has ended.
    std::optional<std::string> read_line();
    // Writes `line` and a newline, then reads the answer; nullopt when the child has exited.
    std::optional<std::string> request(const std::string& line);

private:
    pid_t pid_ = -1;
    std::FILE* to_child_ = nullptr;
    std::FILE* from_child_ = nullptr;
};

// The value of "key" in a one-line flat JSON object such as {"key": 1.5, "name": "x"} (what
// json.dumps writes for a dict of numbers and strings): a number, or nullopt when the key is
// missing or its value is not a number.
std::optional<double> json_number(const std::string& line, const std::string& key);
// The same for a string value (without escapes).
std::optional<std::string> json_string(const std::string& line, const std::string& key);

}  // namespace hypercleaning_bench
