package config

import (
	"fmt"
	"time"
)

// Duration is a time.Duration written in TOML as a string like "30m" or "1h30m".
type Duration struct {
	time.Duration
}

// UnmarshalText accepts Go duration syntax; a bare number is refused because
// its unit would be a guess.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: write it like \"90s\", \"30m\" or \"1h30m\"", string(text))
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: must not be negative", string(text))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the Go duration syntax back.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.Duration.String()), nil
}
