"""The hand-written reader network computes what transformers' BertModel computes with the
converted multilingual-e5-small weights, and the shipped int8 form loses little."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from index.reader_net import WORD_EMBEDDINGS, ReaderNet, encoder_tensor_names
from index.reader_weights import dequantise, quantise


@pytest.fixture(scope="module")
def converted():
    from safetensors.torch import load_file

    from index.convert import ensure_converted
    from settings import Settings

    d = ensure_converted(Settings().model_cache_dir)
    return d, load_file(str(d / "model.safetensors"))


def test_same_hidden_states_as_bert(converted):
    from transformers import AutoModel

    d, state = converted
    net = ReaderNet().eval()
    missing = net.load_state_dict({k: state[k] for k in encoder_tensor_names(state)}, strict=False).missing_keys
    assert sorted(missing) == ["qa_outputs.bias", "qa_outputs.weight"]
    bert = AutoModel.from_pretrained(str(d), local_files_only=True).eval()
    ids = torch.randint(5, 30000, (2, 17))
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0
    with torch.no_grad():
        ref = bert(input_ids=ids, attention_mask=mask).last_hidden_state
        emb = net.embeddings
        x = emb.LayerNorm(state[WORD_EMBEDDINGS][ids] + emb.position_embeddings.weight[:17][None]
                          + emb.token_type_embeddings.weight[0])
        for layer in net.encoder.layer:
            x = layer(x, mask.bool()[:, None, None, :])
    assert torch.allclose(x[0], ref[0], atol=1e-4) and torch.allclose(x[1, :11], ref[1, :11], atol=1e-4)


def test_int8_round_trip():
    rng = np.random.default_rng(0)
    state = {"encoder.layer.0.intermediate.dense.weight": rng.normal(0, 0.05, (64, 32)).astype(np.float32),
             "encoder.layer.0.intermediate.dense.bias": rng.normal(0, 0.05, 64).astype(np.float32)}
    packed = quantise(state)
    assert packed["encoder.layer.0.intermediate.dense.weight"].dtype == np.int8
    back = dequantise(packed)
    w = state["encoder.layer.0.intermediate.dense.weight"]
    assert np.abs(back["encoder.layer.0.intermediate.dense.weight"] - w).max() <= np.abs(w).max() / 127
    # quantising the dequantised weights again gives the same int8 grid (what onnxruntime does at export)
    again = quantise(back)
    assert np.array_equal(again["encoder.layer.0.intermediate.dense.weight"],
                          packed["encoder.layer.0.intermediate.dense.weight"])
