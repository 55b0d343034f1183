// Deliberately empty `--require` preload: the floor any preloader pays.
