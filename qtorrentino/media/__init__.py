"""ffmpeg conversion, probing, tagging and cover art."""
