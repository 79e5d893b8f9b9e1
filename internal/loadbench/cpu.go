package loadbench

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processCPU returns the processor time, user and system, this process has used so far;
// 0 if the system does not say.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU returns the processor time, user and system, the Redis server's main thread
// has used so far (INFO cpu), or 0 if it cannot be read. The main thread is the one that
// runs commands and scripts.
func (s *Servers) redisCPU(ctx context.Context) time.Duration {
	info, err := s.infoRedis.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	return parseRedisCPU(info)
}

// parseRedisCPU sums used_cpu_user_main_thread and used_cpu_sys_main_thread (seconds) in
// the text of INFO cpu; servers older than Redis 6.2 lack them and give 0.
func parseRedisCPU(info string) time.Duration {
	var total float64
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || (k != "used_cpu_user_main_thread" && k != "used_cpu_sys_main_thread") {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}
