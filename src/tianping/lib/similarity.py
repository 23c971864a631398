"""The similarity check of texts (查重): normalising, MinHash signatures, shared passages, rate.

Plain functions over strings, used by the reflections of the learning app and by
`tianping similarity` over files (CONTRACT.md). The rate is the share of the checked text's
normalised characters that lie in passages of at least `MIN_PASSAGE` characters it shares
with the source; passages are found by their `MIN_PASSAGE`-grams wherever they stand in
either text, so paragraphs moved around are found just the same. Normalising (NFKC,
Traditional → Simplified, punctuation and whitespace dropped) comes first, so conversion or
re-punctuation hides nothing. Candidates among many earlier texts are found with MinHash
LSH over character shingles (datasketch); each signature is split into LSH bands whose keys
a store can index, so a check never rebuilds an index from scratch.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

from tianping.lib.script import to_simplified

# A passage is shared when at least this many normalised characters agree (CONTRACT.md).
MIN_PASSAGE = 8
# Shingles for the candidate search: the same length, so a shared shingle is a shared passage.
SHINGLE = MIN_PASSAGE
NUM_PERM = 128
# 64 bands of 2 rows: a text sharing a fifth of its shingles with an earlier one is a
# candidate with ~90% probability; unrelated texts on the same topic rarely are.
BANDS, ROWS = 64, 2
SEED = 1
# Pinned: signatures are persisted, and a scheme change would make old ones incomparable.
SCHEME = "affine32"


@dataclass(frozen=True)
class Normalised:
    """A text as compared: its normalised characters and, for each, its index in the original."""

    text: str
    origin: tuple[int, ...]


def _kept(ch: str) -> bool:
    # Letters and digits are compared; punctuation, symbols, spaces and controls are not.
    return unicodedata.category(ch)[0] in ("L", "N")


def normalise(text: str) -> Normalised:
    """NFKC, Traditional → Simplified, case folded, punctuation and whitespace dropped."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if _kept(c):
                chars.append(c)
                origin.append(i)
    joined = "".join(chars)
    simplified = to_simplified(joined)
    if len(simplified) != len(joined):
        # A phrase conversion changed the length: convert character by character instead,
        # keeping each character's place in the original.
        simplified = "".join(s if len(s := to_simplified(c)) == 1 else c for c in joined)
    return Normalised(simplified, tuple(origin))


def normalised_text(text: str) -> str:
    return normalise(text).text


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The character k-grams of a normalised text (the whole text when shorter than k)."""
    if len(text) <= k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


@lru_cache(maxsize=1)
def _lsh() -> MinHashLSH:
    return MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))


def signature(text: str) -> bytes:
    """The MinHash signature of a normalised text's shingles, as bytes to persist."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m.hashvalues.astype("<u4").tobytes()


def minhash(sig: bytes) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        scheme=SCHEME,
        hashvalues=np.frombuffer(sig, dtype="<u4").astype(np.uint64),
    )


