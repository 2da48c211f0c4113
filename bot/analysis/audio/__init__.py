"""A 30-second preview as numbers: decoding MP3 bytes and the signal features computed
from them (tempo, loudness, spectrum, MFCC, chroma). Pure, no I/O; imported only when a
preview is analysed."""
