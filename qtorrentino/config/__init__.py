"""TOML config with defaults, and the home folder that holds config, database, logs and state."""
