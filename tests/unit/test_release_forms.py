"""Release-name forms issue 14 lists, one test per kind: groups, sites, editions, episodes,
quality words, revisions, hashed files, music styles; and what `parse --json` prints for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qtorrentino.domain.release import parse_release
from tests.conftest import run_cli


def parsed(name: str) -> dict[str, object]:
    return parse_release(name).to_json()


@pytest.mark.parametrize(("name", "group"), [
    ("Show.Name.S01E05.720p.HDTV.x264-NTb-Rakuv", "NTb"),
    ("Show.Name.S01E05.720p.WEB.h264-GRP-postbot", "GRP"),
    ("Movie.Title.2019.1080p.BluRay.x264-SPARKS-Obfuscated", "SPARKS"),
    ("Show.Name.S02E03.720p.HDTV.x264-KILLERS-Pre", "KILLERS"),
    ("The.Walking.Dead.S05E03.720p.HDTV.x264-ASAP[eztv]", "ASAP"),
    ("Movie.Title.2019.1080p.WEB-DL.DD5.1.H264-FGT[rarbg]", "FGT"),
    ("[SubsPlease] Jujutsu Kaisen - 24 (1080p) [ABCD1234].mkv", "SubsPlease"),
    ("Kami no Tou - 12 (720p)(Multiple Subtitle)-Erai-raws[TGx]", "Erai-raws"),
    ("Hercules (2014) 1080p BrRip H264 - YIFY", "YIFY"),
    ("Satyagraha (2013) (1080p BluRay x265 10bit HEVC AAC 5.1 RONIN)", "RONIN"),
    ("Show.Name.S01E02.HDTV.XViD.Etc-Group", "Etc-Group"),
])
def test_release_groups_without_the_tags_re_posters_add(name: str, group: str) -> None:
    assert parsed(name)["release_group"] == group


@pytest.mark.parametrize("name", [
    "Show.Name.S01E05.720p.HDTV.x264",
    "Show.Name.S02E03.720p.HDTV.x264-Pre",
    "Movie.Title.2019.1080p.BluRay.x264-Obfuscated",
    "Spider-Man.2002.1080p.BluRay.x264",
    "Show.Name.S01E01-02.720p.HDTV",
])
def test_a_name_without_a_group_has_none(name: str) -> None:
    assert "release_group" not in parsed(name)


@pytest.mark.parametrize("name", [
    "www.Torrenting.com - Movie Title (2019) 1080p WEBRip x264",
    "www.1TamilMV.world - Movie Title (2019) Tamil HQ HDRip - 400MB - x264 - AAC - ESub.mkv",
    "[ www.Speed.cd ] - Movie Title (2019) 1080p WEBRip x264",
])
def test_website_prefixes_are_not_part_of_the_title(name: str) -> None:
    found = parsed(name)
    assert (found["kind"], found["title"], found["year"]) == ("movie", "Movie Title", 2019)


@pytest.mark.parametrize(("name", "edition"), [
    ("Movie.Title.2010.EXTENDED.IMAX.1080p.BluRay.x264-GRP", ["extended", "imax"]),
    ("Movie Title (1982) Directors Cut 1080p BluRay x264-GRP", ["directors_cut"]),
    ("Movie.Title.1979.REMASTERED.1080p.BluRay.x264-GRP", ["remaster"]),
    ("Movie.Title.EXTENDED.1080p.BluRay.x264-GRP", ["extended"]),
])
def test_editions_and_cuts_are_named_and_kept_out_of_the_title(name: str,
                                                               edition: list[str]) -> None:
    found = parsed(name)
    assert (found["title"], found["edition"]) == ("Movie Title", edition)


def test_an_alternative_title_after_aka_is_dropped() -> None:
    found = parsed("Crouching Tiger AKA Wo Hu Cang Long 2000 1080p BluRay x264-GRP")
    assert (found["title"], found["year"]) == ("Crouching Tiger", 2000)


@pytest.mark.parametrize(("name", "season", "episodes"), [
    ("Show.Name.S01E01E02.720p.HDTV.x264-GRP", 1, [1, 2]),
    ("Show.Name.S01E01-E03.720p.HDTV.x264-GRP", 1, [1, 2, 3]),
    ("Show.Name.1x01-1x02.720p.HDTV.x264-GRP", 1, [1, 2]),
    ("Show.Name.101.102.HDTV.x264-GRP", 1, [1, 2]),
    ("Show_Name.1x02x03x04.HDTV_XViD-GRP", 1, [2, 3, 4]),
    ("Show Name - S01E02 - S01E03 - S01E04 - Ep Name", 1, [2, 3, 4]),
])
def test_multi_episode_forms(name: str, season: int, episodes: list[int]) -> None:
    found = parsed(name)
    assert (found["series"], found["season"], found["episodes"]) == ("Show Name", season, episodes)


@pytest.mark.parametrize(("name", "episodes"), [
    ("One.Piece.E1071.1080p.WEB.H264-SENPAI", [1071]),
    ("Chernobyl.1of5.1080p.WEB.h264-GRP", [1]),
    ("Show Name Episode 4 720p HDTV x264", [4]),
])
def test_episodes_without_a_season(name: str, episodes: list[int]) -> None:
    found = parsed(name)
    assert (found["kind"], found["episodes"], found.get("season")) == ("episode", episodes, None)


def test_season_packs_partial_seasons_multi_season_and_specials() -> None:
    pack = parsed("Show.Name.S01.1080p.BluRay.x264-GRP")
    assert (pack["kind"], pack["season"], pack["full_season"]) == ("season", 1, True)
    partial = parsed("Show.Name.S01E01-E05.1080p.BluRay.x264-GRP")
    assert (partial["kind"], partial["episodes"], "full_season" in partial) == (
        "episode", [1, 2, 3, 4, 5], False)
    several = parsed("The Simpsons - Complete Seasons S01 to S28 (1080p, 720p, DVDRip)")
    assert (several["series"], several["multi_season"], several["seasons"]) == (
        "The Simpsons", True, list(range(1, 29)))
    assert parsed("Show.Name.S00E05.720p.HDTV.x264-GRP")["special"] is True
    assert parsed("Downton.Abbey.2013.Christmas.Special.HDTV.x264-FoV.mp4")["special"] is True


def test_anime_absolute_numbers_versions_and_ranges() -> None:
    single = parsed("[Group] Title - 123 [1080p][ABCD1234].mkv")
    assert (single["series"], single["absolute_episodes"], single["release_group"]) == (
        "Title", [123], "Group")
    assert parsed("[Group] Title - 07v2 [720p].mkv")["revision"] == {"version": 2, "real": False}
    batch = parsed("[Hatsuyuki-Kaitou]_Fairy_Tail_2_-_16-20_[720p][10bit].torrent")
    assert (batch["series"], batch["episodes"]) == ("Fairy Tail 2", [16, 17, 18, 19, 20])
    both = parsed("Bleach - s16e03-04 - 313-314")
    assert (both["season"], both["episodes"], both["absolute_episodes"]) == (16, [3, 4], [313, 314])


@pytest.mark.parametrize(("name", "air_date"), [
    ("Show.Name.2019.03.14.720p.HDTV.x264-GRP", "2019-03-14"),
    ("The Beat with Ari Melber 2020 06 19 720p WEBRip x264-PC.mp4", "2020-06-19"),
    ("Date.Show.03-29-2012.HDTV.XViD-FlexGet", "2012-03-29"),
])
def test_daily_shows_by_air_date(name: str, air_date: str) -> None:
    found = parsed(name)
    assert (found["kind"], found["air_date"], "episodes" in found) == ("episode", air_date, False)


@pytest.mark.parametrize(("name", "resolution", "source"), [
    ("Show.Name.S01E01.PDTV.x264-GRP", "480p", "hdtv"),
    ("Show.Name.S01E01.DSR.XviD-GRP", "480p", "hdtv"),
    ("Show.Name.S01E01.SDTV.x264-GRP", "480p", "hdtv"),
    ("Show.Name.S01E01.720p.HDTV.x264-GRP", "720p", "hdtv"),
    ("Movie.2019.1080p.WEB-DL.DD5.1.H264-GRP", "1080p", "web-dl"),
    ("Movie.2019.1080p.WEBRip.x264-GRP", "1080p", "webrip"),
    ("Movie.2019.1080p.WEB.h264-GRP", "1080p", "web-dl"),
    ("Movie.2019.1080p.BluRay.REMUX.AVC.DTS-HD.MA.5.1-GRP", "1080p", "bluray"),
    ("Show.S01E01.720p.RAWHD-GRP", "720p", "hdtv"),
    ("Guardians Of The Galaxy 2014 R6 720p HDCAM x264-JYK", "720p", "cam"),
])
def test_quality_words_map_to_source_and_resolution(name: str, resolution: str,
                                                    source: str) -> None:
    found = parsed(name)
    assert (found["resolution"], found["source"]) == (resolution, source)


def test_br_disk_is_a_bluray_source() -> None:
    assert parsed("Movie.2019.COMPLETE.BLURAY-GRP")["source"] == "bluray"


@pytest.mark.parametrize(("name", "revision", "flags"), [
    ("Show.S01E01.PROPER.720p.HDTV.x264-GRP", {"version": 2, "real": False}, {"proper": True}),
    ("Show.S01E01.REPACK.720p.HDTV.x264-GRP", {"version": 2, "real": False}, {"repack": True}),
    ("Show.S01E01.REAL.PROPER.720p.HDTV.x264-GRP", {"version": 2, "real": True}, {"proper": True}),
    ("Pawn.Stars.S12E22.Racing.Revolution.REAL.720p.HDTV.x264-DHD", {"version": None, "real": True},
     {}),
])
def test_revisions(name: str, revision: dict[str, object], flags: dict[str, bool]) -> None:
    found = parsed(name)
    assert found["revision"] == revision
    assert {key: found[key] for key in ("proper", "repack") if key in found} == flags


def test_a_real_word_in_a_title_is_no_revision() -> None:
    found = parsed("Test.Real.S02E01.hdtv")
    assert (found["series"], "revision" in found) == ("Test Real", False)


def test_a_hashed_file_takes_its_folders_name() -> None:
    found = parsed("Show.Name.S01E01.720p.HDTV.x264-GRP/0123456789abcdef0123456789abcdef.mkv")
    assert (found["series"], found["season"], found["episodes"], found["hashed"]) == (
        "Show Name", 1, [1], True)
    abbreviated = parsed("Movies/Somewhere.2010.DVDRip.XviD-iLG/i-smwhr.avi")
    assert (abbreviated["title"], abbreviated["year"], abbreviated["hashed"]) == (
        "Somewhere", 2010, True)
    assert "hashed" not in parsed("Movies/The Matrix (1999)/The.Matrix.1999.1080p.BluRay.mkv")


def test_paths_fill_what_the_file_name_leaves_out() -> None:
    found = parsed("/tv/Daniel Tiger's Neighborhood/S02E06 - Playtime Is Different.mp4")
    assert (found["series"], found["season"], found["episodes"], found["title"]) == (
        "Daniel Tiger's Neighborhood", 2, [6], "Playtime Is Different")
    movie = parsed("Movies/Fear and Loathing in Las Vegas (1998)/"
                   "Fear.and.Loathing.in.Las.Vegas.720p.HDDVD.DTS.x264-ESiR.mkv")
    assert (movie["title"], movie["year"], movie["release_group"]) == (
        "Fear and Loathing in Las Vegas", 1998, "ESiR")


@pytest.mark.parametrize(("name", "expected"), [
    ("Artist - Album (2019) [FLAC 24bit]", {"audio_format": "flac", "audio_bit_depth": 24}),
    ("Radiohead-A_Moon_Shaped_Pool-WEB-2016-ENRAGED",
     {"artist": "Radiohead", "album": "A Moon Shaped Pool", "source": "web",
      "release_group": "ENRAGED"}),
    ("Artist - Album (2019) MP3-V0", {"audio_format": "mp3", "audio_bitrate": "V0"}),
    ("Artist - Album (2019) 320kbps", {"audio_bitrate": "320"}),
    ("Aphex Twin - Syro (2014) MP3 V2 VBR", {"album": "Syro", "audio_bitrate": "V2"}),
    ("Artist - Album (1977) [Vinyl] [FLAC]", {"source": "vinyl", "audio_format": "flac"}),
    ("Pink Floyd - Discography 1967-2014 [FLAC]",
     {"artist": "Pink Floyd", "discography": {"start_year": 1967, "end_year": 2014}}),
    ("VA - Now That's What I Call Music! 100 (2018) [MP3 320]",
     {"artist": "VA", "album": "Now That's What I Call Music! 100", "audio_bitrate": "320"}),
])
def test_music_release_styles(name: str, expected: dict[str, object]) -> None:
    found = parsed(name)
    assert found["kind"] == "music"
    assert {key: found.get(key) for key in expected} == expected


@pytest.mark.parametrize("artist", ["Artist 320", "Band 256", "Blink-182", "Sum 41", "Matchbox 20"])
def test_an_artist_folder_named_with_a_number_is_the_artist(artist: str) -> None:
    found = parsed(f"{artist}/Album One (2001)/01 - First Song.mp3")
    assert (found["artist"], found["album"], found.get("audio_bitrate")) == (
        artist, "Album One", None)


def test_parse_json_prints_the_new_fields_beside_the_old_ones(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "parse", "--json", "Show.Name.S01E01.REAL.PROPER.720p.HDTV.x264-GRP",
                     "Pink Floyd - Discography 1967-2014 [FLAC 24bit]")
    assert result.returncode == 0, result.stderr
    episode, music = (json.loads(line) for line in result.stdout.splitlines())
    assert episode == {
        "kind": "episode", "series": "Show Name", "season": 1, "episodes": [1],
        "resolution": "720p", "source": "hdtv", "video_codec": "h264", "release_group": "GRP",
        "proper": True, "revision": {"version": 2, "real": True},
    }
    assert music == {
        "kind": "music", "artist": "Pink Floyd", "audio_format": "flac",
        "discography": {"start_year": 1967, "end_year": 2014}, "audio_bit_depth": 24,
    }
