"""The words video release names are made of: quality tags, editions, flags and filler, by token.

Names are read lowercased, with dots and underscores as spaces, split into runs of letters and
digits; a tag written over several runs ("WEB-DL", "H.264", "DD5.1", "DTS-HD MA") is looked up by
its runs joined ("webdl", "h264", "dd51", "dtshdma").
"""

from __future__ import annotations

STRONG = "strong"
"""Tags that end a title wherever they stand: no title word looks like them."""
WEAK = "weak"
"""Tags that are also ordinary words ("Limited", "Cam"): tags only once the title has ended."""


def _table(field: str, strength: str, rows: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """{value: "key key"} → {key: (field, value, strength)}."""
    return {key: (field, value, strength) for value, keys in rows.items() for key in keys.split()}


TAGS: dict[str, tuple[str, str, str]] = {
    **_table("resolution", STRONG, {
        "480p": "480p 480i", "576p": "576p 576i", "720p": "720p 720i", "1080p": "1080p 1080i",
        "2160p": "2160p 4k"}),
    **_table("source", STRONG, {
        "bluray": "bluray bdrip brrip bdremux remux bdmux brremux bdiso bd25 bd50 bluraycomplete"
                  " brmux bdripmux brripmux bluraymux"
                  " uhdbluray uhdbdrip uhdremux brdisk bdr bd5 bd9 blurayrip",
        "web-dl": "webdl webdlmux amznwebdl nfwebdl itunesdl amazonhd webhd webuhd dlmux",
        "webrip": "webrip webmux webcap webdlrip",
        "hdtv": "hdtv pdtv sdtv dsr dsrip dthrip dvbrip dvb tvrip hdtvrip satrip ahdtv ahdtvmux"
                " rawhd"
                " hdtvmux uhdtv",
        "dvd": "dvdrip dvdr dvd5 dvd9 dvdmux dvdiso ntscdvd paldvd dvd hddvd hddvdrip dvdivx",
        "hdrip": "hdrip webhdrip",
        "cam": "camrip hdcam", "telesync": "hdts telesync pdvd", "telecine": "hdtc telecine",
        "screener": "dvdscr screener bdscr webscr blurayscr", "workprint": "workprint",
        "vhs": "vhsrip"}),
    **_table("source", WEAK, {"cam": "cam", "telesync": "ts", "telecine": "tc",
                              "screener": "scr", "bluray": "bd br", "dvd": "r5 r6",
                              "web-dl": "web vod", "vhs": "vhs", "ppv": "ppv ppvrip"}),
    **_table("video_codec", STRONG, {
        "h264": "x264 h264 avc avc1", "h265": "x265 h265 hevc hevc10 x265hevc hevcx265",
        "xvid": "xvid divx dvix", "av1": "av1", "vp9": "vp9", "mpeg2": "mpeg2", "vc1": "vc1"}),
    **_table("audio_format", STRONG, {
        "flac": "flac", "mp3": "mp3", "aac": "aac heaac aaclc heaacv2 aac2 aac5 aac20 aac51 aac71",
        "vorbis": "vorbis",
        "ac3": "ac3 dd20 dd51 dd71 dd5 dd2 ac351 ac320 ddex ac3d dolby20 dolby51",
        "eac3": "eac3 ddp ddp20 ddp51 ddp71 ddp5 ddp2 dd+ eac351 ddpa", "dts": "dts dts51 dtses",
        "dts-hd": "dtshd dtshdma dtsma dtshdhra dtshdmasters", "dts-x": "dtsx",
        "truehd": "truehd truehd51 truehd71", "atmos": "atmos", "pcm": "lpcm pcm"}),
    **_table("audio_format", WEAK, {"ac3": "dd dolby", "mp2": "mp2", "aac": "m4a", "opus": "opus",
                                    "vorbis": "ogg"}),
    **_table("other", STRONG, {"": "360p 240p 368p 432p 540p 900p 1440p 4320p 8k 1080p24 dxva"
                                     " netflixuhd avchd 448kbps 384kbps 640kbps"}),
    **_table("bit_depth", STRONG, {"10": "10bit hi10p 10bits hi10", "8": "8bit 8bits",
                                   "12": "12bit"}),
    **_table("flag", WEAK, {"proper": "proper", "repack": "repack rerip", "real": "real",
                            "internal": "internal int", "dubbed": "dubbed dub",
                            "subbed": "subbed", "hardsub": "hardsub hc hardcoded", "ws": "ws",
                            "fix": "fix dirfix nfofix syncfix", "hdr": "hdr hdr10 hdr10plus"
                            " dv dovi dolbyvision sdr", "3d": "3d sbs hsbs hou", "sample": "sample",
                            "complete": "complete", "dual": "dual dualaudio multi multisub"}),
    **_table("edition", WEAK, {
        "extended": "extended extendedcut extendededition", "unrated": "unrated",
        "uncut": "uncut", "directors_cut": "directorscut directorcut dc directors",
        "final_cut": "finalcut",
        "theatrical": "theatrical theatricalcut", "imax": "imax", "criterion": "criterion cc",
        "remaster": "remastered remaster", "limited": "limited", "special": "specialedition se",
        "collector": "collectors collector", "ultimate": "ultimate", "uncensored": "uncensored",
        "restored": "restored", "alternative_cut": "alternativecut alternatecut",
        "international_cut": "internationalcut", "anniversary": "anniversary",
        "festival": "festival", "fan": "fanedit fan"}),
    **_table("other", WEAK, {"": (
        "amzn nf dsnp hmax atvp hulu pcok pmtp itunes funi hidive vrv crav dcu bbc batch"
        " uhd hd sd hq lq 51 71 20 10 2ch 6ch 8ch stereo mono read nfo readnfo ntsc pal"
        " english eng french fr truefrench vff vfq vostfr german ger deutsch spanish esp spa"
        " castellano latino italian ita russian rus rus1 hindi tamil telugu japanese jpn jap"
        " korean kor chinese chi mandarin cantonese portuguese por swedish swe danish dan"
        " norwegian nor finnish fin dutch nl polish pl turkish tur arabic greek hebrew czech"
        " hungarian romanian thai vietnamese ukrainian subs sub subtitles esub esubs msubs"
        " multisubs vf vo vost eng2 audio audios dl x26 mkv mp4 avi hevcd web2 rip mux"
        " reencoded reenc 1ch 5ch web1 1080 720 480 2160 60fps 50fps 30fps 25fps 24fps"
        " 23 976 hfr sdr10 bt2020 wide widescreen fullscreen fs openmatte open matte edition"
        " editions collection version versions cut convert stv doku om 48fps xxx swissgerman"
        " eur qc nlsubs custom lame hdlight light thecomplete prooffix proof upscaled upscale"
        " completeseries thecompleteseries seasons preair wmv hun cz hebsubs subtitulado espanol"
        " español dublado legendado legendas"
        " subtitles soft vision")}),
}
"""Every tag word: its field, our value for it, and whether it ends a title by itself."""

_FIRST_WORDS = frozenset(
    [
        "web", "blu", "hd", "br", "bd", "dvd", "cam", "dts", "true", "director", "directors",
        "extended", "special", "theatrical", "final", "alternative", "alternate", "international",
        "open", "read", "dual", "he", "aac", "dd", "ddp", "dolby", "uhd", "ntsc", "pal", "vhs",
        "sat", "dvb", "tv", "ws", "fan", "multi", "amzn", "nf", "h", "x", "hi", "rip", "ac",
        "eac", "mp", "mpeg", "vc", "vp", "av"
    ]
)


def _first_tokens() -> frozenset[str]:
    """Every way a tag key starts when a separator splits it: at a letter/digit boundary or
    after a word that begins tags written in two words ("web dl", "directors cut")."""
    firsts: set[str] = set()
    for key in TAGS:
        for cut in range(1, len(key)):
            head = key[:cut]
            if head in _FIRST_WORDS or head in TAGS or key[cut - 1].isdigit() != key[cut].isdigit():
                firsts.add(head)
    return frozenset(firsts)


PREFIXES = _first_tokens()
"""Words a split tag may start with: only these are tried joined with the words after them."""

LANGUAGE_WORDS = frozenset(
    [
        "english", "french", "truefrench", "german", "spanish", "italian", "russian", "hindi",
        "tamil", "telugu", "japanese", "korean", "chinese", "portuguese", "swedish", "danish",
        "norwegian", "finnish", "dutch", "polish", "turkish"
    ]
)

SITE_WORDS = frozenset(
    [
        "eztv", "ettv", "rarbg", "rartv", "tgx", "eztvx", "torrentgalaxy", "yts", "ytsmx",
        "ytsam", "ytslt", "ytsag", "1337x", "publichd", "bonsaihd", "telly", "taoe", "armor",
        "qxr", "ethd", "primet", "moviesfd", "glodls"
    ]
)
"""Tracker and re-poster tags written in brackets after the release group ("…-GRP[eztv]")."""

REPOST_SUFFIXES = frozenset(
    [
        "rakuv", "rp", "1", "nzbgeek", "obfuscated", "obfuscation", "scrambled", "sample", "pre",
        "postbot", "xpost", "whiterev", "buymore", "asrequested", "alternativetorequested",
        "gerov", "z0ids3n", "chamele0n", "4p", "4planet", "altezachen", "repackpost", "sickbeard",
        "sicbeard", "newsdaemon"
    ]
)
"""Suffixes re-posters append after the real release group: "…-NTb-Rakuv", "…-GRP-postbot"."""
