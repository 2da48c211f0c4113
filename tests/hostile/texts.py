"""The hostile strings of the corpus: markup, controls, scripts, numbers, links, counts."""

from __future__ import annotations

MATHTEXT = [
    r"$\foo$",
    "$^$",
    "$",
    "$$",
    "$x^{2}$ and $y_{3}$",
    "{" * 200 + "$x$" + "}" * 200,
    "$" + "{" * 200 + "x" + "}" * 200 + "$",
    r"$\frac{1}{0}$",
    r"$\sqrt{$",
    "$_$",
    r"$\mathcal{$",
    "$" + r"\overline{" * 120 + "x" + "}" * 120 + "$",
    "$" * 999,
    r"\$ escaped \$ dollars",
    r"$\text{\$}$ $\alpha\beta$",
]
MARKUP = [
    "**bold** __under__",
    "`code` ```block```",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "| pipe | table |",
    "@everyone @here",
    "<@123456789012345678>",
    "# heading",
    "![img](http://127.0.0.1:9/x.png)",
    "&amp; &lt; &#0;",
    "back\\slash\\",
    "_under_score_",
    "~~strike~~ ||spoiler||",
    '<img src=x onerror="alert(1)">',
    "%s%s%n %d {0} {__class__} ${HOME} $(rm -rf /)",
]
CONTROLS = [
    "\x1b[31mred\x1b[0m",
    "\x1b]0;retitled\x07",
    "\x1b[2J\x1b[H cleared",
    "a\rb overwritten",
    "line\nbreak",
    "bell\x07 back\x08space",
    "\u202eevil override",
    "\u2066isolate\u2069 mark",
    "c1 \x85 \x9b controls \x7f",
    "tab\there",
    "form\x0cfeed\x0bvertical",
]
SCRIPTS = [
    "怪物",
    "晴天 周杰倫",
    "שלום עולם",
    "สวัสดีครับ",
    "سلام عليكم",
    "नमस्ते दुनिया",
    "안녕하세요",
    "வணக்கம்",
    "ཀྵྼ བོད་ཡིག",
    "🎵👩‍👩‍👧‍👦🏳️‍🌈🇯🇵",
    "Z̷̢̛a̸l̷g̸o̵ t̴e̵x̸t̷",
    "a" + "\u0301" * 500,
    "𝕬𝖇𝖈 𝒜𝒷𝒸",
    "\ufeffbom \u200bzero\u200dwidth",
    "private \ue000 \U0010fffd",
    "nonchar \uffff \ufffe",
    "unassigned \U000e0001\U000e007f",
    "mixed עברית and English ١٢٣",
]
SHAPES = [
    "",
    " ",
    "\t",
    "x" * 10_000,
    "あ" * 5_000,
    "../../etc/passwd",
    "/abs/path",
    ".",
    "..",
    "con nul aux",
    "a/b\\c:d*e?f",
    "~",
    "-starts-with-dash",
    "_leading underscore",
]
HOSTILE_TEXT = MATHTEXT + MARKUP + CONTROLS + SCRIPTS + SHAPES


NUMBERS = [
    "1e308", "-1e308", "1.7976931348623157e308", "1e309", "-1e309", "inf", "-inf", "nan",
    "NaN", "Infinity", "1e-320", "-0", "9" * 400, "1_000", "٣", "0x10", "1,5", "1.5.5",
    " ", "--1", "1e20", "−5",
]  # fmt: skip


