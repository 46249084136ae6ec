#include "kernels/parallel.h"

#include <cassert>

namespace vt::kernels {

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_start_.notify_all();
  for (auto& w : workers_) w.join();
}

// job and tasks are copied under the lock by the caller, so a worker that wakes
// late never mixes one job's counter with another job's function.
void ThreadPool::drain(const std::function<void(std::size_t)>* job, std::size_t tasks) {
  for (;;) {
    const std::size_t t = next_.fetch_add(1);
    if (t >= tasks) return;
    (*job)(t);
  }
}

void ThreadPool::worker_loop() {
  std::size_t seen = 0;
  const std::function<void(std::size_t)>* job = nullptr;
  std::size_t tasks = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_start_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      tasks = tasks_;
      if (job == nullptr) continue;
      ++busy_;
    }
    drain(job, tasks);
    {
      std::lock_guard<std::mutex> lk(mu_);
      --busy_;
    }
    cv_done_.notify_all();
  }
}

void ThreadPool::run(std::size_t tasks, const std::function<void(std::size_t)>& fn) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1) {
    for (std::size_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    assert(job_ == nullptr);
    job_ = &fn;
    tasks_ = tasks;
    next_.store(0);
    ++generation_;
  }
  cv_start_.notify_all();
  drain(&fn, tasks);
  std::unique_lock<std::mutex> lk(mu_);
  cv_done_.wait(lk, [&] { return busy_ == 0; });
  job_ = nullptr;
}

}  // namespace vt::kernels
