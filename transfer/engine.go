// The data-loop engine's settings, on every system (engine_linux.go runs it, engine_other.go
// refuses it).

package transfer

// EngineConfig sizes the data-loop engine.
type EngineConfig struct {
	// Loops is the number of event loops (> 0).
	Loops int
	// Writers > 0 adds a pool of that many goroutines that copy uploads into their files
	// beside the loops (dataloop.Config.Writers); 0: the loops write them.
	Writers int
	// NotSentLowat > 0 is the TCP_NOTSENT_LOWAT of the downloads the engine carries.
	NotSentLowat int
}
