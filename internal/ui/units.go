package ui

import (
	"fmt"
	"strconv"
	"time"
)

var byteUnits = [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// HumanBytes formats a byte count in IEC units with one decimal:
// 1536 -> "1.5 KiB"; below 1 KiB it is exact: 512 -> "512 B".
func HumanBytes(n int64) string {
	sign := ""
	mag := uint64(n) // two's complement: correct magnitude for MinInt64 too
	if n < 0 {
		sign = "-"
		mag = -mag
	}
	if mag < 1024 {
		return sign + strconv.FormatUint(mag, 10) + " B"
	}
	v := float64(mag) / 1024
	unit := 0
	// Move up while the value would print as "1024.0".
	for v >= 1023.95 && unit < len(byteUnits)-1 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%s%.1f %s", sign, v, byteUnits[unit])
}

// FormatDuration formats a stage or job duration for people: "340ms",
// "1.2s", "2m3s".
func FormatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + FormatDuration(-d)
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
