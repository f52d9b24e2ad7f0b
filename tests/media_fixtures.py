"""Generated media for the tests: the demo's generators (tones, tagged albums, covers, video, bad files)."""

from qtorrentino.demo.content import (
    ENCODER_ARGS,
    make_album,
    make_corrupt_audio,
    make_cover,
    make_tagged_tone,
    make_tone,
    make_truncated_flac,
    make_video,
)

__all__ = ["ENCODER_ARGS", "make_album", "make_corrupt_audio", "make_cover", "make_tagged_tone", "make_tone",
           "make_truncated_flac", "make_video"]
