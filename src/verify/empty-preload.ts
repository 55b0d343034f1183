// The control run's preload: it loads and does nothing, so only the presence of a preload differs from bare.
export {}
