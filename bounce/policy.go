package bounce

import "time"

// Policy says when an address is suppressed: at once for a hard bounce
// or a complaint, and after SoftLimit soft bounces within Window.
type Policy struct {
	SoftLimit int           // 0: 3
	Window    time.Duration // 0: 14 days
}

// Decision is what to do with an address after an event.
type Decision struct {
	Suppress bool
	// Status is the subscriber status it goes to: "bounced" or
	// "complained"; "" when not suppressed.
	Status string
}

// Decide judges e given the times of the earlier soft bounces of the
// same address (in any order; those outside the window are ignored).
// It is pure: the caller keeps the history.
func (p Policy) Decide(e Event, earlierSoft []time.Time) Decision {
	switch e.Kind {
	case Complaint:
		return Decision{Suppress: true, Status: "complained"}
	case Hard:
		return Decision{Suppress: true, Status: "bounced"}
	case Soft:
		limit, window := p.SoftLimit, p.Window
		if limit <= 0 {
			limit = 3
		}
		if window <= 0 {
			window = 14 * 24 * time.Hour
		}
		n := 1 // this one
		for _, t := range earlierSoft {
			if !t.After(e.At) && e.At.Sub(t) < window {
				n++
			}
		}
		if n >= limit {
			return Decision{Suppress: true, Status: "bounced"}
		}
	}
	return Decision{}
}