SPOTIFY_ID = "37i9dQZF1DXcBWIGoYBM5M"
LINKS = [
    "http://", "https://", "spotify:", "spotify:playlist:", "spotify:playlist:xyz",
    "deezer:playlist:abc", "open.spotify.com/playlist/", "https://open.spotify.com/",
    f"https://open.spotify.com/track/{SPOTIFY_ID}", f"https://open.spotify.com/album/{SPOTIFY_ID}",
    f"https://open.spotify.com/artist/{SPOTIFY_ID}", f"https://open.spotify.com/episode/{SPOTIFY_ID}",
    f"https://open.spotify.com/show/{SPOTIFY_ID}", "https://open.spotify.com/user/someone",
    "https://www.deezer.com/track/3135556", "https://www.deezer.com/album/302127",
    "https://www.deezer.com/artist/27", "https://www.deezer.com/profile/5",
    "https://xn--.com/playlist/1", "https://xn--zz.deezer.com/playlist/1",
    "https://xn--a-ecp.ru/playlist/1", "https://xn--/x", "https://xn--.xn--/",
    "https://ドイツ.com/playlist/1", "https://deezer.com\u3002/playlist/1",
    "https://www.deezer.com./playlist/1", "https://www.deezer.com/playlist/" + "9" * 30,
    "https://open.spotify.com/playlist/" + SPOTIFY_ID * 5000, "https://" + "a" * 100_000,
    "javascript:alert(1)", "data:text/csv,a,b", "file:///etc/passwd", "http://[::1]/playlist/1",
    "https://[]@/", "https://www.deezer.com:99999/playlist/1", "https://user:pw@www.deezer.com/playlist/1",
    "http://spotify.link:8080/abc", "ftp://spotify.link/abc", "https://u@spotify.link/abc",
    "<https://www.deezer.com/playlist/1>", "https://www.deezer.com/playlist/1\x1b[31m",
    "https://www.deezer.com/\udcff/playlist/1", "https://www.deezer.com/playlist/1?x=" + "%" * 1000,
    "https://www.deezer.com/playlist/908622995", f"https://open.spotify.com/playlist/{SPOTIFY_ID}",
    f"spotify:playlist:{SPOTIFY_ID}", "deezer:playlist:908622995",
    "https://www.deezer.com/fr/playlist/908622995?utm=x#frag",
]  # fmt: skip


#: Links of the sources read without credentials (YouTube, Apple Music) and their misuses.
PUBLIC_LINKS = [
    "https://music.youtube.com/playlist?list=RDCLAK5uy_lWy02cQBnTVTlwuRauaGKeUDH3L6PXNxI",
    "https://www.youtube.com/playlist?list=PL" + "x" * 5000, "https://youtube.com/playlist?list=",
    "https://youtube.com/playlist?list=LL", "https://m.youtube.com/watch?v=abc",
    "https://www.youtube.com/watch?v=a&list=OLAK5uy_n0x1TMX8DL2eli2g_LysCSg-6Nq5YQa1g",
    "https://music.youtube.com/browse/VL", "https://music.youtube.com/browse/MPREb_x",
    "https://youtube.com/playlist?list=%00%0a", "https://youtube.com/playlist?list=<script>",
    "https://youtube.com/playlist?list=a&list=b", "youtube.com/playlist?list=PLé✓",
    "https://music.apple.com/us/playlist/todays-hits/pl.f4d106fed2bd41149aaacabb233eb5eb",
    "https://open.spotify.com/embed/playlist/37i9dQZF1DXcBWIGoYBM5M",
    "https://embed.music.apple.com/fr/playlist/pl.u-e98lGAgsWaXm1?l=en",
    "music.apple.com/playlist/pl.u-x", "https://music.apple.com/us/playlist/x/pl.",
    "https://music.apple.com/us/playlist/x/pl." + "a" * 5000,
    "https://music.apple.com/library/playlist/p.ZOAXxyz",
    "https://music.apple.com/us/album/x/1440935467",
    "https://music.apple.com/us/playlist/%00%0a/pl.u-abc",
    "https://music.apple.com/us/playlist/<script>/pl.u-a",
    "https://music.apple.com.evil.example/us/playlist/x/pl.u-abc",
    "http://music.apple.com:99999/us/playlist/x/pl.u-a",
    "https://music.apple.com/zz/playlist/" + "é" * 3000 + "/pl.u-abc",
    "https://itunes.apple.com/us/playlist/x/idpl.a",
]  # fmt: skip


CLUSTERS = [
    "１２", "٣", "۳", "1_0", "-1", "0", "1", "13", "1e1", " 3", "3.0", "", "9" * 5000,
    "+3", "0x3", "३", "3\x00", "\udcff", "2", "12",
]  # fmt: skip