def band_keys(sig: bytes) -> list[int]:
    """The LSH band keys of a signature, each a signed 64-bit integer a database can index.

    Two texts are candidates when they share a key; the band's number is part of its key.
    """
    values = np.frombuffer(sig, dtype="<u4")
    keys = []
    for band, (start, end) in enumerate(_lsh().hashranges):
        digest = hashlib.blake2b(
            band.to_bytes(2, "little") + values[start:end].tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def estimated_jaccard(a: bytes, b: bytes) -> float:
    return float(minhash(a).jaccard(minhash(b)))


@dataclass
class Passage:
    """A passage the checked text shares with a source, in normalised characters."""

    text: str
    start: int  # in the checked text's normalised characters
    source_starts: list[int] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return len(self.text)


@dataclass
class Match:
    rate: float
    passages: list[Passage]
    # Which normalised characters of each text lie in shared passages.
    covered: list[bool]
    source_covered: list[bool]


def _grams(text: str, k: int) -> dict[str, list[int]]:
    grams: dict[str, list[int]] = {}
    for i in range(len(text) - k + 1):
        grams.setdefault(text[i : i + k], []).append(i)
    return grams


def compare(checked: str, source: str, k: int = MIN_PASSAGE) -> Match:
    """The passages of at least k characters two normalised texts share, and the rate.

    Every k-gram of the checked text that occurs anywhere in the source covers its k
    characters; a run of such k-grams is one passage. Order does not matter, so a text
    made of another's paragraphs in another order is covered all the same.
    """
    covered = [False] * len(checked)
    source_covered = [False] * len(source)
    if len(checked) < k or len(source) < k:
        return Match(0.0, [], covered, source_covered)
    source_grams = _grams(source, k)
    checked_grams = set(_grams(checked, k))
    hits = [checked[i : i + k] in source_grams for i in range(len(checked) - k + 1)]
    passages: list[Passage] = []
    i = 0
    while i < len(hits):
        if not hits[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(hits) and hits[j + 1]:
            j += 1
        text = checked[i : j + k]
        for p in range(i, j + k):
            covered[p] = True
        passages.append(Passage(text, i, source_grams.get(text[:k], [])[:3]))
        i = j + 1
    for gram, starts in source_grams.items():
        if gram in checked_grams:
            for s in starts:
                for p in range(s, s + k):
                    source_covered[p] = True
    rate = sum(covered) / len(checked) if checked else 0.0
    return Match(rate, passages, covered, source_covered)


def rate_of(checked: str, source: str) -> float:
    return compare(checked, source).rate


def rate_and_passages(checked: str, source: str, k: int = MIN_PASSAGE) -> tuple[float, int]:
    """`compare`'s rate and number of passages, without the highlighting (for many sources)."""
    if len(checked) < k or len(source) < k:
        return 0.0, 0
    grams = {source[i : i + k] for i in range(len(source) - k + 1)}
    covered = passages = 0
    run_end = -1  # the last character covered so far
    previous_hit = False
    for i in range(len(checked) - k + 1):
        if checked[i : i + k] in grams:
            if not previous_hit:
                passages += 1
            covered += min(k, i + k - 1 - run_end)
            run_end = i + k - 1
            previous_hit = True
        else:
            previous_hit = False
    return covered / len(checked), passages


@dataclass
class FileMatch:
    source: str
    rate: float
    passages: list[Passage]


def check_texts(text: str, sources: Sequence[tuple[str, str]]) -> list[FileMatch]:
    """The checked text against named sources (raw texts), highest rate first.

    The command line's answer (CONTRACT.md): every source, its rate, its passages.
    """
    checked = normalised_text(text)
    out = []
    for name, raw in sources:
        match = compare(checked, normalised_text(raw))
        out.append(FileMatch(name, match.rate, match.passages))
    out.sort(key=lambda m: (-m.rate, m.source))
    return out


def rounded(rate: float) -> float:
    return round(rate, 4)


@dataclass
class Segment:
    """A piece of an original text, highlighted when it lies in a shared passage."""

    text: str
    shared: bool


def segments(original: str, norm: Normalised, covered: Sequence[bool]) -> list[Segment]:
    """The original text cut into plain and highlighted pieces, punctuation kept in place.

    A punctuation mark between two highlighted characters is highlighted with them.
    """
    marks = [False] * len(original)
    for n, is_covered in enumerate(covered):
        if is_covered:
            marks[norm.origin[n]] = True
    for n in range(1, len(covered)):
        if covered[n] and covered[n - 1]:
            for i in range(norm.origin[n - 1] + 1, norm.origin[n]):
                marks[i] = True
    out: list[Segment] = []
    for ch, mark in zip(original, marks, strict=True):
        if out and out[-1].shared == mark:
            out[-1] = Segment(out[-1].text + ch, mark)
        else:
            out.append(Segment(ch, mark))
    return out


def docx_text(content: bytes) -> str:
    """The paragraphs of a .docx file as plain text (one per line)."""
    import io
    import zipfile
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        root = ElementTree.fromstring(z.read("word/document.xml"))
    lines = []
    for para in root.iter(f"{ns}p"):
        lines.append("".join(t.text or "" for t in para.iter(f"{ns}t")))
    return "\n".join(lines).strip()


def decode_text(content: bytes) -> str:
    """A plain-text file as courts save them: UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", errors="replace")
