package main

// Digests run in the brand's IANA time zone (digests.*.timezone); the
// zone database is built in so that they do in a container without
// /usr/share/zoneinfo too.
import _ "time/tzdata"
