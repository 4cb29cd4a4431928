"""The block step of `bin/nasbert bench block-step`, in PyTorch, for reference.

Same path as the Java benchmark: an input projection (teacher hidden -> h), `pairs` post-LayerNorm BERT
sublayers (multi-head attention, then a GELU feed-forward of inner size 4h), an output projection back to the
teacher's width, masked MSE against a target; forward and backward, on one thread. Prints one JSON line: the
step's median time, tokens/s, achieved GFLOP/s (counting the matrix products as the Java side does), and torch's
own sgemm rate on the same 4096 x 2048 x 512 product, so both sides can be compared as ratios to their GEMM.
Uses Debian's python3-torch (apt-get install python3-torch); no network.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class Sublayer(nn.Module):
    def __init__(self, op, hidden):
        super().__init__()
        self.op = op
        self.norm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, key_padding):
        return self.norm(x + self.op(x, key_padding))


class Attention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.heads = hidden // 64
        self.q, self.k, self.v, self.o = (nn.Linear(hidden, hidden) for _ in range(4))

    def forward(self, x, key_padding):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / (h // self.heads) ** 0.5
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h)
        return self.o(context)


class FeedForward(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.expand = nn.Linear(hidden, 4 * hidden)
        self.contract = nn.Linear(4 * hidden, hidden)

    def forward(self, x, key_padding):
        return self.contract(nn.functional.gelu(self.expand(x)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--teacher-hidden", type=int, default=768)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    h, t = a.hidden, a.teacher_hidden
    layers = nn.ModuleList()
    for _ in range(a.pairs):
        layers.append(Sublayer(Attention(h), h))
        layers.append(Sublayer(FeedForward(h), h))
    proj_in, proj_out = nn.Linear(t, h), nn.Linear(h, t)
    x = torch.randn(a.batch, a.seq, t)
    y = torch.randn(a.batch, a.seq, t)
    padding = torch.zeros(a.batch, a.seq, dtype=torch.bool)
    params = list(layers.parameters()) + list(proj_in.parameters()) + list(proj_out.parameters())

    def step():
        for q in params:
            q.grad = None
        start = time.perf_counter()
        hidden = proj_in(x)
        for layer in layers:
            hidden = layer(hidden, padding)
        loss = ((proj_out(hidden) - y) ** 2).mean()
        loss.backward()
        return time.perf_counter() - start

    tokens = a.batch * a.seq
    per_pair = 8 * tokens * h * h + 4 * tokens * a.seq * h + 16 * tokens * h * h
    flops = 3.0 * (a.pairs * per_pair + 2 * 2 * tokens * t * h)
    ga, gb = torch.randn(tokens, h), torch.randn(h, 4 * h)
    gemm_flops = 2.0 * tokens * h * 4 * h
    step()
    ga @ gb
    steps, gemms = [], []
    for _ in range(a.runs):
        steps.append(step())
        start = time.perf_counter()
        for _ in range(5):
            ga @ gb
        gemms.append((time.perf_counter() - start) / 5)
    ratios = [flops / s / (gemm_flops / g) for s, g in zip(steps, gemms)]
    median = statistics.median(steps)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "step_ms": round(median * 1e3, 1), "tokens_per_s": round(tokens / median, 1),
        "step_gflops": round(flops / median / 1e9, 1),
        "sgemm_gflops": round(gemm_flops / statistics.median(gemms) / 1e9, 1),
        "ratio": round(statistics.median(ratios), 3)}))


if __name__ == "__main__":
    main()
