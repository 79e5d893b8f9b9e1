package loadbench

import (
	"testing"
	"time"
)

// TestParseRedisCPU reads the main thread's processor time from INFO cpu as Redis 7
// prints it, and nothing from a server that does not say.
func TestParseRedisCPU(t *testing.T) {
	info := "# CPU\r\nused_cpu_sys:1.708843\r\nused_cpu_user:1.612151\r\nused_cpu_sys_children:0.000000\r\n" +
		"used_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:1.708685\r\nused_cpu_user_main_thread:1.612001\r\n"
	if got, want := parseRedisCPU(info), 3320686*time.Microsecond; got != want {
		t.Errorf("parseRedisCPU = %v, want %v", got, want)
	}
	if got := parseRedisCPU("# CPU\r\nused_cpu_sys:1.7\r\n"); got != 0 {
		t.Errorf("without main-thread fields = %v, want 0", got)
	}
}
