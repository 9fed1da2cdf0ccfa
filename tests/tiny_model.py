"""A tiny random BERT classifier and tokenizer, built on the fly for fast tests."""

from __future__ import annotations

from pathlib import Path

from model.labels import ID2LABEL, LABEL2ID

_WORDS = (
    "казахстан узбекистан кыргызстан китай россия сша ес турция япония инвестиции нефть газ уран литий "
    "вольфрам коридор баланс нейтралитет многовекторность прорыв выгода риск зависимость долг партнер "
    "саммит соглашение не будет выбирать между мы они это и в на с по что как но а для от до"
).split()


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


def make_tiny_model(folder: Path, classifier: bool = True, seed: int = 0) -> Path:
    """Write a 2-layer, 32-wide random BERT (a classifier with our labels, or a bare
    encoder to fine-tune) and its tokenizer to ``folder``; return ``folder``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    torch.manual_seed(seed)
    tok = make_tokenizer()
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64, pad_token_id=1,
                     num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID)
    model = BertForSequenceClassification(cfg) if classifier else BertModel(cfg)
    folder = Path(folder)
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    return folder
