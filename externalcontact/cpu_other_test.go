//go:build !linux

package externalcontact

import "runtime/metrics"

// cpuSeconds returns the runtime's estimate of the CPU seconds spent running
// Go code and collecting garbage.
func cpuSeconds() float64 {
	sample := []metrics.Sample{{Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(sample)
	return sample[0].Value.Float64() + sample[1].Value.Float64()
}
