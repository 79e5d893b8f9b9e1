//go:build !race

package bot_test

// raceDetector reports whether the tests run with -race.
const raceDetector = false
