package externalcontact

import "syscall"

// cpuSeconds returns the CPU seconds (user and system) this process has
// used, from the kernel: unlike the runtime's estimate, it does not count
// time the process waited for a CPU on a busy machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
