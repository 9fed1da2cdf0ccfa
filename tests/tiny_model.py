"""Tiny BERT classifiers and a tokenizer, built on the fly for fast tests.

``make_tiny_model`` gives a random model (BERT's std-0.02 initialisation: it answers about
1/3 for every class on every text, so it cannot tell a right answer from a wrong one).
``make_tiny_model(..., peaked=True)`` gives a hand-wired one whose answers are fixed,
clearly different from text to text and dominated by keywords (``PEAKED_WORDS``): tests of
alignment, order, direction and agreement need it."""

from __future__ import annotations

from pathlib import Path

from model.labels import ID2LABEL, LABEL2ID

_WORDS = (
    "казахстан узбекистан кыргызстан китай россия сша ес турция япония инвестиции нефть газ уран литий "
    "вольфрам коридор баланс нейтралитет многовекторность прорыв выгода риск зависимость долг партнер "
    "саммит соглашение не будет выбирать между мы они это и в на с по что как но а для от до"
).split()


# The keywords of the peaked model: each pushes its class strongly (whole-word tokens of the
# tokenizer, so they count in any case and with an ending: «Риска» is «риск» + «а»).
PEAKED_WORDS: dict[str, tuple[str, ...]] = {
    "balance-seeking": ("нейтралитет", "баланс", "многовекторность"),
    "pro-engagement": ("инвестиции", "выгода", "коридор"),
    "skeptical": ("прорыв", "риск", "зависимость", "долг"),
}


def make_tokenizer():
    """A small Unigram tokenizer with letters, punctuation and a few whole words."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    chars = list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz0123456789.,;:!?«»—-()%$№")
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = [(s, 0.0) for s in specials] + [("▁" + w, -3.0) for w in _WORDS] + [("▁", -4.0)]
    vocab += [(c, -6.0) for c in chars] + [("▁" + c, -6.5) for c in chars] + [("<mask>", 0.0)]
    tok = Tokenizer(Unigram(vocab, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
                                   model_max_length=64)


def make_tiny_model(folder: Path, classifier: bool = True, seed: int = 0, peaked: bool = False) -> Path:
    """Write a 2-layer, 32-wide random BERT (a classifier with our labels, or a bare
    encoder to fine-tune) and its tokenizer to ``folder``; return ``folder``.

    ``peaked=True`` (classifier only) rewires the weights with :func:`_make_peaked`."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    torch.manual_seed(seed)
    tok = make_tokenizer()
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64, pad_token_id=1,
                     num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID)
    model = BertForSequenceClassification(cfg) if classifier else BertModel(cfg)
    if peaked:
        if not classifier:
            raise ValueError("peaked=True needs classifier=True")
        _make_peaked(model, tok, seed)
    folder = Path(folder)
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    return folder


def _make_peaked(model, tok, seed: int) -> None:
    """A bag-of-words BERT with keywords, deterministic for a given seed.

    Dimensions 0-2 of the hidden state are the three classes: a keyword's embedding is
    large in its class's dimension, every other token's is zero there (and random in
    dimensions 3-31). Attention is uniform (query and key zero) with identity value and
    output maps, the feed-forward blocks add nothing and position embeddings are zero, so
    the [CLS] state is a normalised mean of the text's tokens. The pooler is the identity
    and the head reads dims 0-2 strongly plus a random mix of the rest, so texts without
    keywords still get distinct, non-uniform probabilities."""
    import torch

    from model.labels import LABEL2ID

    g = torch.Generator().manual_seed(1000 + seed)
    hidden = model.config.hidden_size
    eye = torch.eye(hidden)
    with torch.no_grad():
        emb = model.bert.embeddings
        words = torch.randn(emb.word_embeddings.weight.shape, generator=g)
        words[:, :3] = 0.0
        vocab = tok.get_vocab()
        for label, keywords in PEAKED_WORDS.items():
            for w in keywords:
                words[vocab["▁" + w], LABEL2ID[label]] = 12.0
        emb.word_embeddings.weight.copy_(words)
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        for layer in model.bert.encoder.layer:
            att = layer.attention
            for lin in (att.self.query, att.self.key):
                lin.weight.zero_()
                lin.bias.zero_()
            for lin in (att.self.value, att.output.dense):
                lin.weight.copy_(eye)
                lin.bias.zero_()
            layer.output.dense.weight.zero_()
            layer.output.dense.bias.zero_()
        for norm in [emb.LayerNorm] + [m for layer in model.bert.encoder.layer
                                       for m in (layer.attention.output.LayerNorm, layer.output.LayerNorm)]:
            norm.weight.fill_(1.0)
            norm.bias.zero_()
        model.bert.pooler.dense.weight.copy_(eye)
        model.bert.pooler.dense.bias.zero_()
        head = torch.randn(model.classifier.weight.shape, generator=g) * 0.3
        head[:, :3] = 12.0 * torch.eye(3)
        model.classifier.weight.copy_(head)
        model.classifier.bias.zero_()


def spy_batch_sizes(classifier, monkeypatch) -> list[int]:
    """Record the ``batch_size`` of every ``classifier.probabilities`` call (the calls still run)."""
    seen: list[int] = []
    real = classifier.probabilities

    def spy(texts, batch_size=32, progress=None):
        seen.append(batch_size)
        return real(texts, batch_size, progress)

    monkeypatch.setattr(classifier, "probabilities", spy)
    return seen
