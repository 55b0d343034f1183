// Deliberately empty `--import` preload: the floor any ESM preloader pays.
