"""Conversion, probing, tagging and cover art against the real ffmpeg and mutagen."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
from pathlib import Path

import pytest

from qtorrentino.domain.files import FileEntry
from qtorrentino.domain.ticket_json import spec_from_json
from qtorrentino.errors import ConversionError, DamagedSource, FailureClass, MissingPart, UnsafePath, UsageError
from qtorrentino.media.convert import ConversionJob, ConversionPool, convert
from qtorrentino.media.cover import find_cover, read_embedded_cover, write_cover_file
from qtorrentino.media.ffmpeg import FfmpegInfo, file_url, find_ffmpeg, input_args, read_failure, run_ffmpeg
from qtorrentino.media.probe import decodes, media_info_from_ffprobe, probe, verify_decodes
from qtorrentino.media.tags import TrackTags, read_tags, write_tags
from qtorrentino.textbrain.filemap import map_files
from qtorrentino.workers.torrent_files import cover_images
from tests.media_fixtures import (
    make_corrupt_audio,
    make_cover,
    make_tagged_tone,
    make_tone,
    make_truncated_flac,
    make_video,
)

FULL_TAGS = TrackTags(
    title="Paranoid Android",
    artist="Radiohead",
    album="OK Computer",
    albumartist="Radiohead",
    track_number=2,
    track_total=12,
    disc_number=1,
    disc_total=1,
    date="1997-05-21",
    genre="Alternative Rock",
    musicbrainz_track_id="8cd1b0d2-4e6b-4f3d-9a5e-000000000001",
    musicbrainz_album_id="0b6b4ba0-d36f-47bd-b4ea-000000000002",
    musicbrainz_releasegroup_id="b1392450-e666-3926-a536-000000000003",
    musicbrainz_artist_id="a74b1b7f-71a5-4011-9441-000000000004",
    musicbrainz_albumartist_id="a74b1b7f-71a5-4011-9441-000000000004",
    musicbrainz_releasetrack_id="7e3b0a4c-1d2f-4c55-8f0e-000000000005",
)
EXPECTED = {
    "copy": (".flac", "flac"),
    "flac": (".flac", "flac"),
    "opus": (".opus", "opus"),
    "ogg_vorbis": (".ogg", "vorbis"),
    "mp3": (".mp3", "mp3"),
    "aac": (".m4a", "aac"),
}
"""Target → (extension, codec probed from the output)."""
SOURCE_SECS = 4.0


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def cover_jpeg(media_dir: Path) -> bytes:
    return make_cover(media_dir / "red.jpg", color="red")


@pytest.fixture(scope="module")
def tagged_source(media_dir: Path, cover_jpeg: bytes) -> Path:
    """A 4 s FLAC with a few tags and an embedded JPEG front cover."""
    tags = TrackTags(title="Source Title", artist="Source Artist", track_number=2)
    return make_tagged_tone(media_dir / "source.flac", tags, SOURCE_SECS, cover=cover_jpeg)


@pytest.fixture(scope="module")
def no_ffprobe() -> FfmpegInfo:
    """The real ffmpeg, with ffprobe forced away so the fallback probers are used."""
    return dataclasses.replace(find_ffmpeg(), ffprobe=None)


def test_find_ffmpeg_reports_a_working_binary_and_its_origin() -> None:
    info = find_ffmpeg()
    assert info.path.is_file()
    assert info.version.startswith("ffmpeg version")
    expected_source = "imageio-ffmpeg" if shutil.which("ffmpeg") is None else "PATH"
    assert info.source == expected_source


def test_no_ffmpeg_anywhere_is_a_missing_part_with_a_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(MissingPart, match="does not run") as raised:
        find_ffmpeg()
    assert "apt install ffmpeg" in raised.value.hint
    assert raised.value.exit_code == 3


@pytest.mark.parametrize("target", sorted(EXPECTED))
def test_each_target_converts_and_carries_tags_and_cover(
    target: str, tagged_source: Path, tmp_path: Path
) -> None:
    extension, codec = EXPECTED[target]
    progress: list[float] = []
    converted = convert(ConversionJob(tagged_source, tmp_path / "staging", target), progress.append)
    assert converted.path == tmp_path / "staging" / f"source{extension}"
    assert converted.info.codec == codec
    assert converted.info.duration_secs == pytest.approx(SOURCE_SECS, abs=0.1)
    assert progress[-1] == 1.0
    assert [path.name for path in (tmp_path / "staging").iterdir()] == [converted.path.name]

    cover = make_cover(tmp_path / "blue.png", color="blue")
    write_tags(converted.path, FULL_TAGS, cover)
    assert read_tags(converted.path) == FULL_TAGS
    embedded = read_embedded_cover(converted.path)
    assert embedded is not None
    assert (embedded.data, embedded.mime) == (cover, "image/png")


@pytest.mark.parametrize(
    ("target", "keeps_picture"),
    [("flac", True), ("mp3", True), ("aac", True), ("opus", False), ("ogg_vorbis", False)],
)
def test_conversion_keeps_the_cover_stream_only_where_the_container_can(
    target: str, keeps_picture: bool, tagged_source: Path, cover_jpeg: bytes, tmp_path: Path
) -> None:
    converted = convert(ConversionJob(tagged_source, tmp_path, target))
    embedded = read_embedded_cover(converted.path)
    assert (embedded is not None and embedded.data == cover_jpeg) is keeps_picture


def test_opus_is_always_48k_and_bitrates_are_honoured(tagged_source: Path, tmp_path: Path) -> None:
    opus = convert(ConversionJob(tagged_source, tmp_path, "opus", sample_rate_hz=44100))
    assert opus.info.sample_rate == 48000
    cbr = convert(ConversionJob(tagged_source, tmp_path / "cbr", "mp3", bitrate_kbps=320))
    assert cbr.info.bitrate == pytest.approx(320_000, rel=0.05)
    aac = convert(
        ConversionJob(tagged_source, tmp_path, "aac", bitrate_kbps=64, sample_rate_hz=22050)
    )
    assert aac.info.sample_rate == 22050
    assert aac.info.bitrate is not None
    assert aac.info.bitrate < 100_000


def test_audio_targets_drop_a_real_video_stream(tmp_path: Path) -> None:
    video = make_video(tmp_path / "music video.mkv", seconds=3.0)
    converted = convert(ConversionJob(video, tmp_path / "out", "mp3"))
    assert converted.info.codec == "mp3"
    assert not converted.info.has_video
    assert read_embedded_cover(converted.path) is None


def test_video_is_remuxed_never_re_encoded(tmp_path: Path, no_ffprobe: FfmpegInfo) -> None:
    video = make_video(tmp_path / "Movie (2008).mkv", seconds=3.0)
    remuxed = convert(ConversionJob(video, tmp_path / "out", "copy", is_video=True))
    assert remuxed.path.name == "Movie (2008).mkv"
    info = probe(remuxed.path, ffmpeg=no_ffprobe)
    assert (info.codec, info.width, info.height, info.container) == ("mpeg4", 160, 120, "matroska")
    assert info.duration_secs == pytest.approx(3.0, abs=0.1)
    with pytest.raises(UsageError, match="only remuxed"):
        convert(ConversionJob(video, tmp_path / "out", "opus", is_video=True))


def test_corrupt_input_fails_with_ffmpegs_message_and_leaves_nothing(tmp_path: Path) -> None:
    corrupt = make_corrupt_audio(tmp_path / "broken.flac")
    progress: list[float] = []
    with pytest.raises(DamagedSource, match="Invalid data found when processing input") as raised:
        convert(ConversionJob(corrupt, tmp_path / "staging", "opus"), progress.append)
    assert raised.value.failure_class is FailureClass.RELEASE, "a retry would read the same bytes"
    assert 1.0 not in progress
    assert not any((tmp_path / "staging").glob("*"))


def test_truncated_source_fails_the_duration_check(tmp_path: Path) -> None:
    truncated = make_truncated_flac(tmp_path / "truncated.flac", seconds=10.0, keep=0.4)
    with pytest.raises(DamagedSource, match=r"produced \d+\.\d s of 10\.0 s"):
        convert(ConversionJob(truncated, tmp_path / "staging", "opus"))
    assert list((tmp_path / "staging").iterdir()) == []
    assert not decodes(truncated)


def test_run_ffmpeg_error_carries_a_bounded_stderr_tail(tmp_path: Path) -> None:
    corrupt = make_corrupt_audio(tmp_path / "broken.flac")
    with pytest.raises(DamagedSource) as raised:
        run_ffmpeg(["-loglevel", "debug", *input_args(corrupt), "-f", "null", "-"])
    assert "exited with status" in raised.value.message
    assert "Invalid data found" in raised.value.message
    assert len(raised.value.message) < 2200
    with pytest.raises(ConversionError, match="inputs must be file: URLs"):
        run_ffmpeg(["-i", "concat:a.flac|b.flac", "-f", "null", "-"])


@pytest.mark.parametrize(
    "name", ["-rf.flac", "concat:x.flac", "$(touch canary).flac", "a;b`c`.flac"]
)
def test_hostile_names_convert_as_plain_names(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_tone(tmp_path / "x.flac", 1.0)
    source = make_tone(tmp_path / name, 3.0)
    converted = convert(ConversionJob(source, tmp_path / "out", "opus"))
    assert converted.path == tmp_path / "out" / (name.removesuffix(".flac") + ".opus")
    assert converted.info.duration_secs == pytest.approx(3.0, abs=0.1)
    assert not (tmp_path / "canary").exists()


@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".opus", ".ogg", ".m4a", ".wav"])
def test_probe_without_ffprobe_reads_audio_durations(
    suffix: str, tmp_path: Path, no_ffprobe: FfmpegInfo
) -> None:
    tone = make_tone(tmp_path / f"tone{suffix}", 7.5, sample_rate_hz=48000, channels=1)
    info = probe(tone, ffmpeg=no_ffprobe)
    assert info.duration_secs == pytest.approx(7.5, abs=0.1)
    assert (info.channels, info.sample_rate) == (1, 48000)
    assert info.has_audio
    assert not info.has_video


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_probe_without_ffprobe_reads_video(
    suffix: str, tmp_path: Path, no_ffprobe: FfmpegInfo
) -> None:
    video = make_video(tmp_path / f"clip{suffix}", seconds=2.5, width=320, height=240)
    info = probe(video, ffmpeg=no_ffprobe)
    assert info.duration_secs == pytest.approx(2.5, abs=0.1)
    assert (info.width, info.height, info.codec) == (320, 240, "mpeg4")
    assert info.has_video
    assert info.has_audio


def test_probe_of_a_non_media_file_is_a_typed_error(tmp_path: Path, no_ffprobe: FfmpegInfo) -> None:
    text = tmp_path / "notes.flac"
    text.write_text("not audio at all\n" * 100)
    with pytest.raises(ConversionError, match=r"cannot read notes\.flac"):
        probe(text, ffmpeg=no_ffprobe)


def test_verify_decodes_returns_the_decoded_length(tagged_source: Path, tmp_path: Path) -> None:
    assert verify_decodes(tagged_source) == pytest.approx(SOURCE_SECS, abs=0.05)
    assert decodes(tagged_source)
    assert not decodes(make_corrupt_audio(tmp_path / "broken.flac"))


def test_progress_rises_to_one(tmp_path: Path) -> None:
    source = make_tone(tmp_path / "long.flac", 90.0, noise=True)
    progress: list[float] = []
    convert(ConversionJob(source, tmp_path / "out", "mp3"), progress.append)
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert all(0.0 <= fraction <= 1.0 for fraction in progress)


def test_pool_runs_jobs_on_several_threads(tagged_source: Path, tmp_path: Path) -> None:
    threads: set[str] = set()
    started = threading.Barrier(2, timeout=30)

    def on_progress(fraction: float) -> None:
        name = threading.current_thread().name
        if name not in threads:
            threads.add(name)
            started.wait()

    sources = [shutil.copy(tagged_source, tmp_path / f"track{number}.flac") for number in range(2)]
    with ConversionPool(2) as pool:
        futures = [
            pool.submit(ConversionJob(Path(source), tmp_path / "out", "opus"), on_progress)
            for source in sources
        ]
        results = [future.result(timeout=60) for future in futures]
    assert {result.path.name for result in results} == {"track0.opus", "track1.opus"}
    assert len(threads) == 2
    assert all(name.startswith("conversion") for name in threads)
    assert ConversionPool(0).workers == os.cpu_count()


def test_pool_shutdown_kills_running_ffmpeg(tmp_path: Path) -> None:
    source = make_tone(tmp_path / "long.flac", 150.0, noise=True)
    running = threading.Event()
    pool = ConversionPool(1)
    future = pool.submit(ConversionJob(source, tmp_path / "out", "mp3"), lambda _: running.set())
    assert running.wait(30)
    pool.shutdown(cancel_running=True)
    with pytest.raises(ConversionError, match="cancelled"):
        future.result(timeout=30)
    assert list((tmp_path / "out").iterdir()) == []


def test_reading_tags_of_an_untagged_file_gives_empty_tags(tmp_path: Path) -> None:
    assert read_tags(make_tone(tmp_path / "plain.opus", 1.0)) == TrackTags()


def test_tagging_refuses_broken_and_hardlinked_files(tmp_path: Path, cover_jpeg: bytes) -> None:
    with pytest.raises(ConversionError, match="cannot"):
        write_tags(make_corrupt_audio(tmp_path / "broken.flac"), FULL_TAGS)
    with pytest.raises(ConversionError, match="not a FLAC, Ogg, Opus, MP3 or MP4"):
        write_tags(make_tone(tmp_path / "tone.wav", 1.0), FULL_TAGS)
    payload = make_tone(tmp_path / "seeding.flac", 1.0)
    os.link(payload, tmp_path / "library.flac")
    before = payload.read_bytes()
    with pytest.raises(ConversionError, match="hard-linked"):
        write_tags(tmp_path / "library.flac", FULL_TAGS, cover_jpeg)
    assert payload.read_bytes() == before
    with pytest.raises(ConversionError, match="neither JPEG nor PNG"):
        write_tags(make_tone(tmp_path / "t.mp3", 1.0), FULL_TAGS, b"GIF89a not a cover")


def test_tags_round_trip_unicode_and_partial_updates(tmp_path: Path) -> None:
    track = make_tone(tmp_path / "t.mp3", 1.0)
    write_tags(track, TrackTags(title="Ænima — 生", artist="Tool", track_number=3))
    write_tags(track, TrackTags(album="Ænima", track_number=3, track_total=15))
    assert read_tags(track) == TrackTags(
        title="Ænima — 生", artist="Tool", album="Ænima", track_number=3, track_total=15
    )
    assert read_tags(track).year is None


def test_cover_sources_are_tried_in_order(tmp_path: Path, cover_jpeg: bytes) -> None:
    folder = tmp_path / "Artist - Album (2001) [FLAC]"
    green = make_cover(tmp_path / "green.jpg", color="green")
    blue = make_cover(tmp_path / "blue.png", color="blue")
    track = make_tagged_tone(folder / "CD1" / "01.flac", TrackTags(title="t"), 1.0, cover=blue)
    (folder / "folder.jpg").write_text("not an image")
    (folder / "Cover.JPG").write_bytes(cover_jpeg)

    fetched = find_cover(fetched=green, torrent_folder=folder, source_file=track)
    assert fetched is not None
    assert (fetched.data, fetched.source) == (green, "cover-art-archive")
    from_folder = find_cover(fetched=b"<html>404</html>", torrent_folder=folder, source_file=track)
    assert from_folder is not None
    assert (from_folder.data, from_folder.source) == (cover_jpeg, "folder")
    (folder / "Cover.JPG").unlink()
    (folder / "cover.png").symlink_to(tmp_path / "blue.png")
    embedded = find_cover(torrent_folder=folder, source_file=track)
    assert embedded is not None
    assert (embedded.data, embedded.mime, embedded.source) == (blue, "image/png", "embedded")
    assert find_cover(torrent_folder=folder) is None


@pytest.mark.parametrize("cover_name", ["Cover.jpg", "folder.JPEG", "FRONT.png", "AlbumArt.jpg"])
def test_every_cover_name_is_found_fetched_and_mapped_alike(tmp_path: Path, cover_name: str) -> None:
    """The cover finder, the download (covers beside the tracks) and the file mapping know the same names."""
    folder = tmp_path / "Radiohead - OK Computer (1997) [FLAC]"
    track = make_tagged_tone(folder / "01 - Airbag.flac", TrackTags(title="Airbag"), 1.0)
    cover_path = folder / cover_name
    cover = make_cover(cover_path, color="blue")
    found = find_cover(torrent_folder=folder, source_file=track)
    assert found is not None and (found.data, found.source) == (cover, "folder")

    files = [FileEntry(0, f"{folder.name}/01 - Airbag.flac", track.stat().st_size),
             FileEntry(1, f"{folder.name}/{cover_name}", cover_path.stat().st_size),
             FileEntry(2, f"{folder.name}/back.jpg", cover_path.stat().st_size * 2)]
    assert cover_images(files, [files[0].path]) == {1}
    spec = spec_from_json({"library": "Music", "kind": "album",
                           "query": {"artist": "Radiohead", "album": "OK Computer"},
                           "items": [{"id": "t1", "disc": 1, "number": 1, "title": "Airbag"},
                                     {"id": "art", "type": "image", "title": "cover"}]})
    mapped = map_files(spec, files)
    assert mapped.file_for("art") == files[1]


def test_write_cover_file_names_and_refusals(tmp_path: Path, cover_jpeg: bytes) -> None:
    written = write_cover_file(tmp_path, "cover.jpg", cover_jpeg)
    assert written.read_bytes() == cover_jpeg
    assert write_cover_file(tmp_path, "cover.jpg", cover_jpeg) == written
    png = make_cover(tmp_path / "src" / "p.png", color="blue")
    assert write_cover_file(tmp_path, "cover.jpg", png) == tmp_path / "cover.png"
    for hostile in ("../cover.jpg", "/etc/cover.jpg", "..", ""):
        with pytest.raises(UnsafePath):
            write_cover_file(tmp_path, hostile, cover_jpeg)
    with pytest.raises(ConversionError):
        write_cover_file(tmp_path, "cover.jpg", b"MZ\x90\x00 an executable")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cover.jpg", "cover.png", "src"]


def test_file_url_is_absolute_and_prefixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert file_url(Path("-y")) == f"file:{tmp_path}/-y"


def test_tags_and_names_cannot_forge_streams_in_ffmpegs_report(
    tmp_path: Path, no_ffprobe: FfmpegInfo
) -> None:
    forged = "x\n  Stream #0:7: Video: h264, yuv420p, 1920x1080\n  Duration: 09:59:59.00"
    source = make_tagged_tone(tmp_path / "evil.flac", TrackTags(title=forged), 2.0)
    forged_name = "evil\n  Stream #0:8: Video: h264, 640x480\n.audio"
    renamed = source.rename(tmp_path / forged_name)
    info = probe(renamed, ffmpeg=no_ffprobe)
    assert (info.container, info.codec) == ("flac", "flac")
    assert info.duration_secs == pytest.approx(2.0, abs=0.1)
    assert not info.has_video
    assert [stream.index for stream in info.streams] == [0]


def test_ffprobe_json_maps_to_media_info() -> None:
    document = {
        "streams": [
            {
                "index": 0,
                "codec_name": "h264",
                "codec_type": "video",
                "width": 1920,
                "height": 1080,
                "disposition": {"attached_pic": 0},
            },
            {
                "index": 1,
                "codec_name": "eac3",
                "codec_type": "audio",
                "sample_rate": "48000",
                "channels": 6,
                "disposition": {"attached_pic": 0},
            },
            {
                "index": 2,
                "codec_name": "mjpeg",
                "codec_type": "video",
                "width": 600,
                "height": 600,
                "disposition": {"attached_pic": 1},
            },
        ],
        "format": {
            "format_name": "mov,mp4,m4a,3gp,3g2,mj2",
            "duration": "5423.104000",
            "bit_rate": "8123456",
        },
    }
    info = media_info_from_ffprobe(document)
    assert (info.codec, info.width, info.height, info.container) == ("h264", 1920, 1080, "mov")
    assert (info.channels, info.sample_rate, info.bitrate) == (6, 48000, 8123456)
    assert info.duration_secs == pytest.approx(5423.104)
    assert [stream.attached_picture for stream in info.streams] == [False, False, True]


def test_ffmpeg_failing_for_this_machine_is_retried_even_beside_a_damaged_input() -> None:
    damaged = read_failure("ffmpeg exited with status 1",
                           "Error opening input: Invalid data found when processing input")
    full = read_failure("ffmpeg exited with status 1", "Invalid data found when processing input\n"
                                                         "av_interleaved_write_frame(): No space left on device")
    other = read_failure("ffmpeg exited with status 1", "Unknown encoder 'libfoo'")
    assert isinstance(damaged, DamagedSource) and damaged.failure_class is FailureClass.RELEASE
    assert not isinstance(full, DamagedSource) and full.failure_class is FailureClass.TRANSIENT
    assert not isinstance(other, DamagedSource) and other.failure_class is FailureClass.TRANSIENT
