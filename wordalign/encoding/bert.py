"""A BERT encoder for inference in plain torch: the forward pass of ``transformers.BertModel``.

Importing transformers' modelling code costs 3.5 s on a 2-core CPU (it pulls in torch's
compiler and distributed packages), more than aligning a small file takes. For inference,
a BERT checkpoint with safetensors weights (the embedded encoder, its fine-tuned
checkpoints, mBERT; see :func:`wordalign.encoding.models.load_encoder`) is run by this module instead: the same operations in the same order
(``benchmarks/startup.py``; a test checks the hidden states against ``BertModel`` bit for bit).
Training and any other architecture load through transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional

WEIGHTS = "model.safetensors"


# Modules are made on the meta device (no memory, no random initialisation: every weight is
# then assigned from the file). Passed per module, and embeddings made from an empty weight:
# torch's meta-device context, and a random normal initialisation on meta, import 2 s of its
# compiler machinery.
META = {"device": "meta"}


def _embedding(rows: int, columns: int) -> nn.Embedding:
    return nn.Embedding(rows, columns, _weight=torch.empty(rows, columns, **META))


class _Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = _embedding(config.vocab_size, config.hidden_size)
        self.position_embeddings = _embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = _embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps, **META)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)[None, :]
        embeddings = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(embeddings + self.position_embeddings(positions))


class _SelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.heads, self.head_size = config.num_attention_heads, config.hidden_size // config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size, **META)
        self.key = nn.Linear(config.hidden_size, config.hidden_size, **META)
        self.value = nn.Linear(config.hidden_size, config.hidden_size, **META)

    def forward(self, hidden, mask):
        shape = (*hidden.shape[:-1], -1, self.head_size)
        query, key, value = (layer(hidden).view(*shape).transpose(1, 2) for layer in (self.query, self.key, self.value))
        attended = functional.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=0.0,
                                                           scale=self.head_size ** -0.5, is_causal=False)
        return attended.transpose(1, 2).contiguous().reshape(*hidden.shape[:-1], -1).contiguous()


class _Residual(nn.Module):
    """``LayerNorm(dense(x) + residual)``."""

    def __init__(self, n_in: int, config):
        super().__init__()
        self.dense = nn.Linear(n_in, config.hidden_size, **META)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps, **META)

    def forward(self, hidden, residual):
        return self.LayerNorm(self.dense(hidden) + residual)


class _Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = nn.Module()
        self.attention.self = _SelfAttention(config)
        self.attention.output = _Residual(config.hidden_size, config)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(config.hidden_size, config.intermediate_size, **META)
        self.output = _Residual(config.intermediate_size, config)

    def forward(self, hidden, mask):
        attended = self.attention.output(self.attention.self(hidden, mask), hidden)
        return self.output(functional.gelu(self.intermediate.dense(attended)), attended)


class BertEncoder(nn.Module):
    """BERT's embeddings and blocks; parameter names as in ``transformers.BertModel``.

    Called like that model, ``encoder(input_ids=ids, attention_mask=mask,
    output_hidden_states=True).hidden_states`` gives the embedding output and each block's.

    Parameters
    ----------
    config : types.SimpleNamespace
        The fields of the checkpoint's ``config.json``. The parameters are made on the meta
        device: :meth:`from_directory` assigns them.

    References
    ----------
    Devlin, Chang, Lee & Toutanova (2019). BERT: Pre-training of Deep Bidirectional
    Transformers for Language Understanding. NAACL.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = _Embeddings(config)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(_Layer(config) for _ in range(config.num_hidden_layers))

    @property
    def base_model(self) -> BertEncoder:
        return self

    def forward(self, input_ids, attention_mask=None, output_hidden_states=True):
        """Hidden states of the embeddings and of every block (always: ``output_hidden_states``
        is taken only to be called as transformers' models are)."""
        mask = None
        if attention_mask is not None and not bool(attention_mask.all()):
            n = input_ids.shape[1]  # a boolean mask over keys, as transformers gives SDPA
            mask = attention_mask.bool()[:, None, None, :].expand(-1, 1, n, n)
        states = [self.embeddings(input_ids)]
        for layer in self.encoder.layer:
            states.append(layer(states[-1], mask))
        return SimpleNamespace(hidden_states=tuple(states))

    @classmethod
    def from_directory(cls, directory: Path) -> BertEncoder:
        """The encoder of a BERT checkpoint directory, weights loaded."""
        from safetensors.torch import load_file

        config = SimpleNamespace(**json.loads((directory / "config.json").read_text(encoding="utf-8")))
        encoder = cls(config)
        state = {key.removeprefix("bert."): value for key, value in load_file(directory / WEIGHTS).items()}
        wanted = encoder.state_dict()
        missing = sorted(set(wanted) - set(state))
        if missing:
            raise KeyError(f"{directory / WEIGHTS} lacks {', '.join(missing[:3])}")
        encoder.load_state_dict({key: state[key] for key in wanted}, assign=True)
        return encoder.eval()
