"""The encoder, the labels and inference for c5-stance."""
